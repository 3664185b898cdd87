"""Partial radial distribution functions g_AB(r) of periodic trajectories.

Pairs are counted from ASE's minimum-image distances (``ase.geometry.get_distances``: r_max is
at most half the shortest perpendicular cell width, so within r_max the minimum image is the
only one and no pair is counted twice) and normalised by the ideal-gas density of the pair:
g_AB(r) = <n_AB(r)> / (N_A ρ_B 4π r² dr), with ρ_B = (N_B - δ_AB)/V. All A-B distances of a
frame at once: ASE's neighbour list, built for cutoffs much shorter than the cell, took 0.1-0.4
s per frame and pair at r_max ≈ half the cell of a 64-water box, these take milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from ase import Atoms
from ase.geometry import get_distances

from molxtal.analysis.blocks import block_average
from molxtal.errors import MolxtalError


@dataclass
class RDF:
    """g_AB(r) on bin centres ``r`` (Å), its block-average error, and the running coordination
    number n_AB(r) = 4π ρ_B ∫_0^r g r'² dr' (neighbours of type B around one A)."""

    pair: str
    r: np.ndarray
    g: np.ndarray
    g_err: np.ndarray
    coordination: np.ndarray
    n_frames: int


@dataclass
class RDFShape:
    """First peak (position Å, height), first minimum after it (Å) and the coordination number
    at that minimum."""

    peak_r: float
    peak_g: float
    min_r: float
    coordination_number: float


def max_rdf_radius(frames: Sequence[Atoms]) -> float:
    """Half the shortest perpendicular cell width over all frames (Å)."""
    widths = [
        frame.get_volume() / np.linalg.norm(np.cross(*np.roll(frame.cell.array, -k, axis=0)[:2]))
        for frame in frames
        for k in range(3)
    ]
    return 0.5 * min(widths)


def partial_rdf(
    frames: Sequence[Atoms],
    a: str,
    b: str,
    r_max: float | None = None,
    bin_width: float = 0.02,
    n_blocks: int = 5,
    molecule_ids: np.ndarray | None = None,
) -> RDF:
    """g_ab(r) averaged over ``frames`` (periodic, same atoms in each).

    ``molecule_ids`` (one integer per atom) drops pairs within one molecule, as in the
    intermolecular partials of neutron-scattering analyses.
    """
    if not frames or not all(f.pbc.all() for f in frames):
        raise MolxtalError("an RDF needs at least one frame with a 3D periodic cell")
    limit = max_rdf_radius(frames)
    r_max = limit if r_max is None else r_max
    if r_max > limit + 1e-9:
        raise MolxtalError(f"r_max {r_max:.3f} Å exceeds half the cell width ({limit:.3f} Å)")
    symbols = np.array(frames[0].get_chemical_symbols())
    in_a, in_b = symbols == a, symbols == b
    n_a, n_b = int(in_a.sum()), int(in_b.sum())
    if n_a == 0 or n_b == 0 or (a == b and n_a < 2):
        raise MolxtalError(f"the trajectory has too few {a} or {b} atoms for g_{a}{b}")
    edges = np.arange(0.0, r_max + 1e-12, bin_width)
    r = 0.5 * (edges[1:] + edges[:-1])
    shell = 4.0 / 3.0 * np.pi * (edges[1:] ** 3 - edges[:-1] ** 3)
    index_a, index_b = np.flatnonzero(in_a), np.flatnonzero(in_b)
    counted = index_a[:, None] != index_b[None, :]  # an atom is not its own neighbour
    if molecule_ids is not None:
        counted &= molecule_ids[index_a][:, None] != molecule_ids[index_b][None, :]
    per_frame, densities = [], []
    for frame in frames:
        _, d = get_distances(
            frame.positions[index_a], frame.positions[index_b], cell=frame.cell, pbc=frame.pbc
        )
        counts, _ = np.histogram(d[counted], bins=edges)
        density = (n_b - (a == b)) / frame.get_volume()
        per_frame.append(counts / (n_a * density * shell))
        densities.append(density)
    g, g_err = block_average(np.array(per_frame), n_blocks)
    coordination = np.cumsum(g * shell) * float(np.mean(densities))
    return RDF(f"{a}{b}", r, g, g_err, coordination, len(frames))


def rdf_shape(rdf: RDF, smooth_bins: int = 5, window: float = 0.6) -> RDFShape:
    """First peak and first minimum of g, located on g smoothed by a ``smooth_bins`` running
    mean: the peak is the first local maximum above half the global one; the minimum is the
    lowest point between the peak r_p and (1 + ``window``)·r_p, which for water and ice holds
    the first minimum and stops short of the second peak (O-O: 2.8 -> 4.5 Å)."""
    kernel = np.ones(smooth_bins) / smooth_bins
    g = np.convolve(rdf.g, kernel, mode="same")
    interior = np.arange(1, len(g) - 1)
    maxima = interior[(g[interior] >= g[interior - 1]) & (g[interior] > g[interior + 1])]
    maxima = maxima[g[maxima] >= 0.5 * g.max()]
    if not len(maxima):
        raise MolxtalError(f"g_{rdf.pair}(r) has no peak")
    peak = int(maxima[0])
    after = np.flatnonzero((rdf.r > rdf.r[peak]) & (rdf.r <= (1 + window) * rdf.r[peak]))
    minimum = int(after[np.argmin(g[after])]) if len(after) else len(g) - 1
    return RDFShape(
        peak_r=float(rdf.r[peak]),
        peak_g=float(rdf.g[peak]),
        min_r=float(rdf.r[minimum]),
        coordination_number=float(rdf.coordination[minimum]),
    )


def squared_difference(rdf: RDF, r_ref: np.ndarray, g_ref: np.ndarray, r_max: float = 8.0):
    """∫ (g - g_ref)² dr (Å) from 0 to min(r_max, last bin), g_ref interpolated onto our bins."""
    mask = rdf.r <= r_max
    diff = rdf.g[mask] - np.interp(rdf.r[mask], r_ref, g_ref)
    return float(np.trapezoid(diff**2, rdf.r[mask]))
