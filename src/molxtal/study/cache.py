"""Step cache: one folder per step key holding ``result.json`` (written last) and its files.

The key hashes the step's workflow name, the hash of its input structure, the model's
sha256 (its name when it has no weights file), the dtype and the parameters, so that any
change of these recomputes the step and nothing else does. A folder without ``result.json``
is an interrupted step: it is recomputed (a workflow's own checkpoints inside it are reused).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from ase import Atoms

from molxtal import io

RESULT = "result.json"


def structure_hash(atoms: Atoms) -> str:
    """SHA-256 of numbers, positions (Å, 1e-8), cell and pbc."""
    digest = hashlib.sha256()
    digest.update(np.asarray(atoms.numbers, dtype=np.int64).tobytes())
    for array in (atoms.positions, atoms.cell.array):
        digest.update(np.round(np.asarray(array, dtype=float), 8).tobytes())
    digest.update(np.asarray(atoms.pbc, dtype=bool).tobytes())
    return digest.hexdigest()


def step_key(
    workflow: str, structure: str, model_id: str, dtype: str, parameters: dict[str, Any]
) -> str:
    """Hex key of one step: workflow, structure hash, model sha256, dtype and parameters."""
    text = json.dumps(
        [workflow, structure, model_id, dtype, io.to_jsonable(parameters)], sort_keys=True
    )
    return hashlib.sha256(text.encode()).hexdigest()[:24]


@dataclass
class Cache:
    """The step folders under ``root`` (``root/<workflow>/<key>/``)."""

    root: Path

    def folder(self, workflow: str, key: str) -> Path:
        return Path(self.root) / workflow / key

    def load(self, workflow: str, key: str) -> dict[str, Any] | None:
        """The stored record of a finished step, or None."""
        path = self.folder(workflow, key) / RESULT
        return io.read_json(path) if path.is_file() else None

    def store(self, workflow: str, key: str, record: dict[str, Any]) -> dict[str, Any]:
        """Write ``record`` as the step's ``result.json`` (atomic; marks the step finished)."""
        io.write_json(self.folder(workflow, key) / RESULT, record)
        return io.read_json(self.folder(workflow, key) / RESULT)
