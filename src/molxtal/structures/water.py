"""Built-in water structures: the gas-phase molecule, the thesis dimer, liquid boxes."""

from __future__ import annotations

import numpy as np
from ase import Atoms, units
from scipy.spatial.transform import Rotation

from molxtal.errors import MolxtalError

#: Experimental equilibrium geometry of the water molecule (Å, degrees).
R_OH_EXPERIMENT = 0.95718
ANGLE_HOH_EXPERIMENT = 104.523

#: The thesis's starting geometry of the water dimer (Å): O, H, H of the donor, then acceptor.
WATER_DIMER_START = (
    ("O", (0.136346, -0.967442, 0.240661)),
    ("H", (-0.779751, -0.869284, 0.030666)),
    ("H", (0.534721, -1.44347, -0.471854)),
    ("O", (1.42482, 1.38927, 0.92644)),
    ("H", (1.72033, 1.29319, 1.81419)),
    ("H", (0.982564, 0.567597, 0.704541)),
)

#: Molar mass of H2O (g/mol) with ASE's standard atomic masses.
WATER_MOLAR_MASS = float(Atoms("H2O").get_masses().sum())


def water_molecule(r_oh: float = R_OH_EXPERIMENT, angle_deg: float = ANGLE_HOH_EXPERIMENT) -> Atoms:
    """An isolated H2O (O at the origin, molecule in the xy plane, C2 axis along y)."""
    half = np.radians(angle_deg) / 2
    positions = [
        (0.0, 0.0, 0.0),
        (r_oh * np.sin(half), r_oh * np.cos(half), 0.0),
        (-r_oh * np.sin(half), r_oh * np.cos(half), 0.0),
    ]
    return Atoms("OH2", positions=positions, pbc=False)


def water_dimer() -> Atoms:
    """The water dimer starting geometry of the thesis (6 atoms, non-periodic)."""
    symbols, positions = zip(*WATER_DIMER_START, strict=True)
    return Atoms(symbols=list(symbols), positions=list(positions), pbc=False)


def box_length_for_density(n_molecules: int, density_g_cm3: float) -> float:
    """Edge (Å) of the cubic box holding ``n_molecules`` H2O at ``density_g_cm3``."""
    mass_g = n_molecules * WATER_MOLAR_MASS / units._Nav
    return (mass_g / density_g_cm3 * 1e24) ** (1 / 3)


def water_box(
    n_molecules: int,
    density_g_cm3: float = 0.997,
    min_oo: float = 2.5,
    min_intermolecular: float = 1.5,
    seed: int = 0,
    max_attempts: int = 200_000,
) -> Atoms:
    """A cubic periodic box of liquid water with random positions and orientations.

    Molecules have the experimental gas geometry. No two oxygens are closer than ``min_oo`` Å
    and no two atoms of different molecules closer than ``min_intermolecular`` Å (minimum
    image). ``seed`` makes the box reproducible.
    """
    if n_molecules < 1 or density_g_cm3 <= 0:
        raise MolxtalError("a water box needs at least one molecule and a positive density")
    length = box_length_for_density(n_molecules, density_g_cm3)
    rng = np.random.default_rng(seed)
    template = water_molecule().positions
    template -= template[0]
    placed = np.empty((0, 3, 3))
    attempts = 0
    while len(placed) < n_molecules:
        attempts += 1
        if attempts > max_attempts:
            raise MolxtalError(
                f"could not place {n_molecules} water molecules at {density_g_cm3} g/cm³ with "
                f"O-O ≥ {min_oo} Å after {max_attempts} attempts; lower the minimum distance"
            )
        rotation = Rotation.random(random_state=rng)
        candidate = rotation.apply(template) + rng.uniform(0, length, 3)
        if len(placed):
            delta = candidate[None, :, None, :] - placed[:, None, :, :]
            delta -= length * np.round(delta / length)
            dist = np.linalg.norm(delta, axis=-1)
            if dist[:, 0, 0].min() < min_oo or dist.min() < min_intermolecular:
                continue
        placed = np.concatenate([placed, candidate[None]])
    symbols = ["O", "H", "H"] * n_molecules
    atoms = Atoms(symbols, positions=placed.reshape(-1, 3), cell=[length] * 3, pbc=True)
    atoms.info["seed"] = seed
    atoms.info["density_g_cm3"] = density_g_cm3
    return atoms


def density_g_cm3(atoms: Atoms) -> float:
    """Mass density of a periodic structure in g/cm³."""
    return float(atoms.get_masses().sum() / units._Nav / (atoms.get_volume() * 1e-24))
