"""``molxtal singlepoint FILE``: energy, forces and stress of one structure."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from ase import units
from ase.calculators.singlepoint import SinglePointCalculator

from molxtal.cli.console import console, handle_errors, print_table
from molxtal.cli.options import (
    OutOpt,
    with_models,
)
from molxtal.cli.run import result_dir
from molxtal.models import Model
from molxtal.structures import read_structure
from molxtal.workflows.singlepoint import singlepoint


@handle_errors
@with_models
def singlepoint_command(
    structure: Annotated[Path, typer.Argument(help="Structure file (any format ASE reads).")],
    out: OutOpt = None,
    *,
    models: list[Model],
) -> None:
    """Energy (eV), forces (eV/Å) and stress (eV/Å³) of one structure."""
    atoms = read_structure(structure)
    for m in models:
        m.check_elements(atoms, str(structure))
    parameters = {"structure": str(structure)}
    with result_dir("singlepoint", out, models, parameters) as results:
        per_model, rows, frames = {}, [], []
        for m in models:
            with results.provenance.stage(f"singlepoint[{m.name}]"):
                result = singlepoint(atoms, m)
            per_model[m.name] = {
                "energy_eV": result.energy_eV,
                "energy_per_atom_eV": result.energy_eV / result.n_atoms,
                "forces_eV_per_angstrom": result.forces_eV_per_angstrom,
                "max_force_eV_per_angstrom": result.max_force_eV_per_angstrom,
                "stress_eV_per_angstrom3": result.stress_eV_per_angstrom3,
                "stress_GPa": None
                if result.stress_eV_per_angstrom3 is None
                else result.stress_eV_per_angstrom3 / units.GPa,
            }
            frame = atoms.copy()
            frame.calc = SinglePointCalculator(
                frame,
                energy=result.energy_eV,
                forces=result.forces_eV_per_angstrom,
                **({"stress": result.stress_eV_per_angstrom3} if frame.pbc.all() else {}),
            )
            frame.info["model"] = m.name
            frames.append(frame)
            pressure = (
                "-"
                if result.stress_eV_per_angstrom3 is None
                else f"{-result.stress_eV_per_angstrom3[:3].mean() / units.GPa:.4f}"
            )
            rows.append(
                [
                    m.name,
                    f"{result.energy_eV:.6f}",
                    f"{result.energy_eV / len(atoms):.6f}",
                    f"{result.max_force_eV_per_angstrom:.4f}",
                    pressure,
                ]
            )
        payload = per_model[models[0].name] if len(models) == 1 else {}
        results.write_json(
            "results.json",
            {"structure": str(structure), "n_atoms": len(atoms), **payload, "models": per_model},
        )
        results.write_csv(
            "singlepoint.csv",
            [
                dict(
                    zip(
                        [
                            "model",
                            "energy_eV",
                            "energy_per_atom_eV",
                            "max_force_eV_per_angstrom",
                            "pressure_GPa",
                        ],
                        row,
                        strict=True,
                    )
                )
                for row in rows
            ],
        )
        results.write_atoms("structure.extxyz", frames)
    print_table(
        f"Single point: {structure} ({len(atoms)} atoms)",
        ["model", "E (eV)", "E/atom (eV)", "max |F| (eV/Å)", "P (GPa)"],
        rows,
    )
    console.print(f"Results in {results.path}")


def register(app: typer.Typer) -> None:
    app.command("singlepoint")(singlepoint_command)
