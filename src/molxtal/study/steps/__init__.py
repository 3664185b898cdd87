"""The steps of the study: each runs one workflow for one model and returns JSON-able values.

A step is registered with :func:`register`; its ``compute(model, parameters, folder)`` writes
its figures (PNG) into ``folder`` and returns its values, and ``table(values_by_model,
parameters)`` turns the stored values of every model into the report's table. Adding a part
to the study is one ``register(Step(...))`` call in a module of this package (imported at the
end of this file, in the order of the report) and an entry in each profile.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ase import Atoms

from molxtal.models import Model
from molxtal.results import Result, ResultDir

Values = dict[str, Any]
Table = tuple[list[str], list[list[str]]]


@dataclass(frozen=True)
class Step:
    """One part of the study, run per model."""

    name: str
    title: str
    what: str
    structures: Callable[[dict], list[Atoms]]
    compute: Callable[[Model, dict, Path], Values]
    table: Callable[[dict[str, Values], dict], Table]


STEPS: dict[str, Step] = {}


def register(step: Step) -> Step:
    STEPS[step.name] = step
    return step


def write_result(result: Result, folder: Path) -> Values:
    """Write ``result`` into the step's folder as its command does (``results.json``, CSV,
    figures at the report's resolution, other files) and return its values, with the names
    of its figures under ``figures``: the study stores what the command writes."""
    out = ResultDir(folder)
    try:
        figures = result.write(out, dpi=90)
    finally:
        out.close()
    return {**result.to_dict(), "figures": figures}


# The parts of the study, in the order of the report.
from molxtal.study.steps import water, ice13, ice, liquid, x23  # noqa: E402, F401, I001
