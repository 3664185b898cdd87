"""Options shared by every command, and the code that turns them into loaded models."""

from __future__ import annotations

import functools
import inspect
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from molxtal.errors import MolxtalError

if TYPE_CHECKING:
    from molxtal.models import D3Settings, Model

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
    from molxtal.models import D3Settings

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
    from molxtal.models import load_model

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


def _own_parameters(command, skip: str) -> list[inspect.Parameter]:
    """The command's parameters except ``skip``, with string annotations evaluated (the
    skipped one may name a type imported only for type checking, e.g. ``Model``)."""
    own = []
    for p in inspect.signature(command).parameters.values():
        if p.name == skip:
            continue
        annotation = p.annotation
        if isinstance(annotation, str):
            annotation = eval(annotation, command.__globals__)  # noqa: S307 - our own source
        own.append(p.replace(annotation=annotation))
    return own


def _with_model_options(command, name: str, single: bool):
    own = _own_parameters(command, name)
    shared = [
        inspect.Parameter(
            option, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=default, annotation=annotation
        )
        for option, annotation, default in MODEL_OPTIONS
    ]

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        options = {option: kwargs.pop(option) for option, _, _ in MODEL_OPTIONS}
        specs = options.pop("model")
        if single and specs and len(specs) > 1:
            raise MolxtalError(f"--model: this command takes one model (got {len(specs)})")
        models = load_models(specs, **options)
        return command(*args, **{name: models[0] if single else models}, **kwargs)

    wrapper.__signature__ = inspect.signature(command).replace(parameters=own + shared)
    # typer reads the type hints too: only the evaluated ones of the options it sees.
    wrapper.__annotations__ = {p.name: p.annotation for p in own + shared}
    return wrapper


def with_models(command):
    """Give a typer command the shared model options; it receives ``models`` (each loaded once).

    The decorated function declares a keyword-only ``models: list[Model]`` parameter instead of
    the seven options, which the wrapper parses, loads with :func:`load_models` and passes on.
    """
    return _with_model_options(command, "models", single=False)


def with_model(command):
    """Like :func:`with_models` for a command that takes one model: it receives ``model``, and
    a second ``--model`` is refused before anything is loaded."""
    return _with_model_options(command, "model", single=True)


# Options and parsers shared by the molecule commands (relax, vibrations, scan, water).
StructureArg = Annotated[Path, typer.Argument(help="Structure file (any format ASE reads).")]
RelaxFmaxOpt = Annotated[float, typer.Option("--fmax", help="Relaxation force threshold (eV/Å).")]
RelaxStepsOpt = Annotated[int, typer.Option("--steps", help="Maximum relaxation steps.")]
MethodOpt = Annotated[
    str,
    typer.Option(help="Hessian: auto, analytic or finite-differences (auto: analytic where "
                 "available)."),
]  # fmt: skip
DeltaOpt = Annotated[float, typer.Option(help="Finite-difference displacement (Å).")]
NfreeOpt = Annotated[int, typer.Option(help="Finite-difference points per coordinate: 2 or 4.")]
CacheOpt = Annotated[
    Path | None,
    typer.Option(help="Finite-difference cache (default: molxtal user cache/vibrations)."),
]


def vibrations_cache_dir(path: Path | None) -> Path:
    """Where finite-difference displacements are cached (next to the data cache by default)."""
    from molxtal.data import cache_dir

    return path or cache_dir().parent / "vibrations"


def parse_floats(text: str, option: str) -> list[float]:
    """'0 0.5 1' or '0,0.5,1' -> floats."""
    try:
        values = [float(x) for x in text.replace(",", " ").split()]
    except ValueError:
        raise MolxtalError(f"{option} '{text}' is not a list of numbers") from None
    if not values:
        raise MolxtalError(f"{option} is empty")
    return values


def parse_indices(text: str | None) -> list[int]:
    """``"0,3,5"`` -> [0, 3, 5] (atom indices, 0-based)."""
    try:
        return [int(token) for token in (text or "").split(",") if token.strip()]
    except ValueError as exc:
        raise MolxtalError(f"--fix expects comma-separated atom indices, got '{text}'") from exc


def parse_pairs(texts: list[str] | None) -> list[tuple[int, int]]:
    """``["0-3", "1-4"]`` -> [(0, 3), (1, 4)] (atom index pairs, 0-based)."""
    pairs = []
    for text in texts or []:
        parts = text.split("-")
        if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
            raise MolxtalError(f"--fix-bond expects two atom indices like 0-3, got '{text}'")
        pairs.append((int(parts[0]), int(parts[1])))
    return pairs


def read_input(path: Path):
    """The structure in ``path`` (:func:`molxtal.structures.read_structure`; ASE ``Atoms``)."""
    from molxtal.structures import read_structure

    return read_structure(path)
