"""Step cache: one folder per step key holding ``result.json`` (written last) and its files.

The key is :func:`molxtal.keys.cache_key` of the step's name, its model (everything that
changes the model's numbers, the device excepted), its input structures and its parameters,
so that any change of these recomputes the step and nothing else does. A folder without a
readable ``result.json`` is an unfinished step: it is recomputed (a workflow's own
checkpoints inside it are reused).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from molxtal import io

RESULT = "result.json"

logger = logging.getLogger("molxtal")


@dataclass
class Cache:
    """The step folders under ``root`` (``root/<workflow>/<key>/``)."""

    root: Path

    def folder(self, workflow: str, key: str) -> Path:
        return Path(self.root) / workflow / key

    @staticmethod
    def shared(step_folder: Path, name: str) -> Path:
        """A folder ``root/<name>`` that steps share (e.g. force-set checkpoints), from the
        folder :meth:`folder` gave one of them."""
        return Path(step_folder).parent.parent / name

    def load(self, workflow: str, key: str) -> dict[str, Any] | None:
        """The stored record of a finished step, or None: also for an empty or unreadable
        ``result.json`` (a full disk, a damaged copy), which is then recomputed."""
        path = self.folder(workflow, key) / RESULT
        if not path.is_file():
            return None
        try:
            record = io.read_json(path)
        except (OSError, ValueError) as exc:
            logger.warning("%s: unreadable (%s); the step is recomputed", path, exc)
            return None
        if not isinstance(record, dict) or "values" not in record:
            logger.warning("%s: not a step record; the step is recomputed", path)
            return None
        return record

    def store(self, workflow: str, key: str, record: dict[str, Any]) -> dict[str, Any]:
        """Write ``record`` as the step's ``result.json`` (atomic; marks the step finished)."""
        io.write_json(self.folder(workflow, key) / RESULT, record)
        return io.read_json(self.folder(workflow, key) / RESULT)
