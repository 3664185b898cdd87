"""Study step: the X23 molecular crystals (lattice energies against DMC; in the full profile
also sublimation enthalpies against experiment)."""

from __future__ import annotations

from pathlib import Path

from molxtal.data import x23 as ref
from molxtal.models import Model
from molxtal.study.steps import Step, Table, Values, register, write_result


def _x23(model: Model, p: dict, folder: Path) -> Values:
    from molxtal.workflows.x23 import x23_benchmark

    result = x23_benchmark(
        [model],
        ref.select(p["systems"]),
        p["relax"],
        p["sublimation"],
        p["min_length"],
        p["fmax"],
        cache_dir=folder / "cache",
    )
    return write_result(result, folder)


def _structures(p: dict) -> list:
    systems = ref.select(p["systems"])
    return [*(ref.crystal(s) for s in systems), *(ref.molecule(s) for s in systems)]


def _cell(value, reference) -> str:
    return "-" if value is None else f"{value:.2f} ({value - reference:+.2f})"


def _table(values: dict[str, Values], p: dict) -> Table:
    per_model = {name: v["models"][name] for name, v in values.items()}
    first = next(iter(per_model.values()))
    rows = []
    for k, r in enumerate(first["lattice_energies"]):
        dmc = r["dmc_kJ_per_mol"]
        row = [f"E_latt {r['system']} (kJ/mol)", f"{dmc:.2f} ± {r['dmc_error_kJ_per_mol']:.2f}"]
        for v in per_model.values():
            row.append(_cell(v["lattice_energies"][k]["lattice_energy_kJ_per_mol"], dmc))
        rows.append(row)
    for label, key in (
        ("MAE (kJ/mol)", "mae_kJ_per_mol"),
        ("mean signed error (kJ/mol)", "mean_signed_error_kJ_per_mol"),
        ("max |error| (kJ/mol)", "max_abs_error_kJ_per_mol"),
    ):
        rows.append([label, "-", *(f"{v['statistics'].get(key, float('nan')):.2f}"
                                   for v in per_model.values())])  # fmt: skip
    for k, s in enumerate(first["sublimation"]):
        experiment = f"{s['experiment_min_kJ_per_mol']:.1f}–{s['experiment_max_kJ_per_mol']:.1f}"
        row = [f"ΔH_sub {s['system']} at {s['temperature_K']:g} K (kJ/mol)", experiment]
        for v in per_model.values():
            dh = v["sublimation"][k]["dH_sub_kJ_per_mol"]
            row.append("-" if dh is None else f"{dh:.2f}")
        rows.append(row)
    return ["quantity", "reference", *values], rows


register(
    Step(
        "x23",
        "X23 molecular crystals",
        "Lattice energies E_crystal/N_mol − E_molecule of the 23 X23 crystals on the DMC "
        f"geometries against DMC ({ref.CITATION}); with sublimation, ΔH_sub from the model's own "
        "harmonic phonons and gas-molecule vibrations against the experimental range.",
        _structures,
        _x23,
        _table,
    )
)
