"""``molxtal vibrations FILE``: harmonic frequencies, normal modes, ZPE and ideal-gas thermo."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from molxtal.cli.console import console, handle_errors, print_table
from molxtal.cli.options import (
    OutOpt,
    with_models,
)
from molxtal.cli.run import result_dir
from molxtal.data import cache_dir
from molxtal.models import Model
from molxtal.structures import read_structure
from molxtal.workflows.vibrations import METHODS, thermochemistry, vibrations

MethodOpt = Annotated[
    str, typer.Option(help=f"Hessian: {', '.join(METHODS)} (auto: analytic where available).")
]
DeltaOpt = Annotated[float, typer.Option(help="Finite-difference displacement (Å).")]
NfreeOpt = Annotated[int, typer.Option(help="Finite-difference points per coordinate: 2 or 4.")]
CacheOpt = Annotated[
    Path | None,
    typer.Option(help="Finite-difference cache (default: molxtal user cache/vibrations)."),
]


def vibrations_cache_dir(path: Path | None) -> Path:
    """Where finite-difference displacements are cached (next to the data cache by default)."""
    return path or cache_dir().parent / "vibrations"


@handle_errors
@with_models
def vibrations_command(
    structure: Annotated[Path, typer.Argument(help="Structure file (any format ASE reads).")],
    method: MethodOpt = "auto",
    delta: DeltaOpt = 0.001,
    nfree: NfreeOpt = 4,
    temperature: Annotated[float, typer.Option(help="Temperature (K) for U, H, S, G.")] = 298.15,
    pressure: Annotated[float, typer.Option(help="Pressure (Pa) for S and G.")] = 101325.0,
    symmetry_number: Annotated[int, typer.Option(help="Rotational symmetry number.")] = 1,
    spin: Annotated[float, typer.Option(help="Total electronic spin (0 for singlets).")] = 0.0,
    cache: CacheOpt = None,
    out: OutOpt = None,
    *,
    models: list[Model],
) -> None:
    """Harmonic frequencies (cm⁻¹, imaginary as negative), modes, ZPE (eV), thermochemistry.

    Relax the structure first (molxtal relax): frequencies at a non-stationary point are not
    meaningful. Thermochemistry is computed for isolated molecules only.
    """
    atoms = read_structure(structure)
    for m in models:
        m.check_elements(atoms, str(structure))
    parameters = {
        "structure": str(structure),
        "method": method,
        "delta_angstrom": delta,
        "nfree": nfree,
        "temperature_K": temperature,
        "pressure_Pa": pressure,
        "symmetry_number": symmetry_number,
        "spin": spin,
    }
    molecule = not atoms.pbc.any()
    with result_dir("vibrations", out, models, parameters) as results:
        per_model, rows = {}, []
        for m in models:
            with results.provenance.stage(f"vibrations[{m.name}]"):
                vib = vibrations(atoms, m, method, delta, nfree, vibrations_cache_dir(cache))
            entry = {
                "method": vib.method,
                "linear": vib.linear,
                "frequencies_cm-1": vib.frequencies_cm1,
                "all_frequencies_cm-1": vib.all_frequencies_cm1,
                "n_imaginary": vib.n_imaginary,
                "zpe_eV": vib.zpe_eV,
                "modes_angstrom": vib.modes,
            }
            if molecule:
                energy = m.attach(atoms).get_potential_energy()
                entry["thermochemistry"] = thermochemistry(
                    vib, energy, temperature, pressure, symmetry_number, spin
                )
            per_model[m.name] = entry
            for k, f in enumerate(vib.frequencies_cm1):
                rows.append({"model": m.name, "mode": k + 1, "frequency_cm-1": f})
        payload = per_model[models[0].name] if len(models) == 1 else {}
        results.write_json(
            "results.json", {"structure": str(structure), **payload, "models": per_model}
        )
        results.write_csv("frequencies.csv", rows)
    names = list(per_model)
    n_modes = len(per_model[names[0]]["frequencies_cm-1"])
    table = [
        [str(k + 1)] + [f"{per_model[n]['frequencies_cm-1'][k]:.2f}" for n in names]
        for k in range(n_modes)
    ]
    table.append(["ZPE (eV)"] + [f"{per_model[n]['zpe_eV']:.4f}" for n in names])
    print_table(f"Harmonic frequencies (cm⁻¹): {structure.name}", ["mode", *names], table)
    if molecule:
        thermo = [
            [label] + [f"{getattr(per_model[n]['thermochemistry'], attr):.6f}" for n in names]
            for label, attr in (
                ("U (eV)", "internal_energy_eV"),
                ("H (eV)", "enthalpy_eV"),
                ("S (eV/K)", "entropy_eV_per_K"),
                ("G (eV)", "gibbs_energy_eV"),
            )
        ]
        print_table(f"Ideal gas at {temperature:g} K, {pressure:g} Pa", ["", *names], thermo)
    console.print(f"Results in {results.path}")


def register(app: typer.Typer) -> None:
    app.command("vibrations")(vibrations_command)
