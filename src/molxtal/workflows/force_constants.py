"""Force constants by small displacements on supercells (phonopy), with resumable force sets.

Units: frequencies in THz unless a name says otherwise, displacements and lengths in Å, forces
in eV/Å, force constants in eV/Å². Every finished force set is written to a checkpoint folder
(one ``.npy`` per displaced supercell, written atomically), keyed by everything that decides
it, so a run that is killed and started again recomputes nothing that was finished.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from ase import Atoms
from phonopy import Phonopy
from phonopy.structure.atoms import PhonopyAtoms

from molxtal import validate
from molxtal.errors import MolxtalError
from molxtal.io import atomic_write, folder_lock, read_json, write_json
from molxtal.keys import cache_key
from molxtal.models import Model
from molxtal.progress import ProgressBar, no_progress
from molxtal.structures import find_molecules
from molxtal.units import INVCM_PER_EV, MEV_PER_EV, THZ_PER_EV
from molxtal.workflows import random_displacements as rd
from molxtal.workflows.relax import Relaxation, relax

#: Frequency unit conversions from THz.
FREQUENCY_UNITS = {
    "THz": 1.0,
    "cm-1": INVCM_PER_EV / THZ_PER_EV,
    "meV": MEV_PER_EV / THZ_PER_EV,
}
#: Ways to obtain force constants (see :class:`DisplacementSettings`).
METHODS = ("auto", "systematic", "random", "hessian")
#: Held-out force error (relative RMS) above which a random-displacement fit is not trusted.
HOLDOUT_TOLERANCE = 0.05
#: Held-out force error (relative RMS) above which a random fit's phonons are only indicative:
#: with SO3LR on ice Ih 3×3×3, 2 % left C_v(50 K) 2-8 % and bands 11-15 cm⁻¹ RMS off.
HOLDOUT_ACCURATE = 0.005
#: Held-out force error (relative RMS) above which ``auto`` drops a random fit for systematic
#: displacements: the force constants reach beyond the cutoff (docs/performance.md).
AUTO_HOLDOUT_LIMIT = 0.03
#: ``auto`` picks random displacements only when the cost model makes them at least this many
#: times cheaper than systematic ones: a random fit is less accurate (a held-out error, a
#: cutoff), its cost is an estimate, and a near tie (ice Ih 2×2×2: 216 supercells against ~90
#: calls plus the fit) would let the machine's load pick the method.
RANDOM_ADVANTAGE = 2.0
#: q-mesh of the ZPE and F(300 K) that size the random fit.
SIZING_MESH = (8, 8, 8)
#: Most optimiser steps of the optional pre-relaxation.
RELAX_STEPS = 2000


# --------------------------------------------------------------------------- set-up


def supercell_matrix(spec: Sequence[int] | Sequence[Sequence[int]]) -> np.ndarray:
    """A 3x3 integer supercell matrix from 3 diagonal entries or 9 entries (row-major)."""
    values = np.array(spec, dtype=int).reshape(-1)
    if values.size == 3:
        matrix = np.diag(validate.positive_integers("--supercell", values.tolist(), 3))
    elif values.size == 9:
        matrix = values.reshape(3, 3)
    else:
        raise MolxtalError(f"supercell needs 3 or 9 integers, got {values.size}")
    if round(np.linalg.det(matrix)) < 1:
        raise MolxtalError(f"supercell matrix {matrix.tolist()} is singular or left-handed")
    return matrix


def min_length_supercell(atoms: Atoms, min_length: float) -> np.ndarray:
    """Smallest diagonal supercell whose three perpendicular widths are all >= ``min_length`` Å."""
    volume = abs(np.linalg.det(atoms.cell))
    cell = np.array(atoms.cell)
    areas = [np.linalg.norm(np.cross(cell[(i + 1) % 3], cell[(i + 2) % 3])) for i in range(3)]
    widths = [volume / area for area in areas]
    return np.diag([max(1, int(np.ceil(min_length / w - 1e-9))) for w in widths])


def choose_supercell(
    atoms: Atoms,
    diagonal: Sequence[int] | None = None,
    matrix: Sequence[int] | None = None,
    min_length: float | None = None,
) -> np.ndarray:
    """The supercell matrix from one of: 3 ``diagonal`` entries, 9 ``matrix`` entries
    (row-major) or ``min_length`` (Å, see :func:`min_length_supercell`); 1×1×1 if none."""
    if sum(bool(x) for x in (diagonal, matrix, min_length)) > 1:
        raise MolxtalError("give one of --supercell, --supercell-matrix or --min-length")
    if min_length:
        validate.number("--min-length", min_length, 0.0, 1e3, "Å")
        return min_length_supercell(atoms, min_length)
    return supercell_matrix(matrix or diagonal or [1, 1, 1])


def to_phonopy_atoms(atoms: Atoms) -> PhonopyAtoms:
    return PhonopyAtoms(
        symbols=atoms.get_chemical_symbols(),
        cell=np.array(atoms.cell),
        scaled_positions=atoms.get_scaled_positions(),
        masses=atoms.get_masses(),
    )


def to_ase_atoms(cell: PhonopyAtoms) -> Atoms:
    return Atoms(
        symbols=cell.symbols,
        cell=cell.cell,
        scaled_positions=cell.scaled_positions,
        masses=cell.masses,
        pbc=True,
    )


@dataclass
class DisplacementSettings:
    """How the force constants are obtained.

    ``method``: ``auto`` (random where the measured cost model says it is at least
    :data:`RANDOM_ADVANTAGE` times cheaper for this supercell, else systematic;
    :func:`choose_method`), ``systematic`` (phonopy's
    symmetry-reduced single-atom displacements), ``random`` (all atoms displaced in random
    directions, fitted within ``fc_cutoff_angstrom`` by symfc, the snapshots grown until a
    held-out set converges; :mod:`molxtal.workflows.random_displacements`) or ``hessian`` (the
    model's analytic supercell Hessian; MACE). ``amplitude_angstrom``: 0.01 Å when None.
    ``plusminus``: ± pairs (``True``), one-sided (``False``) or ``None`` (systematic: ±;
    random: measured on a probe pair). ``snapshots``: a fixed number of random snapshots in
    the fit (None: sized by the held-out set); ``holdout`` more only test it.
    """

    supercell: np.ndarray
    amplitude_angstrom: float | None = None
    plusminus: bool | None = None
    method: str = "auto"
    snapshots: int | None = None
    seed: int = 0
    holdout: int = 1
    fc_cutoff_angstrom: float | None = None

    def __post_init__(self):
        if self.method not in METHODS:
            raise MolxtalError(
                f"unknown displacement method '{self.method}'; choose {', '.join(METHODS)}"
            )
        validate.number("--displacement", self.amplitude, 0.0, 0.1, "Å")
        validate.number("--fc-cutoff", self.cutoff, 0.0, 30.0, "Å")
        validate.positive_integers("--snapshots", [self.snapshots or 1])
        validate.number("--holdout", self.holdout, 0, 100, inclusive_low=True)

    @property
    def systematic_plusminus(self) -> bool:
        """± displacements for the systematic method (phonopy's default when not set)."""
        return True if self.plusminus is None else self.plusminus

    @property
    def amplitude(self) -> float:
        """Displacement amplitude (Å)."""
        return 0.01 if self.amplitude_angstrom is None else self.amplitude_angstrom

    @property
    def cutoff(self) -> float:
        """Second-order cutoff of the random fit (Å)."""
        return self.fc_cutoff_angstrom or rd.FC_CUTOFF

    def fit_settings(self) -> rd.FitSettings:
        """The random fit's settings; ``auto`` gives up early where it would fall back."""
        return rd.FitSettings(
            cutoff=self.cutoff, amplitude=self.amplitude, plusminus=self.plusminus,
            snapshots=self.snapshots, holdout=self.holdout, seed=self.seed,
            give_up_above=AUTO_HOLDOUT_LIMIT if self.method == "auto" else HOLDOUT_TOLERANCE,
        )  # fmt: skip


def make_phonopy(atoms: Atoms, settings: DisplacementSettings) -> Phonopy:
    """Phonopy object of ``atoms`` (as its own primitive cell); systematic displacements are
    generated for ``systematic`` and ``auto`` (the cost model counts them)."""
    phonon = Phonopy(
        to_phonopy_atoms(atoms), supercell_matrix=settings.supercell, primitive_matrix="P"
    )
    if settings.method in ("systematic", "auto"):
        phonon.generate_displacements(
            distance=settings.amplitude, is_plusminus=settings.systematic_plusminus
        )
    return phonon


# --------------------------------------------------------------------------- force sets


def checkpoint_folder(
    root: str | os.PathLike, atoms: Atoms, model: Model, settings: DisplacementSettings,
    method: str,
) -> Path:  # fmt: skip
    """The folder of one force set under ``root``: named by everything that changes its
    numbers (model identity, unit cell, supercell, amplitude, sidedness, method, seed); an
    unset sidedness of systematic displacements is the ± it resolves to, so every command's
    systematic force sets are shared."""
    systematic = method == "systematic"
    key = cache_key(
        "force-sets", model, atoms, supercell=settings.supercell, method=method,
        amplitude_angstrom=settings.amplitude,
        plusminus=settings.systematic_plusminus if systematic else settings.plusminus,
        seed=settings.seed if method == "random" else None, version=2,
    )  # fmt: skip
    return Path(root) / key


class ForceStore:
    """Forces (eV/Å) of supercells with ``model``, each saved as ``<name>.npy`` in ``folder``
    (atomic rename) and loaded, not recomputed, when there. ``progress(n)`` is called after
    each supercell. Counts what was computed and loaded; ``call_s``: wall time of each call."""

    def __init__(
        self, model: Model, folder: Path | None, progress: Callable[[int], None] | None = None
    ):
        self.model, self.folder, self.progress = model, folder, progress
        self.n_computed = self.n_loaded = 0
        self.call_s: list[float] = []
        self._memory: dict[str, np.ndarray] = {}

    def get(self, name: str, supercell: Atoms) -> np.ndarray:
        """Forces of ``supercell`` under ``name``."""
        if name in self._memory:
            return self._memory[name]
        path = None if self.folder is None else self.folder / f"{name}.npy"
        if path is not None and path.is_file():
            forces = load_checkpoint(path, (len(supercell), 3), "forces")
            self.n_loaded += 1
        else:
            t0 = time.perf_counter()
            work = self.model.attach(supercell, "the supercell")
            forces = np.array(work.get_forces(), dtype=np.float64)
            self.call_s.append(time.perf_counter() - t0)
            if path is not None:
                with atomic_write(path, "wb") as handle:
                    np.save(handle, forces)
            self.n_computed += 1
        if self.progress is not None:
            self.progress(1)
        self._memory[name] = forces
        return forces


def load_checkpoint(path: Path, shape: tuple[int, ...], what: str) -> np.ndarray:
    """The array saved at ``path``, refused (with the file named) unless it has ``shape`` and
    finite values: a checkpoint from another structure or a torn file is never used."""
    try:
        array = np.load(path)
    except (OSError, ValueError) as error:
        raise MolxtalError(f"checkpoint {path} cannot be read ({error}); delete it") from None
    if array.shape != shape or not np.isfinite(array).all():
        raise MolxtalError(
            f"checkpoint {path} holds {what} of shape {array.shape}, not {shape} finite "
            "values; delete it"
        )
    return array


@dataclass
class ForceSets:
    """Forces (eV/Å) on each systematically displaced supercell (empty for random and
    hessian), how many supercells were computed in this call and loaded from the checkpoint,
    and the mean wall time of one computed call (s)."""

    forces: np.ndarray
    n_computed: int
    n_loaded: int
    checkpoint: Path | None
    call_s: float | None = None


def compute_force_sets(phonon: Phonopy, store: ForceStore) -> np.ndarray:
    """Forces on every systematically displaced supercell (``forces_{i}``), through ``store``."""
    return np.array([
        store.get(f"forces_{i:05d}", to_ase_atoms(cell))
        for i, cell in enumerate(phonon.supercells_with_displacements)
    ])  # fmt: skip


# --------------------------------------------------------------------------- force constants


#: Acoustic modes at Γ (zero by the sum rule).
N_ACOUSTIC = 3


def acoustic_indices(frequencies_at_gamma: np.ndarray) -> np.ndarray:
    """Indices of the acoustic modes among the frequencies at Γ: the :data:`N_ACOUSTIC` of
    smallest magnitude (an imaginary optical mode is not one of them, however low)."""
    return np.argsort(np.abs(np.asarray(frequencies_at_gamma)))[:N_ACOUSTIC]


def optical_mask(phonon: Phonopy) -> np.ndarray:
    """(n_q, n_bands) mask of phonopy's last mesh without the acoustic modes at Γ."""
    frequencies = np.asarray(phonon.mesh.frequencies)
    keep = np.ones(frequencies.shape, dtype=bool)
    for k in np.flatnonzero(np.all(np.abs(phonon.mesh.qpoints) < 1e-9, axis=1)):
        keep[k, acoustic_indices(frequencies[k])] = False
    return keep


def acoustic_gamma_cm1(phonon: Phonopy) -> np.ndarray:
    """The three frequencies (cm⁻¹) of smallest magnitude at Γ (zero for a perfect sum rule)."""
    phonon.run_qpoints([[0.0, 0.0, 0.0]])
    frequencies = phonon.qpoints.frequencies[0] * FREQUENCY_UNITS["cm-1"]
    return frequencies[acoustic_indices(frequencies)]


@dataclass
class ForceConstantResult:
    """Acoustic frequencies at Γ (cm⁻¹) before and after the sum rule was enforced, and how
    the force constants were obtained: ``method`` (systematic, random or hessian),
    ``choice`` (the cost model of ``auto``, :func:`choose_method`), ``fit`` (the random fit
    and its sizing)."""

    acoustic_before_cm1: np.ndarray
    acoustic_after_cm1: np.ndarray
    fc_calculator: str
    method: str = "systematic"
    choice: dict | None = None
    fit: rd.RandomFit | None = None
    cutoff_angstrom: float | None = None

    @property
    def acoustic_max_cm1(self) -> float:
        return float(np.abs(self.acoustic_after_cm1).max())

    @property
    def holdout_error(self) -> float | None:
        """Relative RMS error of the fit on held-out snapshots (random only)."""
        return None if self.fit is None else self.fit.last.holdout_error

    @property
    def n_fitted(self) -> int | None:
        return None if self.fit is None else self.fit.last.snapshots

    @property
    def trusted(self) -> bool:
        """False when a random fit missed held-out forces by more than 5 %."""
        return self.holdout_error is None or self.holdout_error <= HOLDOUT_TOLERANCE


def produce_force_constants(
    phonon: Phonopy, forces: np.ndarray, fc_calculator: str = "traditional"
) -> ForceConstantResult:
    """Force constants from ``forces``; the acoustic sum rule is enforced by phonopy.

    ``traditional`` is phonopy's finite-difference fit, then ``symmetrize_force_constants``
    (translational invariance and index permutation); ``symfc`` fits with symfc, which imposes
    the sum rule in the fit itself (then before and after are the same numbers).
    """
    phonon.forces = forces
    phonon.produce_force_constants(
        fc_calculator=fc_calculator, show_drift=False, fc_calculator_log_level=0
    )
    before = acoustic_gamma_cm1(phonon)
    if fc_calculator == "traditional":
        phonon.symmetrize_force_constants(show_drift=False)
    return ForceConstantResult(before, acoustic_gamma_cm1(phonon), fc_calculator)


def sizing_thermo(phonon: Phonopy, molecules: int) -> Callable[[np.ndarray], tuple[float, float]]:
    """ZPE and F(300 K) (kJ/mol per molecule, :data:`SIZING_MESH`) of compact force constants,
    evaluated on a copy of ``phonon``."""
    copy = phonon.copy()

    def evaluate(fc: np.ndarray) -> tuple[float, float]:
        copy.force_constants = fc
        copy.run_mesh(SIZING_MESH, is_gamma_center=True)
        copy.run_thermal_properties(temperatures=[300.0], exclude_gamma_acoustic=True)
        zpe = float(copy.thermal_properties.zero_point_energy)
        free_energy = float(copy.get_thermal_properties_dict()["free_energy"][0])
        return zpe / molecules, free_energy / molecules

    return evaluate


def random_force_constants(
    phonon: Phonopy,
    store: ForceStore,
    settings: DisplacementSettings,
    molecules: int,
    max_snapshots: int | None = None,
) -> ForceConstantResult:
    """Random-displacement force constants (:func:`random_displacements.fit_random`) set on
    ``phonon``; at most ``max_snapshots`` in the fit (None: the fit's own bound)."""
    perfect = to_ase_atoms(phonon.supercell)

    def forces(name: str, displacement: np.ndarray) -> np.ndarray:
        displaced = perfect.copy()
        displaced.positions += displacement
        return store.get(name, displaced)

    fit_settings = settings.fit_settings()
    if max_snapshots is not None:
        fit_settings.max_snapshots = max_snapshots
    fit = rd.fit_random(
        phonon.supercell, forces, sizing_thermo(phonon, molecules), fit_settings,
        lambda: store.n_computed + store.n_loaded,
    )  # fmt: skip
    phonon.force_constants = fit.force_constants
    acoustic = acoustic_gamma_cm1(phonon)
    return ForceConstantResult(
        acoustic, acoustic, "symfc", "random", fit=fit, cutoff_angstrom=settings.cutoff
    )


def measured_flop_rate(size: int = 600) -> float:
    """Floating-point operations per second of a dense ``size``² product here and now."""
    a = np.random.default_rng(0).random((size, size))
    t0 = time.perf_counter()
    a @ a
    return 2 * size**3 / max(time.perf_counter() - t0, 1e-9)


def auto_snapshot_cap(systematic_calls: int) -> int:
    """Most snapshots ``auto`` lets a random fit use: as ± pairs, no more calls than half the
    systematic supercells (a quarter of them as snapshots)."""
    return max(2, systematic_calls // 4)


def choose_method(phonon: Phonopy, store: ForceStore, settings: DisplacementSettings) -> dict:
    """Systematic or random displacements by a measured cost model: one call of the
    undisplaced supercell times the calls each needs, plus the random fit's time; random only
    when it is :data:`RANDOM_ADVANTAGE` times cheaper.

    Systematic: phonopy's displacements, no fit cost. Random: the probe (4 calls), the
    held-out snapshots and the snapshots of the sizing loop as it grows to 4× as many
    equations as parameters and one batch beyond to confirm (at most
    :func:`auto_snapshot_cap`), as ± pairs (the worst case), plus their normal equations and
    one solve per round, estimated from the basis size
    (:func:`random_displacements.estimate_basis_size`) at the flop rate measured now
    (:func:`measured_flop_rate`, so that both costs see the same load). The
    choice is saved in the store's folder (``choice.json``) and reused, so that a run with
    the same settings and checkpoints gives the same numbers whatever the machine's load."""
    saved = None if store.folder is None else store.folder / "choice.json"
    if saved is not None and saved.is_file():
        return read_json(saved)
    t0 = time.perf_counter()
    store.get("perfect", to_ase_atoms(phonon.supercell))
    call_s = store.call_s[-1] if store.call_s else time.perf_counter() - t0
    n_super = len(phonon.supercell)
    n_cell = len(phonon.primitive)
    n_basis = rd.estimate_basis_size(phonon.unitcell, n_super // n_cell, settings.cutoff)
    systematic_calls = len(phonon.supercells_with_displacements)
    snapshots, rounds = settings.snapshots, 1
    if not snapshots:
        # the sizing loop grows to 4× as many equations as parameters (what ice Ih needed with
        # SO3LR and CHGNet), then one more batch confirms; it stops at auto's cap
        cap = auto_snapshot_cap(systematic_calls)
        needed = max(3, int(np.ceil(4 * n_basis / (3 * n_super))))
        targets = [min(rd.first_batch(n_basis, n_super), cap)]
        while targets[-1] < min(needed, cap):
            targets.append(min(rd.grown(targets[-1]), cap))
        if targets[-1] < cap:
            targets.append(min(rd.grown(targets[-1]), cap))
        snapshots, rounds = targets[-1], len(targets)
    random_calls = 4 + 2 * (snapshots + settings.holdout)
    # per round symfc's sandwich of the normal matrix and its Cholesky solve, 1.9-2.4 n³
    # flop-equivalents; per snapshot the sparse projection of its 3N rows, ~2000 per row and
    # parameter (both measured on ice Ih at 5 Å, CHGNet, 2×2×2 to 4×4×4)
    flops = rounds * 2 * n_basis**3 + (snapshots + 1) * 3 * n_super * n_basis * 2000
    rate = measured_flop_rate()
    fit_s = flops / rate
    costs = {"systematic": systematic_calls * call_s, "random": random_calls * call_s + fit_s}
    random_wins = RANDOM_ADVANTAGE * costs["random"] < costs["systematic"]
    choice = {
        "method": "random" if random_wins else "systematic",
        "random_advantage_required": RANDOM_ADVANTAGE,
        "call_s": call_s,
        "systematic_calls": systematic_calls,
        "random_calls_estimate": random_calls,
        "random_fit_s_estimate": fit_s,
        "random_fit_rounds_estimate": rounds,
        "flop_rate": rate,
        "basis_size_estimate": n_basis,
        "cost_s": costs,
    }
    if saved is not None:
        write_json(saved, choice)
    return choice


def hessian_force_constants(phonon: Phonopy, model: Model) -> np.ndarray:
    """Compact force constants (eV/Å², (N_prim, N_super, 3, 3)): analytic Hessian rows.

    Only the rows of the primitive cell's atoms are computed (the others follow by lattice
    translation). A model without analytic Hessian rows (MACE has them) is refused.
    """
    supercell = to_ase_atoms(phonon.supercell)
    rows = (3 * np.asarray(phonon.primitive.p2s_map)[:, None] + np.arange(3)).ravel()
    hessian = model.hessian_rows(supercell, rows)
    n_prim, n_super = len(phonon.primitive), len(supercell)
    return hessian.reshape(n_prim, 3, n_super, 3).transpose(0, 2, 1, 3)


# --------------------------------------------------------------------------- one calculation


@dataclass
class PhononRun:
    """A finished force-constant calculation and how long each stage took (s)."""

    phonon: Phonopy
    settings: DisplacementSettings
    force_sets: ForceSets
    force_constants: ForceConstantResult
    relaxation: Relaxation | None
    timings_s: dict[str, float] = field(default_factory=dict)

    @property
    def n_atoms_supercell(self) -> int:
        return len(self.phonon.supercell)

    @property
    def n_displacements(self) -> int:
        """Displaced supercells: systematic ones, or random ones with their probe."""
        if self.force_constants.method == "random":
            return self.force_sets.n_computed + self.force_sets.n_loaded - 1
        return len(self.force_sets.forces)

    @property
    def force_calls(self) -> int:
        """Model calls behind these force constants, loaded or computed (with the cost model's
        call of the undisplaced supercell)."""
        counted = self.force_sets.n_computed + self.force_sets.n_loaded
        choice = self.force_constants.choice or {}
        if choice and self.force_constants.method != "random":
            counted += choice.get("fallback", {}).get("random_calls", 1)  # with the probe
        return counted


def _hessian_stage(
    phonon: Phonopy, model: Model, folder: Path | None, timings: dict[str, float]
) -> tuple[ForceSets, ForceConstantResult]:
    """Analytic force constants (checkpointed as ``hessian.npy``), then phonopy's sum rule."""
    t0 = time.perf_counter()
    shape = (len(phonon.primitive), len(phonon.supercell), 3, 3)
    with _locked(folder):
        path = folder / "hessian.npy" if folder is not None else None
        loaded = path is not None and path.is_file()
        if loaded:
            fc = load_checkpoint(path, shape, "force constants")
        else:
            fc = hessian_force_constants(phonon, model)
            if path is not None:
                with atomic_write(path, "wb") as handle:
                    np.save(handle, fc)
    timings["hessian"] = time.perf_counter() - t0
    phonon.force_constants = fc
    before = acoustic_gamma_cm1(phonon)
    phonon.symmetrize_force_constants(show_drift=False)
    result = ForceConstantResult(before, acoustic_gamma_cm1(phonon), "hessian", "hessian")
    return ForceSets(np.zeros((0, len(fc), 3)), int(not loaded), int(loaded), folder), result


def run_force_constants(
    atoms: Atoms,
    model: Model,
    settings: DisplacementSettings,
    checkpoint_root: str | os.PathLike | None = None,
    relax_mode: str | None = None,
    relax_fmax: float = 1e-3,
    fc_calculator: str | None = None,
    progress: ProgressBar | None = None,
) -> PhononRun:
    """Optional relaxation, displacements, checkpointed force sets and force constants.

    ``relax_mode``: ``None`` (the structure as given), ``positions`` or ``cell`` (BFGS to
    ``relax_fmax`` eV/Å, :func:`molxtal.workflows.relax.relax`). ``fc_calculator`` (systematic
    displacements only): ``traditional`` (default) or ``symfc``. ``progress``: a progress bar
    over the force calls (see :data:`molxtal.progress.ProgressBar`). Each force set is
    computed holding a lock on its checkpoint folder, so a second run sharing it waits and then
    reuses the forces.
    """
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    relaxation = None
    if relax_mode:
        relaxation = relax(atoms, model, relax_fmax, RELAX_STEPS, mode=relax_mode, what="crystal")
        atoms = relaxation.atoms
        timings["relaxation"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    model.check_elements(atoms)
    phonon = make_phonopy(atoms, settings)
    timings["displacements"] = time.perf_counter() - t0

    def folder_for(method: str) -> Path | None:
        if checkpoint_root is None:
            return None
        return checkpoint_folder(checkpoint_root, atoms, model, settings, method)

    if settings.method == "hessian":
        force_sets, fc = _hessian_stage(phonon, model, folder_for("hessian"), timings)
        return PhononRun(phonon, settings, force_sets, fc, relaxation, timings)
    t0 = time.perf_counter()
    method, choice = settings.method, None
    n_atoms = len(phonon.supercell)
    progress = progress or no_progress
    random_folder = folder_for("random")
    with model.forces_only():
        store = None
        if method == "auto":
            with _locked(random_folder) as folder, progress("cost model", 1) as advance:
                store = ForceStore(model, folder, advance)
                choice = choose_method(phonon, store, settings)
            method = choice["method"]
            timings["cost_model"] = time.perf_counter() - t0
        if method == "random":
            # the sizing loop decides the count: the bar has no total
            with (
                _locked(random_folder) as folder,
                progress(f"random snapshots ({n_atoms}-atom supercell)", 0) as advance,
            ):
                store = store or ForceStore(model, folder, advance)  # the cost model's call kept
                store.progress = advance
                fc = _random_or_fallback(phonon, store, settings, atoms, choice)
            if fc is None:  # auto: the random fit was not accurate enough
                method, random_calls = "systematic", store.n_computed + store.n_loaded
        if method == "systematic":
            total = len(phonon.supercells_with_displacements)
            with (
                _locked(folder_for(method)) as folder,
                progress(f"forces ({n_atoms}-atom supercell)", total) as advance,
            ):
                store = ForceStore(model, folder, advance)
                forces = compute_force_sets(phonon, store)
        else:
            forces = np.zeros((0, n_atoms, 3))
    call_s = float(np.mean(store.call_s)) if store.call_s else None
    force_sets = ForceSets(forces, store.n_computed, store.n_loaded, folder, call_s)
    timings["forces"] = time.perf_counter() - t0
    if method == "random":
        timings["forces"] -= fc.fit.fit_s + fc.fit.basis_s
        timings["force_constants"] = fc.fit.fit_s + fc.fit.basis_s
    else:
        t0 = time.perf_counter()
        fc = produce_force_constants(phonon, forces, fc_calculator or "traditional")
        timings["force_constants"] = time.perf_counter() - t0
        if choice and "fallback" in choice and choice["method"] == "random":
            choice["fallback"]["random_calls"] = random_calls
            choice["method"] = "systematic"  # remembered: a rerun goes straight there
            if checkpoint_root is not None:
                write_json(random_folder / "choice.json", choice)
    fc.choice = choice
    return PhononRun(phonon, settings, force_sets, fc, relaxation, timings)


def _random_or_fallback(
    phonon: Phonopy,
    store: ForceStore,
    settings: DisplacementSettings,
    atoms: Atoms,
    choice: dict | None,
) -> ForceConstantResult | None:
    """The random fit; for ``auto`` (``choice`` given) None instead when it is underdetermined
    within its snapshot budget or misses held-out forces by more than
    :data:`AUTO_HOLDOUT_LIMIT` (force constants longer-ranged than the cutoff) or has not
    converged within a quarter of the systematic supercells: the caller
    then falls back to systematic displacements, and ``choice["fallback"]`` says why."""
    try:
        # auto: no more snapshots than keep random cheaper than systematic (± pairs)
        cap = None if choice is None else auto_snapshot_cap(choice["systematic_calls"])
        molecules = find_molecules(atoms).count
        fc = random_force_constants(phonon, store, settings, molecules, cap)
    except rd.Underdetermined as error:
        if choice is None:
            raise
        choice["fallback"] = {"reason": str(error)}
        return None
    if choice is not None and (fc.holdout_error > AUTO_HOLDOUT_LIMIT or not fc.fit.converged):
        choice["fallback"] = {
            "reason": f"held-out force error {fc.holdout_error:.2%} (limit "
            f"{AUTO_HOLDOUT_LIMIT:.0%}), converged: {fc.fit.converged}",
            "holdout_error": fc.holdout_error,
            "zpe_kJ_per_mol": fc.fit.last.zpe_kJ_per_mol,
            "F_300K_kJ_per_mol": fc.fit.last.F_300K_kJ_per_mol,
        }
        return None
    return fc


@contextlib.contextmanager
def _locked(folder: Path | None):
    """Hold :func:`molxtal.io.folder_lock` on ``folder`` (nothing when None)."""
    if folder is None:
        yield None
        return
    with folder_lock(folder) as locked:
        yield locked
