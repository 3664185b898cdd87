"""MACE training and fine-tuning through mace_run_train, on a few DFT frames of ice Ih."""

from __future__ import annotations

import json

import pytest
import torch
from ase.io import read, write
from typer.testing import CliRunner

from molxtal.cli.app import app
from molxtal.errors import MolxtalError
from molxtal.models import load_model
from molxtal.models.mace import build_random_mace, save_mace
from molxtal.workflows.evaluate import evaluate_model
from molxtal.workflows.train import (
    build_settings,
    mace_arguments,
    resolve_foundation,
    split_frames,
)

#: A tiny, fast MACE: 8 scalar channels, r_max 4 Å, one thread (see docs/training.md).
TINY = ["--channels", "8", "--r-max", "4.0", "--max-l", "0", "--threads", "1",
        "--correlation", "2", "--max_ell", "1", "--valid-fraction", "0.34"]  # fmt: skip


@pytest.fixture(scope="module")
def ice_file(tmp_path_factory):
    """The first 3 DFT frames (384 atoms each) of the ice Ih training set."""
    from molxtal.data.training import ice_frames

    try:
        frames = ice_frames("Ih", "train", 25, index=":3")
    except MolxtalError as exc:
        pytest.skip(str(exc))
    path = tmp_path_factory.mktemp("data") / "ih3.extxyz"
    write(path, frames)
    return path


def _train(args):
    result = CliRunner().invoke(app, ["train", *args])
    assert result.exit_code == 0, result.output
    return result


def test_split_is_seeded_and_keeps_isolated_atoms_in_training():
    from ase import Atoms

    frames = [Atoms("H2O", positions=[[0, 0, 0], [0, 0, 1], [0, 1, 0]]) for _ in range(10)]
    frames.append(Atoms("O", info={"config_type": "IsolatedAtom"}))
    train, valid, chosen = split_frames(frames, 0.2, seed=3)
    assert chosen == split_frames(frames, 0.2, seed=3)[2] != split_frames(frames, 0.2, 4)[2]
    assert len(valid) == 2 and len(train) == 9 and 10 not in chosen


def test_options_are_checked_by_mace_parser():
    argv = mace_arguments(build_settings(max_num_epochs=7, name="x", train_file="t.xyz"))
    assert argv[argv.index("--max_num_epochs") + 1] == "7"
    with pytest.raises(MolxtalError, match="not a mace_run_train option"):
        mace_arguments(build_settings(no_such_option=1))


def test_foundation_must_be_a_mace_checkpoint():
    """chgnet is in the catalogue but has no MACE checkpoint to fine-tune."""
    with pytest.raises(MolxtalError, match="no such file, user model or MACE name"):
        resolve_foundation("chgnet")


def test_train_from_scratch_evaluate_and_install(ice_file, tmp_path, monkeypatch):
    monkeypatch.setenv("MOLXTAL_MODEL_DIR", str(tmp_path / "models"))
    out = tmp_path / "run"
    _train([str(ice_file), *TINY, "--max-epochs", "3", "--name", "tiny", "--install", "tiny-ice",
            "--out", str(out), "--lr", "0.01"])  # fmt: skip
    results = json.loads((out / "results.json").read_text())
    losses = [epoch["train_loss"] for epoch in results["history"]]
    assert len(losses) == 3 and losses[-1] < losses[0]
    assert (out / "training.png").is_file() and (out / "mace" / "mace.log").is_file()
    # the model loads through --model PATH and reproduces mace's own validation error
    model = load_model(str(out / "tiny.model"))
    assert model.family == "MACE" and model.elements == {"H", "O"}
    best = min(results["history"], key=lambda epoch: epoch["valid_loss"])
    result = CliRunner().invoke(
        app, ["evaluate", str(out / "mace" / "valid.extxyz"), "--model", str(out / "tiny.model"),
              "--out", str(tmp_path / "eval")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (errors,) = json.loads((tmp_path / "eval" / "results.json").read_text())["models"]
    assert errors["force_mae_meV_per_angstrom"] == pytest.approx(
        best["mae_f_meV_per_angstrom"], rel=1e-6
    )
    # installed in the user model directory: listed by `molxtal models`, loadable by name
    assert "tiny-ice" in CliRunner().invoke(app, ["models"]).output
    assert load_model("tiny-ice").sha256 == model.sha256


def test_finetune_starts_from_foundation_weights(ice_file, tmp_path):
    foundation = build_random_mace(["H", "O"], r_max=4.0, channels=8, seed=1)
    path = save_mace(foundation, tmp_path / "foundation.model")
    out = tmp_path / "ft"
    _train([str(ice_file), "--foundation", str(path), "--max-epochs", "2", "--threads", "1",
            "--valid-fraction", "0.34", "--lr", "0.005", "--name", "ft",
            "--out", str(out)])  # fmt: skip
    results = json.loads((out / "results.json").read_text())
    # before training, mace's validation error is the foundation model's, computed through ASE
    reference = evaluate_model(
        read(out / "mace" / "valid.extxyz", index=":"),
        load_model(str(path)),
        tmp_path / "foundation-predictions.extxyz",
    )
    assert results["initial"]["rmse_f_meV_per_angstrom"] == pytest.approx(
        reference.force_rmse_meV_per_angstrom, rel=1e-6
    )
    assert results["initial"]["rmse_e_meV_per_atom"] == pytest.approx(
        reference.energy_rmse_meV_per_atom, rel=1e-6
    )
    losses = [epoch["train_loss"] for epoch in results["history"]]
    assert losses[-1] < losses[0]
    # the weights moved away from the foundation's, but far less than to another random model
    tuned = load_model(str(out / "ft.model")).calculator.models[0].state_dict()
    other = build_random_mace(["H", "O"], r_max=4.0, channels=8, seed=2).double().state_dict()
    start = foundation.double().state_dict()
    weights = [k for k, v in start.items() if v.is_floating_point() and v.numel() > 1]

    def distance(a):
        return sum(float(torch.sum((a[k].double() - start[k]) ** 2)) for k in weights) ** 0.5

    assert 0 < distance(tuned) < 0.2 * distance(other)


@pytest.mark.slow
def test_multihead_finetuning_runs(ice_file, tmp_path):
    """Multihead fine-tuning with replay data: the model keeps a second (pt_head) head."""
    path = save_mace(build_random_mace(["H", "O"], r_max=4.0, seed=1), tmp_path / "f.model")
    out = tmp_path / "mh"
    _train([str(ice_file), "--foundation", str(path), "--finetune", "multihead",
            "--pt-data", str(ice_file), "--max-epochs", "1", "--threads", "1",
            "--valid-fraction", "0.34", "--out", str(out)])  # fmt: skip
    calculator = load_model(str(out / "mace.model")).calculator
    assert sorted(calculator.models[0].heads) == ["Default", "pt_head"]
    assert calculator.head == "Default"  # molxtal evaluates the fine-tuned head
