"""Harmonic and quasi-harmonic free energies of a crystal (thesis eqs. 19–23; phonopy QHA).

At each volume V around the equilibrium one the cell is scaled isotropically (atoms with it),
then atom positions and cell shape are relaxed at that fixed volume (ASE FrechetCellFilter,
``constant_volume=True``); phonons follow with the checkpointed force sets of
:mod:`molxtal.workflows.phonons`. Phonopy's ``PhonopyQHA`` minimises F(V; T) + PV. Units: Å³,
eV, kJ/mol and J/(K mol) per cell unless a name says per molecule; GPa; K.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from ase import Atoms, units
from ase.filters import FrechetCellFilter
from ase.optimize import BFGS
from phonopy import PhonopyQHA

from molxtal.errors import MolxtalError
from molxtal.models import Model
from molxtal.units import KJMOL_PER_EV
from molxtal.workflows import phonons as ph
from molxtal.workflows.relax import relax

#: Volume scale factors V/V0 (more points on the expansion side, where T drives the crystal).
VOLUME_SCALES = (0.97, 0.985, 1.0, 1.015, 1.03, 1.045)
FMAX = 2e-3  # eV/Å
MAX_STEPS = 1000


@dataclass
class VolumePoint:
    """One volume: relaxed structure, static energy (eV/cell), phonons, harmonic thermal."""

    atoms: Atoms
    volume_A3: float
    energy_eV: float
    converged: bool
    steps: int
    run: ph.PhononRun
    thermal: ph.Thermal


def relax_at_volume(
    atoms: Atoms, model: Model, volume: float, fmax: float = FMAX, steps: int = MAX_STEPS
) -> tuple[Atoms, float, bool, int]:
    """Scale ``atoms`` to ``volume`` Å³, relax positions and cell shape at that volume (BFGS)."""
    work = model.attach(atoms)
    scale = (volume / atoms.get_volume()) ** (1 / 3)
    work.set_cell(np.array(atoms.cell) * scale, scale_atoms=True)
    target = FrechetCellFilter(work, constant_volume=True)
    optimizer = BFGS(target, logfile=None)
    converged = bool(optimizer.run(fmax=fmax, steps=steps))
    energy = float(work.get_potential_energy())
    relaxed = work.copy()
    relaxed.calc = None
    return relaxed, energy, converged, int(optimizer.nsteps)


@dataclass
class QHA:
    """Quasi-harmonic results: per-volume points and, per pressure (GPa), phonopy's curves."""

    equilibrium: Atoms
    points: list[VolumePoint]
    temperatures_K: np.ndarray
    molecules_per_cell: int
    curves: dict[float, dict[str, np.ndarray]]
    static_eos: dict[str, float]

    @property
    def harmonic(self) -> ph.Thermal:
        """Harmonic thermodynamics at the equilibrium (static) volume."""
        return min(
            self.points, key=lambda p: abs(p.volume_A3 - self.equilibrium.get_volume())
        ).thermal


def quasi_harmonic(
    crystal: Atoms,
    model: Model,
    molecules_per_cell: int,
    settings: ph.DisplacementSettings,
    mesh: Sequence[int] = (8, 8, 8),
    t_max: float = 300.0,
    t_step: float = 10.0,
    pressures_GPa: Sequence[float] = (0.0,),
    volume_scales: Sequence[float] = VOLUME_SCALES,
    fmax: float = FMAX,
    checkpoint_root: str | os.PathLike | None = None,
    eos: str = "vinet",
    log: Callable[[str], None] | None = None,
) -> QHA:
    """Relax the cell, then phonons at ``volume_scales`` × V0 and phonopy's QHA up to ``t_max``."""
    if len(volume_scales) < 5:
        raise MolxtalError(f"quasi-harmonic needs at least 5 volumes, got {len(volume_scales)}")
    equilibrium = relax(crystal, model, fmax, MAX_STEPS, mode="cell", what="crystal").atoms
    equilibrium.calc = None
    v0 = equilibrium.get_volume()
    # phonopy's QHA stops two temperatures before the last one given
    t_last = t_max + 2 * t_step
    points = []
    for scale in volume_scales:
        atoms, energy, converged, steps = relax_at_volume(equilibrium, model, scale * v0, fmax)
        run = ph.run_force_constants(atoms, model, settings, checkpoint_root)
        thermal = ph.run_thermal(run.phonon, mesh, molecules_per_cell, 0.0, t_last, t_step)
        points.append(
            VolumePoint(atoms, atoms.get_volume(), energy, converged, steps, run, thermal)
        )
        if log is not None:
            log(
                f"V = {atoms.get_volume():.3f} Å³ ({scale:g} V0): E = {energy:.5f} eV, "
                f"relaxation {'converged' if converged else 'NOT converged'} in {steps} steps, "
                f"{run.force_sets.n_computed} forces computed, {run.force_sets.n_loaded} loaded"
            )
    temperatures = points[0].thermal.temperatures_K
    volumes = [p.volume_A3 for p in points]
    energies = [p.energy_eV for p in points]
    stack = {
        key: np.array([getattr(p.thermal, key) for p in points]).T
        for key in ("free_energy_kJmol", "heat_capacity_JKmol", "entropy_JKmol")
    }
    curves = {}
    static = None
    n = molecules_per_cell
    for pressure in pressures_GPa:
        qha = PhonopyQHA(
            volumes, energies, temperatures, stack["free_energy_kJmol"],
            stack["heat_capacity_JKmol"], stack["entropy_JKmol"], pressure=pressure, eos=eos,
            t_max=t_max,
        )  # fmt: skip
        m = len(qha.volume_temperature)
        enthalpy_eV = np.array(energies) + pressure * units.GPa * np.array(volumes)
        minimum = np.argmin(enthalpy_eV + stack["free_energy_kJmol"][:m] / KJMOL_PER_EV, axis=1)
        curves[float(pressure)] = {
            "T_K": temperatures[:m],
            "V_A3_per_molecule": np.array(qha.volume_temperature) / n,
            "alpha_per_K": np.array(qha.thermal_expansion)[:m],
            "B_GPa": np.array(qha.bulk_modulus_temperature)[:m],
            "G_kJmol": np.array(qha.gibbs_temperature)[:m] * KJMOL_PER_EV / n,
            "Cp_JKmol": np.array(qha.heat_capacity_P_numerical)[:m] / n,
            # G(V) sampled lowest at the smallest or largest volume: V(T) is an extrapolation
            "outside_volumes": (minimum == 0) | (minimum == len(volumes) - 1),
        }
        if static is None:
            e0, b0, bp, v_eq = qha.get_bulk_modulus_parameters()
            static = {
                "E0_eV": float(e0),
                "B0_GPa": float(b0) / units.GPa,
                "B0_prime": float(bp),
                "V0_A3": float(v_eq),
            }
    return QHA(equilibrium, points, temperatures, n, curves, static)
