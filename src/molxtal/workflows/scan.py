"""Convergence scans: geometry against the relaxation threshold, frequencies against the
finite-difference step (with the analytic Hessian as reference where the model has one)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from ase import Atoms
from ase.geometry.analysis import Analysis

from molxtal import validate
from molxtal.errors import MolxtalError, NotConvergedError
from molxtal.models import Model
from molxtal.results import Result, Table
from molxtal.workflows.relax import relax
from molxtal.workflows.vibrations import (
    MAX_SCAN_DELTA_ANGSTROM,
    check_finite_differences,
    has_analytic_hessian,
    vibrations,
)

FMAX_SCAN = (1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8)
DELTA_SCAN = (1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1)
DELTA_SCAN_FMAX = (1e-2, 1e-4, 1e-6, 1e-8)
#: Largest change (cm⁻¹) between neighbouring deltas that still counts as a plateau.
PLATEAU_TOLERANCE_CM1 = 1.0
#: Unit suffixes of the internal-coordinate keys and how tables and figures show them.
COORDINATE_UNITS = {"angstrom": "Å", "deg": "°"}


def coordinate_label(key: str) -> str:
    """``O0-H1_angstrom`` -> ``O0-H1 (Å)``, ``H1-O0-H2_deg`` -> ``H1-O0-H2 (°)``."""
    name, unit = key.rsplit("_", 1)
    return f"{name} ({COORDINATE_UNITS[unit]})"


def _scan_dict(scan: FmaxScan | DeltaScan, values: dict[str, Any]) -> dict[str, Any]:
    """A scan's numbers: what was scanned with which model, the fmax values (eV/Å), ``values``."""
    return {
        "structure": scan.structure,
        "model": scan.model,
        "fmax_eV_per_angstrom": scan.fmax_eV_per_angstrom,
        **values,
    }


def _relaxation_notes(scan: FmaxScan | DeltaScan) -> list[str]:
    """Which relaxations of a scan missed their fmax, with the count."""
    missed = [f for f, ok in zip(scan.fmax_eV_per_angstrom, scan.converged, strict=True) if not ok]
    if not missed:
        return []
    listed = ", ".join(f"{f:g}" for f in missed)
    count = f"{len(missed)} of {len(scan.converged)} relaxations"
    return [f"{count} did not converge (fmax {listed} eV/Å)"]


def _require_a_converged_relaxation(scan: FmaxScan | DeltaScan) -> None:
    """Raise :class:`NotConvergedError` if no relaxation of the scan converged."""
    if not np.any(scan.converged):
        raise NotConvergedError(
            f"{scan.structure}: none of the {len(scan.converged)} relaxations of the scan "
            f"converged within the step limit (results written)"
        )


@dataclass
class FmaxScan(Result):
    """Bond lengths (Å) and angles (degrees) of ``structure`` relaxed with ``model`` to each
    fmax (eV/Å), loosest first; ``geometry`` keys name the atoms and the unit
    (``O0-H1_angstrom``, ``H1-O0-H2_deg``)."""

    fmax_eV_per_angstrom: np.ndarray
    geometry: dict[str, np.ndarray]
    energy_eV: np.ndarray
    converged: np.ndarray
    structure: str = "structure"
    model: str = ""

    def to_dict(self) -> dict[str, Any]:
        values = {"geometry": self.geometry, "energy_eV": self.energy_eV}
        return _scan_dict(self, {**values, "converged": self.converged})

    def _rows(self) -> list[dict[str, Any]]:
        return [
            {"fmax_eV_per_angstrom": f, "energy_eV": e, "converged": c,
             **{key: values[k] for key, values in self.geometry.items()}}
            for k, (f, e, c) in enumerate(
                zip(self.fmax_eV_per_angstrom, self.energy_eV, self.converged, strict=True)
            )
        ]  # fmt: skip

    def summary(self) -> list[Table]:
        rows = [
            [f"{r['fmax_eV_per_angstrom']:g}", f"{r['energy_eV']:.8f}",
             *(f"{r[key]:.6f}" for key in self.geometry)]
            for r in self._rows()
        ]  # fmt: skip
        columns = ["fmax (eV/Å)", "E (eV)", *map(coordinate_label, self.geometry)]
        title = f"Geometry against fmax: {self.structure} ({self.model})"
        return [Table(title, columns, rows, _relaxation_notes(self))]

    def require_converged(self) -> None:
        """Raise if no relaxation converged: the scan then measured nothing."""
        _require_a_converged_relaxation(self)

    def csv_tables(self) -> dict[str, list[dict[str, Any]]]:
        return {"fmax_scan.csv": self._rows()}

    def figures(self) -> dict[str, Callable]:
        from molxtal.plotting.scan import fmax_scan_figure

        geometry = {coordinate_label(key): values for key, values in self.geometry.items()}
        title = f"{self.structure}, {self.model}"
        return {
            "fmax_scan.png": lambda: fmax_scan_figure(self.fmax_eV_per_angstrom, geometry, title)
        }


def delta_scan_rows(data: dict[str, Any]) -> list[list[str]]:
    """Per fmax: the fmax (eV/Å), the plateau of delta (Å) and the recommended delta (Å), from a
    :class:`DeltaScan`'s numbers (``to_dict()`` or its stored JSON)."""
    deltas = data["delta_angstrom"]
    return [
        [f"{f:g}", f"{deltas[first]:g} – {deltas[last]:g}", f"{best:g}"]
        for f, (first, last), best in zip(
            data["fmax_eV_per_angstrom"], data["plateaus"], data["recommended_delta_angstrom"],
            strict=True,
        )
    ]  # fmt: skip


@dataclass
class DeltaScan(Result):
    """Frequencies (cm⁻¹) of ``structure`` with ``model`` per fmax (eV/Å) and delta (Å):
    ``frequencies_cm1[i, j, mode]``; ``analytic_cm1[i, mode]`` where the model has a Hessian."""

    fmax_eV_per_angstrom: np.ndarray
    delta_angstrom: np.ndarray
    nfree: int
    frequencies_cm1: np.ndarray
    analytic_cm1: np.ndarray | None
    plateaus: list[tuple[int, int]]  # per fmax, first and last delta index
    recommended_delta_angstrom: np.ndarray
    converged: np.ndarray  # per fmax: did the relaxation reach it
    structure: str = "structure"
    model: str = ""

    def to_dict(self) -> dict[str, Any]:
        values = {
            "delta_angstrom": self.delta_angstrom,
            "nfree": self.nfree,
            "frequencies_cm-1": self.frequencies_cm1,
            "analytic_frequencies_cm-1": self.analytic_cm1,
            "plateaus": self.plateaus,
            "recommended_delta_angstrom": self.recommended_delta_angstrom,
            "converged": self.converged,
        }
        return _scan_dict(self, values)

    def summary(self) -> list[Table]:
        title = f"Recommended delta: {self.structure} ({self.model}, nfree {self.nfree})"
        columns = ["fmax (eV/Å)", "plateau (Å)", "recommended delta (Å)"]
        return [Table(title, columns, delta_scan_rows(self.to_dict()), _relaxation_notes(self))]

    def require_converged(self) -> None:
        """Raise if no relaxation converged: no frequency was taken at a minimum."""
        _require_a_converged_relaxation(self)

    def csv_tables(self) -> dict[str, list[dict[str, Any]]]:
        rows = [
            {"fmax_eV_per_angstrom": f, "delta_angstrom": d,
             **{f"mode{k + 1}_cm-1": w for k, w in enumerate(self.frequencies_cm1[i, j])}}
            for i, f in enumerate(self.fmax_eV_per_angstrom)
            for j, d in enumerate(self.delta_angstrom)
        ]  # fmt: skip
        return {"delta_scan.csv": rows}

    def figures(self) -> dict[str, Callable]:
        from molxtal.plotting.scan import delta_scan_figure

        title = f"{self.structure}, {self.model}"
        return {"delta_scan.png": lambda: delta_scan_figure(self, title)}


def internal_coordinates(atoms: Atoms) -> dict[str, tuple]:
    """Covalent bonds and angles (ASE natural cutoffs), keyed like ``O0-H1_angstrom`` /
    ``H1-O0-H2_deg``."""
    analysis = Analysis(atoms)
    symbols = atoms.get_chemical_symbols()
    coords = {}
    for i, neighbours in enumerate(analysis.unique_bonds[0]):
        for j in neighbours:
            coords[f"{symbols[i]}{i}-{symbols[j]}{j}_angstrom"] = ("bond", i, j)
    for i, pairs in enumerate(analysis.unique_angles[0]):  # angle i-j-k, vertex j
        for j, k in pairs:
            coords[f"{symbols[i]}{i}-{symbols[j]}{j}-{symbols[k]}{k}_deg"] = ("angle", i, j, k)
    return coords


def _measure(atoms: Atoms, coord: tuple) -> float:
    if coord[0] == "bond":
        return float(atoms.get_distance(coord[1], coord[2]))
    return float(atoms.get_angle(coord[1], coord[2], coord[3]))


def fmax_scan(
    atoms: Atoms,
    model: Model,
    fmaxes: Sequence[float] = FMAX_SCAN,
    steps: int = 2000,
    structure: str = "structure",
) -> FmaxScan:
    """Relax ``atoms`` to each fmax (eV/Å), every run starting from ``atoms``; measure the
    geometry. ``structure`` names the input in tables, figures and errors."""
    _check_scan(fmaxes, steps)
    model.check_elements(atoms, structure)
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
        structure,
        model.name,
    )


def _check_scan(fmaxes: Sequence[float], steps: int) -> None:
    """Refuse an empty or non-positive fmax list (eV/Å) or fewer than one relaxation step."""
    if len(fmaxes) == 0:
        raise MolxtalError("--fmax: needs at least one value")
    for f in fmaxes:
        validate.number("--fmax", f, 0.0, unit="eV/Å")
    validate.positive_integers("--steps", [steps])


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
    structure: str = "structure",
) -> DeltaScan:
    """Finite-difference frequencies for every (fmax, delta); analytic ones as reference.
    ``structure`` names the input in tables, figures and errors."""
    _check_scan(fmaxes, steps)
    if len(deltas) == 0:
        raise MolxtalError("--delta: needs at least one value")
    for d in deltas:
        check_finite_differences(d, nfree, MAX_SCAN_DELTA_ANGSTROM)
    model.check_elements(atoms, structure)
    deltas = np.sort(np.asarray(deltas, dtype=float))
    fmaxes = np.sort(np.asarray(fmaxes, dtype=float))[::-1]
    analytic = has_analytic_hessian(model)
    table, reference, plateaus, recommended, converged = [], [], [], [], []
    for f in fmaxes:
        relaxation = relax(atoms, model, fmax=f, steps=steps)
        relaxed = relaxation.atoms
        converged.append(relaxation.converged)
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
        np.array(converged),
        structure,
        model.name,
    )
