"""Checks of numeric options and output folders, made before any work starts.

Each check raises :class:`~molxtal.errors.MolxtalError` with ``<option>: <problem>``, which the
CLI prints as one ``Error:`` line with exit status 2. Structures are checked where they are
read (:func:`molxtal.structures.read_structure`).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from molxtal.errors import MolxtalError

#: Files whose presence marks a folder as holding a molxtal run (finished, failed or killed).
RUN_MARKERS = ("results.json", "provenance.json", "checkpoint.json")


def number(
    option: str,
    value: float,
    low: float | None = None,
    high: float | None = None,
    unit: str = "",
    inclusive_low: bool = False,
) -> float:
    """``value`` if finite and inside (low, high] (``[low, high]`` with ``inclusive_low``)."""
    suffix = f" {unit}" if unit else ""
    if value is None or not math.isfinite(value):
        raise MolxtalError(f"{option}: must be a finite number (got {value})")
    if low is not None and (value < low or (value == low and not inclusive_low)):
        relation = ">=" if inclusive_low else ">"
        raise MolxtalError(f"{option}: must be {relation} {low:g}{suffix} (got {value:g}{suffix})")
    if high is not None and value > high:
        raise MolxtalError(f"{option}: must be <= {high:g}{suffix} (got {value:g}{suffix})")
    return value


def positive_integers(option: str, values: Iterable[int], count: int | None = None) -> list[int]:
    """A list of integers >= 1 (``count`` of them when given), e.g. a supercell or a mesh."""
    values = list(values)
    if count is not None and len(values) != count:
        raise MolxtalError(f"{option}: needs {count} integers (got {len(values)})")
    if any(int(v) != v or v < 1 for v in values):
        raise MolxtalError(f"{option}: needs positive integers (got {' '.join(map(str, values))})")
    return [int(v) for v in values]


def masses(option: str, values: Mapping[str, float]) -> dict[str, float]:
    """Element masses (amu): known element symbols with finite, positive masses."""
    from ase.data import chemical_symbols

    for element, mass in values.items():
        if element not in chemical_symbols[1:]:
            raise MolxtalError(f"{option}: '{element}' is not an element symbol")
        number(f"{option} {element}", mass, 0.0, 500.0, "amu")
    return dict(values)


def output_folder(option: str, path: Path | None, overwrite: bool = False) -> Path | None:
    """An output folder that can be written: not a file, writable where it or its nearest
    existing parent is, and not holding an earlier run unless ``overwrite``."""
    if path is None:
        return None
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise MolxtalError(f"{option}: {path} is a file, not a folder")
    existing = path
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise MolxtalError(f"{option}: {existing} is not writable")
    if not overwrite and path.is_dir() and any((path / m).exists() for m in RUN_MARKERS):
        raise MolxtalError(
            f"{option}: {path} holds the results of an earlier run; choose another folder "
            "or pass --overwrite"
        )
    return path
