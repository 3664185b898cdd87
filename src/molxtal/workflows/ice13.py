"""DMC-ICE13: lattice energies of the 13 fixed ice cells with one model.

E_latt(x) = E(x) / N_mol(x) - E(H2O, gas) with the data set's fixed cells and gas molecule
(Della Pia et al., J. Chem. Phys. 157, 134701 (2022)); nothing is relaxed.
"""

from __future__ import annotations

from dataclasses import dataclass

from ase import Atoms

from molxtal.data import dmc_ice13
from molxtal.models import Model
from molxtal.units import KJMOL_PER_EV
from molxtal.workflows.lattice_energy import crystal_energies, gas_energy, single_kind_molecules


@dataclass
class Ice13Energies:
    """Energies of one model on DMC-ICE13: crystal cells and gas molecule in eV."""

    model: str
    crystal_energy_eV: dict[str, float]
    n_molecules: dict[str, int]
    gas_energy_eV: float

    @property
    def eV(self) -> dict[str, float]:
        """Lattice energy per phase, eV per H2O."""
        return {
            phase: energy / self.n_molecules[phase] - self.gas_energy_eV
            for phase, energy in self.crystal_energy_eV.items()
        }

    @property
    def kJmol(self) -> dict[str, float]:
        """Lattice energy per phase, kJ/mol per H2O."""
        return {phase: value * KJMOL_PER_EV for phase, value in self.eV.items()}


def ice13_energies(
    model: Model, crystals: dict[str, Atoms] | None = None, gas: Atoms | None = None
) -> Ice13Energies:
    """Evaluate ``model`` on the 13 DMC-ICE13 cells and the gas molecule (data set defaults)."""
    crystals = crystals if crystals is not None else dmc_ice13.polymorphs()
    gas = gas if gas is not None else dmc_ice13.gas_molecule()
    counts = {
        phase: single_kind_molecules(atoms, f"ice {phase}").count
        for phase, atoms in crystals.items()
    }
    energies = crystal_energies(list(crystals.values()), model)
    return Ice13Energies(
        model=model.name,
        crystal_energy_eV=dict(zip(crystals, energies, strict=True)),
        n_molecules=counts,
        gas_energy_eV=gas_energy(gas, model),
    )
