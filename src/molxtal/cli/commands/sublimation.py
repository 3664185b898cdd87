"""``molxtal sublimation CRYSTAL``: ΔH_sub(T) with harmonic thermal and quantum corrections."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from molxtal.cli.console import progress_bar
from molxtal.cli.options import (
    DEFAULT_CHECKPOINTS,
    CheckpointsOpt,
    CrystalFmaxOpt,
    DisplacementOpt,
    GeometryOpt,
    MeshOpt,
    OutOpt,
    SupercellOpt,
    TemperaturesOpt,
    parse_temperatures,
    structure_name,
    with_model,
)
from molxtal.cli.run import run_command

if TYPE_CHECKING:
    from molxtal.models import Model


@with_model
def sublimation_command(
    crystal: Annotated[Path, typer.Argument(help="Crystal structure (any format ASE reads).")],
    molecule: Annotated[
        Path | None,
        typer.Option(help="Gas molecule file (relaxed here) (default: taken from the crystal)."),
    ] = None,
    temperatures: TemperaturesOpt = "0:300:10",
    geometry: GeometryOpt = "positions",
    fmax: CrystalFmaxOpt = 1e-3,
    supercell: SupercellOpt = (1, 1, 1),
    mesh: MeshOpt = (8, 8, 8),
    displacement: DisplacementOpt = 0.01,
    checkpoints: CheckpointsOpt = DEFAULT_CHECKPOINTS,
    out: OutOpt = None,
    *,
    model: Model,
) -> None:
    """ΔH_sub(T) = −E_latt + Δ_T&QN(T) per molecule (kJ/mol), zero-point and thermal parts."""
    parameters = {k: v for k, v in locals().items() if k != "model"}
    from molxtal import validate
    from molxtal.structures import read_molecule, read_structure
    from molxtal.workflows.force_constants import DisplacementSettings, supercell_matrix
    from molxtal.workflows.sublimation import sublimation

    t = parse_temperatures(temperatures)
    validate.phonon_options(supercell, mesh, displacement)
    atoms = read_structure(crystal)
    gas = read_molecule(molecule) if molecule is not None else None
    settings = DisplacementSettings(supercell_matrix(supercell), displacement)
    run_command(
        "sublimation", out,
        lambda folder: sublimation(
            atoms, model, t, gas, geometry, settings, mesh, checkpoints, fmax,
            source=str(crystal), title=structure_name(crystal), progress=progress_bar,
        ),
        [model], parameters, 0,
    )  # fmt: skip
