"""``molxtal lattice-energy CRYSTAL``: lattice energy per molecule of any molecular crystal."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from molxtal.cli import options as opt
from molxtal.cli.run import run_command


@opt.with_models
def lattice_energy_command(
    crystal: Annotated[Path, typer.Argument(help="Crystal structure file (any format ASE reads).")],
    molecule: Annotated[
        Path | None,
        typer.Option(
            help="Gas-phase molecule file, used as given (default: taken from the "
            "crystal and relaxed)."
        ),
    ] = None,  # fmt: skip
    geometry: opt.GeometryOpt = "fixed",
    pressure: Annotated[float, typer.Option(help="Pressure (GPa) for --geometry cell.")] = 0.0,
    fmax: opt.CrystalFmaxOpt = 1e-2,
    gas_fmax: Annotated[
        float, typer.Option(help="Force threshold (eV/Å) for relaxing the gas molecule.")
    ] = 1e-3,
    steps: Annotated[int, typer.Option(help="Maximum BFGS steps per relaxation.")] = 500,
    out: opt.OutOpt = None,
    *,
    models: list[opt.Model],
) -> None:
    """Lattice energy E_crystal/N_mol − E_gas (eV, kJ/mol and meV per molecule)."""
    from molxtal.structures import read_molecule, read_structure
    from molxtal.workflows.lattice_energy import lattice_energies

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

    def compute(folder):
        with folder.provenance.stage("lattice-energy"):
            return lattice_energies(
                atoms, models, str(crystal), molecule=gas, geometry=geometry,
                pressure_GPa=pressure, fmax=fmax, gas_fmax=gas_fmax, steps=steps,
            )  # fmt: skip

    run_command("lattice-energy", out, compute, models, parameters)
