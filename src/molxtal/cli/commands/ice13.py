"""``molxtal ice13``: the DMC-ICE13 lattice-energy benchmark for one or more models."""

from __future__ import annotations

from typing import Annotated

import typer

from molxtal.cli import options as opt
from molxtal.cli.run import run_command


@opt.with_models
def ice13_command(
    reference: Annotated[
        str, typer.Option(help="Reference for the errors: DMC or any method of the table.")
    ] = "DMC",
    method: Annotated[
        list[str] | None,
        typer.Option("--method", help="DFT method(s) drawn in the figures. Repeatable."),
    ] = None,
    ice_viii_dmc: Annotated[
        str, typer.Option(help="DMC value of ice VIII: table (-55.22 kJ/mol) or thesis (-582 meV).")
    ] = "table",
    out: opt.OutOpt = None,
    *,
    models: list[opt.Model],
) -> None:
    """Lattice energies (kJ/mol per H2O) of the 13 DMC-ICE13 ice polymorphs against DMC/DFT."""
    from molxtal.workflows.ice13 import DEFAULT_METHODS, ice13

    methods = method or list(DEFAULT_METHODS)
    parameters = {"reference": reference, "methods": methods, "ice_viii_dmc": ice_viii_dmc}

    def compute(folder):
        with folder.provenance.stage("ice13"):
            return ice13(models, reference, methods, ice_viii_dmc)

    run_command("ice13", out, compute, models, parameters)
