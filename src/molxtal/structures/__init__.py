"""Structures: reading files, built-in water structures, data-set crystals, molecules."""

from molxtal.structures.io import check_overlaps, read_structure
from molxtal.structures.molecules import (
    Molecules,
    find_molecules,
    read_molecule,
    unwrap_molecules,
)
from molxtal.structures.water import (
    ANGLE_HOH_EXPERIMENT,
    R_OH_EXPERIMENT,
    density_g_cm3,
    water_box,
    water_dimer,
    water_molecule,
)

__all__ = [
    "ANGLE_HOH_EXPERIMENT",
    "R_OH_EXPERIMENT",
    "Molecules",
    "check_overlaps",
    "density_g_cm3",
    "find_molecules",
    "read_molecule",
    "read_structure",
    "unwrap_molecules",
    "water_box",
    "water_dimer",
    "water_molecule",
]
