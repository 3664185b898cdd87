"""Force constants by small displacements on supercells (phonopy), with resumable force sets.

Units: frequencies in THz unless a name says otherwise, displacements and lengths in Å, forces
in eV/Å, force constants in eV/Å². Every finished force set is written to a checkpoint folder
(one ``.npy`` per displaced supercell, written atomically), keyed by everything that decides
it, so a run that is killed and started again recomputes nothing that was finished.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from ase import Atoms
from phonopy import Phonopy
from phonopy.structure.atoms import PhonopyAtoms

from molxtal.errors import MolxtalError
from molxtal.io import atomic_write
from molxtal.models import Model
from molxtal.units import INVCM_PER_EV, MEV_PER_EV, THZ_PER_EV
from molxtal.workflows.relax import Relaxation, relax

#: Frequency unit conversions from THz.
FREQUENCY_UNITS = {
    "THz": 1.0,
    "cm-1": INVCM_PER_EV / THZ_PER_EV,
    "meV": MEV_PER_EV / THZ_PER_EV,
}
#: Random-displacement amplitude (Å): small, so that the cubic force terms, which only ± pairs
#: would cancel, stay ~1e-4 of the harmonic ones (CHGNet on ice: ratio ≈ 15 Å⁻¹ × amplitude);
#: needs float64 forces.
RANDOM_AMPLITUDE = 1e-5
#: Held-out force error (relative RMS) above which a random-displacement fit is not trusted.
HOLDOUT_TOLERANCE = 0.05
#: Most optimiser steps of the optional pre-relaxation.
RELAX_STEPS = 2000
#: A progress bar: ``progress(description, total)`` is a context manager yielding ``advance(n)``
#: (``molxtal.cli.console.progress_bar``).
ProgressBar = Callable[[str, int], AbstractContextManager[Callable[[int], None]]]


# --------------------------------------------------------------------------- set-up


def supercell_matrix(spec: Sequence[int] | Sequence[Sequence[int]]) -> np.ndarray:
    """A 3x3 integer supercell matrix from 3 diagonal entries or 9 entries (row-major)."""
    values = np.array(spec, dtype=int).reshape(-1)
    if values.size == 3:
        matrix = np.diag(values)
    elif values.size == 9:
        matrix = values.reshape(3, 3)
    else:
        raise MolxtalError(f"supercell needs 3 or 9 integers, got {values.size}")
    if round(abs(np.linalg.det(matrix))) < 1:
        raise MolxtalError(f"supercell matrix {matrix.tolist()} is singular")
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

    ``method``: ``systematic`` (phonopy's symmetry-reduced single-atom displacements),
    ``random`` (all atoms displaced by ``amplitude_angstrom`` in random directions, fitted with
    symfc after subtracting the forces of the undisplaced supercell) or ``hessian`` (the
    model's analytic supercell Hessian; MACE). ``amplitude_angstrom=None``: 0.01 Å systematic,
    :data:`RANDOM_AMPLITUDE` random. ``plusminus``: ``True``, ``False`` or ``"auto"``
    (phonopy decides by symmetry; systematic only). ``snapshots``: random supercells in the fit
    (``None``: ``snapshot_factor`` times the symfc minimum); ``holdout`` more are computed only
    to test the fit.
    """

    supercell: np.ndarray
    amplitude_angstrom: float | None = None
    plusminus: bool | str = True
    method: str = "systematic"
    snapshots: int | None = None
    seed: int = 0
    snapshot_factor: float = 2.2
    holdout: int = 2

    @property
    def amplitude(self) -> float:
        """Displacement amplitude (Å)."""
        if self.amplitude_angstrom is not None:
            return self.amplitude_angstrom
        return RANDOM_AMPLITUDE if self.method == "random" else 0.01


def minimum_snapshots(phonon: Phonopy) -> int:
    """symfc's count of random supercells for the second-order force constants.

    symfc's basis size (independent force-constant elements after symmetry) divided by the
    3 N_atoms force components one supercell gives. It is a lower bound, not enough in practice:
    on P1 ice Ih (36 atoms) symfc's fit returned zero force constants from 78 supercells (count
    54) and was exact from 110, hence the default factor 2.2.
    """
    from phonopy.interface.symfc import SymfcFCSolver

    solver = SymfcFCSolver(phonon.supercell, symmetry=phonon.symmetry)
    return int(solver.estimate_numbers_of_supercells(orders=[2])[2])


def random_snapshots(phonon: Phonopy, settings: DisplacementSettings) -> int:
    """Random supercells in the fit: ``snapshots``, or ``snapshot_factor`` × symfc minimum."""
    return settings.snapshots or int(np.ceil(settings.snapshot_factor * minimum_snapshots(phonon)))


def make_phonopy(atoms: Atoms, settings: DisplacementSettings) -> Phonopy:
    """Phonopy object of ``atoms`` (as its own primitive cell) with displacements generated.

    Random displacements: ``random_snapshots + holdout`` supercells, one direction each (a ±
    pair would repeat the harmonic information of one snapshot); ``hessian`` generates none.
    """
    phonon = Phonopy(
        to_phonopy_atoms(atoms), supercell_matrix=settings.supercell, primitive_matrix="P"
    )
    if settings.method == "systematic":
        phonon.generate_displacements(distance=settings.amplitude, is_plusminus=settings.plusminus)
    elif settings.method == "random":
        phonon.generate_displacements(
            distance=settings.amplitude,
            number_of_snapshots=random_snapshots(phonon, settings) + settings.holdout,
            random_seed=settings.seed,
            is_plusminus=False,
        )
    elif settings.method != "hessian":
        raise MolxtalError(
            f"unknown displacement method '{settings.method}'; choose systematic, random or hessian"
        )
    return phonon


# --------------------------------------------------------------------------- force sets


def checkpoint_key(phonon: Phonopy, model: Model, settings: DisplacementSettings) -> str:
    """SHA-256 of what decides the force sets: structure, displacements, model and dtype."""
    digest = hashlib.sha256()
    cell = phonon.unitcell
    for array in (cell.numbers, cell.cell, cell.scaled_positions, settings.supercell):
        digest.update(np.ascontiguousarray(array, dtype=float).tobytes())
    for supercell in phonon.supercells_with_displacements or []:  # none for hessian
        digest.update(np.ascontiguousarray(supercell.positions, dtype=float).tobytes())
    identity = [model.name, model.sha256, model.dtype, model.dispersion, settings.method]
    digest.update(json.dumps(identity, default=str).encode())
    return digest.hexdigest()[:24]


@dataclass
class ForceSets:
    """Forces (eV/Å) on each displaced supercell (and the undisplaced one when asked for), and
    how many supercells were computed in this call and loaded from the checkpoint."""

    forces: np.ndarray
    n_computed: int
    n_loaded: int
    checkpoint: Path | None
    perfect: np.ndarray | None = None


def compute_force_sets(
    phonon: Phonopy,
    model: Model,
    checkpoint: str | os.PathLike | None = None,
    progress: Callable[[int], None] | None = None,
    perfect: bool = False,
) -> ForceSets:
    """Forces on every displaced supercell with ``model`` (loaded once), checkpointed.

    ``checkpoint`` is a folder; each finished supercell ``i`` is saved as ``forces_{i}.npy``
    (atomic rename), and supercells already there are loaded, not recomputed. ``perfect``: the
    undisplaced supercell too (``forces_perfect.npy``), first. ``progress(n)`` is called after
    each supercell with the number just finished (loaded ones count at the start).
    """
    cells = {f"forces_{i:05d}": c for i, c in enumerate(phonon.supercells_with_displacements)}
    if perfect:
        cells = {"forces_perfect": phonon.supercell, **cells}
    folder = Path(checkpoint) if checkpoint is not None else None
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    forces: dict[str, np.ndarray] = {}
    for name in cells:
        if folder is not None and (folder / f"{name}.npy").is_file():
            forces[name] = np.load(folder / f"{name}.npy")
    n_loaded = len(forces)
    if progress is not None and n_loaded:
        progress(n_loaded)
    n_computed = 0
    with model.forces_only():
        for name, supercell in cells.items():
            if name in forces:
                continue
            work = model.attach(to_ase_atoms(supercell), "the supercell")
            result = np.array(work.get_forces(), dtype=np.float64)
            if folder is not None:
                with atomic_write(folder / f"{name}.npy", "wb") as handle:
                    np.save(handle, result)
            forces[name] = result
            n_computed += 1
            if progress is not None:
                progress(1)
    displaced = np.array([forces[name] for name in cells if name != "forces_perfect"])
    return ForceSets(displaced, n_computed, n_loaded, folder, forces.get("forces_perfect"))


# --------------------------------------------------------------------------- force constants


def acoustic_gamma_cm1(phonon: Phonopy) -> np.ndarray:
    """The three frequencies (cm⁻¹) of smallest magnitude at Γ (zero for a perfect sum rule)."""
    phonon.run_qpoints([[0.0, 0.0, 0.0]])
    frequencies = phonon.qpoints.frequencies[0] * FREQUENCY_UNITS["cm-1"]
    return frequencies[np.argsort(np.abs(frequencies))[:3]]


@dataclass
class ForceConstantResult:
    """Acoustic frequencies at Γ (cm⁻¹) before and after the sum rule was enforced.

    ``holdout_error``: random displacements only, the relative RMS error of the fitted force
    constants in predicting the forces (less those of the undisplaced supercell) of supercells
    left out of the fit: a check that the snapshots suffice (0 for an exactly harmonic model).
    ``n_fitted``: supercells in the fit.
    """

    acoustic_before_cm1: np.ndarray
    acoustic_after_cm1: np.ndarray
    fc_calculator: str
    holdout_error: float | None = None
    n_fitted: int | None = None

    @property
    def acoustic_max_cm1(self) -> float:
        return float(np.abs(self.acoustic_after_cm1).max())


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


def fit_random(
    phonon: Phonopy, forces: np.ndarray, perfect: np.ndarray, holdout: int
) -> ForceConstantResult:
    """symfc fit of the random supercells but the last ``holdout``, tested on those.

    ``perfect`` (forces of the undisplaced supercell, eV/Å) is subtracted first, so residual
    forces of an unrelaxed cell do not enter the fit. Phonopy's dataset keeps only the fitted
    supercells (with the subtracted forces), so ``phonopy.load`` with symfc reproduces the fit.
    """
    displacements = np.array(phonon.displacements)
    delta = np.asarray(forces) - perfect
    n_fit = len(displacements) - holdout
    if n_fit < 1:
        raise MolxtalError(f"{len(displacements)} random supercells leave none after {holdout}")
    phonon.dataset = {"displacements": displacements[:n_fit], "forces": delta[:n_fit]}
    phonon.produce_force_constants(fc_calculator="symfc", fc_calculator_log_level=0)
    error = None
    if holdout:
        predicted = -np.einsum("ijab,sjb->sia", phonon.force_constants, displacements[n_fit:])
        error = float(np.linalg.norm(predicted - delta[n_fit:]) / np.linalg.norm(delta[n_fit:]))
    acoustic = acoustic_gamma_cm1(phonon)
    return ForceConstantResult(acoustic, acoustic, "symfc", error, n_fit)


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
        return len(self.force_sets.forces)


def _hessian_stage(
    phonon: Phonopy, model: Model, folder: Path | None, timings: dict[str, float]
) -> tuple[ForceSets, ForceConstantResult]:
    """Analytic force constants (checkpointed as ``hessian.npy``), then phonopy's sum rule."""
    t0 = time.perf_counter()
    path = folder / "hessian.npy" if folder is not None else None
    loaded = path is not None and path.is_file()
    if loaded:
        fc = np.load(path)
    else:
        fc = hessian_force_constants(phonon, model)
        if path is not None:
            folder.mkdir(parents=True, exist_ok=True)
            with atomic_write(path, "wb") as handle:
                np.save(handle, fc)
    timings["hessian"] = time.perf_counter() - t0
    phonon.force_constants = fc
    before = acoustic_gamma_cm1(phonon)
    phonon.symmetrize_force_constants(show_drift=False)
    result = ForceConstantResult(before, acoustic_gamma_cm1(phonon), "hessian")
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
    over the displaced supercells (see :data:`ProgressBar`).
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
    folder = None
    if checkpoint_root is not None:
        folder = Path(checkpoint_root) / checkpoint_key(phonon, model, settings)
    if settings.method == "hessian":
        force_sets, fc = _hessian_stage(phonon, model, folder, timings)
        return PhononRun(phonon, settings, force_sets, fc, relaxation, timings)
    t0 = time.perf_counter()
    random = settings.method == "random"
    total = len(phonon.supercells_with_displacements) + random
    bar = progress(f"forces ({len(atoms)}-atom cell)", total) if progress else None
    with bar or contextlib.nullcontext() as advance:
        force_sets = compute_force_sets(phonon, model, folder, advance, perfect=random)
    timings["forces"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    if random:
        fc = fit_random(phonon, force_sets.forces, force_sets.perfect, settings.holdout)
    else:
        fc = produce_force_constants(phonon, force_sets.forces, fc_calculator or "traditional")
    timings["force_constants"] = time.perf_counter() - t0
    return PhononRun(phonon, settings, force_sets, fc, relaxation, timings)
