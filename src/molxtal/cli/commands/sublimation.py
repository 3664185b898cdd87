"""``molxtal sublimation CRYSTAL``: ΔH_sub(T) with harmonic thermal and quantum corrections."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from molxtal.cli import options as opt
from molxtal.cli.console import progress_bar
from molxtal.cli.run import run_command


@opt.with_model
def sublimation_command(
    crystal: Annotated[Path, typer.Argument(help="Crystal structure (any format ASE reads).")],
    molecule: Annotated[
        Path | None,
        typer.Option(help="Gas molecule file (relaxed here) (default: taken from the crystal)."),
    ] = None,
    temperatures: opt.TemperaturesOpt = "0:300:10",
    geometry: opt.GeometryOpt = "positions",
    fmax: opt.CrystalFmaxOpt = 1e-3,
    supercell: opt.SupercellOpt = (1, 1, 1),
    mesh: opt.MeshOpt = (8, 8, 8),
    displacement: opt.DisplacementOpt = 0.01,
    checkpoints: opt.CheckpointsOpt = opt.DEFAULT_CHECKPOINTS,
    out: opt.OutOpt = None,
    *,
    model: opt.Model,
) -> None:
    """ΔH_sub(T) = −E_latt + Δ_T&QN(T) per molecule (kJ/mol), zero-point and thermal parts."""
    parameters = {k: v for k, v in locals().items() if k != "model"}
    from molxtal import validate
    from molxtal.structures import read_molecule, read_structure
    from molxtal.workflows.force_constants import DisplacementSettings, supercell_matrix
    from molxtal.workflows.sublimation import sublimation

    t = opt.parse_temperatures(temperatures)
    validate.phonon_options(supercell, mesh, displacement)
    atoms = read_structure(crystal)
    gas = read_molecule(molecule) if molecule is not None else None
    settings = DisplacementSettings(supercell_matrix(supercell), displacement)
    run_command(
        "sublimation", out,
        lambda folder: sublimation(
            atoms, model, t, gas, geometry, settings, mesh, checkpoints, fmax,
            source=str(crystal), title=opt.structure_name(crystal), progress=progress_bar,
        ),
        [model], parameters, 0,
    )  # fmt: skip
