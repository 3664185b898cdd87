"""Error statistics of predicted values against reference values (same units in, same out)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass
class ErrorStats:
    """MAE, RMSE, maximum absolute error and mean signed error (predicted - reference)."""

    mae: float
    rmse: float
    max_abs: float
    mean_signed: float
    n: int


def error_stats(predicted: Sequence[float], reference: Sequence[float]) -> ErrorStats:
    """Statistics of ``predicted - reference`` (arrays of equal length)."""
    errors = np.asarray(predicted, dtype=float) - np.asarray(reference, dtype=float)
    if errors.ndim != 1 or errors.size == 0:
        raise ValueError("error_stats needs two equal-length, non-empty 1-D sequences")
    return ErrorStats(
        mae=float(np.abs(errors).mean()),
        rmse=float(np.sqrt((errors**2).mean())),
        max_abs=float(np.abs(errors).max()),
        mean_signed=float(errors.mean()),
        n=int(errors.size),
    )


def rank_among(value: float, others: Sequence[float]) -> int:
    """1-based rank of ``value`` among ``others`` plus itself, smallest first (ties favour it)."""
    return 1 + int(np.sum(np.asarray(others, dtype=float) < value))
