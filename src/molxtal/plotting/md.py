"""Figures of MD analysis: partial RDFs against experiment, density against time, MSD."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure

if TYPE_CHECKING:
    from molxtal.analysis.diffusion import Diffusion
    from molxtal.analysis.rdf import RDF
    from molxtal.data.rdf import ReferenceRDF


def rdf_figure(
    rdfs: dict[str, list[RDF]], reference: ReferenceRDF | None = None, warning: str = ""
) -> Figure:
    """One panel per pair; ``rdfs`` maps a label (model or file) to its partial RDFs; the
    legend sits below the panels; ``warning`` (e.g. why the curves are only indicative) is
    the figure's title."""
    pairs = [rdf.pair for rdf in next(iter(rdfs.values()))]
    fig = Figure(figsize=(4.5 * len(pairs), 4.0), layout="constrained")
    axes = fig.subplots(1, len(pairs), squeeze=False)[0]
    for ax, pair in zip(axes, pairs, strict=True):
        if reference is not None and pair in reference.g:
            ax.plot(reference.r, reference.g[pair], "k--", lw=1.2, label=reference.citation)
        for label, curves in rdfs.items():
            rdf = next(c for c in curves if c.pair == pair)
            ax.plot(rdf.r, rdf.g, lw=1.4, label=label)
            ax.fill_between(rdf.r, rdf.g - rdf.g_err, rdf.g + rdf.g_err, alpha=0.3)
        ax.set_xlim(0, max(c.r[-1] for curves in rdfs.values() for c in curves))
        ax.set_xlabel("r (Å)")
        ax.set_ylabel(f"g_{pair}(r)")
        ax.axhline(1, color="grey", lw=0.5)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, fontsize=8, loc="outside lower center", ncols=len(labels))
    if warning:
        fig.suptitle(warning, fontsize=9, color="#a05000")
    return fig


def preparation_figure(samples: list[dict[str, float]], temperature_K: float) -> Figure:
    """Temperature (K) and molecular pressure (bar) of the classical pre-equilibration
    against time (ps), the target temperature dashed."""
    fig = Figure(figsize=(8, 3.2), layout="constrained")
    left, right = fig.subplots(1, 2)
    time_ps = [s["time_ps"] for s in samples]
    left.plot(time_ps, [s["temperature_K"] for s in samples], lw=0.8)
    left.axhline(temperature_K, color="k", ls="--", lw=0.8)
    left.set_xlabel("time (ps)")
    left.set_ylabel("T (K)")
    right.plot(time_ps, [s["pressure_bar"] for s in samples], lw=0.8)
    right.axhline(0, color="grey", lw=0.5)
    right.set_xlabel("time (ps)")
    right.set_ylabel("molecular pressure (bar)")
    return fig


def density_figure(time_ps: np.ndarray, density: np.ndarray, equilibration_ps: float) -> Figure:
    """Density (g/cm³) against time (ps), the equilibration period shaded."""
    fig = Figure(figsize=(5, 3.4), layout="tight")
    ax = fig.subplots()
    ax.plot(time_ps, density, lw=1)
    ax.axvspan(time_ps[0], equilibration_ps, color="grey", alpha=0.2, label="equilibration")
    ax.set_xlabel("time (ps)")
    ax.set_ylabel("density (g/cm³)")
    ax.legend(fontsize=7, loc="best")
    return fig


def msd_figure(diffusion: Diffusion, species: str = "O") -> Figure:
    """MSD (Å²) against lag (ps) with the fitted window marked."""
    fig = Figure(figsize=(5, 3.4), layout="tight")
    ax = fig.subplots()
    ax.plot(diffusion.lag_ps, diffusion.msd_angstrom2, lw=1.2, label=f"MSD({species})")
    ax.axvspan(*diffusion.fit_range_ps, color="C1", alpha=0.2, label="fit window")
    ax.set_xlabel("lag time (ps)")
    ax.set_ylabel("MSD (Å²)")
    ax.set_title(f"D = {diffusion.d_cm2_s:.2e} ± {diffusion.d_err_cm2_s:.1e} cm²/s", fontsize=9)
    ax.legend(fontsize=7, loc="best")
    return fig
