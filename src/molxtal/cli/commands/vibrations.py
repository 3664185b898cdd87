"""``molxtal vibrations FILE``: harmonic frequencies, normal modes, ZPE and ideal-gas thermo."""

from __future__ import annotations

from typing import Annotated

import typer

from molxtal.cli import options as opt
from molxtal.cli.run import run_command


@opt.with_models
def vibrations_command(
    structure: opt.StructureArg,
    method: opt.MethodOpt = "auto",
    delta: opt.DeltaOpt = 0.001,
    nfree: opt.NfreeOpt = 4,
    temperature: Annotated[float, typer.Option(help="Temperature (K) for U, H, S, G.")] = 298.15,
    pressure: Annotated[float, typer.Option(help="Pressure (Pa) for S and G.")] = 101325.0,
    symmetry_number: Annotated[int, typer.Option(help="Rotational symmetry number.")] = 1,
    spin: Annotated[float, typer.Option(help="Total electronic spin (0 for singlets).")] = 0.0,
    cache: opt.CacheOpt = None,
    out: opt.OutOpt = None,
    *,
    models: list[opt.Model],
) -> None:
    """Harmonic frequencies (cm⁻¹, imaginary as negative), modes, ZPE (eV), thermochemistry.

    Relax the structure first (molxtal relax): frequencies at a non-stationary point are not
    meaningful. Thermochemistry is computed for isolated molecules only.
    """
    from molxtal.workflows.vibrations import vibrational_analysis

    atoms = opt.read_input(structure)
    parameters = {"structure": str(structure), "method": method, "delta_angstrom": delta,
                  "nfree": nfree, "temperature_K": temperature, "pressure_Pa": pressure,
                  "symmetry_number": symmetry_number, "spin": spin}  # fmt: skip
    args = (atoms, models, method, delta, nfree, opt.vibrations_cache_dir(cache), temperature,
            pressure, symmetry_number, spin, str(structure))  # fmt: skip
    run_command("vibrations", out, lambda folder: vibrational_analysis(*args), models, parameters)
