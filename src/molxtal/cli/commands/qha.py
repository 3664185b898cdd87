"""``molxtal qha CRYSTAL``: harmonic and quasi-harmonic free energies (phonopy QHA)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from molxtal.cli import options as opt
from molxtal.cli.console import progress_bar
from molxtal.cli.run import run_command


@opt.with_model
def qha_command(
    crystal: Annotated[Path, typer.Argument(help="Crystal structure (any format ASE reads).")],
    t_max: Annotated[float, typer.Option(help="Highest temperature (K).")] = 300.0,
    t_step: Annotated[float, typer.Option(help="Temperature step (K).")] = 10.0,
    pressures: opt.PressuresOpt = "0",
    volumes: Annotated[
        str, typer.Option(help="Volume scale factors V/V0 (at least 5).")
    ] = "0.97 0.985 1 1.015 1.03 1.045",
    fmax: Annotated[float, typer.Option(help="Relaxation threshold (eV/Å).")] = 2e-3,
    supercell: opt.SupercellOpt = (1, 1, 1),
    mesh: opt.MeshOpt = (8, 8, 8),
    displacement: Annotated[float, typer.Option(help="Displacement amplitude (Å).")] = 0.01,
    plusminus: Annotated[bool, typer.Option(help="Displace in both directions (±).")] = True,
    eos: Annotated[str, typer.Option(help="vinet, murnaghan or birch_murnaghan.")] = "vinet",
    molecules_per_cell: Annotated[
        int | None,
        typer.Option(help="Formula units per cell for non-molecular crystals (default: detected)."),
    ] = None,
    checkpoints: opt.CheckpointsOpt = opt.DEFAULT_CHECKPOINTS,
    out: opt.OutOpt = None,
    *,
    model: opt.Model,
) -> None:
    """Harmonic F (quantum, classical) and quasi-harmonic V(T), α(T), B(T), G(T, P), C_p(T)."""
    parameters = {k: v for k, v in locals().items() if k != "model"}
    from molxtal import validate
    from molxtal.structures import read_structure
    from molxtal.workflows.force_constants import DisplacementSettings, supercell_matrix
    from molxtal.workflows.qha import quasi_harmonic

    validate.phonon_options(supercell, mesh, displacement, t_max, t_step)
    atoms = read_structure(crystal)
    settings = DisplacementSettings(supercell_matrix(supercell), displacement, plusminus)
    p_list, scales = (
        opt.parse_floats(pressures, "--pressures"),
        opt.parse_floats(volumes, "--volumes"),
    )
    run_command(
        "qha", out,
        lambda folder: quasi_harmonic(
            atoms, model, molecules_per_cell, settings, mesh, t_max, t_step, p_list, scales,
            fmax, checkpoints, eos, str(crystal), opt.structure_name(crystal), progress_bar,
        ),
        [model], parameters, 0,
    )  # fmt: skip
