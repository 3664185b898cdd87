"""ΔH_sub(T): the parts against independent references (ASE, phonopy), and the CLI end to end."""

from __future__ import annotations

import contextlib
import io
import json

import numpy as np
import pytest
from ase import units
from ase.thermochemistry import HarmonicThermo
from ase.vibrations import Vibrations
from water_crystal import FlexibleWater, fcc_water_crystal, water_crystal_model

from molxtal.units import KJMOL_PER_EV, R_J_PER_MOL_K
from molxtal.workflows import force_constants as fc
from molxtal.workflows.sublimation import sublimation

TEMPERATURES = np.array([0.0, 50.0, 150.0, 300.0])


@pytest.fixture(scope="module")
def result():
    settings = fc.DisplacementSettings(fc.supercell_matrix([2, 2, 2]))
    return sublimation(
        fcc_water_crystal(), water_crystal_model(), TEMPERATURES, settings=settings, mesh=(4, 4, 4)
    )


def test_dh_sub_equals_independently_computed_parts(result, tmp_path):
    """−E_latt from plain ASE energies, E_vib^gas from ASE Vibrations + HarmonicThermo,
    E_vib^solid from phonopy's own U = F + TS per molecule, and 4RT: their sum is ΔH_sub."""
    crystal, gas = result.lattice.crystal.copy(), result.lattice.gas.copy()
    crystal.calc, gas.calc = FlexibleWater(), FlexibleWater()
    e_latt = (crystal.get_potential_energy() - gas.get_potential_energy()) * KJMOL_PER_EV

    with contextlib.redirect_stdout(io.StringIO()):
        vib = Vibrations(gas, delta=0.005, nfree=4, name=str(tmp_path / "vib"))
        vib.run()
        energies = np.sort(np.real(vib.get_energies()))[-3:]  # the three stretches/bend
    thermo = HarmonicThermo(energies)
    u_gas = np.array([thermo.get_internal_energy(t, verbose=False) for t in TEMPERATURES])

    phonon = result.phonons.phonon
    phonon.run_mesh([4, 4, 4], is_gamma_center=True)
    t_step = TEMPERATURES[1]
    phonon.run_thermal_properties(t_min=0, t_max=300, t_step=t_step, exclude_gamma_acoustic=True)
    props = phonon.get_thermal_properties_dict()
    u_solid = props["free_energy"] + props["temperatures"] * props["entropy"] / 1000
    u_solid = u_solid[np.searchsorted(props["temperatures"], TEMPERATURES)]

    expected = -e_latt + (u_gas * KJMOL_PER_EV - u_solid) + 4 * R_J_PER_MOL_K * TEMPERATURES / 1000
    terms = result.terms()
    assert np.allclose(terms["dH_sub_kJ_per_mol"], expected, atol=0.02)  # FD gas modes (kJ/mol)
    assert np.allclose(terms["E_latt_kJ_per_mol"], e_latt, atol=1e-9)
    # parts add up: ZPE + thermal, and the T = 0 value is −E_latt + ΔZPE
    assert np.allclose(
        terms["dE_vib_kJ_per_mol"],
        terms["dE_zpe_kJ_per_mol"] + terms["dE_thermal_kJ_per_mol"],
        atol=1e-12,
    )
    assert np.isclose(
        terms["dH_sub_kJ_per_mol"][0], -e_latt + terms["dE_zpe_kJ_per_mol"][0], atol=0.02
    )
    assert np.allclose(
        terms["delta_TQN_dulong_petit_kJ_per_mol"], -2 * units.kB * TEMPERATURES * KJMOL_PER_EV
    )
    assert not result.linear


def test_cli_writes_table_and_plot(tmp_path):
    from typer.testing import CliRunner

    from molxtal.cli.app import app

    crystal = tmp_path / "water.extxyz"
    fcc_water_crystal().write(crystal)
    out = tmp_path / "out"
    args = ["sublimation", str(crystal), "--temperatures", "0:200:100", "--supercell", "2", "2",
            "2", "--mesh", "4", "4", "4", "--model", "water_crystal:FlexibleWater",
            "--checkpoints", str(tmp_path / "ck"), "--out", str(out)]  # fmt: skip
    run = CliRunner().invoke(app, args)
    assert run.exit_code == 0, run.output
    data = json.loads((out / "results.json").read_text())
    assert list(data["by_temperature"]) == ["0", "100", "200"]
    for row in data["by_temperature"].values():
        parts = -row["E_latt_kJ_per_mol"] + row["zpe_gas_kJ_per_mol"] - row["zpe_solid_kJ_per_mol"]
        parts += (
            row["thermal_gas_kJ_per_mol"]
            - row["thermal_solid_kJ_per_mol"]
            + row["gas_RT_kJ_per_mol"]
        )
        assert np.isclose(row["dH_sub_kJ_per_mol"], parts, atol=1e-9)
        assert np.isclose(
            row["delta_TQN_kJ_per_mol"], row["dH_sub_kJ_per_mol"] + row["E_latt_kJ_per_mol"]
        )
    assert (out / "sublimation.png").stat().st_size > 0
    again = CliRunner().invoke(app, args[:-1] + [str(tmp_path / "again")])
    assert again.exit_code == 0, again.output
    assert json.loads((tmp_path / "again" / "results.json").read_text())["forces_computed"] == 0
