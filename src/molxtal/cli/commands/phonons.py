"""``molxtal phonons CRYSTAL``: harmonic phonons by small displacements (phonopy)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from molxtal.cli import options as opt
from molxtal.cli.console import progress_bar
from molxtal.cli.run import run_command


@opt.with_model
def phonons_command(
    structure: Annotated[Path, typer.Argument(help="Crystal structure (any format ASE reads).")],
    supercell: Annotated[
        tuple[int, int, int] | None, typer.Option(help="Diagonal supercell, e.g. 2 2 2.")
    ] = None,
    supercell_matrix: Annotated[
        str | None, typer.Option(help="Supercell matrix: 9 integers, row-major, e.g. '0 1 1 ...'.")
    ] = None,
    min_length: Annotated[
        float | None,
        typer.Option(help="Smallest diagonal supercell this wide in each direction (Å)."),
    ] = None,
    displacement: Annotated[float | None, typer.Option(help="Displacement (Å) [0.01].")] = None,
    plusminus: Annotated[bool | None, typer.Option(help="± pairs or one-sided [measured].")] = None,
    displacements: Annotated[
        str,
        typer.Option(
            help="auto (cheaper by a measured cost model), systematic (phonopy, symmetry-reduced "
            "±), random (all atoms, symfc fit within --fc-cutoff, sized by a held-out set) or "
            "hessian (analytic rows, MACE)."
        ),
    ] = "auto",
    fc_cutoff: Annotated[
        float | None, typer.Option(help="Random fit: force-constant cutoff (Å) [5].")
    ] = None,
    snapshots: Annotated[
        int | None, typer.Option(help="Random fit: fixed snapshot count (default: sized).")
    ] = None,
    holdout: Annotated[int, typer.Option(help="Random fit: held-out snapshots.")] = 1,
    fc_calculator: Annotated[
        str | None, typer.Option(help="traditional or symfc (default: by --displacements).")
    ] = None,
    relax: Annotated[str, typer.Option(help="Pre-relax: none, positions or cell.")] = "none",
    relax_fmax: Annotated[float, typer.Option(help="Relaxation threshold (eV/Å).")] = 1e-3,
    path: Annotated[
        str, typer.Option(help="q-path: auto (seekpath) or labels, e.g. GAMMA-A-K-H-M-L-GAMMA.")
    ] = "auto",
    npoints: Annotated[int, typer.Option(help="q-points per path segment.")] = 101,
    unit: Annotated[
        str, typer.Option(help="Frequency unit of figures: cm-1, THz or meV.")
    ] = "cm-1",
    mesh: Annotated[tuple[int, int, int], typer.Option(help="DOS/thermal q-mesh.")] = (8, 8, 8),
    sigma: Annotated[
        float | None, typer.Option(help="Gaussian DOS smearing (THz) (tetrahedra).")
    ] = None,
    t_max: Annotated[float, typer.Option(help="Highest temperature (K).")] = 300.0,
    t_step: Annotated[float, typer.Option(help="Temperature step (K).")] = 5.0,
    mass: Annotated[
        list[str] | None, typer.Option(help="Isotope mass, ELEMENT=amu (repeatable).")
    ] = None,
    isotope: Annotated[str | None, typer.Option(help="Isotope shorthand: D2O.")] = None,
    supercell_scan: Annotated[
        str | None,
        typer.Option(help="Also run n×n×n supercells: '1 2 3', 1,2,3 or 1-3."),
    ] = None,
    checkpoints: opt.CheckpointsOpt = opt.DEFAULT_CHECKPOINTS,
    seed: opt.SeedOpt = 0,
    out: opt.OutOpt = None,
    *,
    model: opt.Model,
) -> None:
    """Force constants, band structure, DOS, thermal properties and isotopes of a crystal."""
    parameters = {k: v for k, v in locals().items() if k != "model"}
    from molxtal.structures import read_structure
    from molxtal.workflows import force_constants as fc
    from molxtal.workflows import phonons as ph

    analysis = ph.AnalysisSettings(path, npoints, mesh, sigma, t_max, t_step, unit)
    masses = ph.isotope_masses(mass or [], isotope)
    scan_sizes = opt.parse_sizes(supercell_scan, "--supercell-scan")
    matrix = opt.parse_integers(supercell_matrix, "--supercell-matrix")
    atoms = read_structure(structure, periodic=True)
    settings = fc.DisplacementSettings(
        fc.choose_supercell(atoms, supercell, matrix, min_length), displacement, plusminus,
        displacements, snapshots, seed, holdout, fc_cutoff,
    )  # fmt: skip
    run_command(
        "phonons", out,
        lambda folder: ph.phonons(
            atoms, model, settings, analysis, checkpoints=checkpoints,
            relax=None if relax == "none" else relax, relax_fmax=relax_fmax,
            fc_calculator=fc_calculator, masses=masses, isotope=isotope, scan_sizes=scan_sizes,
            source=str(structure), title=opt.structure_name(structure), progress=progress_bar,
        ),
        [model], parameters, seed,
    )  # fmt: skip
