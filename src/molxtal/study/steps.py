"""The steps of the study: each runs one workflow for one model and returns JSON-able values.

A step is registered with :func:`register`; its ``compute(model, parameters, folder)`` writes
its figures (PNG) into ``folder`` and returns its values, and ``table(values_by_model,
parameters)`` turns the stored values of every model into the report's table. Adding a part
to the study is one ``register(Step(...))`` call and an entry in each profile.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from ase import Atoms

from molxtal import io
from molxtal.analysis.water import (
    DIMER_FREQUENCY_QUANTITIES,
    DIMER_GEOMETRY_QUANTITIES,
    DIMER_ZPE_QUANTITY,
    MONOMER_QUANTITIES,
    pick,
)
from molxtal.data import dmc_ice13
from molxtal.data import water as ref
from molxtal.errors import MolxtalError
from molxtal.models import Model
from molxtal.structures import water_box, water_dimer, water_molecule
from molxtal.units import INVCM_PER_EV

Values = dict[str, Any]
Table = tuple[list[str], list[list[str]]]
#: pyplot is not thread-safe; dask workers with ``processes=False`` draw one figure at a time.
FIGURE_LOCK = threading.Lock()


@dataclass(frozen=True)
class Step:
    """One part of the study, run per model."""

    name: str
    title: str
    what: str
    structures: Callable[[dict], list[Atoms]]
    compute: Callable[[Model, dict, Path], Values]
    table: Callable[[dict[str, Values], dict], Table]


STEPS: dict[str, Step] = {}


def register(step: Step) -> Step:
    STEPS[step.name] = step
    return step


def save_figure(folder: Path, name: str, draw: Callable, *args) -> str:
    """Draw ``draw(*args)`` and save it as ``folder/name`` (atomic); the file name."""
    import matplotlib.pyplot as plt

    with FIGURE_LOCK:
        figure = draw(*args)
        io.save_figure(folder / name, figure, dpi=90)
        plt.close(figure)
    return name


def _fmt(value, digits: int) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def comparison_table(quantities, values: dict[str, Values], reference: dict, thesis) -> Table:
    """Rows per quantity: the reference, then per model "value (error) [thesis value]"."""
    rows = []
    for label, key, index, digits in quantities:
        expected = pick(reference, key, index)
        row = [label, _fmt(expected, digits)]
        for name, v in values.items():
            value = pick(v, key, index)
            cell = _fmt(value, digits)
            if value is not None and expected is not None:
                cell += f" ({value - expected:+.{digits}f})"
            label_t = ref.thesis_label(name)
            known = thesis(label_t) if label_t else None
            if known is not None:
                cell += f" [thesis {pick(known, key, index):.{digits}f}]"
            row.append(cell)
        rows.append(row)
    return ["quantity", "reference", *values], rows


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
        "relaxation": r.relaxation.summary(),
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
        "relaxation": r.relaxation.summary(),
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

# --------------------------------------------------------------------------- DMC-ICE13


def _ice13(model: Model, p: dict, folder: Path) -> Values:
    from molxtal.analysis.ice13 import DMC, compare, published_stats, published_table, rank
    from molxtal.plotting.lattice import parity_figure, relative_energies_figure
    from molxtal.workflows.ice13 import ice13_energies

    energies = ice13_energies(model).kJmol
    table = published_table(p["ice_viii"])
    stats = compare(energies, table[DMC])
    ranking = rank(stats, published_stats(table))
    figures = [
        save_figure(
            folder, "relative.png", relative_energies_figure, {model.name: energies}, table, [DMC]
        ),  # fmt: skip
        save_figure(folder, "parity.png", parity_figure, {model.name: energies}, table[DMC], DMC),
    ]
    return {
        "lattice_energy_kJmol": energies,
        "dmc_kJmol": table[DMC],
        "absolute_mae_kJmol": stats.absolute.mae,
        "relative_mae_kJmol": stats.relative.mae,
        "spearman_rho": stats.spearman_rho,
        "absolute_rank": ranking.absolute_rank,
        "relative_rank": ranking.relative_rank,
        "out_of": ranking.out_of,
        "figures": figures,
    }


def _ice13_table(values: dict[str, Values], p: dict) -> Table:
    first = next(iter(values.values()))
    dmc = first["dmc_kJmol"]
    rows = []
    for phase in dmc_ice13.PHASES:
        row = [f"E_latt {phase} (kJ/mol)", f"{dmc[phase]:.2f}"]
        for v in values.values():
            e = v["lattice_energy_kJmol"][phase]
            row.append(f"{e:.2f} ({e - dmc[phase]:+.2f})")
        rows.append(row)
    for label, key, digits in (
        ("MAE absolute (kJ/mol)", "absolute_mae_kJmol", 2),
        ("MAE relative to Ih (kJ/mol)", "relative_mae_kJmol", 2),
        ("Spearman ρ of relative stabilities", "spearman_rho", 3),
    ):
        rows.append([label, "-", *(f"{v[key]:.{digits}f}" for v in values.values())])
    rows.append(
        [
            "rank of MAE among DFT/HF (absolute, relative)",
            "-",
            *(
                f"{v['absolute_rank']}, {v['relative_rank']} of {v['out_of']}"
                for v in values.values()
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

# --------------------------------------------------------------------------- ice Ih phonons


def _phonons(model: Model, p: dict, folder: Path) -> Values:
    from molxtal.data import heat_capacity
    from molxtal.plotting.phonons import plot_bands, plot_dos, plot_heat_capacity
    from molxtal.workflows import phonons as ph

    atoms = dmc_ice13.polymorph("Ih")
    n_mol = dmc_ice13.MOLECULES_PER_CELL["Ih"]
    options = {"path": p["path"], "npoints": p["npoints"], "mesh": p["mesh"]}
    options |= {"sigma_THz": p["sigma_THz"], "t_max": 300.0, "t_step": 5.0}
    values: Values = {"supercells": {}}
    for n in p["supercells"]:
        settings = ph.DisplacementSettings(ph.supercell_matrix([n, n, n]), p["displacement"])
        run = ph.run_force_constants(
            atoms, model, settings, folder / "forces", "positions", p["relax_fmax"]
        )
        variants = {"H2O": run.phonon, "D2O": ph.with_masses(run.phonon, ph.ISOTOPES["D2O"])}
        analyses = {k: ph.analyse(v, n_mol, **options) for k, v in variants.items()}
        values["supercells"][f"{n}x{n}x{n}"] = {
            "n_atoms": run.n_atoms_supercell,
            "n_displacements": run.n_displacements,
            "acoustic_gamma_max_cm-1": run.force_constants.acoustic_max_cm1,
            **{
                f"{k}_{q}": float(a.thermal.per_molecule()[q][-1])
                for k, a in analyses.items()
                for q in ("F_kJ_per_mol", "C_v_J_per_K_mol")
            },
            **{f"{k}_zpe_kJmol": a.thermal.zpe_kJmol / n_mol for k, a in analyses.items()},
        }
    largest = f"{n}x{n}x{n}"
    cv = {k: a.thermal.per_molecule()["C_v_J_per_K_mol"] for k, a in analyses.items()}
    refs = [heat_capacity.holzapfel_klotz_2021(), heat_capacity.flubacher_1960()]
    title = f"ice Ih {largest}, {model.name}"
    values["figures"] = [
        save_figure(
            folder,
            "bands.png",
            plot_bands,
            {k: a.bands for k, a in analyses.items()},
            "cm-1",
            title,
        ),  # fmt: skip
        save_figure(
            folder, "dos.png", plot_dos, {k: a.dos for k, a in analyses.items()}, "cm-1", title
        ),  # fmt: skip
        save_figure(
            folder,
            "heat_capacity.png",
            plot_heat_capacity,
            analyses["H2O"].thermal.temperatures_K,
            cv,
            refs,
            title,
        ),  # fmt: skip
    ]
    values["C_v_J_per_K_mol"] = {"T_K": analyses["H2O"].thermal.temperatures_K, **cv}
    return values


def _phonon_table(values: dict[str, Values], p: dict) -> Table:
    rows = []
    for name, v in values.items():
        for size, s in v["supercells"].items():
            rows.append(
                [
                    name,
                    f"{size} ({s['n_atoms']} atoms, {s['n_displacements']} displacements)",
                    f"{s['acoustic_gamma_max_cm-1']:.2f}",
                    f"{s['H2O_zpe_kJmol']:.2f} / {s['D2O_zpe_kJmol']:.2f}",
                    f"{s['H2O_F_kJ_per_mol']:.2f} / {s['D2O_F_kJ_per_mol']:.2f}",
                    f"{s['H2O_C_v_J_per_K_mol']:.2f} / {s['D2O_C_v_J_per_K_mol']:.2f}",
                ]
            )
    return [
        "model",
        "supercell",
        "max |acoustic Γ| (cm⁻¹)",
        "ZPE H2O / D2O (kJ/mol)",
        "F(300 K) H2O / D2O (kJ/mol)",
        "C_v(300 K) H2O / D2O (J/(K mol))",
    ], rows


register(
    Step(
        "ice-ih-phonons",
        "Ice Ih phonons",
        "Harmonic phonons of ice Ih (DMC-ICE13 cell, positions relaxed) by finite displacements "
        "(phonopy): bands, DOS, heat capacity against Holzapfel & Klotz 2021 and Flubacher 1960, "
        "H2O and D2O masses, per supercell.",
        lambda p: [dmc_ice13.polymorph("Ih")],
        _phonons,
        _phonon_table,
    )
)

# --------------------------------------------------------------------------- sublimation

#: Sublimation enthalpy of ice Ih at the triple point, 273.16 K (kJ/mol): Feistel and Wagner,
#: Geochim. Cosmochim. Acta 71, 36 (2007).
SUBLIMATION_273K_KJMOL = 51.06


def _sublimation(model: Model, p: dict, folder: Path) -> Values:
    from molxtal.plotting.thermo import plot_sublimation
    from molxtal.workflows import phonons as ph
    from molxtal.workflows.sublimation import sublimation

    n = p["supercell"]
    result = sublimation(
        dmc_ice13.polymorph("Ih"),
        model,
        p["temperatures_K"],
        molecule=dmc_ice13.gas_molecule(),
        settings=ph.DisplacementSettings(ph.supercell_matrix([n, n, n])),
        mesh=p["mesh"],
        checkpoint_root=folder / "forces",
        fmax=p["fmax"],
    )
    terms = result.terms_kJmol()
    title = f"ice Ih, {model.name}"
    return {
        "terms_kJmol": terms,
        "geometries": result.geometries(),
        "figures": [save_figure(folder, "sublimation.png", plot_sublimation, terms, title)],
    }


def _sublimation_table(values: dict[str, Values], p: dict) -> Table:
    rows = []
    for name, v in values.items():
        terms = v["terms_kJmol"]
        for k, t in enumerate(terms["T_K"]):
            expected = SUBLIMATION_273K_KJMOL if abs(t - 273.16) < 1e-6 else None
            dh = terms["dH_sub_kJmol"][k]
            rows.append(
                [
                    name,
                    f"{t:g}",
                    f"{-terms['E_latt_kJmol'][k]:.2f}",
                    f"{terms['delta_TQN_kJmol'][k]:.2f}",
                    f"{dh:.2f}" + ("" if expected is None else f" ({dh - expected:+.2f})"),
                    "-" if expected is None else f"{expected:.2f}",
                ]
            )
    columns = ["model", "T (K)", "−E_latt", "Δ_T&QN", "ΔH_sub (error)", "experiment"]
    return [f"{c} (kJ/mol)" if k > 1 else c for k, c in enumerate(columns)], rows


register(
    Step(
        "sublimation",
        "Sublimation enthalpy of ice Ih",
        "ΔH_sub(T) = −E_latt + Δ_T&QN(T) per molecule: lattice energy of the position-relaxed "
        "DMC-ICE13 ice Ih cell and the relaxed gas molecule, harmonic zero-point and thermal "
        "energies of gas (normal modes) and solid (phonons); experiment at 273.16 K: Feistel "
        "and Wagner 2007.",
        lambda p: [dmc_ice13.polymorph("Ih"), dmc_ice13.gas_molecule()],
        _sublimation,
        _sublimation_table,
    )
)

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
