"""Error statistics and the DMC-ICE13 published-table statistics, checked independently."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from molxtal.analysis.ice13 import (
    DMC,
    ICE_VIII_DMC_KJMOL,
    compare,
    published_stats,
    published_table,
    rank,
)
from molxtal.analysis.statistics import error_stats, rank_among
from molxtal.data import data_file
from molxtal.data.dmc_ice13 import LATTICE_ENERGY_TABLE, PHASES


def test_error_stats_by_hand():
    stats = error_stats([1.0, -2.0, 3.0], [0.0, 0.0, 0.0])
    assert stats.mae == pytest.approx(2.0)
    assert stats.rmse == pytest.approx(np.sqrt(14.0 / 3.0))
    assert stats.max_abs == pytest.approx(3.0)
    assert stats.mean_signed == pytest.approx(2.0 / 3.0)
    assert rank_among(1.0, [0.5, 2.0, 3.0]) == 2


def _read_table_with_csv(data_dir):
    with open(data_dir / LATTICE_ENERGY_TABLE) as handle:
        return {
            row["method"]: np.array([float(row[p]) for p in PHASES])
            for row in csv.DictReader(handle)
        }


@pytest.mark.parametrize("method", ["revPBE-D3", "PBE-D3"])
def test_published_mae_against_dmc_reproduced(data_dir, method):
    """MAE of two published functionals against DMC, computed here with plain numpy."""
    table = _read_table_with_csv(data_dir)
    dmc, values = table["DMC"], table[method]
    mae_abs = np.abs(values - dmc).mean()
    rel, rel_dmc = values - values[0], dmc - dmc[0]  # PHASES[0] is Ih
    mae_rel = np.abs(rel[1:] - rel_dmc[1:]).mean()
    stats = published_stats(published_table())[method]
    assert stats.absolute.mae == pytest.approx(mae_abs, abs=0.01)
    assert stats.relative.mae == pytest.approx(mae_rel, abs=0.01)
    assert len(published_stats(published_table())) == 51


def test_spearman_and_rank_limits(data_dir):
    table = published_table()
    dmc = table[DMC]
    # A model that reproduces DMC exactly: zero errors, perfect rank correlation, rank 1.
    perfect = compare(dmc, dmc)
    assert perfect.absolute.mae == 0.0 and perfect.spearman_rho == pytest.approx(1.0)
    assert rank(perfect, published_stats(table)).absolute_rank == 1
    # Reversed relative stabilities: rho = -1 (DMC relative energies have no ties).
    mirrored = {p: 2 * dmc["Ih"] - dmc[p] for p in PHASES}
    assert compare(mirrored, dmc).spearman_rho == pytest.approx(-1.0)


def test_ice_viii_dmc_choice(data_dir):
    assert published_table("table")[DMC]["VIII"] == pytest.approx(-55.22)
    assert published_table("thesis")[DMC]["VIII"] == pytest.approx(-582 * 96.485332e-3, abs=1e-3)
    assert ICE_VIII_DMC_KJMOL["thesis"] == pytest.approx(-56.15, abs=0.01)
    assert data_file(LATTICE_ENERGY_TABLE).is_file()
