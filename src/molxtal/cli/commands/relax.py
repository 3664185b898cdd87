"""``molxtal relax FILE``: relax a structure with an ASE optimiser; non-convergence exits 2."""

from __future__ import annotations

from typing import Annotated

import typer

from molxtal.cli import options as opt
from molxtal.cli.run import run_command

FixOpt = Annotated[str | None, typer.Option(help="Fix these atoms (FixAtoms), e.g. 0,1,2.")]
FixBondOpt = Annotated[list[str] | None, typer.Option(help="FixBondLength, e.g. 0-3. Repeatable.")]


@opt.with_models
def relax_command(
    structure: opt.StructureArg,
    fmax: opt.RelaxFmaxOpt = 1e-3,
    steps: opt.RelaxStepsOpt = 1000,
    optimizer: Annotated[str, typer.Option(help="ASE optimiser: BFGS, FIRE or LBFGS.")] = "BFGS",
    fix: FixOpt = None,
    fix_bond: FixBondOpt = None,
    out: opt.OutOpt = None,
    *,
    models: list[opt.Model],
) -> None:
    """Relax positions until max |F| < fmax (eV/Å); exit status 2 if any model did not converge.
    Atom indices are 0-based."""
    from molxtal.workflows.relax import relax_models

    fixed, bonds = opt.parse_indices(fix), opt.parse_pairs(fix_bond)
    atoms = opt.read_input(structure)
    parameters = {"structure": str(structure), "fmax_eV_per_angstrom": fmax, "steps": steps,
                  "optimizer": optimizer, "fix": fix, "fix_bond": fix_bond}  # fmt: skip

    run_command(
        "relax", out,
        lambda folder: relax_models(atoms, models, fmax, steps, optimizer, fix_atoms=fixed,
                                    fix_bonds=bonds, trajectory_dir=folder.path,
                                    structure=str(structure)),
        models, parameters, check=lambda result: result.require_converged(),
    )  # fmt: skip
