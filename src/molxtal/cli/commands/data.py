"""``molxtal data list|fetch|path``: the reference data sets."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from molxtal import data
from molxtal.cli.console import console, print_table

data_app = typer.Typer(help="Reference data sets: list, fetch, path.", no_args_is_help=True)


@data_app.command("list")
def list_command() -> None:
    """Each data set, its number of files, and how many are present locally."""
    rows = []
    for name in data.MANIFEST:
        found = [s.path is not None for s in data.dataset_status(name)]
        rows.append([name, len(found), sum(found), "yes" if all(found) else "no"])
    print_table("Reference data sets", ["name", "files", "present", "complete"], rows)


@data_app.command("fetch")
def fetch_command(
    names: Annotated[list[str], typer.Argument(help="Data set names (see molxtal data list).")],
    dest: Annotated[Path | None, typer.Option(help="Target directory (default: cache).")] = None,
    mirror: Annotated[str | None, typer.Option(help="Base URL of a mirror of the data.")] = None,
) -> None:
    """Download data sets from their public sources, verifying SHA-256 checksums."""
    for name in names:
        files = data.fetch(name, dest=dest, mirror=mirror)
        console.print(f"{name}: {len(files)} files verified in {dest or data.cache_dir()}")


@data_app.command("path")
def path_command(name: Annotated[str, typer.Argument(help="Data set name.")]) -> None:
    """Print where each file of a data set is found (or that it is missing)."""
    for status in data.dataset_status(name):
        typer.echo(f"{status.relpath}\t{status.path or 'MISSING'}")


def register(app: typer.Typer) -> None:
    app.add_typer(data_app, name="data")
