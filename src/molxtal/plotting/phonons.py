"""Phonon figures: band structures, DOS and heat capacity (several runs overlaid)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure

from molxtal.workflows.force_constants import FREQUENCY_UNITS

if TYPE_CHECKING:
    from molxtal.data.heat_capacity import HeatCapacity
    from molxtal.workflows.phonons import Bands, Dos

COLOURS = ("C0", "C3", "C2", "C1", "C4", "C5")


def _pretty(label: str) -> str:
    return "Γ" if label.upper() in ("GAMMA", "G") else label


def _ticks(bands: Bands) -> tuple[list[float], list[str]]:
    positions, names = [float(bands.distances[0][0])], [_pretty(bands.labels[0][0])]
    for k, (distances, (_, end)) in enumerate(zip(bands.distances, bands.labels, strict=True)):
        positions.append(float(distances[-1]))
        names.append(_pretty(end))
        if k + 1 < len(bands.labels) and not bands.connections[k]:
            names[-1] = f"{names[-1]}|{_pretty(bands.labels[k + 1][0])}"
    return positions, names


def plot_bands(runs: dict[str, Bands], unit: str = "cm-1", title: str = "") -> Figure:
    """Band structures of several runs on the same path, overlaid (first run sets the ticks)."""
    factor = FREQUENCY_UNITS[unit]
    figure = Figure(figsize=(7, 4.5))
    axes = figure.subplots()
    for colour, (name, bands) in zip(COLOURS, runs.items(), strict=False):
        for k, (x, f) in enumerate(zip(bands.distances, bands.frequencies_THz, strict=True)):
            lines = axes.plot(x, f * factor, color=colour, lw=0.8)
            if k == 0:
                lines[0].set_label(name)
    positions, names = _ticks(next(iter(runs.values())))
    axes.set_xticks(positions, names)
    for x in positions:
        axes.axvline(x, color="0.7", lw=0.5)
    axes.axhline(0, color="0.5", lw=0.5)
    axes.set_xlim(positions[0], positions[-1])
    axes.set_ylabel(f"frequency ({unit.replace('cm-1', 'cm⁻¹')})")
    if len(runs) > 1:
        axes.legend(frameon=False, loc="best")
    axes.set_title(title)
    return figure


def plot_dos(runs: dict[str, Dos], unit: str = "cm-1", title: str = "") -> Figure:
    """Total DOS (solid) and per-element DOS (dashed, dotted...) of several runs, overlaid."""
    factor = FREQUENCY_UNITS[unit]
    styles = ("--", ":", "-.")
    figure = Figure(figsize=(7, 4))
    axes = figure.subplots()
    for colour, (name, dos) in zip(COLOURS, runs.items(), strict=False):
        x = dos.frequencies_THz * factor
        axes.plot(x, dos.total / factor, color=colour, lw=1.0, label=f"{name} total")
        for style, (element, values) in zip(styles, dos.per_element.items(), strict=False):
            axes.plot(x, values / factor, color=colour, lw=0.8, ls=style, label=f"{name} {element}")
    label = unit.replace("cm-1", "cm⁻¹")
    axes.set_xlabel(f"frequency ({label})")
    axes.set_ylabel(f"DOS (states/{label} per cell)")
    axes.set_ylim(bottom=0)
    axes.legend(frameon=False, fontsize=8, loc="best")
    axes.set_title(title)
    return figure


def plot_heat_capacity(
    temperatures_K: np.ndarray,
    runs: dict[str, np.ndarray],
    references: list[HeatCapacity] = (),
    title: str = "",
) -> Figure:
    """Harmonic C_v (J/(mol K) per mole of molecules) against T, with measured references."""
    figure = Figure(figsize=(6, 4))
    axes = figure.subplots()
    for colour, (name, cv) in zip(COLOURS, runs.items(), strict=False):
        axes.plot(temperatures_K, cv, color=colour, label=f"{name} (harmonic C_v)")
    for marker, ref in zip("os^", references, strict=False):
        axes.plot(
            ref.temperatures_K,
            ref.heat_capacity_J_per_mol_K,
            marker,
            ms=3,
            mfc="none",
            color="k",
            label=f"{ref.citation} ({ref.quantity})",
        )
    if references:
        axes.text(
            0.02,
            0.97,
            "C_p ≈ C_v for ice at these temperatures",
            transform=axes.transAxes,
            va="top",
            fontsize=8,
        )
    axes.set_xlabel("T (K)")
    axes.set_ylabel("heat capacity (J mol⁻¹ K⁻¹)")
    axes.set_xlim(0, float(np.max(temperatures_K)))
    axes.set_ylim(bottom=0)
    axes.legend(frameon=False, fontsize=8, loc="best")
    axes.set_title(title)
    return figure
