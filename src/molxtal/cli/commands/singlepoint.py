"""``molxtal singlepoint FILE``: energy, forces and stress of one structure."""

from __future__ import annotations

from molxtal.cli import options as opt
from molxtal.cli.run import run_command


@opt.with_models
def singlepoint_command(
    structure: opt.StructureArg, out: opt.OutOpt = None, *, models: list[opt.Model]
) -> None:
    """Energy (eV), forces (eV/Å) and stress (eV/Å³) of one structure."""
    from molxtal.workflows.singlepoint import singlepoint

    atoms, parameters = opt.read_input(structure), {"structure": str(structure)}
    run_command(
        "singlepoint", out, lambda folder: singlepoint(atoms, models, str(structure)), models,
        parameters,
    )  # fmt: skip
