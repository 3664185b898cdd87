"""``molxtal scan fmax|delta FILE``: convergence of geometry and frequencies."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from molxtal.cli.commands.vibrations import CacheOpt, NfreeOpt, vibrations_cache_dir
from molxtal.cli.console import console, handle_errors, print_table
from molxtal.cli.options import OutOpt, with_models
from molxtal.cli.run import result_dir
from molxtal.errors import MolxtalError
from molxtal.models import Model
from molxtal.plotting.scan import delta_scan_figure, fmax_scan_figure
from molxtal.structures import read_structure
from molxtal.workflows.scan import DELTA_SCAN, DELTA_SCAN_FMAX, FMAX_SCAN, delta_scan, fmax_scan

scan_app = typer.Typer(help="Convergence scans: geometry vs fmax, frequencies vs delta.")
StructureArg = Annotated[Path, typer.Argument(help="Structure file (any format ASE reads).")]
StepsOpt = Annotated[int, typer.Option(help="Maximum relaxation steps.")]


def _floats(text: str, option: str) -> list[float]:
    try:
        return [float(t) for t in text.split(",") if t.strip()]
    except ValueError as exc:
        raise MolxtalError(f"{option} expects comma-separated numbers, got '{text}'") from exc


def _one_model(models: list[Model]) -> Model:
    if len(models) != 1:
        raise MolxtalError("a scan takes exactly one --model")
    return models[0]


@handle_errors
@with_models
def fmax_command(
    structure: StructureArg,
    fmax: Annotated[str, typer.Option(help="Thresholds (eV/Å), comma-separated.")] = ",".join(
        f"{f:g}" for f in FMAX_SCAN
    ),
    steps: StepsOpt = 2000,
    out: OutOpt = None,
    *,
    models: list[Model],
) -> None:
    """Bond lengths (Å) and angles (°) after relaxing to each fmax (eV/Å)."""
    atoms = read_structure(structure)
    m = _one_model(models)
    m.check_elements(atoms, str(structure))
    fmaxes = _floats(fmax, "--fmax")
    with result_dir("scan-fmax", out, [m], {"structure": str(structure), "fmax": fmaxes}) as res:
        scan = fmax_scan(atoms, m, fmaxes, steps)
        rows = [
            {"fmax_eV_per_angstrom": f, "energy_eV": e, "converged": c,
             **{label: v[k] for label, v in scan.geometry.items()}}
            for k, (f, e, c) in enumerate(
                zip(scan.fmax_eV_per_angstrom, scan.energy_eV, scan.converged, strict=True)
            )
        ]  # fmt: skip
        res.write_json("results.json", {"structure": str(structure), "model": m.name, **vars(scan)})
        res.write_csv("fmax_scan.csv", rows)
        res.save_figure("fmax_scan.png", fmax_scan_figure(scan, f"{structure.name}, {m.name}"))
    labels = list(scan.geometry)
    print_table(
        f"Geometry against fmax: {structure.name} ({m.name})",
        ["fmax (eV/Å)", "E (eV)", *labels],
        [[f"{r['fmax_eV_per_angstrom']:g}", f"{r['energy_eV']:.8f}",
          *(f"{r[label]:.6f}" for label in labels)] for r in rows],
    )  # fmt: skip
    console.print(f"Results in {res.path}")


@handle_errors
@with_models
def delta_command(
    structure: StructureArg,
    delta: Annotated[str, typer.Option(help="Displacements (Å), comma-separated.")] = ",".join(
        f"{d:g}" for d in DELTA_SCAN
    ),
    fmax: Annotated[str, typer.Option(help="Relaxation thresholds (eV/Å).")] = ",".join(
        f"{f:g}" for f in DELTA_SCAN_FMAX
    ),
    nfree: NfreeOpt = 2,
    steps: StepsOpt = 2000,
    cache: CacheOpt = None,
    out: OutOpt = None,
    *,
    models: list[Model],
) -> None:
    """Finite-difference frequencies (cm⁻¹) against delta (Å), for each fmax; plateau and
    recommended delta."""
    atoms = read_structure(structure)
    m = _one_model(models)
    m.check_elements(atoms, str(structure))
    deltas, fmaxes = _floats(delta, "--delta"), _floats(fmax, "--fmax")
    parameters = {"structure": str(structure), "delta": deltas, "fmax": fmaxes, "nfree": nfree}
    with result_dir("scan-delta", out, [m], parameters) as res:
        scan = delta_scan(atoms, m, deltas, fmaxes, nfree, steps, vibrations_cache_dir(cache))
        res.write_json("results.json", {"structure": str(structure), "model": m.name, **vars(scan)})
        res.write_csv(
            "delta_scan.csv",
            [
                {"fmax_eV_per_angstrom": f, "delta_angstrom": d,
                 **{f"mode{k + 1}_cm-1": w for k, w in enumerate(scan.frequencies_cm1[i, j])}}
                for i, f in enumerate(scan.fmax_eV_per_angstrom)
                for j, d in enumerate(scan.delta_angstrom)
            ],
        )  # fmt: skip
        res.save_figure("delta_scan.png", delta_scan_figure(scan, f"{structure.name}, {m.name}"))
    print_table(
        f"Recommended delta: {structure.name} ({m.name}, nfree {nfree})",
        ["fmax (eV/Å)", "plateau (Å)", "recommended delta (Å)"],
        [[f"{f:g}", f"{scan.delta_angstrom[a]:g} – {scan.delta_angstrom[b]:g}", f"{d:g}"]
         for f, (a, b), d in zip(scan.fmax_eV_per_angstrom, scan.plateaus,
                                 scan.recommended_delta_angstrom, strict=True)],
    )  # fmt: skip
    console.print(f"Results in {res.path}")


def register(app: typer.Typer) -> None:
    scan_app.command("fmax")(fmax_command)
    scan_app.command("delta")(delta_command)
    app.add_typer(scan_app, name="scan")
