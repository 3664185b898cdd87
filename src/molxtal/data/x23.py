"""X23 molecular crystals with DMC lattice energies, vibrational contributions and experimental
sublimation enthalpies.

Della Pia, Zen, Alfè and Michaelides, Phys. Rev. Lett. 133, 046401 (2024); data from their
repository ``water-ice-group/MolCrys-DMC`` (read at run time, never copied into molxtal).
Energies in kJ/mol per molecule, temperatures in K.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

import numpy as np
from ase import Atoms

from molxtal.data.store import data_file, search_dirs
from molxtal.errors import MolxtalError
from molxtal.structures.io import read_structure
from molxtal.structures.molecules import read_molecule

CITATION = "Della Pia, Zen, Alfè and Michaelides, Phys. Rev. Lett. 133, 046401 (2024)"
#: The 23 systems in the paper's order, spelled as the repository's folders.
SYSTEMS = (
    "01CYHEXO", "02acetic_acid", "03adamantane", "04ammonia", "05anthracene", "06benzene",
    "07co2", "08cyanamide", "09cytosine", "10ethylcarbamate", "11formamide", "12imidazole",
    "13naphtalene", "14oxalic_acid_alpha", "15oxalic_acid_beta", "16pyrazine", "17pyrazole",
    "18triazine", "19trioxane", "20uracil", "21urea", "22Hexamine", "23Succinic_acid",
)  # fmt: skip
NAMES = dict(
    zip(
        SYSTEMS,
        (
            "1,4-cyclohexanedione",
            "acetic acid",
            "adamantane",
            "ammonia",
            "anthracene",
            "benzene",
            "CO2",
            "cyanamide",
            "cytosine",
            "ethyl carbamate",
            "formamide",
            "imidazole",
            "naphthalene",
            "oxalic acid α",
            "oxalic acid β",
            "pyrazine",
            "pyrazole",
            "triazine",
            "trioxane",
            "uracil",
            "urea",
            "hexamine",
            "succinic acid",
        ),  # fmt: skip
        strict=True,
    )
)
#: Temperature (K) of the experimental sublimation enthalpies: 298.15 K, except where the
#: extrapolated values equal, unchanged, a literature value measured at another temperature
#: (benzene 279 K, CO2 207 K, formamide 276 K; read off experiment_literature/).
REFERENCE_TEMPERATURES_K = {"06benzene": 279.0, "07co2": 207.0, "11formamide": 276.0}
DEFAULT_TEMPERATURE_K = 298.15

#: The published DMC file (two columns: E_latt, statistical error), fetched by ``molxtal data
#: fetch x23``; a shared data folder may hold the curated CSV instead (same numbers).
DMC_FILE = "x23/diffusion_monte_carlo_DMC"
DMC_CSV = "x23/dmc_lattice_energies_kJmol.csv"
VIB_DHB = "x23/vibrational/vib_DHB"
DHB_UNCERTAINTY = "x23/vibrational/DHB_uncertainty"


def select(spec: str | None) -> list[str]:
    """Systems named in a comma-separated ``spec`` (folder name, its number, or the name without
    the number, any case; e.g. ``07co2,benzene,21``); all 23 when ``spec`` is empty."""
    if not spec:
        return list(SYSTEMS)
    chosen = []
    for token in (t.strip().lower() for t in spec.split(",") if t.strip()):
        match = [
            s
            for s in SYSTEMS
            if token in (s.lower(), s[2:].lower(), s[:2]) or token.zfill(2) == s[:2]
        ]
        if not match:
            raise MolxtalError(f"unknown X23 system '{token}'; choose from {', '.join(SYSTEMS)}")
        chosen += [m for m in match if m not in chosen]
    return chosen


def temperature(system: str) -> float:
    """Temperature (K) of the experimental sublimation enthalpies of ``system``."""
    return REFERENCE_TEMPERATURES_K.get(system, DEFAULT_TEMPERATURE_K)


def crystal(system: str) -> Atoms:
    """The crystal of ``system`` as used by DMC."""
    atoms = read_structure(data_file(f"x23/solid/{system}/POSCAR"), format="vasp")
    atoms.info["name"] = system
    return atoms


def molecule(system: str) -> Atoms:
    """The gas molecule of ``system`` as used by DMC, isolated (pbc False)."""
    return read_molecule(data_file(f"x23/molecule/{system}/POSCAR"))


@dataclass(frozen=True)
class Reference:
    """Published numbers of one system (kJ/mol per molecule).

    ``vibrational_kJ_per_mol``: the paper's Δ_T&QN, −(column 1 + column 3) of ``vib_DHB`` (the
    paper's script computes ΔH_sub = −E_latt − col1 − col3), with ``DHB_uncertainty`` col. 2.
    """

    dmc_kJ_per_mol: float
    dmc_error_kJ_per_mol: float
    vibrational_kJ_per_mol: float
    vibrational_uncertainty_kJ_per_mol: float
    experiment_kJ_per_mol: tuple[float, ...]


def _dmc_table() -> np.ndarray:
    """(23, 2): DMC E_latt and its error, from the published file or the curated CSV."""
    curated = next((d / DMC_CSV for d in search_dirs() if (d / DMC_CSV).is_file()), None)
    if curated is None:
        return np.loadtxt(data_file(DMC_FILE), ndmin=2)
    with open(curated) as handle:
        rows = {r["system"]: r for r in csv.DictReader(handle)}
    return np.array([[float(rows[s]["E_latt_DMC_kJmol"]), float(rows[s]["E_latt_DMC_err_kJmol"])]
                     for s in SYSTEMS])  # fmt: skip


def references() -> dict[str, Reference]:
    """The published DMC, vibrational and experimental numbers of every system."""
    dmc = _dmc_table()
    vib = np.loadtxt(data_file(VIB_DHB), ndmin=2)
    uncertainty = np.loadtxt(data_file(DHB_UNCERTAINTY), ndmin=2)
    if not len(dmc) == len(vib) == len(uncertainty) == len(SYSTEMS):
        raise MolxtalError("X23 reference files do not have 23 rows each")
    result = {}
    for k, system in enumerate(SYSTEMS):
        path = data_file(f"x23/experiment_extrapolated/expdata_{k + 1}_with_corrections.txt")
        experiment = tuple(float(v) for v in np.loadtxt(path, ndmin=1))
        result[system] = Reference(
            float(dmc[k, 0]), float(dmc[k, 1]), -float(vib[k, 0] + vib[k, 2]),
            float(uncertainty[k, 1]), experiment,
        )  # fmt: skip
    return result
