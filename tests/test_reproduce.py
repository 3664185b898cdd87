"""molxtal reproduce on the seconds-long ``test`` profile with ASE's EMT as a plug-in model:
caching, resume, the dask executor, the report and its rendering in headless Chromium."""

import base64
import re
import sys

import numpy as np
import pytest
from ase import units
from ase.calculators.emt import EMT
from chromium import CHROMIUM, load_page
from typer.testing import CliRunner

from molxtal.cli.app import app
from molxtal.data import dmc_ice13
from molxtal.errors import MolxtalError
from molxtal.io import read_json, sha256_file
from molxtal.structures import water_box
from molxtal.study import steps
from molxtal.study.profiles import TEST
from molxtal.study.runner import check_executor, plan, read_plan, run_study

EMT_SPEC = "ase.calculators.emt:EMT"
CHEAP = {k: TEST[k] for k in ("water-monomer", "binding-curve")}


def _run(*args):
    result = CliRunner().invoke(app, ["reproduce", *args])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    out = tmp_path_factory.mktemp("reproduce")
    _run("--profile", "test", "--model", EMT_SPEC, "--out", str(out))
    return out


@pytest.fixture
def counted(monkeypatch):
    """Count the compute calls per step (and still compute)."""
    calls = []
    for name, step in list(steps.STEPS.items()):

        def compute(model, p, folder, _name=name, _inner=step.compute):
            calls.append(_name)
            return _inner(model, p, folder)

        monkeypatch.setitem(steps.STEPS, name, step.__class__(**{**vars(step), "compute": compute}))
    return calls


def _records(out):
    tasks = read_plan(out)
    return tasks, [read_json(out / "cache" / t.step / t.key / "result.json") for t in tasks]


def test_every_step_stored(study):
    tasks, records = _records(study)
    assert [t.step for t in tasks] == [s for s in steps.STEPS if s in TEST]
    assert all(r["task"]["key"] == t.key for t, r in zip(tasks, records, strict=True))


def test_phonon_and_sublimation_steps_compute_the_force_sets_once(study):
    """Both steps relax the same ice Ih cell the same way: the second reuses the first's
    checkpointed forces (cache/phonon-forces)."""
    tasks, records = _records(study)
    values = {t.step: r["values"] for t, r in zip(tasks, records, strict=True)}
    phonons, sublimation = values["ice-ih-phonons"], values["sublimation"]
    n = phonons["n_displacements"]
    assert n > 0 and sublimation["phonon_displacements"] == n
    assert phonons["forces_computed"] + sublimation["forces_computed"] == n
    assert sublimation["forces_from_checkpoint"] == n


def test_ice13_matches_emt_driven_directly(study):
    """E_latt(Ih) = E(cell)/N − E(gas), with ASE's EMT called directly."""
    _, records = _records(study)
    ice13 = next(r for r in records if r["task"]["step"] == "dmc-ice13")["values"]
    cell, gas = dmc_ice13.polymorph("Ih"), dmc_ice13.gas_molecule()
    cell.calc, gas.calc = EMT(), EMT()
    expected = cell.get_potential_energy() / 12 - gas.get_potential_energy()
    ih = next(iter(ice13["models"].values()))["polymorphs"]["Ih"]
    assert ih["lattice_energy_kJ_per_mol"] == pytest.approx(expected * units.mol / units.kJ)


def test_md_density_is_that_of_the_box_and_not_reported_as_a_result(study):
    """NVT keeps the volume: its density is N·m(H2O)/V of the starting box, stored apart; the
    density result (NPT) is not computed, with the reason."""
    _, records = _records(study)
    md = next(r for r in records if r["task"]["step"] == "water-md")
    p = md["task"]["parameters"]
    box = water_box(p["molecules"], p["density"], seed=p["seed"])
    grams = box.get_masses().sum() / units.mol
    nvt = md["values"]["nvt_density_g_per_cm3"]
    assert nvt == pytest.approx(grams / (box.get_volume() * 1e-24))
    assert nvt == pytest.approx(0.997, rel=1e-3)
    assert md["values"]["density_g_per_cm3"] is None
    assert md["values"]["density_g_per_cm3_status"]["status"] == "not computed"


def test_report_opens_with_the_scorecard(study):
    page = (study / "report.html").read_text()
    headings = re.findall(r"<h2[^>]*>([^<]+)</h2>", page)
    assert headings[0] == "Scorecard"
    assert page.index('class="scorecard"') < page.index("<nav>")
    # every metric row has a status; the 1-cell phonons and the short MD are flagged
    card = page[page.index('class="scorecard"') : page.index("</table>")]
    from molxtal.study.scorecard import metrics

    assert card.count("<tr>") == 1 + len(metrics())  # the header, then one row per metric
    assert "supercell 1×1×1" in card and "not computed" in card
    markdown = (study / "report.md").read_text()
    assert markdown.index("## Scorecard") < markdown.index("## Contents")


def test_rerun_computes_nothing(study, counted):
    _run("--profile", "test", "--model", EMT_SPEC, "--out", str(study))
    assert counted == []


def test_added_mace_file_computes_only_its_steps(tmp_path, counted, tiny_mace_path):
    settings = {k: TEST[k] for k in ("water-monomer", "fmax-scan")}
    run_study(plan([EMT_SPEC], settings), tmp_path)
    assert counted == list(settings)
    counted.clear()
    records = run_study(plan([EMT_SPEC, str(tiny_mace_path)], settings), tmp_path)
    assert counted == list(settings)  # the MACE steps only
    assert records[2]["model"]["sha256"] == sha256_file(tiny_mace_path)


def test_interrupted_run_resumes(tmp_path, monkeypatch, counted):
    tasks = plan([EMT_SPEC], CHEAP)
    inner = steps.STEPS["binding-curve"]

    def killed(model, p, folder):
        raise KeyboardInterrupt

    monkeypatch.setitem(
        steps.STEPS, "binding-curve", inner.__class__(**{**vars(inner), "compute": killed})
    )
    with pytest.raises(KeyboardInterrupt):
        run_study(tasks, tmp_path)
    monkeypatch.setitem(steps.STEPS, "binding-curve", inner)
    counted.clear()
    records = run_study(tasks, tmp_path)
    assert counted == ["binding-curve"]
    assert records[1]["values"]["minimum_r_OO_angstrom"] > 0


def test_dask_executor_gives_identical_results(study, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    tasks, local = _records(study)
    with distributed.LocalCluster(n_workers=2, processes=False, threads_per_worker=1) as cluster:
        remote = run_study(tasks, tmp_path, "dask", cluster.scheduler_address)
    assert len(remote) == len(local)

    def physics(values):
        """The numbers, without what describes the run itself (wall times, speeds, paths)."""
        if isinstance(values, dict):
            run_specific = ("ns_per_day", "flop_rate", "checkpoint", "trajectory",
                            "forces_computed", "forces_from_checkpoint")  # shared, either order
            return {
                k: physics(v)
                for k, v in values.items()
                if k not in run_specific and not k.endswith(("_s", "_s_estimate"))
            }
        return [physics(v) for v in values] if isinstance(values, list) else values

    for a, b in zip(local, remote, strict=True):
        assert a["task"] == b["task"]
        assert physics(a["values"]) == physics(b["values"])


def test_report_is_self_contained(study):
    page = (study / "report.html").read_text()
    tasks, records = _records(study)
    for name in {t.step for t in tasks}:
        assert steps.STEPS[name].title in page
    n_figures = sum(len(r["values"]["figures"]) for r in records)
    images = re.findall(r'<img [^>]*src="([^"]+)"', page)
    assert len(images) == n_figures
    for src in images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    assert "http://" not in page and "https://" not in page
    markdown = (study / "report.md").read_text()
    for link in re.findall(r"!\[[^]]*\]\(([^)]+)\)", markdown):
        assert (study / link).is_file()


def test_report_command_rebuilds_without_computing(study, counted):
    (study / "report.html").unlink()
    result = CliRunner().invoke(app, ["report", str(study)])
    assert result.exit_code == 0, result.output
    assert counted == []
    assert "Water monomer" in (study / "report.html").read_text()


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
def test_report_renders_in_chromium(study, tmp_path):
    _, records = _records(study)
    page = load_page(study / "report.html")
    assert page["errors"] == []
    assert len(page["images"]) == sum(len(r["values"]["figures"]) for r in records)
    assert all(complete and width > 0 for complete, width in page["images"])
    shot = tmp_path / "report.png"
    shot.write_bytes(page["screenshot"])
    assert page["first_heading"] == "Scorecard"
    assert page["screenshot"][:8] == b"\x89PNG\r\n\x1a\n"
    assert np.frombuffer(page["screenshot"], dtype=np.uint8).size > 10_000


def test_dask_executor_without_dask_is_one_clear_error(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # as if not installed
    with pytest.raises(MolxtalError, match=r"pip install 'molxtal\[dask\]'"):
        check_executor("dask")
    result = CliRunner().invoke(
        app, ["reproduce", "--executor", "dask", "--model", EMT_SPEC, "--out", str(tmp_path)]
    )
    assert result.exit_code == 2 and "molxtal[dask]" in result.output
