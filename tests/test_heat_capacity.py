"""The ice Ih heat-capacity readers against the converted CSV files of the data directory."""

import csv
import os

import numpy as np
import pytest

from molxtal.data import heat_capacity

pytestmark = pytest.mark.skipif(not os.environ.get("MOLXTAL_DATA"), reason="needs MOLXTAL_DATA")


def _csv(name, column):
    folder = os.path.join(os.environ["MOLXTAL_DATA"], "ice_ih_heat_capacity")
    with open(os.path.join(folder, name)) as handle:
        rows = list(csv.DictReader(handle))
    return np.array([float(r["T_K"]) for r in rows]), np.array([float(r[column]) for r in rows])


def test_flubacher_matches_converted_csv():
    data = heat_capacity.flubacher_1960()
    t, cp = _csv("flubacher1960_cp.csv", "Cp_J_per_mol_K")
    order = np.argsort(t)
    assert len(data.temperatures_K) == 21
    np.testing.assert_allclose(data.temperatures_K, t[order])
    np.testing.assert_allclose(data.heat_capacity_J_per_mol_K, cp[order], rtol=1e-5)


def test_holzapfel_klotz_matches_converted_csv_and_is_physical():
    data = heat_capacity.holzapfel_klotz_2021()
    t, cv = _csv("holzapfel_klotz2021_cv.csv", "Cv_J_per_mol_K")
    np.testing.assert_allclose(data.temperatures_K, t)
    np.testing.assert_allclose(data.heat_capacity_J_per_mol_K, cv, rtol=1e-5, atol=1e-9)
    # C_V rises with T and stays below the classical limit of 3 atoms, 9R
    assert np.all(np.diff(data.heat_capacity_J_per_mol_K) > 0)
    assert data.heat_capacity_J_per_mol_K.max() < 9 * 8.314
