"""``molxtal stability A B C ...``: relative Gibbs energies of polymorphs against T and P."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from molxtal.cli import options as opt
from molxtal.cli.console import progress_bar
from molxtal.cli.run import run_command


@opt.with_model
def stability_command(
    crystals: Annotated[
        list[Path], typer.Argument(help="Polymorph structures; the first is the reference.")
    ],
    temperatures: opt.TemperaturesOpt = "0:300:10",
    pressures: opt.PressuresOpt = "0",
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
    """ΔG(T, P) per molecule relative to the first polymorph (harmonic, fixed volume + PV)."""
    parameters = {k: v for k, v in locals().items() if k != "model"}
    from molxtal import validate
    from molxtal.structures import read_structure
    from molxtal.workflows.force_constants import DisplacementSettings, supercell_matrix
    from molxtal.workflows.stability import stability

    t, p_list = opt.parse_temperatures(temperatures), opt.parse_floats(pressures, "--pressures")
    validate.phonon_options(supercell, mesh, displacement)
    structures = [(opt.structure_name(c), read_structure(c)) for c in crystals]
    settings = DisplacementSettings(supercell_matrix(supercell), displacement)
    run_command(
        "stability", out,
        lambda folder: stability(
            structures, model, t, p_list, settings, mesh, geometry, fmax, checkpoints,
            progress_bar,
        ),
        [model], parameters, 0,
    )  # fmt: skip
