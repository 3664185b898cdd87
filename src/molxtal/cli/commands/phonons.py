"""``molxtal phonons CRYSTAL``: harmonic phonons by small displacements (phonopy)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from molxtal.cli.console import console, handle_errors, print_table, progress_bar
from molxtal.cli.options import (
    OutOpt,
    SeedOpt,
    with_models,
)
from molxtal.cli.run import result_dir
from molxtal.errors import MolxtalError
from molxtal.models import Model
from molxtal.results import ResultDir
from molxtal.structures import find_molecules, read_structure
from molxtal.workflows import phonons as ph

DEFAULT_CHECKPOINTS = Path("molxtal-results") / "checkpoints" / "phonons"


def parse_masses(masses: list[str], isotope: str | None) -> dict[str, float]:
    """``--isotope D2O`` and ``--mass H=2.014`` (amu) -> element masses; --mass wins."""
    if isotope is not None and isotope not in ph.ISOTOPES:
        raise MolxtalError(f"unknown --isotope '{isotope}'; choose one of {', '.join(ph.ISOTOPES)}")
    result = dict(ph.ISOTOPES[isotope]) if isotope else {}
    for item in masses:
        element, _, value = item.partition("=")
        try:
            result[element.strip()] = float(value)
        except ValueError:
            raise MolxtalError(f"--mass '{item}' is not ELEMENT=MASS (amu)") from None
    return result


def _integers(text: str | None, option: str) -> list[int]:
    """'1 2 3' or '1,2,3' -> [1, 2, 3]."""
    try:
        return [int(x) for x in (text or "").replace(",", " ").split()]
    except ValueError:
        raise MolxtalError(f"{option} '{text}' is not a list of integers") from None


def scan_sizes_from(text: str | None) -> list[int]:
    """``--supercell-scan``: '1 2 3', '1,2,3' or '1-3' -> sorted distinct sizes [1, 2, 3]."""
    sizes = set()
    for item in (text or "").replace(",", " ").split():
        bounds = _integers(item.replace("-", " "), "--supercell-scan")
        if not 1 <= len(bounds) <= 2:
            raise MolxtalError(f"--supercell-scan '{text}': '{item}' is not n or n-m")
        sizes.update(range(bounds[0], bounds[-1] + 1))
    if any(n < 1 for n in sizes):
        raise MolxtalError(f"--supercell-scan '{text}': sizes must be positive integers")
    return sorted(sizes)


def _progress(description: str):
    """Callbacks for the force stage: ``on_start(total)`` opens a bar that ``advance`` moves."""
    state = {}

    def on_start(total: int) -> None:
        state["bar"] = progress_bar(description, total)
        state["advance"] = state["bar"].__enter__()

    def advance(n: int) -> None:
        state["advance"](n)

    def close() -> None:
        if "bar" in state:
            state.pop("bar").__exit__(None, None, None)

    return on_start, advance, close


def _force_constants(atoms, model, settings, checkpoints, relax, relax_fmax, fc_calculator):
    on_start, advance, close = _progress(f"forces ({len(atoms)}-atom cell)")
    try:
        return ph.run_force_constants(
            atoms,
            model,
            settings,
            checkpoints,
            relax_mode=None if relax == "none" else relax,
            relax_fmax=relax_fmax,
            fc_calculator=fc_calculator,
            progress=advance,
            on_start=on_start,
        )
    finally:
        close()


def _thermal_rows(thermal: ph.Thermal) -> list[dict]:
    per_mol = thermal.per_molecule()
    return [
        dict(zip(per_mol, values, strict=True)) for values in zip(*per_mol.values(), strict=True)
    ]


def _write_phonopy_files(results: ResultDir, phonon, suffix: str) -> None:
    ph.write_phonopy_file(phonon, results.file(f"band{suffix}.yaml"), "write_yaml_band_structure")
    ph.write_phonopy_file(phonon, results.file(f"total_dos{suffix}.dat"), "write_total_dos")
    ph.write_phonopy_file(phonon, results.file(f"projected_dos{suffix}.dat"), "write_projected_dos")


def _frequency_at_labels(bands: ph.Bands, unit: str) -> dict[str, list[float]]:
    """Frequencies (``unit``) at each high-symmetry point of the path."""
    points = {}
    for (a, b), f in zip(bands.labels, bands.frequencies_THz, strict=True):
        points.setdefault(a, (f[0] * ph.FREQUENCY_UNITS[unit]).tolist())
        points.setdefault(b, (f[-1] * ph.FREQUENCY_UNITS[unit]).tolist())
    return points


@handle_errors
@with_models
def phonons_command(
    structure: Annotated[Path, typer.Argument(help="Crystal structure (any format ASE reads).")],
    supercell: Annotated[
        tuple[int, int, int] | None, typer.Option(help="Diagonal supercell, e.g. 2 2 2.")
    ] = None,
    supercell_matrix: Annotated[
        str | None, typer.Option(help="Supercell matrix: 9 integers, row-major, e.g. '0 1 1 ...'.")
    ] = None,
    min_length: Annotated[
        float | None,
        typer.Option(help="Smallest diagonal supercell this wide in each direction (Å)."),
    ] = None,
    displacement: Annotated[
        float | None,
        typer.Option(help="Displacement amplitude (Å) (0.01 systematic, 1e-5 random)."),
    ] = None,
    plusminus: Annotated[bool, typer.Option(help="Displace in both directions (±).")] = True,
    displacements: Annotated[
        str,
        typer.Option(
            help="systematic (phonopy, symmetry-reduced ±), random (all atoms, symfc fit) or "
            "hessian (analytic rows, MACE; on a CPU faster only for tiny models)."
        ),
    ] = "systematic",
    snapshots: Annotated[
        int | None, typer.Option(help="Random supercells in the fit (factor × symfc minimum).")
    ] = None,
    snapshot_factor: Annotated[
        float, typer.Option(help="Random supercells per symfc minimum (when no --snapshots).")
    ] = 2.2,
    holdout: Annotated[
        int, typer.Option(help="Extra random supercells left out of the fit, to test it.")
    ] = 2,
    fc_calculator: Annotated[
        str | None, typer.Option(help="traditional or symfc (default: by --displacements).")
    ] = None,
    relax: Annotated[str, typer.Option(help="Pre-relax: none, positions or cell.")] = "none",
    relax_fmax: Annotated[float, typer.Option(help="Relaxation threshold (eV/Å).")] = 1e-3,
    path: Annotated[
        str, typer.Option(help="q-path: auto (seekpath) or labels, e.g. GAMMA-A-K-H-M-L-GAMMA.")
    ] = "auto",
    npoints: Annotated[int, typer.Option(help="q-points per path segment.")] = 101,
    unit: Annotated[str, typer.Option(help="Frequency unit: cm-1, THz or meV.")] = "cm-1",
    mesh: Annotated[tuple[int, int, int], typer.Option(help="DOS/thermal q-mesh.")] = (8, 8, 8),
    sigma: Annotated[
        float | None, typer.Option(help="Gaussian DOS smearing (THz) (tetrahedra).")
    ] = None,
    t_max: Annotated[float, typer.Option(help="Highest temperature (K).")] = 300.0,
    t_step: Annotated[float, typer.Option(help="Temperature step (K).")] = 5.0,
    mass: Annotated[
        list[str] | None, typer.Option(help="Isotope mass, ELEMENT=amu (repeatable).")
    ] = None,
    isotope: Annotated[str | None, typer.Option(help="Isotope shorthand: D2O.")] = None,
    supercell_scan: Annotated[
        str | None,
        typer.Option(help="Also run n×n×n supercells: '1 2 3', 1,2,3 or 1-3."),
    ] = None,
    checkpoints: Annotated[
        Path, typer.Option(help="Folder of per-displacement force checkpoints.")
    ] = DEFAULT_CHECKPOINTS,
    seed: SeedOpt = 0,
    out: OutOpt = None,
    *,
    models: list[Model],
) -> None:
    """Force constants, band structure, DOS, thermal properties and isotopes of a crystal."""
    if unit not in ph.FREQUENCY_UNITS:
        raise MolxtalError(f"unknown --unit '{unit}'; choose {', '.join(ph.FREQUENCY_UNITS)}")
    if sum(x is not None for x in (supercell, supercell_matrix, min_length)) > 1:
        raise MolxtalError("give one of --supercell, --supercell-matrix or --min-length")
    atoms = read_structure(structure)
    if min_length:
        matrix = ph.min_length_supercell(atoms, min_length)
    else:
        matrix = ph.supercell_matrix(
            _integers(supercell_matrix, "--supercell-matrix") or supercell or [1, 1, 1]
        )
    scan_sizes = scan_sizes_from(supercell_scan)
    masses = parse_masses(mass or [], isotope)
    molecules = find_molecules(atoms)
    if len(models) > 1:
        raise MolxtalError("phonons takes one --model")
    m = models[0]
    m.check_elements(atoms, str(structure))
    settings = ph.DisplacementSettings(
        matrix, displacement, plusminus, displacements, snapshots, seed, snapshot_factor, holdout
    )
    analysis_options = {
        "path": path,
        "npoints": npoints,
        "mesh": mesh,
        "sigma_THz": sigma,
        "t_max": t_max,
        "t_step": t_step,
    }
    parameters = {
        "structure": str(structure),
        "supercell_matrix": matrix.tolist(),
        "displacement_angstrom": settings.amplitude,
        "plusminus": plusminus,
        "displacements": displacements,
        "snapshots": snapshots,
        "snapshot_factor": snapshot_factor,
        "holdout": holdout,
        "relax": relax,
        "relax_fmax_eV_per_angstrom": relax_fmax,
        "masses_amu": masses,
        "checkpoints": str(checkpoints),
        **analysis_options,
    }
    with result_dir("phonons", out, models, parameters, seed) as results:
        stage = results.provenance.stage
        run = _force_constants(atoms, m, settings, checkpoints, relax, relax_fmax, fc_calculator)
        for name, seconds in run.timings_s.items():
            results.provenance.stages_s[name] = seconds
        if run.relaxation is not None:
            r = run.relaxation
            console.print(
                f"Relaxation ({r.mode}): {'converged' if r.converged else 'NOT converged'} in "
                f"{r.steps} steps, max force {r.fmax_final:.2e} eV/Å (target {r.fmax_target:g}), "
                f"ΔE {r.energy_final_eV - r.energy_initial_eV:.5f} eV"
            )
            results.write_atoms("relaxed.extxyz", r.atoms)
        phonon = run.phonon
        n_mol = molecules.count
        with stage("save_phonopy"):
            # no displacement data set for analytic Hessians: store the force constants
            fc_settings = {"force_constants": settings.method == "hessian"}
            ph.write_phonopy_file(
                phonon, results.file("phonopy_params.yaml"), "save", settings=fc_settings
            )
        variants = {"H2O" if masses and isotope == "D2O" else "natural": phonon}
        if masses:
            variants[isotope or "isotopes"] = ph.with_masses(phonon, masses)
        analyses = {}
        for k, (name, variant) in enumerate(variants.items()):
            analysis = ph.analyse(variant, n_mol, **analysis_options)
            for key, seconds in analysis.timings_s.items():
                results.provenance.stages_s[f"{key}[{name}]"] = seconds
            _write_phonopy_files(results, variant, "" if k == 0 else f"-{name}")
            analyses[name] = analysis
        scan, scan_bands = (
            _supercell_scan(
                results,
                atoms,
                m,
                settings,
                checkpoints,
                fc_calculator,
                scan_sizes,
                n_mol,
                unit,
                analysis_options,
            )
            if scan_sizes
            else (None, {})
        )
        _figures(results, analyses, unit, structure, scan_bands)
        thermal_mol = {
            name: {k: v.tolist() for k, v in a.thermal.per_molecule().items()}
            for name, a in analyses.items()
        }
        zpe = {name: a.thermal.zpe_kJmol / n_mol for name, a in analyses.items()}
        fc = run.force_constants
        timing_rows = [
            {"stage": name, "wall_s": seconds}
            for name, seconds in results.provenance.stages_s.items()
        ]
        payload = {
            "structure": str(structure),
            "n_atoms_cell": len(atoms),
            "n_molecules_cell": n_mol,
            "n_atoms_supercell": run.n_atoms_supercell,
            "supercell_matrix": matrix.tolist(),
            "n_displacements": run.n_displacements,
            "forces_computed": run.force_sets.n_computed,
            "forces_from_checkpoint": run.force_sets.n_loaded,
            "checkpoint": str(run.force_sets.checkpoint),
            "fc_calculator": fc.fc_calculator,
            "supercells_fitted": fc.n_fitted,
            "holdout_force_error": fc.holdout_error,
            "fit_trusted": fc.holdout_error is None or fc.holdout_error <= ph.HOLDOUT_TOLERANCE,
            "acoustic_gamma_before_cm-1": fc.acoustic_before_cm1,
            "acoustic_gamma_after_cm-1": fc.acoustic_after_cm1,
            "acoustic_gamma_max_cm-1": fc.acoustic_max_cm1,
            "zpe_kJmol_per_molecule": zpe[next(iter(zpe))],
            "zpe_kJmol_per_molecule_by_masses": zpe,
            "thermal": thermal_mol[next(iter(thermal_mol))],
            "thermal_by_masses": thermal_mol,
            "frequencies_at_points": {
                name: _frequency_at_labels(a.bands, unit) for name, a in analyses.items()
            },
            "frequency_unit": unit,
            "relaxation": None
            if run.relaxation is None
            else {
                k: getattr(run.relaxation, k)
                for k in (
                    "mode",
                    "fmax_target",
                    "fmax_final",
                    "steps",
                    "converged",
                    "energy_initial_eV",
                    "energy_final_eV",
                )
            },
            "timings_s": results.provenance.stages_s,
            "supercell_scan": scan,
        }
        results.write_json("results.json", payload)
        for name, rows in ((n, _thermal_rows(a.thermal)) for n, a in analyses.items()):
            results.write_csv(f"thermal-{name}.csv", rows)
        results.write_csv("timings.csv", timing_rows)
    _print_summary(run, analyses, n_mol, results)


def _supercell_scan(
    results, atoms, model, settings, checkpoints, fc_calculator, sizes, n_mol, unit, options
) -> tuple[list[dict], dict[str, ph.Bands]]:
    """Force constants and analysis for each n×n×n supercell: rows per size, and bands."""
    from dataclasses import replace

    rows, bands = [], {}
    t300 = int(round(300.0 / options["t_step"]))
    for n in sizes:
        scan_settings = replace(settings, supercell=ph.supercell_matrix([n, n, n]))
        with results.provenance.stage(f"scan_{n}x{n}x{n}"):
            run = _force_constants(
                atoms, model, scan_settings, checkpoints, "none", 0, fc_calculator
            )
            analysis = ph.analyse(run.phonon, n_mol, **options)
        bands[f"{n}×{n}×{n}"] = analysis.bands
        temperatures = analysis.thermal.temperatures_K
        f300 = (
            float(analysis.thermal.free_energy_kJmol[t300] / n_mol)
            if t300 < len(temperatures) and abs(temperatures[t300] - 300.0) < 1e-6
            else None
        )
        rows.append(
            {
                "supercell": n,
                "n_atoms": run.n_atoms_supercell,
                "n_displacements": run.n_displacements,
                "zpe_kJmol_per_molecule": analysis.thermal.zpe_kJmol / n_mol,
                "F_300K_kJmol_per_molecule": f300,
                "acoustic_gamma_max_cm-1": run.force_constants.acoustic_max_cm1,
                "frequencies_at_points": _frequency_at_labels(analysis.bands, unit),
            }
        )
    results.write_csv(
        "supercell_scan.csv",
        [{k: v for k, v in r.items() if k != "frequencies_at_points"} for r in rows],
    )
    return rows, bands


def _figures(results, analyses, unit, structure, scan_bands) -> None:
    from molxtal.plotting import phonons as plots

    name = Path(structure).stem if Path(structure).stem != "POSCAR" else Path(structure).parent.name
    results.save_figure(
        "bands.png", plots.plot_bands({k: a.bands for k, a in analyses.items()}, unit, name)
    )
    results.save_figure(
        "dos.png", plots.plot_dos({k: a.dos for k, a in analyses.items()}, unit, name)
    )
    first = next(iter(analyses.values()))
    references = []
    if _is_ice_ih(structure, first):
        from molxtal.data import heat_capacity

        references = [heat_capacity.holzapfel_klotz_2021(), heat_capacity.flubacher_1960()]
    cv = {k: a.thermal.per_molecule()["C_v_J_per_K_mol"] for k, a in analyses.items()}
    results.save_figure(
        "heat_capacity.png",
        plots.plot_heat_capacity(first.thermal.temperatures_K, cv, references, name),
    )
    if scan_bands:
        results.save_figure("bands_supercell_scan.png", plots.plot_bands(scan_bands, unit, name))


def _is_ice_ih(structure: Path, analysis: ph.Analysis) -> bool:
    """Water ice Ih by name: a file under an ``Ih`` folder or named like ``ice_ih``."""
    text = str(structure).lower().replace("-", "_")
    return "/ih/" in f"/{text}" or "ice_ih" in text or "iceih" in text


def _print_summary(run, analyses, n_mol, results) -> None:
    fc = run.force_constants
    computed = f"{run.force_sets.n_computed} / {run.force_sets.n_loaded}"
    print_table(
        "Force constants",
        ["quantity", "value"],
        [
            ["atoms in supercell", run.n_atoms_supercell],
            ["displaced supercells", run.n_displacements],
            ["computed now / from checkpoint", computed],
            ["acoustic at Γ before sum rule (cm⁻¹)", _join(fc.acoustic_before_cm1)],
            ["acoustic at Γ after sum rule (cm⁻¹)", _join(fc.acoustic_after_cm1)],
            ["supercells in the fit", fc.n_fitted if fc.n_fitted else run.n_displacements],
        ]
        + (
            [["held-out force error of the fit (relative RMS)", f"{fc.holdout_error:.2e}"]]
            if fc.holdout_error is not None
            else []
        ),
    )
    t_max = next(iter(analyses.values())).thermal.temperatures_K[-1]
    rows = []
    for name, analysis in analyses.items():
        per_mol = analysis.thermal.per_molecule()
        rows.append(
            [
                name,
                f"{analysis.thermal.zpe_kJmol / n_mol:.3f}",
                f"{per_mol['F_kJ_per_mol'][-1]:.3f}",
                f"{per_mol['F_classical_kJ_per_mol'][-1]:.3f}",
                f"{per_mol['C_v_J_per_K_mol'][-1]:.3f}",
            ]
        )
    print_table(
        f"Harmonic thermodynamics per mole of molecules (T = {t_max:g} K)",
        ["masses", "ZPE (kJ/mol)", "F (kJ/mol)", "F classical (kJ/mol)", "C_v (J/(K mol))"],
        rows,
    )
    print_table(
        f"Timings ({run.n_atoms_supercell} atoms in supercell, "
        f"{run.n_displacements} displacements)",
        ["stage", "wall time (s)"],
        [[name, f"{s:.2f}"] for name, s in results.provenance.stages_s.items()],
    )
    if fc.holdout_error is not None and fc.holdout_error > ph.HOLDOUT_TOLERANCE:
        console.print(
            f"[bold red]Warning:[/] the random-displacement fit predicts held-out forces with "
            f"{fc.holdout_error:.1%} error (> {ph.HOLDOUT_TOLERANCE:.0%}): too few snapshots; "
            "raise --snapshot-factor or use --displacements systematic"
        )
    console.print(f"Results in {results.path}")


def _join(values) -> str:
    return ", ".join(f"{x:.3f}" for x in values)


def register(app: typer.Typer) -> None:
    app.command("phonons")(phonons_command)
