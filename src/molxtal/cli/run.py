"""The run context of one command: result directory, provenance, writing and the summary."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from molxtal.provenance import Provenance
from molxtal.results import Result, ResultDir, default_out_dir

if TYPE_CHECKING:
    from molxtal.models import Model


@contextlib.contextmanager
def result_dir(
    command: str,
    out: Path | None,
    models: Sequence[Model] = (),
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


def run_command(
    command: str,
    out: Path | None,
    compute: Callable[[ResultDir], Result],
    models: Sequence[Model] = (),
    parameters: dict[str, Any] | None = None,
    seed: int | None = None,
    check: Callable[[Result, Path], None] | None = None,
) -> Result:
    """One command: open the result folder, ``compute(folder)`` (one workflow call), write the
    result into the folder, then print its summary and where it is. ``check(result, folder)``
    may then raise (e.g. :class:`NotConvergedError`): the results stay written and the
    provenance records the run as failed."""
    from molxtal.cli.console import print_summary

    with result_dir(command, out, models, parameters, seed) as folder:
        result = compute(folder)
        result.write(folder)
        print_summary(result, folder.path)
        if check is not None:
            check(result, folder.path)
    return result
