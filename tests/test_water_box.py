"""The liquid-water box before the MLIP: packing, rigid TIP4P minimisation and
pre-equilibration (temperature and molecular pressure), and the statuses of MD numbers."""

from __future__ import annotations

import numpy as np
import pytest
from ase import units

from molxtal.results import CONVERGED, INDICATIVE
from molxtal.structures import water_box
from molxtal.workflows.water_box import (
    WaterBoxSettings,
    classical_model,
    molecular_pressure_bar,
    prepare_water_box,
)


def intermolecular_oo(atoms):
    """All O–O distances between different molecules (minimum image), Å."""
    oxygens = atoms.positions[::3]
    delta = oxygens[:, None] - oxygens[None]
    delta -= atoms.cell.lengths() * np.round(delta / atoms.cell.lengths())
    distances = np.linalg.norm(delta, axis=-1)
    return distances[np.triu_indices(len(oxygens), 1)]


@pytest.mark.parametrize(("n", "min_oo"), [(32, 2.5), (64, 2.6)])
def test_packed_box_keeps_the_minimum_oo_distance(n, min_oo):
    box = water_box(n, 0.997, min_oo=min_oo, seed=4)
    assert len(box) == 3 * n
    assert intermolecular_oo(box).min() >= min_oo
    mass_g = box.get_masses().sum() / units._Nav
    assert mass_g / (box.get_volume() * 1e-24) == pytest.approx(0.997, rel=1e-9)


def test_molecular_pressure_of_free_molecules_is_the_ideal_gas():
    """Molecules out of each other's cutoff: P = N k_B T_com / V from the centres' motion."""
    box = water_box(8, density_g_cm3=0.05, min_oo=8.0, seed=1)
    box.calc = classical_model(box).calculator
    rng = np.random.default_rng(0)
    momenta = np.repeat(rng.normal(0, 1, (8, 3)), 3, axis=0) * box.get_masses()[:, None]
    box.set_momenta(momenta)  # each molecule translates rigidly
    kinetic_com = 0.5 * (momenta.reshape(8, 3, 3).sum(1) ** 2 / 18.015).sum()
    expected = 2 * kinetic_com / (3 * box.get_volume()) / units.bar
    assert molecular_pressure_bar(box) == pytest.approx(expected, rel=2e-2)


@pytest.fixture(scope="module")
def prepared():
    settings = WaterBoxSettings(32, temperature_K=300.0, time_ps=2.0, seed=0)
    return prepare_water_box(settings)


def test_pre_equilibration_reaches_a_liquid_at_the_target(prepared):
    values = prepared.to_dict()
    assert values["packed_pressure_bar"] > 5_000  # a random packing is not a liquid
    assert prepared.minimisation.energy_eV < prepared.minimisation.energy_initial_eV
    assert abs(values["pre_equilibration_mean_temperature_K"] - 300.0) < 15.0
    assert abs(values["pre_equilibration_mean_pressure_bar"]) < 5_000
    assert intermolecular_oo(prepared.atoms).min() > 2.3


def test_molecules_stay_rigid_and_whole(prepared):
    atoms = prepared.atoms
    o, h1, h2 = atoms.positions[::3], atoms.positions[1::3], atoms.positions[2::3]
    for a, b, length in ((o, h1, 0.95718), (o, h2, 0.95718), (h1, h2, 1.5139)):
        assert np.linalg.norm(a - b, axis=1) == pytest.approx(length, abs=2e-4)


def test_short_md_numbers_are_flagged_indicative():
    """An RDF from 0.03 ps of frames is indicative, with the production length as reason."""
    from molxtal.workflows.trajectory import MIN_STRUCTURE_PS, analyse_trajectory

    frames = [water_box(64, seed=s) for s in range(4)]
    for k, frame in enumerate(frames):
        frame.info["time_ps"] = 0.01 * k
    values = analyse_trajectory(frames, 0.0, reference=False).to_dict()
    assert values["rdf_OO_status"]["status"] == INDICATIVE
    assert any(f"< {MIN_STRUCTURE_PS:g} ps" in r for r in values["rdf_OO_status"]["reasons"])
    assert values["diffusion_cm2_per_s"] is None
    assert values["diffusion_cm2_per_s_status"]["status"] == "not computed"


def test_one_cell_phonons_and_imaginary_modes_are_indicative():
    from molxtal.results import status
    from molxtal.workflows.phonons import Thermal, stability_reasons

    def thermal(lowest_mesh_cm1):
        empty = np.zeros(1)
        return Thermal(empty, empty, empty, empty, empty, empty, 0.0, 4, lowest_mesh_cm1)

    points = {"GAMMA": [0, 0, 0, 50.0], "M": [-100.0, 40.0]}
    reasons = stability_reasons(np.eye(3), points, thermal(30.0), (6, 6, 6))
    assert any("1×1×1" in r for r in reasons)
    assert any("-100 cm⁻¹" in r for r in reasons)
    points["M"] = [-2.0, 40.0]
    reasons = stability_reasons(2 * np.eye(3), points, thermal(-2.0), (6, 6, 6))
    assert reasons == [] and status(reasons)["status"] == CONVERGED
    # imaginary modes between the path's points, on the thermal mesh
    (reason,) = stability_reasons(2 * np.eye(3), points, thermal(-62.6), (6, 6, 6))
    assert "-63 cm⁻¹ on the 6×6×6 mesh" in reason
    # an imaginary optical mode at Γ is not one of the three acoustic modes (closest to zero)
    points = {"GAMMA": [-50.0, 0.01, -0.02, 0.0, 80.0]}
    (reason,) = stability_reasons(2 * np.eye(3), points, thermal(30.0), (6, 6, 6))
    assert "-50 cm⁻¹" in reason
