"""``molxtal reproduce``: the thesis study for every model, cached and resumable, with a report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from molxtal.cli import options as opt
from molxtal.cli.console import progress_bar
from molxtal.cli.run import run_command

DEFAULT_OUT = Path("molxtal-results") / "reproduce"


def reproduce_command(
    model: opt.ModelOpt = None,
    profile: Annotated[
        str, typer.Option(help="quick (<20 min on 2 cores), full or test.")
    ] = "quick",
    executor: Annotated[str, typer.Option(help="local or dask (extra 'dask').")] = "local",
    scheduler: Annotated[str | None, typer.Option(help="A dask scheduler's address.")] = None,
    cache: opt.StudyCacheOpt = None,
    dtype: opt.DtypeOpt = "float64",
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = DEFAULT_OUT,
) -> None:
    """Run the whole study (water, DMC-ICE13, ice Ih phonons, liquid water) per model;
    finished steps come from the cache; writes report.html and report.md."""
    settings = {k: v for k, v in locals().items() if k not in ("model", "out")}
    from molxtal.study.runner import reproduce

    run_command(
        "reproduce",
        out,
        lambda folder: reproduce(model, out, folder.provenance, progress_bar, **settings),
        parameters=settings,
        in_place=True,
        resume=True,
        check=lambda result: result.require_complete(),
    )
