"""``molxtal analyse`` on a trajectory that ASE reads but molxtal did not write."""

from __future__ import annotations

import numpy as np
import pytest
from ase.io import write
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
    assert summary["density_g_cm3"] == pytest.approx(0.997, rel=1e-6)
    assert summary["rdf_OO_first_peak_angstrom"] >= 2.5  # water_box: O-O >= 2.5 Å
    # MSD(t) = (v t)², v = 10 Å/ps. The fit window (10-50 % of 0.11 ps) holds t = 0.02-0.05 ps;
    # a least-squares line through a parabola at evenly spaced t has slope 2 v² <t> = 7 Å²/ps.
    assert summary["diffusion_cm2_s"] == pytest.approx(7 / 6 * 1e-4, rel=1e-6)
    assert (out / "rdf.png").stat().st_size > 0
    rdf = np.genfromtxt(out / "rdf_traj.csv", delimiter=",", names=True)
    assert {"g_OO", "g_OH", "g_HH", "g_OO_err"} <= set(rdf.dtype.names)


def test_analyse_needs_frame_times(tmp_path):
    path = tmp_path / "traj.xyz"
    write(path, [water_box(8, seed=s) for s in range(3)], format="extxyz")
    result = CliRunner().invoke(app, ["analyse", str(path), "--no-reference"])
    assert result.exit_code == 2
    assert "--frame-interval" in result.output
