"""The steps of the study: each runs one workflow for one model and returns JSON-able values.

A step is registered with :func:`register`; its ``compute(model, parameters, folder)`` writes
its figures (PNG) into ``folder`` and returns its values, and ``table(values_by_model,
parameters)`` turns the stored values of every model into the report's table. Adding a part
to the study is one ``register(Step(...))`` call in a module of this package (imported at the
end of this file, in the order of the report) and an entry in each profile.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ase import Atoms

from molxtal import io
from molxtal.analysis.water import pick
from molxtal.data import water as ref
from molxtal.models import Model
from molxtal.results import Result, ResultDir

Values = dict[str, Any]
Table = tuple[list[str], list[list[str]]]
#: pyplot is not thread-safe; dask workers with ``processes=False`` draw one figure at a time.
FIGURE_LOCK = threading.Lock()


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


def save_figure(folder: Path, name: str, draw: Callable, *args) -> str:
    """Draw ``draw(*args)`` and save it as ``folder/name`` (atomic); the file name."""
    import matplotlib.pyplot as plt

    with FIGURE_LOCK:
        figure = draw(*args)
        io.save_figure(folder / name, figure, dpi=90)
        plt.close(figure)
    return name


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


def _fmt(value, digits: int) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def comparison_table(quantities, values: dict[str, Values], reference: dict, thesis) -> Table:
    """Rows per quantity: the reference, then per model "value (error) [thesis value]"."""
    rows = []
    for label, key, index, digits in quantities:
        expected = pick(reference, key, index)
        row = [label, _fmt(expected, digits)]
        for name, v in values.items():
            value = pick(v, key, index)
            cell = _fmt(value, digits)
            if value is not None and expected is not None:
                cell += f" ({value - expected:+.{digits}f})"
            label_t = ref.thesis_label(name)
            known = thesis(label_t) if label_t else None
            if known is not None:
                cell += f" [thesis {pick(known, key, index):.{digits}f}]"
            row.append(cell)
        rows.append(row)
    return ["quantity", "reference", *values], rows


# The parts of the study, in the order of the report.
from molxtal.study.steps import water, ice13, ice, liquid  # noqa: E402, F401, I001
from molxtal.study.steps import x23  # noqa: E402, F401
