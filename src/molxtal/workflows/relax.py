"""Geometry relaxation, the one used by every workflow: positions, cell or cell shape at fixed
volume, fixed symmetry, external pressure and constraints, with ASE's optimisers."""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from ase import Atoms, units
from ase.calculators.singlepoint import SinglePointCalculator
from ase.constraints import FixAtoms, FixBondLength, FixSymmetry
from ase.filters import FrechetCellFilter
from ase.optimize import BFGS, FIRE, LBFGS

from molxtal.errors import MolxtalError, NotConvergedError
from molxtal.models import Model
from molxtal.results import Result, ResultDir, Table

OPTIMIZERS = {"BFGS": BFGS, "FIRE": FIRE, "LBFGS": LBFGS}
#: What moves: atom positions; positions and cell (at ``pressure_GPa``); positions and cell
#: shape at constant volume.
CELL_MODES = ("positions", "cell", "shape")


@dataclass
class Relaxation:
    """A finished relaxation. ``atoms`` carries the final energy (eV) and forces (eV/Å).

    ``fmax_eV_per_angstrom`` is the final largest residual: atomic forces, and with a cell
    filter also the cell's generalised forces (eV/Å per cell degree of freedom).
    """

    atoms: Atoms
    what: str
    mode: str
    optimizer: str
    energy_initial_eV: float
    energy_eV: float
    fmax_eV_per_angstrom: float
    fmax_target_eV_per_angstrom: float
    steps: int
    max_steps: int
    converged: bool
    volume_initial_angstrom3: float | None = None
    volume_angstrom3: float | None = None
    pressure_GPa: float | None = None
    fix_symmetry: bool = False

    def to_dict(self) -> dict:
        """The JSON-ready numbers of this relaxation (no structure)."""
        return {
            "what": self.what,
            "mode": self.mode,
            "optimizer": self.optimizer,
            "energy_initial_eV": self.energy_initial_eV,
            "energy_eV": self.energy_eV,
            "fmax_eV_per_angstrom": self.fmax_eV_per_angstrom,
            "fmax_target_eV_per_angstrom": self.fmax_target_eV_per_angstrom,
            "steps": self.steps,
            "max_steps": self.max_steps,
            "converged": self.converged,
            "volume_initial_angstrom3": self.volume_initial_angstrom3,
            "volume_angstrom3": self.volume_angstrom3,
            "pressure_GPa": self.pressure_GPa,
            "fix_symmetry": self.fix_symmetry,
        }

    def line(self) -> str:
        """One line for the terminal (:func:`relaxation_line`)."""
        return relaxation_line(self.to_dict())


def relaxation_line(record: dict) -> str:
    """One line for the terminal from a :meth:`Relaxation.to_dict` record (e.g. one read back
    from a results file)."""
    state = "converged" if record["converged"] else "NOT converged"
    change = record["energy_eV"] - record["energy_initial_eV"]
    return (
        f"Relaxation of the {record['what']} ({record['mode']}, {record['optimizer']}): "
        f"{state} in {record['steps']} steps, max force "
        f"{record['fmax_eV_per_angstrom']:.2e} eV/Å (target "
        f"{record['fmax_target_eV_per_angstrom']:g}), ΔE {change:.5f} eV"
    )


def constraints(fix_atoms: Sequence[int] = (), fix_bonds: Sequence[tuple[int, int]] = ()) -> list:
    """ASE constraints: ``FixAtoms`` on ``fix_atoms`` and one ``FixBondLength`` per pair."""
    fixed = [FixAtoms(indices=list(fix_atoms))] if len(fix_atoms) else []
    return fixed + [FixBondLength(int(i), int(j)) for i, j in fix_bonds]


def relax(
    atoms: Atoms,
    model: Model,
    fmax: float = 1e-3,
    steps: int = 1000,
    optimizer: str = "BFGS",
    *,
    mode: str = "positions",
    pressure_GPa: float = 0.0,
    fix_symmetry: bool = False,
    constraint: Sequence = (),
    trajectory: str | None = None,
    what: str = "structure",
) -> Relaxation:
    """Relax ``atoms`` until the largest residual force is below ``fmax`` (eV/Å) or ``steps``
    pass.

    ``mode``: ``positions``; ``cell`` (positions and cell, ASE ``FrechetCellFilter`` at scalar
    pressure ``pressure_GPa``); ``shape`` (positions and cell shape at constant volume).
    ``fix_symmetry`` keeps the space group (ASE ``FixSymmetry``). Constraints already on
    ``atoms`` are kept and ``constraint`` is added. Positions are never wrapped, so molecules
    stay whole. Not reaching ``fmax`` is reported in ``converged``, not raised.
    """
    if optimizer not in OPTIMIZERS:
        raise MolxtalError(
            f"unknown optimizer '{optimizer}'; choose one of {', '.join(OPTIMIZERS)}"
        )
    if mode not in CELL_MODES:
        raise MolxtalError(f"unknown relaxation mode '{mode}'; choose {', '.join(CELL_MODES)}")
    if not fmax > 0 or steps < 0:
        raise MolxtalError(f"fmax must be > 0 and steps >= 0 (got fmax={fmax}, steps={steps})")
    periodic = bool(atoms.pbc.all())
    if mode != "positions" and not periodic:
        raise MolxtalError(f"{what}: relaxing the cell needs a periodic structure")
    work = model.attach(atoms, what)
    extra = [FixSymmetry(work)] if fix_symmetry else []
    work.set_constraint(list(atoms.constraints) + list(constraint) + extra)
    energy_initial = float(work.get_potential_energy())
    volume_initial = float(work.get_volume()) if periodic else None
    if mode == "positions":
        target = work
    else:
        target = FrechetCellFilter(
            work, scalar_pressure=pressure_GPa * units.GPa, constant_volume=mode == "shape"
        )
    with contextlib.redirect_stdout(io.StringIO()):
        opt = OPTIMIZERS[optimizer](target, logfile=None, trajectory=trajectory)
        converged = bool(opt.run(fmax=fmax, steps=steps))
    residual = float(np.linalg.norm(target.get_forces(), axis=1).max())
    forces = work.get_forces()
    energy = float(work.get_potential_energy())
    final = work.copy()
    final.set_constraint([c for c in final.constraints if not isinstance(c, FixSymmetry)])
    final.calc = SinglePointCalculator(final, energy=energy, forces=forces)
    return Relaxation(
        atoms=final,
        what=what,
        mode=mode,
        optimizer=optimizer,
        energy_initial_eV=energy_initial,
        energy_eV=energy,
        fmax_eV_per_angstrom=residual,
        fmax_target_eV_per_angstrom=fmax,
        steps=int(opt.nsteps),
        max_steps=steps,
        converged=converged,
        volume_initial_angstrom3=volume_initial,
        volume_angstrom3=float(final.get_volume()) if periodic else None,
        pressure_GPa=pressure_GPa if mode == "cell" else None,
        fix_symmetry=fix_symmetry,
    )


def safe_name(name: str) -> str:
    """A model name usable as part of a file name (paths and odd characters become _)."""
    return re.sub(r"[^\w.-]", "_", name)


def labelled_frames(relaxations: dict[str, Relaxation]) -> list[Atoms]:
    """The relaxed structures (with energy and forces), each with its model's name in
    ``info["model"]``: model name -> relaxation in, frames for one extxyz file out."""
    frames = []
    for name, r in relaxations.items():
        frame = r.atoms.copy()
        frame.calc = r.atoms.calc
        frame.info["model"] = name
        frames.append(frame)
    return frames


@dataclass
class RelaxResult(Result):
    """One structure relaxed with each model (:func:`relax`)."""

    structure: str
    relaxations: dict[str, Relaxation]

    def to_dict(self) -> dict[str, Any]:
        models = {name: r.to_dict() for name, r in self.relaxations.items()}
        single = next(iter(models.values())) if len(models) == 1 else {}
        return {"structure": self.structure, **single, "models": models}

    def summary(self) -> list[Table]:
        first = next(iter(self.relaxations.values()))
        rows = [
            [name, f"{r.energy_eV:.8f}", f"{r.fmax_eV_per_angstrom:.3e}", str(r.steps),
             "yes" if r.converged else "NO"]
            for name, r in self.relaxations.items()
        ]  # fmt: skip
        title = (
            f"Relaxation: {self.structure} ({first.optimizer}, "
            f"fmax {first.fmax_target_eV_per_angstrom:g} eV/Å)"
        )
        columns = ["model", "E (eV)", "max |F| (eV/Å)", "steps", "converged"]
        return [Table(title, columns, rows)]

    def write_files(self, folder: ResultDir) -> None:
        folder.write_atoms("relaxed.extxyz", labelled_frames(self.relaxations))

    def require_converged(self) -> None:
        """Raise :class:`NotConvergedError` if a model did not reach its fmax."""
        failed = [name for name, r in self.relaxations.items() if not r.converged]
        if failed:
            first = self.relaxations[failed[0]]
            raise NotConvergedError(
                f"{self.structure}: relaxation with {', '.join(failed)} did not reach fmax "
                f"{first.fmax_target_eV_per_angstrom:g} eV/Å in {first.max_steps} steps "
                "(results written)"
            )


def relax_models(
    atoms: Atoms,
    models: Sequence[Model],
    fmax: float = 1e-3,
    steps: int = 1000,
    optimizer: str = "BFGS",
    *,
    fix_atoms: Sequence[int] = (),
    fix_bonds: Sequence[tuple[int, int]] = (),
    trajectory_dir: Path | None = None,
    structure: str = "structure",
) -> RelaxResult:
    """:func:`relax` the positions of ``atoms`` with each model, with ``FixAtoms`` on
    ``fix_atoms`` and ``FixBondLength`` on ``fix_bonds``; with ``trajectory_dir`` each run's
    ASE trajectory goes to ``trajectory-<model>.traj`` there. ``structure`` names the input."""
    fixed = constraints(fix_atoms, fix_bonds)
    for index in [i for c in fixed for i in c.get_indices()]:
        if not 0 <= index < len(atoms):
            raise MolxtalError(f"{structure}: constraint atom index {index} out of range")
    for model in models:
        model.check_elements(atoms, structure)
    relaxations = {}
    for model in models:
        trajectory = (
            None
            if trajectory_dir is None
            else str(Path(trajectory_dir) / f"trajectory-{safe_name(model.name)}.traj")
        )
        relaxations[model.name] = relax(
            atoms, model, fmax, steps, optimizer, constraint=fixed, trajectory=trajectory
        )
    return RelaxResult(structure, relaxations)
