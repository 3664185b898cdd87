"""Provenance: what was run, with which software and model, and how long each stage took."""

from __future__ import annotations

import contextlib
import platform
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

TRACKED_PACKAGES = (
    "molxtal",
    "ase",
    "numpy",
    "scipy",
    "torch",
    "mace-torch",
    "chgnet",
    "torch-dftd",
    "phonopy",
    "spglib",
    "symfc",
    "seekpath",
)


def package_versions() -> dict[str, str | None]:
    """Installed versions of the packages that decide molxtal's numbers."""
    versions: dict[str, str | None] = {}
    for name in TRACKED_PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    return versions


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Provenance:
    """Collects the provenance of one run; ``as_dict()`` is written to ``provenance.json``."""

    command: list[str] = field(default_factory=lambda: list(sys.argv))
    seed: int | None = None
    models: list[dict[str, Any]] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)
    stages_s: dict[str, float] = field(default_factory=dict)
    started: str = field(default_factory=_now)
    finished: str | None = None
    status: str = "running"
    _t0: float = field(default_factory=time.perf_counter, repr=False)

    def add_model(self, model_info: dict[str, Any]) -> None:
        """Record a loaded model (see :meth:`molxtal.models.Model.provenance`)."""
        self.models.append(model_info)

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time a stage; repeated stages of the same name accumulate."""
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.stages_s[name] = self.stages_s.get(name, 0.0) + time.perf_counter() - t0

    def finish(self, status: str = "ok") -> None:
        self.finished = _now()
        self.status = status

    def as_dict(self) -> dict[str, Any]:
        return {
            "command": self.command,
            "status": self.status,
            "started_utc": self.started,
            "finished_utc": self.finished,
            "wall_time_s": time.perf_counter() - self._t0,
            "stage_wall_time_s": self.stages_s,
            "seed": self.seed,
            "models": self.models,
            "parameters": self.parameters,
            "versions": package_versions(),
            "python": sys.version.split()[0],
            "platform": platform.platform(),
        }
