"""``molxtal scan fmax|delta FILE``: convergence of geometry and frequencies."""

from __future__ import annotations

from typing import Annotated

import typer

from molxtal.cli import options as opt
from molxtal.cli.run import run_command

scan_app = typer.Typer(help="Convergence scans: geometry vs fmax, frequencies vs delta.")
FmaxesOpt = Annotated[str | None, typer.Option(help="fmax list (eV/Å).", show_default="1e-2…1e-8")]
DeltasOpt = Annotated[str | None, typer.Option(help="delta list (Å).", show_default="1e-6…1e-1")]


@opt.with_model
def fmax_command(
    structure: opt.StructureArg,
    fmax: FmaxesOpt = None,
    steps: opt.RelaxStepsOpt = 2000,
    out: opt.OutOpt = None,
    *,
    model: opt.Model,
) -> None:
    """Bond lengths (Å) and angles (°) after relaxing to each fmax (eV/Å)."""
    from molxtal.workflows.scan import FMAX_SCAN, fmax_scan

    atoms = opt.read_input(structure)
    fmaxes = opt.parse_floats(fmax, "--fmax") if fmax else FMAX_SCAN
    parameters = {"structure": str(structure), "fmax_eV_per_angstrom": fmaxes, "steps": steps}
    args = (atoms, model, fmaxes, steps, str(structure))
    run_command("scan-fmax", out, lambda folder: fmax_scan(*args), [model], parameters,
                check=lambda result: result.require_converged())  # fmt: skip


@opt.with_model
def delta_command(
    structure: opt.StructureArg,
    delta: DeltasOpt = None,
    fmax: FmaxesOpt = None,
    nfree: opt.NfreeOpt = 2,
    steps: opt.RelaxStepsOpt = 2000,
    cache: opt.CacheOpt = None,
    out: opt.OutOpt = None,
    *,
    model: opt.Model,
) -> None:
    """Finite-difference frequencies (cm⁻¹) against delta (Å), for each fmax; plateau and
    recommended delta."""
    from molxtal.workflows.scan import DELTA_SCAN, DELTA_SCAN_FMAX, delta_scan

    atoms = opt.read_input(structure)
    deltas = opt.parse_floats(delta, "--delta") if delta else DELTA_SCAN
    fmaxes = opt.parse_floats(fmax, "--fmax") if fmax else DELTA_SCAN_FMAX
    parameters = {"structure": str(structure), "delta_angstrom": deltas,
                  "fmax_eV_per_angstrom": fmaxes, "nfree": nfree, "steps": steps}  # fmt: skip
    cache_dir = opt.vibrations_cache_dir(cache)
    args = (atoms, model, deltas, fmaxes, nfree, steps, cache_dir, str(structure))
    run_command("scan-delta", out, lambda folder: delta_scan(*args), [model], parameters,
                check=lambda result: result.require_converged())  # fmt: skip


def register(app: typer.Typer) -> None:
    scan_app.command("fmax")(fmax_command)
    scan_app.command("delta")(delta_command)
    app.add_typer(scan_app, name="scan")
