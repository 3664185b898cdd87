"""MACE training and fine-tuning through mace-torch's own entry point (``mace_run_train``).

molxtal splits the data (seeded), writes the train/validation extxyz files, turns the settings
into ``mace_run_train`` arguments (checked against mace's own argument parser), runs mace in a
subprocess with its output logged, and reads back the per-epoch metrics of ``results/*.txt``.
Re-running with the same work directory resumes from mace's latest checkpoint.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from ase import Atoms

from molxtal.errors import MolxtalError
from molxtal.io import atomic_write, write_atoms
from molxtal.results import Result, Table

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Small defaults that train on 2 CPU cores (mace option names; everything else is mace's).
DEFAULTS: dict[str, Any] = {
    "model": "MACE",
    "num_channels": 32,
    "max_L": 0,
    "max_ell": 2,
    "correlation": 3,
    "r_max": 5.0,
    "num_interactions": 2,
    "max_num_epochs": 50,
    "batch_size": 1,
    "valid_batch_size": 2,
    "lr": 0.01,
    "default_dtype": "float64",
    "device": "cpu",
    "seed": 0,
    "eval_interval": 1,
    "error_table": "PerAtomMAE",
    "num_workers": 0,
    "pin_memory": False,
    "save_cpu": True,
    "restart_latest": True,
    "energy_key": "REF_energy",
    "forces_key": "REF_forces",
    "stress_key": "REF_stress",
}
FINETUNE_MODES = ("naive", "multihead")
MACE_LOG = "mace.log"


@dataclass
class EpochMetrics:
    """Validation metrics after one epoch (``epoch`` None: before training).

    Losses are mace's dimensionless weighted losses; energies meV/atom, forces meV/Å.
    """

    epoch: int | None
    train_loss: float | None
    valid_loss: float
    mae_e_meV_per_atom: float
    rmse_e_meV_per_atom: float
    mae_f_meV_per_angstrom: float
    rmse_f_meV_per_angstrom: float


@dataclass
class MaceRun:
    """A finished ``mace_run_train``: the model file, per-epoch metrics and its arguments."""

    model_path: Path
    history: list[EpochMetrics]
    initial: EpochMetrics | None
    arguments: list[str]
    log_path: Path


@dataclass
class TrainResult(Result):
    """A trained (or fine-tuned) MACE model: its file, where it was installed, the data split,
    the mace settings and arguments, and the validation metrics per epoch."""

    name: str
    model_path: Path
    model_sha256: str
    elements: list[str]
    installed: Path | None
    n_train: int
    n_valid: int
    valid_indices: list[int]
    settings: dict[str, Any]
    run: MaceRun

    @property
    def best(self) -> EpochMetrics | None:
        """The epoch with the lowest validation loss."""
        return min(self.run.history, key=lambda m: m.valid_loss, default=None)

    def to_dict(self) -> dict[str, Any]:
        history = self.run.history
        return {
            "model_file": str(self.model_path),
            "model_sha256": self.model_sha256,
            "elements": self.elements,
            "installed_as": str(self.installed) if self.installed else None,
            "n_train": self.n_train,
            "n_valid": self.n_valid,
            "valid_indices": self.valid_indices,
            "mace_settings": self.settings,
            "mace_arguments": self.run.arguments,
            "initial": self.run.initial,
            "best": self.best,
            "last": history[-1] if history else None,
            "history": history,
        }

    def summary(self) -> list[Table]:
        history = self.run.history
        rows = [
            [label, "-" if m.epoch is None else m.epoch, f"{m.mae_e_meV_per_atom:.2f}"]
            + [f"{m.mae_f_meV_per_angstrom:.1f}", f"{m.rmse_f_meV_per_angstrom:.1f}"]
            for label, m in (
                ("initial", self.run.initial),
                ("lowest validation loss", self.best),
                ("last epoch", history[-1] if history else None),
            )
            if m is not None
        ]
        title = f"MACE {self.name}: validation errors ({self.n_train} train / {self.n_valid} valid)"
        columns = ["", "epoch", "E MAE (meV/atom)", "F MAE (meV/Å)", "F RMSE (meV/Å)"]
        use = [["file", str(self.model_path), f"--model {self.model_path}"]]
        if self.installed:
            use.append(["installed", str(self.installed), f"--model {self.installed.stem}"])
        return [
            Table(title, columns, rows),
            Table(f"Model {self.name}", ["", "path", "use with"], use),
        ]

    def csv_tables(self) -> dict[str, list[dict[str, Any]]]:
        epochs = ([self.run.initial] if self.run.initial else []) + self.run.history
        return {"history.csv": [asdict(m) for m in epochs]}

    def figures(self) -> dict[str, Callable[[], Figure]]:
        if not self.run.history:
            return {}
        from molxtal.plotting.train import plot_training

        return {"training.png": lambda: plot_training(self.run.history, self.name)}


def split_frames(
    frames: list[Atoms], valid_fraction: float, seed: int
) -> tuple[list[Atoms], list[Atoms], list[int]]:
    """Seeded random train/validation split; isolated-atom frames always stay in training."""
    candidates = [i for i, a in enumerate(frames) if a.info.get("config_type") != "IsolatedAtom"]
    n_valid = round(valid_fraction * len(candidates))
    if not 0 < n_valid < len(candidates):
        raise MolxtalError(
            f"a validation fraction of {valid_fraction} leaves no training or no validation "
            f"frame among {len(candidates)}; give more frames or --valid FILE"
        )
    chosen = sorted(np.random.default_rng(seed).permutation(candidates)[:n_valid].tolist())
    valid = [frames[i] for i in chosen]
    train = [a for i, a in enumerate(frames) if i not in set(chosen)]
    return train, valid, chosen


def resolve_foundation(spec: str) -> Path:
    """Path of a foundation model given as a file, a user model name or a MACE catalogue name."""
    from molxtal.models import CATALOGUE, user_models

    entry = CATALOGUE.get(spec)
    checkpoint = entry.mace_checkpoint() if entry is not None else None
    if checkpoint is not None:
        return checkpoint
    if spec in user_models():
        return user_models()[spec]
    if Path(spec).is_file():
        return Path(spec).resolve()
    raise MolxtalError(f"foundation model '{spec}': no such file, user model or MACE name")


def build_settings(
    base: dict[str, Any] | None = None,
    *,
    foundation: Path | None = None,
    finetune: str = "naive",
    pt_train_file: Path | None = None,
    e0s: str | None = None,
    **options: Any,
) -> dict[str, Any]:
    """mace settings: molxtal's defaults < ``base`` (e.g. a YAML) < ``options`` (None: unset).

    With a ``foundation`` model the run fine-tunes it: ``naive`` (all weights from the
    foundation, one head) or ``multihead`` (replay of ``pt_train_file`` on a second head).
    """
    settings = {**DEFAULTS, **(base or {})}
    settings.update({k: v for k, v in options.items() if v is not None})
    if foundation is not None:
        if finetune not in FINETUNE_MODES:
            raise MolxtalError(f"unknown fine-tuning mode '{finetune}'; choose {FINETUNE_MODES}")
        if finetune == "multihead" and pt_train_file is None:
            raise MolxtalError("multihead fine-tuning needs replay data: give --pt-data FILE")
        settings["foundation_model"] = str(foundation)
        settings["multiheads_finetuning"] = finetune == "multihead"
        if pt_train_file is not None:
            settings["pt_train_file"] = str(pt_train_file)
    if e0s is not None:
        settings["E0s"] = e0s
    settings.setdefault("E0s", "foundation" if foundation is not None else "average")
    if settings["E0s"] in ("foundation", "estimated") and foundation is None:
        raise MolxtalError(f"E0s '{settings['E0s']}' needs a foundation model (--foundation)")
    return settings


def _parser() -> argparse.ArgumentParser:
    with contextlib.redirect_stdout(io.StringIO()):
        from mace.tools import build_default_arg_parser

    return build_default_arg_parser()


def mace_arguments(settings: dict[str, Any], extra_args: list[str] = ()) -> list[str]:
    """``mace_run_train`` arguments for ``settings``, validated by mace's own parser."""
    parser = _parser()
    actions = {a.dest: a for a in parser._actions}
    argv = []
    for key, value in settings.items():
        if key == "E0s" and value == "isolated":
            continue  # mace takes E0s from the IsolatedAtom frames of the training file
        action = actions.get(key)
        if action is None:
            raise MolxtalError(f"'{key}' is not a mace_run_train option")
        if isinstance(action, argparse._StoreTrueAction):
            argv += [f"--{key}"] if value else []
        elif isinstance(action, argparse._StoreFalseAction):
            argv += [] if value else [action.option_strings[0]]
        else:
            text = json.dumps(value) if isinstance(value, dict | list) else str(value)
            argv += [f"--{key}", text]
    argv += list(extra_args)
    with contextlib.redirect_stderr(io.StringIO()) as err:
        try:
            parser.parse_args(argv)
        except SystemExit:
            message = err.getvalue().strip().splitlines()[-1] if err.getvalue() else ""
            raise MolxtalError(f"invalid mace option(s): {message}") from None
    return argv


def read_history(results_file: Path) -> tuple[EpochMetrics | None, list[EpochMetrics]]:
    """Metrics before training and after each epoch, from mace's ``results/*_train.txt``."""
    opt_losses: dict[int, list[float]] = {}
    evals = []
    for line in Path(results_file).read_text().splitlines():
        record = json.loads(line)
        if record.get("mode") == "opt":
            opt_losses.setdefault(record["epoch"], []).append(record["loss"])
        elif record.get("mode") == "eval" and record.get("head", "Default") == "Default":
            evals.append(record)
    metrics = [
        EpochMetrics(
            epoch=r["epoch"],
            train_loss=float(np.mean(opt_losses[r["epoch"]])) if r["epoch"] in opt_losses else None,
            valid_loss=r["loss"],
            mae_e_meV_per_atom=1e3 * r["mae_e_per_atom"],
            rmse_e_meV_per_atom=1e3 * r["rmse_e_per_atom"],
            mae_f_meV_per_angstrom=1e3 * r["mae_f"],
            rmse_f_meV_per_angstrom=1e3 * r["rmse_f"],
        )
        for r in evals
    ]
    initial = next((m for m in metrics if m.epoch is None), None)
    by_epoch = {m.epoch: m for m in metrics if m.epoch is not None}  # a resumed run repeats
    return initial, [by_epoch[e] for e in sorted(by_epoch)]


def train_mace(
    train_frames: list[Atoms],
    valid_frames: list[Atoms],
    work_dir: str | Path,
    settings: dict[str, Any],
    *,
    name: str = "mace",
    extra_args: list[str] = (),
    threads: int | None = None,
) -> MaceRun:
    """Train (or fine-tune) a MACE model with ``mace_run_train`` in ``work_dir``.

    mace's output goes to ``work_dir/mace.log``; ``threads`` sets the torch/OpenMP threads.
    Raises :class:`MolxtalError` (naming the log) if mace fails.
    """
    work_dir = Path(work_dir).resolve()
    train_file = write_atoms(work_dir / "train.extxyz", train_frames)
    valid_file = write_atoms(work_dir / "valid.extxyz", valid_frames)
    settings = {
        **settings,
        "name": name,
        "work_dir": str(work_dir),
        "train_file": str(train_file),
        "valid_file": str(valid_file),
    }
    argv = mace_arguments(settings, extra_args)
    env = dict(os.environ)
    if threads is not None:
        env.update(OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    log_path = work_dir / MACE_LOG
    with open(log_path, "a") as log:
        status = subprocess.run(
            [sys.executable, "-m", "mace.cli.run_train", *argv],
            cwd=work_dir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        ).returncode
    model_path = next(
        (
            p
            for p in (work_dir / f"{name}_stagetwo.model", work_dir / f"{name}.model")
            if p.is_file()
        ),
        None,
    )
    if status != 0 or model_path is None:
        tail = log_path.read_text().strip().splitlines()[-1:] or [""]
        raise MolxtalError(f"mace_run_train failed (exit {status}; see {log_path}): {tail[0]}")
    results = sorted((work_dir / "results").glob(f"{name}_run-*_train.txt"))
    initial, history = read_history(results[-1]) if results else (None, [])
    return MaceRun(model_path, history, initial, argv, log_path)


def read_settings_file(path: Path | None) -> dict[str, Any]:
    """mace options (name: value) from a YAML file; ``{}`` without one."""
    if path is None:
        return {}
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise MolxtalError(f"{path}: cannot read the YAML of hyperparameters ({exc})") from exc
    if not isinstance(data, dict):
        raise MolxtalError(f"{path}: the YAML must map mace option names to values")
    return data


def install_model(model_path: Path, name: str) -> Path:
    """Copy a ``.model`` file into the user model directory as ``NAME.model`` (atomically)."""
    from molxtal.models import user_model_dir

    target = user_model_dir() / f"{name}.model"
    with atomic_write(target, "wb") as handle, open(model_path, "rb") as source:
        shutil.copyfileobj(source, handle)
    return target


def train(
    data: Path,
    folder: Path,
    *,
    valid: Path | None = None,
    valid_fraction: float = 0.1,
    config: Path | None = None,
    foundation: str | None = None,
    finetune: str = "naive",
    pt_data: Path | None = None,
    e0s: str | None = None,
    seed: int = 0,
    name: str = "mace",
    install: str | None = None,
    extra_args: list[str] = (),
    threads: int | None = None,
    **options: Any,
) -> TrainResult:
    """Train or fine-tune a MACE model on the frames of ``data`` into ``folder``.

    The validation frames are ``valid`` or a seeded ``valid_fraction`` of ``data``; mace's
    settings are molxtal's defaults < the YAML ``config`` < ``options`` (mace option names,
    None: unset). mace runs in ``folder/mace``; the model is copied to ``folder/NAME.model``
    and, with ``install``, into the user model directory as ``INSTALL.model``.
    """
    from molxtal.data.training import read_frames
    from molxtal.models import load_model

    frames = read_frames(data)
    if valid is None:
        train_frames, valid_frames, valid_indices = split_frames(frames, valid_fraction, seed)
    else:
        train_frames, valid_frames, valid_indices = frames, read_frames(valid), []
    settings = build_settings(
        read_settings_file(config),
        foundation=resolve_foundation(foundation) if foundation else None,
        finetune=finetune,
        pt_train_file=Path(pt_data).resolve() if pt_data else None,
        e0s=e0s,
        seed=seed,
        **options,
    )
    run = train_mace(
        train_frames,
        valid_frames,
        Path(folder) / "mace",
        settings,
        name=name,
        extra_args=extra_args,
        threads=threads,
    )
    model_path = Path(folder) / f"{name}.model"
    shutil.copyfile(run.model_path, model_path)
    model = load_model(str(model_path), dtype=settings["default_dtype"])
    return TrainResult(
        name=name,
        model_path=model_path,
        model_sha256=model.sha256,
        elements=sorted(model.elements),
        installed=install_model(model_path, install) if install else None,
        n_train=len(train_frames),
        n_valid=len(valid_frames),
        valid_indices=valid_indices,
        settings=settings,
        run=run,
    )
