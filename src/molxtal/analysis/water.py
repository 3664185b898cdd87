"""Water geometry: O–H lengths, HOH angles, monomer mode assignment, dimer angles.

Dimer definitions (Klopper et al. 2000 notation): the donor is the molecule whose hydrogen is
closest to the other molecule's oxygen (the bonded hydrogen H_b); then

* r_OO: O_d···O_a distance (Å);
* θ_d, θ_a: HOH angles of donor and acceptor (degrees);
* α: angle at O_d between O_d→H_b and O_d→O_a (0° for a linear hydrogen bond);
* β: angle between the acceptor bisector (from O_a towards its hydrogens, the sum of the two
  unit O→H vectors) and the O_a→O_d axis.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from ase import Atoms

from molxtal.errors import MolxtalError

#: Displacement (Å) along a normal mode used to read its internal-coordinate character.
MODE_PROBE_STEP = 1e-4


def water_molecules(atoms: Atoms) -> list[tuple[int, int, int]]:
    """(O, H, H) index triples, each hydrogen assigned to its nearest oxygen."""
    symbols = np.array(atoms.get_chemical_symbols())
    oxygens, hydrogens = np.flatnonzero(symbols == "O"), np.flatnonzero(symbols == "H")
    if len(oxygens) == 0 or len(oxygens) + len(hydrogens) != len(atoms):
        raise MolxtalError("expected a structure made of water molecules (O and H only)")
    distances = np.linalg.norm(
        atoms.positions[hydrogens][:, None] - atoms.positions[oxygens][None], axis=-1
    )
    owner = distances.argmin(axis=1)
    triples = []
    for k, o in enumerate(oxygens):
        mine = hydrogens[owner == k]
        if len(mine) != 2:
            raise MolxtalError(f"oxygen {o} has {len(mine)} hydrogens, not 2; is this water?")
        triples.append((int(o), int(mine[0]), int(mine[1])))
    return triples


def _angle(u: np.ndarray, v: np.ndarray) -> float:
    """Angle between two vectors (degrees)."""
    cosine = np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v))
    return float(np.degrees(np.arccos(np.clip(cosine, -1.0, 1.0))))


def _internals(positions: np.ndarray, triple) -> np.ndarray:
    o, h1, h2 = (positions[i] for i in triple)
    return np.array(
        [np.linalg.norm(h1 - o), np.linalg.norm(h2 - o), np.radians(_angle(h1 - o, h2 - o))]
    )


def monomer_geometry(atoms: Atoms) -> tuple[float, float]:
    """Mean O–H length (Å) and HOH angle (degrees) of a single water molecule."""
    (triple,) = water_molecules(atoms)
    r1, r2, theta = _internals(atoms.positions, triple)
    return float((r1 + r2) / 2), float(np.degrees(theta))


def assign_monomer_modes(
    atoms: Atoms, modes: np.ndarray, frequencies: np.ndarray
) -> tuple[float, float, float]:
    """(ω1, ω2, ω3) in the units of ``frequencies``, assigned from the mode vectors.

    Each mode's character is its change of (Δr1+Δr2)/√2, r·Δθ and (Δr1−Δr2)/√2; the
    assignment maximising the summed (normalised) character wins.
    """
    (triple,) = water_molecules(atoms)
    r = np.mean(_internals(atoms.positions, triple)[:2])
    character = []
    for mode in modes:
        step = MODE_PROBE_STEP * mode / np.linalg.norm(mode)
        d = _internals(atoms.positions + step, triple) - _internals(atoms.positions - step, triple)
        c = np.abs([(d[0] + d[1]) / np.sqrt(2), r * d[2], (d[0] - d[1]) / np.sqrt(2)])
        character.append(c / c.sum())
    character = np.array(character)
    best = max(
        itertools.permutations(range(len(modes)), 3),
        key=lambda perm: sum(character[m, kind] for kind, m in enumerate(perm)),
    )
    return tuple(float(frequencies[m]) for m in best)


@dataclass
class DimerGeometry:
    """Water-dimer internal coordinates (Å, degrees) and which atoms play which role."""

    r_OO_angstrom: float
    alpha_deg: float
    beta_deg: float
    theta_a_deg: float
    theta_d_deg: float
    donor: tuple[int, int, int]
    acceptor: tuple[int, int, int]
    bonded_hydrogen: int

    def values(self) -> dict[str, float]:
        return {
            "r_OO_angstrom": self.r_OO_angstrom,
            "alpha_deg": self.alpha_deg,
            "beta_deg": self.beta_deg,
            "theta_a_deg": self.theta_a_deg,
            "theta_d_deg": self.theta_d_deg,
        }


def dimer_geometry(atoms: Atoms) -> DimerGeometry:
    """Identify donor, acceptor and the bonded hydrogen, and measure the dimer angles."""
    molecules = water_molecules(atoms)
    if len(molecules) != 2:
        raise MolxtalError(f"a water dimer has 2 molecules, found {len(molecules)}")
    pos = atoms.positions
    _, donor_index, h_b = min(
        (np.linalg.norm(pos[h] - pos[molecules[1 - k][0]]), k, h)
        for k in (0, 1)
        for h in molecules[k][1:]
    )
    donor, acceptor = molecules[donor_index], molecules[1 - donor_index]
    o_d, o_a = pos[donor[0]], pos[acceptor[0]]
    bisector = sum((pos[h] - o_a) / np.linalg.norm(pos[h] - o_a) for h in acceptor[1:])
    return DimerGeometry(
        r_OO_angstrom=float(np.linalg.norm(o_a - o_d)),
        alpha_deg=_angle(pos[h_b] - o_d, o_a - o_d),
        beta_deg=_angle(bisector, o_d - o_a),
        theta_a_deg=_angle(pos[acceptor[1]] - o_a, pos[acceptor[2]] - o_a),
        theta_d_deg=_angle(pos[donor[1]] - o_d, pos[donor[2]] - o_d),
        donor=donor,
        acceptor=acceptor,
        bonded_hydrogen=int(h_b),
    )


def pick(values: dict | None, key: str, index: int | None):
    """``values[key]`` (or its ``index``-th element); None when absent."""
    value = values.get(key) if values else None
    return value if value is None or index is None else value[index]
