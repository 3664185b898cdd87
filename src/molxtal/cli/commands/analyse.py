"""``molxtal analyse TRAJECTORY...``: RDFs against Soper 2013, density, MSD and diffusion."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from molxtal.cli import options as opt
from molxtal.cli.run import run_command

Opt = typer.Option


# fmt: off
def analyse_command(
    trajectories: Annotated[list[Path], typer.Argument(help="Trajectories, e.g. one per model.")],
    label: Annotated[list[str] | None, Opt(help="Label per trajectory (default: model).")] = None,
    equilibration: Annotated[float | None, Opt(help="Skip the first ps (default: md's).")] = None,
    frame_interval: Annotated[float | None, Opt(help="Frame spacing (ps) if not in file.")] = None,
    pairs: Annotated[str, Opt(help="Comma-separated partials.")] = "O-O,O-H,H-H",
    intermolecular: Annotated[bool, Opt(help="Drop pairs within a molecule (as Soper).")] = True,
    bin_width: Annotated[float, Opt(help="RDF bin width (Å).")] = 0.02,
    blocks: Annotated[int, Opt(help="Blocks for block-average errors.")] = 5,
    species: Annotated[str, Opt(help="Element whose MSD gives D.")] = "O",
    viscosity: Annotated[float | None, Opt(help="Viscosity (mPa s) for Yeh-Hummer.")] = None,
    temperature: Annotated[float | None, Opt(help="T (K) for Yeh-Hummer (default: md's).")] = None,
    reference: Annotated[bool, Opt(help="Compare with Soper 2013.")] = True,
    out: opt.OutOpt = None,
) -> None:
    # fmt: on
    """Partial RDFs (vs Soper 2013), density and self-diffusion of MD trajectories."""
    from molxtal import validate
    from molxtal.workflows.trajectory import analyse_trajectories

    validate.number("--bin-width", bin_width, 0.0, 1.0, "Å")
    validate.positive_integers("--blocks", [blocks])
    options = {"equilibration_ps": equilibration, "frame_interval_ps": frame_interval,
               "pairs": [p.strip() for p in pairs.split(",")], "intermolecular": intermolecular,
               "bin_width_angstrom": bin_width, "blocks": blocks, "species": species,
               "viscosity_mpa_s": viscosity, "temperature_K": temperature,
               "reference": reference}  # fmt: skip
    parameters = {"trajectories": [str(p) for p in trajectories], "labels": label, **options}
    run_command("analyse", out, lambda folder: analyse_trajectories(trajectories, label, **options),
                parameters=parameters)  # fmt: skip
