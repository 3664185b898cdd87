"""A harmonic valence force field for H2O with frequencies known from Wilson's GF method."""

import numpy as np
import torch
from ase import Atoms, units
from ase.calculators.calculator import Calculator, all_changes

from molxtal.models import Model
from molxtal.units import INVCM_PER_EV

K_R = 50.0  # eV/Å²
K_THETA = 4.0  # eV/rad²
R0 = 0.96  # Å
THETA0 = np.radians(104.5)


class ValenceForceField(Calculator):
    """E = k_r/2 Σ (r_i − r0)² + k_θ/2 (θ − θ0)² for H2O (atoms O, H, H); forces by autograd."""

    implemented_properties = ["energy", "forces"]

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        super().calculate(atoms, properties, system_changes)
        x = torch.tensor(self.atoms.positions, dtype=torch.float64, requires_grad=True)
        b1, b2 = x[1] - x[0], x[2] - x[0]
        r1, r2 = b1.norm(), b2.norm()
        theta = torch.acos(torch.dot(b1, b2) / (r1 * r2))
        energy = K_R / 2 * ((r1 - R0) ** 2 + (r2 - R0) ** 2) + K_THETA / 2 * (theta - THETA0) ** 2
        energy.backward()
        self.results = {"energy": float(energy), "forces": -x.grad.numpy()}


def wilson_gf_frequencies() -> np.ndarray:
    """ω1, ω2, ω3 (cm⁻¹) of the force field by Wilson's GF method in internal coordinates:
    symmetric block (S1 = (Δr1+Δr2)/√2, S2 = Δθ), antisymmetric S3 = (Δr1−Δr2)/√2."""
    mu_o, mu_h = 1 / Atoms("O").get_masses()[0], 1 / Atoms("H").get_masses()[0]
    c, s = np.cos(THETA0), np.sin(THETA0)
    g_sym = np.array(
        [
            [mu_h + mu_o * (1 + c), -np.sqrt(2) * mu_o * s / R0],
            [-np.sqrt(2) * mu_o * s / R0, 2 / R0**2 * (mu_h + mu_o * (1 - c))],
        ]
    )
    lam_sym = np.linalg.eigvals(g_sym @ np.diag([K_R, K_THETA]))
    lam_asym = (mu_h + mu_o * (1 - c)) * K_R
    lam = np.array([*lam_sym, lam_asym])  # eV / (Å² amu)
    hbar_omega = units._hbar * np.sqrt(lam * units._e / (1e-20 * units._amu)) / units._e
    omega = hbar_omega * INVCM_PER_EV
    return np.array([max(omega[:2]), min(omega[:2]), omega[2]])


def harmonic_model() -> Model:
    return Model(name="vff", family="test", calculator=ValenceForceField())
