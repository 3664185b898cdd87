"""Geometry relaxation with ASE optimisers (BFGS, FIRE, LBFGS), optionally constrained."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from ase import Atoms
from ase.calculators.singlepoint import SinglePointCalculator
from ase.constraints import FixAtoms, FixBondLength
from ase.optimize import BFGS, FIRE, LBFGS

from molxtal.errors import MolxtalError
from molxtal.models import Model

OPTIMIZERS = {"BFGS": BFGS, "FIRE": FIRE, "LBFGS": LBFGS}


@dataclass
class Relaxation:
    """A finished relaxation. ``atoms`` carries the final energy (eV) and forces (eV/Å)."""

    atoms: Atoms
    energy_eV: float
    fmax_eV_per_angstrom: float
    fmax_target_eV_per_angstrom: float
    steps: int
    max_steps: int
    converged: bool
    optimizer: str

    def summary(self) -> dict:
        """The JSON-ready numbers of this relaxation (no structure)."""
        return {
            "energy_eV": self.energy_eV,
            "fmax_eV_per_angstrom": self.fmax_eV_per_angstrom,
            "fmax_target_eV_per_angstrom": self.fmax_target_eV_per_angstrom,
            "steps": self.steps,
            "max_steps": self.max_steps,
            "converged": self.converged,
            "optimizer": self.optimizer,
        }


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
    constraint: Sequence = (),
    trajectory: str | None = None,
) -> Relaxation:
    """Relax ``atoms`` until the largest atomic force is below ``fmax`` (eV/Å) or ``steps`` pass.

    Constraints already on ``atoms`` are kept and ``constraint`` is added. Positions are never
    wrapped, so molecules stay whole. Not reaching ``fmax`` is reported in ``converged``.
    """
    if optimizer not in OPTIMIZERS:
        raise MolxtalError(
            f"unknown optimizer '{optimizer}'; choose one of {', '.join(OPTIMIZERS)}"
        )
    if fmax <= 0 or steps < 0:
        raise MolxtalError(f"fmax must be > 0 and steps >= 0 (got fmax={fmax}, steps={steps})")
    work = model.attach(atoms)
    work.set_constraint(list(atoms.constraints) + list(constraint))
    with contextlib.redirect_stdout(io.StringIO()):
        opt = OPTIMIZERS[optimizer](work, logfile=None, trajectory=trajectory)
        converged = bool(opt.run(fmax=fmax, steps=steps))
    forces = work.get_forces()
    energy = float(work.get_potential_energy())
    final = work.copy()
    final.calc = SinglePointCalculator(final, energy=energy, forces=forces)
    return Relaxation(
        atoms=final,
        energy_eV=energy,
        fmax_eV_per_angstrom=float(np.linalg.norm(forces, axis=1).max()),
        fmax_target_eV_per_angstrom=fmax,
        steps=int(opt.nsteps),
        max_steps=steps,
        converged=converged,
        optimizer=optimizer,
    )
