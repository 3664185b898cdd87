"""``molxtal md``: molecular dynamics (NVE/NVT/NPT) with checkpoints and ``--resume``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from molxtal.cli import options as opts
from molxtal.cli.console import progress_bar
from molxtal.cli.run import run_command
from molxtal.errors import MolxtalError

Opt = typer.Option


@opts.with_model
# fmt: off
def md_command(
    structure: Annotated[Path | None, typer.Argument(help="Structure file (ASE-readable).")] = None,
    water_box: Annotated[int | None, Opt(help="Start from N waters, TIP4P-equilibrated.")] = None,
    density: Annotated[float, Opt(help="Water-box density (g/cm³).")] = 0.997,
    repeat: Annotated[str, Opt(help="Supercell of the structure, e.g. 2x2x2.")] = "1x1x1",
    ensemble: opts.EnsembleOpt = "nvt",
    thermostat: Annotated[str, Opt(help="NVT: langevin, bussi or nose-hoover.")] = "langevin",
    barostat: Annotated[str, Opt(help="NPT (MTK): isotropic or flexible cell.")] = "isotropic",
    temperature: opts.MDTemperatureOpt = 300.0,
    pressure: opts.MDPressureOpt = 1.0,
    timestep: opts.TimestepOpt = 0.5,
    time_ps: Annotated[float | None, Opt("--time", help="Simulated time (ps).")] = None,
    steps: Annotated[int | None, Opt(help="Number of steps (instead of --time).")] = None,
    equilibration: Annotated[float, Opt(help="Left out of the averages and analyse (ps).")] = 0.0,
    stride: opts.StrideOpt = 10,
    checkpoint_every: Annotated[int, Opt(help="Checkpoint every N steps.")] = 100,
    tdamp: Annotated[float, Opt(help="Thermostat time constant (fs).")] = 100.0,
    pdamp: Annotated[float, Opt(help="Barostat time constant (fs).")] = 1000.0,
    max_temperature: Annotated[float | None, Opt(help="Stop above this T (K); 5x target.")] = None,
    min_distance: Annotated[float, Opt(help="Stop if atoms get closer (Å).")] = 0.5,
    minimise: Annotated[int | None, Opt(help="Model FIRE steps before MD (--water-box: 100, "
                                        "else 0).")] = None,
    resume: Annotated[bool, Opt(help="Continue the run in --out from its checkpoint.")] = False,
    seed: opts.SeedOpt = 0,
    out: opts.OutOpt = None,
    *,
    model: opts.Model,
) -> None:
    # fmt: on
    """Molecular dynamics: trajectory.extxyz, thermo.csv, checkpoint.json (resumable)."""
    from molxtal.workflows.md import MDSettings, molecular_dynamics, starting_structure

    if (time_ps is None) == (steps is None):
        raise MolxtalError("give either --time (ps) or --steps")
    if resume and out is None:
        raise MolxtalError("--resume needs --out, the directory of the run to continue")
    settings = MDSettings(
        steps=steps if steps is not None else round(time_ps * 1000 / timestep),
        ensemble=ensemble, thermostat=thermostat, barostat=barostat, temperature_K=temperature,
        pressure_bar=pressure, timestep_fs=timestep, stride=stride,
        checkpoint_every=checkpoint_every, tdamp_fs=tdamp, pdamp_fs=pdamp, seed=seed,
        max_temperature_K=max_temperature, min_distance_angstrom=min_distance,
        minimise_steps=minimise if minimise is not None else 100 * (water_box is not None),
    )  # fmt: skip

    def compute(folder):
        atoms, source, preparation = starting_structure(structure, water_box, density, repeat,
            seed, temperature, prepare=not resume, progress_bar=progress_bar)  # fmt: skip
        folder.provenance.parameters["source"] = source
        return molecular_dynamics(atoms, model, settings, folder.path, resume=resume,
            equilibration_ps=equilibration, source=source, progress_bar=progress_bar,
            preparation=preparation)  # fmt: skip

    parameters = {"equilibration_ps": equilibration, "water_box": water_box, **vars(settings)}
    run_command("md", out, compute, [model], parameters, seed, in_place=True, resume=resume)
