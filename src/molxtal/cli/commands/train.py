"""``molxtal train DATA``: train or fine-tune a MACE model with mace-torch's ``mace_run_train``."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import typer

from molxtal.cli.console import console, handle_errors, print_table
from molxtal.cli.options import OutOpt
from molxtal.cli.run import result_dir
from molxtal.data.training import read_frames
from molxtal.errors import MolxtalError
from molxtal.io import atomic_write
from molxtal.models import load_model, user_model_dir
from molxtal.plotting.train import plot_training
from molxtal.workflows.train import (
    build_settings,
    resolve_foundation,
    split_frames,
    train_mace,
)


def _read_yaml(path: Path | None) -> dict:
    if path is None:
        return {}
    import yaml

    try:
        data = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise MolxtalError(f"{path}: cannot read the YAML of hyperparameters ({exc})") from exc
    if not isinstance(data, dict):
        raise MolxtalError(f"{path}: the YAML must map mace option names to values")
    return data


def install_model(model_path: Path, name: str) -> Path:
    """Copy a ``.model`` file into the user model directory as ``NAME.model`` (atomically)."""
    target = user_model_dir() / f"{name}.model"
    with atomic_write(target, "wb") as handle, open(model_path, "rb") as source:
        shutil.copyfileobj(source, handle)
    return target


@handle_errors
def train_command(
    ctx: typer.Context,
    data: Annotated[Path, typer.Argument(help="Training frames (extxyz with REF_* keys).")],
    valid: Annotated[
        Path | None, typer.Option(help="Validation frames (default: a seeded split of DATA).")
    ] = None,
    valid_fraction: Annotated[float, typer.Option(help="Validation share of DATA.")] = 0.1,
    config: Annotated[
        Path | None, typer.Option(help="YAML of mace_run_train options (name: value).")
    ] = None,
    foundation: Annotated[
        str | None,
        typer.Option(help="Fine-tune this model: a .model file, user model or MACE name."),
    ] = None,
    finetune: Annotated[str, typer.Option(help="Fine-tuning mode: naive or multihead.")] = "naive",
    pt_data: Annotated[
        Path | None, typer.Option(help="Replay frames for multihead fine-tuning.")
    ] = None,
    max_epochs: Annotated[int | None, typer.Option(help="Epochs (50).")] = None,
    batch_size: Annotated[int | None, typer.Option(help="Frames per batch (1).")] = None,
    r_max: Annotated[float | None, typer.Option(help="Cutoff radius in Å (5.0).")] = None,
    channels: Annotated[int | None, typer.Option(help="Channels per irrep (32).")] = None,
    max_l: Annotated[int | None, typer.Option(help="Highest L of hidden features (0).")] = None,
    e0s: Annotated[
        str | None,
        typer.Option(
            help="Isolated-atom energies: average, isolated (IsolatedAtom frames in DATA), "
            "foundation, estimated, or a {Z: eV} dict [average; foundation when fine-tuning]."
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the split and of mace.")] = 0,
    dtype: Annotated[str | None, typer.Option(help="float64 or float32 (float64).")] = None,
    threads: Annotated[int | None, typer.Option(help="CPU threads for torch.")] = None,
    name: Annotated[str, typer.Option(help="Model name (file NAME.model).")] = "mace",
    install: Annotated[
        str | None, typer.Option(help="Copy the model to the user model directory as NAME.")
    ] = None,
    out: OutOpt = None,
) -> None:
    """Train a MACE model from scratch or fine-tune one (extra --mace_options pass through)."""
    frames = read_frames(data)
    if valid is None:
        train, valid_frames, valid_indices = split_frames(frames, valid_fraction, seed)
    else:
        train, valid_frames, valid_indices = frames, read_frames(valid), []
    foundation_path = resolve_foundation(foundation) if foundation else None
    settings = build_settings(
        _read_yaml(config),
        foundation=foundation_path,
        finetune=finetune,
        pt_train_file=pt_data.resolve() if pt_data else None,
        e0s=e0s,
        max_num_epochs=max_epochs,
        batch_size=batch_size,
        r_max=r_max,
        num_channels=channels,
        max_L=max_l,
        seed=seed,
        default_dtype=dtype,
    )
    parameters = {
        "data": str(data),
        "valid": str(valid) if valid else None,
        "valid_fraction": valid_fraction if valid is None else None,
        "valid_indices": valid_indices,
        "mace_settings": settings,
        "mace_extra_args": ctx.args,
        "threads": threads,
    }
    with result_dir("train", out, [], parameters, seed) as results:
        with results.provenance.stage("mace_run_train"):
            result = train_mace(
                train,
                valid_frames,
                results.path / "mace",
                settings,
                name=name,
                extra_args=ctx.args,
                threads=threads,
            )
        model_path = results.file(f"{name}.model")
        shutil.copyfile(result.model_path, model_path)
        model = load_model(str(model_path), dtype=settings["default_dtype"])
        rows = [vars(m) for m in ([result.initial] if result.initial else []) + result.history]
        results.write_csv("history.csv", rows)
        if result.history:
            results.save_figure("training.png", plot_training(result.history, name))
        installed = install_model(model_path, install) if install else None
        history = result.history
        best = min(history, key=lambda m: m.valid_loss) if history else None
        last = history[-1] if history else None
        results.write_json(
            "results.json",
            {
                "model_file": str(model_path),
                "model_sha256": model.sha256,
                "elements": sorted(model.elements),
                "installed_as": str(installed) if installed else None,
                "n_train": result.n_train,
                "n_valid": result.n_valid,
                "mace_arguments": result.arguments,
                "initial": result.initial,
                "best": best,
                "last": last,
                "history": result.history,
            },
        )
    if last is not None:
        print_table(
            f"MACE {name}: validation errors ({result.n_train} train / {result.n_valid} valid)",
            ["", "epoch", "E MAE (meV/atom)", "F MAE (meV/Å)", "F RMSE (meV/Å)"],
            [
                [label, m.epoch if m.epoch is not None else "-", f"{m.mae_e_meV_per_atom:.2f}"]
                + [f"{m.mae_f_meV_per_angstrom:.1f}", f"{m.rmse_f_meV_per_angstrom:.1f}"]
                for label, m in (
                    ("initial", result.initial),
                    ("lowest validation loss", best),
                    ("last epoch", last),
                )
                if m is not None
            ],
        )
    console.print(f"Model {model_path} (use --model {model_path})")
    if installed:
        console.print(f"Installed as {installed}: use --model {install}")
    console.print(f"Results in {results.path}")


def register(app: typer.Typer) -> None:
    app.command(
        "train",
        context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    )(train_command)
