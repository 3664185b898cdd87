"""Convergence figures: geometry against fmax, frequencies against the displacement delta."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullFormatter

if TYPE_CHECKING:
    from molxtal.workflows.scan import DeltaScan


def _grid(n: int, width: float = 3.2, height: float = 2.6):
    cols = min(n, 4)
    rows = int(np.ceil(n / cols))
    figure = Figure(figsize=(width * cols, height * rows))
    axes = figure.subplots(rows, cols, squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return figure, axes.flat


def _log_x(ax) -> None:
    """Logarithmic x axis with plain tick labels (``1e-05``): the default ones go through
    matplotlib's mathtext parser, which is shared and not thread-safe (the study draws
    figures in several threads)."""
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())


def fmax_scan_figure(
    fmax_eV_per_angstrom: Sequence[float], geometry: Mapping[str, Sequence[float]], title: str
) -> Figure:
    """One panel per bond length (Å) or angle (°) against fmax (eV/Å), tightest on the right;
    ``geometry`` maps each coordinate's label (with its unit) to its values."""
    figure, axes = _grid(len(geometry))
    for ax, (label, values) in zip(axes, geometry.items(), strict=False):
        ax.plot(fmax_eV_per_angstrom, values, "o-")
        _log_x(ax)
        ax.invert_xaxis()
        ax.set_xlabel("fmax (eV/Å)")
        ax.set_title(label, fontsize=9)
        ax.ticklabel_format(axis="y", useOffset=False)
    figure.suptitle(title)
    figure.tight_layout()
    return figure


def delta_scan_figure(scan: DeltaScan, title: str) -> Figure:
    """One panel per mode: frequency (cm⁻¹) against delta (Å) for each fmax; dashed lines are
    the analytic-Hessian frequencies, the shaded span the plateau of the tightest fmax."""
    n_modes = scan.frequencies_cm1.shape[2]
    figure, axes = _grid(n_modes)
    first, last = scan.plateaus[-1]
    for mode, ax in zip(range(n_modes), axes, strict=False):
        for i, fmax in enumerate(scan.fmax_eV_per_angstrom):
            (line,) = ax.plot(
                scan.delta_angstrom, scan.frequencies_cm1[i, :, mode], "o-", ms=3,
                label=f"fmax {fmax:g}",
            )  # fmt: skip
            if scan.analytic_cm1 is not None:
                ax.axhline(scan.analytic_cm1[i, mode], ls="--", lw=0.8, color=line.get_color())
        ax.axvspan(scan.delta_angstrom[first], scan.delta_angstrom[last], color="0.9", zorder=0)
        ax.axvline(scan.recommended_delta_angstrom[-1], color="black", lw=0.8, ls=":")
        _log_x(ax)
        ax.set_xlabel("delta (Å)")
        ax.set_ylabel("frequency (cm⁻¹)")
        ax.set_title(f"mode {mode + 1}", fontsize=9)
        reference = scan.frequencies_cm1[-1, last, mode]
        ax.set_ylim(reference - 50, reference + 50)  # ±50 cm⁻¹ around the converged value
    axes[0].legend(fontsize=7, loc="best")
    figure.suptitle(f"{title} (dashed: analytic Hessian; dotted: recommended delta)")
    figure.tight_layout()
    return figure
