"""``molxtal label FRAMES --calculator SPEC``: reference energies, forces and stresses."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from molxtal.cli import options as opt
from molxtal.cli.console import progress_bar
from molxtal.cli.run import run_command

CALCULATOR_HELP = (
    "Reference: gfn2-xtb or gfn1-xtb (tblite, extra 'xtb'), module:function returning an ASE "
    "calculator (VASP, CP2K, ...), or any --model spec."
)


def label_command(
    frames: Annotated[Path, typer.Argument(help="Frames to label (extxyz or any ASE format).")],
    calculator: Annotated[str, typer.Option(help=CALCULATOR_HELP)],
    calculator_kwargs: opt.ModelKwargsOpt = None,
    out: opt.OutOpt = None,
) -> None:
    """Label frames with REF_energy (eV), REF_forces (eV/Å), REF_stress (eV/Å³); resumable.

    Re-run with the same --out to resume an interrupted run; failed frames are retried.
    """
    from molxtal.models import parse_model_kwargs
    from molxtal.workflows.label import label

    kwargs = parse_model_kwargs(calculator_kwargs, "--calculator-kwargs")
    run_command(
        "label",
        out,
        lambda folder: label(frames, calculator, folder.path, kwargs, progress_bar),
        parameters={"frames": str(frames), "calculator": calculator, "calculator_kwargs": kwargs},
        in_place=True, resume=True, check=lambda result: result.require_labelled(),
    )  # fmt: skip
