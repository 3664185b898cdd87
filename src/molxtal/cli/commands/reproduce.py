"""``molxtal reproduce``: the thesis study for every model, cached and resumable, with a report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from molxtal.cli.console import console, handle_errors
from molxtal.cli.options import DataDirOpt, DtypeOpt, ModelOpt
from molxtal.cli.run import result_dir
from molxtal.data import use_data_dir
from molxtal.study.cache import Cache
from molxtal.study.profiles import profile as profile_settings
from molxtal.study.report import write_report
from molxtal.study.runner import get_model, plan, run_study, write_plan

DEFAULT_OUT = Path("molxtal-results") / "reproduce"
CACHE = "cache"


@handle_errors
def reproduce_command(
    model: ModelOpt = None,
    profile: Annotated[
        str, typer.Option(help="quick (< 20 min on 2 cores), full (thesis settings) or test.")
    ] = "quick",
    executor: Annotated[str, typer.Option(help="local or dask (dask.distributed).")] = "local",
    scheduler: Annotated[
        str | None,
        typer.Option(help="Address of a running dask scheduler (default: a local cluster)."),
    ] = None,
    cache: Annotated[
        Path | None, typer.Option(help="Step cache folder (default: OUT/cache).")
    ] = None,
    dtype: DtypeOpt = "float64",
    data_dir: DataDirOpt = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = DEFAULT_OUT,
) -> None:
    """Run the whole study (water, DMC-ICE13, ice Ih phonons, liquid water) per model;
    finished steps come from the cache; writes report.html and report.md."""
    use_data_dir(data_dir)
    specs = list(dict.fromkeys(model or ["chgnet"]))
    cache_root = cache or out / CACHE
    tasks = plan(specs, profile_settings(profile), dtype)
    models = [get_model(spec, dtype) for spec in specs]
    parameters = {"profile": profile, "executor": executor, "cache": str(cache_root)}
    with result_dir("reproduce", out, models, parameters, in_place=True, resume=True) as results:
        write_plan(out, tasks, profile, executor)

        def on_done(task, record) -> None:
            console.print(
                f"{task.step} ({task.model_name}): {record['wall_time_s']:.1f} s wall when "
                f"computed ({record['finished_utc']})",
                markup=False,
            )

        with results.provenance.stage("steps"):
            run_study(tasks, cache_root, executor, scheduler, on_done)
        with results.provenance.stage("report"):
            md, page = write_report(out, tasks, Cache(cache_root), profile)
    console.print(f"Report: {page} and {md}")


def register(app: typer.Typer) -> None:
    app.command("reproduce")(reproduce_command)
