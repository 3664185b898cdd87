"""Harmonic-mode thermodynamics against closed forms, their limits, ASE and phonopy."""

from __future__ import annotations

import numpy as np
from ase import Atoms, units
from ase.calculators.calculator import Calculator, all_changes
from ase.thermochemistry import HarmonicThermo

from molxtal.analysis.harmonic import Modes
from molxtal.units import THZ_PER_EV
from molxtal.workflows import force_constants as ph

HW = 0.05  # eV (403 cm⁻¹)
kB = units.kB


def test_single_mode_limits_and_ase():
    t = np.array([0.0, 1.0, 50.0, 300.0, 1e5])
    mode = Modes(np.array([HW]), np.array([1.0]))
    e, f, c = mode.energy(t), mode.free_energy(t), mode.heat_capacity(t)
    # T -> 0: zero point only, no heat capacity
    assert e[0] == HW / 2 and f[0] == HW / 2 and c[0] == 0.0
    assert abs(e[1] - HW / 2) < 1e-12 and c[1] < 1e-30
    # high T: equipartition with the first quantum corrections (ħω)²/(12kT), (ħω)²/(24kT)
    kt = kB * t[-1]
    assert np.isclose(e[-1], kt + HW**2 / (12 * kt), rtol=1e-9)
    assert np.isclose(c[-1], kB, rtol=1e-8)
    assert np.isclose(f[-1], kt * np.log(HW / kt) + HW**2 / (24 * kt), rtol=1e-8)
    assert np.isclose(mode.free_energy_classical(t)[-1], kt * np.log(HW / kt), rtol=1e-12)
    # ASE's HarmonicThermo: U = ZPE + thermal, F = U − TS
    thermo = HarmonicThermo([HW])
    for temperature, u, a in zip(t[1:4], e[1:4], f[1:4], strict=True):
        assert np.isclose(u, thermo.get_internal_energy(temperature, verbose=False), atol=1e-12)
        assert np.isclose(a, thermo.get_helmholtz_energy(temperature, verbose=False), atol=1e-12)


def test_thermodynamic_identities():
    """C_v = dE/dT and E = F − T dF/dT by central differences on three modes."""
    mode = Modes(np.array([0.01, 0.05, 0.4]), np.array([1.0, 2.0, 0.5]), per=3.0)
    t, h = np.array([20.0, 150.0, 600.0]), 1e-3
    de = (mode.energy(t + h) - mode.energy(t - h)) / (2 * h)
    df = (mode.free_energy(t + h) - mode.free_energy(t - h)) / (2 * h)
    assert np.allclose(de, mode.heat_capacity(t), rtol=1e-6)
    assert np.allclose(mode.free_energy(t) - t * df, mode.energy(t), rtol=1e-8)
    assert np.allclose(mode.energy(t), mode.zpe_eV + mode.thermal_energy(t), rtol=1e-14)


class Tethers(Calculator):
    """Einstein crystal: every atom tied to its own lattice site by a spring k (eV/Å²)."""

    implemented_properties = ("energy", "forces")

    def __init__(self, sites: Atoms, k: float):
        super().__init__()
        self.sites, self.k = sites, k

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        super().calculate(atoms, properties, system_changes)
        from ase.geometry import find_mic

        u, _ = find_mic(self.atoms.positions - self._reference(), self.atoms.cell)
        self.results = {"energy": 0.5 * self.k * (u**2).sum(), "forces": -self.k * u}

    def _reference(self):
        """Lattice sites of the current supercell: its positions rounded to the site grid."""
        scaled = self.atoms.get_scaled_positions()
        n = np.rint(np.diag(self.atoms.cell) / np.diag(self.sites.cell)).astype(int)
        grid = np.rint(scaled * n * 2) / (2 * n)  # sites at multiples of half the cell here
        return grid @ self.atoms.cell


def test_einstein_crystal_through_phonopy():
    """All 3N phonons at ω_E = √(k/m) everywhere; E, F, C_v per atom are the Einstein forms."""
    from molxtal.models import Model

    k, a = 3.0, 2.0
    crystal = Atoms("HH", positions=[(0, 0, 0), (a / 2, 0, 0)], cell=[a, a / 2, a / 2], pbc=True)
    model = Model(name="tethers", family="test", calculator=Tethers(crystal, k), sha256="t")
    settings = ph.DisplacementSettings(supercell=ph.supercell_matrix([2, 2, 2]))
    phonon = ph.make_phonopy(crystal, settings)  # no acoustic sum rule: there are no acoustics
    phonon.forces = ph.compute_force_sets(phonon, ph.ForceStore(model, None))
    phonon.produce_force_constants()
    phonon.run_mesh([4, 4, 4], is_gamma_center=True)
    frequencies, weights = phonon.mesh.frequencies, phonon.mesh.weights
    hw_e = units._hbar * np.sqrt(k * units._e / (1e-20 * units._amu * crystal.get_masses()[0]))
    hw_e /= units._e
    assert np.allclose(frequencies / THZ_PER_EV, hw_e, rtol=1e-6)
    modes = Modes.from_frequencies(
        frequencies, np.repeat(weights[:, None], 6, axis=1), per=weights.sum() * 2
    )
    t = np.array([0.0, 30.0, 300.0, 3000.0])
    x = hw_e / (kB * np.where(t > 0, t, 1))
    with np.errstate(over="ignore"):
        energy = np.where(t > 0, 3 * hw_e * (0.5 + 1 / np.expm1(x)), 1.5 * hw_e)
        cv = np.where(t > 0, 3 * kB * x**2 * np.exp(x) / np.expm1(x) ** 2, 0.0)
    assert np.allclose(modes.energy(t), energy, rtol=1e-6)
    assert np.allclose(modes.heat_capacity(t), cv, rtol=1e-4, atol=1e-30)  # x·δω/ω at 30 K
    assert np.isclose(modes.zpe_eV, 1.5 * hw_e, rtol=1e-6)
    free = 3 * (0.5 * hw_e + kB * t[1:] * np.log(-np.expm1(-x[1:])))
    assert np.allclose(modes.free_energy(t)[1:], free, rtol=1e-6)
