"""``molxtal stability A B C ...``: relative Gibbs energies of polymorphs against T and P."""

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
    PressuresOpt,
    SupercellOpt,
    TemperaturesOpt,
    parse_floats,
    parse_temperatures,
    structure_name,
    with_model,
)
from molxtal.cli.run import run_command

if TYPE_CHECKING:
    from molxtal.models import Model


@with_model
def stability_command(
    crystals: Annotated[
        list[Path], typer.Argument(help="Polymorph structures; the first is the reference.")
    ],
    temperatures: TemperaturesOpt = "0:300:10",
    pressures: PressuresOpt = "0",
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
    """ΔG(T, P) per molecule relative to the first polymorph (harmonic, fixed volume + PV)."""
    parameters = {k: v for k, v in locals().items() if k != "model"}
    from molxtal import validate
    from molxtal.structures import read_structure
    from molxtal.workflows.force_constants import DisplacementSettings, supercell_matrix
    from molxtal.workflows.stability import stability

    t, p_list = parse_temperatures(temperatures), parse_floats(pressures, "--pressures")
    validate.phonon_options(supercell, mesh, displacement)
    structures = [(structure_name(c), read_structure(c)) for c in crystals]
    settings = DisplacementSettings(supercell_matrix(supercell), displacement)
    run_command(
        "stability", out,
        lambda folder: stability(
            structures, model, t, p_list, settings, mesh, geometry, fmax, checkpoints,
            progress_bar,
        ),
        [model], parameters, 0,
    )  # fmt: skip
