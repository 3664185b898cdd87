"""Options shared by every command, and the code that turns them into loaded models."""

from __future__ import annotations

import functools
import inspect
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from molxtal.errors import MolxtalError
from molxtal.validate import (  # noqa: F401  (parsers of list-valued options, used as opt.*)
    parse_floats,
    parse_indices,
    parse_integers,
    parse_pairs,
    parse_sizes,
    parse_temperatures,
)

if TYPE_CHECKING:
    from molxtal.models import Model  # noqa: F401  (commands annotate opt.Model)

ModelOpt = Annotated[
    list[str],
    typer.Option(
        "--model",
        "-m",
        help="Model: so3lr (default) or chgnet (both offline), a MACE foundation name (molxtal "
        "models), a path to a MACE .model file, or module:function returning an ASE calculator "
        "(--model-kwargs; so3lr takes r_max_lr, dispersion_energy_cutoff_lr_damping). Repeatable.",
    ),
]
DtypeOpt = Annotated[str, typer.Option(help="Floating-point precision: float64 or float32.")]
DeviceOpt = Annotated[str, typer.Option(help="cpu, cuda or auto.")]
DispersionOpt = Annotated[str, typer.Option(help="Add dispersion: none or d3 (torch-dftd).")]
D3FunctionalOpt = Annotated[str, typer.Option(help="D3 functional (MACE-MP-0 convention: pbe).")]
D3DampingOpt = Annotated[str, typer.Option(help="D3 damping: zero, bj, zerom or bjm.")]
ModelKwargsOpt = Annotated[
    str | None,
    typer.Option(help="JSON keyword arguments of a module:function model or of so3lr."),
]
OutOpt = Annotated[
    Path | None,
    typer.Option("--out", "-o", help="Result directory (default: molxtal-results/<cmd>-<time>)."),
]
DataDirOpt = Annotated[
    Path | None, typer.Option(help="Reference-data directory (overrides $MOLXTAL_DATA).")
]
SeedOpt = Annotated[int, typer.Option(help="Random seed (recorded in provenance.json).")]


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
            annotation = eval(annotation, inspect.unwrap(command).__globals__)  # noqa: S307
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
        from molxtal.models import load_models

        models = load_models(specs, **options)
        return command(*args, **{name: models[0] if single else models}, **kwargs)

    wrapper.__signature__ = inspect.signature(command).replace(parameters=own + shared)
    # typer also reads the annotations: drop the model's (perhaps a TYPE_CHECKING-only name)
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


OverwriteOpt = Annotated[
    bool, typer.Option("--overwrite", help="Replace the results of an earlier run in --out.")
]


def with_overwrite(command):
    """Give a command that writes a result folder the ``--overwrite`` option; the run's
    :func:`molxtal.cli.run.result_dir` reads it (an earlier run in ``--out`` is otherwise
    refused)."""
    from molxtal.cli.run import OVERWRITE

    signature = inspect.signature(command)
    option = inspect.Parameter(
        "overwrite", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=OverwriteOpt
    )
    parameters = _own_parameters(command, skip="overwrite")
    keyword_only = [p for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY]
    positional = [p for p in parameters if p.kind is not inspect.Parameter.KEYWORD_ONLY]

    @functools.wraps(command)
    def wrapper(*args, overwrite: bool = False, **kwargs):
        token = OVERWRITE.set(overwrite)
        try:
            return command(*args, **kwargs)
        finally:
            OVERWRITE.reset(token)

    parameters = positional + [option] + keyword_only
    wrapper.__signature__ = signature.replace(parameters=parameters)
    wrapper.__annotations__ = {p.name: p.annotation for p in parameters}
    return wrapper


def finish_commands(app: typer.Typer) -> None:
    """Every command of ``app`` and of its groups: errors as one line
    (:func:`molxtal.cli.console.handle_errors`), and ``--overwrite`` where it has ``--out``."""
    from molxtal.cli.console import handle_errors

    for group in [app, *(g.typer_instance for g in app.registered_groups)]:
        for info in group.registered_commands:
            callback = handle_errors(info.callback)
            if "out" in inspect.signature(callback).parameters:
                callback = with_overwrite(callback)
            info.callback = callback


# Molecular dynamics (md, sample)
EnsembleOpt = Annotated[str, typer.Option(help="MD ensemble: nve, nvt or npt.")]
MDTemperatureOpt = Annotated[float, typer.Option(help="MD target and initial temperature (K).")]
MDPressureOpt = Annotated[float, typer.Option(help="NPT pressure (bar).")]
TimestepOpt = Annotated[float, typer.Option(help="MD timestep (fs).")]
StrideOpt = Annotated[int, typer.Option(help="Write a frame and a log row every N MD steps.")]

# ----------------------------------------------------------------- phonons, thermodynamics

#: Default folder of the phonon force-set checkpoints (shared by every phonon command).
DEFAULT_CHECKPOINTS = Path("molxtal-results") / "checkpoints" / "phonons"
SupercellOpt = Annotated[tuple[int, int, int], typer.Option(help="Diagonal phonon supercell.")]
MeshOpt = Annotated[tuple[int, int, int], typer.Option(help="Γ-centred q-mesh for the phonons.")]
CheckpointsOpt = Annotated[Path, typer.Option(help="Folder of phonon force-set checkpoints.")]
TemperaturesOpt = Annotated[
    str, typer.Option(help="Temperatures (K): START:STOP:STEP (STOP included) or a list 0,100.")
]
PressuresOpt = Annotated[str, typer.Option(help="Pressures (GPa), e.g. '0 0.5'.")]
DisplacementOpt = Annotated[float, typer.Option(help="Displacement amplitude (Å).")]


def structure_name(path: Path) -> str:
    """A structure's name for titles: the folder of a ``POSCAR``, else the file's stem."""
    return path.parent.name if path.stem == "POSCAR" else path.stem


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


#: How a crystal is treated before its energy is taken (molxtal.workflows.lattice_energy).
GeometryOpt = Annotated[
    Literal["fixed", "positions", "cell"],
    typer.Option(help="Crystal: fixed (as given), positions (relax atoms) or cell (atoms + cell)."),
]
CrystalFmaxOpt = Annotated[
    float, typer.Option(help="Force threshold (eV/Å) for relaxing the crystal.")
]
StudyCacheOpt = Annotated[
    Path | None, typer.Option(help="Step cache folder of the study (default: OUT/cache).")
]


def read_input(path: Path):
    """The structure in ``path`` (:func:`molxtal.structures.read_structure`; ASE ``Atoms``)."""
    from molxtal.structures import read_structure

    return read_structure(path)
