"""Model errors against reference labels, checked on Lennard-Jones argon (ASE)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from ase.build import bulk
from ase.calculators.lj import LennardJones
from ase.io import write
from typer.testing import CliRunner

from molxtal.cli.app import app
from molxtal.workflows.label import label_frames

LJ = {"sigma": 3.4, "epsilon": 0.0104, "rc": 8.0, "smooth": True}  # argon
SCALE = 1.25


def lj_reference():
    """The 'reference method'."""
    return LennardJones(**LJ)


def lj_scaled():
    """A 'model' whose energies, forces and stresses are exactly SCALE x the reference."""
    return LennardJones(**{**LJ, "epsilon": SCALE * LJ["epsilon"]})


def test_errors_of_exact_and_scaled_models(tmp_path):
    frames = []
    for seed in range(3):  # rattled fcc argon cells, slightly strained
        atoms = bulk("Ar", "fcc", a=5.26 + 0.05 * seed, cubic=True).repeat(2)
        atoms.rattle(0.1, seed=seed)
        frames.append(atoms)
    reference = label_frames(frames, lj_reference(), tmp_path / "ref.extxyz")
    assert reference.labelled == [0, 1, 2]
    from ase.io import read

    labelled = read(tmp_path / "ref.extxyz", index=":")
    data = tmp_path / "data.extxyz"
    write(data, labelled)
    result = CliRunner().invoke(
        app,
        ["evaluate", str(data), "--model", "test_evaluate:lj_reference",
         "--model", "test_evaluate:lj_scaled", "--out", str(tmp_path / "run")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    exact, scaled = json.loads((tmp_path / "run" / "results.json").read_text())["models"]
    assert exact["force_mae_meV_per_angstrom"] == pytest.approx(0, abs=1e-4)  # file precision
    # the scaled model errs by (SCALE - 1) x |reference| in every quantity
    e_per_atom = np.array([a.info["REF_energy"] / len(a) for a in labelled])
    forces = np.concatenate([a.arrays["REF_forces"].ravel() for a in labelled])
    stress = np.array([np.reshape(a.info["REF_stress"], 9)[[0, 4, 8, 5, 2, 1]] for a in labelled])
    k = 1e3 * (SCALE - 1)
    assert scaled["energy_mae_meV_per_atom"] == pytest.approx(k * np.abs(e_per_atom).mean(), 1e-5)
    assert scaled["force_mae_meV_per_angstrom"] == pytest.approx(k * np.abs(forces).mean(), 1e-5)
    assert scaled["force_rmse_meV_per_angstrom"] == pytest.approx(
        k * np.sqrt((forces**2).mean()), 1e-5
    )
    assert scaled["stress_mae_meV_per_angstrom3"] == pytest.approx(k * np.abs(stress).mean(), 1e-5)
    assert (tmp_path / "run" / "parity.png").stat().st_size > 0
