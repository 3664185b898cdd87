"""The run context of one command: result folder (safe against losing earlier results, see
:func:`molxtal.results.open_result_dir`), provenance, writing and the summary."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from molxtal.provenance import Provenance
from molxtal.results import Result, ResultDir, default_out_dir, open_result_dir

if TYPE_CHECKING:
    from molxtal.models import Model

#: ``--overwrite`` of the running command (set by :func:`molxtal.cli.options.with_overwrite`).
OVERWRITE: contextvars.ContextVar[bool] = contextvars.ContextVar("overwrite", default=False)


def result_dir(
    command: str,
    out: Path | None,
    models: Sequence[Model] = (),
    parameters: dict[str, Any] | None = None,
    seed: int | None = None,
    in_place: bool = False,
    resume: bool = False,
) -> contextlib.AbstractContextManager[ResultDir]:
    """The result folder of ``command`` (:func:`molxtal.results.open_result_dir`), with the
    command's ``--overwrite`` and a provenance record of its models and parameters."""
    provenance = Provenance(seed=seed, parameters=parameters or {})
    for model in models:
        provenance.add_model(model.provenance())
    target = Path(out or default_out_dir(command))
    return open_result_dir(
        target, provenance, overwrite=OVERWRITE.get(), in_place=in_place, resume=resume
    )


def run_command(
    command: str,
    out: Path | None,
    compute: Callable[[ResultDir], Result],
    models: Sequence[Model] = (),
    parameters: dict[str, Any] | None = None,
    seed: int | None = None,
    in_place: bool = False,
    resume: bool = False,
    check: Callable[[Result], None] | None = None,
) -> Result:
    """One command: open the result folder, ``compute(folder)`` (one workflow call), write the
    result into the folder, then print its summary and where it is (``in_place``, ``resume``:
    see :func:`result_dir`). ``check(result)`` may then raise (e.g.
    :class:`~molxtal.errors.NotConvergedError`): the results stay written and the provenance
    records the run as failed."""
    from molxtal.cli.console import print_summary

    result = None
    try:
        with result_dir(command, out, models, parameters, seed, in_place, resume) as folder:
            result = compute(folder)
            result.write(folder)
            if check is not None:
                check(result)
    finally:
        if result is not None:
            print_summary(result, folder.path)
    return result
