"""The X23 molecular crystals: lattice energies against DMC, sublimation enthalpies against
experiment (Della Pia, Zen, Alfè and Michaelides, Phys. Rev. Lett. 133, 046401 (2024)).

E_latt = E_crystal / N_mol − E_gas per molecule, N_mol counted from the structure (succinic
acid's cell holds 8 molecules although the paper's ``nmol`` says 2). ``fixed``: the DMC crystal
and gas geometries as published; ``positions``/``cell``: crystal relaxed with
:func:`molxtal.workflows.relax.relax`, and the gas molecule relaxed too.

ΔH_sub(T) = −E_latt + Δ_T&QN(T), Δ_T&QN = E_vib^gas(T) − E_vib^solid(T) + H_trans+rot+pV(T):
the model's harmonic phonons of the relaxed crystal (``molxtal phonons``' default ``auto``
displacements on a supercell at least ``min_length`` Å wide), the gas molecule's normal modes,
and ASE's ``IdealGasThermo`` for translations, rotations and pV (7/2 kT linear, 4 kT non-linear; the
symmetry number, from the point group, enters the entropy only). T: that of the experimental
data. Every energy is per molecule, in kJ/mol unless a name says otherwise. Each (system,
model) record is cached under ``cache_dir`` and phonon force sets are checkpointed there, so
an interrupted run resumes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np
from ase import Atoms
from ase.units import kB

from molxtal import io
from molxtal.data import x23 as ref
from molxtal.errors import MolxtalError
from molxtal.keys import cache_key
from molxtal.models import Model
from molxtal.results import Result, Table, number
from molxtal.units import KJMOL_PER_EV
from molxtal.workflows import force_constants as ph
from molxtal.workflows.lattice_energy import gas_energy, single_kind_molecules
from molxtal.workflows.relax import relax
from molxtal.workflows.sublimation import gas_modes, ideal_gas_rt_factor, solid_modes
from molxtal.workflows.vibrations import vibrations

RELAX_MODES = ("fixed", "positions", "cell")
#: Force threshold (eV/Å) of crystal and gas relaxations; most BFGS steps.
FMAX = 1e-3
MAX_STEPS = 2000
#: Smallest perpendicular width (Å) of the phonon supercell.
MIN_LENGTH = 10.0
#: q-mesh of the phonon sums: n_i = ceil(MESH_LENGTH / width_i of the cell) (Å).
MESH_LENGTH = 30.0
OK = "ok"

logger = logging.getLogger("molxtal")


# --------------------------------------------------------------------------- records


@dataclass
class SystemEnergy:
    """Lattice energy of one X23 crystal with one model (kJ/mol per molecule).

    ``status`` is ``ok``, ``relaxation not converged``, or why there is no lattice energy
    (:class:`NoLatticeEnergy`: molecules not identified, or changed in the relaxation).
    """

    system: str
    name: str
    status: str
    geometry: str
    n_molecules: int | None
    formula: str | None
    crystal_energy_eV: float | None
    gas_energy_eV: float | None
    lattice_energy_kJ_per_mol: float | None
    dmc_kJ_per_mol: float
    dmc_error_kJ_per_mol: float
    relaxations: list[dict]
    wall_time_s: float

    @property
    def error_kJ_per_mol(self) -> float | None:
        """E_latt − E_latt(DMC) (kJ/mol)."""
        if self.lattice_energy_kJ_per_mol is None:
            return None
        return self.lattice_energy_kJ_per_mol - self.dmc_kJ_per_mol

    def to_dict(self) -> dict:
        return {**asdict(self), "error_kJ_per_mol": self.error_kJ_per_mol}


@dataclass
class SystemSublimation:
    """ΔH_sub at the experimental temperature and its parts (kJ/mol per molecule).

    ``n_imaginary_solid``: q-mesh-weighted count of phonon modes with imaginary frequency (the
    three acoustic modes at Γ excluded), out of ``n_modes_solid``; they are left out of the sums.
    ``paper_*``: the paper's ΔH_sub = −E_latt(DMC) + its vibrational contribution.
    """

    system: str
    status: str
    temperature_K: float
    lattice_energy_kJ_per_mol: float | None = None
    zpe_gas_kJ_per_mol: float | None = None
    thermal_gas_kJ_per_mol: float | None = None
    zpe_solid_kJ_per_mol: float | None = None
    thermal_solid_kJ_per_mol: float | None = None
    ideal_gas_kJ_per_mol: float | None = None
    delta_TQN_kJ_per_mol: float | None = None
    dH_sub_kJ_per_mol: float | None = None
    linear: bool | None = None
    symmetry_number: int | None = None
    n_imaginary_gas: int | None = None
    n_imaginary_solid: float | None = None
    n_modes_solid: float | None = None
    supercell: list[int] | None = None
    n_atoms_supercell: int | None = None
    n_displacements: int | None = None
    mesh: list[int] | None = None
    acoustic_gamma_max_cm1: float | None = None
    experiment_min_kJ_per_mol: float | None = None
    experiment_max_kJ_per_mol: float | None = None
    n_experiments: int | None = None
    paper_delta_TQN_kJ_per_mol: float | None = None
    paper_dH_sub_kJ_per_mol: float | None = None
    paper_uncertainty_kJ_per_mol: float | None = None
    relaxations: list[dict] | None = None
    wall_time_s: float | None = None

    def to_dict(self) -> dict:
        record = asdict(self)
        record["acoustic_gamma_max_cm-1"] = record.pop("acoustic_gamma_max_cm1")
        return record


def _from_dict(cls, record: dict):
    record = dict(record)
    if "acoustic_gamma_max_cm-1" in record:
        record["acoustic_gamma_max_cm1"] = record.pop("acoustic_gamma_max_cm-1")
    return cls(**{f.name: record[f.name] for f in fields(cls)})


# --------------------------------------------------------------------------- building blocks


def symmetry_number(molecule: Atoms) -> int:
    """Rotational symmetry number of ``molecule`` from its point group (pymatgen)."""
    from pymatgen.core import Molecule
    from pymatgen.symmetry.analyzer import PointGroupAnalyzer

    structure = Molecule(molecule.get_chemical_symbols(), molecule.positions)
    return int(PointGroupAnalyzer(structure).get_rotational_symmetry_number())


def q_mesh(atoms: Atoms, length: float = MESH_LENGTH) -> list[int]:
    """Γ-centred q-mesh with n_i = ceil(``length`` / width_i) (widths in Å)."""
    return np.diag(ph.min_length_supercell(atoms, length)).tolist()


#: How ΔH_sub's force constants are obtained (part of its cache key).
DISPLACEMENTS = "auto"


def _key(kind: str, system: str, model: Model, parameters: dict) -> str:
    """:func:`molxtal.keys.cache_key` of one record: kind, input structures, model identity
    (with calculator parameters and package versions) and settings."""
    structures = [ref.crystal(system), ref.molecule(system)]
    return cache_key(f"x23-{kind}", model, structures, system=system, **parameters)


def _cached(cache_dir: Path | None, kind: str, key: str, compute: Callable[[], dict]) -> dict:
    """The stored record ``cache_dir/kind/key.json``, or ``compute()`` stored there (under
    the folder's lock: two runs sharing the cache compute it once)."""
    if cache_dir is None:
        return compute()
    with io.folder_lock(Path(cache_dir) / kind) as folder:
        path = folder / f"{key}.json"
        if path.is_file():
            return io.read_json(path)
        record = compute()
        io.write_json(path, record)
        return record


class NoLatticeEnergy(MolxtalError):
    """Why a crystal has no lattice energy (its status): molecules not identified or changed."""


@dataclass
class _Pair:
    """Crystal and gas molecule ready for energies (relaxed or as given)."""

    crystal: Atoms
    gas: Atoms
    n_molecules: int
    formula: str
    crystal_energy_eV: float
    gas_energy_eV: float
    relaxations: list[dict]


def _pair(system: str, model: Model, geometry: str, fmax: float, steps: int) -> _Pair:
    """Identify the molecules, then evaluate (``fixed``) or relax crystal and gas molecule."""
    crystal, gas = ref.crystal(system), ref.molecule(system)
    try:
        molecules = single_kind_molecules(crystal, system)
    except MolxtalError as exc:
        raise NoLatticeEnergy(f"molecules not identified: {exc}") from exc
    formula = molecules.formulas[0]
    if gas.get_chemical_formula(mode="hill") != formula:
        raise NoLatticeEnergy(
            f"molecules not identified: gas molecule is {gas.get_chemical_formula()}, "
            f"crystal has {formula}"
        )
    if geometry == "fixed":
        energy = model.energies([crystal])[0]
        return _Pair(crystal, gas, molecules.count, formula, energy, gas_energy(gas, model), [])
    solid = relax(crystal, model, fmax, steps, mode=geometry, what=f"{system} crystal")
    molecule = relax(gas, model, fmax, steps, what=f"{system} gas molecule")
    try:
        after = single_kind_molecules(solid.atoms, f"{system} (relaxed)").count
    except MolxtalError as exc:
        raise NoLatticeEnergy(f"molecules changed in the relaxation: {exc}") from exc
    if after != molecules.count:
        raise NoLatticeEnergy(
            f"molecules changed in the relaxation: {after} instead of {molecules.count}"
        )
    relaxations = [solid.to_dict(), molecule.to_dict()]
    return _Pair(
        solid.atoms, molecule.atoms, molecules.count, formula, solid.energy_eV,
        molecule.energy_eV, relaxations,
    )  # fmt: skip


class Pairs:
    """Crystal/gas pairs of one model, each system and geometry prepared once (relaxing is the
    cost, and the lattice energy and ΔH_sub of a system start from the same relaxed pair)."""

    def __init__(self, model: Model, fmax: float = FMAX, steps: int = MAX_STEPS):
        self.model, self.fmax, self.steps = model, fmax, steps
        self._prepared: dict[tuple[str, str], _Pair | NoLatticeEnergy] = {}

    @classmethod
    def of(cls, model: Model, fmax: float, steps: int, shared: Pairs | None) -> Pairs:
        """``shared`` when given (it must relax as asked), else new pairs of ``model``."""
        if shared is None:
            return cls(model, fmax, steps)
        if shared.model is not model or (shared.fmax, shared.steps) != (fmax, steps):
            raise MolxtalError("x23: shared pairs relax another model, fmax or step count")
        return shared

    def __call__(self, system: str, geometry: str) -> _Pair:
        key = (system, geometry)
        if key not in self._prepared:
            try:
                self._prepared[key] = _pair(system, self.model, geometry, self.fmax, self.steps)
            except NoLatticeEnergy as exc:
                self._prepared[key] = exc
        prepared = self._prepared[key]
        if isinstance(prepared, NoLatticeEnergy):
            raise prepared
        return prepared


def _lattice_kJ_per_mol(pair: _Pair) -> float:
    return (pair.crystal_energy_eV / pair.n_molecules - pair.gas_energy_eV) * KJMOL_PER_EV


def system_energy(
    system: str,
    model: Model,
    geometry: str = "fixed",
    fmax: float = FMAX,
    steps: int = MAX_STEPS,
    pairs: Pairs | None = None,
) -> SystemEnergy:
    """Lattice energy of one X23 crystal; a crystal whose molecules cannot be identified, or
    whose relaxation breaks molecules, gets a status instead of a number. ``pairs``: prepared
    pairs of ``model`` to share with :func:`system_sublimation` (same ``fmax`` and ``steps``)."""
    start = time.perf_counter()
    reference = ref.references()[system]
    record = dict(
        system=system, name=ref.NAMES[system], geometry=geometry,
        dmc_kJ_per_mol=reference.dmc_kJ_per_mol,
        dmc_error_kJ_per_mol=reference.dmc_error_kJ_per_mol,
    )  # fmt: skip
    try:
        pair = Pairs.of(model, fmax, steps, pairs)(system, geometry)
    except NoLatticeEnergy as exc:
        return SystemEnergy(
            **record, status=str(exc), n_molecules=None, formula=None,
            crystal_energy_eV=None, gas_energy_eV=None, lattice_energy_kJ_per_mol=None,
            relaxations=[], wall_time_s=time.perf_counter() - start,
        )  # fmt: skip
    converged = all(r["converged"] for r in pair.relaxations)
    return SystemEnergy(
        **record, status=OK if converged else "relaxation not converged",
        n_molecules=pair.n_molecules, formula=pair.formula,
        crystal_energy_eV=pair.crystal_energy_eV, gas_energy_eV=pair.gas_energy_eV,
        lattice_energy_kJ_per_mol=_lattice_kJ_per_mol(pair), relaxations=pair.relaxations,
        wall_time_s=time.perf_counter() - start,
    )  # fmt: skip


def system_sublimation(
    system: str,
    model: Model,
    geometry: str = "positions",
    min_length: float = MIN_LENGTH,
    fmax: float = FMAX,
    steps: int = MAX_STEPS,
    checkpoint_root: Path | None = None,
    pairs: Pairs | None = None,
) -> SystemSublimation:
    """ΔH_sub of one X23 crystal at the temperature of its experimental data (``pairs``: see
    :func:`system_energy`)."""
    start = time.perf_counter()
    t = ref.temperature(system)
    reference = ref.references()[system]
    published = dict(
        experiment_min_kJ_per_mol=min(reference.experiment_kJ_per_mol),
        experiment_max_kJ_per_mol=max(reference.experiment_kJ_per_mol),
        n_experiments=len(reference.experiment_kJ_per_mol),
        paper_delta_TQN_kJ_per_mol=reference.vibrational_kJ_per_mol,
        paper_dH_sub_kJ_per_mol=-reference.dmc_kJ_per_mol + reference.vibrational_kJ_per_mol,
        paper_uncertainty_kJ_per_mol=reference.vibrational_uncertainty_kJ_per_mol,
    )  # fmt: skip
    try:
        pair = Pairs.of(model, fmax, steps, pairs)(system, geometry)
    except NoLatticeEnergy as exc:
        return SystemSublimation(system, str(exc), t, **published)
    vibration = vibrations(pair.gas, model)
    symmetry = symmetry_number(pair.gas)
    settings = ph.DisplacementSettings(
        ph.min_length_supercell(pair.crystal, min_length), method=DISPLACEMENTS
    )
    run = ph.run_force_constants(pair.crystal, model, settings, checkpoint_root)
    mesh = q_mesh(pair.crystal)
    solid, gas = solid_modes(run.phonon, mesh, pair.n_molecules), gas_modes(vibration)
    k = KJMOL_PER_EV
    zpe_gas, zpe_solid = gas.zpe_eV * k, solid.zpe_eV * k
    thermal_gas = float(gas.thermal_energy([t])[0]) * k
    thermal_solid = float(solid.thermal_energy([t])[0]) * k
    ideal = ideal_gas_rt_factor(vibration.linear) * kB * t * k
    delta = zpe_gas + thermal_gas - zpe_solid - thermal_solid + ideal
    e_latt = _lattice_kJ_per_mol(pair)
    converged = all(r["converged"] for r in pair.relaxations)
    n_modes = float(np.asarray(run.phonon.mesh.weights).sum()) * 3 * len(pair.crystal) - 3
    return SystemSublimation(
        system, OK if converged else "relaxation not converged", t, e_latt, zpe_gas,
        thermal_gas, zpe_solid, thermal_solid, ideal, delta, -e_latt + delta, vibration.linear,
        symmetry, vibration.n_imaginary, solid.n_dropped, n_modes,
        np.diag(settings.supercell).tolist(), run.n_atoms_supercell, run.n_displacements, mesh,
        run.force_constants.acoustic_max_cm1, **published, relaxations=pair.relaxations,
        wall_time_s=time.perf_counter() - start,
    )  # fmt: skip


# --------------------------------------------------------------------------- result


def statistics(records: Sequence[SystemEnergy]) -> dict:
    """MAE, mean signed error and largest error (kJ/mol) over the systems with a number."""
    errors = {r.system: r.error_kJ_per_mol for r in records if r.error_kJ_per_mol is not None}
    if not errors:
        return {"n_systems": 0}
    values = np.array(list(errors.values()))
    worst = max(errors, key=lambda s: abs(errors[s]))
    return {
        "n_systems": len(values),
        "mae_kJ_per_mol": float(np.abs(values).mean()),
        "mean_signed_error_kJ_per_mol": float(values.mean()),
        "max_abs_error_kJ_per_mol": float(abs(errors[worst])),
        "max_error_system": worst,
    }


def _timeless(record: SystemEnergy | SystemSublimation) -> dict:
    """The record's numbers without its wall time (which only the CSV and summary show)."""
    return {k: v for k, v in record.to_dict().items() if k != "wall_time_s"}


@dataclass
class X23Result(Result):
    """Lattice energies (and, if computed, sublimation enthalpies) of X23 per model.

    ``results.json`` holds no wall times, so the same calculation always writes the same file;
    the time of each crystal is in the summary and the CSV tables.
    """

    geometry: str
    settings: dict
    lattice: dict[str, list[SystemEnergy]]
    sublimation: dict[str, list[SystemSublimation]]

    def to_dict(self) -> dict:
        return {
            "geometry": self.geometry,
            "settings": self.settings,
            "reference": ref.CITATION,
            "models": {
                name: {
                    "lattice_energies": [_timeless(r) for r in records],
                    "statistics": statistics(records),
                    "sublimation": [_timeless(s) for s in self.sublimation.get(name, [])],
                }
                for name, records in self.lattice.items()
            },
        }

    def summary(self) -> list[Table]:
        tables = []
        for name, records in self.lattice.items():
            rows = [
                [r.system, r.n_molecules or "-", number(r.lattice_energy_kJ_per_mol, ".2f"),
                 f"{r.dmc_kJ_per_mol:.2f} ± {r.dmc_error_kJ_per_mol:.2f}",
                 number(r.error_kJ_per_mol, ".2f"), f"{r.wall_time_s:.1f}", r.status]
                for r in records
            ]  # fmt: skip
            s = {k: number(v, ".2f") if k.endswith("_kJ_per_mol") else v
                 for k, v in statistics(records).items()}  # fmt: skip
            notes = [
                f"MAE {s.get('mae_kJ_per_mol', '-')}, mean signed error "
                f"{s.get('mean_signed_error_kJ_per_mol', '-')}, max |error| "
                f"{s.get('max_abs_error_kJ_per_mol', '-')} kJ/mol ({s.get('max_error_system')}) "
                f"over {s['n_systems']} systems; DMC: {ref.CITATION}",
                *(f"{r.system}: {r.status}" for r in records if r.status != OK),
            ]
            columns = ["system", "N_mol", "E_latt (kJ/mol)", "DMC (kJ/mol)", "error (kJ/mol)",
                       "time (s)", "status"]  # fmt: skip
            title = f"X23 lattice energies, {name} ({self.geometry} geometries)"
            tables.append(Table(title, columns, rows, notes))
        for name, records in self.sublimation.items():
            rows = [
                [s.system, f"{s.temperature_K:g}", number(s.lattice_energy_kJ_per_mol, ".2f"),
                 number(s.delta_TQN_kJ_per_mol, ".2f"),
                 number(s.paper_delta_TQN_kJ_per_mol, ".2f"),
                 number(s.dH_sub_kJ_per_mol, ".2f"),
                 f"{s.experiment_min_kJ_per_mol:.1f}–{s.experiment_max_kJ_per_mol:.1f}",
                 f"{s.n_imaginary_gas} / {number(s.n_imaginary_solid, '.0f')} of "
                 f"{number(s.n_modes_solid, '.0f')}",
                 number(s.wall_time_s, ".0f"), s.status]
                for s in records
            ]  # fmt: skip
            columns = ["system", "T (K)", "E_latt", "Δ_T&QN", "Δ_T&QN paper", "ΔH_sub",
                       "experiment", "imaginary gas / solid", "time (s)", "status"]  # fmt: skip
            notes = [f"{s.system}: {s.status}" for s in records if s.status != OK]
            title = f"X23 sublimation enthalpies (kJ/mol per molecule), {name}"
            tables.append(Table(title, columns, rows, notes))
        return tables

    def csv_tables(self) -> dict[str, list[dict]]:
        tables = {
            "x23_lattice_energies.csv": [
                {"model": name, **{k: v for k, v in r.to_dict().items() if k != "relaxations"}}
                for name, records in self.lattice.items()
                for r in records
            ]
        }
        if self.sublimation:
            tables["x23_sublimation.csv"] = [
                {"model": name, **{k: v for k, v in s.to_dict().items() if k != "relaxations"}}
                for name, records in self.sublimation.items()
                for s in records
            ]
        return tables

    def figures(self) -> dict:
        from molxtal.plotting.x23 import parity_figure, sublimation_figure

        figures = {"x23_parity.png": lambda: parity_figure(self.to_dict()["models"])}
        if self.sublimation:
            figures["x23_sublimation.png"] = lambda: sublimation_figure(self.to_dict()["models"])
        return figures


def x23_benchmark(
    models: Sequence[Model],
    systems: Sequence[str] = ref.SYSTEMS,
    geometry: str = "fixed",
    sublimation: bool = False,
    min_length: float = MIN_LENGTH,
    fmax: float = FMAX,
    steps: int = MAX_STEPS,
    cache_dir: str | Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> X23Result:
    """X23 lattice energies of ``systems`` with every model (``geometry``: fixed, positions or
    cell), and with ``sublimation`` ΔH_sub at the crystal relaxed as ``geometry`` (positions
    when ``fixed``). ``progress(1)`` after each crystal and model."""
    if geometry not in RELAX_MODES:
        raise MolxtalError(f"unknown relaxation '{geometry}'; choose {', '.join(RELAX_MODES)}")
    cache = Path(cache_dir) if cache_dir is not None else None
    relaxed = "positions" if geometry == "fixed" else geometry
    lattice: dict[str, list[SystemEnergy]] = {}
    sublimations: dict[str, list[SystemSublimation]] = {}
    for model in models:
        pairs = Pairs(model, fmax, steps)
        for system in systems:
            parameters = {"geometry": geometry, "fmax": fmax, "steps": steps}
            key = _key("lattice", system, model, parameters)
            record = _cached(
                cache, "lattice", key,
                lambda s=system, m=model, p=pairs: system_energy(
                    s, m, geometry, fmax, steps, p
                ).to_dict(),
            )  # fmt: skip
            lattice.setdefault(model.name, []).append(_from_dict(SystemEnergy, record))
            logger.info("X23 %s %s: E_latt %s kJ/mol (%.1f s)", model.name, system,
                        record["lattice_energy_kJ_per_mol"], record["wall_time_s"])  # fmt: skip
            if progress is not None:
                progress(1)
            if not sublimation:
                continue
            parameters = {"geometry": relaxed, "fmax": fmax, "steps": steps,
                          "min_length": min_length, "mesh_length": MESH_LENGTH,
                          "displacements": DISPLACEMENTS}  # fmt: skip
            key = _key("sublimation", system, model, parameters)
            record = _cached(
                cache, "sublimation", key,
                lambda s=system, m=model, p=pairs: system_sublimation(
                    s, m, relaxed, min_length, fmax, steps,
                    cache / "forces" if cache is not None else None, p,
                ).to_dict(),
            )  # fmt: skip
            sublimations.setdefault(model.name, []).append(_from_dict(SystemSublimation, record))
            logger.info("X23 %s %s: ΔH_sub %s kJ/mol at %s K (%.0f s)", model.name, system,
                        record["dH_sub_kJ_per_mol"], record["temperature_K"],
                        record["wall_time_s"] or 0.0)  # fmt: skip
            if progress is not None:
                progress(1)
    settings = {
        "systems": list(systems),
        "fmax_eV_per_angstrom": fmax,
        "max_steps": steps,
        "sublimation": sublimation,
        "sublimation_geometry": relaxed if sublimation else None,
        "min_length_angstrom": min_length,
        "mesh_length_angstrom": MESH_LENGTH,
    }
    return X23Result(geometry, settings, lattice, sublimations)
