"""Errors of a model against reference labels: energy, forces and stress (MAE and RMSE).

Predictions are made with :func:`molxtal.workflows.label.label_frames` (keys ``pred_*``), so
they are checkpointed frame by frame and a re-run with the same checkpoint file resumes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from ase import Atoms
from ase.stress import full_3x3_to_voigt_6_stress

from molxtal.errors import MolxtalError
from molxtal.models import Model
from molxtal.progress import ProgressBar, no_progress
from molxtal.results import Result, Table, number
from molxtal.workflows.label import REF_PREFIX, label_frames

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PRED_PREFIX = "pred_"


@dataclass
class Parity:
    """Reference and predicted values: energy per atom (eV/atom), force components (eV/Å),
    stress components (eV/Å³, Voigt; frames with a reference stress only)."""

    energy_ref: np.ndarray
    energy_pred: np.ndarray
    forces_ref: np.ndarray
    forces_pred: np.ndarray
    stress_ref: np.ndarray
    stress_pred: np.ndarray


@dataclass
class ModelErrors:
    """Errors of one model. ``*_shifted``: energy errors after removing the mean per-atom
    offset (models trained on another reference energy scale)."""

    model: str
    n_frames: int
    n_failed: int
    energy_mae_meV_per_atom: float
    energy_rmse_meV_per_atom: float
    energy_mae_shifted_meV_per_atom: float
    energy_rmse_shifted_meV_per_atom: float
    force_mae_meV_per_angstrom: float
    force_rmse_meV_per_angstrom: float
    stress_mae_meV_per_angstrom3: float | None
    stress_rmse_meV_per_angstrom3: float | None
    parity: Parity

    def to_dict(self) -> dict[str, Any]:
        """The errors (without the parity values)."""
        return {k: v for k, v in vars(self).items() if k != "parity"}


@dataclass
class Evaluation(Result):
    """The errors of each model on the frames of ``data``."""

    data: str
    n_frames: int
    models: list[ModelErrors]

    def to_dict(self) -> dict[str, Any]:
        return {"data": self.data, "models": [m.to_dict() for m in self.models]}

    def summary(self) -> list[Table]:
        columns = ["model", "frames", "E MAE (meV/atom)", "E MAE shifted (meV/atom)"]
        columns += ["F MAE (meV/Å)", "F RMSE (meV/Å)", "σ MAE (meV/Å³)"]
        cells = (
            ("energy_mae_meV_per_atom", ".2f"),
            ("energy_mae_shifted_meV_per_atom", ".2f"),
            ("force_mae_meV_per_angstrom", ".1f"),
            ("force_rmse_meV_per_angstrom", ".1f"),
            ("stress_mae_meV_per_angstrom3", ".3f"),
        )
        rows = [
            [m.model, m.n_frames, *(number(getattr(m, key), spec) for key, spec in cells)]
            for m in self.models
        ]
        notes = [f"{m.model}: failed on {m.n_failed} frame(s)" for m in self.models if m.n_failed]
        return [Table(f"Errors on {self.data} ({self.n_frames} frames)", columns, rows, notes)]

    def csv_tables(self) -> dict[str, list[dict[str, Any]]]:
        return {"errors.csv": [m.to_dict() for m in self.models]}

    def figures(self) -> dict[str, Callable[[], Figure]]:
        from molxtal.plotting.evaluate import plot_parity

        return {"parity.png": lambda: plot_parity(self.models)}


def _mae_rmse(delta: np.ndarray) -> tuple[float, float]:
    return float(np.mean(np.abs(delta))), float(np.sqrt(np.mean(delta**2)))


def parity_values(frames: list[Atoms], ref: str = REF_PREFIX, pred: str = PRED_PREFIX) -> Parity:
    """Collect reference and predicted values from labelled frames."""
    n_atoms = np.array([len(a) for a in frames])
    with_stress = [a for a in frames if f"{ref}stress" in a.info and f"{pred}stress" in a.info]

    def voigt(atoms, prefix):
        return full_3x3_to_voigt_6_stress(np.reshape(atoms.info[f"{prefix}stress"], (3, 3)))

    return Parity(
        energy_ref=np.array([a.info[f"{ref}energy"] for a in frames]) / n_atoms,
        energy_pred=np.array([a.info[f"{pred}energy"] for a in frames]) / n_atoms,
        forces_ref=np.concatenate([a.arrays[f"{ref}forces"].ravel() for a in frames]),
        forces_pred=np.concatenate([a.arrays[f"{pred}forces"].ravel() for a in frames]),
        stress_ref=np.array([voigt(a, ref) for a in with_stress]).reshape(-1, 6),
        stress_pred=np.array([voigt(a, pred) for a in with_stress]).reshape(-1, 6),
    )


def errors(name: str, parity: Parity, n_failed: int = 0) -> ModelErrors:
    """MAE and RMSE (meV/atom, meV/Å, meV/Å³) over frames, force and stress components."""
    de = 1e3 * (parity.energy_pred - parity.energy_ref)
    stress = (
        _mae_rmse(1e3 * (parity.stress_pred - parity.stress_ref))
        if len(parity.stress_ref)
        else (None, None)
    )
    return ModelErrors(
        name,
        len(de),
        n_failed,
        *_mae_rmse(de),
        *_mae_rmse(de - de.mean()),
        *_mae_rmse(1e3 * (parity.forces_pred - parity.forces_ref)),
        *stress,
        parity=parity,
    )


def evaluate_model(
    frames: list[Atoms],
    model: Model,
    checkpoint: str | Path,
    advance: Callable[[int], None] = lambda n=1: None,
) -> ModelErrors:
    """Predict ``frames`` with ``model`` (checkpointed in ``checkpoint``) and compare with
    their ``REF_energy``, ``REF_forces`` and ``REF_stress``."""
    missing = [i for i, a in enumerate(frames) if f"{REF_PREFIX}energy" not in a.info]
    if missing:
        raise MolxtalError(f"frame {missing[0]} has no REF_energy/REF_forces to compare with")
    for index, atoms in enumerate(frames):
        model.check_elements(atoms, f"frame {index}")
    result = label_frames(frames, model.calculator, checkpoint, advance, prefix=PRED_PREFIX)
    from ase.io import read

    predicted = read(result.output, index=":") if result.labelled else []
    if not predicted:
        raise MolxtalError(f"model '{model.name}' failed on every frame")
    return errors(model.name, parity_values(predicted), n_failed=len(result.failed))


def checkpoint_name(model: Model) -> str:
    """``<name>-<sha256[:12]>-<dtype>.extxyz``: the predictions of one model, file-name safe."""
    key = f"{(model.sha256 or '')[:12] or 'plugin'}-{model.dtype}"
    return f"{re.sub(r'[^A-Za-z0-9_.-]', '_', model.name)}-{key}.extxyz"


def evaluate(
    data: str | Path,
    models: list[Model],
    checkpoints: str | Path,
    progress_bar: ProgressBar = no_progress,
) -> Evaluation:
    """The errors of each model on the labelled frames of the file ``data``; predictions are
    checkpointed per model in the folder ``checkpoints`` (a re-run resumes from them)."""
    from molxtal.data.training import read_frames

    frames = read_frames(data)
    per_model = []
    for model in models:
        with progress_bar(f"Evaluating {model.name}", len(frames)) as advance:
            checkpoint = Path(checkpoints) / checkpoint_name(model)
            per_model.append(evaluate_model(frames, model, checkpoint, advance))
    return Evaluation(str(data), len(frames), per_model)
