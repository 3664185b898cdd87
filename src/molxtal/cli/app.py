"""The ``molxtal`` application. Each module in ``molxtal.cli.commands`` adds its commands.

Start-up stays light (``molxtal --help`` under a second, see ``benchmarks/startup.py``): this
module and the command modules import only the standard library, typer and ``molxtal.cli``;
everything else is imported when a command runs."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import warnings

import typer

from molxtal import __version__
from molxtal.cli import commands
from molxtal.cli.console import EXIT_USER_ERROR, handle_errors, report_error
from molxtal.cli.options import DataDirOpt, finish_commands
from molxtal.errors import MolxtalError

# e3nn and CHGNet warn about torch.load defaults and tensor copies: noise for our users.
warnings.filterwarnings("ignore", category=UserWarning, module=r"(e3nn|chgnet|torch)\b.*")

app = typer.Typer(
    name="molxtal",
    help="Properties of molecular crystals with machine-learning interatomic potentials.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"molxtal {__version__}")
        raise typer.Exit()


@app.callback()
@handle_errors
def _main(
    data_dir: DataDirOpt = None,
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Properties of molecular crystals with machine-learning interatomic potentials."""
    from molxtal.data import use_data_dir

    use_data_dir(data_dir)


# Each module of ``molxtal.cli.commands`` adds its command: ``register(app)`` where it adds a
# group or needs settings, else its ``<module>_command`` becomes the command ``<module>``
# (underscores as hyphens).
for _info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
    _module = importlib.import_module(f"{commands.__name__}.{_info.name}")
    if hasattr(_module, "register"):
        _module.register(app)
    else:
        app.command(_info.name.replace("_", "-"))(getattr(_module, f"{_info.name}_command"))
finish_commands(app)


def main() -> None:
    """Console entry point."""
    try:
        app()
    except MolxtalError as exc:
        report_error(exc)
        sys.exit(EXIT_USER_ERROR)
    except KeyboardInterrupt:
        report_error(RuntimeError("interrupted; finished work was saved"))
        sys.exit(130)
