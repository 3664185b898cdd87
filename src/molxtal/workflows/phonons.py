"""Harmonic phonons of a crystal: bands, DOS, thermal properties, isotopes, supercell scans.

:func:`phonons` is the workflow of ``molxtal phonons`` and of the study's ice Ih step: force
constants (:mod:`molxtal.workflows.force_constants`), then per set of masses the band structure,
the DOS and the thermal properties, and optionally the same for a series of n×n×n supercells.
Units: frequencies in THz unless a name says otherwise; energies per mole of molecules
(``_kJ_per_mol``, ``_J_per_K_mol``) unless a name says ``cell``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from ase import Atoms
from phonopy import Phonopy

from molxtal import validate
from molxtal.errors import MolxtalError
from molxtal.io import atomic_path
from molxtal.models import Model
from molxtal.progress import ProgressBar
from molxtal.results import Result, ResultDir, Table, number, status
from molxtal.structures import find_molecules
from molxtal.workflows.force_constants import (
    FREQUENCY_UNITS,
    HOLDOUT_ACCURATE,
    HOLDOUT_TOLERANCE,
    DisplacementSettings,
    ForceConstantResult,
    PhononRun,
    acoustic_indices,
    optical_mask,
    run_force_constants,
    supercell_matrix,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from molxtal.data.heat_capacity import HeatCapacity

#: Isotope shorthands: element -> mass (amu). D: 2.01410178 amu (CODATA/NIST).
ISOTOPES = {"D2O": {"H": 2.01410178}, "H2O": {}}
#: Temperature (K) of the free energy and heat capacity in the supercell-scan table.
SCAN_TEMPERATURE_K = 300.0


def columns_to_rows(columns: dict[str, Sequence]) -> list[dict[str, Any]]:
    """Columns of equal length -> one dict per row (a CSV table)."""
    return [dict(zip(columns, v, strict=True)) for v in zip(*columns.values(), strict=True)]


# --------------------------------------------------------------------------- isotopes


def isotope_masses(masses: Sequence[str] = (), isotope: str | None = None) -> dict[str, float]:
    """Element masses (amu) from an ``isotope`` shorthand (:data:`ISOTOPES`) and ``masses``
    items ``ELEMENT=amu``; the items win."""
    if isotope is not None and isotope not in ISOTOPES:
        raise MolxtalError(f"unknown --isotope '{isotope}'; choose one of {', '.join(ISOTOPES)}")
    result = dict(ISOTOPES[isotope]) if isotope else {}
    for item in masses:
        element, _, value = item.partition("=")
        try:
            result[element.strip()] = float(value)
        except ValueError:
            raise MolxtalError(f"--mass '{item}' is not ELEMENT=MASS (amu)") from None
    return validate.masses("--mass", result)


def with_masses(phonon: Phonopy, masses: dict[str, float]) -> Phonopy:
    """A copy of ``phonon`` with element masses (amu) replaced; force constants are reused."""
    unknown = set(masses) - set(phonon.primitive.symbols)
    if unknown:
        raise MolxtalError(f"--mass names element(s) {sorted(unknown)} not in the crystal")
    copy = phonon.copy()
    copy.force_constants = phonon.force_constants
    symbols = copy.primitive.symbols
    copy.masses = [masses.get(s, m) for s, m in zip(symbols, copy.masses, strict=True)]
    return copy


def mass_variants(
    phonon: Phonopy, masses: dict[str, float], isotope: str | None = None
) -> dict[str, Phonopy]:
    """The phonons with natural masses and, if ``masses`` are given, with those: named
    ``natural`` (``H2O`` beside ``D2O``) and ``isotope`` (or ``isotopes``)."""
    variants = {"H2O" if masses and isotope == "D2O" else "natural": phonon}
    if masses:
        variants[isotope or "isotopes"] = with_masses(phonon, masses)
    return variants


# --------------------------------------------------------------------------- bands, DOS, thermal
def lattice_path_points(cell: np.ndarray) -> dict[str, np.ndarray]:
    """High-symmetry labels of the Bravais lattice of ``cell`` (seekpath), in ``cell``'s basis.

    The labels come from the lattice alone (one atom per cell), so a proton-disordered cell
    with hexagonal metric still has Γ, A, K, H, M and L. Seekpath's coordinates refer to its
    standardised primitive cell; they are mapped to the reciprocal basis of ``cell``.
    """
    import seekpath

    cell = np.array(cell)
    path = seekpath.get_path((cell, [[0.0, 0.0, 0.0]], [1]), symprec=1e-3)
    standard = np.array(path["primitive_lattice"]) @ np.array(path["rotation_matrix"])
    transform = cell @ np.linalg.inv(standard)
    if not np.allclose(transform, np.round(transform), atol=1e-3):
        raise MolxtalError("cannot map seekpath's high-symmetry points onto this cell")
    transform = np.round(transform)
    return {k: transform @ np.array(v) for k, v in path["point_coords"].items()}


def parse_path(spec: str, cell: np.ndarray) -> tuple[list[list[np.ndarray]], list[list[str]]]:
    """``GAMMA-A-K|H-M`` -> segments of q-point pairs (fractional) and their labels."""
    points = lattice_path_points(cell)
    segments, labels = [], []
    for branch in spec.split("|"):
        names = [n.strip() for n in branch.split("-")]
        missing = [n for n in names if n not in points]
        if missing or len(names) < 2:
            raise MolxtalError(
                f"path '{spec}': unknown point(s) {missing or names}; this lattice has "
                f"{', '.join(sorted(points))}"
            )
        for a, b in zip(names[:-1], names[1:], strict=True):
            segments.append([points[a], points[b]])
            labels.append([a, b])
    return segments, labels


@dataclass
class Bands:
    """Band structure: per segment distances (1/Å), frequencies (THz), end labels."""

    distances: list[np.ndarray]
    frequencies_THz: list[np.ndarray]
    qpoints: list[np.ndarray]
    labels: list[list[str]]
    connections: list[bool]


def run_bands(phonon: Phonopy, path: str = "auto", npoints: int = 101) -> Bands:
    """Frequencies along ``path`` (``auto``: seekpath via phonopy) with ``npoints`` per segment."""
    from phonopy.phonon.band_structure import get_band_qpoints, get_band_qpoints_by_seekpath

    if path == "auto":
        qpoints, flat_labels, connections = get_band_qpoints_by_seekpath(phonon.primitive, npoints)
        labels, k = [], 0
        for connected in connections:
            labels.append([flat_labels[k], flat_labels[k + 1]])
            k += 1 if connected else 2
    else:
        segments, labels = parse_path(path, phonon.primitive.cell)
        qpoints = get_band_qpoints(segments, npoints)
        connections = [
            i + 1 < len(labels) and labels[i][1] == labels[i + 1][0] for i in range(len(labels))
        ]
    flat, previous_connected = [], False
    for (a, b), connected in zip(labels, connections, strict=True):
        flat += [b] if previous_connected else [a, b]
        previous_connected = connected
    phonon.run_band_structure(qpoints, path_connections=connections, labels=flat)
    band = phonon.band_structure
    return Bands(
        [np.array(d) for d in band.distances],
        [np.array(f) for f in band.frequencies],
        [np.array(q) for q in band.qpoints],
        labels,
        list(connections),
    )


def write_phonopy_file(phonon: Phonopy, path: str | os.PathLike, writer: str, **kwargs) -> Path:
    """Run a phonopy ``write_*`` (or ``save``) method, with ``kwargs``, into ``path`` atomically."""
    path = Path(path)
    with atomic_path(path) as tmp:
        getattr(phonon, writer)(filename=str(tmp), **kwargs)
    return path


@dataclass
class Dos:
    """Total and per-element DOS (states/THz per cell) on a frequency grid (THz)."""

    frequencies_THz: np.ndarray
    total: np.ndarray
    per_element: dict[str, np.ndarray]
    mesh: list[int]
    sigma_THz: float | None


def run_dos(phonon: Phonopy, mesh: Sequence[int], sigma_THz: float | None = None) -> Dos:
    """Total and per-element DOS on a Γ-centred ``mesh``: Gaussian ``sigma_THz`` or tetrahedra."""
    phonon.run_mesh(mesh, with_eigenvectors=True, is_mesh_symmetry=False, is_gamma_center=True)
    phonon.run_total_dos(sigma=sigma_THz, use_tetrahedron_method=sigma_THz is None)
    phonon.run_projected_dos(sigma=sigma_THz, use_tetrahedron_method=sigma_THz is None)
    total = phonon.get_total_dos_dict()
    projected = phonon.get_projected_dos_dict()["projected_dos"]
    symbols = np.array(phonon.primitive.symbols)
    per_element = {s: projected[symbols == s].sum(axis=0) for s in dict.fromkeys(symbols)}
    return Dos(total["frequency_points"], total["total_dos"], per_element, list(mesh), sigma_THz)


@dataclass
class Thermal:
    """Harmonic thermodynamics of the cell (``*_cell_*``: per mole of cells) and per molecule.

    ``F`` quantum (thesis eq. 22) and ``F_classical`` (eq. 23).
    """

    temperatures_K: np.ndarray
    free_energy_cell_kJ_per_mol: np.ndarray
    free_energy_classical_cell_kJ_per_mol: np.ndarray
    entropy_cell_J_per_K_mol: np.ndarray
    heat_capacity_cell_J_per_K_mol: np.ndarray
    internal_energy_cell_kJ_per_mol: np.ndarray
    zpe_cell_kJ_per_mol: float
    molecules_per_cell: int
    lowest_mesh_cm1: float = float("nan")

    @property
    def zpe_kJ_per_mol(self) -> float:
        """Zero-point energy per mole of molecules (kJ/mol)."""
        return self.zpe_cell_kJ_per_mol / self.molecules_per_cell

    def per_molecule(self) -> dict[str, np.ndarray]:
        """The same quantities per mole of molecules, against T (K)."""
        n = self.molecules_per_cell
        return {
            "T_K": self.temperatures_K,
            "C_v_J_per_K_mol": self.heat_capacity_cell_J_per_K_mol / n,
            "F_kJ_per_mol": self.free_energy_cell_kJ_per_mol / n,
            "F_classical_kJ_per_mol": self.free_energy_classical_cell_kJ_per_mol / n,
            "S_J_per_K_mol": self.entropy_cell_J_per_K_mol / n,
            "U_kJ_per_mol": self.internal_energy_cell_kJ_per_mol / n,
        }

    def at(self, key: str, temperature_K: float) -> float | None:
        """``per_molecule()[key]`` at ``temperature_K``; None if it is not on the grid."""
        k = int(np.argmin(np.abs(self.temperatures_K - temperature_K)))
        if abs(self.temperatures_K[k] - temperature_K) > 1e-6:
            return None
        return float(self.per_molecule()[key][k])

    def rows(self) -> list[dict[str, float]]:
        """:meth:`per_molecule` as one dict per temperature (a CSV table)."""
        return columns_to_rows(self.per_molecule())


def run_thermal(
    phonon: Phonopy,
    mesh: Sequence[int],
    molecules_per_cell: int,
    t_min: float = 0.0,
    t_max: float = 300.0,
    t_step: float = 5.0,
) -> Thermal:
    """Quantum and classical harmonic C_v, F, S, U from phonopy on a Γ-centred ``mesh``, and
    the lowest frequency on it (cm⁻¹) without the acoustic modes at Γ (phonopy leaves
    imaginary modes out of the sums: a negative value says what was left out)."""
    phonon.run_mesh(mesh, is_gamma_center=True)
    frequencies = phonon.mesh.frequencies * FREQUENCY_UNITS["cm-1"]
    lowest = float(frequencies[optical_mask(phonon)].min())
    # Γ acoustic modes (zero up to round-off) are left out of the sums
    options = {"t_min": t_min, "t_max": t_max, "t_step": t_step, "exclude_gamma_acoustic": True}
    phonon.run_thermal_properties(**options)
    q = phonon.get_thermal_properties_dict()
    zpe = float(phonon.thermal_properties.zero_point_energy)
    phonon.run_thermal_properties(**options, classical=True)
    c = phonon.get_thermal_properties_dict()
    temperatures = q["temperatures"]
    internal = q["free_energy"] + temperatures * q["entropy"] / 1000.0
    return Thermal(
        temperatures,
        q["free_energy"],
        c["free_energy"],
        q["entropy"],
        q["heat_capacity"],
        internal,
        zpe,
        molecules_per_cell,
        lowest,
    )


#: Frequencies (cm⁻¹) below minus this, away from the acoustic modes at Γ, are imaginary modes
#: that make phonon numbers indicative (finite differences leave a few cm⁻¹ of noise).
IMAGINARY_TOLERANCE_CM1 = 10.0
def stability_reasons(
    supercell: np.ndarray, points_cm1: dict[str, list[float]], thermal: Thermal, mesh
) -> list[str]:
    """Why harmonic numbers are only indicative: a single-cell supercell (force constants
    beyond the cell missing), imaginary modes below −:data:`IMAGINARY_TOLERANCE_CM1` at the
    band path's points (``points_cm1``: label -> frequencies, cm⁻¹) other than the acoustic
    modes at Γ, or on the thermal ``mesh`` (left out of ZPE, F and C_v)."""
    reasons = []
    if abs(np.linalg.det(np.asarray(supercell))) < 1.5:
        reasons.append("supercell 1×1×1: force constants beyond the cell are missing")
    lowest = [min(f) for name, f in points_cm1.items() if name != "GAMMA" and f]
    gamma = np.asarray(points_cm1.get("GAMMA", []), dtype=float)
    optical_gamma = np.delete(gamma, acoustic_indices(gamma))
    lowest += [optical_gamma.min()] if len(optical_gamma) else []
    if lowest and min(lowest) < -IMAGINARY_TOLERANCE_CM1:
        reasons.append(f"imaginary modes down to {min(lowest):.0f} cm⁻¹ away from acoustic Γ")
    if thermal.lowest_mesh_cm1 < -IMAGINARY_TOLERANCE_CM1:
        grid = "×".join(map(str, mesh))
        reasons.append(
            f"imaginary modes down to {thermal.lowest_mesh_cm1:.0f} cm⁻¹ on the {grid} mesh, "
            "left out of ZPE, F and C_v (a larger supercell or a tighter relaxation)"
        )
    return reasons


# --------------------------------------------------------------------------- analysis


@dataclass
class AnalysisSettings:
    """What is computed from force constants: the band ``path`` (``auto``: seekpath, or labels
    such as ``GAMMA-A-K``) with ``npoints`` per segment; the Γ-centred ``mesh`` of the DOS
    (Gaussian ``sigma_THz``, or tetrahedra when None) and of the thermal properties, from 0 to
    ``t_max_K`` every ``t_step_K`` (K); the frequency ``unit`` of figures and tables."""

    path: str = "auto"
    npoints: int = 101
    mesh: Sequence[int] = (8, 8, 8)
    sigma_THz: float | None = None
    t_max_K: float = 300.0
    t_step_K: float = 5.0
    unit: str = "cm-1"

    def __post_init__(self):
        validate.positive_integers("--mesh", self.mesh, 3)
        validate.positive_integers("--npoints", [self.npoints])
        validate.number("--t-max", self.t_max_K, 0.0, 1e4, "K")
        validate.number("--t-step", self.t_step_K, 0.0, 1e4, "K")
        if self.sigma_THz is not None:
            validate.number("--sigma", self.sigma_THz, 0.0, 100.0, "THz")
        if self.unit not in FREQUENCY_UNITS:
            raise MolxtalError(f"unknown --unit '{self.unit}'; choose {', '.join(FREQUENCY_UNITS)}")


@dataclass
class Analysis:
    """Bands, DOS and thermal properties of one set of force constants and masses."""

    bands: Bands
    dos: Dos
    thermal: Thermal
    timings_s: dict[str, float]


def analyse(phonon: Phonopy, molecules_per_cell: int, settings: AnalysisSettings) -> Analysis:
    """Band structure, DOS and thermal properties as ``settings`` say, each timed (s)."""
    timings = {}
    t0 = time.perf_counter()
    bands = run_bands(phonon, settings.path, settings.npoints)
    timings["bands"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    thermal = run_thermal(
        phonon, settings.mesh, molecules_per_cell, t_max=settings.t_max_K, t_step=settings.t_step_K
    )
    timings["thermal"] = time.perf_counter() - t0
    t0 = time.perf_counter()  # DOS last: phonopy's write_*_dos then use this mesh
    dos = run_dos(phonon, settings.mesh, settings.sigma_THz)
    timings["dos"] = time.perf_counter() - t0
    return Analysis(bands, dos, thermal, timings)


def frequencies_at_labels(bands: Bands, unit: str = "cm-1") -> dict[str, list[float]]:
    """Frequencies (``unit``) at each high-symmetry point of the path."""
    points = {}
    for (a, b), f in zip(bands.labels, bands.frequencies_THz, strict=True):
        points.setdefault(a, (f[0] * FREQUENCY_UNITS[unit]).tolist())
        points.setdefault(b, (f[-1] * FREQUENCY_UNITS[unit]).tolist())
    return points


def is_ice_ih(source: str) -> bool:
    """Water ice Ih by name: a file under an ``Ih`` folder, or named like ``ice_ih``/``ice Ih``."""
    text = source.lower().replace("-", "_").replace(" ", "_")
    return "/ih/" in f"/{text}" or "ice_ih" in text or "iceih" in text


def heat_capacity_references(source: str) -> list[HeatCapacity]:
    """Measured heat capacities to draw beside the harmonic C_v: ice Ih's (Holzapfel & Klotz
    2021, Flubacher 1960) when ``source`` names ice Ih (:func:`is_ice_ih`), else none."""
    if not is_ice_ih(source):
        return []
    from molxtal.data import heat_capacity

    return [heat_capacity.holzapfel_klotz_2021(), heat_capacity.flubacher_1960()]


# --------------------------------------------------------------------------- the workflow


@dataclass
class ScanPoint:
    """One n×n×n supercell of a supercell scan: force constants and analysis per masses."""

    size: int
    run: PhononRun
    analyses: dict[str, Analysis]

    @property
    def first_bands(self) -> Bands:
        """The band structure with natural masses."""
        return next(iter(self.analyses.values())).bands

    def row(self) -> dict[str, Any]:
        """Atoms, displacements, acoustic Γ (cm⁻¹), and per masses the ZPE and, at
        :data:`SCAN_TEMPERATURE_K`, F and C_v per mole of molecules (None off the T grid)."""
        t = SCAN_TEMPERATURE_K
        row = {
            "supercell": self.size,
            "n_atoms": self.run.n_atoms_supercell,
            "n_displacements": self.run.n_displacements,
            "acoustic_gamma_max_cm-1": self.run.force_constants.acoustic_max_cm1,
        }
        for name, a in self.analyses.items():
            row[f"zpe_{name}_kJ_per_mol"] = a.thermal.zpe_kJ_per_mol
            row[f"F_{t:g}K_{name}_kJ_per_mol"] = a.thermal.at("F_kJ_per_mol", t)
            row[f"C_v_{t:g}K_{name}_J_per_K_mol"] = a.thermal.at("C_v_J_per_K_mol", t)
        return row


@dataclass
class PhononResult(Result):
    """Harmonic phonons of one crystal: the force-constant run, and per set of masses
    (``variants``: natural first) the bands, DOS and thermal properties; optionally a
    supercell scan. Thermodynamics per mole of molecules."""

    source: str
    title: str
    n_atoms_cell: int
    molecules_per_cell: int
    run: PhononRun
    settings: AnalysisSettings
    variants: dict[str, Phonopy]
    analyses: dict[str, Analysis]
    scan: list[ScanPoint] = field(default_factory=list)
    timings_s: dict[str, float] = field(default_factory=dict)

    @property
    def first(self) -> Analysis:
        """The analysis with natural masses."""
        return next(iter(self.analyses.values()))

    def to_dict(self) -> dict[str, Any]:
        run, fc = self.run, self.run.force_constants
        thermal = {
            name: {k: v.tolist() for k, v in a.thermal.per_molecule().items()}
            for name, a in self.analyses.items()
        }
        zpe = {name: a.thermal.zpe_kJ_per_mol for name, a in self.analyses.items()}
        return {
            "structure": self.source,
            "n_atoms_cell": self.n_atoms_cell,
            "n_molecules_cell": self.molecules_per_cell,
            "n_atoms_supercell": run.n_atoms_supercell,
            "supercell_matrix": run.settings.supercell.tolist(),
            "n_displacements": run.n_displacements,
            "displacement_method": fc.method,
            "method_choice": fc.choice,
            "force_calls": run.force_calls,
            "forces_computed": run.force_sets.n_computed,
            "forces_from_checkpoint": run.force_sets.n_loaded,
            "force_call_s": run.force_sets.call_s,
            "fit_time_s": run.timings_s.get("force_constants"),
            "checkpoint": str(run.force_sets.checkpoint),
            "fc_calculator": fc.fc_calculator,
            "fc_cutoff_angstrom": fc.cutoff_angstrom,
            "supercells_fitted": fc.n_fitted,
            "holdout_force_error": fc.holdout_error,
            "fit_trusted": fc.trusted,
            "random_fit": random_fit_record(fc),
            "uncertainty": None if fc.fit is None else fc.fit.uncertainty(),
            "zpe_kJ_per_mol_status": status(fit_reasons(fc) + stability_reasons(
                run.settings.supercell, frequencies_at_labels(self.first.bands),
                self.first.thermal, self.settings.mesh,
            )),  # fmt: skip
            "mesh_lowest_frequency_cm-1": self.first.thermal.lowest_mesh_cm1,
            "acoustic_gamma_before_cm-1": fc.acoustic_before_cm1,
            "acoustic_gamma_after_cm-1": fc.acoustic_after_cm1,
            "acoustic_gamma_max_cm-1": fc.acoustic_max_cm1,
            "zpe_kJ_per_mol": zpe[next(iter(zpe))],
            "zpe_by_masses_kJ_per_mol": zpe,
            "thermal": thermal[next(iter(thermal))],
            "thermal_by_masses": thermal,
            "frequencies_at_points_cm-1": {
                name: frequencies_at_labels(a.bands) for name, a in self.analyses.items()
            },
            "relaxation": None if run.relaxation is None else run.relaxation.to_dict(),
            "timings_s": self.timings_s,
            "supercell_scan": [
                {**p.row(), "frequencies_at_points_cm-1": frequencies_at_labels(p.first_bands)}
                for p in self.scan
            ]
            or None,
        }

    def summary(self) -> list[Table]:
        run, fc = self.run, self.run.force_constants
        notes = [] if run.relaxation is None else [run.relaxation.line()]
        notes += fit_reasons(fc)
        rows = [
            ["atoms in supercell", run.n_atoms_supercell],
            ["displacements", _method_line(fc)],
            ["force calls", run.force_calls],
            ["computed now / from checkpoint", f"{run.force_sets.n_computed} / "
             f"{run.force_sets.n_loaded}"],
            ["acoustic at Γ before sum rule (cm⁻¹)", _join(fc.acoustic_before_cm1)],
            ["acoustic at Γ after sum rule (cm⁻¹)", _join(fc.acoustic_after_cm1)],
            ["supercells in the fit", fc.n_fitted if fc.n_fitted else run.n_displacements],
        ]  # fmt: skip
        if fc.holdout_error is not None:
            rows.append(
                ["held-out force error of the fit (relative RMS)", f"{fc.holdout_error:.2e}"]
            )
            uncertainty = fc.fit.uncertainty()
            if uncertainty["zpe_kJ_per_mol"] is not None:
                rows.append(
                    ["change over the last batch: ZPE / F(300 K) (kJ/mol)",
                     f"{uncertainty['zpe_kJ_per_mol']:.3f} / "
                     f"{uncertainty['F_300K_kJ_per_mol']:.3f}"]
                )  # fmt: skip
        t_max = self.first.thermal.temperatures_K[-1]
        thermo = [
            [name, f"{a.thermal.zpe_kJ_per_mol:.3f}", *(f"{a.thermal.per_molecule()[k][-1]:.3f}"
             for k in ("F_kJ_per_mol", "F_classical_kJ_per_mol", "C_v_J_per_K_mol"))]
            for name, a in self.analyses.items()
        ]  # fmt: skip
        tables = [
            Table("Force constants", ["quantity", "value"], rows, notes),
            Table(
                f"Harmonic thermodynamics per mole of molecules (T = {t_max:g} K)",
                ["masses", "ZPE (kJ/mol)", "F (kJ/mol)", "F classical (kJ/mol)", "C_v (J/(K mol))"],
                thermo,
            ),  # fmt: skip
        ]
        if self.scan:
            tables.append(self._scan_table())
        tables.append(
            Table(
                f"Timings ({run.n_atoms_supercell} atoms in supercell, "
                f"{run.n_displacements} displacements)",
                ["stage", "wall time (s)"],
                [[name, f"{s:.2f}"] for name, s in self.timings_s.items()],
            )
        )
        return tables

    def _scan_table(self) -> Table:
        t = SCAN_TEMPERATURE_K
        names = list(self.analyses)
        rows = []
        for p in self.scan:
            r = p.row()
            rows.append(
                [f"{p.size}×{p.size}×{p.size}", r["n_atoms"], r["n_displacements"],
                 f"{r['acoustic_gamma_max_cm-1']:.2f}",
                 *(" / ".join(number(r[key.format(n)]) for n in names) for key in (
                     "zpe_{}_kJ_per_mol", f"F_{t:g}K_{{}}_kJ_per_mol",
                     f"C_v_{t:g}K_{{}}_J_per_K_mol"))]
            )  # fmt: skip
        masses = " / ".join(names)
        return Table(
            "Supercell convergence (per mole of molecules)",
            ["supercell", "atoms", "displacements", "max |acoustic Γ| (cm⁻¹)",
             f"ZPE {masses} (kJ/mol)", f"F({t:g} K) {masses} (kJ/mol)",
             f"C_v({t:g} K) {masses} (J/(K mol))"],
            rows,
        )  # fmt: skip

    def csv_tables(self) -> dict[str, list[dict[str, Any]]]:
        tables = {f"thermal-{name}.csv": a.thermal.rows() for name, a in self.analyses.items()}
        tables["timings.csv"] = [{"stage": k, "wall_s": s} for k, s in self.timings_s.items()]
        if self.scan:
            tables["supercell_scan.csv"] = [p.row() for p in self.scan]
        return tables

    def write_files(self, folder: ResultDir) -> None:
        """phonopy's files: ``phonopy_params.yaml`` (force constants for an analytic Hessian
        or a random fit, else displacements and forces), and per masses ``band*.yaml``,
        ``total_dos*.dat``, ``projected_dos*.dat``; ``relaxed.extxyz`` after a relaxation."""
        fitted = self.run.force_constants.method in ("hessian", "random")
        write_phonopy_file(
            self.run.phonon, folder.file("phonopy_params.yaml"), "save",
            settings={"force_constants": fitted},
        )  # fmt: skip
        for k, (name, variant) in enumerate(self.variants.items()):
            suffix = "" if k == 0 else f"-{name}"
            write_phonopy_file(
                variant, folder.file(f"band{suffix}.yaml"), "write_yaml_band_structure"
            )
            write_phonopy_file(variant, folder.file(f"total_dos{suffix}.dat"), "write_total_dos")
            write_phonopy_file(
                variant, folder.file(f"projected_dos{suffix}.dat"), "write_projected_dos"
            )
        if self.run.relaxation is not None:
            folder.write_atoms("relaxed.extxyz", self.run.relaxation.atoms)

    def figures(self) -> dict[str, Callable[[], Figure]]:
        from molxtal.plotting import phonons as plots

        unit, title = self.settings.unit, self.title
        cv = {k: a.thermal.per_molecule()["C_v_J_per_K_mol"] for k, a in self.analyses.items()}
        figures = {
            "bands.png": lambda: plots.plot_bands(
                {k: a.bands for k, a in self.analyses.items()}, unit, title
            ),
            "dos.png": lambda: plots.plot_dos(
                {k: a.dos for k, a in self.analyses.items()}, unit, title
            ),
            "heat_capacity.png": lambda: plots.plot_heat_capacity(
                self.first.thermal.temperatures_K, cv, heat_capacity_references(self.source), title
            ),
        }
        if self.scan:
            scan = {f"{p.size}×{p.size}×{p.size}": p.first_bands for p in self.scan}
            figures["bands_supercell_scan.png"] = lambda: plots.plot_bands(scan, unit, title)
        return figures


def random_fit_record(fc: ForceConstantResult) -> dict[str, Any] | None:
    """The random fit's sidedness decision, basis and sizing rounds (None if not random)."""
    if fc.fit is None:
        return None
    fit = fc.fit
    return {
        "sidedness": fit.sidedness.to_dict(),
        "basis_size": fit.basis_size,
        "basis_s": fit.basis_s,
        "converged": fit.converged,
        "rounds": [vars(r) for r in fit.rounds],
    }


def fit_reasons(fc: ForceConstantResult) -> list[str]:
    """Why phonon numbers from ``fc`` are only indicative (empty when nothing is known)."""
    if fc.fit is None:
        return []
    reasons = []
    if not fc.trusted:
        reasons.append(
            f"the random-displacement fit predicts held-out forces with {fc.holdout_error:.1%} "
            f"error (> {HOLDOUT_TOLERANCE:.0%}): raise --fc-cutoff or use --displacements "
            "systematic"
        )
    elif fc.holdout_error > HOLDOUT_ACCURATE:
        reasons.append(
            f"the random fit within {fc.cutoff_angstrom:g} Å misses {fc.holdout_error:.1%} of "
            "held-out forces: force constants reach beyond the cutoff; ZPE and F to ~0.1 "
            "kJ/mol, C_v to a few %, bands to ~10 cm⁻¹ RMS (docs/performance.md); "
            "--displacements systematic for reference numbers"
        )
    if not fc.fit.converged:
        reasons.append(f"the random fit did not converge within {fc.fit.last.snapshots} snapshots")
    side = fc.fit.sidedness
    if not side.smooth:
        reasons.append(
            f"the model is not smooth below {side.amplitude:g} Å (linearity error "
            f"{side.linearity_error:.0%}): its phonons differ between displacement methods "
            "(spread in docs/performance.md)"
        )
    return reasons


def _method_line(fc: ForceConstantResult) -> str:
    if fc.fit is None:
        return fc.method + (" (chosen by cost)" if fc.choice else "")
    side = fc.fit.sidedness
    return (
        f"random, {side.mode} at {side.step:g} Å, cutoff {fc.cutoff_angstrom:g} Å, "
        f"{fc.n_fitted} snapshots" + (" (chosen by cost)" if fc.choice else "")
    )


def _join(values) -> str:
    return ", ".join(f"{x:.3f}" for x in values)


def phonons(
    atoms: Atoms,
    model: Model,
    settings: DisplacementSettings,
    analysis: AnalysisSettings | None = None,
    *,
    checkpoints: str | os.PathLike | None = None,
    relax: str | None = None,
    relax_fmax: float = 1e-3,
    fc_calculator: str | None = None,
    masses: dict[str, float] | None = None,
    isotope: str | None = None,
    scan_sizes: Sequence[int] = (),
    source: str = "crystal",
    title: str = "",
    progress: ProgressBar | None = None,
) -> PhononResult:
    """Harmonic phonons of ``atoms`` with ``model``.

    Optionally relaxed first (``relax``: ``positions`` or ``cell``, to ``relax_fmax`` eV/Å);
    force constants as ``settings`` say (force sets checkpointed under ``checkpoints``); then
    bands, DOS and thermal properties (``analysis``) with natural masses and, if given, with
    ``masses`` (amu per element; ``isotope`` names them). ``scan_sizes``: the same for each
    n×n×n supercell of the same (relaxed) crystal. ``source`` names the structure (ice Ih gets
    measured heat capacities in its figure); ``title`` heads the figures.
    """
    analysis = analysis or AnalysisSettings()
    model.check_elements(atoms, source)
    n_mol = find_molecules(atoms).count
    run = run_force_constants(
        atoms, model, settings, checkpoints, relax, relax_fmax, fc_calculator, progress
    )
    timings = dict(run.timings_s)
    variants = mass_variants(run.phonon, masses or {}, isotope)
    analyses = {}
    for name, variant in variants.items():
        analyses[name] = analyse(variant, n_mol, analysis)
        timings.update({f"{k}[{name}]": s for k, s in analyses[name].timings_s.items()})
    crystal = run.relaxation.atoms if run.relaxation is not None else atoms
    scan = []
    for n in scan_sizes:
        t0 = time.perf_counter()
        matrix = supercell_matrix([n, n, n])
        if np.array_equal(matrix, settings.supercell):
            scan.append(ScanPoint(n, run, analyses))
            continue
        point = run_force_constants(
            crystal, model, replace(settings, supercell=matrix), checkpoints,
            fc_calculator=fc_calculator, progress=progress,
        )  # fmt: skip
        point_variants = mass_variants(point.phonon, masses or {}, isotope)
        scan.append(
            ScanPoint(n, point, {k: analyse(v, n_mol, analysis) for k, v in point_variants.items()})
        )
        timings[f"scan_{n}x{n}x{n}"] = time.perf_counter() - t0
    return PhononResult(
        source, title, len(atoms), n_mol, run, analysis, variants, analyses, scan, timings
    )
