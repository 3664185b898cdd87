"""``molxtal sample TRAJ...``: training frames from MD trajectories (e.g. ``molxtal md``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from molxtal.cli.console import console, handle_errors, print_table
from molxtal.cli.options import DtypeOpt, ModelOpt, OutOpt, SeedOpt, load_models
from molxtal.cli.run import result_dir
from molxtal.data.training import read_frames
from molxtal.errors import MolxtalError
from molxtal.plotting.sample import plot_thermalisation
from molxtal.structures import read_structure
from molxtal.workflows.md import MDSettings, run_md
from molxtal.workflows.sample import sample_frames


@handle_errors
def sample_command(
    trajectories: Annotated[
        list[Path] | None,
        typer.Argument(help="Trajectories (extxyz with momenta and energies), or --structure."),
    ] = None,
    structure: Annotated[
        Path | None, typer.Option(help="Run MD from this structure first (see molxtal md).")
    ] = None,
    model: ModelOpt = None,
    dtype: DtypeOpt = "float64",
    ensemble: Annotated[str, typer.Option(help="MD ensemble: nvt or npt.")] = "npt",
    temperature: Annotated[float, typer.Option(help="MD temperature (K).")] = 100.0,
    pressure: Annotated[float, typer.Option(help="NPT pressure (bar).")] = 1.01325,
    timestep: Annotated[float, typer.Option(help="MD timestep (fs).")] = 0.5,
    steps: Annotated[int, typer.Option(help="MD steps.")] = 10000,
    stride: Annotated[int, typer.Option(help="MD steps between frames.")] = 10,
    n_frames: Annotated[int, typer.Option(help="Frames to select.")] = 50,
    method: Annotated[str, typer.Option(help="random or fps (farthest point, RDF).")] = "random",
    skip: Annotated[
        int | None, typer.Option(help="Frames to drop (default: detected from T and E).")
    ] = None,
    seed: SeedOpt = 0,
    out: OutOpt = None,
) -> None:
    """Drop each trajectory's thermalisation, then select frames at random or by FPS.

    With --structure, first runs MD at (T, P) with --model (molxtal md's workflow).
    """
    if (structure is None) == (not trajectories):
        raise MolxtalError("give trajectory files or --structure (to run MD first)")
    models = load_models(model, dtype, "cpu") if structure else []
    parameters = {"trajectories": [str(p) for p in trajectories or []], "n_frames": n_frames,
                  "method": method, "skip": skip}  # fmt: skip
    with result_dir("sample", out, models, parameters, seed) as results:
        if structure is not None:
            settings = MDSettings(steps=steps, ensemble=ensemble, temperature_K=temperature,
                                  pressure_bar=pressure, timestep_fs=timestep, stride=stride,
                                  seed=seed)  # fmt: skip
            results.provenance.parameters["md"] = vars(settings)
            with results.provenance.stage("md"):
                md = run_md(read_structure(structure), models[0], settings, results.path / "md")
            trajectories = [md.trajectory]
        data = [read_frames(path) for path in trajectories]
        sample = sample_frames(data, n_frames, method, seed, skip)
        results.write_atoms("sampled.extxyz", sample.frames)
        names = [p.name for p in trajectories]
        results.save_figure("thermalisation.png", plot_thermalisation(sample.series, names))
        picked = [{"trajectory": str(trajectories[t]), "frame": i} for t, i in sample.picked]
        starts = {
            str(p): s.thermalised_from for p, s in zip(trajectories, sample.series, strict=True)
        }
        results.write_json("results.json", {"picked": picked, "thermalised_from_frame": starts})
    print_table(
        "Sampling",
        ["trajectory", "frames", "thermalised from frame", "picked"],
        [
            [str(p), len(frames), s.thermalised_from, sum(t == k for t, _ in sample.picked)]
            for k, (p, frames, s) in enumerate(zip(trajectories, data, sample.series, strict=True))
        ],
    )
    console.print(f"{len(sample.frames)} frames in {results.path / 'sampled.extxyz'}")


def register(app: typer.Typer) -> None:
    app.command("sample")(sample_command)
