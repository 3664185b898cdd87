"""Study step: liquid water, prepared and analysed as ``molxtal md --water-box`` and
``molxtal analyse`` do (:func:`molxtal.workflows.liquid.liquid_water`)."""

from __future__ import annotations

from pathlib import Path

from molxtal.models import Model
from molxtal.results import NOT_COMPUTED, with_status
from molxtal.structures import water_box
from molxtal.study.progress import step_progress
from molxtal.study.steps import Step, Table, Values, register, write_result

# --------------------------------------------------------------------------- liquid water MD


def _md(model: Model, p: dict, folder: Path) -> Values:
    """The box (pre-equilibrated with TIP4P for ``pre_equilibration_ps``; only packed when 0),
    an NPT run of ``npt_steps`` (none when 0) and the NVT run, continued from their
    checkpoints, then the trajectory analysis of ``molxtal analyse``."""
    from molxtal.workflows.liquid import liquid_water
    from molxtal.workflows.md import MDSettings, starting_structure

    fields = MDSettings.__dataclass_fields__
    settings = MDSettings(**{k: v for k, v in p.items() if k in fields})
    pre_equilibration_ps = p.get("pre_equilibration_ps", 0.0)
    atoms, source, preparation = starting_structure(
        None, p["molecules"], p["density"], seed=p["seed"], temperature_K=p["temperature_K"],
        prepare=pre_equilibration_ps > 0, pre_equilibration_ps=pre_equilibration_ps,
        progress_bar=step_progress,
    )  # fmt: skip
    result = liquid_water(
        atoms, model, settings, folder,
        nvt_equilibration_ps=p["equilibration_ps"],
        npt_steps=p.get("npt_steps", 0),
        npt_equilibration_ps=p.get("npt_equilibration_ps", 0.0),
        preparation=preparation, source=source, progress_bar=step_progress,
    )  # fmt: skip
    return write_result(result, folder)


#: Experiment at 298 K: density (g/cm³) and self-diffusion (cm²/s, Mills 1973).
WATER_298K = {"density_g_per_cm3": 0.997, "diffusion_yeh_hummer_cm2_per_s": 2.30e-5}


def value_with_status(value, fmt: str, state: dict | None, expected=None) -> str:
    """``value`` formatted, its error against ``expected``, and its status unless converged
    (a value that is not computed shows the reason instead)."""
    if value is None:
        return with_status("-", state if state and state["status"] == NOT_COMPUTED else None)
    text = fmt.format(value)
    if expected is not None:
        text += f" ({fmt.format(value - expected)})"
    return with_status(text, state)


def _water_md_table(values: dict[str, Values], p: dict) -> Table:
    rows = []
    for label, key, fmt, state in (
        ("density, NPT (g/cm³)", "density_g_per_cm3", "{:.3f}", "density_g_per_cm3_status"),
        ("D_O, Yeh–Hummer corrected (cm²/s)", "diffusion_yeh_hummer_cm2_per_s", "{:.2e}",
         "diffusion_cm2_per_s_status"),
        ("D_O, as simulated (cm²/s)", "diffusion_cm2_per_s", "{:.2e}",
         "diffusion_cm2_per_s_status"),
        ("MSD log–log slope in the fit window", "diffusion_loglog_slope", "{:.2f}", None),
        ("g_OO first peak (Å)", "rdf_OO_first_peak_angstrom", "{:.3f}", "rdf_OO_status"),
        ("g_OO first peak height", "rdf_OO_first_peak_height", "{:.2f}", "rdf_OO_status"),
        ("ISD g_OO vs Soper 2013 (Å)", "rdf_OO_isd_soper2013_angstrom", "{:.3f}",
         "rdf_OO_status"),
        ("ISD g_OH vs Soper 2013 (Å)", "rdf_OH_isd_soper2013_angstrom", "{:.3f}",
         "rdf_OH_status"),
        ("ISD g_HH vs Soper 2013 (Å)", "rdf_HH_isd_soper2013_angstrom", "{:.3f}",
         "rdf_HH_status"),
    ):  # fmt: skip
        expected = WATER_298K.get(key)
        row = [label, "-" if expected is None else fmt.format(expected)]
        row += [value_with_status(v.get(key), fmt, v.get(state), expected) for v in values.values()]
        rows.append(row)
    for label, key, fmt in (
        ("NVT production (ps)", "production_ps", "{:.3f}"),
        ("NVT production mean T (K)", "mean_temperature_K", "{:.1f}"),
        ("NVT mean pressure (bar)", "mean_pressure_bar", "{:.0f}"),
        ("speed (ns/day)", "ns_per_day", "{:.4f}"),
    ):
        row = [label, f"{p['temperature_K']:g}" if key == "mean_temperature_K" else "-"]
        for v in values.values():
            state = v["md"].get("mean_temperature_status") if key == "mean_temperature_K" else None
            row.append(value_with_status(v["md"].get(key), fmt, state))
        rows.append(row)
    return ["quantity", "experiment (298 K)", *values], rows


register(
    Step(
        "water-md",
        "Liquid water MD",
        "A water box packed with O–O ≥ 2.5 Å, minimised and pre-equilibrated with rigid TIP4P, "
        "minimised with the model (FIRE, so that the change of potential does not heat the "
        "run), then the model's own NVT (Langevin) equilibration and production at the "
        "experimental density (and NPT for the density where the profile runs it). "
        "Intermolecular RDFs "
        "against Soper 2013 (integrated squared difference, Å); O self-diffusion only where "
        "the MSD is diffusive, Yeh–Hummer corrected (experiment: 0.997 g/cm³, 2.30e-5 cm²/s "
        "at 298 K).",
        lambda p: [water_box(p["molecules"], p["density"], seed=p["seed"])],
        _md,
        _water_md_table,
    )
)
