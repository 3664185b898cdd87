"""``molxtal sample TRAJ...``: training frames from MD trajectories (e.g. ``molxtal md``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from molxtal.cli.console import console, handle_errors, print_table
from molxtal.cli.options import OutOpt, SeedOpt
from molxtal.cli.run import result_dir
from molxtal.data.training import read_frames
from molxtal.plotting.sample import plot_thermalisation
from molxtal.workflows.sample import sample_frames


@handle_errors
def sample_command(
    trajectories: Annotated[
        list[Path], typer.Argument(help="Trajectories (extxyz with momenta and energies).")
    ],
    n_frames: Annotated[int, typer.Option(help="Frames to select.")] = 50,
    method: Annotated[str, typer.Option(help="random or fps (farthest point, RDF).")] = "random",
    skip: Annotated[
        int | None, typer.Option(help="Frames to drop [default: detected from T and E].")
    ] = None,
    seed: SeedOpt = 0,
    out: OutOpt = None,
) -> None:
    """Drop each trajectory's thermalisation, then select frames at random or by FPS."""
    data = [read_frames(path) for path in trajectories]
    parameters = {"trajectories": [str(p) for p in trajectories], "n_frames": n_frames,
                  "method": method, "skip": skip}  # fmt: skip
    with result_dir("sample", out, [], parameters, seed) as results:
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
