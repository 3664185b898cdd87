"""Lattice-energy figures: a parity plot for any set of crystals, and the DMC-ICE13 figures
(absolute and relative lattice energies per polymorph, parity, MAE ranking).

Energies in kJ/mol per H2O for DMC-ICE13. ``models`` maps a model name to its lattice energy
per phase; several models are drawn side by side in every figure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from molxtal.analysis.ice13 import DMC, Ice13Stats, relative_to_ih
from molxtal.data.dmc_ice13 import PHASES

Energies = Mapping[str, Mapping[str, float]]


def _per_phase(ax, series: Energies, reference_names: Sequence[str], ylabel: str) -> None:
    x = np.arange(len(PHASES))
    for name, values in series.items():
        is_reference = name in reference_names
        ax.plot(
            x,
            [values[p] for p in PHASES],
            marker="s" if name == DMC else ("o" if is_reference else "D"),
            linestyle="-" if name == DMC else ("--" if is_reference else ":"),
            color="black" if name == DMC else None,
            linewidth=2 if name == DMC else 1.2,
            label=name,
        )
    ax.set_xticks(x, [f"{p}" for p in PHASES])
    ax.set_xlabel("ice polymorph")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8, loc="best")
    ax.grid(alpha=0.3)


def _series(models: Energies, table: Energies, methods: Sequence[str]) -> dict:
    return {**{m: table[m] for m in [DMC, *methods]}, **models}


def absolute_energies_figure(models: Energies, table: Energies, methods: Sequence[str]) -> Figure:
    """Absolute lattice energy per polymorph: DMC, the chosen DFT ``methods`` and the models."""
    fig = Figure(figsize=(8, 4.5))
    ax = fig.subplots()
    _per_phase(ax, _series(models, table, methods), [DMC, *methods], "E_latt (kJ/mol per H₂O)")
    ax.set_title("DMC-ICE13 absolute lattice energies")
    return fig


def relative_energies_figure(models: Energies, table: Energies, methods: Sequence[str]) -> Figure:
    """Lattice energy relative to ice Ih per polymorph, as in the absolute figure."""
    series = {name: relative_to_ih(v) for name, v in _series(models, table, methods).items()}
    fig = Figure(figsize=(8, 4.5))
    ax = fig.subplots()
    _per_phase(ax, series, [DMC, *methods], "E_latt − E_latt(Ih) (kJ/mol per H₂O)")
    ax.axhline(0.0, color="grey", linewidth=0.8)
    ax.set_title("DMC-ICE13 relative lattice energies")
    return fig


def parity_axes(
    ax: Axes,
    models: Energies,
    reference: Mapping[str, float],
    reference_name: str,
    unit: str = "kJ/mol",
    xerr: Mapping[str, float] | None = None,
    yerr: Mapping[str, Mapping[str, float]] | None = None,
) -> None:
    """Each model's values against ``reference`` on ``ax``, one point per label of
    ``reference`` (annotated with the label), and the line y = x. Values in ``unit``.

    ``xerr``: label -> uncertainty of the reference; ``yerr``: model -> label -> uncertainty of
    that model's value (same unit); either draws error bars where given.
    """
    labels = list(reference)
    lows, highs = [min(reference.values())], [max(reference.values())]
    for name, values in models.items():
        x, y = [reference[k] for k in labels], [values[k] for k in labels]
        if xerr is None and (yerr is None or name not in yerr):
            ax.scatter(x, y, label=name, s=25)
        else:
            ax.errorbar(
                x,
                y,
                xerr=None if xerr is None else [xerr.get(k, 0.0) for k in labels],
                yerr=None
                if yerr is None or name not in yerr
                else [yerr[name].get(k, 0.0) for k in labels],
                fmt="o",
                markersize=4,
                capsize=2,
                label=name,
            )
        for k in labels:
            ax.annotate(
                k, (reference[k], values[k]), fontsize=6, xytext=(2, 2), textcoords="offset points"
            )
        lows.append(min(y))
        highs.append(max(y))
    span = [min(lows) - 1.0, max(highs) + 1.0]
    ax.plot(span, span, color="black", linewidth=0.8, label="y = x")
    ax.set_xlabel(f"{reference_name} ({unit})")
    ax.set_ylabel(f"model ({unit})")
    ax.legend(fontsize=8, loc="best")
    ax.grid(alpha=0.3)


def parity_figure(
    models: Energies,
    reference: Mapping[str, float],
    reference_name: str,
    unit: str = "kJ/mol",
    title: str = "lattice energy",
    xerr: Mapping[str, float] | None = None,
    yerr: Mapping[str, Mapping[str, float]] | None = None,
) -> Figure:
    """One parity plot of any labelled values (e.g. crystals): see :func:`parity_axes`."""
    fig = Figure(figsize=(5.5, 4.8))
    ax = fig.subplots()
    parity_axes(ax, models, reference, reference_name, unit, xerr, yerr)
    ax.set_title(title)
    return fig


def ice13_parity_figure(
    models: Energies, reference: Mapping[str, float], reference_name: str
) -> Figure:
    """DMC-ICE13 models against the reference: absolute (left) and relative-to-Ih (right)."""
    fig = Figure(figsize=(10, 4.8))
    for ax, kind in zip(fig.subplots(1, 2), ("absolute", "relative to Ih"), strict=True):
        relative = kind != "absolute"
        parity_axes(
            ax,
            {n: relative_to_ih(v) if relative else v for n, v in models.items()},
            relative_to_ih(reference) if relative else reference,
            reference_name,
            "kJ/mol per H₂O",
        )
        ax.set_title(f"lattice energy, {kind}")
    return fig


def ranking_figure(published: Mapping[str, Ice13Stats], models: Mapping[str, Ice13Stats]) -> Figure:
    """MAE against DMC of every published method and of the models (highlighted), sorted."""
    fig = Figure(figsize=(11, 0.2 * (len(published) + len(models)) + 1.5))
    for ax, kind in zip(fig.subplots(1, 2), ("absolute", "relative"), strict=True):
        entries = [(name, getattr(s, kind).mae, False) for name, s in published.items()]
        entries += [(name, getattr(s, kind).mae, True) for name, s in models.items()]
        entries.sort(key=lambda e: e[1], reverse=True)
        y = np.arange(len(entries))
        # Linear axis cut at 1.3x the worst published MAE; longer (model) bars carry their value.
        limit = 1.3 * max(getattr(s, kind).mae for s in published.values())
        ax.barh(
            y,
            [min(e[1], limit) for e in entries],
            color=["tab:red" if e[2] else "tab:grey" for e in entries],
        )
        for k, (_, value, is_model) in enumerate(entries):
            if is_model:
                ax.text(min(value, limit), k, f" {value:.2f}", va="center", fontsize=7)
        ax.set_xlim(0, limit * 1.15)
        ax.set_yticks(y, [e[0] for e in entries], fontsize=6)
        for tick, entry in zip(ax.get_yticklabels(), entries, strict=True):
            if entry[2]:
                tick.set_fontweight("bold")
                tick.set_color("tab:red")
        ax.set_xlabel(f"{kind} MAE vs DMC (kJ/mol per H₂O)")
        ax.grid(alpha=0.3, axis="x")
    fig.suptitle("DMC-ICE13: MAE ranking (models in red)")
    fig.tight_layout()
    return fig
