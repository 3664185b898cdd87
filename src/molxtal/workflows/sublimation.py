"""Sublimation enthalpy with harmonic thermal and quantum-nuclear corrections (thesis eqs. 49–56).

ΔH_sub(T) = −E_latt + Δ_T&QN(T), Δ_T&QN(T) = E_vib^gas(T) − E_vib^solid(T) + 4RT (7/2 RT for a
linear molecule), every mode contributing ε(ω, T) = ħω/2 + ħω/(exp(ħω/kT) − 1). Gas: the 3M−6
(3M−5) harmonic modes of the relaxed molecule. Solid: phonopy's frequencies on a Γ-centred q-mesh
with their symmetry weights (the exact mesh sum, identical to integrating the DOS normalised to
3 × atoms per cell), divided by the molecules per cell; the three acoustic modes at Γ are left
out. All energies per molecule; kJ/mol in the tables.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from ase import Atoms
from phonopy import Phonopy

from molxtal.analysis.harmonic import Modes
from molxtal.models import Model
from molxtal.units import KJMOL_PER_EV, R_J_PER_MOL_K
from molxtal.workflows import phonons as ph
from molxtal.workflows.lattice_energy import (
    GAS_FMAX,
    MAX_STEPS,
    LatticeEnergyResult,
    lattice_energy,
)
from molxtal.workflows.relax import relax
from molxtal.workflows.vibrations import Vibration, vibrations

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
    gamma = int(np.argmin(np.abs(phonon.mesh.qpoints).sum(axis=1)))
    keep = np.ones_like(frequencies, dtype=bool)
    keep[gamma, np.argsort(np.abs(frequencies[gamma]))[:3]] = False
    per = float(phonon.mesh.weights.sum()) * molecules_per_cell
    return Modes.from_frequencies(frequencies[keep], weights[keep], "THz", per)


def gas_modes(vibration: Vibration) -> Modes:
    """The 3M−6 (3M−5) vibrational modes of one molecule (imaginary ones dropped, counted)."""
    return Modes.from_frequencies(vibration.frequencies_cm1, unit="cm-1")


def ideal_gas_rt_factor(linear: bool) -> float:
    """Gas translations + rotations + pV in units of RT: 4 (non-linear) or 7/2 (linear)."""
    return 3.5 if linear else 4.0


@dataclass
class Sublimation:
    """ΔH_sub(T) and its parts; ``terms_kJmol()`` gives every column per molecule in kJ/mol."""

    temperatures_K: np.ndarray
    lattice: LatticeEnergyResult
    gas_vibration: Vibration
    gas: Modes
    solid: Modes
    phonons: ph.PhononRun
    mesh: list[int]
    gas_relaxed_here: bool

    @property
    def linear(self) -> bool:
        return self.gas_vibration.linear

    def terms_kJmol(self) -> dict[str, np.ndarray]:
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
        e_latt = np.full(n, self.lattice.lattice_energy_kJ_per_mol)
        return {
            "T_K": t,
            "E_latt_kJmol": e_latt,
            "zpe_gas_kJmol": np.full(n, zpe_gas),
            "thermal_gas_kJmol": thermal_gas,
            "E_vib_gas_kJmol": e_vib_gas,
            "zpe_solid_kJmol": np.full(n, zpe_solid),
            "thermal_solid_kJmol": thermal_solid,
            "E_vib_solid_kJmol": e_vib_solid,
            "dE_zpe_kJmol": np.full(n, zpe_gas - zpe_solid),
            "dE_thermal_kJmol": thermal_gas - thermal_solid,
            "dE_vib_kJmol": e_vib_gas - e_vib_solid,
            "gas_RT_kJmol": gas_rt,
            "delta_TQN_kJmol": delta_tqn,
            "dH_sub_kJmol": -e_latt + delta_tqn,
            "delta_TQN_dulong_petit_kJmol": -2.0 * rt,
            "dH_sub_dulong_petit_kJmol": -e_latt - 2.0 * rt,
        }

    def geometries(self) -> dict[str, str]:
        """Which geometry each part used (the same relaxed structures throughout)."""
        gas = "given, relaxed here" if self.gas_relaxed_here else self.lattice.gas_source
        fmax = next(
            (
                r.fmax_target_eV_per_angstrom
                for r in self.lattice.relaxations
                if r.what != "gas molecule"
            ),
            None,
        )
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


def sublimation(
    crystal: Atoms,
    model: Model,
    temperatures: Sequence[float],
    molecule: Atoms | None = None,
    geometry: str = "positions",
    settings: ph.DisplacementSettings | None = None,
    mesh: Sequence[int] = (8, 8, 8),
    checkpoint_root: str | os.PathLike | None = None,
    fmax: float = CRYSTAL_FMAX,
    gas_fmax: float = GAS_FMAX,
    vibration_method: str = "auto",
    progress: Callable[[int], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> Sublimation:
    """ΔH_sub(T) of ``crystal`` per molecule.

    The gas molecule (``molecule`` relaxed here, or the first molecule of the crystal relaxed by
    the lattice-energy workflow) gives E_gas and the gas modes; the crystal relaxed as
    ``geometry`` (see :func:`molxtal.workflows.lattice_energy.lattice_energy`) gives E_crystal
    and the phonons (``settings``: supercell and displacements; force sets checkpointed under
    ``checkpoint_root``).
    """
    gas = None
    if molecule is not None:
        gas = relax(molecule, model, gas_fmax, MAX_STEPS, what="gas molecule").atoms
        gas = Atoms(gas.numbers, positions=gas.positions, pbc=False)
    lattice = lattice_energy(crystal, model, gas, geometry, fmax=fmax, gas_fmax=gas_fmax)
    vibration = vibrations(lattice.gas, model, method=vibration_method)
    settings = settings or ph.DisplacementSettings(supercell=np.eye(3, dtype=int))
    run = ph.run_force_constants(
        lattice.crystal, model, settings, checkpoint_root, progress=progress, on_start=on_start
    )
    return Sublimation(
        temperatures_K=np.asarray(temperatures, dtype=float),
        lattice=lattice,
        gas_vibration=vibration,
        gas=gas_modes(vibration),
        solid=solid_modes(run.phonon, mesh, lattice.n_molecules),
        phonons=run,
        mesh=list(mesh),
        gas_relaxed_here=molecule is not None,
    )
