"""Single-point energy, forces and (for periodic cells) stress."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ase import Atoms

from molxtal.models import Model


@dataclass
class SinglePoint:
    """Energy (eV), forces (eV/Å), stress (eV/Å³, Voigt xx yy zz yz xz xy; None for molecules)."""

    energy_eV: float
    forces_eV_per_angstrom: np.ndarray
    stress_eV_per_angstrom3: np.ndarray | None
    n_atoms: int

    @property
    def max_force_eV_per_angstrom(self) -> float:
        return float(np.linalg.norm(self.forces_eV_per_angstrom, axis=1).max())


def singlepoint(atoms: Atoms, model: Model) -> SinglePoint:
    """Evaluate ``model`` once on ``atoms``."""
    work = model.attach(atoms)
    energy = float(work.get_potential_energy())
    forces = np.array(work.get_forces())
    stress = np.array(work.get_stress(voigt=True)) if work.pbc.all() else None
    return SinglePoint(energy, forces, stress, len(work))
