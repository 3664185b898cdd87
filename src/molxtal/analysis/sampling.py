"""End of thermalisation in a time series, and frame selection (random, farthest point)."""

from __future__ import annotations

import numpy as np
from ase import Atoms
from ase.neighborlist import neighbor_list


def statistical_inefficiency(series: np.ndarray) -> float:
    """g = 1 + 2 sum_t (1 - t/N) C(t), summed until the autocorrelation C first drops below 0."""
    x = np.asarray(series, dtype=float) - np.mean(series)
    n = len(x)
    variance = np.dot(x, x) / n
    if n < 3 or variance == 0:
        return 1.0
    g = 1.0
    for t in range(1, n - 1):
        c = np.dot(x[:-t], x[t:]) / ((n - t) * variance)
        if c <= 0:
            break
        g += 2.0 * c * (1.0 - t / n)
    return max(g, 1.0)


def thermalisation_end(series: np.ndarray, n_candidates: int = 50) -> int:
    """Index where the series becomes stationary: the start t0 that maximises the number of
    uncorrelated samples (N - t0) / g(t0) of the rest (Chodera, JCTC 12, 1799 (2016))."""
    series = np.asarray(series, dtype=float)
    starts = np.unique(np.linspace(0, len(series) // 2, n_candidates).astype(int))
    n_eff = [(len(series) - t0) / statistical_inefficiency(series[t0:]) for t0 in starts]
    return int(starts[int(np.argmax(n_eff))])


def rdf_descriptor(atoms: Atoms, r_max: float = 6.0, bins: int = 30) -> np.ndarray:
    """Histogram of interatomic distances (per atom, 0 to ``r_max`` Å): a structural fingerprint
    invariant to translations, rotations and atom order."""
    distances = neighbor_list("d", atoms, r_max)
    histogram, _ = np.histogram(distances, bins=bins, range=(0.0, r_max))
    return histogram / len(atoms)


def farthest_point_indices(descriptors: np.ndarray, n: int, seed: int = 0) -> list[int]:
    """Greedy farthest-point sampling of ``n`` rows, starting from a seeded random row."""
    descriptors = np.asarray(descriptors, dtype=float)
    chosen = [int(np.random.default_rng(seed).integers(len(descriptors)))]
    distance = np.linalg.norm(descriptors - descriptors[chosen[0]], axis=1)
    while len(chosen) < min(n, len(descriptors)):
        chosen.append(int(np.argmax(distance)))
        distance = np.minimum(
            distance, np.linalg.norm(descriptors - descriptors[chosen[-1]], axis=1)
        )
    return sorted(chosen)


def random_indices(n_total: int, n: int, seed: int = 0) -> list[int]:
    """``n`` distinct indices out of ``n_total``, seeded."""
    return sorted(
        np.random.default_rng(seed).choice(n_total, min(n, n_total), replace=False).tolist()
    )
