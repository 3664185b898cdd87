"""``molxtal evaluate --model A [--model B] DATA``: errors against reference labels."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from molxtal.cli.console import console, handle_errors, print_table, progress_bar
from molxtal.cli.options import (
    OutOpt,
    with_models,
)
from molxtal.cli.run import result_dir
from molxtal.data.training import read_frames
from molxtal.models import Model
from molxtal.plotting.evaluate import plot_parity
from molxtal.workflows.evaluate import evaluate_model


def _fmt(value, digits):
    return "-" if value is None else f"{value:.{digits}f}"


@handle_errors
@with_models
def evaluate_command(
    data: Annotated[Path, typer.Argument(help="Frames with REF_energy/REF_forces/REF_stress.")],
    out: OutOpt = None,
    *,
    models: list[Model],
) -> None:
    """Energy (meV/atom), force (meV/Å) and stress (meV/Å³) MAE/RMSE, with parity plots.

    Predictions are checkpointed per model: re-run with the same --out to resume.
    """
    frames = read_frames(data)
    with result_dir("evaluate", out, models, {"data": str(data)}) as results:
        per_model = []
        for m in models:
            key = f"{(m.sha256 or '')[:12] or 'plugin'}-{m.dtype}"
            stem = f"{re.sub(r'[^A-Za-z0-9_.-]', '_', m.name)}-{key}"
            checkpoint = results.file(f"predictions/{stem}.extxyz")
            with (
                results.provenance.stage(f"evaluate[{m.name}]"),
                progress_bar(f"Evaluating {m.name}", len(frames)) as advance,
            ):
                per_model.append(evaluate_model(frames, m, checkpoint, advance))
        rows = [{k: v for k, v in vars(r).items() if k != "parity"} for r in per_model]
        results.write_json("results.json", {"data": str(data), "models": rows})
        results.write_csv("errors.csv", rows)
        results.save_figure("parity.png", plot_parity(per_model))
    print_table(
        f"Errors on {data} ({len(frames)} frames)",
        [
            "model",
            "frames",
            "E MAE (meV/atom)",
            "E MAE shifted (meV/atom)",
            "F MAE (meV/Å)",
            "F RMSE (meV/Å)",
            "σ MAE (meV/Å³)",
        ],
        [
            [
                r.model,
                r.n_frames,
                _fmt(r.energy_mae_meV_per_atom, 2),
                _fmt(r.energy_mae_shifted_meV_per_atom, 2),
                _fmt(r.force_mae_meV_per_angstrom, 1),
                _fmt(r.force_rmse_meV_per_angstrom, 1),
                _fmt(r.stress_mae_meV_per_angstrom3, 3),
            ]
            for r in per_model
        ],
    )
    console.print(f"Results in {results.path}")


def register(app: typer.Typer) -> None:
    app.command("evaluate")(evaluate_command)
