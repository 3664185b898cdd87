"""Single-point energy, forces and (for periodic cells) stress, for one or more models."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from ase import Atoms, units
from ase.calculators.singlepoint import SinglePointCalculator

from molxtal.models import Model
from molxtal.results import Result, ResultDir, Table


@dataclass
class SinglePoint:
    """Energy (eV), forces (eV/Å), stress (eV/Å³, Voigt xx yy zz yz xz xy; None for molecules)."""

    energy_eV: float
    forces_eV_per_angstrom: np.ndarray
    stress_eV_per_angstrom3: np.ndarray | None
    n_atoms: int

    @property
    def max_force_eV_per_angstrom(self) -> float:
        return float(np.linalg.norm(self.forces_eV_per_angstrom, axis=1).max())

    @property
    def pressure_GPa(self) -> float | None:
        """−trace(σ)/3 (GPa); None without a stress."""
        stress = self.stress_eV_per_angstrom3
        return None if stress is None else float(-stress[:3].mean() / units.GPa)

    def to_dict(self) -> dict[str, Any]:
        stress = self.stress_eV_per_angstrom3
        return {
            "energy_eV": self.energy_eV,
            "energy_per_atom_eV": self.energy_eV / self.n_atoms,
            "forces_eV_per_angstrom": self.forces_eV_per_angstrom,
            "max_force_eV_per_angstrom": self.max_force_eV_per_angstrom,
            "stress_eV_per_angstrom3": stress,
            "stress_GPa": None if stress is None else stress / units.GPa,
            "pressure_GPa": self.pressure_GPa,
        }


@dataclass
class SinglePointResult(Result):
    """One structure evaluated with each model."""

    structure: str
    atoms: Atoms
    points: dict[str, SinglePoint]

    def to_dict(self) -> dict[str, Any]:
        models = {name: p.to_dict() for name, p in self.points.items()}
        single = next(iter(models.values())) if len(models) == 1 else {}
        return {"structure": self.structure, "n_atoms": len(self.atoms), **single, "models": models}

    def summary(self) -> list[Table]:
        rows = [
            [
                name,
                f"{p.energy_eV:.6f}",
                f"{p.energy_eV / p.n_atoms:.6f}",
                f"{p.max_force_eV_per_angstrom:.4f}",
                "-" if p.pressure_GPa is None else f"{p.pressure_GPa:.4f}",
            ]
            for name, p in self.points.items()
        ]
        title = f"Single point: {self.structure} ({len(self.atoms)} atoms)"
        columns = ["model", "E (eV)", "E/atom (eV)", "max |F| (eV/Å)", "P (GPa)"]
        return [Table(title, columns, rows)]

    def csv_tables(self) -> dict[str, list[dict[str, Any]]]:
        keys = ("energy_eV", "energy_per_atom_eV", "max_force_eV_per_angstrom", "pressure_GPa")
        rows = [
            {"model": name, **{k: values[k] for k in keys}}
            for name, values in self.to_dict()["models"].items()
        ]
        return {"singlepoint.csv": rows}

    def write_files(self, folder: ResultDir) -> None:
        """``structure.extxyz``: the structure once per model, with that model's energy, forces
        and (periodic cells) stress on a ``SinglePointCalculator``."""
        frames = []
        for name, p in self.points.items():
            frame = self.atoms.copy()
            frame.calc = SinglePointCalculator(
                frame,
                energy=p.energy_eV,
                forces=p.forces_eV_per_angstrom,
                **({"stress": p.stress_eV_per_angstrom3} if frame.pbc.all() else {}),
            )
            frame.info["model"] = name
            frames.append(frame)
        folder.write_atoms("structure.extxyz", frames)


def evaluate(atoms: Atoms, model: Model) -> SinglePoint:
    """Evaluate ``model`` once on ``atoms``."""
    work = model.attach(atoms)
    energy = float(work.get_potential_energy())
    forces = np.array(work.get_forces())
    stress = np.array(work.get_stress(voigt=True)) if work.pbc.all() else None
    return SinglePoint(energy, forces, stress, len(work))


def singlepoint(
    atoms: Atoms, models: Sequence[Model], structure: str = "structure"
) -> SinglePointResult:
    """Energy, forces and stress of ``atoms`` with each model; ``structure`` names the input."""
    for model in models:
        model.check_elements(atoms, structure)
    return SinglePointResult(structure, atoms, {m.name: evaluate(atoms, m) for m in models})
