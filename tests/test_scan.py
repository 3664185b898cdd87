"""Convergence scans on the harmonic force field, whose minimum and frequencies are known."""

import numpy as np
import pytest
from harmonic_water import R0, THETA0, harmonic_model, wilson_gf_frequencies

from molxtal.structures import water_molecule
from molxtal.workflows.scan import delta_scan, fmax_scan, plateau, recommend_delta


def test_plateau_is_the_longest_steady_run():
    # Rows: deltas; noise at small delta, anharmonic drift at large delta.
    freqs = np.array([[90.0], [103.0], [100.2], [100.1], [100.0], [100.3], [108.0]])
    assert plateau(freqs) == (2, 5)
    deltas = np.logspace(-6, 0, 7)
    (first, last), best = recommend_delta(deltas, freqs, reference=np.array([100.0]))
    assert (first, last) == (2, 5) and best == pytest.approx(deltas[4])


def test_fmax_scan_converges_to_the_known_minimum():
    scan = fmax_scan(water_molecule(1.0, 100.0), harmonic_model(), fmaxes=(1e-2, 1e-8))
    assert scan.converged.all()
    bonds = [v for k, v in scan.geometry.items() if k.endswith("_angstrom")]
    (angle,) = [v for k, v in scan.geometry.items() if k.endswith("_deg")]
    assert len(bonds) == 2
    for bond in bonds:
        assert abs(bond[0] - R0) > abs(bond[-1] - R0)
        assert bond[-1] == pytest.approx(R0, abs=1e-8)
    assert angle[-1] == pytest.approx(np.degrees(THETA0), abs=1e-6)


def test_delta_scan_plateau_reproduces_the_known_frequencies(tmp_path):
    deltas = (1e-7, 1e-4, 1e-3, 1e-2, 3e-1)
    scan = delta_scan(
        water_molecule(R0, np.degrees(THETA0)), harmonic_model(), deltas, fmaxes=(1e-8,),
        nfree=2, cache_dir=tmp_path,
    )  # fmt: skip
    assert scan.analytic_cm1 is None
    first, last = scan.plateaus[0]
    assert first <= 1 and last >= 2  # 1e-4 and 1e-3 Å lie on the plateau
    best = list(scan.delta_angstrom).index(scan.recommended_delta_angstrom[0])
    expected = np.sort(wilson_gf_frequencies())
    np.testing.assert_allclose(scan.frequencies_cm1[0, best], expected, atol=0.5)
    # Large displacements leave the harmonic regime.
    assert np.abs(scan.frequencies_cm1[0, -1] - expected).max() > 1.0
