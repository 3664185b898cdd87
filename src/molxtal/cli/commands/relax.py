"""``molxtal relax FILE``: relax a structure with an ASE optimiser; non-convergence exits 2."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from molxtal.cli.console import console, handle_errors, print_table
from molxtal.cli.options import (
    OutOpt,
    with_models,
)
from molxtal.cli.run import result_dir
from molxtal.errors import MolxtalError, NotConvergedError
from molxtal.models import Model
from molxtal.structures import read_structure
from molxtal.workflows.relax import OPTIMIZERS, constraints, relax

FmaxOpt = Annotated[float, typer.Option(help="Force threshold (eV/Å).")]
StepsOpt = Annotated[int, typer.Option(help="Maximum number of optimiser steps.")]
OptimizerOpt = Annotated[str, typer.Option(help=f"ASE optimiser: {', '.join(OPTIMIZERS)}.")]


def safe_name(name: str) -> str:
    """A model name usable as part of a file name (paths and odd characters become _)."""
    return re.sub(r"[^\w.-]", "_", name)


def parse_indices(text: str | None) -> list[int]:
    """``"0,3,5"`` -> [0, 3, 5] (atom indices, 0-based)."""
    if not text:
        return []
    try:
        return [int(token) for token in text.split(",") if token.strip()]
    except ValueError as exc:
        raise MolxtalError(f"--fix expects comma-separated atom indices, got '{text}'") from exc


def parse_pairs(texts: list[str] | None) -> list[tuple[int, int]]:
    """``["0-3", "1-4"]`` -> [(0, 3), (1, 4)]."""
    pairs = []
    for text in texts or []:
        parts = text.split("-")
        if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
            raise MolxtalError(f"--fix-bond expects two atom indices like 0-3, got '{text}'")
        pairs.append((int(parts[0]), int(parts[1])))
    return pairs


@handle_errors
@with_models
def relax_command(
    structure: Annotated[Path, typer.Argument(help="Structure file (any format ASE reads).")],
    fmax: FmaxOpt = 1e-3,
    steps: StepsOpt = 1000,
    optimizer: OptimizerOpt = "BFGS",
    fix: Annotated[
        str | None, typer.Option(help="Fix these atoms (FixAtoms), e.g. 0,1,2 (0-based).")
    ] = None,
    fix_bond: Annotated[
        list[str] | None,
        typer.Option(help="Hold a bond length (FixBondLength), e.g. 0-3. Repeatable."),
    ] = None,
    out: OutOpt = None,
    *,
    models: list[Model],
) -> None:
    """Relax positions until max |F| < fmax (eV/Å); exit status 2 if any model did not converge."""
    atoms = read_structure(structure)
    fixed = constraints(parse_indices(fix), parse_pairs(fix_bond))
    for index in [i for c in fixed for i in c.get_indices()]:
        if not 0 <= index < len(atoms):
            raise MolxtalError(f"{structure}: constraint atom index {index} out of range")
    for m in models:
        m.check_elements(atoms, str(structure))
    parameters = {
        "structure": str(structure),
        "fmax_eV_per_angstrom": fmax,
        "steps": steps,
        "optimizer": optimizer,
        "fix": fix,
        "fix_bond": fix_bond,
    }
    with result_dir("relax", out, models, parameters) as results:
        per_model, rows, frames = {}, [], []
        for m in models:
            with results.provenance.stage(f"relax[{m.name}]"):
                result = relax(
                    atoms,
                    m,
                    fmax,
                    steps,
                    optimizer,
                    constraint=fixed,
                    trajectory=str(results.file(f"trajectory-{safe_name(m.name)}.traj")),
                )
            per_model[m.name] = result.to_dict()
            result.atoms.info["model"] = m.name
            frames.append(result.atoms)
            rows.append(
                [
                    m.name,
                    f"{result.energy_eV:.8f}",
                    f"{result.fmax_eV_per_angstrom:.3e}",
                    str(result.steps),
                    "yes" if result.converged else "NO",
                ]
            )
        payload = per_model[models[0].name] if len(models) == 1 else {}
        results.write_json(
            "results.json", {"structure": str(structure), **payload, "models": per_model}
        )
        results.write_atoms("relaxed.extxyz", frames)
        print_table(
            f"Relaxation: {structure} ({optimizer}, fmax {fmax:g} eV/Å)",
            ["model", "E (eV)", "max |F| (eV/Å)", "steps", "converged"],
            rows,
        )
        console.print(f"Results in {results.path}")
        failed = [name for name, r in per_model.items() if not r["converged"]]
        if failed:
            raise NotConvergedError(
                f"{structure}: relaxation with {', '.join(failed)} did not reach fmax {fmax:g} "
                f"eV/Å in {steps} steps (results written to {results.path})"
            )


def register(app: typer.Typer) -> None:
    app.command("relax")(relax_command)
