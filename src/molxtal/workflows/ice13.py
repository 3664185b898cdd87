"""DMC-ICE13: lattice energies of the 13 fixed ice cells, against DMC and the published methods.

E_latt(x) = E(x) / N_mol(x) - E(H2O, gas) with the data set's fixed cells and gas molecule
(Della Pia et al., J. Chem. Phys. 157, 134701 (2022)); nothing is relaxed. Energies in kJ/mol
per H2O unless a name says otherwise; relative lattice energies are ΔE(x) = E(x) - E(Ih).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ase import Atoms

from molxtal.analysis.ice13 import (
    DMC,
    ICE_VIII_DMC_KJMOL,
    ICE_VIII_DMC_SOURCES,
    Ice13Stats,
    Ranking,
    compare,
    published_stats,
    published_table,
    rank,
    relative_to_ih,
)
from molxtal.data import dmc_ice13
from molxtal.errors import MolxtalError
from molxtal.models import Model
from molxtal.results import Result, Table
from molxtal.units import KJMOL_PER_EV, MEV_PER_EV
from molxtal.workflows.lattice_energy import (
    crystal_energies,
    distinct_names,
    gas_energy,
    single_kind_molecules,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: DFT methods drawn next to DMC and the models in the per-polymorph figures.
DEFAULT_METHODS = ("revPBE-D3", "PBE-D3")
#: The statistics of a comparison, in the order of the tables: (label, key).
STATISTICS = (
    ("MAE abs (kJ/mol)", "absolute_mae_kJ_per_mol"),
    ("RMSE abs (kJ/mol)", "absolute_rmse_kJ_per_mol"),
    ("MaxAE abs (kJ/mol)", "absolute_max_error_kJ_per_mol"),
    ("MSE abs (kJ/mol)", "absolute_mean_signed_error_kJ_per_mol"),
    ("MAE rel (kJ/mol)", "relative_mae_kJ_per_mol"),
    ("RMSE rel (kJ/mol)", "relative_rmse_kJ_per_mol"),
    ("MaxAE rel (kJ/mol)", "relative_max_error_kJ_per_mol"),
    ("MSE rel (kJ/mol)", "relative_mean_signed_error_kJ_per_mol"),
    ("Spearman ρ rel (1)", "spearman_rho_relative"),
)


@dataclass
class Ice13Energies:
    """Energies of one model on DMC-ICE13: crystal cells and gas molecule in eV."""

    model: str
    crystal_energy_eV: dict[str, float]
    n_molecules: dict[str, int]
    gas_energy_eV: float

    @property
    def lattice_energy_eV(self) -> dict[str, float]:
        """Lattice energy per phase, eV per H2O."""
        return {
            phase: energy / self.n_molecules[phase] - self.gas_energy_eV
            for phase, energy in self.crystal_energy_eV.items()
        }

    @property
    def lattice_energy_kJ_per_mol(self) -> dict[str, float]:
        """Lattice energy per phase, kJ/mol per H2O."""
        return {phase: value * KJMOL_PER_EV for phase, value in self.lattice_energy_eV.items()}


def ice13_energies(
    model: Model, crystals: dict[str, Atoms] | None = None, gas: Atoms | None = None
) -> Ice13Energies:
    """Evaluate ``model`` on the 13 DMC-ICE13 cells and the gas molecule (data set defaults)."""
    crystals = crystals if crystals is not None else dmc_ice13.polymorphs()
    gas = gas if gas is not None else dmc_ice13.gas_molecule()
    counts = {
        phase: single_kind_molecules(atoms, f"ice {phase}").count
        for phase, atoms in crystals.items()
    }
    energies = crystal_energies(list(crystals.values()), model)
    return Ice13Energies(
        model=model.name,
        crystal_energy_eV=dict(zip(crystals, energies, strict=True)),
        n_molecules=counts,
        gas_energy_eV=gas_energy(gas, model),
    )


def stats_dict(stats: Ice13Stats) -> dict[str, Any]:
    """The statistics of one comparison (kJ/mol per H2O), flat: one CSV row or JSON object."""
    values = {"reference": stats.reference}
    for kind, errors in (("absolute", stats.absolute), ("relative", stats.relative)):
        values |= {
            f"{kind}_mae_kJ_per_mol": errors.mae,
            f"{kind}_rmse_kJ_per_mol": errors.rmse,
            f"{kind}_max_error_kJ_per_mol": errors.max_abs,
            f"{kind}_mean_signed_error_kJ_per_mol": errors.mean_signed,
            f"{kind}_n": errors.n,
        }
    return values | {
        "spearman_rho_relative": stats.spearman_rho,
        "spearman_p_relative": stats.spearman_p,
    }


@dataclass
class Ice13Result(Result):
    """DMC-ICE13 for several models: lattice energies, errors against ``reference`` and DMC,
    and the rank of each model's MAE against DMC among the published DFT/HF methods."""

    energies: dict[str, Ice13Energies]
    table: dict[str, dict[str, float]]  # published lattice energies (kJ/mol), DMC included
    reference: str
    methods: list[str]
    ice_viii_dmc: str
    vs_reference: dict[str, Ice13Stats]
    vs_dmc: dict[str, Ice13Stats]
    ranks: dict[str, Ranking]
    published: dict[str, Ice13Stats]

    @property
    def lattice_energy_kJ_per_mol(self) -> dict[str, dict[str, float]]:
        """Model name -> phase -> lattice energy (kJ/mol per H2O)."""
        return {name: e.lattice_energy_kJ_per_mol for name, e in self.energies.items()}

    def polymorphs(self, name: str) -> dict[str, dict[str, float]]:
        """Phase -> the numbers of model ``name`` on that phase."""
        e = self.energies[name]
        absolute, ev = e.lattice_energy_kJ_per_mol, e.lattice_energy_eV
        ref = self.table[self.reference]
        rel, ref_rel = relative_to_ih(absolute), relative_to_ih(ref)
        return {
            p: {
                "n_molecules": e.n_molecules[p],
                "crystal_energy_eV": e.crystal_energy_eV[p],
                "lattice_energy_eV": ev[p],
                "lattice_energy_meV": ev[p] * MEV_PER_EV,
                "lattice_energy_kJ_per_mol": absolute[p],
                "relative_lattice_energy_kJ_per_mol": rel[p],
                "error_kJ_per_mol": absolute[p] - ref[p],
                "relative_error_kJ_per_mol": rel[p] - ref_rel[p],
            }
            for p in dmc_ice13.PHASES
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "benchmark": f"DMC-ICE13 ({dmc_ice13.CITATION})",
            "units": "kJ/mol per H2O unless the key says otherwise; E_latt = E/N - E_gas",
            "reference": self.reference,
            "reference_lattice_energy_kJ_per_mol": self.table[self.reference],
            "methods": self.methods,
            "dmc_ice_viii": {
                "source": self.ice_viii_dmc,
                "value_kJ_per_mol": ICE_VIII_DMC_KJMOL[self.ice_viii_dmc],
                "description": ICE_VIII_DMC_SOURCES[self.ice_viii_dmc],
                "alternatives_kJ_per_mol": ICE_VIII_DMC_KJMOL,
            },
            "models": {
                name: {"gas_energy_eV": e.gas_energy_eV, "polymorphs": self.polymorphs(name)}
                for name, e in self.energies.items()
            },
            "stats": {
                **{
                    name: {
                        "vs_reference": stats_dict(self.vs_reference[name]),
                        "vs_dmc": stats_dict(self.vs_dmc[name]),
                        "rank_vs_dmc": {
                            "absolute_mae": self.ranks[name].absolute_rank,
                            "relative_mae": self.ranks[name].relative_rank,
                            "out_of": self.ranks[name].out_of,
                        },
                    }
                    for name in self.energies
                },
                "published_vs_dmc": {m: stats_dict(s) for m, s in self.published.items()},
            },
        }

    def summary(self) -> list[Table]:
        names, ref = list(self.energies), self.table[self.reference]
        kj = self.lattice_energy_kJ_per_mol
        rels = {n: relative_to_ih(v) for n, v in kj.items()}
        ref_rel = relative_to_ih(ref)
        energies = Table(
            f"DMC-ICE13 lattice energies (kJ/mol per H2O), reference {self.reference}",
            ["polymorph", self.reference, *names, f"{self.reference} rel",
             *(f"{n} rel" for n in names)],
            [[p, f"{ref[p]:.2f}", *(f"{kj[n][p]:.2f}" for n in names), f"{ref_rel[p]:.2f}",
              *(f"{rels[n][p]:.2f}" for n in names)] for p in dmc_ice13.PHASES],
        )  # fmt: skip
        vs_reference = {n: stats_dict(self.vs_reference[n]) for n in names}
        errors = Table(
            f"Errors against {self.reference}",
            ["statistic", *names],
            [[label, *(f"{vs_reference[n][key]:.3f}" for n in names)] for label, key in STATISTICS],
        )
        ranking = Table(
            f"MAE against DMC and its rank among the {len(self.published)} published methods",
            ["model", "MAE abs (kJ/mol)", "rank abs", "MAE rel (kJ/mol)", "rank rel"],
            [[n, f"{self.vs_dmc[n].absolute.mae:.2f}",
              f"{self.ranks[n].absolute_rank} of {self.ranks[n].out_of}",
              f"{self.vs_dmc[n].relative.mae:.2f}",
              f"{self.ranks[n].relative_rank} of {self.ranks[n].out_of}"] for n in names],
            [f"DMC ice VIII: {ICE_VIII_DMC_KJMOL[self.ice_viii_dmc]:.2f} kJ/mol "
             f"({self.ice_viii_dmc}; --ice-viii-dmc)"],
        )  # fmt: skip
        return [energies, errors, ranking]

    def csv_tables(self) -> dict[str, list[dict[str, Any]]]:
        ref = self.table[self.reference]
        ref_rel = relative_to_ih(ref)
        energies = [
            {
                "model": name,
                "polymorph": p,
                **values,
                f"{self.reference}_lattice_energy_kJ_per_mol": ref[p],
                f"{self.reference}_relative_lattice_energy_kJ_per_mol": ref_rel[p],
            }
            for name in self.energies
            for p, values in self.polymorphs(name).items()
        ]
        stats = [
            {"method": name, "kind": "model", **stats_dict(s)} for name, s in self.vs_dmc.items()
        ] + [{"method": m, "kind": "published", **stats_dict(s)} for m, s in self.published.items()]
        return {"lattice_energies.csv": energies, "stats_vs_dmc.csv": stats}

    def figures(self) -> dict[str, Callable[[], Figure]]:
        from molxtal.plotting import lattice as plots

        kj, table, methods = self.lattice_energy_kJ_per_mol, self.table, self.methods
        return {
            "absolute_energies.png": lambda: plots.absolute_energies_figure(kj, table, methods),
            "relative_energies.png": lambda: plots.relative_energies_figure(kj, table, methods),
            "parity.png": lambda: plots.ice13_parity_figure(
                kj, table[self.reference], self.reference
            ),
            "ranking.png": lambda: plots.ranking_figure(self.published, self.vs_dmc),
        }


def ice13(
    models: Sequence[Model],
    reference: str = DMC,
    methods: Sequence[str] = DEFAULT_METHODS,
    ice_viii_dmc: str = "table",
) -> Ice13Result:
    """DMC-ICE13 for each of ``models``: errors against ``reference`` (DMC or any method of the
    published table, case-insensitive) and against DMC, the rank of the MAE against DMC among
    the published methods; ``methods`` are drawn in the figures; ``ice_viii_dmc``: ``table`` or
    ``thesis`` (the DMC value of ice VIII, see :mod:`molxtal.analysis.ice13`)."""
    table = published_table(ice_viii_dmc)
    lookup = {name.lower(): name for name in table}
    if reference.lower() not in lookup:
        raise MolxtalError(
            f"unknown reference '{reference}'; choose DMC or one of the table's methods"
        )
    reference = lookup[reference.lower()]
    unknown = [m for m in methods if m not in table]
    if unknown:
        raise MolxtalError(f"unknown --method {', '.join(unknown)}; see the published table")
    distinct_names(models)
    crystals, gas = dmc_ice13.polymorphs(), dmc_ice13.gas_molecule()
    energies = {m.name: ice13_energies(m, crystals, gas) for m in models}
    kj = {name: e.lattice_energy_kJ_per_mol for name, e in energies.items()}
    published = published_stats(table)
    vs_dmc = {name: compare(v, table[DMC]) for name, v in kj.items()}
    return Ice13Result(
        energies=energies,
        table=table,
        reference=reference,
        methods=list(methods),
        ice_viii_dmc=ice_viii_dmc,
        vs_reference={name: compare(v, table[reference], reference) for name, v in kj.items()},
        vs_dmc=vs_dmc,
        ranks={name: rank(s, published) for name, s in vs_dmc.items()},
        published=published,
    )
