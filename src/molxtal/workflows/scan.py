"""Convergence scans: geometry against the relaxation threshold, frequencies against the
finite-difference step (with the analytic Hessian as reference where the model has one)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from ase import Atoms
from ase.geometry.analysis import Analysis

from molxtal.models import Model
from molxtal.workflows.relax import relax
from molxtal.workflows.vibrations import has_analytic_hessian, vibrations

FMAX_SCAN = (1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8)
DELTA_SCAN = (1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1)
DELTA_SCAN_FMAX = (1e-2, 1e-4, 1e-6, 1e-8)
#: Largest change (cm⁻¹) between neighbouring deltas that still counts as a plateau.
PLATEAU_TOLERANCE_CM1 = 1.0


@dataclass
class FmaxScan:
    """Bond lengths (Å) and angles (degrees) of the structure relaxed to each fmax (eV/Å)."""

    fmax_eV_per_angstrom: np.ndarray
    geometry: dict[str, np.ndarray]
    energy_eV: np.ndarray
    converged: np.ndarray


@dataclass
class DeltaScan:
    """Frequencies (cm⁻¹) per fmax (eV/Å) and delta (Å): ``frequencies[i, j, mode]``."""

    fmax_eV_per_angstrom: np.ndarray
    delta_angstrom: np.ndarray
    nfree: int
    frequencies_cm1: np.ndarray
    analytic_cm1: np.ndarray | None  # [i, mode]
    plateaus: list[tuple[int, int]]  # per fmax, first and last delta index
    recommended_delta_angstrom: np.ndarray


def internal_coordinates(atoms: Atoms) -> dict[str, tuple]:
    """Covalent bonds and angles (ASE natural cutoffs), labelled like ``O0-H1`` / ``H1-O0-H2``."""
    analysis = Analysis(atoms)
    symbols = atoms.get_chemical_symbols()
    coords = {}
    for i, neighbours in enumerate(analysis.unique_bonds[0]):
        for j in neighbours:
            coords[f"{symbols[i]}{i}-{symbols[j]}{j} (Å)"] = ("bond", i, j)
    for i, pairs in enumerate(analysis.unique_angles[0]):  # angle i-j-k, vertex j
        for j, k in pairs:
            coords[f"{symbols[i]}{i}-{symbols[j]}{j}-{symbols[k]}{k} (°)"] = ("angle", i, j, k)
    return coords


def _measure(atoms: Atoms, coord: tuple) -> float:
    if coord[0] == "bond":
        return float(atoms.get_distance(coord[1], coord[2]))
    return float(atoms.get_angle(coord[1], coord[2], coord[3]))


def fmax_scan(
    atoms: Atoms, model: Model, fmaxes: Sequence[float] = FMAX_SCAN, steps: int = 2000
) -> FmaxScan:
    """Relax ``atoms`` to each fmax, every run starting from ``atoms``; measure the geometry."""
    fmaxes = np.sort(np.asarray(fmaxes, dtype=float))[::-1]
    coords = internal_coordinates(atoms)
    runs = [relax(atoms, model, fmax=f, steps=steps) for f in fmaxes]
    geometry = {
        label: np.array([_measure(r.atoms, c) for r in runs]) for label, c in coords.items()
    }
    return FmaxScan(
        fmaxes,
        geometry,
        np.array([r.energy_eV for r in runs]),
        np.array([r.converged for r in runs]),
    )


def plateau(frequencies: np.ndarray, tolerance: float = PLATEAU_TOLERANCE_CM1) -> tuple[int, int]:
    """Longest run of consecutive deltas (rows of ``frequencies``, cm⁻¹) whose neighbours
    differ by less than ``tolerance`` in every mode; (first, last) index, inclusive."""
    steady = np.abs(np.diff(frequencies, axis=0)).max(axis=1) < tolerance
    best, start = (0, 0), None
    for k, ok in enumerate([*steady, False]):
        if ok and start is None:
            start = k
        elif not ok and start is not None:
            if k - start > best[1] - best[0]:
                best = (start, k)
            start = None
    return best


def recommend_delta(
    deltas: np.ndarray, frequencies: np.ndarray, reference: np.ndarray | None = None
) -> tuple[tuple[int, int], float]:
    """The plateau and the delta (Å) to use: closest to ``reference`` within the plateau, or
    the plateau's middle (geometric) when there is no reference."""
    first, last = plateau(frequencies)
    inside = np.arange(first, last + 1)
    if reference is not None:
        best = inside[np.abs(frequencies[inside] - reference).max(axis=1).argmin()]
    else:
        best = inside[len(inside) // 2]
    return (first, last), float(deltas[best])


def delta_scan(
    atoms: Atoms,
    model: Model,
    deltas: Sequence[float] = DELTA_SCAN,
    fmaxes: Sequence[float] = DELTA_SCAN_FMAX,
    nfree: int = 2,
    steps: int = 2000,
    cache_dir: str | Path | None = None,
) -> DeltaScan:
    """Finite-difference frequencies for every (fmax, delta); analytic ones as reference."""
    deltas = np.sort(np.asarray(deltas, dtype=float))
    fmaxes = np.sort(np.asarray(fmaxes, dtype=float))[::-1]
    analytic = has_analytic_hessian(model)
    table, reference, plateaus, recommended = [], [], [], []
    for f in fmaxes:
        relaxed = relax(atoms, model, fmax=f, steps=steps).atoms
        rows = np.array(
            [
                vibrations(
                    relaxed, model, "finite-differences", d, nfree, cache_dir
                ).frequencies_cm1
                for d in deltas
            ]
        )
        ref = vibrations(relaxed, model, "analytic").frequencies_cm1 if analytic else None
        span, best = recommend_delta(deltas, rows, ref)
        table.append(rows)
        reference.append(ref)
        plateaus.append(span)
        recommended.append(best)
    return DeltaScan(
        fmaxes,
        deltas,
        nfree,
        np.array(table),
        np.array(reference) if analytic else None,
        plateaus,
        np.array(recommended),
    )
