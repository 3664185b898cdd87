"""Harmonic vibrations: finite differences (ASE ``Vibrations``) or the model's analytic Hessian.

Both routes end in an ASE ``VibrationsData``; frequencies are in cm⁻¹ with imaginary ones as
negative numbers, and the 3N−6 (3N−5 for linear molecules) vibrations are separated from
translations and rotations by their overlap with the rigid-body motions.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from ase import Atoms
from ase.io.jsonio import encode
from ase.thermochemistry import IdealGasThermo
from ase.vibrations import Vibrations, VibrationsData

from molxtal import validate
from molxtal.errors import MolxtalError
from molxtal.io import atomic_write, folder_lock
from molxtal.keys import cache_key
from molxtal.models import Model
from molxtal.models.base import HESSIAN
from molxtal.results import Result, ResultDir, Table
from molxtal.units import INVCM_PER_EV
from molxtal.workflows.relax import safe_name

METHODS = ("auto", "analytic", "finite-differences")
#: Tolerance (Å) of the linearity test: largest distance of an atom from the principal axis.
LINEAR_TOLERANCE = 1e-3

logger = logging.getLogger("molxtal")


@dataclass
class Vibration:
    """Harmonic analysis of one structure.

    ``frequencies_cm1`` holds the vibrational modes only (3N−6 or 3N−5, ascending, imaginary as
    negative), ``modes`` their Cartesian displacement vectors (n_vib, N, 3; mass-weighted
    eigenvectors divided by √m, normalised), ``all_frequencies_cm1`` all 3N values.
    """

    data: VibrationsData
    method: str
    delta_angstrom: float | None
    nfree: int | None
    linear: bool
    frequencies_cm1: np.ndarray
    modes: np.ndarray
    all_frequencies_cm1: np.ndarray

    @property
    def zpe_eV(self) -> float:
        """Zero-point energy (eV): ½ Σ ħω over the real vibrational modes."""
        real = self.frequencies_cm1[self.frequencies_cm1 > 0]
        return float(0.5 * real.sum() / INVCM_PER_EV)

    @property
    def n_imaginary(self) -> int:
        return int((self.frequencies_cm1 < 0).sum())


@dataclass
class Thermochemistry:
    """Ideal-gas thermochemistry (ASE ``IdealGasThermo``) at ``temperature_K`` and ``pressure_Pa``.

    U, H, G in eV and S in eV/K, each including the electronic energy and the ZPE.
    """

    temperature_K: float
    pressure_Pa: float
    internal_energy_eV: float
    enthalpy_eV: float
    entropy_eV_per_K: float
    gibbs_energy_eV: float


def signed_frequencies(energies: np.ndarray) -> np.ndarray:
    """Complex ASE mode energies (eV) to frequencies in cm⁻¹, imaginary ones as negative."""
    energies = np.asarray(energies, dtype=complex)
    imaginary = np.abs(energies.imag) > np.abs(energies.real)
    return np.where(imaginary, -np.abs(energies.imag), energies.real) * INVCM_PER_EV


def is_linear(atoms: Atoms) -> bool:
    """True for a linear molecule (or a diatomic); False for a single atom."""
    if len(atoms) < 2:
        return False
    centred = atoms.positions - atoms.positions.mean(axis=0)
    axis = np.linalg.svd(centred)[2][0]
    off_axis = centred - np.outer(centred @ axis, axis)
    return bool(np.linalg.norm(off_axis, axis=1).max() < LINEAR_TOLERANCE)


def rigid_body_basis(atoms: Atoms, rotations: bool = True) -> np.ndarray:
    """Orthonormal mass-weighted translations (and rotations), shape (k, 3N); k = 6, 5 or 3."""
    masses = atoms.get_masses()
    sqrt_m = np.sqrt(masses)[:, None]
    centred = atoms.positions - np.average(atoms.positions, axis=0, weights=masses)
    vectors = [(sqrt_m * np.eye(3)[k]).ravel() for k in range(3)]
    if rotations:
        vectors += [(sqrt_m * np.cross(np.eye(3)[k], centred)).ravel() for k in range(3)]
    u, s, _ = np.linalg.svd(np.array(vectors).T, full_matrices=False)
    return u[:, s > 1e-8 * s[0]].T


def analyse(data: VibrationsData, method: str, delta=None, nfree=None) -> Vibration:
    """Split ``data`` into vibrations and rigid-body motions; frequencies in cm⁻¹."""
    atoms = data.get_atoms()
    n_atoms = len(atoms)
    energies, modes = data.get_energies_and_modes(all_atoms=True)
    frequencies = signed_frequencies(energies)
    linear = is_linear(atoms)
    periodic = bool(atoms.pbc.any())  # crystals: only the three translations are zero modes
    n_rigid = 3 if periodic or n_atoms == 1 else 5 if linear else 6
    n_vib = 3 * n_atoms - n_rigid
    sqrt_m = np.sqrt(atoms.get_masses())[:, None]
    weighted = (modes * sqrt_m).reshape(len(modes), -1)
    weighted /= np.linalg.norm(weighted, axis=1)[:, None]
    basis = rigid_body_basis(atoms, rotations=not periodic)
    rigid_overlap = np.linalg.norm(weighted @ basis.T, axis=1)
    vib = np.sort(np.argsort(rigid_overlap, kind="stable")[:n_vib])
    vib = vib[np.argsort(frequencies[vib], kind="stable")]
    vectors = modes[vib] / np.linalg.norm(modes[vib].reshape(len(vib), -1), axis=1)[:, None, None]
    return Vibration(
        data=data,
        method=method,
        delta_angstrom=delta,
        nfree=nfree,
        linear=linear,
        frequencies_cm1=frequencies[vib],
        modes=vectors,
        all_frequencies_cm1=np.sort(frequencies),
    )


#: Largest displacement (Å) a delta scan may try: it shows where the harmonic regime ends.
MAX_SCAN_DELTA_ANGSTROM = 0.5


def check_finite_differences(
    delta: float, nfree: int, largest: float = validate.MAX_DISPLACEMENT_ANGSTROM
) -> None:
    """Refuse a displacement ``delta`` (Å) outside (0, ``largest``] or ``nfree`` other than
    2 or 4."""
    validate.number("--delta", delta, 0.0, largest, "Å")
    if nfree not in (2, 4):
        raise MolxtalError(f"--nfree: must be 2 or 4 (got {nfree})")


def _remove_unfinished(folder: Path) -> None:
    """Delete the displacement files a killed run left unfinished (empty or cut-off JSON):
    ASE ``Vibrations`` would take them as another run's locks and never recompute them."""
    for path in folder.glob("cache.*.json"):
        try:
            json.loads(path.read_text())
        except ValueError:
            logger.info("%s: unfinished displacement of a killed run, recomputed", path)
            path.unlink()


def finite_difference_hessian(
    atoms: Atoms,
    model: Model,
    delta: float = 0.01,
    nfree: int = 2,
    cache_dir: str | Path | None = None,
) -> VibrationsData:
    """Hessian by central differences of the forces (ASE ``Vibrations``; ``delta`` in Å).

    Displacements are cached in ``cache_dir/<key>``, the key (:func:`molxtal.keys.cache_key`)
    covering the structure, everything about the model and ``delta``/``nfree``; a run holds
    the folder's lock, so two runs sharing it compute each displacement once, and a killed
    run's leftovers are cleared. With ``cache_dir=None`` a temporary folder is used.
    """
    check_finite_differences(delta, nfree, MAX_SCAN_DELTA_ANGSTROM)
    work = model.attach(atoms)
    with contextlib.ExitStack() as stack:
        root = (
            Path(cache_dir)
            if cache_dir
            else Path(stack.enter_context(tempfile.TemporaryDirectory()))
        )
        key = cache_key("vibrations", model, atoms, delta_angstrom=delta, nfree=nfree)
        folder = stack.enter_context(folder_lock(root / key))
        _remove_unfinished(folder)
        vib = Vibrations(work, delta=delta, nfree=nfree, name=str(folder))
        with contextlib.redirect_stdout(io.StringIO()):
            vib.run()
        return vib.get_vibrations()


def has_analytic_hessian(model: Model) -> bool:
    """True where the model offers an analytic Hessian (MACE, CHGNet; not with dispersion)."""
    return HESSIAN in model.capabilities


def analytic_hessian(atoms: Atoms, model: Model) -> VibrationsData:
    """The model's Hessian by automatic differentiation, symmetrised, as ``VibrationsData``."""
    return VibrationsData.from_2d(atoms.copy(), model.hessian(atoms))


def vibrations(
    atoms: Atoms,
    model: Model,
    method: str = "auto",
    delta: float = 0.01,
    nfree: int = 2,
    cache_dir: str | Path | None = None,
) -> Vibration:
    """Harmonic vibrations of ``atoms``: ``analytic``, ``finite-differences`` or ``auto``
    (analytic where the model allows it, else finite differences)."""
    if method not in METHODS:
        raise MolxtalError(f"unknown method '{method}'; choose one of {', '.join(METHODS)}")
    if method == "analytic" or (method == "auto" and has_analytic_hessian(model)):
        return analyse(analytic_hessian(atoms, model), "analytic")
    data = finite_difference_hessian(atoms, model, delta, nfree, cache_dir)
    return analyse(data, "finite-differences", delta, nfree)


def thermochemistry(
    vibration: Vibration,
    potential_energy_eV: float,
    temperature_K: float = 298.15,
    pressure_Pa: float = 101325.0,
    symmetry_number: int = 1,
    spin: float = 0.0,
) -> Thermochemistry:
    """Ideal-gas U, H, S, G of a molecule from its vibrational modes (ASE ``IdealGasThermo``)."""
    atoms = vibration.data.get_atoms()
    if atoms.pbc.any():
        raise MolxtalError("ideal-gas thermochemistry needs an isolated molecule (pbc=False)")
    f = vibration.frequencies_cm1.astype(complex)  # imaginary modes back to ASE's convention
    geometry = "monatomic" if len(atoms) == 1 else "linear" if vibration.linear else "nonlinear"
    thermo = IdealGasThermo(
        vib_energies=np.where(f < 0, 1j * np.abs(f), f) / INVCM_PER_EV,
        geometry=geometry,
        potentialenergy=potential_energy_eV,
        atoms=atoms,
        symmetrynumber=symmetry_number,
        spin=spin,
        vib_selection="exact",
        ignore_imag_modes=True,
    )
    with contextlib.redirect_stdout(io.StringIO()):
        return Thermochemistry(
            temperature_K=temperature_K,
            pressure_Pa=pressure_Pa,
            internal_energy_eV=float(thermo.get_internal_energy(temperature_K)),
            enthalpy_eV=float(thermo.get_enthalpy(temperature_K)),
            entropy_eV_per_K=float(thermo.get_entropy(temperature_K, pressure_Pa)),
            gibbs_energy_eV=float(thermo.get_gibbs_energy(temperature_K, pressure_Pa)),
        )


@dataclass
class VibrationResult(Result):
    """Harmonic vibrations of one structure for each model: frequencies (cm⁻¹), modes, ZPE (eV)
    and, for an isolated molecule, ideal-gas thermochemistry (``thermochemistry`` None for a
    crystal)."""

    structure: str
    vibrations: dict[str, Vibration]
    thermochemistry: dict[str, Thermochemistry] | None

    def to_dict(self) -> dict[str, Any]:
        models = {}
        for name, vib in self.vibrations.items():
            models[name] = {
                "method": vib.method,
                "linear": vib.linear,
                "frequencies_cm-1": vib.frequencies_cm1,
                "all_frequencies_cm-1": vib.all_frequencies_cm1,
                "n_imaginary": vib.n_imaginary,
                "zpe_eV": vib.zpe_eV,
                "modes_angstrom": vib.modes,
            }
            if self.thermochemistry is not None:
                models[name]["thermochemistry"] = self.thermochemistry[name]
        single = next(iter(models.values())) if len(models) == 1 else {}
        return {"structure": self.structure, **single, "models": models}

    def summary(self) -> list[Table]:
        names = list(self.vibrations)
        frequencies = [v.frequencies_cm1 for v in self.vibrations.values()]
        rows = [
            [str(k + 1), *(f"{f[k]:.2f}" for f in frequencies)] for k in range(len(frequencies[0]))
        ]
        rows.append(["ZPE (eV)", *(f"{v.zpe_eV:.4f}" for v in self.vibrations.values())])
        tables = [Table(f"Harmonic frequencies (cm⁻¹): {self.structure}", ["mode", *names], rows)]
        if self.thermochemistry is not None:
            thermo = list(self.thermochemistry.values())
            rows = [
                [label, *(f"{getattr(t, attr):.6f}" for t in thermo)]
                for label, attr in (
                    ("U (eV)", "internal_energy_eV"),
                    ("H (eV)", "enthalpy_eV"),
                    ("S (eV/K)", "entropy_eV_per_K"),
                    ("G (eV)", "gibbs_energy_eV"),
                )
            ]
            title = f"Ideal gas at {thermo[0].temperature_K:g} K, {thermo[0].pressure_Pa:g} Pa"
            tables.append(Table(title, ["", *names], rows))
        return tables

    def csv_tables(self) -> dict[str, list[dict[str, Any]]]:
        rows = [
            {"model": name, "mode": k + 1, "frequency_cm-1": f}
            for name, vib in self.vibrations.items()
            for k, f in enumerate(vib.frequencies_cm1)
        ]
        return {"frequencies.csv": rows}

    def write_files(self, folder: ResultDir) -> None:
        """Each model's ASE ``VibrationsData`` (``VibrationsData.read`` loads it back)."""
        for name, vib in self.vibrations.items():
            with atomic_write(folder.file(f"vibrations-{safe_name(name)}.json")) as handle:
                handle.write(encode(vib.data))


def vibrational_analysis(
    atoms: Atoms,
    models: Sequence[Model],
    method: str = "auto",
    delta: float = 1e-3,
    nfree: int = 4,
    cache_dir: str | Path | None = None,
    temperature_K: float = 298.15,
    pressure_Pa: float = 101325.0,
    symmetry_number: int = 1,
    spin: float = 0.0,
    structure: str = "structure",
) -> VibrationResult:
    """:func:`vibrations` of ``atoms`` with each model and, for an isolated molecule, its
    ideal-gas thermochemistry at ``temperature_K`` and ``pressure_Pa`` (:func:`thermochemistry`).
    ``structure`` names the input in tables and errors. Every option is checked before any
    work starts."""
    if method not in METHODS:
        raise MolxtalError(f"--method: unknown '{method}'; choose one of {', '.join(METHODS)}")
    check_finite_differences(delta, nfree)
    validate.number("--temperature", temperature_K, 0.0, unit="K", inclusive_low=True)
    validate.number("--pressure", pressure_Pa, 0.0, unit="Pa")
    validate.positive_integers("--symmetry-number", [symmetry_number])
    validate.number("--spin", spin, 0.0, inclusive_low=True)
    for model in models:
        model.check_elements(atoms, structure)
    results = {m.name: vibrations(atoms, m, method, delta, nfree, cache_dir) for m in models}
    thermo = None
    if not atoms.pbc.any():
        thermo = {
            m.name: thermochemistry(
                results[m.name],
                m.attach(atoms).get_potential_energy(),
                temperature_K,
                pressure_Pa,
                symmetry_number,
                spin,
            )
            for m in models
        }
    return VibrationResult(structure, results, thermo)
