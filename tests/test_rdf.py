"""Partial RDFs: lattice shells, ideal gas, and an independent brute-force implementation."""

from __future__ import annotations

import numpy as np
import pytest
from ase import Atoms
from ase.build import bulk

from molxtal.analysis.rdf import RDF, max_rdf_radius, partial_rdf, rdf_shape, squared_difference
from molxtal.errors import MolxtalError
from molxtal.structures import water_box


def test_rocksalt_shells_and_coordination_numbers():
    a = 5.64
    crystal = bulk("NaCl", "rocksalt", a=a, cubic=True).repeat(3)  # 16.92 Å box
    na_cl = partial_rdf([crystal], "Na", "Cl", bin_width=0.01)
    na_na = partial_rdf([crystal], "Na", "Na", bin_width=0.01)
    shape = rdf_shape(na_cl, smooth_bins=1)
    assert shape.peak_r == pytest.approx(a / 2, abs=0.01)
    assert shape.coordination_number == pytest.approx(6)
    # Coordination numbers between shells: 6 Cl at a/2, then 8 Cl at a√3/2; 12 Na at a/√2.
    assert np.interp(0.6 * a, na_cl.r, na_cl.coordination) == pytest.approx(6)
    assert np.interp(0.9 * a, na_cl.r, na_cl.coordination) == pytest.approx(6 + 8)
    assert rdf_shape(na_na, smooth_bins=1).peak_r == pytest.approx(a / np.sqrt(2), abs=0.01)
    assert np.interp(0.85 * a, na_na.r, na_na.coordination) == pytest.approx(12)
    assert np.interp(0.4 * a, na_cl.r, na_cl.coordination) == 0


def test_ideal_gas_is_flat():
    rng = np.random.default_rng(3)
    box = 12.0
    frames = [
        Atoms("Ar150", positions=rng.uniform(0, box, (150, 3)), cell=[box] * 3, pbc=True)
        for _ in range(10)
    ]
    rdf = partial_rdf(frames, "Ar", "Ar", bin_width=0.5)
    outer = rdf.r > 3
    assert np.abs(rdf.g[outer] - 1).max() < 0.1
    assert abs(rdf.g[outer].mean() - 1) < 0.01
    # n(r) of an ideal gas is ρ 4π r³/3.
    assert rdf.coordination[-1] == pytest.approx(149 / box**3 * 4 / 3 * np.pi * 6**3, rel=0.02)


def brute_force_gOO(frames, edges):
    """Independent g_OO: all O pairs, explicit minimum image in a cubic box."""
    total = np.zeros(len(edges) - 1)
    for frame in frames:
        pos = frame.positions[frame.numbers == 8]
        length = frame.cell[0, 0]
        delta = pos[:, None] - pos[None]
        delta -= length * np.round(delta / length)
        d = np.linalg.norm(delta, axis=-1)[~np.eye(len(pos), dtype=bool)]
        counts = np.histogram(d, bins=edges)[0]
        n = len(pos)
        ideal = n * (n - 1) / length**3 * 4 / 3 * np.pi * np.diff(edges**3)
        total += counts / ideal
    return total / len(frames)


def test_gOO_equals_independent_implementation():
    frames = [water_box(32, seed=s) for s in range(4)]
    rdf = partial_rdf(frames, "O", "O", bin_width=0.05)
    edges = np.arange(0, max_rdf_radius(frames) + 1e-12, 0.05)
    np.testing.assert_allclose(rdf.g, brute_force_gOO(frames, edges), rtol=0, atol=1e-6)
    assert rdf.g[rdf.r < 2.5].max() == 0  # water_box keeps O-O >= 2.5 Å


def test_a_skewed_cell_counts_what_ases_neighbour_list_counts():
    """Minimum-image distances in a triclinic cell (60° and 75° angles) give the pair counts of
    ASE's neighbour list (an independent search over periodic images), intermolecular too."""
    from ase.neighborlist import neighbor_list

    box = water_box(32, seed=2)
    cell = box.cell.cellpar()
    cell[3:] = (60.0, 75.0, 80.0)
    box.set_cell(cell, scale_atoms=True)
    molecules = np.repeat(np.arange(32), 3)
    for a, b in (("O", "O"), ("O", "H"), ("H", "H")):
        rdf = partial_rdf([box], a, b, bin_width=0.1, molecule_ids=molecules)
        r_max = rdf.r[-1] + 0.05
        i, j, d = neighbor_list("ijd", box, r_max)
        symbols = np.array(box.get_chemical_symbols())
        keep = (symbols[i] == a) & (symbols[j] == b) & (molecules[i] != molecules[j])
        n_a = int((symbols == a).sum())
        expected = np.count_nonzero(keep) / n_a  # neighbours of type b around one a, to r_max
        assert rdf.coordination[-1] == pytest.approx(expected, rel=1e-12)


def test_intramolecular_pairs_are_dropped():
    box = water_box(16, seed=0)
    molecules = np.repeat(np.arange(16), 3)
    all_pairs = partial_rdf([box], "O", "H")
    inter = partial_rdf([box], "O", "H", molecule_ids=molecules)
    assert all_pairs.coordination[np.searchsorted(all_pairs.r, 1.1)] == pytest.approx(2)
    assert inter.g[inter.r < 1.4].max() == 0


def test_r_max_beyond_half_cell_is_refused():
    with pytest.raises(MolxtalError, match="half the cell"):
        partial_rdf([bulk("Cu", cubic=True)], "Cu", "Cu", r_max=3.0)


def test_squared_difference_of_identical_curves_is_zero():
    frames = [water_box(16, seed=1)]
    rdf = partial_rdf(frames, "O", "O")
    assert squared_difference(rdf, rdf.r, rdf.g) == pytest.approx(0, abs=1e-12)
    assert squared_difference(rdf, rdf.r, rdf.g + 1) == pytest.approx(rdf.r[-1] - rdf.r[0])


@pytest.fixture
def soper():
    from molxtal.data.rdf import soper2013

    try:
        return soper2013()
    except MolxtalError as exc:
        pytest.skip(str(exc))


def test_soper2013_first_peak_matches_published_values(soper):
    # Soper 2013: g_OO maximum 2.495 at 2.79 Å; the partials are intermolecular (no O-H bond).
    assert soper.r[np.argmax(soper.g["OO"])] == pytest.approx(2.79, abs=0.015)
    assert soper.g["OO"].max() == pytest.approx(2.495, abs=0.001)
    assert soper.g["OH"][(soper.r > 0.8) & (soper.r < 1.2)].max() < 0.01
    rdf = RDF("OO", soper.r, soper.g["OO"], soper.g_err["OO"], np.zeros_like(soper.r), 1)
    shape = rdf_shape(rdf, smooth_bins=1)
    assert shape.peak_r == pytest.approx(2.79, abs=0.015)
    assert 3.2 < shape.min_r < 3.6
