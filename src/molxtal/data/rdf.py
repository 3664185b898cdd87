"""Soper 2013 partial RDFs of ambient liquid water (EPSR fit to neutron and X-ray data).

A. K. Soper, ISRN Physical Chemistry 2013, 279463 (2013), doi:10.1155/2013/279463.
The partials are intermolecular (no intramolecular O-H or H-H peak).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from molxtal.data.store import data_file

SOPER_2013 = "liquid_water_rdf/soper2013_dist_funcs_simpack.dat"
CITATION = "A. K. Soper, ISRN Phys. Chem. 2013, 279463 (2013)"


@dataclass
class ReferenceRDF:
    """g(r) (dimensionless) and its error on ``r`` (Å), keyed by pair ("OO", "OH", "HH")."""

    r: np.ndarray
    g: dict[str, np.ndarray]
    g_err: dict[str, np.ndarray]
    citation: str = CITATION


def soper2013() -> ReferenceRDF:
    """The Soper 2013 partials g_OO, g_OH, g_HH with their errors."""
    table = np.loadtxt(data_file(SOPER_2013), comments="#")
    pairs = ("OO", "OH", "HH")
    return ReferenceRDF(
        r=table[:, 0],
        g={p: table[:, 1 + 2 * k] for k, p in enumerate(pairs)},
        g_err={p: table[:, 2 + 2 * k] for k, p in enumerate(pairs)},
    )
