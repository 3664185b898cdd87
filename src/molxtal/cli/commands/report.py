"""``molxtal report DIR``: rebuild a reproduce report from the stored step results."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from molxtal.cli.console import console, handle_errors
from molxtal.io import read_json
from molxtal.study.cache import Cache
from molxtal.study.report import write_report
from molxtal.study.runner import PLAN, read_plan


@handle_errors
def report_command(
    directory: Annotated[Path, typer.Argument(help="Output folder of molxtal reproduce.")],
    cache: Annotated[
        Path | None, typer.Option(help="Step cache folder (default: DIRECTORY/cache).")
    ] = None,
) -> None:
    """Rebuild report.html and report.md from stored results (nothing is recomputed)."""
    tasks = read_plan(directory)
    profile = read_json(directory / PLAN)["profile"]
    md, page = write_report(directory, tasks, Cache(cache or directory / "cache"), profile)
    console.print(f"Report: {page} and {md}")


def register(app: typer.Typer) -> None:
    app.command("report")(report_command)
