"""Ice Ih heat capacity: Flubacher et al. 1960 (C_p) and Holzapfel & Klotz 2021 (C_V).

Both per mole of H2O in J/(mol K). Data set ``ice-ih-heat-capacity`` (see data/manifest.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from molxtal.data.store import data_file
from molxtal.units import R_J_PER_MOL_K

FLUBACHER_FILE = "ice_ih_heat_capacity/flubacher1960_cp_cal_per_mol_K.txt"
HOLZAPFEL_FILE = "ice_ih_heat_capacity/holzapfel_klotz2021_cv_over_R.txt"
#: Thermochemical calorie (J).
J_PER_CAL = 4.184


@dataclass
class HeatCapacity:
    """Temperatures (K) and heat capacity (J/(mol K) per mole of H2O) with its citation."""

    temperatures_K: np.ndarray
    heat_capacity_J_per_mol_K: np.ndarray
    quantity: str
    citation: str


def _columns(relpath: str) -> np.ndarray:
    rows = []
    for line in data_file(relpath).read_text().splitlines():
        fields = line.split()
        if len(fields) == 2 and not line.lstrip().startswith("#"):
            try:
                rows.append([float(fields[0]), float(fields[1])])
            except ValueError:  # the header line "T(K) C_V/R"
                continue
    return np.array(rows)


def flubacher_1960() -> HeatCapacity:
    """C_p of ice Ih, 2.8-27 K (two series), from cal/(mol K); J. Chem. Phys. 33, 1751."""
    data = _columns(FLUBACHER_FILE)
    order = np.argsort(data[:, 0])
    return HeatCapacity(
        data[order, 0],
        data[order, 1] * J_PER_CAL,
        "C_p",
        "Flubacher et al. (1960)",
    )


def holzapfel_klotz_2021() -> HeatCapacity:
    """C_V of ice Ih, 0-265 K (the paper's thermodynamic model), converted from C_V/R."""
    data = _columns(HOLZAPFEL_FILE)
    return HeatCapacity(data[:, 0], data[:, 1] * R_J_PER_MOL_K, "C_V", "Holzapfel & Klotz (2021)")
