"""Water figures: errors per model and quantity/mode, binding curves."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure


def error_bars(
    title: str, labels: Sequence[str], errors: Mapping[str, Sequence[float]], unit: str
) -> Figure:
    """Grouped bars: model − reference for each quantity or mode (one colour per model)."""
    figure = Figure(figsize=(max(6.0, 0.6 * len(labels) * len(errors) + 2), 4))
    ax = figure.subplots()
    width = 0.8 / max(len(errors), 1)
    x = np.arange(len(labels))
    for k, (model, values) in enumerate(errors.items()):
        ax.bar(x + (k - (len(errors) - 1) / 2) * width, values, width, label=model)
    ax.axhline(0.0, color="black", lw=0.8)
    ax.set_xticks(x, labels, rotation=30, ha="right")
    ax.set_ylabel(f"model − reference ({unit})")
    ax.set_title(title)
    ax.legend(loc="best")
    return figure


def binding_curves(
    curves: Mapping[str, object], reference_r: float, reference_e: float, citation: str
) -> Figure:
    """ΔE (eV) against r_OO (Å) for each model, with the experimental minimum as lines.

    ``curves``: model name -> an object with ``r_OO_angstrom``, ``binding_energy_eV``,
    ``minimum_r_OO_angstrom`` and ``minimum_energy_eV``."""
    figure = Figure(figsize=(6.5, 4.5))
    ax = figure.subplots()
    for model, curve in curves.items():
        (line,) = ax.plot(curve.r_OO_angstrom, curve.binding_energy_eV, "o-", ms=3, label=model)
        ax.plot(
            curve.minimum_r_OO_angstrom, curve.minimum_energy_eV, "*", ms=12, color=line.get_color()
        )
    ax.axvline(reference_r, color="grey", ls="--", label=f"r_OO {reference_r} Å ({citation})")
    ax.axhline(reference_e, color="grey", ls=":", label=f"ΔE {reference_e} eV ({citation})")
    ax.axhline(0.0, color="black", lw=0.6)
    ax.set_xlabel("r_OO (Å)")
    ax.set_ylabel("ΔE = E_dimer − 2 E_monomer (eV)")
    ax.set_title("Water dimer binding curve (stars: spline minima)")
    lowest = min(reference_e, *(c.minimum_energy_eV for c in curves.values()))
    ax.set_ylim(1.4 * lowest, 0.3)  # the repulsive wall above 0.3 eV is cut
    ax.legend(fontsize=8, loc="best")
    return figure
