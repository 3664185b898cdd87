"""``molxtal sample TRAJ...``: training frames from MD trajectories (e.g. ``molxtal md``)."""

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
def sample_command(
    trajectories: Annotated[list[Path] | None, typer.Argument(help="extxyz trajectories.")] = None,
    structure: Annotated[Path | None, Opt(help="Run MD from this structure first.")] = None,
    ensemble: opts.EnsembleOpt = "npt",
    temperature: opts.MDTemperatureOpt = 100.0,
    pressure: opts.MDPressureOpt = 1.01325,
    timestep: opts.TimestepOpt = 0.5,
    steps: Annotated[int, Opt(help="MD steps.")] = 10000,
    stride: opts.StrideOpt = 10,
    n_frames: Annotated[int, Opt(help="Frames to select.")] = 50,
    method: Annotated[str, Opt(help="random or fps (farthest point, RDF).")] = "random",
    skip: Annotated[int | None, Opt(help="Frames to drop (default: detected).")] = None,
    seed: opts.SeedOpt = 0,
    out: opts.OutOpt = None,
    *,
    model: opts.Model,
) -> None:
    # fmt: on
    """Drop each trajectory's thermalisation (from T and E), then select frames at random or
    by FPS. With --structure, first runs MD at (T, P) with --model (molxtal md's workflow)."""
    from molxtal import validate
    from molxtal.structures import read_structure
    from molxtal.workflows.md import MDSettings
    from molxtal.workflows.sample import sample_after_md, sample_trajectories

    if (structure is None) == (not trajectories):
        raise MolxtalError("give trajectory files or --structure (to run MD first)")
    validate.positive_integers("--n-frames", [n_frames])
    settings = MDSettings(steps=steps, ensemble=ensemble, temperature_K=temperature,
                          pressure_bar=pressure, timestep_fs=timestep, stride=stride,
                          seed=seed)  # fmt: skip

    def compute(folder):
        if structure is None:
            return sample_trajectories(trajectories, n_frames, method, seed, skip)
        return sample_after_md(read_structure(structure), model, settings, folder.path / "md",
                               n_frames, method, seed, skip, progress_bar)  # fmt: skip

    parameters = {"trajectories": [str(p) for p in trajectories or []], "n_frames": n_frames,
                  "method": method, "skip": skip,
                  "md": vars(settings) if structure else None}  # fmt: skip
    run_command("sample", out, compute, [model] if structure else [], parameters, seed)
