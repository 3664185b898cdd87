"""Terminal output: one rich console, error handling, progress bars and tables."""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from molxtal.errors import MolxtalError
from molxtal.progress import log_progress

if TYPE_CHECKING:
    from molxtal.results import Result

console = Console()
error_console = Console(stderr=True)

#: Exit status for a user-facing error (bad input, missing data, no convergence).
EXIT_USER_ERROR = 2


def report_error(exc: BaseException) -> None:
    """Print ``Error: <message>`` on one line to stderr."""
    message = escape(" ".join(str(exc).split()) or type(exc).__name__)
    error_console.print(
        f"[bold red]Error:[/] {message}", markup=True, highlight=False, soft_wrap=True
    )


def handle_errors(function: Callable) -> Callable:
    """Decorator for CLI commands: a :class:`MolxtalError`, or an ``OSError`` naming a file
    (a folder that is a file, no permission, a full disk), becomes a one-line error, exit 2."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except OSError as exc:
            if exc.filename is None:
                raise
            report_error(MolxtalError(f"{exc.filename}: {exc.strerror or exc}"))
            raise typer.Exit(EXIT_USER_ERROR) from None
        except MolxtalError as exc:
            report_error(exc)
            raise typer.Exit(EXIT_USER_ERROR) from None

    return wrapper


@contextlib.contextmanager
def progress_bar(description: str, total: int) -> Iterator[Callable[[int], None]]:
    """A rich progress bar with ETA on a terminal; otherwise a log line on stderr at least
    every minute (:func:`molxtal.progress.log_progress`). Yields ``advance(n=1)``."""
    if not sys.stdout.isatty():
        with log_progress(description, total) as advance:
            yield advance
        return
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task(description, total=total if total > 0 else None)
        yield lambda n=1: progress.advance(task, n)


def print_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Print a rich table; column headers should carry units."""
    table = Table(title=title, title_justify="left")
    table.add_column(columns[0], no_wrap=True)
    for column in columns[1:]:
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(*(str(cell) for cell in row))
    console.print(table)


def print_summary(result: Result, folder: Path | None = None) -> None:
    """Print a result's summary tables, their notes as warnings, and where its files are."""
    for table in result.summary():
        print_table(table.title, table.columns, table.rows)
        for note in table.notes:
            console.print(f"[bold yellow]Note:[/] {note}", highlight=False)
    if folder is not None:
        console.print(f"Results in {folder}")
