"""Terminal output: one rich console, error handling, progress bars and tables."""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable, Iterator, Sequence

import typer
from rich.console import Console
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

console = Console()
error_console = Console(stderr=True)

#: Exit status for a user-facing error (bad input, missing data, no convergence).
EXIT_USER_ERROR = 2


def report_error(exc: BaseException) -> None:
    """Print ``Error: <message>`` on one line to stderr."""
    message = " ".join(str(exc).split()) or type(exc).__name__
    error_console.print(
        f"[bold red]Error:[/] {message}", markup=True, highlight=False, soft_wrap=True
    )


def handle_errors(function: Callable) -> Callable:
    """Decorator for CLI commands: a :class:`MolxtalError` becomes a one-line error, exit 2."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except MolxtalError as exc:
            report_error(exc)
            raise typer.Exit(EXIT_USER_ERROR) from None

    return wrapper


@contextlib.contextmanager
def progress_bar(description: str, total: int) -> Iterator[Callable[[int], None]]:
    """A rich progress bar with ETA; yields ``advance(n=1)``. Silent when not a terminal."""
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, disable=not sys.stdout.isatty()) as progress:
        task = progress.add_task(description, total=total)
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
