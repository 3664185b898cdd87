"""``molxtal ice13``: the DMC-ICE13 lattice-energy benchmark for one or more models."""

from __future__ import annotations

from typing import Annotated

import typer

from molxtal.analysis.ice13 import (
    DMC,
    ICE_VIII_DMC_KJMOL,
    ICE_VIII_DMC_SOURCES,
    compare,
    published_stats,
    published_table,
    rank,
    relative_to_ih,
)
from molxtal.cli.console import console, handle_errors, print_table
from molxtal.cli.options import (
    DataDirOpt,
    OutOpt,
    with_models,
)
from molxtal.cli.run import result_dir
from molxtal.data import dmc_ice13
from molxtal.data.store import use_data_dir
from molxtal.errors import MolxtalError
from molxtal.models import Model
from molxtal.plotting import lattice as plots
from molxtal.units import MEV_PER_EV
from molxtal.workflows.ice13 import ice13_energies

DEFAULT_METHODS = ["revPBE-D3", "PBE-D3"]


def _stats_dict(stats) -> dict:
    return {
        "reference": stats.reference,
        "absolute_kJmol": vars(stats.absolute),
        "relative_kJmol": vars(stats.relative),
        "spearman_rho_relative": stats.spearman_rho,
        "spearman_p_relative": stats.spearman_p,
    }


@handle_errors
@with_models
def ice13_command(
    reference: Annotated[
        str, typer.Option(help="Reference for the errors: DMC or any method of the table.")
    ] = DMC,
    method: Annotated[
        list[str] | None,
        typer.Option("--method", help="DFT method(s) drawn in the figures. Repeatable."),
    ] = None,
    ice_viii_dmc: Annotated[
        str, typer.Option(help="DMC value of ice VIII: table (-55.22 kJ/mol) or thesis (-582 meV).")
    ] = "table",
    data_dir: DataDirOpt = None,
    out: OutOpt = None,
    *,
    models: list[Model],
) -> None:
    """Lattice energies (kJ/mol per H2O) of the 13 DMC-ICE13 ice polymorphs against DMC/DFT."""
    use_data_dir(data_dir)
    table = published_table(ice_viii_dmc)
    lookup = {name.lower(): name for name in table}
    if reference.lower() not in lookup:
        raise MolxtalError(
            f"unknown reference '{reference}'; choose DMC or one of the table's methods"
        )
    reference = lookup[reference.lower()]
    methods = method or DEFAULT_METHODS
    unknown = [m for m in methods if m not in table]
    if unknown:
        raise MolxtalError(f"unknown --method {', '.join(unknown)}; see the published table")
    crystals, gas = dmc_ice13.polymorphs(), dmc_ice13.gas_molecule()
    names = [m.name for m in models]
    if len(set(names)) != len(names):
        raise MolxtalError(f"two models have the same name ({', '.join(names)}); rename a file")
    parameters = {"reference": reference, "methods": methods, "ice_viii_dmc": ice_viii_dmc}
    with result_dir("ice13", out, models, parameters) as results:
        energies = {}
        for m in models:
            with results.provenance.stage(f"ice13[{m.name}]"):
                energies[m.name] = ice13_energies(m, crystals, gas)
        kjmol = {name: e.kJmol for name, e in energies.items()}
        published = published_stats(table)
        vs_reference = {n: compare(v, table[reference], reference) for n, v in kjmol.items()}
        vs_dmc = {n: compare(v, table[DMC]) for n, v in kjmol.items()}
        ranks = {n: rank(s, published) for n, s in vs_dmc.items()}

        ref_rel = relative_to_ih(table[reference])
        per_model, rows = {}, []
        for name, e in energies.items():
            rel = relative_to_ih(kjmol[name])
            per_model[name] = {
                "E_gas_eV": e.gas_energy_eV,
                "polymorphs": {
                    p: {
                        "n_molecules": e.n_molecules[p],
                        "E_crystal_eV": e.crystal_energy_eV[p],
                        "E_latt_eV": e.eV[p],
                        "E_latt_meV": e.eV[p] * MEV_PER_EV,
                        "E_latt_kJmol": kjmol[name][p],
                        "E_latt_rel_kJmol": rel[p],
                        "error_kJmol": kjmol[name][p] - table[reference][p],
                        "error_rel_kJmol": rel[p] - ref_rel[p],
                    }
                    for p in dmc_ice13.PHASES
                },
            }
            rows += [
                {
                    "model": name,
                    "polymorph": p,
                    **{k: v for k, v in per_model[name]["polymorphs"][p].items()},
                    f"{reference}_kJmol": table[reference][p],
                    f"{reference}_rel_kJmol": ref_rel[p],
                }
                for p in dmc_ice13.PHASES
            ]
        stats = {
            name: {
                "vs_reference": _stats_dict(vs_reference[name]),
                "vs_dmc": _stats_dict(vs_dmc[name]),
                "rank_vs_dmc": {
                    "absolute_mae": ranks[name].absolute_rank,
                    "relative_mae": ranks[name].relative_rank,
                    "out_of": ranks[name].out_of,
                },
            }
            for name in energies
        }
        stats["published_vs_dmc"] = {m: _stats_dict(s) for m, s in published.items()}
        results.write_json(
            "results.json",
            {
                "benchmark": f"DMC-ICE13 ({dmc_ice13.CITATION})",
                "units": "kJ/mol per H2O unless the key says otherwise; E_latt = E/N - E_gas",
                "reference": reference,
                "dmc_ice_viii": {
                    "source": ice_viii_dmc,
                    "value_kJmol": ICE_VIII_DMC_KJMOL[ice_viii_dmc],
                    "description": ICE_VIII_DMC_SOURCES[ice_viii_dmc],
                    "alternatives_kJmol": ICE_VIII_DMC_KJMOL,
                },
                "models": per_model,
                "stats": stats,
            },
        )
        results.write_csv("lattice_energies.csv", rows)
        stat_rows = [
            {"method": name, "kind": "model", **_flat(vs_dmc[name])} for name in energies
        ] + [{"method": m, "kind": "published", **_flat(s)} for m, s in published.items()]
        results.write_csv("stats_vs_dmc.csv", stat_rows)
        results.save_figure(
            "absolute_energies.png", plots.absolute_energies_figure(kjmol, table, methods)
        )
        results.save_figure(
            "relative_energies.png", plots.relative_energies_figure(kjmol, table, methods)
        )
        results.save_figure("parity.png", plots.parity_figure(kjmol, table[reference], reference))
        results.save_figure("ranking.png", plots.ranking_figure(published, vs_dmc))

    _print_tables(kjmol, table[reference], reference, vs_reference, vs_dmc, ranks)
    console.print(f"DMC ice VIII: {ICE_VIII_DMC_KJMOL[ice_viii_dmc]:.2f} kJ/mol ({ice_viii_dmc})")
    console.print(f"Results in {results.path}")


def _flat(stats) -> dict:
    return {
        "MAE_abs_kJmol": stats.absolute.mae,
        "RMSE_abs_kJmol": stats.absolute.rmse,
        "MaxAE_abs_kJmol": stats.absolute.max_abs,
        "MSE_abs_kJmol": stats.absolute.mean_signed,
        "MAE_rel_kJmol": stats.relative.mae,
        "RMSE_rel_kJmol": stats.relative.rmse,
        "MaxAE_rel_kJmol": stats.relative.max_abs,
        "MSE_rel_kJmol": stats.relative.mean_signed,
        "spearman_rho_rel": stats.spearman_rho,
    }


def _print_tables(kjmol, ref, reference, vs_reference, vs_dmc, ranks) -> None:
    names = list(kjmol)
    ref_rel = relative_to_ih(ref)
    rels = {n: relative_to_ih(v) for n, v in kjmol.items()}
    print_table(
        f"DMC-ICE13 lattice energies (kJ/mol per H2O), reference {reference}",
        ["polymorph", f"{reference}", *names, f"{reference} rel", *(f"{n} rel" for n in names)],
        [
            [p, f"{ref[p]:.2f}", *(f"{kjmol[n][p]:.2f}" for n in names), f"{ref_rel[p]:.2f}",
             *(f"{rels[n][p]:.2f}" for n in names)]
            for p in dmc_ice13.PHASES
        ],
    )  # fmt: skip
    lines = [
        ("MAE abs (kJ/mol)", lambda s: s.absolute.mae),
        ("RMSE abs (kJ/mol)", lambda s: s.absolute.rmse),
        ("MaxAE abs (kJ/mol)", lambda s: s.absolute.max_abs),
        ("MSE abs (kJ/mol)", lambda s: s.absolute.mean_signed),
        ("MAE rel (kJ/mol)", lambda s: s.relative.mae),
        ("RMSE rel (kJ/mol)", lambda s: s.relative.rmse),
        ("MaxAE rel (kJ/mol)", lambda s: s.relative.max_abs),
        ("MSE rel (kJ/mol)", lambda s: s.relative.mean_signed),
        ("Spearman ρ rel (1)", lambda s: s.spearman_rho),
    ]
    print_table(
        f"Errors against {reference}",
        ["statistic", *names],
        [[label, *(f"{f(vs_reference[n]):.3f}" for n in names)] for label, f in lines],
    )
    for n in names:
        r = ranks[n]
        console.print(
            f"{n}: MAE vs DMC {vs_dmc[n].absolute.mae:.2f} kJ/mol absolute (rank {r.absolute_rank}"
            f" of {r.out_of}), {vs_dmc[n].relative.mae:.2f} kJ/mol relative (rank "
            f"{r.relative_rank} of {r.out_of})"
        )


def register(app: typer.Typer) -> None:
    app.command("ice13")(ice13_command)
