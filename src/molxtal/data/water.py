"""Water monomer and dimer: reference values (typed, with citations) and the thesis's results.

The thesis CSVs (``water_monomer/thesis_*.csv``, ``water_dimer/thesis_*.csv``) come from
``visika/tesi-magistrale`` (see ``molxtal data``); they hold the thesis's MACE results so that a
run with the same model can be checked against them.
"""

from __future__ import annotations

import csv

from molxtal.data.store import data_file

#: Experimental equilibrium geometry (Å, degrees) and harmonic frequencies (cm⁻¹) of H2O: the
#: "Reference" rows of the thesis Tables 1-5 (its bibliography points to Partridge & Schwenke,
#: J. Chem. Phys. 106, 4618 (1997); the data files do not name the primary source).
MONOMER_REFERENCE = {
    "r_OH_angstrom": 0.95718,
    "angle_HOH_deg": 104.523,
    "frequencies_cm-1": (3832.17, 1648.47, 3942.53),  # ω1 sym. stretch, ω2 bend, ω3 asym.
}
MONOMER_CITATION = "experimental equilibrium geometry and harmonic frequencies (thesis Tables 1-5)"

#: CCSD(T) geometry of the water dimer: Klopper, van Duijneveldt-van de Rijdt and van
#: Duijneveldt, Phys. Chem. Chem. Phys. 2, 2227 (2000). Å and degrees.
DIMER_GEOMETRY_REFERENCE = {
    "r_OO_angstrom": 2.912,
    "alpha_deg": 5.5,
    "beta_deg": 124.4,
    "theta_a_deg": 104.87,
    "theta_d_deg": 104.83,
}
DIMER_GEOMETRY_CITATION = "Klopper et al., Phys. Chem. Chem. Phys. 2, 2227 (2000)"

#: CCSD(T)/CBS harmonic frequencies of the water dimer (cm⁻¹, ascending): Kalescky, Zou,
#: Kraka and Cremer, Chem. Phys. Lett. 554, 243 (2012); their ZPE as quoted by the thesis (eV).
DIMER_FREQUENCIES_REFERENCE = (
    129.2, 149.6, 156.1, 188.3, 349.8, 610.6, 1663.0, 1678.2, 3754.3, 3840.2, 3926.8, 3948.7,
)  # fmt: skip
DIMER_ZPE_REFERENCE_EV = 1.264
DIMER_FREQUENCIES_CITATION = "Kalescky et al., Chem. Phys. Lett. 554, 243 (2012)"

#: Experimental dimer O–O distance (Å) and binding energy (eV): Curtiss, Frurip and Blander,
#: J. Chem. Phys. 71, 2703 (1979).
BINDING_REFERENCE = {"r_OO_angstrom": 2.98, "binding_energy_eV": -0.24}
BINDING_CITATION = "Curtiss et al., J. Chem. Phys. 71, 2703 (1979)"

#: molxtal model name -> the label the thesis CSVs use.
THESIS_MODEL_LABELS = {
    "mace-mp-0-small": "small",
    "mace-mp-0-medium": "medium",
    "mace-mp-0-large": "large",
    "mace-ice13-1": "MACE-ICE13-1",
}
#: Column order of the header-less ``thesis_geometria.csv``.
DIMER_GEOMETRY_COLUMNS = ("alpha_deg", "theta_a_deg", "theta_d_deg", "r_OO_angstrom", "beta_deg")


def thesis_label(model_name: str) -> str | None:
    """The thesis's label for a molxtal model name (None if the thesis did not use it)."""
    return THESIS_MODEL_LABELS.get(model_name.lower())


#: Names the thesis CSVs use for their reference row, mapped to "Reference".
REFERENCE_ALIASES = {"Expt.": "Reference", "Kalescky": "Reference"}


def _rows(relpath: str, header: bool = True) -> list:
    with open(data_file(relpath), newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle) if header else csv.reader(handle))


def thesis_monomer(label: str) -> dict[str, object] | None:
    """The thesis's monomer results for model ``label`` (Å, degrees, cm⁻¹ as ω1 ω2 ω3, eV)."""
    bonds = {
        r["model"]: float(r["bond_length"]) for r in _rows("water_monomer/thesis_bond_lengths.csv")
    }
    angles = {r["model"]: float(r["angle"]) for r in _rows("water_monomer/thesis_angles.csv")}
    omega = {
        r["Model"]: tuple(float(r[k]) for k in ("ω1", "ω2", "ω3"))
        for r in _rows("water_monomer/thesis_omega.csv")
    }
    zpe = {
        REFERENCE_ALIASES.get(r["model"], r["model"]): float(r["zpe"])
        for r in _rows("water_monomer/thesis_zero_point_energies.csv")
    }
    if label not in bonds:
        return None
    return {
        "r_OH_angstrom": bonds[label],
        "angle_HOH_deg": angles[label],
        "frequencies_cm-1": omega[label],
        "zpe_eV": zpe[label],
    }


def thesis_dimer(label: str) -> dict[str, object] | None:
    """The thesis's dimer results for model ``label``: geometry (Å, degrees), the 12
    frequencies (cm⁻¹, ascending) and the ZPE (eV)."""
    geometry = {
        row[0]: dict(zip(DIMER_GEOMETRY_COLUMNS, map(float, row[1:]), strict=True))
        for row in _rows("water_dimer/thesis_geometria.csv", header=False)
        if row
    }
    if label not in geometry:
        return None
    frequencies = [
        float(r[label]) for r in _rows("water_dimer/thesis_harmonic_frequencies_comparison.csv")
    ]
    zpe = {
        REFERENCE_ALIASES.get(r["Model"], r["Model"].replace("MACE-MP-0 ", "")): float(r["ZPE"])
        for r in _rows("water_dimer/thesis_zpe.csv")
    }
    return {**geometry[label], "frequencies_cm-1": tuple(frequencies), "zpe_eV": zpe[label]}
