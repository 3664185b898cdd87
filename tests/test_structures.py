"""Structures: reading with clear errors, water builders, molecule identification."""

from __future__ import annotations

import numpy as np
import pytest
from ase import Atoms
from ase.build import bulk, molecule
from ase.geometry import get_distances

from molxtal.data import dmc_ice13
from molxtal.errors import MolxtalError
from molxtal.structures import (
    ANGLE_HOH_EXPERIMENT,
    R_OH_EXPERIMENT,
    density_g_cm3,
    find_molecules,
    read_structure,
    water_box,
    water_dimer,
    water_molecule,
)


@pytest.mark.parametrize("phase", dmc_ice13.PHASES)
def test_ice_polymorphs_have_the_known_number_of_molecules(phase, data_dir):
    atoms = dmc_ice13.polymorph(phase)
    molecules = find_molecules(atoms)
    assert molecules.count == dmc_ice13.MOLECULES_PER_CELL[phase]
    assert molecules.composition == {"H2O": molecules.count}
    # every unwrapped molecule is whole: two O-H bonds of about 1 Å
    for k in range(molecules.count):
        water = molecules.molecule(atoms, k)
        o = water.get_chemical_symbols().index("O")
        bonds = [water.get_distance(o, h) for h in range(3) if h != o]
        assert all(0.9 < b < 1.1 for b in bonds)


def test_published_molecule_counts_match_the_provenance_table():
    expected = [12, 12, 12, 16, 10, 12, 8, 12, 8, 28, 12, 10, 6]  # Ih ... XVII, from the issue
    assert [dmc_ice13.MOLECULES_PER_CELL[p] for p in dmc_ice13.PHASES] == expected


def methane_crystal() -> Atoms:
    """Four CH4 in a cubic cell, two of them cut by the cell boundary."""
    cell = 9.0
    crystal = Atoms(cell=[cell] * 3, pbc=True)
    for centre in [(0.2, 0.2, 0.2), (4.5, 4.5, 0.0), (4.5, 0.0, 4.5), (0.0, 4.5, 4.5)]:
        ch4 = molecule("CH4")
        ch4.positions += centre
        crystal += ch4
    crystal.wrap()
    return crystal


def test_molecules_of_another_crystal_are_found_and_unwrapped():
    crystal = methane_crystal()
    molecules = find_molecules(crystal)
    assert molecules.count == 4 and molecules.all_same and molecules.formulas[0] == "CH4"
    reference = molecule("CH4")
    for k in range(4):
        ch4 = molecules.molecule(crystal, k)
        # intramolecular distances equal the isolated molecule's (rigid translation)
        d_ref = np.sort(get_distances(reference.positions)[1].ravel())
        d_mol = np.sort(get_distances(ch4.positions)[1].ravel())
        np.testing.assert_allclose(d_mol, d_ref, atol=1e-10)


def test_co_crystal_is_recognised():
    crystal = methane_crystal()
    water = water_molecule()
    water.positions += (4.5, 4.5, 4.5)
    crystal += water
    molecules = find_molecules(crystal)
    assert not molecules.all_same and molecules.composition == {"CH4": 4, "H2O": 1}


def test_extended_network_is_not_a_molecular_crystal():
    with pytest.raises(MolxtalError, match="extended network"):
        find_molecules(bulk("Si", "diamond", a=5.43), source="si.cif")


def test_water_molecule_has_the_experimental_geometry():
    water = water_molecule()
    assert water.get_distance(0, 1) == pytest.approx(R_OH_EXPERIMENT, abs=1e-12)
    assert water.get_distance(0, 2) == pytest.approx(R_OH_EXPERIMENT, abs=1e-12)
    assert water.get_angle(1, 0, 2) == pytest.approx(ANGLE_HOH_EXPERIMENT, abs=1e-10)


def test_water_dimer_is_the_thesis_start():
    dimer = water_dimer()
    assert dimer.get_chemical_formula() == "H4O2"
    assert dimer.get_distance(0, 3) == pytest.approx(2.9, abs=0.15)  # O-O of a hydrogen bond
    assert find_molecules(dimer).count == 2


@pytest.mark.parametrize("n,density", [(32, 0.997), (64, 0.92)])
def test_liquid_box_density_and_minimum_distance(n, density):
    box = water_box(n, density_g_cm3=density, min_oo=2.5, seed=3)
    assert len(box) == 3 * n
    assert density_g_cm3(box) == pytest.approx(density, rel=1e-9)
    oxygens = box[[a.index for a in box if a.symbol == "O"]]
    distances = oxygens.get_all_distances(mic=True)
    assert distances[np.triu_indices(n, 1)].min() >= 2.5
    assert find_molecules(box).composition == {"H2O": n}
    again = water_box(n, density_g_cm3=density, min_oo=2.5, seed=3)
    np.testing.assert_array_equal(box.positions, again.positions)  # the seed reproduces it


def test_impossible_box_is_a_clear_error():
    with pytest.raises(MolxtalError, match="could not place"):
        water_box(64, density_g_cm3=3.0, min_oo=3.2, max_attempts=2000)


def test_malformed_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "broken.xyz"
    bad.write_text("3\ncomment\nO 0 0 0\nH 0 0\n")
    with pytest.raises(MolxtalError, match=r"broken\.xyz: cannot read structure"):
        read_structure(bad)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(MolxtalError, match="file not found"):
        read_structure(tmp_path / "absent.cif")


def test_overlapping_atoms_are_a_clear_error(tmp_path):
    path = tmp_path / "overlap.xyz"
    Atoms("OH2", positions=[(0, 0, 0), (0.1, 0, 0), (0, 1, 0)]).write(path)
    with pytest.raises(MolxtalError, match="overlapping atoms"):
        read_structure(path)
