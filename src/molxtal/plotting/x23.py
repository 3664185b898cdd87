"""X23 figures: lattice energies against DMC (parity, with DMC error bars) and sublimation
enthalpies against the experimental range. ``models`` is the ``models`` part of the X23
result's ``to_dict()``: model name -> lattice energies and sublimation records (kJ/mol).

Labels are plain text, no mathtext: matplotlib's mathtext parser is shared and not thread-safe,
and the study may draw figures in several threads at once."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.figure import Figure


def parity_figure(models: Mapping[str, Mapping]) -> Figure:
    """Model E_latt against DMC E_latt (kJ/mol per molecule); horizontal bars: DMC error."""
    fig = Figure(figsize=(6.4, 6.0))
    ax = fig.subplots()
    lows, highs = [], []
    for name, values in models.items():
        rows = [r for r in values["lattice_energies"] if r["lattice_energy_kJ_per_mol"] is not None]
        dmc = np.array([r["dmc_kJ_per_mol"] for r in rows])
        model = np.array([r["lattice_energy_kJ_per_mol"] for r in rows])
        mae = values["statistics"].get("mae_kJ_per_mol")
        label = name if mae is None else f"{name} (MAE {mae:.1f} kJ/mol)"
        ax.errorbar(
            dmc, model, xerr=[r["dmc_error_kJ_per_mol"] for r in rows], fmt="o", ms=4,
            capsize=2, label=label,
        )  # fmt: skip
        for r, x, y in zip(rows, dmc, model, strict=True):
            ax.annotate(
                r["system"][:2], (x, y), fontsize=6, xytext=(2, 2), textcoords="offset points"
            )
        lows += [*dmc, *model]
        highs += [*dmc, *model]
    if lows:
        lo, hi = min(lows) - 5, max(highs) + 5
        ax.plot([lo, hi], [lo, hi], color="grey", linewidth=0.8, zorder=0)
        ax.set_xlim(lo, hi)
        ax.set_ylim(lo, hi)
    ax.set_xlabel("E_latt DMC (kJ/mol)")
    ax.set_ylabel("E_latt model (kJ/mol)")
    ax.set_title("X23 lattice energies against DMC (numbers: system)")
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def sublimation_figure(models: Mapping[str, Mapping]) -> Figure:
    """ΔH_sub per system (kJ/mol): experimental min–max range (bar), the paper's DMC-based value
    with its uncertainty, and each model's own value."""
    first = next(iter(models.values()))["sublimation"]
    systems = [s["system"] for s in first]
    x = np.arange(len(systems))
    fig = Figure(figsize=(max(5.0, 1.1 * len(systems) + 2), 4.8))
    ax = fig.subplots()
    low = np.array([s["experiment_min_kJ_per_mol"] for s in first])
    high = np.array([s["experiment_max_kJ_per_mol"] for s in first])
    ax.bar(x, high - low + 0.3, bottom=low - 0.15, width=0.5, color="goldenrod", alpha=0.6,
           label="experiment (range)")  # fmt: skip
    paper = [s["paper_dH_sub_kJ_per_mol"] for s in first]
    ax.errorbar(x - 0.15, paper, yerr=[s["paper_uncertainty_kJ_per_mol"] for s in first],
                fmt="s", color="tab:blue", capsize=3, label="DMC + paper's Δ_T&QN")  # fmt: skip
    for k, (name, values) in enumerate(models.items()):
        dh = [np.nan if s["dH_sub_kJ_per_mol"] is None else s["dH_sub_kJ_per_mol"]
              for s in values["sublimation"]]  # fmt: skip
        ax.plot(x + 0.15 + 0.05 * k, dh, "D", color=f"C{k + 1}", label=f"{name} (own Δ_T&QN)")
    ax.set_xticks(x, systems, rotation=45, ha="right")
    ax.set_ylabel("ΔH_sub (kJ/mol)")
    ax.set_title("X23 sublimation enthalpies at the experiments' temperatures")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=3, fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
