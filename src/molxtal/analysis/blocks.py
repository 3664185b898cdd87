"""Block averaging: the mean of correlated samples with an honest standard error."""

from __future__ import annotations

import numpy as np


def block_average(samples: np.ndarray, n_blocks: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Mean over axis 0 and its standard error from ``n_blocks`` contiguous blocks.

    The error is std(block means, ddof=1)/sqrt(n_blocks); NaN with fewer than two blocks.
    Samples that do not fill a whole block at the end are left out of the error (not the mean).
    """
    samples = np.asarray(samples, dtype=float)
    mean = samples.mean(axis=0)
    n_blocks = min(n_blocks, len(samples))
    if n_blocks < 2:
        return mean, np.full_like(mean, np.nan)
    size = len(samples) // n_blocks
    blocks = samples[: size * n_blocks].reshape(n_blocks, size, *samples.shape[1:]).mean(axis=1)
    return mean, blocks.std(axis=0, ddof=1) / np.sqrt(n_blocks)
