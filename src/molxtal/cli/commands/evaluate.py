"""``molxtal evaluate --model A [--model B] DATA``: errors against reference labels."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from molxtal.cli import options as opt
from molxtal.cli.console import progress_bar
from molxtal.cli.run import run_command


@opt.with_models
def evaluate_command(
    data: Annotated[Path, typer.Argument(help="Frames with REF_energy/REF_forces/REF_stress.")],
    out: opt.OutOpt = None,
    *,
    models: list[opt.Model],
) -> None:
    """Energy (meV/atom), force (meV/Å) and stress (meV/Å³) MAE/RMSE, with parity plots.

    Predictions are checkpointed per model: re-run with the same --out to resume.
    """
    from molxtal.workflows.evaluate import evaluate

    run_command(
        "evaluate",
        out,
        lambda folder: evaluate(data, models, folder.path / "predictions", progress_bar),
        models,
        {"data": str(data)},
    )
