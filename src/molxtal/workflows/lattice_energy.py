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
from typing import Any

from ase import Atoms

from molxtal.errors import MolxtalError
from molxtal.models import Model
from molxtal.results import Result, ResultDir, Table
from molxtal.structures import Molecules, find_molecules
from molxtal.units import KJMOL_PER_EV, MEV_PER_EV
from molxtal.workflows.relax import Relaxation, relax

#: How the crystal is treated: as given, atoms relaxed, or atoms and cell relaxed.
GEOMETRIES = ("fixed", "positions", "cell")
#: Force threshold (eV/Å) for relaxing the gas molecule, and for the crystal by default.
GAS_FMAX = 1e-3
CRYSTAL_FMAX = 1e-2
MAX_STEPS = 500


@dataclass
class LatticeEnergyResult(Result):
    """E_latt = E_crystal / N_mol - E_gas (per molecule) of one crystal with one model, and how
    it was obtained. ``crystal`` and ``gas`` are the final structures; energies in eV (the
    crystal's per cell), volume in Å³."""

    model: str
    source: str
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
    def lattice_energy_eV(self) -> float:
        return self.crystal_energy_eV / self.n_molecules - self.gas_energy_eV

    @property
    def lattice_energy_kJ_per_mol(self) -> float:
        return self.lattice_energy_eV * KJMOL_PER_EV

    @property
    def lattice_energy_meV(self) -> float:
        return self.lattice_energy_eV * MEV_PER_EV

    @property
    def converged(self) -> bool:
        return all(r.converged for r in self.relaxations)

    def numbers(self) -> dict[str, Any]:
        """The numbers of this model without the relaxation records (one CSV row)."""
        return {
            "model": self.model,
            "crystal": self.source,
            "formula": self.formula,
            "n_molecules": self.n_molecules,
            "n_atoms": self.n_atoms,
            "crystal_energy_eV": self.crystal_energy_eV,
            "gas_energy_eV": self.gas_energy_eV,
            "gas_source": self.gas_source,
            "geometry": self.geometry,
            "volume_per_molecule_angstrom3": self.volume_per_molecule_angstrom3,
            "lattice_energy_eV": self.lattice_energy_eV,
            "lattice_energy_kJ_per_mol": self.lattice_energy_kJ_per_mol,
            "lattice_energy_meV": self.lattice_energy_meV,
            "converged": self.converged,
        }

    def to_dict(self) -> dict[str, Any]:
        return {**self.numbers(), "relaxations": [r.to_dict() for r in self.relaxations]}

    def frames(self) -> list[Atoms]:
        """The final crystal and gas molecule, tagged with the model and their role."""
        crystal, gas = self.crystal.copy(), self.gas.copy()
        crystal.info.update(model=self.model, role="crystal")
        gas.info.update(model=self.model, role="gas")
        return [crystal, gas]

    def summary(self) -> list[Table]:
        return lattice_energy_tables([self])

    def csv_tables(self) -> dict[str, list[dict[str, Any]]]:
        return {"lattice_energy.csv": [self.numbers()]}

    def write_files(self, folder: ResultDir) -> None:
        folder.write_atoms("structures.extxyz", self.frames())


@dataclass
class LatticeEnergies(Result):
    """The lattice energy of one crystal with several models (one result per model)."""

    source: str
    results: list[LatticeEnergyResult]

    def to_dict(self) -> dict[str, Any]:
        return {
            "crystal": self.source,
            "units": "per molecule (crystal_energy_eV: per cell)",
            "models": {r.model: r.to_dict() for r in self.results},
        }

    def summary(self) -> list[Table]:
        return lattice_energy_tables(self.results)

    def csv_tables(self) -> dict[str, list[dict[str, Any]]]:
        return {"lattice_energy.csv": [r.numbers() for r in self.results]}

    def write_files(self, folder: ResultDir) -> None:
        folder.write_atoms("structures.extxyz", [f for r in self.results for f in r.frames()])


def lattice_energy_tables(results: Sequence[LatticeEnergyResult]) -> list[Table]:
    """The lattice energy of each model, and every relaxation behind it (one row each)."""
    first = results[0]
    energies = Table(
        f"Lattice energy: {first.source} (geometry {first.geometry})",
        ["model", "molecule", "N_mol", "E_latt (eV)", "E_latt (kJ/mol)", "E_latt (meV)",
         "V/molecule (Å³)", "gas molecule"],
        [[r.model, r.formula, r.n_molecules, f"{r.lattice_energy_eV:.6f}",
          f"{r.lattice_energy_kJ_per_mol:.3f}", f"{r.lattice_energy_meV:.2f}",
          f"{r.volume_per_molecule_angstrom3:.3f}", r.gas_source.split(" (")[0]] for r in results],
    )  # fmt: skip
    relaxed = [(r.model, x) for r in results for x in r.relaxations]
    if not relaxed:
        return [energies]
    relaxations = Table(
        "Relaxations (BFGS)",
        ["model", "what", "converged", "steps", "max force (eV/Å)", "threshold (eV/Å)",
         "ΔE (eV)"],
        [[name, x.what, "yes" if x.converged else "NO", x.steps,
          f"{x.fmax_eV_per_angstrom:.2e}", f"{x.fmax_target_eV_per_angstrom:g}",
          f"{x.energy_eV - x.energy_initial_eV:.6f}"] for name, x in relaxed],
        [f"{name}: {x.what} NOT converged in {x.steps} steps" for name, x in relaxed
         if not x.converged],
    )  # fmt: skip
    return [energies, relaxations]


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


def distinct_names(models: Sequence[Model]) -> list[str]:
    """The models' names; an error if two are the same (results are keyed by name)."""
    names = [m.name for m in models]
    if len(set(names)) != len(names):
        raise MolxtalError(f"two models have the same name ({', '.join(names)}); rename a file")
    return names


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
) -> LatticeEnergyResult:
    """Lattice energy of ``crystal`` per molecule with ``model``.

    ``molecule``: the gas-phase molecule, used as given; when None, the first molecule of the
    crystal is taken out and relaxed with BFGS to ``gas_fmax`` eV/Å. ``geometry``: ``fixed``
    (the crystal as given), ``positions`` (atoms relaxed with BFGS to ``fmax`` eV/Å) or
    ``cell`` (atoms and cell, at ``pressure_GPa`` GPa; see :func:`molxtal.workflows.relax.relax`),
    at most ``steps`` steps per relaxation. ``source`` names the crystal in messages.
    """
    if geometry not in GEOMETRIES:
        raise MolxtalError(f"unknown geometry '{geometry}'; choose one of {', '.join(GEOMETRIES)}")
    if not crystal.pbc.all():
        raise MolxtalError(f"{source}: structure is not periodic in all three directions")
    molecules = single_kind_molecules(crystal, source)
    formula = molecules.formulas[0]
    relaxations: list[Relaxation] = []
    if molecule is None:
        relaxation = relax(
            molecules.molecule(crystal, 0), model, gas_fmax, steps, what="gas molecule"
        )
        relaxations.append(relaxation)
        gas = relaxation.atoms
        gas_source = f"extracted from the crystal and relaxed (ASE BFGS, fmax {gas_fmax} eV/Å)"
    else:
        gas = molecule
        given = gas.get_chemical_formula(mode="hill")
        if given != formula:
            raise MolxtalError(f"gas molecule is {given} but {source} is made of {formula}")
        gas_source = "given"
    gas = Atoms(gas.numbers, positions=gas.positions, pbc=False)
    if geometry == "fixed":
        final = crystal.copy()
        crystal_energy = crystal_energies([final], model)[0]
    else:
        relaxation = relax(
            crystal, model, fmax, steps, mode=geometry, pressure_GPa=pressure_GPa, what="crystal"
        )
        relaxations.append(relaxation)
        final, crystal_energy = relaxation.atoms, relaxation.energy_eV
        after = single_kind_molecules(final, f"{source} (relaxed)")
        if after.count != molecules.count:
            raise MolxtalError(
                f"{source} (relaxed): {after.count} molecules instead of {molecules.count}; "
                "molecules reacted or dissociated during the relaxation"
            )
    return LatticeEnergyResult(
        model=model.name,
        source=source,
        formula=formula,
        n_molecules=molecules.count,
        n_atoms=len(crystal),
        crystal_energy_eV=crystal_energy,
        gas_energy_eV=gas_energy(gas, model),
        gas_source=gas_source,
        geometry=geometry,
        volume_per_molecule_angstrom3=float(final.get_volume()) / molecules.count,
        relaxations=relaxations,
        crystal=final,
        gas=gas,
    )


def lattice_energies(
    crystal: Atoms, models: Sequence[Model], source: str = "crystal", **settings: Any
) -> LatticeEnergies:
    """:func:`lattice_energy` of ``crystal`` with each of ``models``, the same ``settings``
    (``molecule``, ``geometry``, ``pressure_GPa``, ``fmax``, ``gas_fmax``, ``steps``) for all."""
    distinct_names(models)
    return LatticeEnergies(
        source, [lattice_energy(crystal, m, source=source, **settings) for m in models]
    )
