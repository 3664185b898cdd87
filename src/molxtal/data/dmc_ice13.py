"""DMC-ICE13: 13 ice polymorphs, the gas molecule, and published lattice energies.

Della Pia, Zen, Alfè and Michaelides, J. Chem. Phys. 157, 134701 (2022).
"""

from __future__ import annotations

import csv

from ase import Atoms

from molxtal.data.store import data_file
from molxtal.structures.io import read_structure

PHASES = ("Ih", "II", "III", "IV", "VI", "VII", "VIII", "IX", "XI", "XIII", "XIV", "XV", "XVII")
#: Molecules per cell (checked against molecule identification in the tests).
MOLECULES_PER_CELL = dict(
    zip(PHASES, (12, 12, 12, 16, 10, 12, 8, 12, 8, 28, 12, 10, 6), strict=True)
)
LATTICE_ENERGY_TABLE = "dmc_ice13/published_lattice_energies_kJmol_wide.csv"
CITATION = "Della Pia et al., J. Chem. Phys. 157, 134701 (2022)"


def polymorph(phase: str) -> Atoms:
    """The fixed DMC-ICE13 cell of ice ``phase`` (e.g. ``"Ih"``)."""
    if phase not in PHASES:
        raise KeyError(f"unknown ice phase '{phase}'; choose one of {PHASES}")
    atoms = read_structure(data_file(f"dmc_ice13/structures_vasp/{phase}/POSCAR"), format="vasp")
    atoms.info["name"] = f"ice {phase}"
    return atoms


def polymorphs() -> dict[str, Atoms]:
    """All 13 DMC-ICE13 cells, keyed by phase."""
    return {phase: polymorph(phase) for phase in PHASES}


def gas_molecule() -> Atoms:
    """The gas-phase H2O of DMC-ICE13 (r_OH 0.9572 Å, 104.52°), as an isolated molecule."""
    boxed = read_structure(data_file("dmc_ice13/structures_vasp/water/POSCAR"), format="vasp")
    return Atoms(boxed.numbers, positions=boxed.positions, pbc=False)


def published_lattice_energies() -> dict[str, dict[str, float]]:
    """Absolute lattice energies (kJ/mol per H2O) by method then phase: DMC and 51 DFT/HF.

    The DMC value of ice VIII here is the table's -55.22 kJ/mol (the thesis quotes -582 meV).
    """
    with open(data_file(LATTICE_ENERGY_TABLE)) as handle:
        return {
            row["method"]: {phase: float(row[phase]) for phase in PHASES}
            for row in csv.DictReader(handle)
        }
