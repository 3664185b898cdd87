"""Cache keys: one function that names a cached or checkpointed result by everything that
changes its numbers.

A key covers the model (spec and name, weight sha256, dtype, dispersion, the keyword arguments
of a plug-in and, as far as they can be read, its calculator's class and parameters), the
structures (numbers, positions, cell, pbc, masses), every workflow parameter, and the versions
of the packages that decide the numbers. The device is left out: CPU and GPU runs of one model
share their results.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

import numpy as np

from molxtal import io

if TYPE_CHECKING:
    from ase import Atoms

    from molxtal.models import Model

#: Characters of the hex digest used in folder names.
KEY_LENGTH = 24


def structure_identity(atoms: Atoms) -> str:
    """SHA-256 of atomic numbers, positions (Å, rounded to 1e-8), cell, pbc and masses."""
    digest = hashlib.sha256()
    digest.update(np.asarray(atoms.numbers, dtype=np.int64).tobytes())
    for array in (atoms.positions, atoms.cell.array, atoms.get_masses()):
        digest.update(np.round(np.asarray(array, dtype=float), 8).tobytes())
    digest.update(np.asarray(atoms.pbc, dtype=bool).tobytes())
    return digest.hexdigest()


def _calculator_parameters(calculator) -> dict[str, Any]:
    """The class and readable parameters of an ASE calculator (and of the calculators it
    wraps: ``inner``, ``calcs``), as plain JSON."""
    found = {"class": f"{type(calculator).__module__}.{type(calculator).__qualname__}"}
    parameters = getattr(calculator, "parameters", None)
    if isinstance(parameters, dict):
        found["parameters"] = json.loads(json.dumps(io.to_jsonable(parameters), default=repr))
    inner = getattr(calculator, "inner", None)
    if inner is not None:
        found["inner"] = _calculator_parameters(inner)
    wrapped = getattr(calculator, "calcs", None) or getattr(calculator, "mixer", None)
    if isinstance(wrapped, list | tuple):
        found["calcs"] = [_calculator_parameters(c) for c in wrapped]
    return found


def model_identity(model: Model) -> dict[str, Any]:
    """What identifies a model's numbers: everything except the device."""
    from molxtal.provenance import package_versions

    identity = model.provenance()
    identity.pop("device", None)
    identity["calculator"] = _calculator_parameters(model.calculator)
    identity["packages"] = package_versions()
    return identity


def cache_key(
    kind: str,
    model: Model | None = None,
    structures: Atoms | list[Atoms] | tuple[Atoms, ...] = (),
    **parameters: Any,
) -> str:
    """Hex key of one cached computation: its ``kind`` (workflow), the model, the structures
    and the parameters (any JSON-able values; numpy arrays are fine)."""
    from ase import Atoms

    if isinstance(structures, Atoms):
        structures = [structures]
    record = {
        "kind": kind,
        "model": None if model is None else model_identity(model),
        "structures": [structure_identity(a) for a in structures],
        "parameters": io.to_jsonable(parameters),
    }
    text = json.dumps(record, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()[:KEY_LENGTH]
