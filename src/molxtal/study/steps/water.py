"""Study steps: the water monomer, dimer, binding curve and convergence scans."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from molxtal.analysis.water import (
    DIMER_FREQUENCY_QUANTITIES,
    DIMER_GEOMETRY_QUANTITIES,
    DIMER_ZPE_QUANTITY,
    MONOMER_QUANTITIES,
    pick,
)
from molxtal.data import water as ref
from molxtal.models import Model
from molxtal.structures import water_dimer, water_molecule
from molxtal.study.steps import Step, Table, Values, comparison_table, register, save_figure
from molxtal.units import INVCM_PER_EV

# --------------------------------------------------------------------------- water monomer

MONOMER_REFERENCE = {
    **ref.MONOMER_REFERENCE,
    "zpe_eV": 0.5 * sum(ref.MONOMER_REFERENCE["frequencies_cm-1"]) / INVCM_PER_EV,
}


def _errors(quantities, values, reference) -> list[float]:
    return [pick(values, k, i) - pick(reference, k, i) for _, k, i, _ in quantities]


def _monomer(model: Model, p: dict, folder: Path) -> Values:
    from molxtal.plotting.water import error_bars
    from molxtal.workflows.water import water_monomer

    r = water_monomer(model, p["fmax"], p["steps"], "auto", p["delta"], p["nfree"])
    values = {
        "r_OH_angstrom": r.r_OH_angstrom,
        "angle_HOH_deg": r.angle_HOH_deg,
        "frequencies_cm-1": r.omega_cm1,
        "zpe_eV": r.zpe_eV,
        "frequency_method": r.vibration.method,
        "relaxation": r.relaxation.to_dict(),
    }
    picks = MONOMER_QUANTITIES[2:5]
    values["figures"] = [
        save_figure(
            folder,
            "monomer_frequency_errors.png",
            error_bars,
            f"Water monomer, {model.name}: model − experiment",
            [q[0] for q in picks],
            {model.name: _errors(picks, values, MONOMER_REFERENCE)},
            "cm⁻¹",
        )
    ]
    return values


register(
    Step(
        "water-monomer",
        "Water monomer",
        "H2O relaxed from the experimental geometry; harmonic frequencies and ZPE against "
        f"experiment ({ref.MONOMER_CITATION}).",
        lambda p: [water_molecule()],
        _monomer,
        lambda values, p: comparison_table(
            MONOMER_QUANTITIES, values, MONOMER_REFERENCE, ref.thesis_monomer
        ),
    )
)

# --------------------------------------------------------------------------- water dimer

DIMER_REFERENCE = {
    **ref.DIMER_GEOMETRY_REFERENCE,
    "frequencies_cm-1": ref.DIMER_FREQUENCIES_REFERENCE,
    "zpe_eV": ref.DIMER_ZPE_REFERENCE_EV,
}
DIMER_QUANTITIES = [*DIMER_GEOMETRY_QUANTITIES, *DIMER_FREQUENCY_QUANTITIES, DIMER_ZPE_QUANTITY]


def _dimer(model: Model, p: dict, folder: Path) -> Values:
    from molxtal.plotting.water import error_bars
    from molxtal.workflows.water import water_dimer_recipe

    r = water_dimer_recipe(model, p["fmax"], p["steps"], "auto", p["delta"], p["nfree"])
    freqs = r.vibration.frequencies_cm1
    errors = freqs - np.array(ref.DIMER_FREQUENCIES_REFERENCE)
    values = {
        **r.geometry.values(),
        "frequencies_cm-1": freqs,
        "frequency_MAE_cm-1": float(np.abs(errors).mean()),
        "zpe_eV": r.zpe_eV,
        "relaxation": r.relaxation.to_dict(),
    }
    values["figures"] = [
        save_figure(
            folder,
            "dimer_frequency_errors.png",
            error_bars,
            f"Water dimer, {model.name}: model − CCSD(T)/CBS",
            [f"ω{k + 1}" for k in range(12)],
            {model.name: errors},
            "cm⁻¹",
        )
    ]
    return values


def _dimer_table(values: dict[str, Values], p: dict) -> Table:
    columns, rows = comparison_table(DIMER_QUANTITIES, values, DIMER_REFERENCE, ref.thesis_dimer)
    rows.append(["ω MAE (cm⁻¹)", "-", *(f"{v['frequency_MAE_cm-1']:.1f}" for v in values.values())])
    return columns, rows


register(
    Step(
        "water-dimer",
        "Water dimer",
        "(H2O)2 relaxed from the thesis geometry: geometry against CCSD(T) "
        f"({ref.DIMER_GEOMETRY_CITATION}), 12 harmonic frequencies and ZPE against CCSD(T)/CBS "
        f"({ref.DIMER_FREQUENCIES_CITATION}).",
        lambda p: [water_dimer()],
        _dimer,
        _dimer_table,
    )
)

# --------------------------------------------------------------------------- binding curve


def _binding(model: Model, p: dict, folder: Path) -> Values:
    from molxtal.plotting.water import binding_curves
    from molxtal.workflows.water import binding_curve

    curve = binding_curve(model, p["distances"], p["fmax"], p["steps"])
    figure = save_figure(
        folder,
        "binding_curve.png",
        binding_curves,
        {model.name: curve},
        ref.BINDING_REFERENCE["r_OO_angstrom"],
        ref.BINDING_REFERENCE["binding_energy_eV"],
        "Curtiss 1979",
    )
    return {
        "r_OO_angstrom": curve.r_OO_angstrom,
        "binding_energy_eV": curve.binding_energy_eV,
        "converged": curve.converged,
        "minimum_r_OO_angstrom": curve.minimum_r_OO_angstrom,
        "minimum_binding_energy_eV": curve.minimum_energy_eV,
        "figures": [figure],
    }


def _binding_table(values: dict[str, Values], p: dict) -> Table:
    reference = {
        "minimum_r_OO_angstrom": ref.BINDING_REFERENCE["r_OO_angstrom"],
        "minimum_binding_energy_eV": ref.BINDING_REFERENCE["binding_energy_eV"],
    }
    quantities = [
        ("r_OO at minimum (Å)", "minimum_r_OO_angstrom", None, 3),
        ("ΔE at minimum (eV)", "minimum_binding_energy_eV", None, 4),
    ]
    columns, rows = comparison_table(quantities, values, reference, lambda label: None)
    rows.append(
        ["unconverged points", "-", *(str(v["converged"].count(False)) for v in values.values())]
    )
    return columns, rows


register(
    Step(
        "binding-curve",
        "Water dimer binding curve",
        "ΔE = E_dimer − 2 E_monomer (eV) against r_OO with the rest relaxed at fixed O–O; spline "
        f"minimum against experiment ({ref.BINDING_CITATION}).",
        lambda p: [water_dimer(), water_molecule()],
        _binding,
        _binding_table,
    )
)

# --------------------------------------------------------------------------- convergence scans


def _fmax_scan(model: Model, p: dict, folder: Path) -> Values:
    from molxtal.plotting.scan import fmax_scan_figure
    from molxtal.workflows.scan import fmax_scan

    scan = fmax_scan(water_molecule(), model, p["fmaxes"], p["steps"])
    figure = save_figure(
        folder, "fmax_scan.png", fmax_scan_figure, scan, f"Water monomer, {model.name}"
    )
    return {
        "fmax_eV_per_angstrom": scan.fmax_eV_per_angstrom,
        "geometry": scan.geometry,
        "energy_eV": scan.energy_eV,
        "converged": scan.converged,
        "figures": [figure],
    }


def _fmax_table(values: dict[str, Values], p: dict) -> Table:
    rows = []
    for name, v in values.items():
        for label, series in v["geometry"].items():
            spread = max(series) - min(series)
            rows.append([name, label, f"{series[0]:.5f}", f"{series[-1]:.5f}", f"{spread:.2e}"])
    loose, tight = max(p["fmaxes"]), min(p["fmaxes"])
    return [
        "model",
        "coordinate",
        f"fmax {loose:g} eV/Å",
        f"fmax {tight:g} eV/Å",
        "spread (Å or °)",
    ], rows


register(
    Step(
        "fmax-scan",
        "Convergence: relaxation threshold",
        "Water-monomer geometry relaxed to each force threshold fmax (eV/Å).",
        lambda p: [water_molecule()],
        _fmax_scan,
        _fmax_table,
    )
)


def _delta_scan(model: Model, p: dict, folder: Path) -> Values:
    from molxtal.plotting.scan import delta_scan_figure
    from molxtal.workflows.scan import delta_scan

    scan = delta_scan(water_molecule(), model, p["deltas"], p["fmaxes"], p["nfree"], p["steps"])
    figure = save_figure(
        folder, "delta_scan.png", delta_scan_figure, scan, f"Water monomer, {model.name}"
    )
    return {
        "fmax_eV_per_angstrom": scan.fmax_eV_per_angstrom,
        "delta_angstrom": scan.delta_angstrom,
        "frequencies_cm-1": scan.frequencies_cm1,
        "analytic_cm-1": scan.analytic_cm1,
        "plateaus": scan.plateaus,
        "recommended_delta_angstrom": scan.recommended_delta_angstrom,
        "figures": [figure],
    }


def _delta_table(values: dict[str, Values], p: dict) -> Table:
    rows = []
    for name, v in values.items():
        for fmax, (first, last), best in zip(
            v["fmax_eV_per_angstrom"], v["plateaus"], v["recommended_delta_angstrom"], strict=True
        ):
            deltas = v["delta_angstrom"]
            rows.append([name, f"{fmax:g}", f"{deltas[first]:g} – {deltas[last]:g}", f"{best:g}"])
    return ["model", "fmax (eV/Å)", "plateau δ (Å)", "recommended δ (Å)"], rows


register(
    Step(
        "delta-scan",
        "Convergence: finite-difference step",
        "Water-monomer frequencies (cm⁻¹) against the displacement δ (Å) for several fmax; "
        "plateau where neighbouring δ agree within 1 cm⁻¹ (analytic Hessian as reference "
        "where the model has one).",
        lambda p: [water_molecule()],
        _delta_scan,
        _delta_table,
    )
)
