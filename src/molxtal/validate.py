"""Parsing and checks of user input (list-valued options, numeric ranges, output folders),
made before any work starts.

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


#: Largest finite-difference or phonon displacement (Å) accepted: beyond it the harmonic
#: approximation fails (an amplitude of 2 Å changed a water ZPE threefold).
MAX_DISPLACEMENT_ANGSTROM = 0.1


def phonon_options(
    supercell: Iterable[int] | None = None,
    mesh: Iterable[int] | None = None,
    displacement_angstrom: float | None = None,
    t_max: float | None = None,
    t_step: float | None = None,
) -> None:
    """Check the phonon options a command takes: ``--supercell`` and ``--mesh`` (three
    positive integers each), ``--displacement`` (Å, see :func:`displacement`), ``--t-max``
    (K, >= 0) and ``--t-step`` (K, > 0)."""
    if supercell is not None:
        positive_integers("--supercell", supercell, 3)
    if mesh is not None:
        positive_integers("--mesh", mesh, 3)
    if displacement_angstrom is not None:
        number("--displacement", displacement_angstrom, 0.0, MAX_DISPLACEMENT_ANGSTROM, "Å")
    if t_max is not None:
        number("--t-max", t_max, 0.0, unit="K", inclusive_low=True)
    if t_step is not None:
        number("--t-step", t_step, 0.0, unit="K")


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


# ------------------------------------------------------------------ list-valued options


def parse_floats(
    text: str, option: str, low: float | None = None, high: float | None = None, unit: str = ""
) -> list[float]:
    """'0 0.5 1' or '0,0.5,1' -> floats, each finite and in (low, high] (see :func:`number`)."""
    try:
        values = [float(x) for x in text.replace(",", " ").split()]
    except ValueError:
        raise MolxtalError(f"{option} '{text}' is not a list of numbers") from None
    if not values:
        raise MolxtalError(f"{option} is empty")
    return [number(option, value, low, high, unit) for value in values]


def parse_integers(text: str | None, option: str) -> list[int]:
    """'1 2 3' or '1,2,3' -> [1, 2, 3] (empty for no text)."""
    try:
        return [int(x) for x in (text or "").replace(",", " ").split()]
    except ValueError:
        raise MolxtalError(f"{option} '{text}' is not a list of integers") from None


def parse_sizes(text: str | None, option: str) -> list[int]:
    """'1 2 3', '1,2,3' or '1-3' -> sorted distinct positive sizes [1, 2, 3]."""
    sizes = set()
    for item in (text or "").replace(",", " ").split():
        bounds = parse_integers(item.replace("-", " "), option)
        if not 1 <= len(bounds) <= 2:
            raise MolxtalError(f"{option} '{text}': '{item}' is not n or n-m")
        sizes.update(range(bounds[0], bounds[-1] + 1))
    if any(n < 1 for n in sizes):
        raise MolxtalError(f"{option} '{text}': sizes must be positive integers")
    return sorted(sizes)


def parse_temperatures(text: str) -> list[float]:
    """``0:300:10`` (stop included) or ``0,100,200`` -> temperatures in K."""
    import numpy as np

    try:
        if ":" in text:
            start, stop, step = (float(x) for x in text.split(":"))
            if step <= 0 or stop < start:
                raise ValueError
            values = np.arange(start, stop + 0.5 * step, step)
        else:
            values = np.array([float(x) for x in text.replace(",", " ").split()])
    except ValueError:
        raise MolxtalError(f"--temperatures '{text}' is not START:STOP:STEP or a list") from None
    if values.size == 0 or (values < 0).any():
        raise MolxtalError(f"--temperatures '{text}': need at least one value, none negative")
    return values.tolist()


def parse_indices(text: str | None) -> list[int]:
    """``"0,3,5"`` -> [0, 3, 5] (atom indices, 0-based)."""
    try:
        return [int(token) for token in (text or "").split(",") if token.strip()]
    except ValueError as exc:
        raise MolxtalError(f"--fix expects comma-separated atom indices, got '{text}'") from exc


def parse_pairs(texts: list[str] | None) -> list[tuple[int, int]]:
    """``["0-3", "1-4"]`` -> [(0, 3), (1, 4)] (atom index pairs, 0-based)."""
    pairs = []
    for text in texts or []:
        parts = text.split("-")
        if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
            raise MolxtalError(f"--fix-bond expects two atom indices like 0-3, got '{text}'")
        pairs.append((int(parts[0]), int(parts[1])))
    return pairs
