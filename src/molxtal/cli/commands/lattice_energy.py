"""``molxtal lattice-energy CRYSTAL``: lattice energy per molecule of any molecular crystal."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from molxtal.cli.console import console, handle_errors, print_table
from molxtal.cli.options import (
    OutOpt,
    with_models,
)
from molxtal.cli.run import result_dir
from molxtal.errors import MolxtalError
from molxtal.models import Model
from molxtal.structures import read_molecule, read_structure
from molxtal.workflows.lattice_energy import (
    CRYSTAL_FMAX,
    GAS_FMAX,
    GEOMETRIES,
    MAX_STEPS,
    lattice_energy,
)


@handle_errors
@with_models
def lattice_energy_command(
    crystal: Annotated[Path, typer.Argument(help="Crystal structure file (any format ASE reads).")],
    molecule: Annotated[
        Path | None,
        typer.Option(
            help="Gas-phase molecule file, used as given (default: taken from the "
            "crystal and relaxed)."
        ),
    ] = None,  # fmt: skip
    geometry: Annotated[
        str, typer.Option(help="fixed, positions (relax atoms) or cell (relax atoms and cell).")
    ] = "fixed",
    pressure: Annotated[float, typer.Option(help="Pressure (GPa) for --geometry cell.")] = 0.0,
    fmax: Annotated[
        float, typer.Option(help="Force threshold (eV/Å) for crystal relaxation.")
    ] = CRYSTAL_FMAX,
    gas_fmax: Annotated[
        float, typer.Option(help="Force threshold (eV/Å) for relaxing the gas molecule.")
    ] = GAS_FMAX,
    steps: Annotated[int, typer.Option(help="Maximum BFGS steps per relaxation.")] = MAX_STEPS,
    out: OutOpt = None,
    *,
    models: list[Model],
) -> None:
    """Lattice energy E_crystal/N_mol − E_gas (eV, kJ/mol and meV per molecule)."""
    if geometry not in GEOMETRIES:
        raise MolxtalError(f"--geometry must be one of {', '.join(GEOMETRIES)}")
    atoms = read_structure(crystal)
    gas = read_molecule(molecule) if molecule is not None else None
    parameters = {
        "crystal": str(crystal),
        "molecule": None if molecule is None else str(molecule),
        "geometry": geometry,
        "pressure_GPa": pressure,
        "fmax_eV_per_angstrom": fmax,
        "gas_fmax_eV_per_angstrom": gas_fmax,
        "steps": steps,
    }
    with result_dir("lattice-energy", out, models, parameters) as results:
        per_model, rows, frames = {}, [], []
        for m in models:
            with results.provenance.stage(f"lattice-energy[{m.name}]"):
                result = lattice_energy(
                    atoms, m, gas, geometry, pressure, fmax, gas_fmax, steps, str(crystal)
                )  # fmt: skip
            per_model[m.name] = {
                "formula": result.formula,
                "n_molecules": result.n_molecules,
                "E_crystal_eV": result.crystal_energy_eV,
                "E_gas_eV": result.gas_energy_eV,
                "gas_source": result.gas_source,
                "geometry": result.geometry,
                "volume_per_molecule_angstrom3": result.volume_per_molecule_angstrom3,
                "E_latt_eV": result.eV,
                "E_latt_kJmol": result.kJmol,
                "E_latt_meV": result.meV,
                "converged": result.converged,
                "relaxations": result.relaxations,
            }
            crystal_frame, gas_frame = result.crystal.copy(), result.gas.copy()
            crystal_frame.info.update(model=m.name, role="crystal")
            gas_frame.info.update(model=m.name, role="gas")
            frames += [crystal_frame, gas_frame]
            rows.append(
                [m.name, result.formula, result.n_molecules, f"{result.eV:.6f}",
                 f"{result.kJmol:.3f}", f"{result.meV:.2f}",
                 f"{result.volume_per_molecule_angstrom3:.3f}"]
            )  # fmt: skip
        results.write_json(
            "results.json", {"crystal": str(crystal), "units": "per molecule", "models": per_model}
        )
        results.write_csv(
            "lattice_energy.csv",
            [{"model": n, **{k: v for k, v in d.items() if k != "relaxations"}}
             for n, d in per_model.items()],
        )  # fmt: skip
        results.write_atoms("structures.extxyz", frames)
    print_table(
        f"Lattice energy: {crystal} (geometry {geometry})",
        ["model", "molecule", "N_mol", "E_latt (eV)", "E_latt (kJ/mol)", "E_latt (meV)",
         "V/molecule (Å³)"],
        rows,
    )  # fmt: skip
    for name, data in per_model.items():
        console.print(f"{name}: gas molecule {data['gas_source']}")
        for r in data["relaxations"]:
            state = "converged" if r.converged else "[bold yellow]NOT converged[/]"
            console.print(
                f"{name}: {r.what} {state} in {r.steps} BFGS steps (max force "
                f"{r.final_max_force_eV_per_angstrom:.2e} eV/Å, threshold "
                f"{r.fmax_eV_per_angstrom:g} eV/Å, "
                f"ΔE {r.energy_final_eV - r.energy_initial_eV:.6f} eV)"
            )
    console.print(f"Results in {results.path}")


def register(app: typer.Typer) -> None:
    app.command("lattice-energy")(lattice_energy_command)
