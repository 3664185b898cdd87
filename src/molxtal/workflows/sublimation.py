"""Sublimation enthalpy with harmonic thermal and quantum-nuclear corrections (thesis eqs. 49–56).

ΔH_sub(T) = −E_latt + Δ_T&QN(T), Δ_T&QN(T) = E_vib^gas(T) − E_vib^solid(T) + 4RT (7/2 RT for a
linear molecule), every mode contributing ε(ω, T) = ħω/2 + ħω/(exp(ħω/kT) − 1). Gas: the 3M−6
(3M−5) harmonic modes of the relaxed molecule. Solid: phonopy's frequencies on a Γ-centred q-mesh
with their symmetry weights (the exact mesh sum, identical to integrating the DOS normalised to
3 × atoms per cell), divided by the molecules per cell; the three acoustic modes at Γ are left
out. All energies per molecule: kJ/mol is per mole of molecules.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from ase import Atoms
from phonopy import Phonopy

from molxtal.analysis.harmonic import Modes
from molxtal.models import Model
from molxtal.progress import ProgressBar
from molxtal.results import Result, ResultDir, Table
from molxtal.units import KJMOL_PER_EV, R_J_PER_MOL_K
from molxtal.workflows.force_constants import (
    DisplacementSettings,
    PhononRun,
    optical_mask,
    run_force_constants,
)
from molxtal.workflows.lattice_energy import GAS_FMAX, MAX_STEPS, lattice_energy
from molxtal.workflows.phonons import columns_to_rows
from molxtal.workflows.relax import relax
from molxtal.workflows.vibrations import Vibration, vibrations

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from molxtal.workflows.lattice_energy import LatticeEnergyResult

#: Force threshold (eV/Å) of the crystal relaxation before phonons.
CRYSTAL_FMAX = 1e-3


def solid_modes(phonon: Phonopy, mesh: Sequence[int], molecules_per_cell: int) -> Modes:
    """Phonon modes on a Γ-centred ``mesh`` with symmetry weights, normalised per molecule.

    The three modes of smallest magnitude at Γ (acoustic) are removed; other modes below
    the cutoff (imaginary) are dropped and counted in ``Modes.n_dropped`` (per q-point weight).
    """
    phonon.run_mesh(mesh, is_gamma_center=True)
    frequencies = np.array(phonon.mesh.frequencies, dtype=float)
    weights = np.repeat(np.array(phonon.mesh.weights, dtype=float)[:, None],
                        frequencies.shape[1], axis=1)  # fmt: skip
    keep = optical_mask(phonon)
    per = float(phonon.mesh.weights.sum()) * molecules_per_cell
    return Modes.from_frequencies(frequencies[keep], weights[keep], "THz", per)


def gas_modes(vibration: Vibration) -> Modes:
    """The 3M−6 (3M−5) vibrational modes of one molecule (imaginary ones dropped, counted)."""
    return Modes.from_frequencies(vibration.frequencies_cm1, unit="cm-1")


def ideal_gas_rt_factor(linear: bool) -> float:
    """Gas translations + rotations + pV in units of RT: 4 (non-linear) or 7/2 (linear)."""
    return 3.5 if linear else 4.0


#: Columns of the terminal table: key of :meth:`Sublimation.terms`, header (kJ/mol).
TABLE_COLUMNS = (
    ("E_latt_kJ_per_mol", "E_latt"),
    ("E_vib_gas_kJ_per_mol", "E_vib gas"),
    ("E_vib_solid_kJ_per_mol", "E_vib solid"),
    ("dE_zpe_kJ_per_mol", "ΔZPE"),
    ("dE_thermal_kJ_per_mol", "ΔE_vib thermal"),
    ("dE_vib_kJ_per_mol", "ΔE_vib"),
    ("delta_TQN_kJ_per_mol", "Δ_T&QN"),
    ("delta_TQN_dulong_petit_kJ_per_mol", "−2RT (D–P)"),
    ("dH_sub_kJ_per_mol", "ΔH_sub"),
)


@dataclass
class Sublimation(Result):
    """ΔH_sub(T) and its parts; :meth:`terms` gives every column per mole of molecules."""

    source: str
    title: str
    temperatures_K: np.ndarray
    lattice: LatticeEnergyResult
    lattice_energy_kJ_per_mol: float
    gas_vibration: Vibration
    gas: Modes
    solid: Modes
    phonons: PhononRun
    mesh: list[int]
    gas_relaxed_here: bool
    fmax_eV_per_angstrom: float

    @property
    def linear(self) -> bool:
        return self.gas_vibration.linear

    @property
    def solid_imaginary_modes_per_cell(self) -> float:
        """Imaginary solid modes dropped, per cell (mesh average)."""
        return self.solid.n_dropped * self.lattice.n_molecules / self.solid.per

    def terms(self) -> dict[str, np.ndarray]:
        """Per-T columns (kJ/mol per molecule); ``dH_sub`` is the sum −E_latt + Δ_T&QN."""
        t = self.temperatures_K
        k = KJMOL_PER_EV
        n = len(t)
        rt = R_J_PER_MOL_K * t / 1000.0
        zpe_gas, zpe_solid = self.gas.zpe_eV * k, self.solid.zpe_eV * k
        thermal_gas = self.gas.thermal_energy(t) * k
        thermal_solid = self.solid.thermal_energy(t) * k
        e_vib_gas, e_vib_solid = zpe_gas + thermal_gas, zpe_solid + thermal_solid
        gas_rt = ideal_gas_rt_factor(self.linear) * rt
        delta_tqn = (e_vib_gas - e_vib_solid) + gas_rt
        e_latt = np.full(n, self.lattice_energy_kJ_per_mol)
        return {
            "T_K": t,
            "E_latt_kJ_per_mol": e_latt,
            "zpe_gas_kJ_per_mol": np.full(n, zpe_gas),
            "thermal_gas_kJ_per_mol": thermal_gas,
            "E_vib_gas_kJ_per_mol": e_vib_gas,
            "zpe_solid_kJ_per_mol": np.full(n, zpe_solid),
            "thermal_solid_kJ_per_mol": thermal_solid,
            "E_vib_solid_kJ_per_mol": e_vib_solid,
            "dE_zpe_kJ_per_mol": np.full(n, zpe_gas - zpe_solid),
            "dE_thermal_kJ_per_mol": thermal_gas - thermal_solid,
            "dE_vib_kJ_per_mol": e_vib_gas - e_vib_solid,
            "gas_RT_kJ_per_mol": gas_rt,
            "delta_TQN_kJ_per_mol": delta_tqn,
            "dH_sub_kJ_per_mol": -e_latt + delta_tqn,
            "delta_TQN_dulong_petit_kJ_per_mol": -2.0 * rt,
            "dH_sub_dulong_petit_kJ_per_mol": -e_latt - 2.0 * rt,
        }

    def geometries(self) -> dict[str, str]:
        """Which geometry each part used (the same relaxed structures throughout)."""
        gas = "given, relaxed here" if self.gas_relaxed_here else self.lattice.gas_source
        fmax = self.fmax_eV_per_angstrom
        crystal = {
            "fixed": "the crystal as given (not relaxed)",
            "positions": f"the given cell, atom positions relaxed (BFGS, fmax {fmax} eV/Å)",
            "cell": f"positions and cell relaxed (FrechetCellFilter + BFGS, fmax {fmax} eV/Å)",
        }[self.lattice.geometry]
        return {
            "E_latt": f"crystal: {crystal}; gas molecule: {gas}",
            "E_vib_gas": f"the same gas molecule ({self.gas_vibration.method} Hessian)",
            "E_vib_solid": f"the same crystal; phonons on a {self.mesh} Γ-centred mesh, "
            f"supercell {self.phonons.settings.supercell.diagonal().tolist()}",
        }

    def to_dict(self) -> dict[str, Any]:
        run = self.phonons
        return {
            "crystal": self.source,
            "formula": self.lattice.formula,
            "molecules_per_cell": self.lattice.n_molecules,
            "linear_molecule": self.linear,
            "gas_RT_factor": ideal_gas_rt_factor(self.linear),
            "geometries": self.geometries(),
            "E_latt_kJ_per_mol": self.lattice_energy_kJ_per_mol,
            "lattice_converged": self.lattice.converged,
            "gas_frequencies_cm-1": self.gas_vibration.frequencies_cm1,
            "gas_imaginary_modes": self.gas.n_dropped,
            "solid_imaginary_modes_per_cell": self.solid_imaginary_modes_per_cell,
            "phonon_supercell": run.settings.supercell,
            "phonon_mesh": self.mesh,
            "phonon_displacements": run.n_displacements,
            "forces_computed": run.force_sets.n_computed,
            "forces_from_checkpoint": run.force_sets.n_loaded,
            "checkpoint": str(run.force_sets.checkpoint),
            "acoustic_gamma_max_cm-1": run.force_constants.acoustic_max_cm1,
            "by_temperature": {f"{row['T_K']:g}": row for row in columns_to_rows(self.terms())},
        }

    def summary(self) -> list[Table]:
        terms = self.terms()
        return [
            Table("Geometries", ["part", "geometry"], list(self.geometries().items())),
            Table(
                "Sublimation enthalpy per molecule (kJ/mol; T in K)",
                ["T (K)", *(label for _, label in TABLE_COLUMNS)],
                [
                    [f"{t:g}", *(f"{terms[k][i]:.3f}" for k, _ in TABLE_COLUMNS)]
                    for i, t in enumerate(terms["T_K"])
                ],
                [
                    f"ZPE gas {terms['zpe_gas_kJ_per_mol'][0]:.3f} kJ/mol, solid "
                    f"{terms['zpe_solid_kJ_per_mol'][0]:.3f} kJ/mol per molecule; imaginary modes "
                    f"dropped: gas {self.gas.n_dropped:g}, solid "
                    f"{self.solid_imaginary_modes_per_cell:g} per cell (mesh average)"
                ],
            ),  # fmt: skip
        ]

    def csv_tables(self) -> dict[str, list[dict[str, Any]]]:
        return {"sublimation.csv": columns_to_rows(self.terms())}

    def figures(self) -> dict[str, Callable[[], Figure]]:
        from molxtal.plotting.thermo import plot_sublimation

        return {"sublimation.png": lambda: plot_sublimation(self.terms(), self.title)}

    def write_files(self, folder: ResultDir) -> None:
        folder.write_atoms("crystal_relaxed.extxyz", self.lattice.crystal)
        folder.write_atoms("gas_relaxed.extxyz", self.lattice.gas)


def sublimation(
    crystal: Atoms,
    model: Model,
    temperatures: Sequence[float],
    molecule: Atoms | None = None,
    geometry: str = "positions",
    settings: DisplacementSettings | None = None,
    mesh: Sequence[int] = (8, 8, 8),
    checkpoint_root: str | os.PathLike | None = None,
    fmax: float = CRYSTAL_FMAX,
    gas_fmax: float = GAS_FMAX,
    vibration_method: str = "auto",
    source: str = "crystal",
    title: str = "",
    progress: ProgressBar | None = None,
) -> Sublimation:
    """ΔH_sub(T) of ``crystal`` per molecule at ``temperatures`` (K).

    The gas molecule (``molecule`` relaxed here, or the first molecule of the crystal relaxed by
    the lattice-energy workflow, to ``gas_fmax`` eV/Å) gives E_gas and the gas modes; the
    crystal relaxed as ``geometry`` to ``fmax`` eV/Å (see
    :func:`molxtal.workflows.lattice_energy.lattice_energy`) gives E_crystal and the phonons
    (``settings``: supercell and displacements; force sets checkpointed under
    ``checkpoint_root``). ``source`` names the crystal, ``title`` heads the figure.
    """
    gas = None
    if molecule is not None:
        gas = relax(molecule, model, gas_fmax, MAX_STEPS, what="gas molecule").atoms
        gas = Atoms(gas.numbers, positions=gas.positions, pbc=False)
    lattice = lattice_energy(
        crystal, model, gas, geometry, fmax=fmax, gas_fmax=gas_fmax, source=source
    )
    vibration = vibrations(lattice.gas, model, method=vibration_method)
    settings = settings or DisplacementSettings(supercell=np.eye(3, dtype=int))
    run = run_force_constants(lattice.crystal, model, settings, checkpoint_root, progress=progress)
    return Sublimation(
        source=source,
        title=title,
        temperatures_K=np.asarray(temperatures, dtype=float),
        lattice=lattice,
        lattice_energy_kJ_per_mol=lattice.lattice_energy_kJ_per_mol,
        gas_vibration=vibration,
        gas=gas_modes(vibration),
        solid=solid_modes(run.phonon, mesh, lattice.n_molecules),
        phonons=run,
        mesh=list(mesh),
        gas_relaxed_here=molecule is not None,
        fmax_eV_per_angstrom=fmax,
    )
