"""Options shared by every command, and the code that turns them into loaded models."""

from __future__ import annotations

import functools
import inspect
import json
from pathlib import Path
from typing import Annotated

import typer

from molxtal.errors import MolxtalError
from molxtal.models import D3Settings, Model, load_model

ModelOpt = Annotated[
    list[str],
    typer.Option(
        "--model",
        "-m",
        help="Model: chgnet (default, offline), a MACE foundation name (molxtal models), a path "
        "to a MACE .model file, or module:function returning an ASE calculator. Repeatable.",
    ),
]
DtypeOpt = Annotated[str, typer.Option(help="Floating-point precision: float64 or float32.")]
DeviceOpt = Annotated[str, typer.Option(help="cpu, cuda or auto.")]
DispersionOpt = Annotated[str, typer.Option(help="Add dispersion: none or d3 (torch-dftd).")]
D3FunctionalOpt = Annotated[str, typer.Option(help="D3 functional (MACE-MP-0 convention: pbe).")]
D3DampingOpt = Annotated[str, typer.Option(help="D3 damping: zero, bj, zerom or bjm.")]
ModelKwargsOpt = Annotated[
    str | None, typer.Option(help="JSON keyword arguments for a module:function model.")
]
OutOpt = Annotated[
    Path | None,
    typer.Option("--out", "-o", help="Result directory (default: molxtal-results/<cmd>-<time>)."),
]
DataDirOpt = Annotated[
    Path | None, typer.Option(help="Reference-data directory (overrides $MOLXTAL_DATA).")
]
SeedOpt = Annotated[int, typer.Option(help="Random seed (recorded in provenance.json).")]


def dispersion_settings(dispersion: str, functional: str, damping: str) -> D3Settings | None:
    if dispersion == "none":
        return None
    if dispersion != "d3":
        raise MolxtalError(f"unknown dispersion '{dispersion}'; choose none or d3")
    return D3Settings(functional=functional, damping=damping)


def parse_model_kwargs(text: str | None) -> dict:
    if not text:
        return {}
    try:
        kwargs = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MolxtalError(f"--model-kwargs is not valid JSON ({exc})") from exc
    if not isinstance(kwargs, dict):
        raise MolxtalError("--model-kwargs must be a JSON object")
    return kwargs


def load_models(
    specs: list[str] | None,
    dtype: str,
    device: str,
    dispersion: str = "none",
    d3_functional: str = "pbe",
    d3_damping: str = "bj",
    model_kwargs: str | None = None,
) -> list[Model]:
    """Load each ``--model`` once (the default model if none was given)."""
    settings = dispersion_settings(dispersion, d3_functional, d3_damping)
    kwargs = parse_model_kwargs(model_kwargs)
    return [
        load_model(spec, dtype=dtype, device=device, dispersion=settings, model_kwargs=kwargs)
        for spec in (specs or ["chgnet"])
    ]


#: The model options every model-using command takes, in the order ``--help`` shows them.
MODEL_OPTIONS = (
    ("model", ModelOpt, None),
    ("dtype", DtypeOpt, "float64"),
    ("device", DeviceOpt, "cpu"),
    ("dispersion", DispersionOpt, "none"),
    ("d3_functional", D3FunctionalOpt, "pbe"),
    ("d3_damping", D3DampingOpt, "bj"),
    ("model_kwargs", ModelKwargsOpt, None),
)


def with_models(command):
    """Give a typer command the shared model options; it receives ``models`` (each loaded once).

    The decorated function declares a keyword-only ``models: list[Model]`` parameter instead of
    the seven options, which the wrapper parses, loads with :func:`load_models` and passes on.
    """
    signature = inspect.signature(command, eval_str=True)
    own = [p for p in signature.parameters.values() if p.name != "models"]
    shared = [
        inspect.Parameter(
            name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=default, annotation=annotation
        )
        for name, annotation, default in MODEL_OPTIONS
    ]

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        options = {name: kwargs.pop(name) for name, _, _ in MODEL_OPTIONS}
        return command(
            *args, models=load_models(**{"specs": options.pop("model"), **options}), **kwargs
        )

    wrapper.__signature__ = signature.replace(parameters=own + shared)
    return wrapper
