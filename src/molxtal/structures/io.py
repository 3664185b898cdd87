"""Reading structures with clear errors, and sanity checks on them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from ase import Atoms
from ase.neighborlist import neighbor_list

from molxtal.errors import MolxtalError

#: Atoms closer than this (Å) are treated as overlapping: no chemical bond is this short.
MIN_INTERATOMIC_DISTANCE = 0.5


def check_overlaps(atoms: Atoms, source: str = "structure", min_distance=MIN_INTERATOMIC_DISTANCE):
    """Raise if two atoms (periodic images included) are closer than ``min_distance`` Å."""
    if len(atoms) < 2 and not atoms.pbc.any():
        return
    i, j, d = neighbor_list("ijd", atoms, min_distance, self_interaction=False)
    if len(d):
        k = int(np.argmin(d))
        raise MolxtalError(
            f"{source}: atoms {i[k]} ({atoms[i[k]].symbol}) and {j[k]} ({atoms[j[k]].symbol}) "
            f"are {d[k]:.3f} Å apart (overlapping atoms)"
        )


def check_structure(atoms: Atoms, source: str = "structure", periodic: bool | None = None):
    """Raise a one-line error unless ``atoms`` has finite coordinates and cell, a full 3D cell
    where it is periodic (``periodic=True``: must be periodic in all three directions;
    ``False``: must be an isolated molecule), and no overlapping atoms."""
    if len(atoms) == 0:
        raise MolxtalError(f"{source}: no atoms found")
    if not np.isfinite(atoms.positions).all():
        raise MolxtalError(f"{source}: non-finite atomic coordinates (NaN or inf)")
    if not np.isfinite(atoms.cell.array).all():
        raise MolxtalError(f"{source}: non-finite cell vectors (NaN or inf)")
    if atoms.pbc.any() and (atoms.cell.rank < 3 or abs(atoms.cell.volume) < 1e-6):
        raise MolxtalError(f"{source}: periodic structure without a full 3D cell")
    if periodic and not atoms.pbc.all():
        raise MolxtalError(f"{source}: needs a crystal (a periodic cell in all three directions)")
    if periodic is False and atoms.pbc.any():
        raise MolxtalError(f"{source}: needs an isolated molecule (no periodic cell)")
    check_overlaps(atoms, source)


def read_structure(
    path: str | Path, format: str | None = None, index: int = -1, periodic: bool | None = None
) -> Atoms:
    """Read one structure with ASE (any format ASE reads), checked by :func:`check_structure`
    (``periodic`` as there).

    Files named ``POSCAR``/``CONTCAR`` (or ``*.vasp``) are read as VASP.
    """
    path = Path(path)
    if not path.is_file():
        raise MolxtalError(f"{path}: file not found")
    if format is None and (path.name.upper() in ("POSCAR", "CONTCAR") or path.suffix == ".vasp"):
        format = "vasp"
    from ase.io import read

    try:
        atoms = read(path, format=format, index=index)
    except Exception as exc:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise MolxtalError(f"{path}: cannot read structure ({detail})") from exc
    if not isinstance(atoms, Atoms):
        raise MolxtalError(f"{path}: no atoms found")
    check_structure(atoms, str(path), periodic)
    return atoms
