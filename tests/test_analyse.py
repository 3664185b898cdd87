"""``molxtal analyse``, its workflow and the study's water-md step: one analysis, intermolecular."""

from __future__ import annotations

import numpy as np
import pytest
from ase.io import write
from test_rdf import soper  # noqa: F401 - fixture: skips without the Soper 2013 data
from typer.testing import CliRunner

from molxtal.cli.app import app
from molxtal.io import read_json
from molxtal.structures import water_box


def test_analyse_plain_xyz_trajectory(tmp_path):
    # Rigid translation of a water box by 0.1 Å per frame along x (wrapped into the cell), so
    # the MSD after unwrapping is known exactly; the density is the box's.
    box = water_box(16, seed=2)
    frames = []
    for k in range(12):
        frame = box.copy()
        frame.positions += [0.1 * k, 0.0, 0.0]
        frame.wrap()
        frames.append(frame)
    path = tmp_path / "traj.xyz"
    write(path, frames, format="extxyz")
    out = tmp_path / "an"
    args = ["analyse", str(path), "--frame-interval", "0.01", "--no-reference", "--blocks", "2"]
    result = CliRunner().invoke(app, [*args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    summary = read_json(out / "results.json")
    assert summary["density_g_per_cm3"] == pytest.approx(0.997, rel=1e-6)
    assert summary["rdf_OO_first_peak_angstrom"] >= 2.5  # water_box: O-O >= 2.5 Å
    # MSD(t) = (v t)², v = 10 Å/ps: ballistic, so no diffusion coefficient, and the reason
    # names the regime (log-log slope 2).
    assert summary["diffusion_cm2_per_s"] is None
    state = summary["diffusion_cm2_per_s_status"]
    assert state["status"] == "not computed"
    assert "ballistic" in state["reasons"][0] and "slope 2.00" in state["reasons"][0]
    assert (out / "rdf.png").stat().st_size > 0
    rdf = np.genfromtxt(out / "rdf_traj.csv", delimiter=",", names=True)
    assert {"g_OO", "g_OH", "g_HH", "g_OO_err"} <= set(rdf.dtype.names)


def test_analyse_needs_frame_times(tmp_path):
    path = tmp_path / "traj.xyz"
    write(path, [water_box(8, seed=s) for s in range(3)], format="extxyz")
    result = CliRunner().invoke(app, ["analyse", str(path), "--no-reference"])
    assert result.exit_code == 2
    assert "--frame-interval" in result.output


def far_apart_waters(seed: int = 0):
    """Eight rigid water molecules in a 13.4 Å box, atoms of different molecules ≥ 3 Å apart."""
    return water_box(8, density_g_cm3=0.1, min_oo=3.5, min_intermolecular=3.0, seed=seed)


def pairs_of(analysis):
    return {rdf.pair: rdf for rdf in analysis.rdfs}


def test_rdfs_leave_out_the_pairs_within_a_molecule():
    from molxtal.workflows.trajectory import analyse_trajectory

    frames = [far_apart_waters(seed) for seed in range(4)]  # same atom order in every frame
    for k, frame in enumerate(frames):
        frame.info["time_ps"] = 0.01 * k
    inter_analysis = analyse_trajectory(frames, 0.0, reference=False)
    every_analysis = analyse_trajectory(frames, 0.0, reference=False, intermolecular=False)
    inter, every = pairs_of(inter_analysis), pairs_of(every_analysis)

    # 8 molecules are flagged as too few; uncounted (all pairs) they are not called 0
    def reasons(analysis):
        return analysis.statuses()["rdf_OO_status"]["reasons"]

    assert any("8 molecules < 64" in r for r in reasons(inter_analysis))
    assert not any("molecules" in r for r in reasons(every_analysis))
    for pair in ("OH", "HH"):  # no atoms of different molecules within 3 Å
        assert inter[pair].g[inter[pair].r < 2.9].max() == 0
    # with the intramolecular pairs: 2 H per O at 0.96 Å, 1 H per H at 1.51 Å
    r = every["OH"].r
    assert every["OH"].coordination[np.searchsorted(r, 1.2)] == pytest.approx(2)
    assert every["HH"].coordination[np.searchsorted(r, 2.0)] == pytest.approx(1)


def water_md_step(model, folder, **settings):
    from molxtal.study.steps import STEPS

    parameters = {"molecules": 8, "density": 0.997, "seed": 0, "temperature_K": 300.0,
                  "timestep_fs": 0.25, "steps": 20, "stride": 2, "checkpoint_every": 10,
                  "equilibration_ps": 0.001, "max_temperature_K": 1e6, **settings}  # fmt: skip
    return STEPS["water-md"].compute(model, parameters, folder)


@pytest.mark.usefixtures("soper")
def test_study_water_md_rdfs_are_intermolecular(tmp_path, monkeypatch):
    # a model without forces at 0 K keeps the far-apart molecules where they are
    from ase.calculators.lj import LennardJones

    from molxtal.models import Model
    from molxtal.workflows import md

    monkeypatch.setattr(md, "water_box", lambda n, density, seed: far_apart_waters(seed))
    model = Model(name="no forces", family="test", calculator=LennardJones(epsilon=0.0))
    values = water_md_step(model, tmp_path, temperature_K=0.0, equilibration_ps=0.0)
    rdf = np.genfromtxt(tmp_path / "rdf.csv", delimiter=",", names=True)
    assert rdf["g_OH"][rdf["r_angstrom"] < 2.9].max() == 0  # no O-H bond peak at 0.96 Å
    assert rdf["g_HH"][rdf["r_angstrom"] < 2.9].max() == 0  # no H-H peak at 1.51 Å
    assert values["nvt_density_g_per_cm3"] == pytest.approx(0.1, rel=1e-9)
    assert values["density_g_per_cm3"] is None  # NVT only: the density is not computed
    assert values["density_g_per_cm3_status"]["status"] == "not computed"
    assert values["diffusion_cm2_per_s"] is None  # nothing moves
    assert "do not move" in values["diffusion_cm2_per_s_status"]["reasons"][0]


@pytest.mark.usefixtures("soper")
def test_analyse_command_and_study_write_the_same_numbers(tmp_path):
    from ase.calculators.emt import EMT

    from molxtal.io import to_jsonable
    from molxtal.models import Model

    study = to_jsonable(water_md_step(Model("emt", "ase", EMT()), tmp_path / "study"))
    trajectory = str(tmp_path / "study" / "md" / "trajectory.extxyz")
    out = tmp_path / "analyse"
    result = CliRunner().invoke(
        app, ["analyse", trajectory, "--equilibration", "0.001", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    command = read_json(out / "results.json")
    keys = [f"rdf_{p}_isd_soper2013_angstrom" for p in ("OO", "OH", "HH")]
    keys += ["diffusion_cm2_per_s", "diffusion_err_cm2_per_s", "diffusion_cm2_per_s_status"]
    assert all(study[key] is not None for key in keys[:3])
    density = ("runs", "density_g_per_cm3", "density_err_g_per_cm3")  # NVT's: renamed in study
    same = [k for k in command if k not in density and not k.endswith("_status")]
    assert {k: study[k] for k in same} == {k: command["runs"]["trajectory"][k] for k in same}
    for key in keys:
        assert study[key] == command[key]
    assert study["nvt_density_g_per_cm3"] == command["density_g_per_cm3"]


def test_a_density_needs_a_long_variable_volume_production_at_its_temperature():
    from molxtal.workflows.trajectory import MIN_DENSITY_PS, density_status

    short = density_status(MIN_DENSITY_PS / 5, [], "NPT")
    assert short == {"status": "indicative", "reasons": ["NPT production 2 ps < 10 ps"]}
    assert density_status(MIN_DENSITY_PS, [])["status"] == "converged"
    hot = density_status(MIN_DENSITY_PS, ["production mean T 320.0 K is outside ±10 K"])
    assert hot["status"] == "indicative"
