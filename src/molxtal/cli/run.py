"""The run context: result directory, provenance and logging for one command."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from molxtal.models import Model
from molxtal.provenance import Provenance
from molxtal.results import ResultDir, default_out_dir


@contextlib.contextmanager
def result_dir(
    command: str,
    out: Path | None,
    models: list[Model] = (),
    parameters: dict[str, Any] | None = None,
    seed: int | None = None,
) -> Iterator[ResultDir]:
    """Open the result directory of ``command``; ``provenance.json`` is written even on failure."""
    provenance = Provenance(seed=seed, parameters=parameters or {})
    for model in models:
        provenance.add_model(model.provenance())
    results = ResultDir(out or default_out_dir(command), provenance)
    status = "failed"
    try:
        yield results
        status = "ok"
    finally:
        results.close(status)
