"""``molxtal sublimation CRYSTAL``: ΔH_sub(T) with harmonic thermal and quantum corrections."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from molxtal.cli.commands.phonons import DEFAULT_CHECKPOINTS, _progress
from molxtal.cli.console import console, handle_errors, print_table
from molxtal.cli.options import (
    OutOpt,
    with_models,
)
from molxtal.cli.run import result_dir
from molxtal.errors import MolxtalError
from molxtal.models import Model
from molxtal.structures import read_molecule, read_structure
from molxtal.workflows import phonons as ph
from molxtal.workflows.lattice_energy import GEOMETRIES
from molxtal.workflows.sublimation import CRYSTAL_FMAX, ideal_gas_rt_factor, sublimation

TemperaturesOpt = Annotated[
    str, typer.Option(help="Temperatures (K): START:STOP:STEP (STOP included) or a list 0,100.")
]
SupercellOpt = Annotated[tuple[int, int, int], typer.Option(help="Diagonal phonon supercell.")]
MeshOpt = Annotated[tuple[int, int, int], typer.Option(help="Γ-centred q-mesh for the phonons.")]
CheckpointsOpt = Annotated[Path, typer.Option(help="Folder of phonon force-set checkpoints.")]
GeometryOpt = Annotated[
    str, typer.Option(help="Crystal: fixed, positions (relax atoms) or cell (atoms + cell).")
]
CrystalFmaxOpt = Annotated[float, typer.Option(help="Crystal relaxation threshold (eV/Å).")]
DisplacementOpt = Annotated[float, typer.Option(help="Displacement amplitude (Å).")]


def parse_temperatures(text: str) -> np.ndarray:
    """``0:300:10`` (stop included) or ``0,100,200`` -> temperatures in K."""
    try:
        if ":" in text:
            start, stop, step = (float(x) for x in text.split(":"))
            if step <= 0 or stop < start:
                raise ValueError
            values = np.arange(start, stop + 0.5 * step, step)
        else:
            values = np.array([float(x) for x in text.replace(",", " ").split()])
    except ValueError:
        raise MolxtalError(f"--temperatures '{text}' is not START:STOP:STEP or a list") from None
    if values.size == 0 or (values < 0).any():
        raise MolxtalError(f"--temperatures '{text}': need at least one value, none negative")
    return values


def rows_of(columns: dict[str, np.ndarray]) -> list[dict]:
    """Column arrays -> one dict per row."""
    return [dict(zip(columns, v, strict=True)) for v in zip(*columns.values(), strict=True)]


@handle_errors
@with_models
def sublimation_command(
    crystal: Annotated[Path, typer.Argument(help="Crystal structure (any format ASE reads).")],
    molecule: Annotated[
        Path | None,
        typer.Option(help="Gas molecule file (relaxed here) (default: taken from the crystal)."),
    ] = None,
    temperatures: TemperaturesOpt = "0:300:10",
    geometry: GeometryOpt = "positions",
    fmax: CrystalFmaxOpt = CRYSTAL_FMAX,
    supercell: SupercellOpt = (1, 1, 1),
    mesh: MeshOpt = (8, 8, 8),
    displacement: DisplacementOpt = 0.01,
    checkpoints: CheckpointsOpt = DEFAULT_CHECKPOINTS,
    out: OutOpt = None,
    *,
    models: list[Model],
) -> None:
    """ΔH_sub(T) = −E_latt + Δ_T&QN(T) per molecule (kJ/mol), zero-point and thermal parts."""
    if geometry not in GEOMETRIES:
        raise MolxtalError(f"--geometry must be one of {', '.join(GEOMETRIES)}")
    t = parse_temperatures(temperatures)
    atoms = read_structure(crystal)
    gas = read_molecule(molecule) if molecule is not None else None
    if len(models) > 1:
        raise MolxtalError("sublimation takes one --model")
    settings = ph.DisplacementSettings(ph.supercell_matrix(supercell), displacement)
    parameters = {
        "crystal": str(crystal),
        "molecule": str(molecule) if molecule else None,
        "temperatures_K": t.tolist(),
        "geometry": geometry,
        "fmax_eV_per_angstrom": fmax,
        "supercell": list(supercell),
        "mesh": list(mesh),
        "displacement_angstrom": displacement,
        "checkpoints": str(checkpoints),
    }
    with result_dir("sublimation", out, models, parameters, 0) as results:
        on_start, advance, close = _progress(f"phonon forces ({len(atoms)}-atom cell)")
        try:
            with results.provenance.stage("sublimation"):
                result = sublimation(
                    atoms, models[0], t, gas, geometry, settings, mesh, checkpoints, fmax,
                    progress=advance, on_start=on_start,
                )  # fmt: skip
        finally:
            close()
        terms = result.terms_kJmol()
        rows = rows_of(terms)
        run = result.phonons
        payload = {
            "crystal": str(crystal),
            "formula": result.lattice.formula,
            "molecules_per_cell": result.lattice.n_molecules,
            "linear_molecule": result.linear,
            "gas_RT_factor": ideal_gas_rt_factor(result.linear),
            "geometries": result.geometries(),
            "E_latt_kJmol": result.lattice.lattice_energy_kJ_per_mol,
            "lattice_converged": result.lattice.converged,
            "gas_frequencies_cm-1": result.gas_vibration.frequencies_cm1.tolist(),
            "gas_imaginary_modes": result.gas.n_dropped,
            "solid_imaginary_modes_per_cell": result.solid.n_dropped
            * result.lattice.n_molecules
            / result.solid.per,
            "phonon_supercell": run.settings.supercell.tolist(),
            "phonon_mesh": list(mesh),
            "phonon_displacements": run.n_displacements,
            "forces_computed": run.force_sets.n_computed,
            "forces_from_checkpoint": run.force_sets.n_loaded,
            "checkpoint": str(run.force_sets.checkpoint),
            "acoustic_gamma_max_cm-1": run.force_constants.acoustic_max_cm1,
            "by_temperature": {f"{row['T_K']:g}": row for row in rows},
        }
        results.write_json("results.json", payload)
        results.write_csv("sublimation.csv", rows)
        results.write_atoms("crystal_relaxed.extxyz", result.lattice.crystal)
        results.write_atoms("gas_relaxed.extxyz", result.lattice.gas)
        from molxtal.plotting.thermo import plot_sublimation

        name = crystal.parent.name if crystal.stem == "POSCAR" else crystal.stem
        results.save_figure("sublimation.png", plot_sublimation(terms, name))
    _print(result, terms, results.path)


def _print(result, terms, path) -> None:
    for part, text in result.geometries().items():
        console.print(f"{part}: {text}")
    columns = [
        ("T_K", "T (K)"),
        ("E_latt_kJmol", "E_latt"),
        ("E_vib_gas_kJmol", "E_vib gas"),
        ("E_vib_solid_kJmol", "E_vib solid"),
        ("dE_zpe_kJmol", "ΔZPE"),
        ("dE_thermal_kJmol", "ΔE_vib thermal"),
        ("dE_vib_kJmol", "ΔE_vib"),
        ("delta_TQN_kJmol", "Δ_T&QN"),
        ("delta_TQN_dulong_petit_kJmol", "−2RT (D–P)"),
        ("dH_sub_kJmol", "ΔH_sub"),
    ]
    print_table(
        "Sublimation enthalpy per molecule (kJ/mol; T in K)",
        [label for _, label in columns],
        [
            [f"{terms['T_K'][i]:g}", *(f"{terms[k][i]:.3f}" for k, _ in columns[1:])]
            for i in range(len(terms["T_K"]))
        ],
    )
    console.print(
        f"ZPE gas {terms['zpe_gas_kJmol'][0]:.3f} kJ/mol, solid {terms['zpe_solid_kJmol'][0]:.3f} "
        f"kJ/mol per molecule; imaginary modes dropped: gas {result.gas.n_dropped:g}, "
        f"solid {result.solid.n_dropped * result.lattice.n_molecules / result.solid.per:g} "
        "per cell (mesh average)"
    )
    console.print(f"Results in {path}")


def register(app: typer.Typer) -> None:
    app.command("sublimation")(sublimation_command)
