"""``molxtal label FRAMES --calculator SPEC``: reference energies, forces and stresses."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from molxtal.cli.console import console, handle_errors, print_table, progress_bar
from molxtal.cli.options import ModelKwargsOpt, OutOpt, parse_model_kwargs
from molxtal.cli.run import result_dir
from molxtal.data.training import read_frames
from molxtal.workflows.label import label_frames, reference_calculator

LABELLED = "labelled.extxyz"


@handle_errors
def label_command(
    frames: Annotated[Path, typer.Argument(help="Frames to label (extxyz or any ASE format).")],
    calculator: Annotated[
        str,
        typer.Option(
            help="Reference: gfn2-xtb or gfn1-xtb (tblite), module:function returning an ASE "
            "calculator (VASP, CP2K, ...), or any --model spec."
        ),
    ],
    calculator_kwargs: ModelKwargsOpt = None,
    out: OutOpt = None,
) -> None:
    """Label frames with REF_energy (eV), REF_forces (eV/Å), REF_stress (eV/Å³); resumable.

    Re-run with the same --out to resume an interrupted run; failed frames are retried.
    """
    images = read_frames(frames)
    kwargs = parse_model_kwargs(calculator_kwargs)
    reference = reference_calculator(calculator, kwargs)
    parameters = {"frames": str(frames), "calculator": calculator, "calculator_kwargs": kwargs}
    with result_dir("label", out, [], parameters) as results:
        with (
            results.provenance.stage("label"),
            progress_bar(f"Labelling with {calculator}", len(images)) as advance,
        ):
            result = label_frames(images, reference, results.file(LABELLED), advance)
        results.write_json(
            "results.json",
            {
                "output": str(result.output),
                "n_frames": result.n_frames,
                "labelled": result.labelled,
                "resumed_from_checkpoint": result.resumed,
                "failed": result.failed,
            },
        )
    print_table(
        f"Labelling {frames} with {calculator}",
        ["frames", "labelled", "from checkpoint", "failed"],
        [[result.n_frames, len(result.labelled), result.resumed, len(result.failed)]],
    )
    for index, message in result.failed.items():
        console.print(f"frame {index} failed: {message}")
    console.print(f"Labelled frames in {result.output}")


def register(app: typer.Typer) -> None:
    app.command("label")(label_command)
