"""DFT training data of ice (energies, forces, stresses), read at run time.

Kapil et al., fine-tuning MLPs on ice polymorphs (GitHub ``venkatkapil24/fine-tuning-MLPs-ice-
polymorphs``, folder ``dft_data/``). Found at ``$MOLXTAL_TRAINING_DATA`` or next to the reference
data, ``<MOLXTAL_DATA>/../training-data``. Keys: ``REF_energy`` (eV), ``REF_forces`` (eV/Å),
``REF_stress`` (eV/Å³).
"""

from __future__ import annotations

import os
from pathlib import Path

from ase import Atoms

from molxtal.errors import MolxtalError

ICE_PHASES = ("Ih", "II", "VI", "VIII")
TRAINING_SIZES = (25, 50)


def training_data_dir() -> Path:
    """The ``training-data`` folder (``$MOLXTAL_TRAINING_DATA`` or ``$MOLXTAL_DATA/../``)."""
    env = os.environ.get("MOLXTAL_TRAINING_DATA")
    if env:
        path = Path(env)
    elif os.environ.get("MOLXTAL_DATA"):
        path = Path(os.environ["MOLXTAL_DATA"]).resolve().parent / "training-data"
    else:
        raise MolxtalError("training data not found: set MOLXTAL_TRAINING_DATA (or MOLXTAL_DATA)")
    if not path.is_dir():
        raise MolxtalError(f"{path}: training-data directory does not exist")
    return path


def ice_frames_path(phase: str, kind: str = "train", size: int = 25) -> Path:
    """The extxyz file of ice ``phase``: ``kind`` is ``train`` (25 or 50 frames) or ``valid``."""
    if phase not in ICE_PHASES:
        raise MolxtalError(f"no training data for ice '{phase}'; choose one of {ICE_PHASES}")
    if kind == "valid":
        name = "validation-set-energy-forces-stress.extxyz"
    elif kind == "train" and size in TRAINING_SIZES:
        name = f"training-set-energy-forces-stress-{size:03d}.extxyz"
    else:
        raise MolxtalError(f"unknown ice data set {kind}/{size}; use train (25 or 50) or valid")
    path = training_data_dir() / "ice" / phase / name
    if not path.is_file():
        raise MolxtalError(f"{path}: training data file not found")
    return path


def ice_frames(phase: str, kind: str = "train", size: int = 25, index: str = ":") -> list[Atoms]:
    """Frames of an ice data set (``index`` as in ``ase.io.read``, e.g. ``":3"``)."""
    from ase.io import read

    return read(ice_frames_path(phase, kind, size), index=index)


def read_frames(path: str | Path) -> list[Atoms]:
    """All frames of a labelled file (extxyz or any multi-frame format ASE reads)."""
    from ase.io import read

    path = Path(path)
    if not path.is_file():
        raise MolxtalError(f"{path}: file not found")
    try:
        frames = read(path, index=":")
    except Exception as exc:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise MolxtalError(f"{path}: cannot read frames ({detail})") from exc
    if not frames:
        raise MolxtalError(f"{path}: no frames found")
    return frames
