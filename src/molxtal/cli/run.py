"""The run context of one command: result folder, provenance, writing and the summary.

A run writes into a hidden staging folder beside ``--out`` and moves it into place when it is
done, so a failed run never damages the results of an earlier one, and bad input found before
any result was written leaves nothing on disk. A folder that holds an earlier run is refused
unless ``--overwrite`` is given (commands that resume work in their folder in place).
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from molxtal import validate
from molxtal.provenance import Provenance
from molxtal.results import RESULTS_JSON, Result, ResultDir, default_out_dir

if TYPE_CHECKING:
    from molxtal.models import Model

#: ``--overwrite`` of the running command (set by :func:`molxtal.cli.options.with_overwrite`).
OVERWRITE: contextvars.ContextVar[bool] = contextvars.ContextVar("overwrite", default=False)


def _publish(staging: Path, target: Path, succeeded: bool) -> Path:
    """Move the finished staging folder to ``target``; the folder the results are in now."""
    if target.exists() and not succeeded:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        target = target.with_name(f"{target.name}-failed-{stamp}")
    elif target.exists():
        shutil.rmtree(target)
    os.replace(staging, target)
    return target


@contextlib.contextmanager
def result_dir(
    command: str,
    out: Path | None,
    models: Sequence[Model] = (),
    parameters: dict[str, Any] | None = None,
    seed: int | None = None,
    in_place: bool = False,
    resume: bool = False,
) -> Iterator[ResultDir]:
    """Open the result folder of ``command``; ``provenance.json`` records how the run ended.

    The run works in a staging folder that becomes ``out`` at the end (see the module
    docstring). A command that checkpoints into its folder works ``in_place``: an earlier
    run there is continued with ``resume``, replaced with ``--overwrite``, else refused.
    """
    target = Path(out or default_out_dir(command))
    validate.output_folder("--out", target, OVERWRITE.get() or resume)
    if in_place and OVERWRITE.get() and not resume and target.exists():
        shutil.rmtree(target)
    provenance = Provenance(seed=seed, parameters=parameters or {})
    for model in models:
        provenance.add_model(model.provenance())
    staging = target if in_place else target.with_name(f".{target.name}.partial-{os.getpid()}")
    if not in_place and staging.exists():
        shutil.rmtree(staging)
    results = ResultDir(staging, provenance)
    status = "failed"
    try:
        yield results
        status = "ok"
    finally:
        results.close(status)
        if not in_place:
            if status == "ok" or (staging / RESULTS_JSON).exists():
                results.path = _publish(staging, target, status == "ok")
            else:  # nothing was computed: leave no trace
                shutil.rmtree(staging, ignore_errors=True)


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
