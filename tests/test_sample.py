"""Frame sampling: end of thermalisation on series with a known relaxation; random and FPS."""

from __future__ import annotations

import json

import numpy as np
from ase.build import bulk
from ase.calculators.lj import LennardJones
from ase.io import read, write
from ase.md.velocitydistribution import MaxwellBoltzmannDistribution
from typer.testing import CliRunner

from molxtal.analysis.sampling import farthest_point_indices, rdf_descriptor, thermalisation_end
from molxtal.cli.app import app


def relaxing_series(n=2000, tau=30.0, seed=0):
    """An AR(1) process (correlation time 5 frames) around a mean relaxing as exp(-t/tau)."""
    rng = np.random.default_rng(seed)
    noise = np.zeros(n)
    for t in range(1, n):
        noise[t] = 0.8 * noise[t - 1] + rng.normal()
    return 100.0 * np.exp(-np.arange(n) / tau) + noise


def test_thermalisation_end_after_relaxation_and_zero_for_stationary():
    end = thermalisation_end(relaxing_series())
    # the drift falls below the noise (sd ~1.7) after tau*ln(100/1.7) ~ 120 frames
    assert 60 <= end <= 300
    assert thermalisation_end(relaxing_series(tau=1e-9)) <= 60


def test_farthest_point_picks_distinct_structures():
    small = bulk("Ar", "fcc", a=5.26, cubic=True)
    large = bulk("Ar", "fcc", a=5.8, cubic=True)
    descriptors = np.array([rdf_descriptor(a) for a in [small] * 5 + [large] * 5])
    chosen = farthest_point_indices(descriptors, 2, seed=0)
    assert len({c < 5 for c in chosen}) == 2  # one of each kind


def test_sample_cli_drops_thermalisation(tmp_path):
    frames = []
    temperatures = relaxing_series(200, tau=10.0) + 100.0
    for k, temperature in enumerate(temperatures):
        atoms = bulk("Ar", "fcc", a=5.26, cubic=True)
        atoms.rattle(0.02, seed=k)
        atoms.set_momenta(np.zeros((len(atoms), 3)))
        MaxwellBoltzmannDistribution(atoms, temperature_K=max(temperature, 1.0), force_temp=True)
        atoms.calc = LennardJones(sigma=3.4, epsilon=0.0104, rc=8.0)
        atoms.get_potential_energy()
        frames.append(atoms)
    write(tmp_path / "traj.extxyz", frames)
    result = CliRunner().invoke(
        app, ["sample", str(tmp_path / "traj.extxyz"), "--n-frames", "10", "--seed", "1",
              "--out", str(tmp_path / "run")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "run" / "results.json").read_text())
    start = summary["thermalised_from_frame"][str(tmp_path / "traj.extxyz")]
    assert start >= 20  # the temperature is still relaxing over the first ~2 tau
    picked = read(tmp_path / "run" / "sampled.extxyz", index=":")
    assert len(picked) == 10 and min(a.info["source_frame"] for a in picked) >= start


def argon_lj():
    """Lennard-Jones argon, the model of the MD test."""
    return LennardJones(sigma=3.4, epsilon=0.0104, rc=8.0, smooth=True)


def test_sample_runs_md_first(tmp_path):
    structure = tmp_path / "ar.extxyz"
    write(structure, bulk("Ar", "fcc", a=5.26, cubic=True).repeat(2))
    result = CliRunner().invoke(
        app, ["sample", "--structure", str(structure), "--model", "test_sample:argon_lj",
              "--ensemble", "nvt", "--temperature", "40", "--timestep", "5", "--steps", "200",
              "--stride", "5", "--n-frames", "5", "--method", "fps", "--out", str(tmp_path / "r")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    trajectory = read(tmp_path / "r" / "md" / "trajectory.extxyz", index=":")
    assert len(trajectory) == 41
    picked = read(tmp_path / "r" / "sampled.extxyz", index=":")
    assert len(picked) == 5 and len({a.info["source_frame"] for a in picked}) == 5
