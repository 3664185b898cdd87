"""Study steps: the water monomer, dimer, binding curve and convergence scans.

Each step runs the workflow its command runs (``molxtal water monomer``, ``water dimer``,
``water binding-curve``, ``scan fmax``, ``scan delta``) with the profile's settings, writes the
result as the command does and stores its numbers; the tables format those stored numbers.
"""

from __future__ import annotations

from pathlib import Path

from molxtal.data import water as ref
from molxtal.models import Model
from molxtal.results import Table as ResultTable
from molxtal.structures import water_dimer, water_molecule
from molxtal.study.steps import Step, Table, Values, register, write_result

#: How the study names the structure of its convergence scans.
SCAN_STRUCTURE = "water monomer"


def _merged(values: dict[str, Values]) -> Values:
    """The stored numbers of single-model runs as one multi-model result's numbers."""
    first = next(iter(values.values()))
    return {
        "reference": first["reference"],
        "models": {m: v["models"][m] for m, v in values.items()},
    }


def _rows(table: ResultTable) -> Table:
    return list(table.columns), [list(map(str, row)) for row in table.rows]


# --------------------------------------------------------------------------- water monomer


def _monomer(model: Model, p: dict, folder: Path) -> Values:
    from molxtal.workflows.water import water_monomer

    result = water_monomer([model], p["fmax"], p["steps"], "auto", p["delta"], p["nfree"])
    return write_result(result, folder)


def _monomer_table(values: dict[str, Values], p: dict) -> Table:
    from molxtal.workflows.water import monomer_table

    return _rows(monomer_table(_merged(values)))


register(
    Step(
        "water-monomer",
        "Water monomer",
        "H2O relaxed from the experimental geometry; harmonic frequencies and ZPE against "
        f"experiment ({ref.MONOMER_CITATION}).",
        lambda p: [water_molecule()],
        _monomer,
        _monomer_table,
    )
)

# --------------------------------------------------------------------------- water dimer


def _dimer(model: Model, p: dict, folder: Path) -> Values:
    from molxtal.workflows.water import water_dimer_recipe

    result = water_dimer_recipe([model], p["fmax"], p["steps"], "auto", p["delta"], p["nfree"])
    return write_result(result, folder)


def _dimer_table(values: dict[str, Values], p: dict) -> Table:
    from molxtal.workflows.water import dimer_table

    return _rows(dimer_table(_merged(values)))


register(
    Step(
        "water-dimer",
        "Water dimer",
        "(H2O)2 relaxed from the thesis geometry: geometry against CCSD(T) "
        f"({ref.DIMER_GEOMETRY_CITATION}), 12 harmonic frequencies and ZPE against CCSD(T)/CBS "
        f"({ref.DIMER_FREQUENCIES_CITATION}).",
        lambda p: [water_dimer()],
        _dimer,
        _dimer_table,
    )
)

# --------------------------------------------------------------------------- binding curve


def _binding(model: Model, p: dict, folder: Path) -> Values:
    from molxtal.workflows.water import binding_curve

    return write_result(binding_curve([model], p["distances"], p["fmax"], p["steps"]), folder)


def _binding_table(values: dict[str, Values], p: dict) -> Table:
    from molxtal.workflows.water import binding_table

    return _rows(binding_table(_merged(values)))


register(
    Step(
        "binding-curve",
        "Water dimer binding curve",
        "ΔE = E_dimer − 2 E_monomer (eV) against r_OO with the rest relaxed at fixed O–O; spline "
        f"minimum against experiment ({ref.BINDING_CITATION}).",
        lambda p: [water_dimer(), water_molecule()],
        _binding,
        _binding_table,
    )
)

# --------------------------------------------------------------------------- convergence scans


def _fmax_scan(model: Model, p: dict, folder: Path) -> Values:
    from molxtal.workflows.scan import fmax_scan

    scan = fmax_scan(water_molecule(), model, p["fmaxes"], p["steps"], SCAN_STRUCTURE)
    return write_result(scan, folder)


def _fmax_table(values: dict[str, Values], p: dict) -> Table:
    from molxtal.workflows.scan import coordinate_label

    rows = []
    for name, v in values.items():
        for key, series in v["geometry"].items():
            spread = max(series) - min(series)
            rows.append(
                [
                    name,
                    coordinate_label(key),
                    f"{series[0]:.5f}",
                    f"{series[-1]:.5f}",
                    f"{spread:.2e}",
                ]
            )
    loose, tight = max(p["fmaxes"]), min(p["fmaxes"])
    return [
        "model",
        "coordinate",
        f"fmax {loose:g} eV/Å",
        f"fmax {tight:g} eV/Å",
        "spread (Å or °)",
    ], rows


register(
    Step(
        "fmax-scan",
        "Convergence: relaxation threshold",
        "Water-monomer geometry relaxed to each force threshold fmax (eV/Å).",
        lambda p: [water_molecule()],
        _fmax_scan,
        _fmax_table,
    )
)


def _delta_scan(model: Model, p: dict, folder: Path) -> Values:
    from molxtal.workflows.scan import delta_scan

    scan = delta_scan(
        water_molecule(), model, p["deltas"], p["fmaxes"], p["nfree"], p["steps"],
        structure=SCAN_STRUCTURE,
    )  # fmt: skip
    return write_result(scan, folder)


def _delta_table(values: dict[str, Values], p: dict) -> Table:
    from molxtal.workflows.scan import delta_scan_rows

    rows = [[name, *row] for name, v in values.items() for row in delta_scan_rows(v)]
    return ["model", "fmax (eV/Å)", "plateau δ (Å)", "recommended δ (Å)"], rows


register(
    Step(
        "delta-scan",
        "Convergence: finite-difference step",
        "Water-monomer frequencies (cm⁻¹) against the displacement δ (Å) for several fmax; "
        "plateau where neighbouring δ agree within 1 cm⁻¹ (analytic Hessian as reference "
        "where the model has one).",
        lambda p: [water_molecule()],
        _delta_scan,
        _delta_table,
    )
)
