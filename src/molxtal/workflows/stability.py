"""Relative Gibbs energies of polymorphs per molecule against temperature and pressure.

G(T, P) = E_latt + F_vib(T) + P V, per molecule: E_latt from the lattice-energy workflow (the
crystal relaxed as ``geometry``; one gas molecule for all polymorphs, so it cancels in
differences), F_vib the harmonic quantum free energy (thesis eq. 22) from phonons of the same
relaxed crystal, and P V at that fixed volume (first order in P: the harmonic, fixed-volume
approximation). Energies in kJ/mol, P in GPa, V in Å³.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from ase import Atoms, units

from molxtal.analysis.harmonic import Modes
from molxtal.models import Model
from molxtal.units import KJMOL_PER_EV
from molxtal.workflows import phonons as ph
from molxtal.workflows.lattice_energy import LatticeEnergyResult, lattice_energy
from molxtal.workflows.sublimation import CRYSTAL_FMAX, solid_modes


@dataclass
class Polymorph:
    """One relaxed polymorph: its lattice energy and phonon modes per molecule."""

    name: str
    lattice: LatticeEnergyResult
    modes: Modes
    run: ph.PhononRun

    @property
    def volume_A3(self) -> float:
        return self.lattice.volume_per_molecule_angstrom3

    def gibbs_kJmol(self, temperatures, pressure_GPa: float) -> np.ndarray:
        """E_latt + F_vib(T) + P V per molecule (kJ/mol)."""
        f_vib = self.modes.free_energy(np.asarray(temperatures, dtype=float)) * KJMOL_PER_EV
        pv = pressure_GPa * units.GPa * self.volume_A3 * KJMOL_PER_EV
        return self.lattice.lattice_energy_kJ_per_mol + f_vib + pv


def polymorphs(
    crystals: dict[str, Atoms],
    model: Model,
    settings: ph.DisplacementSettings,
    mesh: Sequence[int] = (8, 8, 8),
    geometry: str = "positions",
    fmax: float = CRYSTAL_FMAX,
    checkpoint_root: str | os.PathLike | None = None,
) -> list[Polymorph]:
    """Relax each crystal, its lattice energy (gas molecule from the first) and its phonons."""
    result, gas = [], None
    for name, atoms in crystals.items():
        lattice = lattice_energy(atoms, model, gas, geometry, fmax=fmax, source=name)
        gas = lattice.gas
        run = ph.run_force_constants(lattice.crystal, model, settings, checkpoint_root)
        result.append(
            Polymorph(name, lattice, solid_modes(run.phonon, mesh, lattice.n_molecules), run)
        )
    return result


def relative_gibbs(
    items: Sequence[Polymorph], temperatures, pressures_GPa: Sequence[float]
) -> dict[str, dict[float, np.ndarray]]:
    """G − G(first polymorph) per molecule (kJ/mol): name -> pressure -> array over T."""
    reference = items[0]
    return {
        p.name: {
            float(pressure): p.gibbs_kJmol(temperatures, pressure)
            - reference.gibbs_kJmol(temperatures, pressure)
            for pressure in pressures_GPa
        }
        for p in items
    }


def stable_polymorph(delta_g: dict[str, dict[float, np.ndarray]]) -> dict[float, list[str]]:
    """Pressure -> name of the lowest-G polymorph at each temperature."""
    names = list(delta_g)
    pressures = next(iter(delta_g.values())).keys()
    return {
        p: [names[k] for k in np.argmin([delta_g[n][p] for n in names], axis=0)] for p in pressures
    }
