"""Convergence figures: geometry against fmax, frequencies against the displacement delta."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def _grid(n: int, width: float = 3.2, height: float = 2.6):
    cols = min(n, 4)
    rows = int(np.ceil(n / cols))
    figure, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows), squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return figure, axes.flat


def fmax_scan_figure(scan, title: str):
    """One panel per bond length (Å) or angle (°) against fmax (eV/Å), tightest on the right."""
    figure, axes = _grid(len(scan.geometry))
    for ax, (label, values) in zip(axes, scan.geometry.items(), strict=False):
        ax.plot(scan.fmax_eV_per_angstrom, values, "o-")
        ax.set_xscale("log")
        ax.invert_xaxis()
        ax.set_xlabel("fmax (eV/Å)")
        ax.set_title(label, fontsize=9)
        ax.ticklabel_format(axis="y", useOffset=False)
    figure.suptitle(title)
    figure.tight_layout()
    return figure


def delta_scan_figure(scan, title: str):
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
        ax.set_xscale("log")
        ax.set_xlabel("delta (Å)")
        ax.set_ylabel("frequency (cm⁻¹)")
        ax.set_title(f"mode {mode + 1}", fontsize=9)
        reference = scan.frequencies_cm1[-1, last, mode]
        ax.set_ylim(reference - 50, reference + 50)  # ±50 cm⁻¹ around the converged value
    axes[0].legend(fontsize=7)
    figure.suptitle(f"{title} (dashed: analytic Hessian; dotted: recommended delta)")
    figure.tight_layout()
    return figure
