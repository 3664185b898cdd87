"""Labelling: tblite by name equals tblite called directly; failures skip; runs resume."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from ase.calculators.lj import LennardJones
from ase.io import read
from ase.stress import voigt_6_to_full_3x3_stress
from typer.testing import CliRunner

from molxtal.cli.app import app
from molxtal.errors import MolxtalError
from molxtal.structures import water_box, water_molecule
from molxtal.workflows.label import label_frames, reference_calculator

#: Input indices computed by the test calculator (to check that a resumed run skips them).
COMPUTED: list[int] = []
#: Input indices at which the next calculation is "killed" (once each).
INTERRUPT: set[int] = set()


class ScriptedLJ(LennardJones):
    """Lennard-Jones that fails on frames tagged ``fail`` and is "killed" at :data:`INTERRUPT`."""

    def calculate(self, atoms=None, properties=("energy",), system_changes=()):
        if atoms.info["i"] in INTERRUPT:
            INTERRUPT.remove(atoms.info["i"])
            raise KeyboardInterrupt
        if atoms.info.get("fail"):
            raise RuntimeError("injected failure")
        COMPUTED.append(atoms.info["i"])
        super().calculate(atoms, properties, system_changes)


def scripted_lj():
    """The calculator factory used through ``--calculator test_label:scripted_lj``."""
    return ScriptedLJ(sigma=2.5, epsilon=0.01, rc=5.0, smooth=True)


def lj_frames(n=4):
    frames = []
    for i in range(n):
        atoms = water_box(2, density_g_cm3=0.9, seed=i)
        atoms.info["i"] = i
        frames.append(atoms)
    return frames


def test_tblite_by_name_matches_tblite_called_directly(tmp_path):
    from tblite.ase import TBLite

    molecule = water_molecule()
    cell = water_box(2, density_g_cm3=0.9, seed=3)
    result = CliRunner().invoke(
        app,
        [
            "label",
            str(_write(tmp_path, [molecule, cell])),
            "--calculator",
            "gfn2-xtb",
            "--out",
            str(tmp_path / "run"),
        ],
    )
    assert result.exit_code == 0, result.output
    labelled = read(tmp_path / "run" / "labelled.extxyz", index=":")
    assert len(labelled) == 2
    for atoms, frame in zip([molecule, cell], labelled, strict=True):
        direct = frame.copy()  # the positions as written (extxyz keeps 8 decimals)
        direct.calc = TBLite(method="GFN2-xTB", verbosity=0)
        assert frame.info["REF_energy"] == pytest.approx(direct.get_potential_energy(), abs=1e-8)
        np.testing.assert_allclose(frame.arrays["REF_forces"], direct.get_forces(), atol=1e-7)
        if atoms.pbc.all():
            np.testing.assert_allclose(
                np.reshape(frame.info["REF_stress"], (3, 3)),
                voigt_6_to_full_3x3_stress(direct.get_stress()),
                atol=1e-10,
            )
        else:
            assert "REF_stress" not in frame.info


def _write(tmp_path, frames):
    from ase.io import write

    path = tmp_path / "frames.extxyz"
    write(path, frames)
    return path


def test_injected_failure_leaves_other_frames_labelled(tmp_path):
    frames = lj_frames()
    frames[1].info["fail"] = True
    result = CliRunner().invoke(
        app,
        [
            "label",
            str(_write(tmp_path, frames)),
            "--calculator",
            "test_label:scripted_lj",
            "--out",
            str(tmp_path / "run"),
        ],
    )
    assert result.exit_code == 0, result.output
    labelled = read(tmp_path / "run" / "labelled.extxyz", index=":")
    assert [a.info["label_index"] for a in labelled] == [0, 2, 3]
    for frame in labelled:  # the values are the Lennard-Jones ones, computed by ASE directly
        direct = frame.copy()
        direct.calc = LennardJones(sigma=2.5, epsilon=0.01, rc=5.0, smooth=True)
        assert frame.info["REF_energy"] == pytest.approx(direct.get_potential_energy(), abs=1e-12)
        np.testing.assert_allclose(frame.arrays["REF_forces"], direct.get_forces(), atol=1e-12)
    assert "injected failure" in (tmp_path / "run" / "molxtal.log").read_text()


def test_interrupted_run_resumes_without_recomputing(tmp_path):
    frames = lj_frames()
    output = tmp_path / "labelled.extxyz"
    COMPUTED.clear()
    INTERRUPT.add(2)
    with pytest.raises(KeyboardInterrupt):
        label_frames(frames, scripted_lj(), output)
    assert [a.info["label_index"] for a in read(output, index=":")] == [0, 1]
    result = label_frames(frames, scripted_lj(), output)
    assert result.resumed == 2
    assert COMPUTED == [0, 1, 2, 3]  # frames 0 and 1 were not computed again
    assert [a.info["label_index"] for a in read(output, index=":")] == [0, 1, 2, 3]


def test_xtb_without_tblite_is_one_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "tblite.ase", None)  # as if the xtb extra were missing
    with pytest.raises(MolxtalError, match=r"pip install 'molxtal\[xtb\]'"):
        reference_calculator("gfn2-xtb")
