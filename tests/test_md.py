"""MD workflow: conservation laws, thermostat averages, resume, blow-up guard, CLI."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from ase import units
from ase.build import bulk
from ase.calculators.emt import EMT
from ase.io import read
from typer.testing import CliRunner

from molxtal.cli.app import app
from molxtal.errors import MolxtalError
from molxtal.io import read_json
from molxtal.models import Model
from molxtal.workflows.md import (
    CHECKPOINT,
    MDSettings,
    initial_velocities,
    load_checkpoint,
    molecular_dynamics,
    run_md,
)


@pytest.fixture
def emt() -> Model:
    return Model(name="emt", family="ase", calculator=EMT())


@pytest.fixture
def copper():
    return bulk("Cu", cubic=True).repeat(2)  # 32 atoms, a = 3.61 Å


def thermo(path) -> dict[str, np.ndarray]:
    with open(path) as handle:
        rows = list(csv.DictReader(handle))
    return {k: np.array([float(r[k]) for r in rows]) for k in rows[0]}


def test_initial_velocities_have_zero_momentum_and_are_seeded(copper):
    a, b = copper.copy(), copper.copy()
    initial_velocities(a, 300.0, np.random.default_rng(1))
    initial_velocities(b, 300.0, np.random.default_rng(1))
    assert np.abs(a.get_momenta().sum(axis=0)).max() < 1e-12
    assert np.array_equal(a.get_momenta(), b.get_momenta())
    assert 100 < a.get_temperature() < 500  # 32 atoms: one sample of a broad distribution


def test_nve_conserves_energy(copper, emt, tmp_path):
    settings = MDSettings(steps=200, ensemble="nve", temperature_K=300, timestep_fs=1.0, stride=5)
    run_md(copper, emt, settings, tmp_path)
    log = thermo(tmp_path / "thermo.csv")
    drift = np.abs(log["total_energy_eV"] - log["total_energy_eV"][0]).max()
    # Energy flows between kinetic and potential, but the total stays put.
    assert np.ptp(log["kinetic_energy_eV"]) > 0.3
    assert drift < 2e-3
    assert np.array_equal(log["step"], np.arange(0, 201, 5))


@pytest.mark.parametrize("thermostat", ["langevin", "bussi"])
def test_nvt_holds_mean_temperature(copper, emt, tmp_path, thermostat):
    settings = MDSettings(
        steps=600, thermostat=thermostat, temperature_K=300, timestep_fs=2.0, tdamp_fs=20, stride=1
    )
    run_md(copper, emt, settings, tmp_path)
    temperature = thermo(tmp_path / "thermo.csv")["temperature_K"][100:]
    assert abs(temperature.mean() / 300 - 1) < 0.05


@pytest.mark.parametrize(
    "options",
    [
        {"ensemble": "nvt", "thermostat": "langevin"},
        {"ensemble": "nvt", "thermostat": "bussi"},
        {"ensemble": "npt", "barostat": "flexible", "pressure_bar": 1e4},
    ],
)
def test_resume_after_kill_is_bit_identical(copper, emt, tmp_path, options):
    settings = MDSettings(steps=60, stride=5, checkpoint_every=20, timestep_fs=2.0, **options)
    run_md(copper, emt, settings, tmp_path / "full")

    def kill(step, total):
        if step == 47:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_md(copper, emt, settings, tmp_path / "killed", progress=kill)
    assert len(read(tmp_path / "killed" / "trajectory.extxyz", ":")) == 10  # steps 0..45
    result = run_md(copper, emt, settings, tmp_path / "killed", resume=True)
    assert result.resumed_from_step == 40

    full = read(tmp_path / "full" / "trajectory.extxyz", ":")
    resumed = read(tmp_path / "killed" / "trajectory.extxyz", ":")
    assert [f.info["step"] for f in resumed] == list(range(0, 61, 5))
    for a, b in zip(full, resumed, strict=True):
        assert np.array_equal(a.positions, b.positions)
        assert np.array_equal(a.get_momenta(), b.get_momenta())
        assert np.array_equal(a.cell.array, b.cell.array)
    assert (tmp_path / "full" / "thermo.csv").read_text() == (
        tmp_path / "killed" / "thermo.csv"
    ).read_text()


def test_resume_refuses_changed_settings(copper, emt, tmp_path):
    run_md(copper, emt, MDSettings(steps=4, stride=2), tmp_path)
    with pytest.raises(MolxtalError, match="timestep_fs"):
        run_md(copper, emt, MDSettings(steps=8, stride=2, timestep_fs=1.0), tmp_path, resume=True)


def test_blow_up_stops_and_keeps_last_good_checkpoint(copper, emt, tmp_path):
    settings = MDSettings(
        steps=200, ensemble="nve", temperature_K=3000, timestep_fs=40.0, checkpoint_every=1
    )
    with pytest.raises(MolxtalError, match="blew up at step"):
        run_md(copper, emt, settings, tmp_path)
    state = load_checkpoint(tmp_path / CHECKPOINT, settings)
    positions = state["positions"]
    distances = np.linalg.norm(positions[:, None] - positions[None], axis=-1)
    assert distances[np.triu_indices(len(positions), 1)].min() > 0.5
    assert 0 <= state["step"] < 200


def test_cli_md_writes_trajectory_log_and_results(copper, tmp_path):
    structure = tmp_path / "cu.extxyz"
    copper.write(structure)
    out = tmp_path / "run"
    args = ["md", str(structure), "--model", "ase.calculators.emt:EMT", "--timestep", "2"]
    result = CliRunner().invoke(app, [*args, "--steps", "20", "--stride", "5", "-o", str(out)])
    assert result.exit_code == 0, result.output
    summary = read_json(out / "results.json")
    assert summary["steps"] == 20 and summary["n_atoms"] == 32
    assert summary["mean_density_g_per_cm3"] == pytest.approx(8.97, abs=0.02)  # Cu, EMT lattice
    assert len(read(out / "trajectory.extxyz", ":")) == 5
    result = CliRunner().invoke(
        app, [*args, "--steps", "30", "--stride", "5", "-o", str(out), "--resume"]
    )
    assert result.exit_code == 0, result.output
    assert len(read(out / "trajectory.extxyz", ":")) == 7


def test_chgnet_water_smoke(tmp_path):
    from molxtal.models import load_model
    from molxtal.structures import water_box

    model = load_model("chgnet")
    atoms = water_box(4, seed=1)
    result = run_md(atoms, model, MDSettings(steps=2, stride=1, timestep_fs=0.5), tmp_path)
    frames = read(result.trajectory, ":")
    assert len(frames) == 3
    assert all(np.isfinite(f.get_potential_energy()) for f in frames)


STRESS_PASSES = [("nvt", [0, 2, 4]), ("npt", [0, 1, 2, 3, 4])]


@pytest.mark.parametrize(("ensemble", "with_stress"), STRESS_PASSES)
def test_one_model_pass_per_step_with_the_stress_only_where_used(
    copper, tmp_path, ensemble, with_stress
):
    from molxtal.models import PeriodicBoxCalculator

    passes = []

    class CountingEMT(EMT):
        def calculate(self, atoms=None, properties=("energy",), system_changes=()):
            passes.append("stress" in properties)
            super().calculate(atoms, properties, system_changes)

    model = Model(name="emt", family="test", calculator=PeriodicBoxCalculator(CountingEMT()))
    settings = MDSettings(steps=4, stride=2, ensemble=ensemble, temperature_K=300)
    run_md(copper, model, settings, tmp_path)
    # frame 0 and 4 steps: five model passes, the stress computed with the forces at the logged
    # steps (pressure) and at every NPT step (barostat), never in a second pass
    assert len(passes) == 5
    assert [i for i, stress in enumerate(passes) if stress] == with_stress
    assert model.calculator.include_stress  # restored after the run


def test_checkpoint_is_data_only_and_a_pickle_is_refused(copper, emt, tmp_path):
    """A checkpoint that would run code if unpickled (it creates a file) is refused as
    unreadable, and nothing is executed; molxtal's own checkpoints are plain JSON."""
    import pickle

    run_md(copper, emt, MDSettings(steps=4, stride=2), tmp_path)
    json.loads((tmp_path / CHECKPOINT).read_text())  # plain data
    marker = tmp_path / "executed"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    (tmp_path / CHECKPOINT).write_bytes(pickle.dumps(Payload()))
    with pytest.raises(MolxtalError, match="not a readable molxtal MD checkpoint"):
        run_md(copper, emt, MDSettings(steps=8, stride=2), tmp_path, resume=True)
    assert not marker.exists()


def test_resume_with_fewer_steps_than_done_is_refused(copper, emt, tmp_path):
    run_md(copper, emt, MDSettings(steps=8, stride=2), tmp_path)
    frames_before = (tmp_path / "trajectory.extxyz").read_bytes()
    with pytest.raises(MolxtalError, match="beyond the 4 steps"):
        run_md(copper, emt, MDSettings(steps=4, stride=2), tmp_path, resume=True)
    assert (tmp_path / "trajectory.extxyz").read_bytes() == frames_before


def test_md_into_a_folder_holding_a_run_is_refused_without_resume(tmp_path):
    structure = tmp_path / "cu.xyz"
    bulk("Cu", "fcc", a=3.6, cubic=True).write(structure)
    out = tmp_path / "run"
    args = ["md", str(structure), "--model", "ase.calculators.emt:EMT", "--ensemble", "nve",
            "--steps", "4", "--stride", "2", "-o", str(out)]  # fmt: skip
    assert CliRunner().invoke(app, args).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    again = CliRunner().invoke(app, [*args[:-4], "--steps", "2", "-o", str(out)])
    assert again.exit_code == 2 and "earlier run" in again.output
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before


def test_minimising_first_stops_the_start_from_heating_the_run(copper, emt, tmp_path):
    """Equipartition in a harmonic crystal: NVE from 300 K velocities at a minimum shares the
    kinetic energy with the potential, so the mean T is 150 K. Started rattled, the excess
    potential energy ΔE (what the minimisation removes) heats it by ΔE / (3 N k_B) more."""
    rattled = copper.copy()
    rattled.rattle(0.05, seed=3)

    def nve(minimise_steps: int, folder):
        settings = MDSettings(steps=400, ensemble="nve", temperature_K=300, timestep_fs=2.0,
                              stride=5, minimise_steps=minimise_steps, minimise_fmax=1e-3)
        return molecular_dynamics(rattled, emt, settings, folder, equilibration_ps=0.4)

    minimised = nve(300, tmp_path / "minimised")
    record = minimised.to_dict()["minimisation"]
    assert record["converged"]
    assert minimised.mean_temperature_K == pytest.approx(150.0, abs=20.0)
    excess_eV = record["energy_initial_eV"] - record["energy_eV"]
    heating_K = excess_eV / (3 * len(copper) * units.kB)
    hot = nve(0, tmp_path / "rattled")
    assert hot.to_dict()["minimisation"] is None and heating_K > 50
    assert hot.mean_temperature_K == pytest.approx(150.0 + heating_K, abs=25.0)
