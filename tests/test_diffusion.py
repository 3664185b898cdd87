"""Diffusion: a synthetic random walk with known D, unwrapping, MSD against direct sums."""

from __future__ import annotations

import numpy as np
import pytest
from ase import Atoms

from molxtal.analysis.diffusion import (
    msd,
    self_diffusion,
    unwrapped_positions,
    yeh_hummer_correction,
)


def random_walk_frames(d_a2_ps, dt_ps, n_frames, n_atoms, box, seed=0):
    rng = np.random.default_rng(seed)
    steps = rng.normal(0, np.sqrt(2 * d_a2_ps * dt_ps), (n_frames, n_atoms, 3))
    steps[0] = rng.uniform(0, box, (n_atoms, 3))
    positions = np.cumsum(steps, axis=0)
    frames = [Atoms(f"O{n_atoms}", positions=p, cell=[box] * 3, pbc=True) for p in positions]
    for frame in frames:
        frame.wrap()
    return frames, positions


def test_random_walk_diffusion_coefficient_is_recovered():
    d_a2_ps = 0.23  # 2.3e-5 cm²/s, liquid water
    frames, _ = random_walk_frames(d_a2_ps, 0.01, 1000, 200, box=10.0)
    result = self_diffusion(frames, 0.01)
    assert result.d_cm2_s == pytest.approx(d_a2_ps * 1e-4, rel=0.05)
    assert 0 < result.d_err_cm2_s < 0.1 * result.d_cm2_s
    assert abs(result.d_cm2_s - d_a2_ps * 1e-4) < 4 * result.d_err_cm2_s


def test_unwrapping_recovers_continuous_paths():
    frames, positions = random_walk_frames(0.5, 0.01, 200, 20, box=6.0, seed=1)
    unwrapped = unwrapped_positions(frames, np.arange(20))
    np.testing.assert_allclose(unwrapped - unwrapped[0], positions - positions[0], atol=1e-9)


def test_fft_msd_equals_direct_average_over_origins():
    rng = np.random.default_rng(2)
    positions = np.cumsum(rng.normal(size=(50, 7, 3)), axis=0)
    direct = [
        np.mean(np.sum((positions[lag:] - positions[: len(positions) - lag]) ** 2, axis=2))
        for lag in range(50)
    ]
    np.testing.assert_allclose(msd(positions), direct, rtol=1e-10, atol=1e-10)


def test_yeh_hummer_correction_magnitude():
    # Water at 298 K, η = 0.89 mPa s, L = 12.4 Å (64 molecules): about 1.0e-5 cm²/s.
    correction = yeh_hummer_correction(298.0, 0.89, 12.4)
    expected = 2.837297 * 1.380649e-23 * 298 / (6 * np.pi * 0.89e-3 * 12.4e-10) * 1e4
    assert correction == pytest.approx(expected, rel=1e-4)


def test_ballistic_trajectory_gives_no_value_and_names_the_regime():
    from molxtal.errors import MolxtalError

    rng = np.random.default_rng(3)
    start, velocity = rng.uniform(0, 10, (50, 3)), rng.normal(0, 5, (50, 3))  # Å, Å/ps
    frames = [
        Atoms("O50", positions=start + velocity * 0.01 * k, cell=[10.0] * 3, pbc=True)
        for k in range(200)
    ]
    for frame in frames:
        frame.wrap()
    with pytest.raises(MolxtalError, match="ballistic"):
        self_diffusion(frames, 0.01)


def test_random_walk_passes_the_regime_check():
    frames, _ = random_walk_frames(0.23, 0.01, 600, 100, box=10.0, seed=5)
    result = self_diffusion(frames, 0.01, viscosity_mpa_s=0.89, temperature_K=298.0)
    assert abs(result.loglog_slope - 1) < 0.1
    assert abs(result.d_cm2_s - 0.23e-4) < 3 * result.d_err_cm2_s
    box = 10.0
    assert result.d_corrected_cm2_s - result.d_cm2_s == pytest.approx(
        yeh_hummer_correction(298.0, 0.89, box)
    )


def test_the_ballistic_to_caged_crossover_is_not_called_diffusive():
    """A particle in a harmonic cage (MSD = A (1 - exp(-(t/τ)²)): slope 2, then 0) whose
    log–log slope averages 1 over the fit window: the halves (≈1.6 and ≈0.4) give it away."""
    from molxtal.analysis.diffusion import loglog_slope, require_diffusive
    from molxtal.errors import MolxtalError

    lag = np.linspace(0.0, 1.0, 401)
    window = (0.1, 0.5)

    def cage(tau):
        return 1.0 - np.exp(-((lag / tau) ** 2))

    low, high = 0.05, 5.0  # the window-averaged slope falls from 2 to 0 as τ shrinks
    for _ in range(60):
        tau = np.sqrt(low * high)
        low, high = (low, tau) if loglog_slope(lag, cage(tau), window) > 1 else (tau, high)
    assert loglog_slope(lag, cage(tau), window) == pytest.approx(1.0, abs=0.01)
    with pytest.raises(MolxtalError, match="crossing from the ballistic towards the caged"):
        require_diffusive(lag, cage(tau), window)
    # Einstein diffusion (MSD = 6 D t) passes, with slope 1 in both halves
    assert require_diffusive(lag, 6 * 0.23 * lag, window) == pytest.approx(1.0)
