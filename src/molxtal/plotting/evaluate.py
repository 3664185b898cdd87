"""Parity plots of several models side by side: energy, forces and stress against reference."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure

if TYPE_CHECKING:
    from molxtal.workflows.evaluate import ModelErrors


def _panel(ax, ref, pred, label, unit, mae):
    ax.scatter(ref, pred, s=4, alpha=0.5)
    if len(ref):
        lo, hi = float(min(ref.min(), pred.min())), float(max(ref.max(), pred.max()))
        ax.plot([lo, hi], [lo, hi], "k--", lw=0.8)
    ax.set(xlabel=f"reference {label} ({unit})", ylabel=f"predicted {label} ({unit})")
    if mae is not None:
        ax.text(0.04, 0.92, f"MAE {mae}", transform=ax.transAxes)


def plot_parity(results: list[ModelErrors]) -> Figure:
    """Rows: energy per atom (eV/atom), force components (eV/Å), stress components (eV/Å³);
    one column per model."""
    fig = Figure(figsize=(4 * len(results), 11), layout="tight")
    axes = fig.subplots(3, len(results), squeeze=False)
    for column, r in enumerate(results):
        p = r.parity
        axes[0, column].set_title(r.model)
        _panel(
            axes[0, column],
            p.energy_ref,
            p.energy_pred,
            "E",
            "eV/atom",
            f"{r.energy_mae_meV_per_atom:.2f} meV/atom",
        )
        _panel(
            axes[1, column],
            p.forces_ref,
            p.forces_pred,
            "F",
            "eV/Å",
            f"{r.force_mae_meV_per_angstrom:.1f} meV/Å",
        )
        stress_mae = r.stress_mae_meV_per_angstrom3
        _panel(
            axes[2, column],
            np.ravel(p.stress_ref),
            np.ravel(p.stress_pred),
            "σ",
            "eV/Å³",
            None if stress_mae is None else f"{stress_mae:.2f} meV/Å³",
        )
    return fig
