"""Water recipes (thesis chapter 3): relaxed monomer and dimer with their harmonic frequencies,
and the dimer binding curve, each for one or more models against its reference values.

Every result stores, per model, its values, their errors against the reference (model −
reference, in the quantity's unit) and, for the models the thesis used, the thesis's own
values; its tables (:func:`monomer_table`, :func:`dimer_table`, :func:`binding_table`) are
built from those stored numbers, so the CLI and the study's report print the same.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from scipy.interpolate import CubicSpline

from molxtal.analysis.water import (
    DimerGeometry,
    assign_monomer_modes,
    dimer_geometry,
    monomer_geometry,
    pick,
)
from molxtal.data import water as ref
from molxtal.errors import NotConvergedError
from molxtal.models import Model
from molxtal.results import Result, ResultDir, Table, number
from molxtal.structures import water_dimer, water_molecule
from molxtal.units import INVCM_PER_EV
from molxtal.workflows.relax import Relaxation, constraints, labelled_frames, relax
from molxtal.workflows.vibrations import Vibration, vibrations

#: O–O distances (Å) of the default binding curve: dense around the minimum (2.6–3.4 Å).
BINDING_DISTANCES = tuple(
    np.round(
        np.concatenate(
            [np.arange(2.0, 2.6, 0.2), np.arange(2.6, 3.45, 0.1), np.arange(3.6, 6.01, 0.4)]
        ),
        3,
    )
)

#: Experimental monomer reference (Å, degrees, cm⁻¹) with its ZPE = ½ Σ ħω (eV).
MONOMER_REFERENCE = {
    **ref.MONOMER_REFERENCE,
    "zpe_eV": 0.5 * sum(ref.MONOMER_REFERENCE["frequencies_cm-1"]) / INVCM_PER_EV,
}
#: CCSD(T) dimer geometry (Å, degrees), CCSD(T)/CBS frequencies (cm⁻¹) and ZPE (eV).
DIMER_REFERENCE = {
    **ref.DIMER_GEOMETRY_REFERENCE,
    "frequencies_cm-1": ref.DIMER_FREQUENCIES_REFERENCE,
    "zpe_eV": ref.DIMER_ZPE_REFERENCE_EV,
}
#: Experimental minimum of the binding curve (Å, eV).
BINDING_REFERENCE = {
    "minimum_r_OO_angstrom": ref.BINDING_REFERENCE["r_OO_angstrom"],
    "minimum_binding_energy_eV": ref.BINDING_REFERENCE["binding_energy_eV"],
}

#: Rows of the comparison tables: (label with unit, results key, element or None, digits).
Quantity = tuple[str, str, int | None, int]
MONOMER_QUANTITIES: list[Quantity] = [
    ("r_OH (Å)", "r_OH_angstrom", None, 5),
    ("∠HOH (°)", "angle_HOH_deg", None, 3),
    ("ω1 sym. stretch (cm⁻¹)", "frequencies_cm-1", 0, 2),
    ("ω2 bend (cm⁻¹)", "frequencies_cm-1", 1, 2),
    ("ω3 asym. stretch (cm⁻¹)", "frequencies_cm-1", 2, 2),
    ("ZPE (eV)", "zpe_eV", None, 4),
]
DIMER_GEOMETRY_QUANTITIES: list[Quantity] = [
    ("r_OO (Å)", "r_OO_angstrom", None, 3),
    ("α (°)", "alpha_deg", None, 1),
    ("β (°)", "beta_deg", None, 1),
    ("θ_a (°)", "theta_a_deg", None, 2),
    ("θ_d (°)", "theta_d_deg", None, 2),
]
DIMER_FREQUENCY_QUANTITIES: list[Quantity] = [
    (f"ω{k + 1} (cm⁻¹)", "frequencies_cm-1", k, 1) for k in range(12)
]
DIMER_ZPE_QUANTITY: Quantity = ("ZPE (eV)", "zpe_eV", None, 3)
BINDING_QUANTITIES: list[Quantity] = [
    ("r_OO at minimum (Å)", "minimum_r_OO_angstrom", None, 3),
    ("ΔE at minimum (eV)", "minimum_binding_energy_eV", None, 4),
    ("ΔE at the largest r_OO (eV)", "dissociation_limit_eV", None, 5),
]


def errors_against(values: dict[str, Any], reference: dict[str, Any]) -> dict[str, Any]:
    """Model − reference for every key of ``reference`` (numbers or sequences of numbers)."""
    diff = {
        key: np.asarray(values[key], dtype=float) - np.asarray(r) for key, r in reference.items()
    }
    return {key: d.tolist() if d.ndim else float(d) for key, d in diff.items()}


def comparison_rows(quantities: Sequence[Quantity], data: dict[str, Any]) -> list[list[str]]:
    """Per quantity: the reference, then per model "value (error) [thesis value]", read from a
    result's numbers (``to_dict()`` or its stored JSON)."""
    rows = []
    for label, key, index, digits in quantities:
        row = [label, number(pick(data["reference"], key, index), f".{digits}f")]
        for entry in data["models"].values():
            cell = number(pick(entry, key, index), f".{digits}f")
            error = pick(entry["errors"], key, index)
            if error is not None:
                cell += f" ({error:+.{digits}f})"
            thesis = pick(entry.get("thesis"), key, index)
            if thesis is not None:
                cell += f" [thesis {thesis:.{digits}f}]"
            row.append(cell)
        rows.append(row)
    return rows


def _relaxation_notes(data: dict[str, Any]) -> list[str]:
    return [
        f"relaxation with {name} did not converge"
        for name, entry in data["models"].items()
        if not entry["relaxation"]["converged"]
    ]


def monomer_table(data: dict[str, Any]) -> Table:
    """The monomer comparison table from a :class:`MonomerResult`'s numbers."""
    return Table(
        "Water monomer: value (error vs experiment) [thesis value]",
        ["quantity", "reference", *data["models"]],
        comparison_rows(MONOMER_QUANTITIES, data),
        _relaxation_notes(data),
    )


def dimer_table(data: dict[str, Any]) -> Table:
    """The dimer comparison table (with the frequency MAE) from a :class:`DimerResult`'s numbers."""
    quantities = DIMER_GEOMETRY_QUANTITIES + DIMER_FREQUENCY_QUANTITIES
    mae = [f"{entry['frequency_MAE_cm-1']:.1f}" for entry in data["models"].values()]
    return Table(
        "Water dimer: value (error vs reference) [thesis value]",
        ["quantity", "reference", *data["models"]],
        [
            *comparison_rows(quantities, data),
            ["frequency MAE (cm⁻¹)", "-", *mae],
            *comparison_rows([DIMER_ZPE_QUANTITY], data),
        ],
        _relaxation_notes(data),
    )


def binding_table(data: dict[str, Any]) -> Table:
    """The binding-curve table (spline minimum against experiment) from its numbers."""
    unconverged = [sum(not c for c in e["converged"]) for e in data["models"].values()]
    return Table(
        f"Water dimer binding curve (spline minimum) against {ref.BINDING_CITATION}",
        ["quantity", "reference", *data["models"]],
        [*comparison_rows(BINDING_QUANTITIES, data), ["unconverged points", "-", *unconverged]],
        [
            f"{n} unconverged point(s) with {m}"
            for m, n in zip(data["models"], unconverged, strict=True)
            if n
        ],
    )


def _with_single(models: dict[str, dict]) -> dict[str, Any]:
    """``{"models": ...}``, plus the one model's values at the top level when there is one."""
    return {"models": models, **(next(iter(models.values())) if len(models) == 1 else {})}


def _thesis(lookup: Callable[[str], dict | None], model_name: str) -> dict | None:
    label = ref.thesis_label(model_name)
    return lookup(label) if label else None


@dataclass
class Monomer:
    """One model's relaxed water molecule: O–H (Å), HOH (degrees), ω1 ω2 ω3 (cm⁻¹)."""

    relaxation: Relaxation
    vibration: Vibration
    r_OH_angstrom: float
    angle_HOH_deg: float
    omega_cm1: tuple[float, float, float]

    @property
    def zpe_eV(self) -> float:
        return self.vibration.zpe_eV


@dataclass
class Dimer:
    """One model's relaxed water dimer: geometry, 12 frequencies (cm⁻¹, ascending), ZPE (eV)."""

    relaxation: Relaxation
    vibration: Vibration
    geometry: DimerGeometry

    @property
    def zpe_eV(self) -> float:
        return self.vibration.zpe_eV


class _RelaxedWater(Result):
    """What the monomer and dimer results share: relaxed structures and their convergence."""

    relaxed: dict[str, Monomer] | dict[str, Dimer]
    #: Name of the CSV file holding :meth:`table`.
    csv_name: ClassVar[str]

    def table(self) -> Table:
        """The comparison table against the reference."""
        raise NotImplementedError

    def summary(self) -> list[Table]:
        return [self.table()]

    def csv_tables(self) -> dict[str, list[dict[str, Any]]]:
        table = self.table()
        return {self.csv_name: [dict(zip(table.columns, row, strict=True)) for row in table.rows]}

    def write_files(self, folder: ResultDir) -> None:
        relaxations = {name: r.relaxation for name, r in self.relaxed.items()}
        folder.write_atoms("relaxed.extxyz", labelled_frames(relaxations))

    def require_converged(self) -> None:
        """Raise :class:`NotConvergedError` if a relaxation did not converge."""
        failed = [name for name, r in self.relaxed.items() if not r.relaxation.converged]
        if failed:
            raise NotConvergedError(
                f"relaxation with {', '.join(failed)} did not converge (results written)"
            )


@dataclass
class MonomerResult(_RelaxedWater):
    """Relaxed H2O per model against experiment: r_OH (Å), ∠HOH (°), ω1 ω2 ω3 (cm⁻¹), ZPE (eV)."""

    relaxed: dict[str, Monomer]
    csv_name: ClassVar[str] = "water_monomer.csv"

    def to_dict(self) -> dict[str, Any]:
        models = {}
        for name, m in self.relaxed.items():
            values = {
                "r_OH_angstrom": m.r_OH_angstrom,
                "angle_HOH_deg": m.angle_HOH_deg,
                "frequencies_cm-1": m.omega_cm1,
                "zpe_eV": m.zpe_eV,
            }
            models[name] = {
                **values,
                "errors": errors_against(values, MONOMER_REFERENCE),
                "frequency_method": m.vibration.method,
                "relaxation": m.relaxation.to_dict(),
                "thesis": _thesis(ref.thesis_monomer, name),
            }
        return {
            "reference": MONOMER_REFERENCE,
            "reference_source": ref.MONOMER_CITATION,
            **_with_single(models),
        }

    def table(self) -> Table:
        return monomer_table(self.to_dict())

    def figures(self) -> dict[str, Callable]:
        from molxtal.plotting.water import error_bars

        models = self.to_dict()["models"]

        def draw(picks: list[Quantity], unit: str) -> Callable:
            errors = {
                n: [pick(e["errors"], k, i) for _, k, i, _ in picks] for n, e in models.items()
            }
            title = "Water monomer: model − experiment"
            return lambda: error_bars(title, [q[0] for q in picks], errors, unit)

        q = MONOMER_QUANTITIES
        return {
            "frequency_errors.png": draw(q[2:5], "cm⁻¹"),
            "geometry_zpe_errors.png": draw([q[0], q[1], q[5]], "Å, °, eV"),
        }


@dataclass
class DimerResult(_RelaxedWater):
    """Relaxed (H2O)2 per model: geometry against CCSD(T) (Å, °), the 12 frequencies (cm⁻¹) and
    ZPE (eV) against CCSD(T)/CBS."""

    relaxed: dict[str, Dimer]
    csv_name: ClassVar[str] = "water_dimer.csv"

    def to_dict(self) -> dict[str, Any]:
        models = {}
        for name, d in self.relaxed.items():
            values = {
                **d.geometry.values(),
                "frequencies_cm-1": d.vibration.frequencies_cm1,
                "zpe_eV": d.zpe_eV,
            }
            errors = errors_against(values, DIMER_REFERENCE)
            models[name] = {
                **values,
                "errors": errors,
                "frequency_MAE_cm-1": float(np.abs(errors["frequencies_cm-1"]).mean()),
                "frequency_method": d.vibration.method,
                "donor_atoms": d.geometry.donor,
                "acceptor_atoms": d.geometry.acceptor,
                "bonded_hydrogen": d.geometry.bonded_hydrogen,
                "relaxation": d.relaxation.to_dict(),
                "thesis": _thesis(ref.thesis_dimer, name),
            }
        return {
            "reference": DIMER_REFERENCE,
            "reference_sources": {
                "geometry": ref.DIMER_GEOMETRY_CITATION,
                "frequencies_and_zpe": ref.DIMER_FREQUENCIES_CITATION,
            },
            **_with_single(models),
        }

    def table(self) -> Table:
        return dimer_table(self.to_dict())

    def figures(self) -> dict[str, Callable]:
        from molxtal.plotting.water import error_bars

        models = self.to_dict()["models"]
        frequencies = {n: e["errors"]["frequencies_cm-1"] for n, e in models.items()}
        geometry = {
            n: [e["errors"][k] for _, k, _, _ in DIMER_GEOMETRY_QUANTITIES]
            for n, e in models.items()
        }
        return {
            "frequency_errors.png": lambda: error_bars(
                f"Water dimer: model − CCSD(T)/CBS ({ref.DIMER_FREQUENCIES_CITATION})",
                [f"ω{k + 1}" for k in range(12)],
                frequencies,
                "cm⁻¹",
            ),
            "geometry_errors.png": lambda: error_bars(
                f"Water dimer geometry: model − {ref.DIMER_GEOMETRY_CITATION}",
                [q[0] for q in DIMER_GEOMETRY_QUANTITIES],
                geometry,
                "Å or °",
            ),
        }


@dataclass
class BindingCurve:
    """ΔE = E_dimer − 2 E_monomer (eV) against r_OO (Å) and its smooth-fit minimum."""

    r_OO_angstrom: np.ndarray
    binding_energy_eV: np.ndarray
    converged: np.ndarray
    monomer_energy_eV: float
    minimum_r_OO_angstrom: float
    minimum_energy_eV: float


@dataclass
class BindingCurveResult(Result):
    """The binding curve of each model and its spline minimum against experiment."""

    curves: dict[str, BindingCurve]

    def to_dict(self) -> dict[str, Any]:
        models = {}
        for name, c in self.curves.items():
            minimum = {
                "minimum_r_OO_angstrom": c.minimum_r_OO_angstrom,
                "minimum_binding_energy_eV": c.minimum_energy_eV,
            }
            models[name] = {
                "r_OO_angstrom": c.r_OO_angstrom,
                "binding_energy_eV": c.binding_energy_eV,
                "converged": c.converged,
                "monomer_energy_eV": c.monomer_energy_eV,
                **minimum,
                "dissociation_limit_eV": float(c.binding_energy_eV[-1]),
                "errors": errors_against(minimum, BINDING_REFERENCE),
            }
        return {
            "reference": BINDING_REFERENCE,
            "reference_source": ref.BINDING_CITATION,
            **_with_single(models),
        }

    def summary(self) -> list[Table]:
        return [binding_table(self.to_dict())]

    def csv_tables(self) -> dict[str, list[dict[str, Any]]]:
        rows = [
            {"model": name, "r_OO_angstrom": r, "binding_energy_eV": e, "converged": ok}
            for name, c in self.curves.items()
            for r, e, ok in zip(c.r_OO_angstrom, c.binding_energy_eV, c.converged, strict=True)
        ]
        return {"binding_curve.csv": rows}

    def figures(self) -> dict[str, Callable]:
        from molxtal.plotting.water import binding_curves

        r, e = ref.BINDING_REFERENCE["r_OO_angstrom"], ref.BINDING_REFERENCE["binding_energy_eV"]
        return {"binding_curve.png": lambda: binding_curves(self.curves, r, e, "Curtiss 1979")}


def _monomer(model, fmax, steps, method, delta, nfree, cache_dir) -> Monomer:
    """Relax H2O from the experimental geometry, then its harmonic frequencies."""
    relaxed = relax(water_molecule(), model, fmax=fmax, steps=steps)
    vib = vibrations(relaxed.atoms, model, method, delta, nfree, cache_dir)
    r_oh, angle = monomer_geometry(relaxed.atoms)
    omega = assign_monomer_modes(relaxed.atoms, vib.modes, vib.frequencies_cm1)
    return Monomer(relaxed, vib, r_oh, angle, omega)


def water_monomer(
    models: Sequence[Model],
    fmax: float = 1e-8,
    steps: int = 1000,
    method: str = "auto",
    delta: float = 1e-3,
    nfree: int = 4,
    cache_dir: str | Path | None = None,
) -> MonomerResult:
    """Each model's H2O relaxed from the experimental geometry to ``fmax`` (eV/Å), then its
    harmonic frequencies (``method``, finite-difference ``delta`` in Å and ``nfree``)."""
    return MonomerResult(
        {m.name: _monomer(m, fmax, steps, method, delta, nfree, cache_dir) for m in models}
    )


def _dimer(model, fmax, steps, method, delta, nfree, cache_dir) -> Dimer:
    """Relax the dimer from the thesis starting geometry, then its 12 harmonic frequencies."""
    relaxed = relax(water_dimer(), model, fmax=fmax, steps=steps)
    vib = vibrations(relaxed.atoms, model, method, delta, nfree, cache_dir)
    return Dimer(relaxed, vib, dimer_geometry(relaxed.atoms))


def water_dimer_recipe(
    models: Sequence[Model],
    fmax: float = 1e-6,
    steps: int = 2000,
    method: str = "auto",
    delta: float = 1e-3,
    nfree: int = 4,
    cache_dir: str | Path | None = None,
) -> DimerResult:
    """Each model's dimer relaxed from the thesis geometry to ``fmax`` (eV/Å), then its 12
    harmonic frequencies (``method``, ``delta`` in Å, ``nfree``)."""
    return DimerResult(
        {m.name: _dimer(m, fmax, steps, method, delta, nfree, cache_dir) for m in models}
    )


def binding_distances(r_min: float, r_max: float) -> np.ndarray:
    """``r_min``, ``r_max`` and the :data:`BINDING_DISTANCES` between them (Å), ascending."""
    grid = np.array(BINDING_DISTANCES)
    inside = grid[(grid > r_min) & (grid < r_max)]
    return np.unique(np.concatenate([[r_min, r_max], inside]))


def _binding_curve(model: Model, distances: Sequence[float], fmax: float, steps: int):
    """ΔE(r_OO) with every other degree of freedom relaxed at fixed O–O (``FixBondLength``).

    The scan starts from the relaxed dimer and walks outwards from its r_OO in both
    directions, each point starting from its neighbour; the minimum is that of a cubic spline.
    """
    monomer = relax(water_molecule(), model, fmax=fmax * 1e-2, steps=steps).energy_eV
    start = relax(water_dimer(), model, fmax=fmax, steps=steps).atoms
    geometry = dimer_geometry(start)
    o_d, o_a = geometry.donor[0], geometry.acceptor[0]
    distances = np.sort(np.asarray(distances, dtype=float))
    split = int(np.searchsorted(distances, geometry.r_OO_angstrom))
    energies, converged = np.empty(len(distances)), np.empty(len(distances), dtype=bool)
    for order in (range(split, len(distances)), range(split - 1, -1, -1)):
        atoms = start.copy()
        for k in order:
            axis = atoms.positions[o_a] - atoms.positions[o_d]
            shift = (distances[k] - np.linalg.norm(axis)) * axis / np.linalg.norm(axis)
            atoms.positions[list(geometry.acceptor)] += shift
            result = relax(
                atoms, model, fmax, steps, constraint=constraints(fix_bonds=[(o_d, o_a)])
            )
            atoms = result.atoms
            atoms.set_constraint()
            energies[k] = result.energy_eV - 2 * monomer
            converged[k] = result.converged
    spline = CubicSpline(distances, energies)
    fine = np.linspace(distances[0], distances[-1], 20001)
    best = int(np.argmin(spline(fine)))
    return BindingCurve(
        distances, energies, converged, monomer, float(fine[best]), float(spline(fine[best]))
    )


def binding_curve(
    models: Sequence[Model],
    distances: Sequence[float] = BINDING_DISTANCES,
    fmax: float = 1e-3,
    steps: int = 500,
) -> BindingCurveResult:
    """Each model's ΔE = E_dimer − 2 E_monomer (eV) at the O–O ``distances`` (Å), relaxed to
    ``fmax`` (eV/Å) at fixed O–O, with the spline minimum."""
    return BindingCurveResult({m.name: _binding_curve(m, distances, fmax, steps) for m in models})
