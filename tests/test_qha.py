"""Quasi-harmonic EMT copper: V(T) rises, B matches an independent E(V) fit, P compresses."""

from __future__ import annotations

import numpy as np
import pytest
from ase import units
from ase.build import bulk
from ase.calculators.emt import EMT
from ase.eos import EquationOfState

from molxtal.models import Model
from molxtal.workflows import force_constants as fc
from molxtal.workflows.qha import quasi_harmonic


@pytest.fixture(scope="module")
def copper():
    model = Model(name="emt", family="test", calculator=EMT(), sha256="emt")
    settings = fc.DisplacementSettings(fc.supercell_matrix([3, 3, 3]))
    return quasi_harmonic(
        bulk("Cu", "fcc", a=3.6), model, 1, settings, mesh=(10, 10, 10), t_max=600, t_step=20,
        pressures_GPa=(0.0, 1.0), volume_scales=(0.96, 0.98, 1.0, 1.02, 1.04, 1.06, 1.08),
    )  # fmt: skip


def test_volume_rises_with_temperature_and_zero_point_expansion(copper):
    curves = copper.curves[0.0]
    v = curves["V_angstrom3_per_molecule"]
    assert np.all(np.diff(v) >= 0) and v[-1] > v[0]
    assert v[0] > copper.static_eos["V0_angstrom3"]  # zero-point motion expands the lattice
    assert np.all(curves["alpha_per_K"][5:] > 0)
    # C_p ≥ C_v, and C_p → 3R-ish (classical) at 600 K
    cv = copper.harmonic.heat_capacity_cell_J_per_K_mol[: len(v)]
    assert np.all(curves["C_p_J_per_K_mol"][1:] >= cv[1:] - 1e-6)
    assert 3 * 8.314 < curves["C_p_J_per_K_mol"][-1] < 3.5 * 8.314


def test_bulk_modulus_matches_ase_eos_and_pressure_response(copper):
    cu = bulk("Cu", "fcc", a=3.6)
    volumes, energies = [], []
    for s in np.linspace(0.95, 1.05, 9):
        atoms = cu.copy()
        atoms.set_cell(cu.cell * s ** (1 / 3), scale_atoms=True)
        atoms.calc = EMT()
        volumes.append(atoms.get_volume())
        energies.append(atoms.get_potential_energy())
    v0, _, b = EquationOfState(volumes, energies, eos="birchmurnaghan").fit()
    assert np.isclose(copper.static_eos["B0_GPa"], b / units.GPa, rtol=0.01)
    assert np.isclose(copper.static_eos["V0_angstrom3"], v0, rtol=1e-3)
    # B(T) softens on heating; 1 GPa compresses by about P/B
    b_t = copper.curves[0.0]["B_GPa"]
    assert b_t[-1] < b_t[0] < b / units.GPa
    v_0, v_1 = (
        copper.curves[0.0]["V_angstrom3_per_molecule"][0],
        copper.curves[1.0]["V_angstrom3_per_molecule"][0],
    )
    assert np.isclose((v_0 - v_1) / v_0, 1.0 / b_t[0], rtol=0.1)


def test_a_free_energy_minimum_outside_the_sampled_volumes_is_flagged(copper):
    assert not copper.curves[0.0]["outside_volumes"].any()  # 0.96-1.08 V0 brackets V(T)
    model = Model(name="emt", family="test", calculator=EMT(), sha256="emt")
    expanded = quasi_harmonic(
        bulk("Cu", "fcc", a=3.6), model, 1, fc.DisplacementSettings(fc.supercell_matrix([3] * 3)),
        mesh=(6, 6, 6), t_max=100, t_step=20, volume_scales=(1.04, 1.06, 1.08, 1.10, 1.12),
    )  # fmt: skip
    assert expanded.curves[0.0]["outside_volumes"].all()  # V(T) ≈ V0 lies below them all
