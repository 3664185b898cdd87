"""A cheap flexible-water force field for crystals: valence terms + intermolecular Lennard-Jones."""

from __future__ import annotations

import numpy as np
import torch
from ase import Atoms
from ase.calculators.calculator import Calculator, all_changes
from ase.geometry import find_mic
from ase.neighborlist import neighbor_list
from harmonic_water import K_R, K_THETA, R0, THETA0

from molxtal.models import Model

SIGMA, EPSILON, CUTOFF = 2.0, 0.01, 4.0  # Å, eV, Å


class FlexibleWater(Calculator):
    """Each O owns its two nearest H (valence force field of ``harmonic_water``); atoms of
    different molecules (or periodic images more than 2 Å apart) interact by a shifted
    Lennard-Jones potential. Forces by autograd."""

    implemented_properties = ["energy", "forces"]

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        super().calculate(atoms, properties, system_changes)
        a = self.atoms
        x = torch.tensor(a.positions, dtype=torch.float64, requires_grad=True)
        oxygens = np.flatnonzero(a.numbers == 8)
        hydrogens = np.flatnonzero(a.numbers == 1)
        owner = np.empty(len(a), dtype=int)
        owner[oxygens] = np.arange(len(oxygens))
        energy = torch.zeros((), dtype=torch.float64)
        vectors = a.positions[hydrogens][None] - a.positions[oxygens][:, None]
        for k, o in enumerate(oxygens):
            mic, lengths = find_mic(vectors[k], a.cell, a.pbc)
            h = hydrogens[np.argsort(lengths)[:2]]
            owner[h] = k
            shift = torch.tensor(mic - vectors[k], dtype=torch.float64)[np.argsort(lengths)[:2]]
            b1, b2 = x[h[0]] - x[o] + shift[0], x[h[1]] - x[o] + shift[1]
            r1, r2 = b1.norm(), b2.norm()
            theta = torch.acos(torch.dot(b1, b2) / (r1 * r2))
            energy = energy + K_R / 2 * ((r1 - R0) ** 2 + (r2 - R0) ** 2)
            energy = energy + K_THETA / 2 * (theta - THETA0) ** 2
        if a.pbc.any():
            i, j, s = neighbor_list("ijS", a, CUTOFF)
            d = x[j] - x[i] + torch.tensor(s @ a.cell.array, dtype=torch.float64)
            other = torch.tensor((owner[i] != owner[j]) | (d.detach().norm(dim=1).numpy() > 2.0))
            d = d[other]
            r6 = (SIGMA / d.norm(dim=1)) ** 6
            shift = 4 * EPSILON * ((SIGMA / CUTOFF) ** 12 - (SIGMA / CUTOFF) ** 6)
            energy = energy + 0.5 * (4 * EPSILON * (r6**2 - r6) - shift).sum()
        energy.backward()
        self.results = {"energy": float(energy.detach()), "forces": -x.grad.numpy()}


def water_crystal_model() -> Model:
    return Model(name="flexible-water", family="test", calculator=FlexibleWater(), sha256="fw")


def fcc_water_crystal(d: float = 3.0) -> Atoms:
    """One tilted water molecule per primitive cell of an fcc lattice, neighbours ``d`` Å apart."""
    c, s = np.cos(THETA0 / 2), np.sin(THETA0 / 2)
    molecule = Atoms("OH2", positions=[(0, 0, 0), (R0 * s, R0 * c, 0), (-R0 * s, R0 * c, 0)])
    molecule.euler_rotate(30, 40, 50)
    molecule.translate((0.2, 0.3, 0.4))
    return Atoms(
        molecule.symbols,
        molecule.positions,
        cell=(np.ones((3, 3)) - np.eye(3)) * d / 2**0.5,
        pbc=True,
    )
