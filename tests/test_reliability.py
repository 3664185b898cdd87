"""Issue 14 regressions: nothing stale (keys see --model-kwargs, killed runs' leftovers are
recomputed, shared caches are locked), nothing lost (a failed run keeps the earlier one),
nothing silent (a run in which every item failed exits 2 and says so)."""

from __future__ import annotations

import json
import os
import threading

import numpy as np
import pytest
from ase.calculators.lj import LennardJones
from ase.io import write
from typer.testing import CliRunner

from molxtal.cli.app import app
from molxtal.errors import MolxtalError, NotConvergedError
from molxtal.io import read_json
from molxtal.models import load_model
from molxtal.structures import water_box, water_dimer, water_molecule
from molxtal.study import runner, steps
from molxtal.study.cache import RESULT
from molxtal.study.profiles import TEST
from molxtal.workflows.scan import fmax_scan
from molxtal.workflows.vibrations import finite_difference_hessian, vibrations

LJ = "ase.calculators.lj:LennardJones"
EMT = "ase.calculators.emt:EMT"
#: Frames labelled by :class:`CountingLJ`, over all instances (for the shared-cache test).
CALCULATIONS: list[int] = []


class CountingLJ(LennardJones):
    """Lennard-Jones that counts its calculations."""

    def calculate(self, atoms=None, properties=("energy",), system_changes=()):
        CALCULATIONS.append(1)
        super().calculate(atoms, properties, system_changes)


def counting_lj():
    return CountingLJ(sigma=2.5, epsilon=0.01, rc=6.0)


def always_fails():
    """A reference calculator that fails on every frame (``--calculator`` plug-in)."""

    class Failing(LennardJones):
        def calculate(self, *args, **kwargs):
            raise RuntimeError("SCF did not converge")

    return Failing()


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def error_lines(result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("Error:")]


# ------------------------------------------------------------------------- nothing stale


def test_vibrations_cache_sees_model_kwargs(tmp_path):
    """Old main keyed the cache by model name only: epsilon 0.02 loaded the forces of 0.01.
    LJ forces scale with epsilon, so every frequency scales by sqrt(2)."""
    dimer = water_dimer()
    weak, strong = (load_model(LJ, model_kwargs={"sigma": 2.5, "epsilon": e}) for e in (1, 2))
    first = vibrations(dimer, weak, "finite-differences", 1e-3, 2, tmp_path).all_frequencies_cm1
    second = vibrations(dimer, strong, "finite-differences", 1e-3, 2, tmp_path)
    np.testing.assert_allclose(second.all_frequencies_cm1, np.sqrt(2) * first, atol=1e-3)


def test_killed_runs_unfinished_displacement_is_recomputed(tmp_path):
    """A killed run leaves an empty displacement file; ASE took it for another run's lock and
    failed ever after."""
    model = load_model(LJ, model_kwargs={"sigma": 2.5, "epsilon": 0.01})
    dimer = water_dimer()
    expected = vibrations(dimer, model, "finite-differences", 1e-3, 2, tmp_path / "a")
    for path in sorted((tmp_path / "a").rglob("cache.*.json"))[:2]:
        path.write_text("")  # as left by a run killed while computing it
    again = vibrations(dimer, model, "finite-differences", 1e-3, 2, tmp_path / "a")
    np.testing.assert_array_equal(again.all_frequencies_cm1, expected.all_frequencies_cm1)


def test_two_runs_sharing_a_cache_compute_each_displacement_once(tmp_path):
    molecule = water_molecule()
    CALCULATIONS.clear()
    results = []

    def run():
        mine = load_model("test_reliability:counting_lj")
        results.append(finite_difference_hessian(molecule, mine, 1e-3, 2, tmp_path))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 2
    assert len(CALCULATIONS) == 6 * len(molecule) + 1  # each displacement once, plus the origin
    np.testing.assert_array_equal(results[0].get_hessian_2d(), results[1].get_hessian_2d())


# ------------------------------------------------------------------------- nothing lost


def test_failed_run_leaves_the_earlier_results_untouched(tmp_path):
    structure, out = tmp_path / "water.xyz", tmp_path / "out"
    write(structure, water_molecule())
    assert invoke("singlepoint", str(structure), "-m", EMT, "--out", str(out)).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    failed = invoke("relax", str(structure), "-m", EMT, "--steps", "1", "--fmax", "1e-9",
                    "--out", str(out), "--overwrite")  # fmt: skip
    assert failed.exit_code == 2 and len(error_lines(failed)) == 1
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    (kept,) = tmp_path.glob("out-failed-*")  # the failed run's results, beside it
    assert read_json(kept / "provenance.json")["status"] == "failed"


def test_result_files_follow_the_umask(tmp_path):
    structure = tmp_path / "water.xyz"
    write(structure, water_molecule())
    old = os.umask(0o022)
    try:
        invoke("singlepoint", str(structure), "-m", EMT, "--out", str(tmp_path / "out"))
    finally:
        os.umask(old)
    assert (tmp_path / "out" / "results.json").stat().st_mode & 0o777 == 0o644


def test_files_phonopy_writes_follow_the_umask_too(data_dir, tmp_path):
    """phonopy opens its own files (through :func:`molxtal.io.atomic_path`): band.yaml,
    phonopy_params.yaml and the DOS files are 0644 under umask 022, like ours."""
    structure = data_dir / "dmc_ice13" / "structures_vasp" / "Ih" / "POSCAR"
    old = os.umask(0o022)
    try:
        result = invoke("phonons", str(structure), "-m", EMT, "--supercell", "1", "1", "1",
                        "--mesh", "2", "2", "2", "--out", str(tmp_path / "out"))  # fmt: skip
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    written = {p.name: p.stat().st_mode & 0o777 for p in (tmp_path / "out").iterdir()}
    assert {"band.yaml", "phonopy_params.yaml", "total_dos.dat"} <= set(written)
    assert set(written.values()) == {0o644}, written


# ------------------------------------------------------------------------- nothing silent


def test_labelling_in_which_every_frame_failed_exits_2(tmp_path):
    frames = tmp_path / "frames.extxyz"
    write(frames, [water_box(2, density_g_cm3=0.9, seed=k) for k in range(3)])
    out = tmp_path / "out"
    result = invoke("label", str(frames), "--calculator", "test_reliability:always_fails",
                    "--out", str(out))  # fmt: skip
    assert result.exit_code == 2
    (line,) = error_lines(result)
    assert "all 3 frames failed" in line and "SCF did not converge" in line
    assert not (out / "labelled.extxyz").exists()
    recorded = read_json(out / "results.json")
    assert recorded["output"] is None and len(recorded["failed"]) == 3


def test_scan_in_which_no_relaxation_converged_fails():
    model = load_model(EMT)
    scan = fmax_scan(water_molecule(), model, fmaxes=[1e-9, 1e-10], steps=1)
    assert not scan.converged.any()
    assert "2 of 2 relaxations did not converge" in scan.summary()[0].notes[0]
    with pytest.raises(NotConvergedError, match="none of the 2 relaxations"):
        scan.require_converged()


CHEAP = {k: TEST[k] for k in ("water-monomer", "binding-curve")}


@pytest.fixture
def cheap_profile(monkeypatch):
    monkeypatch.setattr(runner, "profile_settings", lambda name: CHEAP)


def _failing(monkeypatch, name):
    inner = steps.STEPS[name]

    def compute(model, parameters, folder):
        raise RuntimeError("model returned NaN energies")

    monkeypatch.setitem(steps.STEPS, name, inner.__class__(**{**vars(inner), "compute": compute}))
    return inner


def test_study_step_failing_for_every_model_exits_2_and_is_retried(
    tmp_path, monkeypatch, cheap_profile
):
    inner = _failing(monkeypatch, "binding-curve")
    out = tmp_path / "study"
    result = invoke("reproduce", "-m", EMT, "--profile", "test", "--out", str(out))
    assert result.exit_code == 2
    (line,) = error_lines(result)
    assert "binding-curve failed for every model" in line and "NaN energies" in line
    assert (out / "report.md").is_file()  # the report of what did finish is written
    steps_done = read_json(out / "results.json")["steps"]
    assert [("failed" in s) for s in steps_done] == [False, True]
    monkeypatch.setitem(steps.STEPS, "binding-curve", inner)
    again = invoke("reproduce", "-m", EMT, "--profile", "test", "--out", str(out))
    assert again.exit_code == 0, again.output  # the failure was not cached: retried


def test_study_partial_failure_is_counted_not_fatal(tmp_path, monkeypatch):
    """One of two models fails a step: no error, the count in the summary."""
    tasks = runner.plan([EMT, LJ], {"water-monomer": TEST["water-monomer"]})
    original = steps.STEPS["water-monomer"]

    def compute(model, parameters, folder):
        if "lj" in model.name:
            raise RuntimeError("no parameters for O")
        return original.compute(model, parameters, folder)

    monkeypatch.setitem(
        steps.STEPS, "water-monomer", original.__class__(**{**vars(original), "compute": compute})
    )
    records = runner.run_study(tasks, tmp_path)
    study = runner.StudyResult("test", "local", tmp_path, tmp_path, tmp_path, tasks, records)
    study.require_complete()  # one model still has every step
    assert study.failures() == {"water-monomer": {LJ: "RuntimeError: no parameters for O"}}
    assert study.summary()[0].notes == ["1 of 2 steps failed; re-run to retry"]


def test_empty_cached_result_is_recomputed_and_report_survives(tmp_path, cheap_profile):
    out = tmp_path / "study"
    assert invoke("reproduce", "-m", EMT, "--profile", "test", "--out", str(out)).exit_code == 0
    task = runner.read_plan(out)[0]
    stored = out / "cache" / task.step / task.key / RESULT
    values = json.loads(stored.read_text())["values"]
    stored.write_text("")  # a 0-byte result.json (full disk, damaged copy)
    report = invoke("report", str(out))
    assert report.exit_code == 0, report.output
    assert invoke("reproduce", "-m", EMT, "--profile", "test", "--out", str(out)).exit_code == 0
    assert read_json(stored)["values"] == values


def test_damaged_study_plan_is_one_line_error(tmp_path):
    (tmp_path / "study.json").write_text('{"tasks": [')
    with pytest.raises(MolxtalError, match="not a readable study plan"):
        runner.read_plan(tmp_path)
