"""Models: the calculator registry, dispersion and model identity."""

from molxtal.models.base import DTYPES, Model
from molxtal.models.dispersion import D3Settings, with_d3
from molxtal.models.registry import (
    CATALOGUE,
    DEFAULT_MODEL,
    CatalogueEntry,
    load_model,
    load_models,
    parse_model_kwargs,
    user_model_dir,
    user_models,
)
from molxtal.models.vacuum import PeriodicBoxCalculator, vacuum_box

__all__ = [
    "CATALOGUE",
    "DEFAULT_MODEL",
    "DTYPES",
    "CatalogueEntry",
    "D3Settings",
    "Model",
    "PeriodicBoxCalculator",
    "load_model",
    "load_models",
    "parse_model_kwargs",
    "user_model_dir",
    "user_models",
    "vacuum_box",
    "with_d3",
]
