"""The catalogue of named models and the ``--model`` resolver.

``--model`` accepts a catalogue name (``chgnet``, ``so3lr``, ``mace-mp-0-medium``, ...), the
stem of a ``.model`` file in the user's model directory, a path to a MACE ``.model`` file, or
``module:function`` returning any ASE calculator.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from molxtal.errors import MolxtalError
from molxtal.models.base import DTYPES, Model
from molxtal.models.chgnet import load_chgnet
from molxtal.models.dispersion import D3Settings, with_d3
from molxtal.models.mace import download_foundation, foundation_cache_path, load_mace_file
from molxtal.models.so3lr import SO3LR_REFERENCE, load_so3lr

MACE_MP_REF = "Batatia et al., arXiv:2401.00096 (MACE-MP-0)"
MACE_OFF_REF = "Kovács et al., arXiv:2312.15211 (MACE-OFF23)"


@dataclass(frozen=True)
class CatalogueEntry:
    """A named model molxtal knows how to obtain."""

    name: str
    family: str
    loader: str  # "chgnet", "so3lr", "mace-mp" or "mace-off"
    size: str | None
    elements: str
    training_data: str
    level_of_theory: str
    reference: str
    licence: str
    #: whether the model itself includes long-range dispersion (then --dispersion d3 is refused)
    includes_dispersion: bool = False

    def available_offline(self) -> bool:
        """True if the model can be loaded now without a download."""
        if self.loader == "chgnet":
            return True
        if self.loader == "so3lr":  # the weights ship in the so3krates-torch wheel
            return importlib.util.find_spec("so3krates_torch") is not None
        return foundation_cache_path(self.loader, self.size).is_file()

    def mace_checkpoint(self) -> Path | None:
        """The MACE ``.model`` file of this entry (downloaded if needed), the start of a
        fine-tuning; None for a model that is not a MACE checkpoint."""
        if self.loader not in ("mace-mp", "mace-off"):
            return None
        return download_foundation(self.name, self.loader, self.size)


def _mace_mp(size: str) -> CatalogueEntry:
    return CatalogueEntry(
        f"mace-mp-0-{size}",
        "MACE",
        "mace-mp",
        size,
        "89 elements (H-Pu)",
        "MPtrj (Materials Project relaxations)",
        "PBE/PBE+U",
        MACE_MP_REF,
        "MIT",
    )


def _mace_off(size: str) -> CatalogueEntry:
    return CatalogueEntry(
        f"mace-off23-{size}",
        "MACE",
        "mace-off",
        size,
        "H C N O F P S Cl Br I",
        "SPICE (organic molecules and dimers)",
        "ωB97M-D3(BJ)/def2-TZVPPD",
        MACE_OFF_REF,
        "ASL (academic, non-commercial)",
    )


CATALOGUE: dict[str, CatalogueEntry] = {
    entry.name: entry
    for entry in [
        CatalogueEntry(
            "chgnet",
            "CHGNet 0.3.0 (embedded)",
            "chgnet",
            None,
            "Z = 1-94 (H-Pu)",
            "MPtrj (Materials Project relaxations)",
            "PBE/PBE+U",
            "Deng et al., Nat. Mach. Intell. 5, 1031 (2023)",
            "BSD (modified)",
        ),
        CatalogueEntry(
            "so3lr",
            "SO3LR (so3krates-torch, embedded default)",
            "so3lr",
            None,
            "H C N O F P S Cl",
            "organic/biomolecular molecules, dimers, clusters (forces, dipoles, Hirshfeld "
            "ratios; not energies)",
            "PBE0+MBD",
            SO3LR_REFERENCE,
            "MIT",
            includes_dispersion=True,
        ),
        *(_mace_mp(size) for size in ("small", "medium", "large")),
        *(_mace_off(size) for size in ("small", "medium", "large")),
    ]
}

#: The model of every command without --model: chosen by measurement on the thesis's water and
#: ice comparisons (docs/models.md, "CHGNet vs SO3LR").
DEFAULT_MODEL = "so3lr"


def user_model_dir() -> Path:
    """Where users keep their own ``.model`` files (``MOLXTAL_MODEL_DIR`` overrides)."""
    default = Path.home() / ".local" / "share" / "molxtal" / "models"
    return Path(os.environ.get("MOLXTAL_MODEL_DIR", default))


def user_models() -> dict[str, Path]:
    """``.model`` files in the user's model directory, by file stem."""
    folder = user_model_dir()
    return {p.stem: p for p in sorted(folder.glob("*.model"))} if folder.is_dir() else {}


def resolve_device(device: str) -> str:
    """``auto`` picks CUDA when available, else CPU."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device not in ("cpu", "cuda"):
        raise MolxtalError(f"unknown device '{device}'; choose cpu, cuda or auto")
    if device == "cuda" and not torch.cuda.is_available():
        raise MolxtalError("--device cuda asked for, but torch sees no CUDA device")
    return device


def _load_plugin(spec: str, kwargs: dict[str, Any]) -> Model:
    module_name, _, function_name = spec.partition(":")
    try:
        factory = getattr(importlib.import_module(module_name), function_name)
    except (ImportError, AttributeError) as exc:
        raise MolxtalError(f"cannot import calculator factory '{spec}' ({exc})") from exc
    try:
        calculator = factory(**kwargs)
    except Exception as exc:
        raise MolxtalError(
            f"calculator factory '{spec}' failed: {type(exc).__name__}: {exc}"
        ) from exc
    if not hasattr(calculator, "get_potential_energy"):
        raise MolxtalError(f"'{spec}' returned {type(calculator).__name__}, not an ASE calculator")
    return Model(
        name=spec, family="ASE calculator", calculator=calculator, extra={"kwargs": kwargs}
    )


def load_model(
    spec: str = DEFAULT_MODEL,
    *,
    dtype: str = "float64",
    device: str = "cpu",
    dispersion: D3Settings | None = None,
    model_kwargs: dict[str, Any] | None = None,
) -> Model:
    """Load the model named by ``spec`` (see the module docstring) once, ready to use."""
    if dtype not in DTYPES:
        raise MolxtalError(f"unknown dtype '{dtype}'; choose one of {DTYPES}")
    device = resolve_device(device)
    entry = CATALOGUE.get(spec)
    if entry is not None and entry.includes_dispersion and dispersion is not None:
        raise MolxtalError(
            f"{spec} already contains dispersion; --dispersion d3 would count it twice"
        )
    if model_kwargs and ":" not in spec and spec != "so3lr":
        raise MolxtalError("--model-kwargs applies only to so3lr and module:function models")
    if entry is not None and entry.loader == "chgnet":
        model = load_chgnet(dtype, device)
    elif entry is not None and entry.loader == "so3lr":
        model = load_so3lr(dtype, device, model_kwargs)
    elif entry is not None:
        path = download_foundation(spec, entry.loader, entry.size)
        model = load_mace_file(path, dtype, device, name=spec)
    elif spec in user_models():
        model = load_mace_file(user_models()[spec], dtype, device, name=spec)
    elif Path(spec).suffix == ".model" or Path(spec).is_file():
        model = load_mace_file(spec, dtype, device)
    elif ":" in spec:
        model = _load_plugin(spec, model_kwargs or {})
    else:
        raise MolxtalError(
            f"unknown model '{spec}'; use one of {', '.join(CATALOGUE)}, a path to a MACE "
            ".model file, or module:function returning an ASE calculator"
        )
    if dispersion is not None:
        model.calculator = with_d3(model.calculator, dispersion, dtype, device)
        model.dispersion = dispersion.as_dict()
    return model


def dispersion_settings(dispersion: str, functional: str, damping: str) -> D3Settings | None:
    """``--dispersion none|d3`` with its functional and damping as :class:`D3Settings`."""
    if dispersion == "none":
        return None
    if dispersion != "d3":
        raise MolxtalError(f"--dispersion: unknown '{dispersion}'; choose none or d3")
    return D3Settings(functional=functional, damping=damping)


def parse_model_kwargs(text: str | None, option: str = "--model-kwargs") -> dict[str, Any]:
    """``--model-kwargs`` (or ``option``) JSON text as a dict (empty for no text)."""
    if not text:
        return {}
    try:
        kwargs = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MolxtalError(f"{option}: not valid JSON ({exc})") from exc
    if not isinstance(kwargs, dict):
        raise MolxtalError(f"{option}: must be a JSON object")
    return kwargs


def load_models(
    specs: list[str] | None,
    dtype: str = "float64",
    device: str = "cpu",
    dispersion: str = "none",
    d3_functional: str = "pbe",
    d3_damping: str = "bj",
    model_kwargs: str | None = None,
) -> list[Model]:
    """Load each ``--model`` once (the default model if none was given), from the command
    line's texts; every option is checked for every model before any model is loaded."""
    settings = dispersion_settings(dispersion, d3_functional, d3_damping)
    kwargs = parse_model_kwargs(model_kwargs)
    specs = list(dict.fromkeys(specs or [DEFAULT_MODEL]))
    for spec in specs:
        entry = CATALOGUE.get(spec)
        if entry is not None and entry.includes_dispersion and settings is not None:
            raise MolxtalError(
                f"--dispersion: {spec} already contains dispersion; d3 would count it twice"
            )
    return [
        load_model(spec, dtype=dtype, device=device, dispersion=settings, model_kwargs=kwargs)
        for spec in specs
    ]
