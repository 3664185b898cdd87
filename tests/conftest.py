"""Shared fixtures: reference data location, the default model, a tiny random MACE model."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# Tests read the reference data at run time from ../shared/refdata unless told otherwise.
os.environ.setdefault("MOLXTAL_DATA", str(REPO.parent / "shared" / "refdata"))
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def data_dir() -> Path:
    path = Path(os.environ["MOLXTAL_DATA"])
    if not path.is_dir():
        pytest.skip(f"reference data not found at {path} (set MOLXTAL_DATA)")
    return path


@pytest.fixture(scope="session")
def chgnet():
    """CHGNet 0.3.0 in float64, loaded once for the whole session."""
    from molxtal.models import load_model

    return load_model("chgnet", dtype="float64")


@pytest.fixture(scope="session")
def tiny_mace_path(tmp_path_factory) -> Path:
    """A small H/C/N/O MACE model with random weights, saved as a .model file (float64)."""
    from molxtal.models.mace import build_random_mace, save_mace

    network = build_random_mace(["H", "C", "N", "O"], r_max=4.0, channels=8, seed=1)
    return save_mace(network, tmp_path_factory.mktemp("models") / "tiny-mace.model")


@pytest.fixture(scope="session")
def tiny_mace(tiny_mace_path):
    from molxtal.models import load_model

    return load_model(str(tiny_mace_path), dtype="float64")
