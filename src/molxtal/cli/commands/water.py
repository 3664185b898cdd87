"""``molxtal water monomer|dimer|binding-curve``: the thesis's water recipes (chapter 3)."""

from __future__ import annotations

from typing import Annotated

import numpy as np
import typer

from molxtal.analysis.water import (
    DIMER_FREQUENCY_QUANTITIES,
    DIMER_GEOMETRY_QUANTITIES,
    DIMER_ZPE_QUANTITY,
    MONOMER_QUANTITIES,
    pick,
)
from molxtal.cli.commands.vibrations import (
    CacheOpt,
    DeltaOpt,
    MethodOpt,
    NfreeOpt,
    vibrations_cache_dir,
)
from molxtal.cli.console import console, handle_errors, print_table
from molxtal.cli.options import (
    DataDirOpt,
    OutOpt,
    with_models,
)
from molxtal.cli.run import result_dir
from molxtal.data import use_data_dir
from molxtal.data import water as ref
from molxtal.errors import NotConvergedError
from molxtal.models import Model
from molxtal.plotting.water import binding_curves, error_bars
from molxtal.units import INVCM_PER_EV
from molxtal.workflows.water import (
    BINDING_DISTANCES,
    binding_curve,
    water_dimer_recipe,
    water_monomer,
)

water_app = typer.Typer(help="Water monomer, dimer and binding curve (thesis chapter 3).")

FmaxOpt = Annotated[float, typer.Option(help="Relaxation force threshold (eV/Å).")]
StepsOpt = Annotated[int, typer.Option(help="Maximum relaxation steps.")]


def _fmt(value, digits: int) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _check_converged(relaxations: dict, results_path) -> None:
    failed = [name for name, r in relaxations.items() if not r.converged]
    if failed:
        raise NotConvergedError(
            f"relaxation with {', '.join(failed)} did not converge (results in {results_path})"
        )


def _comparison_row(quantity, values, reference, thesis) -> list[str]:
    """One table row: the reference, then per model "value (error) [thesis value]"."""
    label, key, index, digits = quantity
    ref_value = pick(reference, key, index)
    row = [label, _fmt(ref_value, digits)]
    for name in values:
        value = pick(values[name], key, index)
        cell = f"{value:.{digits}f} ({value - ref_value:+.{digits}f})"
        if thesis[name] is not None:
            cell += f" [thesis {pick(thesis[name], key, index):.{digits}f}]"
        row.append(cell)
    return row


def _errors(quantities, values, reference) -> dict[str, list[float]]:
    """Model − reference for each quantity, per model."""
    return {
        name: [pick(values[name], k, i) - pick(reference, k, i) for _, k, i, _ in quantities]
        for name in values
    }


@handle_errors
@with_models
def monomer_command(
    fmax: FmaxOpt = 1e-8,
    steps: StepsOpt = 1000,
    method: MethodOpt = "auto",
    delta: DeltaOpt = 1e-3,
    nfree: NfreeOpt = 4,
    cache: CacheOpt = None,
    data_dir: DataDirOpt = None,
    out: OutOpt = None,
    *,
    models: list[Model],
) -> None:
    """Relaxed H2O: r_OH (Å), HOH (°), ω1 ω2 ω3 (cm⁻¹), ZPE (eV) against experiment."""
    use_data_dir(data_dir)
    reference = dict(ref.MONOMER_REFERENCE)
    reference["zpe_eV"] = 0.5 * sum(reference["frequencies_cm-1"]) / INVCM_PER_EV
    parameters = {
        "fmax_eV_per_angstrom": fmax,
        "steps": steps,
        "method": method,
        "delta_angstrom": delta,
        "nfree": nfree,
    }
    with result_dir("water-monomer", out, models, parameters) as results:
        values, thesis, relaxations, frames = {}, {}, {}, []
        for m in models:
            with results.provenance.stage(f"monomer[{m.name}]"):
                r = water_monomer(m, fmax, steps, method, delta, nfree, vibrations_cache_dir(cache))
            label = ref.thesis_label(m.name)
            thesis[m.name] = ref.thesis_monomer(label) if label else None
            relaxations[m.name] = r.relaxation
            values[m.name] = {
                "r_OH_angstrom": r.r_OH_angstrom,
                "angle_HOH_deg": r.angle_HOH_deg,
                "frequencies_cm-1": r.omega_cm1,
                "zpe_eV": r.zpe_eV,
                "frequency_method": r.vibration.method,
                "relaxation": r.relaxation.to_dict(),
                "thesis": thesis[m.name],
            }
            r.relaxation.atoms.info["model"] = m.name
            frames.append(r.relaxation.atoms)
        quantities = MONOMER_QUANTITIES
        rows = [_comparison_row(q, values, reference, thesis) for q in quantities]
        results.write_json(
            "results.json",
            {
                "reference": reference,
                "reference_source": ref.MONOMER_CITATION,
                "models": values,
                **(values[models[0].name] if len(models) == 1 else {}),
            },
        )
        results.write_csv(
            "water_monomer.csv",
            [dict(zip(["quantity", "reference", *values], row, strict=True)) for row in rows],
        )
        results.write_atoms("relaxed.extxyz", frames)
        for stem, picks, unit in (
            ("frequency_errors", quantities[2:5], "cm⁻¹"),
            ("geometry_zpe_errors", [quantities[k] for k in (0, 1, 5)], "Å, °, eV"),
        ):
            figure = error_bars(
                "Water monomer: model − experiment",
                [q[0] for q in picks],
                _errors(picks, values, reference),
                unit,
            )
            results.save_figure(f"{stem}.png", figure)
        print_table(
            "Water monomer: value (error vs experiment) [thesis value]",
            ["quantity", "reference", *values],
            rows,
        )
        console.print(f"Results in {results.path}")
        _check_converged(relaxations, results.path)


@handle_errors
@with_models
def dimer_command(
    fmax: FmaxOpt = 1e-6,
    steps: StepsOpt = 2000,
    method: MethodOpt = "auto",
    delta: DeltaOpt = 1e-3,
    nfree: NfreeOpt = 4,
    cache: CacheOpt = None,
    data_dir: DataDirOpt = None,
    out: OutOpt = None,
    *,
    models: list[Model],
) -> None:
    """Relaxed (H2O)2: r_OO, α, β, θ_a, θ_d; 12 frequencies with MAE; ZPE, against CCSD(T)."""
    use_data_dir(data_dir)
    reference = {
        **ref.DIMER_GEOMETRY_REFERENCE,
        "frequencies_cm-1": ref.DIMER_FREQUENCIES_REFERENCE,
        "zpe_eV": ref.DIMER_ZPE_REFERENCE_EV,
    }
    ref_freq = np.array(ref.DIMER_FREQUENCIES_REFERENCE)
    parameters = {
        "fmax_eV_per_angstrom": fmax,
        "steps": steps,
        "method": method,
        "delta_angstrom": delta,
        "nfree": nfree,
    }
    with result_dir("water-dimer", out, models, parameters) as results:
        values, thesis, relaxations, frames, freq_errors = {}, {}, {}, [], {}
        for m in models:
            with results.provenance.stage(f"dimer[{m.name}]"):
                r = water_dimer_recipe(
                    m, fmax, steps, method, delta, nfree, vibrations_cache_dir(cache)
                )
            label = ref.thesis_label(m.name)
            thesis[m.name] = ref.thesis_dimer(label) if label else None
            relaxations[m.name] = r.relaxation
            freqs = r.vibration.frequencies_cm1
            freq_errors[m.name] = freqs - ref_freq
            values[m.name] = {
                **r.geometry.values(),
                "frequencies_cm-1": freqs,
                "frequency_errors_cm-1": freq_errors[m.name],
                "frequency_MAE_cm-1": float(np.abs(freq_errors[m.name]).mean()),
                "zpe_eV": r.zpe_eV,
                "frequency_method": r.vibration.method,
                "donor_atoms": r.geometry.donor,
                "acceptor_atoms": r.geometry.acceptor,
                "bonded_hydrogen": r.geometry.bonded_hydrogen,
                "relaxation": r.relaxation.to_dict(),
                "thesis": thesis[m.name],
            }
            r.relaxation.atoms.info["model"] = m.name
            frames.append(r.relaxation.atoms)
        geometry_q = DIMER_GEOMETRY_QUANTITIES
        freq_q = DIMER_FREQUENCY_QUANTITIES
        zpe_q = [DIMER_ZPE_QUANTITY]
        rows = [_comparison_row(q, values, reference, thesis) for q in geometry_q + freq_q + zpe_q]
        rows.insert(
            len(geometry_q) + 12,
            [
                "frequency MAE (cm⁻¹)",
                "-",
                *(f"{values[n]['frequency_MAE_cm-1']:.1f}" for n in values),
            ],
        )
        results.write_json(
            "results.json",
            {
                "reference": reference,
                "reference_sources": {
                    "geometry": ref.DIMER_GEOMETRY_CITATION,
                    "frequencies_and_zpe": ref.DIMER_FREQUENCIES_CITATION,
                },
                "models": values,
                **(values[models[0].name] if len(models) == 1 else {}),
            },
        )
        results.write_csv(
            "water_dimer.csv",
            [dict(zip(["quantity", "reference", *values], row, strict=True)) for row in rows],
        )
        results.write_atoms("relaxed.extxyz", frames)
        results.save_figure(
            "frequency_errors.png",
            error_bars(
                f"Water dimer: model − CCSD(T)/CBS ({ref.DIMER_FREQUENCIES_CITATION})",
                [f"ω{k + 1}" for k in range(12)],
                freq_errors,
                "cm⁻¹",
            ),
        )
        results.save_figure(
            "geometry_errors.png",
            error_bars(
                f"Water dimer geometry: model − {ref.DIMER_GEOMETRY_CITATION}",
                [q[0] for q in geometry_q],
                _errors(geometry_q, values, reference),
                "Å or °",
            ),
        )
        print_table(
            "Water dimer: value (error vs reference) [thesis value]",
            ["quantity", "reference", *values],
            rows,
        )
        console.print(f"Results in {results.path}")
        _check_converged(relaxations, results.path)


@handle_errors
@with_models
def binding_curve_command(
    r_min: Annotated[float, typer.Option(help="Shortest O–O distance (Å).")] = 2.0,
    r_max: Annotated[float, typer.Option(help="Longest O–O distance (Å).")] = 6.0,
    fmax: FmaxOpt = 1e-3,
    steps: StepsOpt = 500,
    out: OutOpt = None,
    *,
    models: list[Model],
) -> None:
    """ΔE = E_dimer − 2 E_monomer (eV) against r_OO (Å), relaxed at fixed O–O distance."""
    grid = np.array(BINDING_DISTANCES)
    distances = np.unique(np.concatenate([[r_min, r_max], grid[(grid > r_min) & (grid < r_max)]]))
    parameters = {"r_OO_angstrom": distances, "fmax_eV_per_angstrom": fmax, "steps": steps}
    with result_dir("water-binding-curve", out, models, parameters) as results:
        curves, per_model, rows, csv_rows = {}, {}, [], []
        for m in models:
            with results.provenance.stage(f"binding-curve[{m.name}]"):
                curve = curves[m.name] = binding_curve(m, distances, fmax, steps)
            per_model[m.name] = {
                "r_OO_angstrom": curve.r_OO_angstrom,
                "binding_energy_eV": curve.binding_energy_eV,
                "converged": curve.converged,
                "monomer_energy_eV": curve.monomer_energy_eV,
                "minimum_r_OO_angstrom": curve.minimum_r_OO_angstrom,
                "minimum_binding_energy_eV": curve.minimum_energy_eV,
                "dissociation_limit_eV": curve.binding_energy_eV[-1],
            }
            csv_rows += [
                {"model": m.name, "r_OO_angstrom": r, "binding_energy_eV": e, "converged": c}
                for r, e, c in zip(
                    curve.r_OO_angstrom, curve.binding_energy_eV, curve.converged, strict=True
                )
            ]
            rows.append(
                [
                    m.name,
                    f"{curve.minimum_r_OO_angstrom:.3f}",
                    f"{curve.minimum_energy_eV:.4f}",
                    f"{curve.binding_energy_eV[-1] * 1000:.2f}",
                    str(int((~curve.converged).sum())),
                ]
            )
        rows.append(
            [
                "experiment (Curtiss 1979)",
                f"{ref.BINDING_REFERENCE['r_OO_angstrom']:.3f}",
                f"{ref.BINDING_REFERENCE['binding_energy_eV']:.4f}",
                "0",
                "-",
            ]
        )
        results.write_json(
            "results.json",
            {
                "reference": ref.BINDING_REFERENCE,
                "reference_source": ref.BINDING_CITATION,
                "models": per_model,
            },
        )
        results.write_csv("binding_curve.csv", csv_rows)
        results.save_figure(
            "binding_curve.png",
            binding_curves(
                curves,
                ref.BINDING_REFERENCE["r_OO_angstrom"],
                ref.BINDING_REFERENCE["binding_energy_eV"],
                "Curtiss 1979",
            ),
        )
        print_table(
            "Water dimer binding curve (spline minimum)",
            [
                "model",
                "r_OO min (Å)",
                "ΔE min (eV)",
                f"ΔE({distances[-1]:g} Å) (meV)",
                "unconverged points",
            ],
            rows,
        )
        console.print(f"Results in {results.path}")


def register(app: typer.Typer) -> None:
    water_app.command("monomer")(monomer_command)
    water_app.command("dimer")(dimer_command)
    water_app.command("binding-curve")(binding_curve_command)
    app.add_typer(water_app, name="water")
