"""Closed-form harmonic-oscillator thermodynamics summed over weighted modes (thesis eqs. 19–23).

Mode energies ħω in eV, temperatures in K, results in eV (per set of modes) or eV/K. Modes with
ħω <= 0 (imaginary or zero) must be removed by the caller; :class:`Modes` does this and counts them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ase.units import kB

from molxtal.units import INVCM_PER_EV, THZ_PER_EV


def _x(hw: np.ndarray, temperatures: np.ndarray) -> np.ndarray:
    """ħω / k_B T on a (T, modes) grid; +inf at T = 0."""
    t = np.asarray(temperatures, dtype=float)[:, None]
    with np.errstate(divide="ignore"):
        return np.where(t > 0, hw[None, :] / (kB * np.where(t > 0, t, 1.0)), np.inf)


def bose_energy(hw, temperatures) -> np.ndarray:
    """Thermal part ħω/(exp(ħω/kT) − 1) (eV), shape (T, modes); zero at T = 0."""
    hw = np.asarray(hw, dtype=float)
    with np.errstate(over="ignore"):
        return hw[None, :] / np.expm1(_x(hw, temperatures))


def mode_energy(hw, temperatures) -> np.ndarray:
    """ε(ω, T) = ħω/2 + ħω/(exp(ħω/kT) − 1) (eV), shape (T, modes)."""
    return 0.5 * np.asarray(hw, dtype=float)[None, :] + bose_energy(hw, temperatures)


def mode_free_energy(hw, temperatures) -> np.ndarray:
    """Quantum F = ħω/2 + kT ln(1 − exp(−ħω/kT)) (eV, eq. 22), shape (T, modes)."""
    hw = np.asarray(hw, dtype=float)
    t = np.asarray(temperatures, dtype=float)[:, None]
    return 0.5 * hw[None, :] + kB * t * np.log(-np.expm1(-_x(hw, temperatures)))


def mode_free_energy_classical(hw, temperatures) -> np.ndarray:
    """Classical F = kT ln(ħω/kT) (eV, eq. 23), shape (T, modes); NaN at T = 0."""
    t = np.asarray(temperatures, dtype=float)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(t > 0, kB * t * np.log(_x(hw, temperatures)), np.nan)


def mode_heat_capacity(hw, temperatures) -> np.ndarray:
    """C_v = k_B x² eˣ/(eˣ − 1)², x = ħω/kT (eV/K), shape (T, modes); zero at T = 0."""
    x = _x(np.asarray(hw, dtype=float), temperatures)
    with np.errstate(over="ignore", invalid="ignore"):
        c = kB * x**2 * np.exp(-x) / (-np.expm1(-x)) ** 2
    return np.nan_to_num(c, nan=0.0)


@dataclass
class Modes:
    """Positive mode energies ħω (eV) with weights; sums are per ``per`` (e.g. per molecule).

    ``n_dropped``: weighted count of modes left out (ħω below ``cutoff_eV``: imaginary, or the
    zero-frequency acoustic modes at Γ).
    """

    hw_eV: np.ndarray
    weights: np.ndarray
    per: float = 1.0
    n_dropped: float = 0.0

    @classmethod
    def from_frequencies(cls, frequencies, weights=None, unit="THz", per=1.0, cutoff_cm1=1e-3):
        """Modes from frequencies in ``unit`` (THz or cm-1; imaginary as negative numbers)."""
        factor = {"THz": 1.0 / THZ_PER_EV, "cm-1": 1.0 / INVCM_PER_EV}[unit]
        hw = np.asarray(frequencies, dtype=float).ravel() * factor
        w = np.ones_like(hw) if weights is None else np.asarray(weights, dtype=float).ravel()
        keep = hw > cutoff_cm1 / INVCM_PER_EV
        return cls(hw[keep], w[keep], per, float(w[~keep].sum()))

    def _sum(self, values: np.ndarray) -> np.ndarray:
        return values @ self.weights / self.per

    @property
    def zpe_eV(self) -> float:
        """Σ w ħω/2 / per (eV)."""
        return float(0.5 * self.hw_eV @ self.weights / self.per)

    def thermal_energy(self, temperatures) -> np.ndarray:
        """Σ w ħω/(exp(ħω/kT) − 1) / per (eV): the thermal part of E_vib."""
        return self._sum(bose_energy(self.hw_eV, temperatures))

    def energy(self, temperatures) -> np.ndarray:
        """E_vib(T) = Σ w ε(ω, T) / per (eV)."""
        return self._sum(mode_energy(self.hw_eV, temperatures))

    def free_energy(self, temperatures) -> np.ndarray:
        return self._sum(mode_free_energy(self.hw_eV, temperatures))

    def free_energy_classical(self, temperatures) -> np.ndarray:
        return self._sum(mode_free_energy_classical(self.hw_eV, temperatures))

    def heat_capacity(self, temperatures) -> np.ndarray:
        """C_v (eV/K)."""
        return self._sum(mode_heat_capacity(self.hw_eV, temperatures))
