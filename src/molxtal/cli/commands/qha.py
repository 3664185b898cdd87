"""``molxtal qha CRYSTAL``: harmonic and quasi-harmonic free energies (phonopy QHA)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from molxtal.cli.commands.phonons import DEFAULT_CHECKPOINTS
from molxtal.cli.commands.sublimation import CheckpointsOpt, MeshOpt, SupercellOpt, rows_of
from molxtal.cli.console import console, handle_errors, print_table
from molxtal.cli.options import (
    OutOpt,
    with_models,
)
from molxtal.cli.run import result_dir
from molxtal.errors import MolxtalError
from molxtal.models import Model
from molxtal.structures import find_molecules, read_structure
from molxtal.workflows import phonons as ph
from molxtal.workflows.qha import FMAX, VOLUME_SCALES, quasi_harmonic


def parse_floats(text: str, option: str) -> list[float]:
    """'0 0.5 1' or '0,0.5,1' -> floats."""
    try:
        values = [float(x) for x in text.replace(",", " ").split()]
    except ValueError:
        raise MolxtalError(f"{option} '{text}' is not a list of numbers") from None
    if not values:
        raise MolxtalError(f"{option} is empty")
    return values


@handle_errors
@with_models
def qha_command(
    crystal: Annotated[Path, typer.Argument(help="Crystal structure (any format ASE reads).")],
    t_max: Annotated[float, typer.Option(help="Highest temperature (K).")] = 300.0,
    t_step: Annotated[float, typer.Option(help="Temperature step (K).")] = 10.0,
    pressures: Annotated[str, typer.Option(help="Pressures (GPa), e.g. '0 0.5'.")] = "0",
    volumes: Annotated[
        str, typer.Option(help="Volume scale factors V/V0 (at least 5).")
    ] = " ".join(f"{s:g}" for s in VOLUME_SCALES),
    fmax: Annotated[float, typer.Option(help="Relaxation threshold (eV/Å).")] = FMAX,
    supercell: SupercellOpt = (1, 1, 1),
    mesh: MeshOpt = (8, 8, 8),
    displacement: Annotated[float, typer.Option(help="Displacement amplitude (Å).")] = 0.01,
    plusminus: Annotated[bool, typer.Option(help="Displace in both directions (±).")] = True,
    eos: Annotated[str, typer.Option(help="vinet, murnaghan or birch_murnaghan.")] = "vinet",
    molecules_per_cell: Annotated[
        int | None,
        typer.Option(help="Formula units per cell for non-molecular crystals (default: detected)."),
    ] = None,
    checkpoints: CheckpointsOpt = DEFAULT_CHECKPOINTS,
    out: OutOpt = None,
    *,
    models: list[Model],
) -> None:
    """Harmonic F (quantum, classical) and quasi-harmonic V(T), α(T), B(T), G(T, P), C_p(T)."""
    atoms = read_structure(crystal)
    n_mol = molecules_per_cell or find_molecules(atoms, source=str(crystal)).count
    if len(models) > 1:
        raise MolxtalError("qha takes one --model")
    settings = ph.DisplacementSettings(ph.supercell_matrix(supercell), displacement, plusminus)
    p_list, scales = parse_floats(pressures, "--pressures"), parse_floats(volumes, "--volumes")
    parameters = {
        "crystal": str(crystal),
        "t_max_K": t_max,
        "t_step_K": t_step,
        "pressures_GPa": p_list,
        "volume_scales": scales,
        "fmax_eV_per_angstrom": fmax,
        "supercell": list(supercell),
        "mesh": list(mesh),
        "displacement_angstrom": displacement,
        "plusminus": plusminus,
        "eos": eos,
        "checkpoints": str(checkpoints),
    }
    with result_dir("qha", out, models, parameters, 0) as results:
        with results.provenance.stage("qha"):
            qha = quasi_harmonic(
                atoms, models[0], n_mol, settings, mesh, t_max, t_step, p_list, scales, fmax,
                checkpoints, eos, log=console.print,
            )  # fmt: skip
        harmonic = {k: v[: len(qha.curves[p_list[0]]["T_K"])] for k, v in
                    qha.harmonic.per_molecule().items()}  # fmt: skip
        points = [
            {
                "volume_A3": p.volume_A3,
                "volume_A3_per_molecule": p.volume_A3 / n_mol,
                "energy_eV": p.energy_eV,
                "relaxation_converged": p.converged,
                "relaxation_steps": p.steps,
                "zpe_kJmol_per_molecule": p.thermal.zpe_kJmol / n_mol,
                "forces_computed": p.run.force_sets.n_computed,
                "forces_from_checkpoint": p.run.force_sets.n_loaded,
                "acoustic_gamma_max_cm-1": p.run.force_constants.acoustic_max_cm1,
            }
            for p in qha.points
        ]
        payload = {
            "crystal": str(crystal),
            "molecules_per_cell": n_mol,
            "equilibrium_volume_A3_per_molecule": qha.equilibrium.get_volume() / n_mol,
            "static_eos": qha.static_eos,
            "volume_points": points,
            "harmonic_at_equilibrium_per_molecule": {k: v.tolist() for k, v in harmonic.items()},
            "quasi_harmonic_per_molecule": {
                f"{p:g}": {k: v.tolist() for k, v in c.items()} for p, c in qha.curves.items()
            },
        }
        results.write_json("results.json", payload)
        results.write_csv("volume_points.csv", points)
        results.write_csv("harmonic.csv", rows_of(harmonic))
        from molxtal.plotting.thermo import plot_qha

        name = crystal.parent.name if crystal.stem == "POSCAR" else crystal.stem
        for p, c in qha.curves.items():
            results.write_csv(f"qha_{p:g}GPa.csv", rows_of(c))
            results.save_figure(f"qha_{p:g}GPa.png", plot_qha(c, f"{name}, {p:g} GPa"))
        results.write_atoms("equilibrium.extxyz", qha.equilibrium)
    _print(qha, harmonic, results.path)


def _print(qha, harmonic, path) -> None:
    eos = qha.static_eos
    n = qha.molecules_per_cell
    volumes = [point.volume_A3 / n for point in qha.points]
    console.print(
        f"Static E(V) fit: V0 {eos['V0_A3'] / n:.3f} Å³/molecule, B0 {eos['B0_GPa']:.2f} GPa, "
        f"B0' {eos['B0_prime']:.2f}"
    )
    for p, c in qha.curves.items():
        outside = c["T_K"][c["outside_volumes"]]
        if len(outside):
            console.print(
                f"[bold red]Warning:[/] at P = {p:g} GPa and T = {outside.min():g}–"
                f"{outside.max():g} K ({len(outside)} temperatures) G(V) is lowest at the "
                f"smallest or largest volume sampled ({min(volumes):.3f}–{max(volumes):.3f} "
                "Å³/molecule): V, α, B, G and C_p there are extrapolations; widen --volumes.",
                highlight=False,
            )
        idx = np.unique(np.linspace(0, len(c["T_K"]) - 1, 7).round().astype(int))
        print_table(
            f"Quasi-harmonic, P = {p:g} GPa (per molecule)",
            ["T (K)", "V (Å³)", "α (1/K)", "B (GPa)", "G (kJ/mol)", "C_p (J/(K mol))",
             "F harm. (kJ/mol)", "F classical (kJ/mol)"],
            [[f"{c['T_K'][i]:g}", f"{c['V_A3_per_molecule'][i]:.4f}",
              f"{c['alpha_per_K'][i]:.2e}", f"{c['B_GPa'][i]:.2f}", f"{c['G_kJmol'][i]:.3f}",
              f"{c['Cp_JKmol'][i]:.3f}", f"{harmonic['F_kJ_per_mol'][i]:.3f}",
              f"{harmonic['F_classical_kJ_per_mol'][i]:.3f}"] for i in idx],
        )  # fmt: skip
    console.print(f"Results in {path}")


def register(app: typer.Typer) -> None:
    app.command("qha")(qha_command)
