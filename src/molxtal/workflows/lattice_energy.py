"""Lattice energy of a molecular crystal: E_latt = E_crystal / N_mol - E_gas (eV per molecule).

Negative when the crystal is bound. N_mol comes from molecule identification
(:func:`molxtal.structures.find_molecules`). Crystals whose molecules are not all the same
(co-crystals, salts, solvates) are refused with a :class:`MolxtalError`: their lattice energy
needs one gas-phase reference per kind of molecule and a stoichiometry, which this workflow does
not take.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from ase import Atoms, units
from ase.filters import FrechetCellFilter
from ase.optimize import BFGS

from molxtal.errors import MolxtalError
from molxtal.models import Model
from molxtal.structures import Molecules, find_molecules
from molxtal.units import KJMOL_PER_EV, MEV_PER_EV

GEOMETRIES = ("fixed", "positions", "cell")
#: Force threshold (eV/Å) for relaxing the gas molecule, and for the crystal by default.
GAS_FMAX = 1e-3
CRYSTAL_FMAX = 1e-2
MAX_STEPS = 500


@dataclass
class Relaxation:
    """How a BFGS relaxation ended: forces in eV/Å, energies in eV, volume in Å³."""

    what: str
    converged: bool
    steps: int
    fmax_eV_per_angstrom: float
    final_max_force_eV_per_angstrom: float
    energy_initial_eV: float
    energy_final_eV: float
    volume_initial_angstrom3: float | None = None
    volume_final_angstrom3: float | None = None
    pressure_GPa: float | None = None


@dataclass
class LatticeEnergy:
    """E_latt = E_crystal / N_mol - E_gas (eV per molecule) and how it was obtained."""

    formula: str
    n_molecules: int
    n_atoms: int
    crystal_energy_eV: float
    gas_energy_eV: float
    gas_source: str  # "given" or "extracted from the crystal and relaxed (BFGS, ...)"
    geometry: str  # "fixed", "positions" or "cell"
    volume_per_molecule_angstrom3: float
    relaxations: list[Relaxation]
    crystal: Atoms
    gas: Atoms

    @property
    def eV(self) -> float:
        return self.crystal_energy_eV / self.n_molecules - self.gas_energy_eV

    @property
    def kJmol(self) -> float:
        return self.eV * KJMOL_PER_EV

    @property
    def meV(self) -> float:
        return self.eV * MEV_PER_EV

    @property
    def converged(self) -> bool:
        return all(r.converged for r in self.relaxations)


def single_kind_molecules(atoms: Atoms, source: str = "crystal") -> Molecules:
    """The molecules of ``atoms``; a one-line error if they are not all the same formula."""
    molecules = find_molecules(atoms, source=source)
    if not molecules.all_same:
        parts = ", ".join(f"{n} {f}" for f, n in sorted(molecules.composition.items()))
        raise MolxtalError(
            f"{source}: molecules are not all the same ({parts}); lattice energies of "
            "co-crystals are not supported (one gas reference per molecule kind is needed)"
        )
    return molecules


def _max_force(atoms) -> float:
    return float(np.linalg.norm(atoms.get_forces(), axis=1).max())


def _bfgs(target, fmax: float, steps: int) -> tuple[bool, int]:
    optimizer = BFGS(target, logfile=None)
    converged = bool(optimizer.run(fmax=fmax, steps=steps))
    return converged, optimizer.nsteps


def relax_molecule(
    molecule: Atoms, model: Model, fmax: float = GAS_FMAX, steps: int = MAX_STEPS
) -> tuple[Atoms, Relaxation]:
    """Relax an isolated molecule (pbc False) with ASE BFGS to ``fmax`` eV/Å."""
    work = model.attach(molecule, "gas molecule")
    e0 = float(work.get_potential_energy())
    converged, nsteps = _bfgs(work, fmax, steps)
    relaxation = Relaxation(
        "gas molecule", converged, nsteps, fmax, _max_force(work), e0,
        float(work.get_potential_energy()),
    )  # fmt: skip
    return work, relaxation


def relax_crystal(
    crystal: Atoms,
    model: Model,
    geometry: str,
    pressure_GPa: float = 0.0,
    fmax: float = CRYSTAL_FMAX,
    steps: int = MAX_STEPS,
) -> tuple[Atoms, Relaxation]:
    """Relax atom positions (``positions``) or positions and cell (``cell``, FrechetCellFilter
    at scalar pressure ``pressure_GPa``) with ASE BFGS to ``fmax`` eV/Å (and eV/Å per cell DOF).
    """
    work = model.attach(crystal, "crystal")
    e0, v0 = float(work.get_potential_energy()), float(work.get_volume())
    if geometry == "positions":
        target, pressure = work, None
    else:
        target = FrechetCellFilter(work, scalar_pressure=pressure_GPa * units.GPa)
        pressure = pressure_GPa
    converged, nsteps = _bfgs(target, fmax, steps)
    residual = float(np.linalg.norm(target.get_forces(), axis=1).max())
    relaxation = Relaxation(
        f"crystal ({geometry})", converged, nsteps, fmax, residual, e0,
        float(work.get_potential_energy()), v0, float(work.get_volume()), pressure,
    )  # fmt: skip
    return work, relaxation


def crystal_energies(crystals: Sequence[Atoms], model: Model) -> list[float]:
    """Potential energies (eV) of periodic structures, batched where the model can."""
    return model.energies(crystals)


def gas_energy(molecule: Atoms, model: Model) -> float:
    """Potential energy (eV) of an isolated molecule (pbc False)."""
    return float(model.attach(molecule, "gas molecule").get_potential_energy())


def lattice_energy(
    crystal: Atoms,
    model: Model,
    molecule: Atoms | None = None,
    geometry: str = "fixed",
    pressure_GPa: float = 0.0,
    fmax: float = CRYSTAL_FMAX,
    gas_fmax: float = GAS_FMAX,
    steps: int = MAX_STEPS,
    source: str = "crystal",
) -> LatticeEnergy:
    """Lattice energy of ``crystal`` per molecule.

    ``molecule``: the gas-phase molecule, used as given; when None, the first molecule of the
    crystal is taken out and relaxed with BFGS to ``gas_fmax`` eV/Å. ``geometry``: ``fixed``
    (the crystal as given), ``positions`` or ``cell`` (see :func:`relax_crystal`).
    """
    if geometry not in GEOMETRIES:
        raise MolxtalError(f"unknown geometry '{geometry}'; choose one of {', '.join(GEOMETRIES)}")
    if not crystal.pbc.all():
        raise MolxtalError(f"{source}: structure is not periodic in all three directions")
    molecules = single_kind_molecules(crystal, source)
    formula = molecules.formulas[0]
    relaxations: list[Relaxation] = []
    if molecule is None:
        gas, relaxation = relax_molecule(molecules.molecule(crystal, 0), model, gas_fmax, steps)
        relaxations.append(relaxation)
        gas_source = f"extracted from the crystal and relaxed (ASE BFGS, fmax {gas_fmax} eV/Å)"
    else:
        gas = Atoms(molecule.numbers, positions=molecule.positions, pbc=False)
        given = gas.get_chemical_formula(mode="hill")
        if given != formula:
            raise MolxtalError(f"gas molecule is {given} but {source} is made of {formula}")
        gas_source = "given"
    if geometry == "fixed":
        work = crystal.copy()
        crystal_energy = crystal_energies([work], model)[0]
    else:
        work, relaxation = relax_crystal(crystal, model, geometry, pressure_GPa, fmax, steps)
        relaxations.append(relaxation)
        crystal_energy = float(work.get_potential_energy())
        after = single_kind_molecules(work, f"{source} (relaxed)")
        if after.count != molecules.count:
            raise MolxtalError(
                f"{source} (relaxed): {after.count} molecules instead of {molecules.count}; "
                "molecules reacted or dissociated during the relaxation"
            )
        work.calc = None
    return LatticeEnergy(
        formula=formula,
        n_molecules=molecules.count,
        n_atoms=len(crystal),
        crystal_energy_eV=crystal_energy,
        gas_energy_eV=gas_energy(gas, model),
        gas_source=gas_source,
        geometry=geometry,
        volume_per_molecule_angstrom3=float(work.get_volume()) / molecules.count,
        relaxations=relaxations,
        crystal=work,
        gas=Atoms(gas.numbers, positions=gas.positions, pbc=False),
    )
