"""Harmonic and quasi-harmonic free energies of a crystal (thesis eqs. 19–23; phonopy QHA).

The cell is relaxed (positions and cell) to the static equilibrium volume V0. At each volume
V around it the cell is scaled isotropically (atoms with it), then atom positions and cell
shape are relaxed at that fixed volume (:func:`molxtal.workflows.relax.relax`, ``shape``);
phonons follow with the checkpointed force sets of :mod:`molxtal.workflows.force_constants`.
Phonopy's ``PhonopyQHA`` minimises F(V; T) + PV. Units: Å³, eV per cell; kJ/mol and J/(K mol)
per mole of molecules; GPa; K.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from ase import Atoms, units
from phonopy import PhonopyQHA

from molxtal.errors import MolxtalError
from molxtal.models import Model
from molxtal.progress import ProgressBar
from molxtal.results import Result, ResultDir, Table
from molxtal.structures import find_molecules
from molxtal.units import KJMOL_PER_EV
from molxtal.workflows.force_constants import (
    DisplacementSettings,
    PhononRun,
    run_force_constants,
)
from molxtal.workflows.phonons import Thermal, columns_to_rows, run_thermal
from molxtal.workflows.relax import Relaxation, relax

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Volume scale factors V/V0 (more points on the expansion side, where T drives the crystal).
VOLUME_SCALES = (0.97, 0.985, 1.0, 1.015, 1.03, 1.045)
FMAX = 2e-3  # eV/Å
MAX_STEPS = 1000


@dataclass
class VolumePoint:
    """One volume: the relaxation at fixed volume (energy in eV per cell), phonons, thermal."""

    scale: float
    relaxation: Relaxation
    run: PhononRun
    thermal: Thermal

    @property
    def volume_angstrom3(self) -> float:
        return float(self.relaxation.atoms.get_volume())

    def row(self, molecules_per_cell: int) -> dict[str, Any]:
        forces = self.run.force_sets
        return {
            "volume_scale": self.scale,
            "volume_angstrom3": self.volume_angstrom3,
            "volume_angstrom3_per_molecule": self.volume_angstrom3 / molecules_per_cell,
            "energy_eV": self.relaxation.energy_eV,
            "relaxation_converged": self.relaxation.converged,
            "relaxation_steps": self.relaxation.steps,
            "zpe_kJ_per_mol": self.thermal.zpe_kJ_per_mol,
            "forces_computed": forces.n_computed,
            "forces_from_checkpoint": forces.n_loaded,
            "acoustic_gamma_max_cm-1": self.run.force_constants.acoustic_max_cm1,
        }


@dataclass
class QHA(Result):
    """Quasi-harmonic results: per-volume points and, per pressure (GPa), phonopy's curves
    against T (per mole of molecules; ``outside_volumes``: G(V) lowest at a sampled edge)."""

    source: str
    title: str
    equilibrium: Relaxation
    points: list[VolumePoint]
    molecules_per_cell: int
    curves: dict[float, dict[str, np.ndarray]]
    static_eos: dict[str, float]

    @property
    def harmonic(self) -> Thermal:
        """Harmonic thermodynamics at the equilibrium (static) volume."""
        v0 = self.equilibrium.atoms.get_volume()
        return min(self.points, key=lambda p: abs(p.volume_angstrom3 - v0)).thermal

    def harmonic_columns(self) -> dict[str, np.ndarray]:
        """:attr:`harmonic` per mole of molecules at the temperatures of the QHA curves."""
        n = len(next(iter(self.curves.values()))["T_K"])
        return {k: v[:n] for k, v in self.harmonic.per_molecule().items()}

    def to_dict(self) -> dict[str, Any]:
        n = self.molecules_per_cell
        return {
            "crystal": self.source,
            "molecules_per_cell": n,
            "equilibrium_volume_angstrom3_per_molecule": self.equilibrium.atoms.get_volume() / n,
            "equilibrium_relaxation": self.equilibrium.to_dict(),
            "static_eos": self.static_eos,
            "volume_points": [p.row(n) for p in self.points],
            "harmonic_at_equilibrium": self.harmonic_columns(),
            "quasi_harmonic_by_pressure_GPa": {f"{p:g}": c for p, c in self.curves.items()},
        }

    def summary(self) -> list[Table]:
        eos, n = self.static_eos, self.molecules_per_cell
        volumes = [p.volume_angstrom3 / n for p in self.points]
        tables = [
            Table(
                "Volumes (per cell)",
                ["V/V0", "V (Å³)", "E (eV)", "relaxation", "forces computed / loaded"],
                [
                    [
                        f"{p.scale:g}",
                        f"{p.volume_angstrom3:.3f}",
                        f"{p.relaxation.energy_eV:.5f}",
                        f"{'converged' if p.relaxation.converged else 'NOT converged'} in "
                        f"{p.relaxation.steps} steps",
                        f"{p.run.force_sets.n_computed} / {p.run.force_sets.n_loaded}",
                    ]
                    for p in self.points
                ],
                [
                    f"static E(V) fit: V0 {eos['V0_angstrom3'] / n:.3f} Å³/molecule, "
                    f"B0 {eos['B0_GPa']:.2f} GPa, B0' {eos['B0_prime']:.2f}"
                ],
            )  # fmt: skip
        ]
        harmonic = self.harmonic_columns()
        for p, c in self.curves.items():
            outside = c["T_K"][c["outside_volumes"]]
            notes = []
            if len(outside):
                notes.append(
                    f"at P = {p:g} GPa and T = {outside.min():g}–{outside.max():g} K "
                    f"({len(outside)} temperatures) G(V) is lowest at the smallest or largest "
                    f"volume sampled ({min(volumes):.3f}–{max(volumes):.3f} Å³/molecule): V, α, "
                    "B, G and C_p there are extrapolations; widen --volumes."
                )
            idx = np.unique(np.linspace(0, len(c["T_K"]) - 1, 7).round().astype(int))
            tables.append(
                Table(
                    f"Quasi-harmonic, P = {p:g} GPa (per molecule)",
                    ["T (K)", "V (Å³)", "α (1/K)", "B (GPa)", "G (kJ/mol)", "C_p (J/(K mol))",
                     "F harm. (kJ/mol)", "F classical (kJ/mol)"],
                    [[f"{c['T_K'][i]:g}", f"{c['V_angstrom3_per_molecule'][i]:.4f}",
                      f"{c['alpha_per_K'][i]:.2e}", f"{c['B_GPa'][i]:.2f}",
                      f"{c['G_kJ_per_mol'][i]:.3f}", f"{c['C_p_J_per_K_mol'][i]:.3f}",
                      f"{harmonic['F_kJ_per_mol'][i]:.3f}",
                      f"{harmonic['F_classical_kJ_per_mol'][i]:.3f}"] for i in idx],
                    notes,
                )
            )  # fmt: skip
        return tables

    def csv_tables(self) -> dict[str, list[dict[str, Any]]]:
        tables = {
            "volume_points.csv": [p.row(self.molecules_per_cell) for p in self.points],
            "harmonic.csv": columns_to_rows(self.harmonic_columns()),
        }
        for p, c in self.curves.items():
            tables[f"qha_{p:g}GPa.csv"] = columns_to_rows(c)
        return tables

    def figures(self) -> dict[str, Callable[[], Figure]]:
        from molxtal.plotting.thermo import plot_qha

        return {
            f"qha_{p:g}GPa.png": lambda c=c, p=p: plot_qha(c, f"{self.title}, {p:g} GPa")
            for p, c in self.curves.items()
        }

    def write_files(self, folder: ResultDir) -> None:
        folder.write_atoms("equilibrium.extxyz", self.equilibrium.atoms)


def quasi_harmonic(
    crystal: Atoms,
    model: Model,
    molecules_per_cell: int | None,
    settings: DisplacementSettings,
    mesh: Sequence[int] = (8, 8, 8),
    t_max: float = 300.0,
    t_step: float = 10.0,
    pressures_GPa: Sequence[float] = (0.0,),
    volume_scales: Sequence[float] = VOLUME_SCALES,
    fmax: float = FMAX,
    checkpoint_root: str | os.PathLike | None = None,
    eos: str = "vinet",
    source: str = "crystal",
    title: str = "",
    progress: ProgressBar | None = None,
) -> QHA:
    """Relax the cell, then phonons at ``volume_scales`` × V0 and phonopy's QHA up to ``t_max``
    K every ``t_step`` K. ``molecules_per_cell``: formula units per cell (None: the molecules
    found in ``crystal``); ``fmax`` in eV/Å; force sets checkpointed under ``checkpoint_root``."""
    if len(volume_scales) < 5:
        raise MolxtalError(f"quasi-harmonic needs at least 5 volumes, got {len(volume_scales)}")
    n = molecules_per_cell or find_molecules(crystal, source=source).count
    equilibrium = relax(crystal, model, fmax, MAX_STEPS, mode="cell", what="crystal")
    v0 = equilibrium.atoms.get_volume()
    # phonopy's QHA stops two temperatures before the last one given
    t_last = t_max + 2 * t_step
    points = []
    for scale in volume_scales:
        scaled = equilibrium.atoms.copy()
        factor = (scale * v0 / scaled.get_volume()) ** (1 / 3)
        scaled.set_cell(np.array(scaled.cell) * factor, scale_atoms=True)
        relaxation = relax(
            scaled, model, fmax, MAX_STEPS, mode="shape", what=f"crystal at {scale:g} V0"
        )
        run = run_force_constants(
            relaxation.atoms, model, settings, checkpoint_root, progress=progress
        )
        thermal = run_thermal(run.phonon, mesh, n, 0.0, t_last, t_step)
        points.append(VolumePoint(scale, relaxation, run, thermal))
    curves, static = phonopy_qha(points, n, pressures_GPa, eos, t_max)
    return QHA(source, title, equilibrium, points, n, curves, static)


def phonopy_qha(
    points: Sequence[VolumePoint],
    molecules_per_cell: int,
    pressures_GPa: Sequence[float],
    eos: str,
    t_max: float,
) -> tuple[dict[float, dict[str, np.ndarray]], dict[str, float]]:
    """Phonopy's QHA curves per pressure (per mole of molecules) and the static E(V) fit."""
    temperatures = points[0].thermal.temperatures_K
    volumes = [p.volume_angstrom3 for p in points]
    energies = [p.relaxation.energy_eV for p in points]
    stack = {
        key: np.array([getattr(p.thermal, key) for p in points]).T
        for key in (
            "free_energy_cell_kJ_per_mol",
            "heat_capacity_cell_J_per_K_mol",
            "entropy_cell_J_per_K_mol",
        )
    }
    free_energy = stack["free_energy_cell_kJ_per_mol"]
    curves = {}
    static = None
    n = molecules_per_cell
    for pressure in pressures_GPa:
        qha = PhonopyQHA(
            volumes, energies, temperatures, free_energy, stack["heat_capacity_cell_J_per_K_mol"],
            stack["entropy_cell_J_per_K_mol"], pressure=pressure, eos=eos, t_max=t_max,
        )  # fmt: skip
        m = len(qha.volume_temperature)
        enthalpy_eV = np.array(energies) + pressure * units.GPa * np.array(volumes)
        minimum = np.argmin(enthalpy_eV + free_energy[:m] / KJMOL_PER_EV, axis=1)
        curves[float(pressure)] = {
            "T_K": temperatures[:m],
            "V_angstrom3_per_molecule": np.array(qha.volume_temperature) / n,
            "alpha_per_K": np.array(qha.thermal_expansion)[:m],
            "B_GPa": np.array(qha.bulk_modulus_temperature)[:m],
            "G_kJ_per_mol": np.array(qha.gibbs_temperature)[:m] * KJMOL_PER_EV / n,
            "C_p_J_per_K_mol": np.array(qha.heat_capacity_P_numerical)[:m] / n,
            # G(V) sampled lowest at the smallest or largest volume: V(T) is an extrapolation
            "outside_volumes": (minimum == 0) | (minimum == len(volumes) - 1),
        }
        if static is None:
            e0, b0, bp, v_eq = qha.get_bulk_modulus_parameters()
            static = {
                "E0_eV": float(e0),
                "B0_GPa": float(b0) / units.GPa,
                "B0_prime": float(bp),
                "V0_angstrom3": float(v_eq),
            }
    return curves, static
