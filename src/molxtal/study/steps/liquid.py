"""Study step: liquid-water molecular dynamics, analysed as ``molxtal analyse`` does."""

from __future__ import annotations

from pathlib import Path

from molxtal.models import Model
from molxtal.structures import water_box
from molxtal.study.steps import Step, Table, Values, register, write_result

# --------------------------------------------------------------------------- liquid water MD


def _md(model: Model, p: dict, folder: Path) -> Values:
    """NVT MD of a random water box into ``folder/md`` (continued from its checkpoint if there
    is one), then the trajectory analysis of ``molxtal analyse`` (intermolecular RDFs)."""
    from molxtal.workflows.md import CHECKPOINT, MDSettings, md_and_analysis

    atoms = water_box(p["molecules"], p["density"], seed=p["seed"])
    fields = MDSettings.__dataclass_fields__
    settings = MDSettings(**{k: v for k, v in p.items() if k in fields})
    directory = Path(folder) / "md"
    result = md_and_analysis(
        atoms,
        model,
        settings,
        directory,
        equilibration_ps=p["equilibration_ps"],
        resume=(directory / CHECKPOINT).exists(),
        source=f"water box of {p['molecules']} molecules at {p['density']} g/cm³",
    )
    return write_result(result, folder)


#: Experiment at 298 K: density (g/cm³) and self-diffusion (cm²/s, Mills 1973).
WATER_298K = {"density_g_per_cm3": 0.997, "diffusion_cm2_per_s": 2.30e-5}


def _water_md_table(values: dict[str, Values], p: dict) -> Table:
    rows = []
    for label, key, fmt in (
        ("density (g/cm³)", "density_g_per_cm3", "{:.3f}"),
        ("D_O (cm²/s)", "diffusion_cm2_per_s", "{:.2e}"),
        ("g_OO first peak (Å)", "rdf_OO_first_peak_angstrom", "{:.3f}"),
        ("ISD g_OO vs Soper 2013 (Å)", "rdf_OO_isd_soper2013_angstrom", "{:.3f}"),
        ("ISD g_OH vs Soper 2013 (Å)", "rdf_OH_isd_soper2013_angstrom", "{:.3f}"),
        ("ISD g_HH vs Soper 2013 (Å)", "rdf_HH_isd_soper2013_angstrom", "{:.3f}"),
        ("speed (ns/day)", "ns_per_day", "{:.4f}"),
    ):
        expected = WATER_298K.get(key)
        row = [label, "-" if expected is None else fmt.format(expected)]
        for v in values.values():
            value = v[key] if key in v else v["md"][key]
            row.append("-" if value is None else fmt.format(value))
        rows.append(row)
    return ["quantity", "experiment (298 K)", *values], rows


register(
    Step(
        "water-md",
        "Liquid water MD",
        "NVT (Langevin) MD of a random water box at the experimental density; intermolecular "
        "RDFs against Soper 2013 (integrated squared difference, Å), density and O "
        "self-diffusion (experiment: 0.997 g/cm³, 2.30e-5 cm²/s at 298 K).",
        lambda p: [water_box(p["molecules"], p["density"], seed=p["seed"])],
        _md,
        _water_md_table,
    )
)
