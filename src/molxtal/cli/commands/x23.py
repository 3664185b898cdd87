"""``molxtal x23``: the X23 molecular crystals against DMC and experiment."""

from __future__ import annotations

from typing import Annotated

import typer

from molxtal.cli import options as opt
from molxtal.cli.console import progress_bar
from molxtal.cli.run import run_command


@opt.with_models
def x23_command(
    relax: Annotated[
        str, typer.Option(help="fixed (the DMC geometries), positions or cell (shared relax).")
    ] = "fixed",
    sublimation: Annotated[
        bool, typer.Option("--sublimation", help="Also ΔH_sub with the model's own phonons.")
    ] = False,
    systems: Annotated[
        str | None, typer.Option(help="Comma-separated subset, e.g. 07co2,06benzene,21urea.")
    ] = None,
    min_length: Annotated[
        float, typer.Option(help="Phonon supercell: smallest perpendicular width (Å).")
    ] = 10.0,
    fmax: Annotated[float, typer.Option(help="Relaxation force threshold (eV/Å).")] = 1e-3,
    out: opt.OutOpt = None,
    *,
    models: list[opt.Model],
) -> None:
    """X23 lattice energies against DMC (Della Pia et al. 2024), optionally sublimation
    enthalpies against experiment. Cached per crystal in OUT/cache: rerun with the same --out
    to resume."""
    from molxtal.data import x23 as ref
    from molxtal.workflows.x23 import x23_benchmark

    chosen = ref.select(systems)
    parameters = {"relax": relax, "sublimation": sublimation, "systems": chosen}
    parameters |= {"min_length_angstrom": min_length, "fmax_eV_per_angstrom": fmax}

    def compute(folder):
        total = len(chosen) * len(models) * (2 if sublimation else 1)
        with progress_bar("X23 crystals", total) as advance:
            return x23_benchmark(
                models, chosen, relax, sublimation, min_length, fmax,
                cache_dir=folder.path / "cache", progress=advance,
            )  # fmt: skip

    run_command("x23", out, compute, models, parameters, in_place=True, resume=True)
