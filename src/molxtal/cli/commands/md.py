"""``molxtal md``: molecular dynamics (NVE/NVT/NPT) with checkpoints and ``--resume``."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from molxtal.cli.console import console, handle_errors, print_table
from molxtal.cli.options import (
    D3DampingOpt,
    D3FunctionalOpt,
    DeviceOpt,
    DispersionOpt,
    DtypeOpt,
    ModelKwargsOpt,
    ModelOpt,
    OutOpt,
    SeedOpt,
    load_models,
)
from molxtal.cli.run import result_dir
from molxtal.errors import MolxtalError
from molxtal.io import read_json
from molxtal.structures import read_structure, water_box
from molxtal.workflows.md import THERMO, MDSettings, run_md


def parse_repeat(text: str) -> tuple[int, int, int]:
    """``"2x2x2"`` -> (2, 2, 2)."""
    try:
        repeat = tuple(int(n) for n in text.lower().split("x"))
    except ValueError:
        repeat = ()
    if len(repeat) != 3 or min(repeat) < 1:
        raise MolxtalError(f"--repeat '{text}' must look like 2x2x2")
    return repeat


@contextlib.contextmanager
def md_progress(total_steps: int, timestep_fs: float) -> Iterator[Callable[[int, int], None]]:
    """A progress bar showing simulated ps, ns/day and the ETA; yields ``progress(step, total)``."""
    columns = (
        TextColumn("MD"),
        BarColumn(),
        TextColumn("{task.fields[ps]:.3f}/{task.fields[total_ps]:.3f} ps"),
        TextColumn("{task.fields[ns_day]:.3f} ns/day"),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    total_ps = total_steps * timestep_fs / 1000
    with Progress(*columns, console=console, disable=not sys.stdout.isatty()) as bar:
        task = bar.add_task("md", total=total_steps, ps=0.0, total_ps=total_ps, ns_day=0.0)
        start: list[float | int] = []

        def progress(step: int, total: int) -> None:
            if not start:
                start.extend([time.perf_counter(), step - 1])
            elapsed = time.perf_counter() - start[0]
            done_ps = (step - start[1]) * timestep_fs / 1000
            ns_day = done_ps * 1e-3 / elapsed * 86400 if elapsed > 0 else 0.0
            bar.update(task, completed=step, ps=step * timestep_fs / 1000, ns_day=ns_day)

        yield progress


@handle_errors
def md_command(
    structure: Annotated[
        Path | None, typer.Argument(help="Structure file (any format ASE reads).")
    ] = None,
    water_box_molecules: Annotated[
        int | None, typer.Option("--water-box", help="Start from a random box of N waters.")
    ] = None,
    density: Annotated[float, typer.Option(help="Water-box density (g/cm³).")] = 0.997,
    repeat: Annotated[str, typer.Option(help="Supercell of the structure, e.g. 2x2x2.")] = "1x1x1",
    ensemble: Annotated[str, typer.Option(help="nve, nvt or npt.")] = "nvt",
    thermostat: Annotated[str, typer.Option(help="NVT: langevin, bussi or nose-hoover.")] = (
        "langevin"
    ),
    barostat: Annotated[str, typer.Option(help="NPT (MTK): isotropic or flexible cell.")] = (
        "isotropic"
    ),
    temperature: Annotated[float, typer.Option(help="Target/initial temperature (K).")] = 300.0,
    pressure: Annotated[float, typer.Option(help="NPT pressure (bar).")] = 1.0,
    timestep: Annotated[float, typer.Option(help="Timestep (fs).")] = 0.5,
    time_ps: Annotated[float | None, typer.Option("--time", help="Simulated time (ps).")] = None,
    steps: Annotated[int | None, typer.Option(help="Number of steps (instead of --time).")] = None,
    equilibration: Annotated[
        float, typer.Option(help="Equilibration (ps), excluded from the averages and analyse.")
    ] = 0.0,
    stride: Annotated[int, typer.Option(help="Write a frame and log row every N steps.")] = 10,
    checkpoint_every: Annotated[int, typer.Option(help="Checkpoint every N steps.")] = 100,
    tdamp: Annotated[float, typer.Option(help="Thermostat time constant (fs).")] = 100.0,
    pdamp: Annotated[float, typer.Option(help="Barostat time constant (fs).")] = 1000.0,
    max_temperature: Annotated[
        float | None, typer.Option(help="Stop above this temperature (K) [default: 5x target].")
    ] = None,
    min_distance: Annotated[float, typer.Option(help="Stop if atoms get closer (Å).")] = 0.5,
    resume: Annotated[
        bool, typer.Option(help="Continue the run in --out from its last checkpoint.")
    ] = False,
    seed: SeedOpt = 0,
    model: ModelOpt = None,
    dtype: DtypeOpt = "float64",
    device: DeviceOpt = "cpu",
    dispersion: DispersionOpt = "none",
    d3_functional: D3FunctionalOpt = "pbe",
    d3_damping: D3DampingOpt = "bj",
    model_kwargs: ModelKwargsOpt = None,
    out: OutOpt = None,
) -> None:
    """Molecular dynamics: trajectory.extxyz, thermo.csv, checkpoint.pkl (resumable)."""
    if (structure is None) == (water_box_molecules is None):
        raise MolxtalError("give either a STRUCTURE file or --water-box N")
    if (time_ps is None) == (steps is None):
        raise MolxtalError("give either --time (ps) or --steps")
    if resume and out is None:
        raise MolxtalError("--resume needs --out, the directory of the run to continue")
    if structure is not None:
        atoms = read_structure(structure)
        source = str(structure)
    else:
        atoms = water_box(water_box_molecules, density, seed=seed)
        source = f"water box of {water_box_molecules} molecules at {density} g/cm³"
    atoms = atoms.repeat(parse_repeat(repeat))
    n_steps = steps if steps is not None else round(time_ps * 1000 / timestep)
    settings = MDSettings(
        steps=n_steps,
        ensemble=ensemble,
        thermostat=thermostat,
        barostat=barostat,
        temperature_K=temperature,
        pressure_bar=pressure,
        timestep_fs=timestep,
        stride=stride,
        checkpoint_every=checkpoint_every,
        tdamp_fs=tdamp,
        pdamp_fs=pdamp,
        seed=seed,
        max_temperature_K=max_temperature,
        min_distance_angstrom=min_distance,
    )
    models = load_models(model, dtype, device, dispersion, d3_functional, d3_damping, model_kwargs)
    if len(models) != 1:
        raise MolxtalError("md runs one model at a time; give a single --model")
    parameters = {"source": source, "repeat": repeat, "equilibration_ps": equilibration}
    parameters.update(vars(settings))
    with result_dir("md", out, models, parameters, seed) as results:
        if resume:
            previous = results.path / "results.json"
            if previous.exists():
                equilibration = read_json(previous).get("equilibration_ps", equilibration)
        with results.provenance.stage("md"), md_progress(n_steps, timestep) as progress:
            result = run_md(atoms, models[0], settings, results.path, resume, progress)
        thermo = np.genfromtxt(result.thermo, delimiter=",", names=True)
        production = thermo[thermo["time_ps"] >= equilibration]
        summary = {
            "source": source,
            "n_atoms": len(atoms),
            "model": models[0].name,
            **parameters,
            "steps": n_steps,
            "time_ps": n_steps * timestep / 1000,
            "equilibration_ps": equilibration,
            "resumed_from_step": result.resumed_from_step,
            "wall_time_s": result.wall_time_s,
            "ns_per_day": result.ns_per_day,
            "mean_temperature_K": float(np.mean(production["temperature_K"])),
            "mean_density_g_cm3": float(np.mean(production["density_g_cm3"])),
            "mean_pressure_bar": float(np.mean(production["pressure_bar"])),
            "trajectory": "trajectory.extxyz",
            "thermo": THERMO,
        }
        results.write_json("results.json", summary)
    print_table(
        f"MD: {source}, {len(atoms)} atoms, {ensemble.upper()}, {models[0].name}",
        ["quantity", "value"],
        [
            ["simulated time (ps)", f"{summary['time_ps']:.4f}"],
            ["frames", result.n_frames],
            ["wall time (s)", f"{result.wall_time_s:.1f}"],
            ["speed (ns/day)", f"{result.ns_per_day:.4f}"],
            ["mean T after equilibration (K)", f"{summary['mean_temperature_K']:.1f}"],
            ["mean density (g/cm³)", f"{summary['mean_density_g_cm3']:.4f}"],
            ["mean pressure (bar)", f"{summary['mean_pressure_bar']:.0f}"],
        ],
    )
    console.print(f"Results in {results.path}")


def register(app: typer.Typer) -> None:
    app.command("md")(md_command)
