"""Let periodic-only models (CHGNet) evaluate isolated molecules in a vacuum box."""

from __future__ import annotations

import numpy as np
from ase import Atoms
from ase.calculators.calculator import Calculator, all_changes

from molxtal.errors import MolxtalError

#: Vacuum (Å) between the molecule and the box faces, on each side. Images are then at least
#: twice this apart, far beyond the cutoff of the models molxtal ships (CHGNet: 5 Å).
DEFAULT_VACUUM = 10.0


def vacuum_box(atoms: Atoms, vacuum: float = DEFAULT_VACUUM) -> Atoms:
    """A periodic copy of a molecule centred in an orthorhombic box with ``vacuum`` Å margins."""
    boxed = atoms.copy()
    boxed.pbc = True
    extent = np.ptp(atoms.positions, axis=0) if len(atoms) else np.zeros(3)
    boxed.cell = np.diag(extent + 2.0 * vacuum)
    boxed.positions += boxed.cell.diagonal() / 2 - atoms.positions.mean(axis=0)
    return boxed


class PeriodicBoxCalculator(Calculator):
    """Wrap a calculator that needs a cell: molecules (``pbc`` all False) are boxed on the fly.

    Periodic structures pass through unchanged. Energies and forces of a boxed molecule do not
    depend on the box (checked in the tests); stress is not defined for a molecule.
    """

    implemented_properties = ["energy", "free_energy", "forces", "stress"]

    def __init__(self, inner: Calculator, vacuum: float = DEFAULT_VACUUM, **kwargs):
        super().__init__(**kwargs)
        self.inner = inner
        self.vacuum = vacuum
        #: compute the stress of a periodic structure in the same pass as energy and forces
        #: (see :meth:`molxtal.models.base.Model.include_stress`)
        self.include_stress = True

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        super().calculate(atoms, properties, system_changes)
        if self.atoms.pbc.all():
            work = self.atoms.copy()
        elif not self.atoms.pbc.any():
            if "stress" in properties:
                raise MolxtalError("stress is not defined for an isolated molecule (pbc=False)")
            work = vacuum_box(self.atoms, self.vacuum)
        else:
            raise MolxtalError(
                f"partially periodic structures (pbc={self.atoms.pbc.tolist()}) are not supported;"
                " use pbc=True (crystal) or pbc=False (molecule)"
            )
        stress = "stress" in properties or (self.include_stress and self.atoms.pbc.all())
        work.calc = self.inner
        wanted = ["energy", "forces", *(["stress"] if stress else [])]
        self.inner.reset()
        self.inner.calculate(work, wanted, all_changes)  # one call for every wanted property
        self.results = {
            "energy": work.get_potential_energy(),
            "forces": work.get_forces(),
        }
        self.results["free_energy"] = self.results["energy"]
        if stress:
            self.results["stress"] = work.get_stress()
