"""The scorecard at the top of the study's report: one row per headline metric, one column per
model; each cell holds the value, its error against the reference, its convergence status
(``converged``, ``indicative``, ``not computed``, with reasons) and a quality grade.

Only stored step values are read; the statuses of the phonon-based rows are decided here from
what the phonon and sublimation steps store (supercell, frequencies away from Γ).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from molxtal.results import NOT_COMPUTED, status, with_status

GOOD, FAIR, POOR, NONE = "good", "fair", "poor", "none"


@dataclass
class Cell:
    """One model's entry: ``text`` (value and error), ``quality`` (good/fair/poor/none) and
    ``state`` (from :func:`molxtal.results.status`)."""

    text: str
    quality: str = NONE
    state: dict[str, Any] = field(default_factory=lambda: status([]))


@dataclass
class Metric:
    """A row: its label, reference (value and source), and ``cell(values_by_step)`` for one
    model's stored values (step name -> values)."""

    label: str
    reference: str
    cell: Callable[[dict[str, dict]], Cell]


def grade(error: float, good: float, fair: float) -> str:
    """``good`` when |error| < good, ``fair`` when < fair, else ``poor``."""
    size = abs(error)
    return GOOD if size < good else FAIR if size < fair else POOR


def missing(reason: str) -> Cell:
    return Cell("-", NONE, status([reason], computed=False))


def _only(values: dict, key: str) -> dict:
    """The one model's entry of a single-model result's ``key`` (e.g. ``models``)."""
    return next(iter(values[key].values()))


def _needs(*steps: str):
    """Decorator: the cell is "not computed" when one of ``steps`` has no stored values."""

    def wrap(function):
        def cell(values: dict[str, dict]) -> Cell:
            absent = [s for s in steps if values.get(s) is None]
            if absent:
                return missing(f"step {', '.join(absent)} not run or not finished")
            return function(values)

        return cell

    return wrap


def _relaxed(entry: dict) -> list[str]:
    relaxation = entry.get("relaxation") or {}
    if relaxation.get("converged", True):
        return []
    return [f"relaxation stopped at {relaxation['fmax_eV_per_angstrom']:.2g} eV/Å, above fmax"]


@_needs("water-monomer")
def monomer_frequencies(values):
    entry = _only(values["water-monomer"], "models")
    mae = float(np.mean(np.abs(entry["errors"]["frequencies_cm-1"])))
    return Cell(f"MAE {mae:.0f} cm⁻¹", grade(mae, 30, 100), status(_relaxed(entry)))


@_needs("water-dimer")
def dimer_geometry(values):
    entry = _only(values["water-dimer"], "models")
    error = entry["errors"]["r_OO_angstrom"]
    reasons = _relaxed(entry)
    from molxtal.workflows.phonons import IMAGINARY_TOLERANCE_CM1

    imaginary = [f for f in entry.get("frequencies_cm-1", []) if f < -IMAGINARY_TOLERANCE_CM1]
    if imaginary:
        reasons.append(f"{len(imaginary)} imaginary modes: not a minimum")
    text = f"r_OO {entry['r_OO_angstrom']:.3f} Å ({error:+.3f})"
    return Cell(text, grade(error, 0.02, 0.05), status(reasons))


@_needs("binding-curve")
def binding_energy(values):
    entry = _only(values["binding-curve"], "models")
    error = entry["errors"]["minimum_binding_energy_eV"]
    failed = sum(not c for c in entry.get("converged", []))
    reasons = [f"{failed} points of the curve not relaxed to fmax"] if failed else []
    text = f"{entry['minimum_binding_energy_eV']:.3f} eV ({error:+.3f})"
    return Cell(text, grade(error, 0.02, 0.05), status(reasons))


def _ice13(key: str, good: float, fair: float):
    @_needs("dmc-ice13")
    def cell(values):
        mae = _only(values["dmc-ice13"], "stats")["vs_dmc"][key]
        return Cell(f"{mae:.2f} kJ/mol", grade(mae, good, fair))

    return cell


@_needs("ice-ih-phonons")
def ice_zpe(values):
    v = values["ice-ih-phonons"]
    return Cell(f"{v['zpe_kJ_per_mol']:.2f} kJ/mol", NONE, v["zpe_kJ_per_mol_status"])


@_needs("ice-ih-phonons")
def ice_heat_capacity(values):
    from molxtal.data.heat_capacity import holzapfel_klotz_2021

    v = values["ice-ih-phonons"]
    thermal = v["thermal_by_masses"]["H2O"]
    t_model, cv_model = np.array(thermal["T_K"]), np.array(thermal["C_v_J_per_K_mol"])
    try:
        reference = holzapfel_klotz_2021()
    except Exception as exc:  # reference data not installed
        return missing(f"no experimental C_V ({exc})")
    t = reference.temperatures_K
    inside = (t > 0) & (t <= t_model.max())
    error = np.interp(t[inside], t_model, cv_model) - reference.heat_capacity_J_per_mol_K[inside]
    mae = float(np.mean(np.abs(error)))
    text = f"MAE {mae:.2f} J/(K mol), {t[inside].min():.0f}–{t[inside].max():.0f} K"
    return Cell(text, grade(mae, 2, 5), v["zpe_kJ_per_mol_status"])


@_needs("sublimation", "ice-ih-phonons")
def sublimation(values):
    from molxtal.study.steps.ice import SUBLIMATION_273K_KJMOL

    v = values["sublimation"]
    rows = [r for r in v["by_temperature"].values() if abs(r["T_K"] - 273.16) < 1e-6]
    if not rows:
        return missing("273.16 K not among the temperatures")
    dh = rows[0]["dH_sub_kJ_per_mol"]
    error = dh - SUBLIMATION_273K_KJMOL
    reasons = []
    if abs(np.linalg.det(np.array(v["phonon_supercell"]))) < 1.5:
        reasons.append("phonon supercell 1×1×1")
    if v.get("solid_imaginary_modes_per_cell"):
        grid = "×".join(map(str, v["phonon_mesh"]))
        count = v["solid_imaginary_modes_per_cell"]
        reasons.append(
            f"{count:.2g} imaginary modes per cell on the {grid} mesh, left out of the solid's "
            "ZPE and thermal terms"
        )
    if not v.get("lattice_converged", True):
        reasons.append("lattice relaxation not converged")
    return Cell(f"{dh:.2f} kJ/mol ({error:+.2f})", grade(error, 4, 10), status(reasons))


def _liquid(text: Callable[[dict], tuple[str, float | None]], key: str, good, fair):
    @_needs("water-md")
    def cell(values):
        v = values["water-md"]
        state = v.get(key) or status(["older record without a status"])
        if state["status"] == NOT_COMPUTED:
            return Cell("-", NONE, state)
        shown, error = text(v)
        return Cell(shown, NONE if error is None else grade(error, good, fair), state)

    return cell


def soper_first_peak() -> tuple[float, float] | None:
    """Position (Å) and height of the first peak of Soper 2013's g_OO (None without data)."""
    from molxtal.data.rdf import soper2013

    try:
        soper = soper2013()
    except Exception:
        return None
    near = soper.r < 3.3
    k = int(np.argmax(np.where(near, soper.g["OO"], -np.inf)))
    return float(soper.r[k]), float(soper.g["OO"][k])


def _g_oo(v: dict) -> tuple[str, float | None]:
    r, g = v["rdf_OO_first_peak_angstrom"], v["rdf_OO_first_peak_height"]
    peak = soper_first_peak()
    if peak is None:
        return f"peak {r:.2f} Å, height {g:.2f}", None
    return f"peak {r:.2f} Å ({r - peak[0]:+.2f}), height {g:.2f} ({g - peak[1]:+.2f})", g - peak[1]


def _density(v: dict) -> tuple[str, float]:
    from molxtal.study.steps.liquid import WATER_298K

    rho, err = v["density_g_per_cm3"], v.get("density_err_g_per_cm3") or float("nan")
    error = rho - WATER_298K["density_g_per_cm3"]
    return f"{rho:.3f} ± {err:.3f} g/cm³ ({error:+.3f})", error


def _diffusion(v: dict) -> tuple[str, float]:
    """The Yeh–Hummer-corrected D against experiment (the study's step always corrects it)."""
    from molxtal.study.steps.liquid import WATER_298K

    d = v["diffusion_yeh_hummer_cm2_per_s"]
    expected = WATER_298K["diffusion_yeh_hummer_cm2_per_s"]
    relative = d / expected - 1
    return f"{d:.2e} ± {v['diffusion_err_cm2_per_s']:.1e} cm²/s ({relative:+.0%})", relative


def metrics() -> list[Metric]:
    """The headline metrics, in the order of the report."""
    from molxtal.data import water as ref
    from molxtal.study.steps.ice import SUBLIMATION_273K_KJMOL
    from molxtal.study.steps.liquid import WATER_298K

    density = WATER_298K["density_g_per_cm3"]
    diffusion = WATER_298K["diffusion_yeh_hummer_cm2_per_s"]
    peak = soper_first_peak()
    soper = "-" if peak is None else f"peak {peak[0]:.2f} Å, height {peak[1]:.2f}"
    return [
        Metric("Water monomer: harmonic frequencies", ref.MONOMER_CITATION,
               monomer_frequencies),
        Metric("Water dimer: O–O distance", f"2.912 Å, CCSD(T) ({ref.DIMER_GEOMETRY_CITATION})",
               dimer_geometry),
        Metric("Water dimer: binding energy", f"−0.24 eV ({ref.BINDING_CITATION})",
               binding_energy),
        Metric("DMC-ICE13: absolute lattice-energy MAE", "DMC (Della Pia et al. 2022)",
               _ice13("absolute_mae_kJ_per_mol", 4, 10)),
        Metric("DMC-ICE13: relative lattice-energy MAE", "DMC (Della Pia et al. 2022)",
               _ice13("relative_mae_kJ_per_mol", 1, 3)),
        Metric("Ice Ih: zero-point energy (H2O)", "no direct measurement; enters ΔH_sub",
               ice_zpe),
        Metric("Ice Ih: C_v(T)", "C_V, Holzapfel & Klotz 2021", ice_heat_capacity),
        Metric("Ice Ih: ΔH_sub(273.16 K)",
               f"{SUBLIMATION_273K_KJMOL:.2f} kJ/mol (Feistel & Wagner 2007)", sublimation),
        Metric("Liquid water: g_OO first peak", f"{soper} (Soper 2013)",
               _liquid(_g_oo, "rdf_OO_status", 0.2, 0.5)),
        Metric("Liquid water: density (NPT, 300 K)", f"{density:.3f} g/cm³ (298 K)",
               _liquid(_density, "density_g_per_cm3_status", 0.01, 0.03)),
        Metric("Liquid water: D_O (Yeh–Hummer)", f"{diffusion * 1e5:.2f}e-5 cm²/s (Mills 1973)",
               _liquid(_diffusion, "diffusion_cm2_per_s_status", 0.2, 0.5)),
    ]  # fmt: skip


def scorecard(values: dict[str, dict[str, dict]]) -> tuple[list[Metric], dict[str, list[Cell]]]:
    """The metrics and, per model, one cell per metric; ``values``: model -> step -> stored
    values (a step missing for a model gives a "not computed" cell)."""
    rows = metrics()
    return rows, {model: [m.cell(steps) for m in rows] for model, steps in values.items()}


def cell_text(cell: Cell) -> str:
    """The cell in words: value (error), then the status and its reasons unless converged."""
    return with_status(cell.text, cell.state)
