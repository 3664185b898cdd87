"""``molxtal train DATA``: train or fine-tune a MACE model with mace-torch's ``mace_run_train``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from molxtal.cli import options as opt
from molxtal.cli.run import run_command

Opt = typer.Option
E0S_HELP = (
    "Isolated-atom energies: average, isolated (IsolatedAtom frames in DATA), foundation, "
    "estimated, or a {Z: eV} dict [average; foundation when fine-tuning]."
)


def train_command(
    ctx: typer.Context,
    data: Annotated[Path, typer.Argument(help="Training frames (extxyz with REF_* keys).")],
    valid: Annotated[Path | None, Opt(help="Validation frames (default: split of DATA).")] = None,
    valid_fraction: Annotated[float, Opt(help="Validation share of DATA.")] = 0.1,
    config: Annotated[Path | None, Opt(help="YAML of mace_run_train options.")] = None,
    foundation: Annotated[str | None, Opt(help="Model to fine-tune (file or name).")] = None,
    finetune: Annotated[str, Opt(help="Fine-tuning mode: naive or multihead.")] = "naive",
    pt_data: Annotated[Path | None, Opt(help="Replay frames for multihead fine-tuning.")] = None,
    max_num_epochs: Annotated[int | None, Opt("--max-epochs", help="Epochs (50).")] = None,
    batch_size: Annotated[int | None, Opt(help="Frames per batch (1).")] = None,
    r_max: Annotated[float | None, Opt(help="Cutoff radius in Å (5.0).")] = None,
    num_channels: Annotated[int | None, Opt("--channels", help="Channels per irrep (32).")] = None,
    max_L: Annotated[int | None, Opt("--max-l", help="Highest L of hidden features (0).")] = None,  # noqa: N803
    e0s: Annotated[str | None, Opt(help=E0S_HELP)] = None,
    seed: Annotated[int, Opt(help="Seed of the split and of mace.")] = 0,
    default_dtype: Annotated[str | None, Opt("--dtype", help="float64 or float32.")] = None,
    threads: Annotated[int | None, Opt(help="CPU threads for torch.")] = None,
    name: Annotated[str, Opt(help="Model name (file NAME.model).")] = "mace",
    install: Annotated[str | None, Opt(help="Copy the model to the user models as NAME.")] = None,
    out: opt.OutOpt = None,
) -> None:
    """Train a MACE model from scratch or fine-tune one (extra --mace_options pass through)."""
    options = {k: v for k, v in locals().items() if k not in ("ctx", "out")}
    from molxtal.workflows.train import train

    run_command(
        "train",
        out,
        lambda folder: train(folder=folder.path, extra_args=ctx.args, **options),
        parameters={**options, "mace_extra_args": ctx.args},
        seed=seed,
    )


def register(app: typer.Typer) -> None:
    settings = {"allow_extra_args": True, "ignore_unknown_options": True}
    app.command("train", context_settings=settings)(train_command)
