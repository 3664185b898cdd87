"""Molecule identification in periodic crystals by covalent connectivity.

Two atoms are bonded when their distance (minimum image across periodic boundaries) is below
``scale`` times the sum of their covalent radii. Connected components are the molecules. A
component that connects to its own periodic image is an extended network, not a molecule.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass

import numpy as np
from ase import Atoms
from ase.data import covalent_radii
from ase.neighborlist import neighbor_list

from molxtal.errors import MolxtalError

#: Bond if d < BOND_SCALE * (r_cov,i + r_cov,j). 1.2 keeps O-H (0.96-1.0 Å) and excludes
#: hydrogen bonds (H···O 1.6-2.0 Å) in water and ice.
BOND_SCALE = 1.2


@dataclass
class Molecules:
    """The molecules of a structure: ``indices[k]`` are the atoms of molecule ``k``.

    ``unwrapped`` holds Cartesian positions (Å) in which every molecule is whole.
    """

    indices: list[np.ndarray]
    formulas: list[str]
    unwrapped: np.ndarray

    @property
    def count(self) -> int:
        return len(self.indices)

    @property
    def composition(self) -> dict[str, int]:
        """How many molecules of each formula."""
        return dict(Counter(self.formulas))

    @property
    def all_same(self) -> bool:
        return len(set(self.formulas)) == 1

    def molecule(self, atoms: Atoms, k: int) -> Atoms:
        """Molecule ``k`` as a whole, isolated (non-periodic) Atoms."""
        idx = self.indices[k]
        mol = Atoms(atoms.numbers[idx], positions=self.unwrapped[idx], pbc=False)
        if atoms.has("masses"):
            mol.set_masses(atoms.get_masses()[idx])
        return mol


def _formula(atoms: Atoms, idx: np.ndarray) -> str:
    return Atoms(atoms.numbers[idx]).get_chemical_formula(mode="hill")


def find_molecules(atoms: Atoms, scale: float = BOND_SCALE, source: str = "structure") -> Molecules:
    """Identify the molecules of ``atoms`` (periodic or not) and unwrap each one whole."""
    radii = covalent_radii[atoms.numbers] * scale
    i, j, offsets = neighbor_list("ijD", atoms, radii.tolist(), self_interaction=False)
    neighbours: list[list[tuple[int, np.ndarray]]] = [[] for _ in atoms]
    for a, b, vec in zip(i, j, offsets, strict=True):
        neighbours[a].append((b, vec))

    unwrapped = np.full((len(atoms), 3), np.nan)
    molecules: list[np.ndarray] = []
    for start in range(len(atoms)):
        if not np.isnan(unwrapped[start, 0]):
            continue
        unwrapped[start] = atoms.positions[start]
        members, queue = [start], deque([start])
        while queue:
            a = queue.popleft()
            for b, vec in neighbours[a]:
                target = unwrapped[a] + vec
                if np.isnan(unwrapped[b, 0]):
                    unwrapped[b] = target
                    members.append(b)
                    queue.append(b)
                elif np.linalg.norm(unwrapped[b] - target) > 1e-6:
                    raise MolxtalError(
                        f"{source}: atom {b} ({atoms[b].symbol}) is bonded to its own periodic "
                        "image, so the structure is an extended network and its molecules "
                        "cannot be identified"
                    )
        molecules.append(np.array(sorted(members)))
    return Molecules(molecules, [_formula(atoms, m) for m in molecules], unwrapped)


def unwrap_molecules(atoms: Atoms, molecules: Molecules | None = None) -> Atoms:
    """A copy of ``atoms`` with every molecule made whole (same cell, same energy)."""
    molecules = molecules or find_molecules(atoms)
    whole = atoms.copy()
    whole.positions = molecules.unwrapped
    return whole


def read_molecule(path) -> Atoms:
    """The one molecule in the file ``path`` as isolated Atoms (made whole if the file is
    periodic); a one-line error if the file holds more or fewer than one molecule."""
    from molxtal.structures.io import read_structure

    atoms = read_structure(path)
    molecules = find_molecules(atoms, source=str(path))
    if molecules.count != 1:
        raise MolxtalError(f"{path} holds {molecules.count} molecules, not one")
    return molecules.molecule(atoms, 0)
