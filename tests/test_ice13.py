"""DMC-ICE13: the workflow against ASE driven directly, the CLI with two models, and the study's
step writing what the command writes."""

from __future__ import annotations

import json

import pytest
from ase.io import read
from typer.testing import CliRunner

from molxtal.cli.app import app
from molxtal.data.dmc_ice13 import PHASES
from molxtal.models import load_model
from molxtal.study.profiles import TEST
from molxtal.study.steps import STEPS
from molxtal.workflows.ice13 import ice13_energies


def test_ih_lattice_energy_equals_direct_ase(chgnet, data_dir):
    """E_latt(Ih) = E(Ih)/12 - E(gas), both from ASE with the same CHGNet, read from the
    POSCARs directly (the gas in its own 21 x 21 x 20 Å periodic box)."""
    ih = read(data_dir / "dmc_ice13/structures_vasp/Ih/POSCAR", format="vasp")
    gas = read(data_dir / "dmc_ice13/structures_vasp/water/POSCAR", format="vasp")
    ih.calc = chgnet.calculator.inner
    gas.calc = chgnet.calculator.inner
    direct = ih.get_potential_energy() / 12 - gas.get_potential_energy()
    assert ice13_energies(chgnet).lattice_energy_eV["Ih"] == pytest.approx(direct, abs=1e-6)


def test_ice13_cli_two_models(tmp_path, data_dir, tiny_mace_path, tiny_mace):
    out = tmp_path / "ice13"
    result = CliRunner().invoke(
        app,
        ["ice13", "--model", "chgnet", "--model", str(tiny_mace_path), "--out", str(out),
         "--reference", "revPBE-D3"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads((out / "results.json").read_text())
    assert set(data["models"]) == {"chgnet", tiny_mace_path.stem}
    assert data["reference"] == "revPBE-D3"
    assert data["dmc_ice_viii"]["value_kJ_per_mol"] == pytest.approx(-55.22)
    for name, model in data["models"].items():
        assert set(model["polymorphs"]) == set(PHASES)
        assert model["polymorphs"]["Ih"]["relative_lattice_energy_kJ_per_mol"] == 0.0
        assert data["stats"][name]["vs_reference"]["reference"] == "revPBE-D3"
        assert data["stats"][name]["rank_vs_dmc"]["out_of"] == 52
    assert len(data["stats"]["published_vs_dmc"]) == 51
    # The MACE column against ASE driven directly on one phase (kJ/mol per H2O).
    xvii = read(data_dir / "dmc_ice13/structures_vasp/XVII/POSCAR", format="vasp")
    gas = read(data_dir / "dmc_ice13/structures_vasp/water/POSCAR", format="vasp")
    gas.pbc = False
    xvii.calc = gas.calc = tiny_mace.calculator
    direct = (xvii.get_potential_energy() / 6 - gas.get_potential_energy()) * 96.485332
    mace = data["models"][tiny_mace_path.stem]["polymorphs"]["XVII"]["lattice_energy_kJ_per_mol"]
    assert mace == pytest.approx(direct, abs=1e-4)
    for figure in ("absolute_energies", "relative_energies", "parity", "ranking"):
        assert (out / f"{figure}.png").stat().st_size > 10_000
    assert "rank" in result.output and "MAE" in result.output


def test_study_step_writes_what_the_command_writes(tmp_path, data_dir):
    """The study's DMC-ICE13 step and ``molxtal ice13`` with the same model (ASE's EMT, a
    plug-in: seconds) and the same settings write the same results.json, CSVs and figures."""
    emt = "ase.calculators.emt:EMT"
    out = tmp_path / "command"
    result = CliRunner().invoke(app, ["ice13", "--model", emt, "--out", str(out)])
    assert result.exit_code == 0, result.output
    study = tmp_path / "study"
    study.mkdir()
    values = STEPS["dmc-ice13"].compute(load_model(emt), TEST["dmc-ice13"], study)
    command = json.loads((out / "results.json").read_text())
    assert json.loads((study / "results.json").read_text()) == command
    name = next(iter(command["models"]))
    stored = values["models"][name]["polymorphs"]
    assert {p: stored[p]["lattice_energy_kJ_per_mol"] for p in PHASES} == {
        p: command["models"][name]["polymorphs"][p]["lattice_energy_kJ_per_mol"] for p in PHASES
    }
    assert values["stats"][name] == command["stats"][name]
    for table in ("lattice_energies.csv", "stats_vs_dmc.csv"):
        assert (study / table).read_text() == (out / table).read_text()
    assert sorted(values["figures"]) == sorted(p.name for p in out.glob("*.png"))
