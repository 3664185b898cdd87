"""Polymorph ΔG(T, P): reference zero, T = 0 limit, P V slope, phonopy's F, stable choice, CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
from ase import units
from water_crystal import fcc_water_crystal, water_crystal_model

from molxtal.units import KJMOL_PER_EV
from molxtal.workflows import phonons as ph
from molxtal.workflows.stability import polymorphs, relative_gibbs, stable_polymorph

T = np.array([0.0, 100.0, 200.0])


@pytest.fixture(scope="module")
def items():
    crystals = {"dense": fcc_water_crystal(3.0), "open": fcc_water_crystal(3.3)}
    settings = ph.DisplacementSettings(ph.supercell_matrix([2, 2, 2]))
    return polymorphs(crystals, water_crystal_model(), settings, mesh=(4, 4, 4))


def test_relative_gibbs_against_phonopy_and_pv(items):
    dense, loose = items
    delta = relative_gibbs(items, T, [0.0, 1.0])
    assert np.all(delta["dense"][0.0] == 0) and np.all(delta["dense"][1.0] == 0)
    # phonopy's own harmonic F per molecule on the same mesh (Γ acoustic excluded)
    f = []
    for p in items:
        p.run.phonon.run_mesh([4, 4, 4], is_gamma_center=True)
        p.run.phonon.run_thermal_properties(t_min=0, t_max=200, t_step=100,
                                            exclude_gamma_acoustic=True)  # fmt: skip
        f.append(p.run.phonon.get_thermal_properties_dict()["free_energy"])
    expected = (
        loose.lattice.lattice_energy_kJ_per_mol
        - dense.lattice.lattice_energy_kJ_per_mol
        + f[1]
        - f[0]
    )
    assert np.allclose(delta["open"][0.0], expected, atol=1e-4)  # phonopy vs ASE constants
    # ∂ΔG/∂P = ΔV exactly in the fixed-volume approximation
    dv = (loose.volume_A3 - dense.volume_A3) * units.GPa * KJMOL_PER_EV
    assert np.allclose(delta["open"][1.0] - delta["open"][0.0], dv, atol=1e-9)
    assert loose.volume_A3 > dense.volume_A3
    stable = stable_polymorph(delta)
    for p, names in stable.items():
        assert names == ["open" if g < 0 else "dense" for g in delta["open"][p]]


def test_cli_table_and_plot(tmp_path):
    from typer.testing import CliRunner

    from molxtal.cli.app import app

    paths = []
    for name, d in (("A", 3.0), ("B", 3.3)):
        paths.append(str(tmp_path / f"{name}.extxyz"))
        fcc_water_crystal(d).write(paths[-1])
    out = tmp_path / "out"
    args = ["stability", *paths, "--temperatures", "0,150", "--pressures", "0 0.5",
            "--supercell", "2", "2", "2", "--mesh", "3", "3", "3",
            "--model", "water_crystal:FlexibleWater", "--checkpoints", str(tmp_path / "ck"),
            "--out", str(out)]  # fmt: skip
    run = CliRunner().invoke(app, args)
    assert run.exit_code == 0, run.output
    data = json.loads((out / "results.json").read_text())
    assert data["reference"] == "A" and data["dG_kJmol"]["A"]["0.5"] == [0.0, 0.0]
    assert set(data["stable"]["0"]) <= {"A", "B"}
    assert (out / "stability.png").stat().st_size > 0
