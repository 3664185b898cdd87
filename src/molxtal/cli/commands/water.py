"""``molxtal water monomer|dimer|binding-curve``: the thesis's water recipes (chapter 3)."""

from __future__ import annotations

from typing import Annotated

import typer

from molxtal.cli import options as opt
from molxtal.cli.run import run_command

water_app = typer.Typer(help="Water monomer, dimer and binding curve (thesis chapter 3).")


def _recipe_command(name: str, recipe: str, fmax_default: float, steps_default: int, doc: str):
    """``water monomer|dimer``: ``workflows.water.<recipe>``; exit 2 if a relaxation failed."""

    @opt.with_models
    def command(
        fmax: opt.RelaxFmaxOpt = fmax_default,
        steps: opt.RelaxStepsOpt = steps_default,
        method: opt.MethodOpt = "auto",
        delta: opt.DeltaOpt = 1e-3,
        nfree: opt.NfreeOpt = 4,
        cache: opt.CacheOpt = None,
        out: opt.OutOpt = None,
        *,
        models: list[opt.Model],
    ) -> None:
        from molxtal.workflows import water

        parameters = {"fmax_eV_per_angstrom": fmax, "steps": steps, "method": method,
                      "delta_angstrom": delta, "nfree": nfree}  # fmt: skip
        args = (models, fmax, steps, method, delta, nfree, opt.vibrations_cache_dir(cache))
        run_command(
            f"water-{name}", out, lambda folder: getattr(water, recipe)(*args), models, parameters,
            check=lambda result: result.require_converged(),
        )  # fmt: skip

    command.__doc__ = doc
    return command


@opt.with_models
def binding_curve_command(
    r_min: Annotated[float, typer.Option(help="Shortest O–O distance (Å).")] = 2.0,
    r_max: Annotated[float, typer.Option(help="Longest O–O distance (Å).")] = 6.0,
    fmax: opt.RelaxFmaxOpt = 1e-3,
    steps: opt.RelaxStepsOpt = 500,
    out: opt.OutOpt = None,
    *,
    models: list[opt.Model],
) -> None:
    """ΔE = E_dimer − 2 E_monomer (eV) against r_OO (Å), relaxed at fixed O–O distance."""
    from molxtal.workflows.water import binding_curve, binding_distances

    distances = binding_distances(r_min, r_max)
    parameters = {"r_OO_angstrom": distances, "fmax_eV_per_angstrom": fmax, "steps": steps}
    compute = lambda folder: binding_curve(models, distances, fmax, steps)  # noqa: E731
    run_command("water-binding-curve", out, compute, models, parameters)


def register(app: typer.Typer) -> None:
    monomer = "Relaxed H2O: r_OH (Å), HOH (°), ω1 ω2 ω3 (cm⁻¹), ZPE (eV) against experiment."
    dimer = "Relaxed (H2O)2: r_OO, α, β, θ_a, θ_d; 12 frequencies with MAE; ZPE, against CCSD(T)."
    water_app.command("monomer")(_recipe_command("monomer", "water_monomer", 1e-8, 1000, monomer))
    water_app.command("dimer")(_recipe_command("dimer", "water_dimer_recipe", 1e-6, 2000, dimer))
    water_app.command("binding-curve")(binding_curve_command)
    app.add_typer(water_app, name="water")
