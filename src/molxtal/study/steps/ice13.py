"""Study step: DMC-ICE13 lattice energies, as ``molxtal ice13`` computes and writes them."""

from __future__ import annotations

from pathlib import Path

from molxtal.data import dmc_ice13
from molxtal.models import Model
from molxtal.study.steps import Step, Table, Values, register, write_result


def _ice13(model: Model, p: dict, folder: Path) -> Values:
    from molxtal.workflows.ice13 import ice13

    return write_result(ice13([model], ice_viii_dmc=p["ice_viii"]), folder)


def _ice13_table(values: dict[str, Values], p: dict) -> Table:
    first = next(iter(values.values()))
    reference = first["reference_lattice_energy_kJ_per_mol"]
    # One model per stored result: its name is the one key of ``models``.
    names = {name: next(iter(v["models"])) for name, v in values.items()}
    runs = {name: v["models"][names[name]]["polymorphs"] for name, v in values.items()}
    stats = {name: v["stats"][names[name]] for name, v in values.items()}
    rows = []
    for phase in dmc_ice13.PHASES:
        row = [f"E_latt {phase} (kJ/mol)", f"{reference[phase]:.2f}"]
        for polymorphs in runs.values():
            e = polymorphs[phase]
            row.append(f"{e['lattice_energy_kJ_per_mol']:.2f} ({e['error_kJ_per_mol']:+.2f})")
        rows.append(row)
    for label, key, digits in (
        ("MAE absolute (kJ/mol)", "absolute_mae_kJ_per_mol", 2),
        ("MAE relative to Ih (kJ/mol)", "relative_mae_kJ_per_mol", 2),
        ("Spearman ρ of relative stabilities", "spearman_rho_relative", 3),
    ):
        rows.append([label, "-", *(f"{s['vs_dmc'][key]:.{digits}f}" for s in stats.values())])
    rows.append(
        [
            "rank of MAE among DFT/HF (absolute, relative)",
            "-",
            *(
                f"{r['absolute_mae']}, {r['relative_mae']} of {r['out_of']}"
                for r in (s["rank_vs_dmc"] for s in stats.values())
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
