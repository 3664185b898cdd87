"""Errors of a model against reference labels: energy, forces and stress (MAE and RMSE).

Predictions are made with :func:`molxtal.workflows.label.label_frames` (keys ``pred_*``), so
they are checkpointed frame by frame and a re-run with the same checkpoint file resumes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from ase import Atoms
from ase.stress import full_3x3_to_voigt_6_stress

from molxtal.errors import MolxtalError
from molxtal.models import Model
from molxtal.workflows.label import REF_PREFIX, label_frames

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
