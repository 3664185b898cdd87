"""``molxtal stability A B C ...``: relative Gibbs energies of polymorphs against T and P."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from molxtal.cli.commands.phonons import DEFAULT_CHECKPOINTS
from molxtal.cli.commands.qha import parse_floats
from molxtal.cli.commands.sublimation import (
    CheckpointsOpt,
    CrystalFmaxOpt,
    DisplacementOpt,
    GeometryOpt,
    MeshOpt,
    SupercellOpt,
    TemperaturesOpt,
    parse_temperatures,
)
from molxtal.cli.console import console, handle_errors, print_table
from molxtal.cli.options import (
    OutOpt,
    with_models,
)
from molxtal.cli.run import result_dir
from molxtal.errors import MolxtalError
from molxtal.models import Model
from molxtal.structures import read_structure
from molxtal.units import KJMOL_PER_EV
from molxtal.workflows import phonons as ph
from molxtal.workflows.lattice_energy import GEOMETRIES
from molxtal.workflows.stability import polymorphs, relative_gibbs, stable_polymorph
from molxtal.workflows.sublimation import CRYSTAL_FMAX


def _name(path: Path) -> str:
    return path.parent.name if path.stem == "POSCAR" else path.stem


@handle_errors
@with_models
def stability_command(
    crystals: Annotated[
        list[Path], typer.Argument(help="Polymorph structures; the first is the reference.")
    ],
    temperatures: TemperaturesOpt = "0:300:10",
    pressures: Annotated[str, typer.Option(help="Pressures (GPa), e.g. '0 0.2'.")] = "0",
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
    """ΔG(T, P) per molecule relative to the first polymorph (harmonic, fixed volume + PV)."""
    if len(crystals) < 2:
        raise MolxtalError("stability needs at least two polymorphs")
    if geometry not in GEOMETRIES:
        raise MolxtalError(f"--geometry must be one of {', '.join(GEOMETRIES)}")
    names = [_name(c) for c in crystals]
    if len(set(names)) != len(names):
        raise MolxtalError(f"polymorph names {names} are not unique; rename the files")
    t = parse_temperatures(temperatures)
    p_list = parse_floats(pressures, "--pressures")
    structures = {n: read_structure(c) for n, c in zip(names, crystals, strict=True)}
    if len(models) > 1:
        raise MolxtalError("stability takes one --model")
    settings = ph.DisplacementSettings(ph.supercell_matrix(supercell), displacement)
    parameters = {
        "crystals": [str(c) for c in crystals],
        "temperatures_K": t.tolist(),
        "pressures_GPa": p_list,
        "geometry": geometry,
        "fmax_eV_per_angstrom": fmax,
        "supercell": list(supercell),
        "mesh": list(mesh),
        "displacement_angstrom": displacement,
        "checkpoints": str(checkpoints),
    }
    with result_dir("stability", out, models, parameters, 0) as results:
        with results.provenance.stage("polymorphs"):
            items = polymorphs(structures, models[0], settings, mesh, geometry, fmax, checkpoints)
        delta_g = relative_gibbs(items, t, p_list)
        stable = stable_polymorph(delta_g)
        rows = [
            {"T_K": temp, "P_GPa": p, "stable": stable[p][i],
             **{f"dG_{n}_kJmol": delta_g[n][p][i] for n in names}}
            for p in delta_g[names[0]] for i, temp in enumerate(t)
        ]  # fmt: skip
        payload = {
            "reference": names[0],
            "polymorphs": {
                p.name: {
                    "E_latt_kJmol": p.lattice.lattice_energy_kJ_per_mol,
                    "volume_A3_per_molecule": p.volume_A3,
                    "molecules_per_cell": p.lattice.n_molecules,
                    "zpe_kJmol": p.modes.zpe_eV * KJMOL_PER_EV,
                    "imaginary_modes_per_cell": p.modes.n_dropped
                    * p.lattice.n_molecules
                    / p.modes.per,
                    "relaxation_converged": p.lattice.converged,
                    "forces_computed": p.run.force_sets.n_computed,
                    "forces_from_checkpoint": p.run.force_sets.n_loaded,
                }
                for p in items
            },
            "dG_kJmol": {
                n: {f"{p:g}": v.tolist() for p, v in d.items()} for n, d in delta_g.items()
            },
            "stable": {f"{p:g}": s for p, s in stable.items()},
            "temperatures_K": t.tolist(),
        }
        results.write_json("results.json", payload)
        results.write_csv("stability.csv", rows)
        from molxtal.plotting.thermo import plot_stability

        results.save_figure("stability.png", plot_stability(t, delta_g, names[0]))
    print_table(
        "Polymorphs (per molecule)",
        ["polymorph", "E_latt (kJ/mol)", "ZPE (kJ/mol)", "V (Å³)"],
        [[p.name, f"{p.lattice.lattice_energy_kJ_per_mol:.3f}",
          f"{payload['polymorphs'][p.name]['zpe_kJmol']:.3f}",
          f"{p.volume_A3:.3f}"] for p in items],
    )  # fmt: skip
    step = max(1, len(t) // 10)
    print_table(
        f"G − G({names[0]}) per molecule (kJ/mol) and the stable polymorph",
        ["P (GPa)", "T (K)", *names, "stable"],
        [[f"{r['P_GPa']:g}", f"{r['T_K']:g}", *(f"{r[f'dG_{n}_kJmol']:.3f}" for n in names),
          r["stable"]] for k, r in enumerate(rows) if k % len(t) % step == 0],
    )  # fmt: skip
    console.print(f"Results in {results.path}")


def register(app: typer.Typer) -> None:
    app.command("stability")(stability_command)
