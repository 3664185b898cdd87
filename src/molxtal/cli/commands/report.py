"""``molxtal report DIR``: rebuild a reproduce report from the stored step results."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from molxtal.cli import options as opt
from molxtal.cli.console import console


def report_command(
    directory: Annotated[Path, typer.Argument(help="Output folder of molxtal reproduce.")],
    cache: opt.StudyCacheOpt = None,
) -> None:
    """Rebuild report.html and report.md from stored results (nothing is recomputed)."""
    from molxtal.study.report import rebuild_report

    md, page = rebuild_report(directory, cache)
    console.print(f"Report: {page} and {md}")
