"""Water recipes: relaxed monomer and dimer with their harmonic frequencies, binding curve."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.interpolate import CubicSpline

from molxtal.analysis.water import (
    DimerGeometry,
    assign_monomer_modes,
    dimer_geometry,
    monomer_geometry,
)
from molxtal.models import Model
from molxtal.structures import water_dimer, water_molecule
from molxtal.workflows.relax import Relaxation, constraints, relax
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


@dataclass
class MonomerResult:
    """Relaxed water molecule: O–H (Å), HOH (degrees), ω1 ω2 ω3 (cm⁻¹), ZPE (eV)."""

    relaxation: Relaxation
    vibration: Vibration
    r_OH_angstrom: float
    angle_HOH_deg: float
    omega_cm1: tuple[float, float, float]

    @property
    def zpe_eV(self) -> float:
        return self.vibration.zpe_eV


@dataclass
class DimerResult:
    """Relaxed water dimer: geometry, the 12 frequencies (cm⁻¹, ascending) and ZPE (eV)."""

    relaxation: Relaxation
    vibration: Vibration
    geometry: DimerGeometry

    @property
    def zpe_eV(self) -> float:
        return self.vibration.zpe_eV


@dataclass
class BindingCurve:
    """ΔE = E_dimer − 2 E_monomer (eV) against r_OO (Å) and its smooth-fit minimum."""

    r_OO_angstrom: np.ndarray
    binding_energy_eV: np.ndarray
    converged: np.ndarray
    monomer_energy_eV: float
    minimum_r_OO_angstrom: float
    minimum_energy_eV: float


def water_monomer(
    model: Model,
    fmax: float = 1e-8,
    steps: int = 1000,
    method: str = "auto",
    delta: float = 1e-3,
    nfree: int = 4,
    cache_dir: str | Path | None = None,
) -> MonomerResult:
    """Relax H2O from the experimental geometry, then its harmonic frequencies."""
    relaxed = relax(water_molecule(), model, fmax=fmax, steps=steps)
    vib = vibrations(relaxed.atoms, model, method, delta, nfree, cache_dir)
    r_oh, angle = monomer_geometry(relaxed.atoms)
    omega = assign_monomer_modes(relaxed.atoms, vib.modes, vib.frequencies_cm1)
    return MonomerResult(relaxed, vib, r_oh, angle, omega)


def water_dimer_recipe(
    model: Model,
    fmax: float = 1e-6,
    steps: int = 2000,
    method: str = "auto",
    delta: float = 1e-3,
    nfree: int = 4,
    cache_dir: str | Path | None = None,
) -> DimerResult:
    """Relax the dimer from the thesis starting geometry, then its 12 harmonic frequencies."""
    relaxed = relax(water_dimer(), model, fmax=fmax, steps=steps)
    vib = vibrations(relaxed.atoms, model, method, delta, nfree, cache_dir)
    return DimerResult(relaxed, vib, dimer_geometry(relaxed.atoms))


def binding_curve(
    model: Model,
    distances: Sequence[float] = BINDING_DISTANCES,
    fmax: float = 1e-3,
    steps: int = 500,
) -> BindingCurve:
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
