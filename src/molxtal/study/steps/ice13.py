"""Study step: DMC-ICE13 lattice energies."""

from __future__ import annotations

from pathlib import Path

from molxtal.data import dmc_ice13
from molxtal.models import Model
from molxtal.study.steps import Step, Table, Values, register, save_figure

# --------------------------------------------------------------------------- DMC-ICE13


def _ice13(model: Model, p: dict, folder: Path) -> Values:
    from molxtal.analysis.ice13 import DMC, compare, published_stats, published_table, rank
    from molxtal.plotting.lattice import parity_figure, relative_energies_figure
    from molxtal.workflows.ice13 import ice13_energies

    energies = ice13_energies(model).kJmol
    table = published_table(p["ice_viii"])
    stats = compare(energies, table[DMC])
    ranking = rank(stats, published_stats(table))
    figures = [
        save_figure(
            folder, "relative.png", relative_energies_figure, {model.name: energies}, table, [DMC]
        ),  # fmt: skip
        save_figure(folder, "parity.png", parity_figure, {model.name: energies}, table[DMC], DMC),
    ]
    return {
        "lattice_energy_kJmol": energies,
        "dmc_kJmol": table[DMC],
        "absolute_mae_kJmol": stats.absolute.mae,
        "relative_mae_kJmol": stats.relative.mae,
        "spearman_rho": stats.spearman_rho,
        "absolute_rank": ranking.absolute_rank,
        "relative_rank": ranking.relative_rank,
        "out_of": ranking.out_of,
        "figures": figures,
    }


def _ice13_table(values: dict[str, Values], p: dict) -> Table:
    first = next(iter(values.values()))
    dmc = first["dmc_kJmol"]
    rows = []
    for phase in dmc_ice13.PHASES:
        row = [f"E_latt {phase} (kJ/mol)", f"{dmc[phase]:.2f}"]
        for v in values.values():
            e = v["lattice_energy_kJmol"][phase]
            row.append(f"{e:.2f} ({e - dmc[phase]:+.2f})")
        rows.append(row)
    for label, key, digits in (
        ("MAE absolute (kJ/mol)", "absolute_mae_kJmol", 2),
        ("MAE relative to Ih (kJ/mol)", "relative_mae_kJmol", 2),
        ("Spearman ρ of relative stabilities", "spearman_rho", 3),
    ):
        rows.append([label, "-", *(f"{v[key]:.{digits}f}" for v in values.values())])
    rows.append(
        [
            "rank of MAE among DFT/HF (absolute, relative)",
            "-",
            *(
                f"{v['absolute_rank']}, {v['relative_rank']} of {v['out_of']}"
                for v in values.values()
            ),
        ]
    )
    return ["quantity", "DMC", *values], rows


register(
    Step(
        "dmc-ice13",
        "DMC-ICE13 lattice energies",
        "Lattice energies of the 13 fixed ice cells against DMC, relative stabilities, and the "
        f"rank of the model's MAE among the 51 published DFT/HF methods ({dmc_ice13.CITATION}).",
        lambda p: [*dmc_ice13.polymorphs().values(), dmc_ice13.gas_molecule()],
        _ice13,
        _ice13_table,
    )
)
