"""DMC-ICE13 figures: absolute and relative lattice energies, parity plot, MAE ranking.

Energies in kJ/mol per H2O. ``models`` maps a model name to its lattice energy per phase;
several models are drawn side by side in every figure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from molxtal.analysis.ice13 import DMC, Ice13Stats, relative_to_ih  # noqa: E402
from molxtal.data.dmc_ice13 import PHASES  # noqa: E402

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
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)


def _series(models: Energies, table: Energies, methods: Sequence[str]) -> dict:
    return {**{m: table[m] for m in [DMC, *methods]}, **models}


def absolute_energies_figure(models: Energies, table: Energies, methods: Sequence[str]):
    """Absolute lattice energy per polymorph: DMC, the chosen DFT ``methods`` and the models."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    _per_phase(
        ax, _series(models, table, methods), [DMC, *methods], "E$_{latt}$ (kJ/mol per H$_2$O)"
    )
    ax.set_title("DMC-ICE13 absolute lattice energies")
    return fig


def relative_energies_figure(models: Energies, table: Energies, methods: Sequence[str]):
    """Lattice energy relative to ice Ih per polymorph, as in the absolute figure."""
    series = {name: relative_to_ih(v) for name, v in _series(models, table, methods).items()}
    fig, ax = plt.subplots(figsize=(8, 4.5))
    _per_phase(ax, series, [DMC, *methods], "E$_{latt}$ − E$_{latt}$(Ih) (kJ/mol per H$_2$O)")
    ax.axhline(0.0, color="grey", linewidth=0.8)
    ax.set_title("DMC-ICE13 relative lattice energies")
    return fig


def parity_figure(models: Energies, reference: Mapping[str, float], reference_name: str):
    """Model against reference: absolute (left) and relative-to-Ih (right) lattice energies."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.8))
    rel_ref = relative_to_ih(reference)
    for ax, kind in zip(axes, ("absolute", "relative to Ih"), strict=True):
        ref = reference if kind == "absolute" else rel_ref
        lows, highs = [min(ref.values())], [max(ref.values())]
        for name, values in models.items():
            vals = values if kind == "absolute" else relative_to_ih(values)
            ax.scatter([ref[p] for p in PHASES], [vals[p] for p in PHASES], label=name, s=25)
            for p in PHASES:
                ax.annotate(
                    p, (ref[p], vals[p]), fontsize=6, xytext=(2, 2), textcoords="offset points"
                )
            lows.append(min(vals.values()))
            highs.append(max(vals.values()))
        span = [min(lows) - 1.0, max(highs) + 1.0]
        ax.plot(span, span, color="black", linewidth=0.8, label="y = x")
        ax.set_xlabel(f"{reference_name} (kJ/mol per H$_2$O)")
        ax.set_ylabel("model (kJ/mol per H$_2$O)")
        ax.set_title(f"lattice energy, {kind}")
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    return fig


def ranking_figure(published: Mapping[str, Ice13Stats], models: Mapping[str, Ice13Stats]):
    """MAE against DMC of every published method and of the models (highlighted), sorted."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 0.2 * (len(published) + len(models)) + 1.5))
    for ax, kind in zip(axes, ("absolute", "relative"), strict=True):
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
        ax.set_xlabel(f"{kind} MAE vs DMC (kJ/mol per H$_2$O)")
        ax.grid(alpha=0.3, axis="x")
    fig.suptitle("DMC-ICE13: MAE ranking (models in red)")
    fig.tight_layout()
    return fig
