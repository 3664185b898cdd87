"""Relative Gibbs energies of polymorphs per molecule against temperature and pressure.

G(T, P) = E_latt + F_vib(T) + P V, per molecule: E_latt from the lattice-energy workflow (the
crystal relaxed as ``geometry``; one gas molecule for all polymorphs, so it cancels in
differences), F_vib the harmonic quantum free energy (thesis eq. 22) from phonons of the same
relaxed crystal, and P V at that fixed volume (first order in P: the harmonic, fixed-volume
approximation). Energies in kJ/mol per mole of molecules, P in GPa, V in Å³, T in K.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from ase import Atoms, units

from molxtal.analysis.harmonic import Modes
from molxtal.errors import MolxtalError
from molxtal.models import Model
from molxtal.progress import ProgressBar
from molxtal.results import Result, Table
from molxtal.units import KJMOL_PER_EV
from molxtal.workflows.force_constants import (
    DisplacementSettings,
    PhononRun,
    run_force_constants,
)
from molxtal.workflows.lattice_energy import lattice_energy
from molxtal.workflows.sublimation import CRYSTAL_FMAX, solid_modes

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from molxtal.workflows.lattice_energy import LatticeEnergyResult


@dataclass
class Polymorph:
    """One relaxed polymorph: its lattice energy (kJ/mol) and phonon modes per molecule."""

    name: str
    lattice: LatticeEnergyResult
    lattice_energy_kJ_per_mol: float
    modes: Modes
    run: PhononRun

    @property
    def volume_angstrom3(self) -> float:
        """Volume per molecule (Å³)."""
        return self.lattice.volume_per_molecule_angstrom3

    @property
    def zpe_kJ_per_mol(self) -> float:
        return self.modes.zpe_eV * KJMOL_PER_EV

    def gibbs_kJ_per_mol(self, temperatures, pressure_GPa: float) -> np.ndarray:
        """E_latt + F_vib(T) + P V per molecule (kJ/mol)."""
        f_vib = self.modes.free_energy(np.asarray(temperatures, dtype=float)) * KJMOL_PER_EV
        pv = pressure_GPa * units.GPa * self.volume_angstrom3 * KJMOL_PER_EV
        return self.lattice_energy_kJ_per_mol + f_vib + pv

    def to_dict(self) -> dict[str, Any]:
        return {
            "E_latt_kJ_per_mol": self.lattice_energy_kJ_per_mol,
            "volume_angstrom3_per_molecule": self.volume_angstrom3,
            "molecules_per_cell": self.lattice.n_molecules,
            "zpe_kJ_per_mol": self.zpe_kJ_per_mol,
            "imaginary_modes_per_cell": self.modes.n_dropped
            * self.lattice.n_molecules
            / self.modes.per,
            "relaxation_converged": self.lattice.converged,
            "forces_computed": self.run.force_sets.n_computed,
            "forces_from_checkpoint": self.run.force_sets.n_loaded,
        }


def polymorphs(
    crystals: dict[str, Atoms],
    model: Model,
    settings: DisplacementSettings,
    mesh: Sequence[int] = (8, 8, 8),
    geometry: str = "positions",
    fmax: float = CRYSTAL_FMAX,
    checkpoint_root: str | os.PathLike | None = None,
    progress: ProgressBar | None = None,
) -> list[Polymorph]:
    """Relax each crystal, its lattice energy (gas molecule from the first) and its phonons."""
    result, gas = [], None
    for name, atoms in crystals.items():
        lattice = lattice_energy(atoms, model, gas, geometry, fmax=fmax, source=name)
        gas = lattice.gas
        run = run_force_constants(
            lattice.crystal, model, settings, checkpoint_root, progress=progress
        )
        modes = solid_modes(run.phonon, mesh, lattice.n_molecules)
        result.append(Polymorph(name, lattice, lattice.lattice_energy_kJ_per_mol, modes, run))
    return result


def relative_gibbs(
    items: Sequence[Polymorph], temperatures, pressures_GPa: Sequence[float]
) -> dict[str, dict[float, np.ndarray]]:
    """G − G(first polymorph) per molecule (kJ/mol): name -> pressure -> array over T."""
    reference = items[0]
    return {
        p.name: {
            float(pressure): p.gibbs_kJ_per_mol(temperatures, pressure)
            - reference.gibbs_kJ_per_mol(temperatures, pressure)
            for pressure in pressures_GPa
        }
        for p in items
    }


def stable_polymorph(delta_g: dict[str, dict[float, np.ndarray]]) -> dict[float, list[str]]:
    """Pressure -> name of the lowest-G polymorph at each temperature."""
    names = list(delta_g)
    pressures = next(iter(delta_g.values())).keys()
    return {
        p: [names[k] for k in np.argmin([delta_g[n][p] for n in names], axis=0)] for p in pressures
    }


@dataclass
class Stability(Result):
    """ΔG(T, P) per molecule of each polymorph relative to the first, and the stable one."""

    polymorphs: list[Polymorph]
    temperatures_K: np.ndarray
    delta_g: dict[str, dict[float, np.ndarray]]
    stable: dict[float, list[str]]

    def rows(self) -> list[dict[str, Any]]:
        """One row per (P, T): ΔG of each polymorph (kJ/mol) and the stable one."""
        names = list(self.delta_g)
        return [
            {"T_K": t, "P_GPa": p, "stable": self.stable[p][i],
             **{f"dG_{n}_kJ_per_mol": self.delta_g[n][p][i] for n in names}}
            for p in self.delta_g[names[0]] for i, t in enumerate(self.temperatures_K)
        ]  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        return {
            "reference": self.polymorphs[0].name,
            "polymorphs": {p.name: p.to_dict() for p in self.polymorphs},
            "dG_kJ_per_mol": {
                n: {f"{p:g}": v for p, v in d.items()} for n, d in self.delta_g.items()
            },
            "stable": {f"{p:g}": s for p, s in self.stable.items()},
            "temperatures_K": self.temperatures_K,
        }

    def summary(self) -> list[Table]:
        names = list(self.delta_g)
        n_t = len(self.temperatures_K)
        step = max(1, n_t // 10)
        return [
            Table(
                "Polymorphs (per molecule)",
                ["polymorph", "E_latt (kJ/mol)", "ZPE (kJ/mol)", "V (Å³)"],
                [
                    [
                        p.name,
                        f"{p.lattice_energy_kJ_per_mol:.3f}",
                        f"{p.zpe_kJ_per_mol:.3f}",
                        f"{p.volume_angstrom3:.3f}",
                    ]
                    for p in self.polymorphs
                ],
            ),  # fmt: skip
            Table(
                f"G − G({names[0]}) per molecule (kJ/mol) and the stable polymorph",
                ["P (GPa)", "T (K)", *names, "stable"],
                [
                    [
                        f"{r['P_GPa']:g}",
                        f"{r['T_K']:g}",
                        *(f"{r[f'dG_{n}_kJ_per_mol']:.3f}" for n in names),
                        r["stable"],
                    ]
                    for k, r in enumerate(self.rows())
                    if k % n_t % step == 0
                ],
            ),  # fmt: skip
        ]

    def csv_tables(self) -> dict[str, list[dict[str, Any]]]:
        return {"stability.csv": self.rows()}

    def figures(self) -> dict[str, Callable[[], Figure]]:
        from molxtal.plotting.thermo import plot_stability

        reference = self.polymorphs[0].name
        return {
            "stability.png": lambda: plot_stability(self.temperatures_K, self.delta_g, reference)
        }


def stability(
    crystals: Sequence[tuple[str, Atoms]],
    model: Model,
    temperatures: Sequence[float],
    pressures_GPa: Sequence[float] = (0.0,),
    settings: DisplacementSettings | None = None,
    mesh: Sequence[int] = (8, 8, 8),
    geometry: str = "positions",
    fmax: float = CRYSTAL_FMAX,
    checkpoint_root: str | os.PathLike | None = None,
    progress: ProgressBar | None = None,
) -> Stability:
    """ΔG(T, P) of named polymorphs (the first is the reference) at ``temperatures`` (K) and
    ``pressures_GPa``; each relaxed as ``geometry`` to ``fmax`` eV/Å, phonons as ``settings``
    say on a Γ-centred ``mesh`` (force sets checkpointed under ``checkpoint_root``)."""
    names = [name for name, _ in crystals]
    if len(names) < 2:
        raise MolxtalError("stability needs at least two polymorphs")
    if len(set(names)) != len(names):
        raise MolxtalError(f"polymorph names {names} are not unique; rename the files")
    settings = settings or DisplacementSettings(supercell=np.eye(3, dtype=int))
    items = polymorphs(
        dict(crystals), model, settings, mesh, geometry, fmax, checkpoint_root, progress
    )
    t = np.asarray(temperatures, dtype=float)
    delta_g = relative_gibbs(items, t, pressures_GPa)
    return Stability(items, t, delta_g, stable_polymorph(delta_g))
