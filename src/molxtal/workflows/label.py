"""Reference labels (energy, forces, stress) for training frames, one frame at a time.

The output extxyz is the checkpoint: after every frame it is rewritten atomically with all
frames labelled so far (each carrying ``label_index``, its index in the input), so an
interrupted run resumes where it stopped. A frame whose calculation raises is logged and
skipped; a later run tries it again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from ase import Atoms
from ase.calculators.calculator import Calculator
from ase.stress import voigt_6_to_full_3x3_stress

from molxtal.errors import MolxtalError
from molxtal.io import write_atoms
from molxtal.progress import ProgressBar, no_progress
from molxtal.results import Result, Table

#: Reference methods known by name: tblite's extended tight binding (periodic).
TBLITE_METHODS = {"gfn2-xtb": "GFN2-xTB", "gfn1-xtb": "GFN1-xTB"}
#: Labels are ``<prefix>energy``, ``<prefix>forces``, ``<prefix>stress``.
REF_PREFIX = "REF_"
INDEX_KEY = "label_index"
#: The labelled frames in the result folder of :func:`label`.
LABELLED = "labelled.extxyz"

logger = logging.getLogger("molxtal")


@dataclass
class LabelResult(Result):
    """``labelled``: input indices now in ``output``; ``failed``: index -> error message;
    ``resumed``: frames taken from the checkpoint; ``source`` and ``calculator`` name them."""

    output: Path
    n_frames: int
    labelled: list[int]
    failed: dict[int, str] = field(default_factory=dict)
    resumed: int = 0
    source: str = ""
    calculator: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "frames": self.source,
            "calculator": self.calculator,
            "output": str(self.output) if self.labelled else None,
            "n_frames": self.n_frames,
            "labelled": self.labelled,
            "resumed_from_checkpoint": self.resumed,
            "failed": self.failed,
        }

    def summary(self) -> list[Table]:
        notes = [f"frame {index} failed: {message}" for index, message in self.failed.items()]
        if self.failed:
            notes.append(f"{len(self.failed)} of {self.n_frames} frames failed; re-run to retry")
        into = self.output if self.labelled else "(nothing written)"
        return [
            Table(
                f"Labelling {self.source} with {self.calculator} into {into}",
                ["frames", "labelled", "from checkpoint", "failed"],
                [[self.n_frames, len(self.labelled), self.resumed, len(self.failed)]],
                notes,
            )
        ]

    def require_labelled(self) -> None:
        """Raise if no frame could be labelled (every calculation failed)."""
        if self.n_frames and not self.labelled:
            index, message = next(iter(self.failed.items()))
            raise MolxtalError(
                f"all {self.n_frames} frames failed with {self.calculator}, no labels written "
                f"(frame {index}: {message})"
            )


def reference_calculator(spec: str, kwargs: dict[str, Any] | None = None) -> Calculator:
    """The calculator named by ``spec``: gfn2-xtb, gfn1-xtb, or any molxtal ``--model`` spec
    (``module:function`` returning an ASE calculator, a MACE file, chgnet, ...)."""
    if spec.lower() in TBLITE_METHODS:
        try:
            from tblite.ase import TBLite
        except ImportError:
            raise MolxtalError(
                f"--calculator {spec} needs tblite: pip install 'molxtal[xtb]'"
            ) from None

        return TBLite(method=TBLITE_METHODS[spec.lower()], verbosity=0, **(kwargs or {}))
    from molxtal.models import load_model

    return load_model(spec, model_kwargs=kwargs or None).calculator


def label_frame(atoms: Atoms, calculator: Calculator, prefix: str = REF_PREFIX) -> Atoms:
    """A copy of ``atoms`` with ``REF_energy`` (eV), ``REF_forces`` (eV/Å) and, for periodic
    cells, ``REF_stress`` (eV/Å³, full 3x3, ASE sign convention); ``prefix`` replaces REF_."""
    work = atoms.copy()
    work.calc = calculator
    energy = float(work.get_potential_energy())
    forces = np.array(work.get_forces())
    stress = voigt_6_to_full_3x3_stress(work.get_stress()) if atoms.pbc.all() else None
    labelled = atoms.copy()
    labelled.calc = None
    labelled.info.pop(f"{prefix}stress", None)
    labelled.info[f"{prefix}energy"] = energy
    labelled.arrays[f"{prefix}forces"] = forces
    if stress is not None:
        labelled.info[f"{prefix}stress"] = stress
    return labelled


def _done_frames(output: Path) -> dict[int, Atoms]:
    if not output.is_file():
        return {}
    from ase.io import read

    return {int(a.info[INDEX_KEY]): a for a in read(output, index=":")}


def label_frames(
    frames: list[Atoms],
    calculator: Calculator,
    output: str | Path,
    advance: Callable[[int], None] = lambda n=1: None,
    prefix: str = REF_PREFIX,
) -> LabelResult:
    """Label ``frames`` with ``calculator`` into ``output`` (extxyz), resuming from it."""
    output = Path(output)
    done = _done_frames(output)
    result = LabelResult(output, len(frames), sorted(done), resumed=len(done))
    advance(len(done))
    for index, atoms in enumerate(frames):
        if index in done:
            continue
        try:
            labelled = label_frame(atoms, calculator, prefix)
        except Exception as exc:  # any reference code may fail on one frame
            message = f"{type(exc).__name__}: {exc}"
            logger.warning("frame %d: labelling failed, skipped (%s)", index, message)
            result.failed[index] = message
            advance(1)
            continue
        labelled.info[INDEX_KEY] = index
        done[index] = labelled
        write_atoms(output, [done[i] for i in sorted(done)])
        result.labelled = sorted(done)
        advance(1)
    return result


def label(
    frames: str | Path,
    calculator: str,
    folder: str | Path,
    calculator_kwargs: dict[str, Any] | None = None,
    progress_bar: ProgressBar = no_progress,
) -> LabelResult:
    """Label the frames of the file ``frames`` with the reference ``calculator`` (a spec for
    :func:`reference_calculator`) into ``folder/labelled.extxyz``, resuming from it."""
    from molxtal.data.training import read_frames

    images = read_frames(frames)
    reference = reference_calculator(calculator, calculator_kwargs)
    with progress_bar(f"Labelling with {calculator}", len(images)) as advance:
        result = label_frames(images, reference, Path(folder) / LABELLED, advance)
    result.source, result.calculator = str(frames), calculator
    return result
