"""Mean-squared displacement and self-diffusion coefficients (Einstein relation).

Positions are unwrapped frame to frame with the minimum-image displacement (in fractional
coordinates, so NPT cells work), which is right as long as no atom moves more than half a
cell width between frames. Trajectories that are already unwrapped are unchanged by this.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from ase import Atoms, units

from molxtal.errors import MolxtalError

#: Yeh & Hummer, J. Phys. Chem. B 108, 15873 (2004): the cubic-lattice constant ξ.
YEH_HUMMER_XI = 2.837297
#: Å²/ps -> cm²/s.
CM2_S_PER_A2_PS = 1e-4
#: The MSD is diffusive over the fit window when its log–log slope is within this of 1.
DIFFUSIVE_SLOPE_TOLERANCE = 0.1


@dataclass
class Diffusion:
    """MSD (Å²) against lag time (ps) and D (cm²/s) from its slope, with a block error.

    ``fit_range_ps`` is the lag-time window of the linear fit MSD = 6 D t + c, over which the
    log–log slope d ln MSD / d ln t is ``loglog_slope`` (1 when diffusive, 2 when ballistic).
    ``d_corrected_cm2_s`` adds the Yeh–Hummer finite-size term when a viscosity was given.
    """

    lag_ps: np.ndarray
    msd_angstrom2: np.ndarray
    d_cm2_s: float
    d_err_cm2_s: float
    fit_range_ps: tuple[float, float]
    d_corrected_cm2_s: float | None = None
    loglog_slope: float | None = None


def unwrapped_positions(frames: Sequence[Atoms], indices: np.ndarray) -> np.ndarray:
    """Continuous Cartesian trajectories (frames, atoms, 3) in Å of the atoms ``indices``."""
    out = np.empty((len(frames), len(indices), 3))
    out[0] = frames[0].positions[indices]
    previous = frames[0].get_scaled_positions(wrap=False)[indices]
    for t, frame in enumerate(frames[1:], start=1):
        scaled = frame.get_scaled_positions(wrap=False)[indices]
        step = scaled - previous
        step -= np.round(step) * frame.pbc
        out[t] = out[t - 1] + step @ frame.cell.array
        previous = scaled
    return out


def msd(positions: np.ndarray) -> np.ndarray:
    """MSD(lag) in Å² averaged over atoms and all time origins (FFT algorithm, O(T log T)).

    ``positions``: (frames, atoms, 3). Calandrini et al., Collection SFN 12, 201 (2011).
    """
    n = len(positions)
    squares = (positions**2).sum(axis=2)  # (T, N)
    padded = np.concatenate([squares, np.zeros((1, squares.shape[1]))])
    total = 2 * squares.sum(axis=0)
    s1 = np.empty((n, squares.shape[1]))
    for m in range(n):
        total = total - padded[m - 1] - padded[n - m]
        s1[m] = total / (n - m)
    spectrum = np.fft.rfft(positions, n=2 * n, axis=0)
    autocorr = np.fft.irfft(spectrum * spectrum.conj(), axis=0)[:n].sum(axis=2)
    s2 = autocorr / (n - np.arange(n))[:, None]
    return (s1 - 2 * s2).mean(axis=1)


def fit_diffusion(lag_ps: np.ndarray, msd_a2: np.ndarray, fit_range_ps: tuple[float, float]):
    """D (cm²/s) from the slope of MSD = 6 D t + c over ``fit_range_ps``."""
    mask = (lag_ps >= fit_range_ps[0]) & (lag_ps <= fit_range_ps[1])
    if mask.sum() < 2:
        raise MolxtalError(
            f"too few frames between {fit_range_ps[0]:.3g} and {fit_range_ps[1]:.3g} ps to fit "
            "the MSD; run longer or write frames more often"
        )
    slope = np.polyfit(lag_ps[mask], msd_a2[mask], 1)[0]
    return slope / 6 * CM2_S_PER_A2_PS


def loglog_slope(lag_ps: np.ndarray, msd_a2: np.ndarray, fit_range_ps) -> float:
    """Slope of ln MSD against ln t over ``fit_range_ps`` (NaN where the MSD is not positive)."""
    mask = (lag_ps >= fit_range_ps[0]) & (lag_ps <= fit_range_ps[1]) & (lag_ps > 0)
    if mask.sum() < 2 or not (msd_a2[mask] > 0).all():
        return float("nan")
    return float(np.polyfit(np.log(lag_ps[mask]), np.log(msd_a2[mask]), 1)[0])


def require_diffusive(lag_ps: np.ndarray, msd_a2: np.ndarray, fit_range_ps) -> float:
    """The MSD's log–log slope over ``fit_range_ps``; raise :class:`MolxtalError`, naming the
    regime, unless it is within :data:`DIFFUSIVE_SLOPE_TOLERANCE` of 1 over the whole window
    *and* over each half of it (split at the geometric mean): in the crossover from the
    ballistic (slope 2) to the caged regime (slope < 1) a short run's slope passes through 1,
    so the average alone would call a 0.1 ps run of liquid water diffusive."""
    start, stop = fit_range_ps
    middle = float(np.sqrt(max(start, 1e-300) * stop))
    slope = loglog_slope(lag_ps, msd_a2, fit_range_ps)
    early = loglog_slope(lag_ps, msd_a2, (start, middle))
    late = loglog_slope(lag_ps, msd_a2, (middle, stop))
    slopes = np.array([slope, early, late])
    if np.isfinite(slopes).all() and (np.abs(slopes - 1) <= DIFFUSIVE_SLOPE_TOLERANCE).all():
        return slope
    window = f"{start:.3g}-{stop:.3g} ps"
    if not np.isfinite(slope):
        regime = "the atoms do not move"
    elif abs(slope - 1) <= DIFFUSIVE_SLOPE_TOLERANCE:
        regime = (
            f"slope {early:.2f} in the first half and {late:.2f} in the second: crossing "
            "from the ballistic towards the caged regime, not diffusive: run longer"
        )
    elif slope >= 1.5:
        regime = "ballistic regime (MSD ∝ t²): the run is far too short"
    elif slope > 1:
        regime = "between the ballistic and the diffusive regime: run longer"
    else:
        regime = "sub-diffusive (caged) regime: run longer"
    raise MolxtalError(
        f"the MSD is not diffusive over the fit window {window}: log-log slope {slope:.2f}, "
        f"not within {DIFFUSIVE_SLOPE_TOLERANCE} of 1 over the window and each half ({regime})"
    )


def yeh_hummer_correction(
    temperature_K: float, viscosity_mpa_s: float, box_length_angstrom: float
) -> float:
    """Finite-size correction ξ k_B T / (6 π η L) in cm²/s for a cubic box."""
    kt_joule = units.kB * temperature_K * units._e
    return (
        YEH_HUMMER_XI
        * kt_joule
        / (6 * np.pi * viscosity_mpa_s * 1e-3 * box_length_angstrom * 1e-10)
        * 1e4
    )


def self_diffusion(
    frames: Sequence[Atoms],
    frame_interval_ps: float,
    species: str = "O",
    fit_fraction: tuple[float, float] = (0.1, 0.5),
    n_blocks: int = 5,
    temperature_K: float | None = None,
    viscosity_mpa_s: float | None = None,
) -> Diffusion:
    """Self-diffusion coefficient of ``species`` from the MSD of unwrapped positions.

    The fit uses lags between ``fit_fraction`` of the trajectory length (the linear regime:
    past the ballistic start, before the statistics thin out). The error is the standard
    error of D over ``n_blocks`` independent segments of the trajectory. With
    ``viscosity_mpa_s`` and ``temperature_K`` the Yeh–Hummer correction is added.
    """
    indices = np.flatnonzero(np.array(frames[0].get_chemical_symbols()) == species)
    if not len(indices):
        raise MolxtalError(f"the trajectory has no {species} atoms")
    if len(frames) < 4:
        raise MolxtalError("the MSD needs at least 4 frames")
    positions = unwrapped_positions(frames, indices)
    lag = np.arange(len(frames)) * frame_interval_ps
    fit_range = (fit_fraction[0] * lag[-1], fit_fraction[1] * lag[-1])
    curve = msd(positions)
    slope = require_diffusive(lag, curve, fit_range)
    d = fit_diffusion(lag, curve, fit_range)
    size = len(frames) // n_blocks
    blocks = []
    if n_blocks >= 2 and size >= 4:
        block_lag = lag[:size]
        block_range = (fit_fraction[0] * block_lag[-1], fit_fraction[1] * block_lag[-1])
        blocks = [
            fit_diffusion(block_lag, msd(positions[k * size : (k + 1) * size]), block_range)
            for k in range(n_blocks)
        ]
    d_err = float(np.std(blocks, ddof=1) / np.sqrt(len(blocks))) if blocks else float("nan")
    corrected = None
    if viscosity_mpa_s is not None:
        if temperature_K is None:
            raise MolxtalError("the Yeh-Hummer correction needs the temperature")
        length = np.mean([f.get_volume() for f in frames]) ** (1 / 3)
        corrected = d + yeh_hummer_correction(temperature_K, viscosity_mpa_s, length)
    return Diffusion(lag, curve, float(d), d_err, fit_range, corrected, slope)
