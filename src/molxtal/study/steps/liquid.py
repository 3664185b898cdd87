"""Study step: liquid-water molecular dynamics."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from molxtal.errors import MolxtalError
from molxtal.models import Model
from molxtal.structures import water_box
from molxtal.study.steps import Step, Table, Values, register, save_figure

# --------------------------------------------------------------------------- liquid water MD


def _md(model: Model, p: dict, folder: Path) -> Values:
    from ase.io import read

    from molxtal.analysis.blocks import block_average
    from molxtal.analysis.diffusion import self_diffusion
    from molxtal.analysis.rdf import partial_rdf, rdf_shape, squared_difference
    from molxtal.data.rdf import soper2013
    from molxtal.plotting.md import density_figure, msd_figure, rdf_figure
    from molxtal.structures import density_g_cm3
    from molxtal.workflows.md import CHECKPOINT, MDSettings, run_md

    atoms = water_box(p["molecules"], p["density"], seed=p["seed"])
    fields = MDSettings.__dataclass_fields__
    settings = MDSettings(**{k: v for k, v in p.items() if k in fields})
    run = run_md(atoms, model, settings, folder / "md", (folder / "md" / CHECKPOINT).exists())
    frames = read(run.trajectory, ":")
    times = np.array([f.info["time_ps"] for f in frames])
    production = [f for f, t in zip(frames, times, strict=True) if t >= p["equilibration_ps"]]
    reference = soper2013()
    rdfs = [partial_rdf(production, *pair.split("-")) for pair in ("O-O", "O-H", "H-H")]
    values: Values = {"n_frames": len(production), "ns_per_day": run.ns_per_day, "notes": []}
    for rdf in rdfs:
        values[f"g_{rdf.pair}_isd_soper2013"] = squared_difference(
            rdf, reference.r, reference.g[rdf.pair]
        )
    try:
        values["g_OO_first_peak_angstrom"] = rdf_shape(rdfs[0]).peak_r
    except MolxtalError as exc:  # too short a run or too small a box
        values["g_OO_first_peak_angstrom"] = None
        values["notes"].append(str(exc))
    density = np.array([density_g_cm3(f) for f in production])
    values["density_g_cm3"], values["density_err_g_cm3"] = map(float, block_average(density))
    density_all = [density_g_cm3(f) for f in frames]
    values["figures"] = [
        save_figure(folder, "rdf.png", rdf_figure, {model.name: rdfs}, reference),
        save_figure(
            folder, "density.png", density_figure, times, density_all, p["equilibration_ps"]
        ),  # fmt: skip
    ]
    try:
        diffusion = self_diffusion(production, float(np.diff(times).mean()), "O", n_blocks=3)
    except MolxtalError as exc:
        values["diffusion_cm2_s"] = values["diffusion_err_cm2_s"] = None
        values["notes"].append(str(exc))
        return values
    values["diffusion_cm2_s"] = diffusion.d_cm2_s
    values["diffusion_err_cm2_s"] = diffusion.d_err_cm2_s
    values["figures"].append(save_figure(folder, "msd.png", msd_figure, diffusion))
    return values


#: Experiment at 298 K: density (g/cm³) and self-diffusion (cm²/s, Mills 1973).
WATER_298K = {"density_g_cm3": 0.997, "diffusion_cm2_s": 2.30e-5}


def _water_md_table(values: dict[str, Values], p: dict) -> Table:
    rows = []
    for label, key, fmt, expected in (
        ("density (g/cm³)", "density_g_cm3", "{:.3f}", WATER_298K["density_g_cm3"]),
        ("D_O (cm²/s)", "diffusion_cm2_s", "{:.2e}", WATER_298K["diffusion_cm2_s"]),
        ("g_OO first peak (Å)", "g_OO_first_peak_angstrom", "{:.3f}", None),
        ("ISD g_OO vs Soper 2013", "g_OO_isd_soper2013", "{:.3f}", None),
        ("ISD g_OH vs Soper 2013", "g_OH_isd_soper2013", "{:.3f}", None),
        ("ISD g_HH vs Soper 2013", "g_HH_isd_soper2013", "{:.3f}", None),
        ("speed (ns/day)", "ns_per_day", "{:.4f}", None),
    ):
        row = [label, "-" if expected is None else fmt.format(expected)]
        row += [fmt.format(v[key]) if v[key] is not None else "-" for v in values.values()]
        rows.append(row)
    return ["quantity", "experiment (298 K)", *values], rows


register(
    Step(
        "water-md",
        "Liquid water MD",
        "NVT (Langevin) MD of a random water box at the experimental density; RDFs against "
        "Soper 2013 (integrated squared difference, Å), density and O self-diffusion "
        "(experiment: 0.997 g/cm³, 2.30e-5 cm²/s at 298 K).",
        lambda p: [water_box(p["molecules"], p["density"], seed=p["seed"])],
        _md,
        _water_md_table,
    )
)
