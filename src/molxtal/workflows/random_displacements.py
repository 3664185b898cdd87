"""Force constants from random all-atom displacements, fitted by symfc within a cutoff radius.

Force constants of a molecular crystal decay with distance, so only the pairs of atoms closer
than a cutoff (Å) are fitted. Their number grows with the cutoff, not with the supercell, while
each displaced supercell of N atoms gives 3N equations: in large supercells a few snapshots
determine what systematic displacements need 6 N_cell supercells for.

The fit is a least-squares problem in symfc's symmetry-adapted basis (translational sum rule
included). Its normal equations are sums over snapshots, so snapshots are added in batches and
only the new ones are projected; the projection uses sparse products (each force depends on the
few atoms within the cutoff), a few times faster than symfc's dense ones for the same numbers.
symfc's basis is built once per supercell shape, atoms and cutoff and kept for the process
(isotopes and QHA volumes reuse it).

Units: displacements and lengths in Å, forces in eV/Å, force constants in eV/Å².
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from molxtal.errors import MolxtalError

if TYPE_CHECKING:
    from phonopy.structure.atoms import PhonopyAtoms

log = logging.getLogger(__name__)

#: Default second-order cutoff radius (Å), from the convergence check in docs/performance.md.
FC_CUTOFF = 5.0
#: Pivot (relative to the largest) below which the normal equations count as singular.
SINGULAR_PIVOT = 1e-7
#: Snapshots in the first batch per symfc minimum (basis size / 3N equations per snapshot).
FIRST_BATCH_FACTOR = 1.5
#: Snapshots whose sparse XᵀX is formed before it is added to the dense normal matrix: bounds
#: the memory of the sparse product, which fills in as snapshots are added.
SNAPSHOTS_PER_PRODUCT = 8


class Underdetermined(MolxtalError):
    """The snapshots do not determine the force constants (too few, or linearly dependent)."""


@dataclass
class NormalEquations:
    """Σ XᵀX and Σ Xᵀy of the fit in symfc's compressed space, and the number of equations
    (force components)."""

    xtx: np.ndarray
    xty: np.ndarray
    rows: int = 0

    def __iadd__(self, other: NormalEquations) -> NormalEquations:
        self.xtx += other.xtx
        self.xty += other.xty
        self.rows += other.rows
        return self


class CutoffBasis:
    """symfc's basis of second-order force constants of ``supercell`` within ``cutoff`` Å."""

    def __init__(self, supercell: PhonopyAtoms, cutoff: float):
        from symfc import Symfc
        from symfc.utils.utils import SymfcAtoms

        t0 = time.perf_counter()
        atoms = SymfcAtoms(
            cell=supercell.cell, scaled_positions=supercell.scaled_positions,
            numbers=supercell.numbers,
        )  # fmt: skip
        try:
            symfc = Symfc(atoms, cutoff={2: cutoff}).compute_basis_set(orders=[2])
        except (AssertionError, ValueError, IndexError):
            raise MolxtalError(
                f"--fc-cutoff {cutoff:g} Å: symfc finds no force-constant parameters within it "
                "(shorter than the nearest neighbour distance?)"
            ) from None
        self.basis = symfc.basis_set[2]
        self.n_atoms = len(supercell)
        self.build_s = time.perf_counter() - t0

    @property
    def size(self) -> int:
        """Independent force-constant parameters."""
        return int(self.basis.blocked_basis_set.shape[1])

    @property
    def compressed_size(self) -> int:
        return int(self.basis.compact_compression_matrix.shape[1])

    def _design_blocks(self, displacements: np.ndarray):
        """Yield (atom slice, sparse X rows) of the fit: X c = forces of those atoms."""
        import scipy.sparse as sp
        from symfc.utils.solver_utils_O2 import reshape_compr_mat_O2

        n = self.n_atoms
        matrix = self.basis.compact_compression_matrix
        d = sp.csr_array(-np.asarray(displacements).reshape(len(displacements), -1))
        step = max(n // 8, 1)
        for begin in range(0, n, step):
            end = min(n, begin + step)
            compression = reshape_compr_mat_O2(matrix, self.basis.atomic_decompr_idx, n, begin, end)
            x = (d @ compression).tocoo().reshape((-1, self.compressed_size)).tocsr()
            yield slice(3 * begin, 3 * end), x

    def equations(self, displacements: np.ndarray, forces: np.ndarray) -> NormalEquations:
        """Normal equations of snapshots ``displacements`` (Å) and ``forces`` (eV/Å), both
        (n_snapshots, N, 3). XᵀX is formed sparse and made dense once per
        :data:`SNAPSHOTS_PER_PRODUCT` snapshots: one snapshot of ice Ih 3×3×3 at 5 Å took
        2.7 s, against 6.7 s when the per-atom-block products were made dense one by one."""
        import scipy.sparse as sp

        m = self.compressed_size
        result = NormalEquations(np.zeros((m, m)), np.zeros(m))
        displacements, forces = np.asarray(displacements), np.asarray(forces)
        for begin in range(0, len(forces), SNAPSHOTS_PER_PRODUCT):
            chunk = slice(begin, begin + SNAPSHOTS_PER_PRODUCT)
            f = forces[chunk].reshape(len(forces[chunk]), -1)
            blocks = list(self._design_blocks(displacements[chunk]))
            x = sp.vstack([x for _, x in blocks], format="csr")
            y = np.concatenate([f[:, columns].reshape(-1) for columns, _ in blocks])
            result += NormalEquations((x.T @ x).toarray(), x.T @ y, len(y))
        return result

    def solve(self, equations: NormalEquations) -> np.ndarray:
        """Least-squares coefficients in the compressed space; :class:`Underdetermined` when
        the equations are fewer than the parameters or (numerically) dependent."""
        import scipy.linalg
        from symfc.eig_solvers.matrix import block_matrix_sandwich_sym

        if equations.rows < self.size:
            raise Underdetermined(
                f"{equations.rows} force components for {self.size} force-constant parameters"
            )
        basis = self.basis.blocked_basis_set
        xtx = block_matrix_sandwich_sym(basis, equations.xtx.copy())
        xty = basis.T @ equations.xty
        scale = np.sqrt(np.clip(np.diag(xtx), 1e-300, None))
        try:
            factor = scipy.linalg.cholesky(xtx / np.outer(scale, scale), check_finite=False)
        except np.linalg.LinAlgError:
            raise Underdetermined("the normal equations are singular") from None
        pivots = np.abs(np.diag(factor))
        if pivots.min() < SINGULAR_PIVOT * pivots.max():
            raise Underdetermined(
                f"the normal equations are ill-conditioned (smallest pivot "
                f"{pivots.min() / pivots.max():.1e} of the largest)"
            )
        coefficients = scipy.linalg.cho_solve((factor, False), xty / scale) / scale
        compressed = basis @ coefficients
        if not np.any(compressed):
            raise Underdetermined("the fit returned zero force constants")
        return compressed

    def compact_fc(self, compressed: np.ndarray) -> np.ndarray:
        """Compact force constants (N_prim, N, 3, 3) from compressed coefficients."""
        fc = self.basis.compact_compression_matrix @ compressed
        return np.ascontiguousarray(fc.reshape(-1, self.n_atoms, 3, 3))

    def force_error(
        self, compressed: np.ndarray, displacements: np.ndarray, forces: np.ndarray
    ) -> float:
        """Relative RMS error of the fitted forces on snapshots (e.g. held out of the fit)."""
        f = np.asarray(forces).reshape(len(forces), -1)
        residual, norm = 0.0, 0.0
        for columns, x in self._design_blocks(displacements):
            y = f[:, columns].reshape(-1)
            residual += float(np.sum((x @ compressed - y) ** 2))
            norm += float(y @ y)
        return float(np.sqrt(residual / norm))


_BASES: dict[tuple, CutoffBasis] = {}


def cutoff_basis(supercell: PhonopyAtoms, cutoff: float) -> CutoffBasis:
    """The :class:`CutoffBasis` of ``supercell``, built once per process for each atom order,
    fractional positions (to 1e-4), cell shape (cell / V^⅓, to 1e-4) and cutoff: isotopes and
    QHA volumes of one crystal share it."""
    cell = np.asarray(supercell.cell)
    shape = cell / abs(np.linalg.det(cell)) ** (1 / 3)
    key = (
        tuple(supercell.numbers),
        np.round(np.asarray(supercell.scaled_positions) % 1.0, 4).tobytes(),
        np.round(shape, 4).tobytes(),
        round(cutoff, 6),
    )
    if key not in _BASES:
        _BASES[key] = CutoffBasis(supercell, cutoff)
    return _BASES[key]


def estimate_basis_size(unit_cell: PhonopyAtoms, supercell_size: int, cutoff: float) -> int:
    """Rough count of symfc's parameters without building the basis: 9/2 per pair of atoms
    within ``cutoff`` Å (each atom of the unit cell with every atom of the supercell, minimum
    image), P1 symmetry. Used only by the cost model."""
    from ase import Atoms
    from ase.neighborlist import neighbor_list

    atoms = Atoms(
        numbers=unit_cell.numbers, cell=unit_cell.cell,
        scaled_positions=unit_cell.scaled_positions, pbc=True,
    )  # fmt: skip
    pairs = len(neighbor_list("i", atoms, cutoff)) + len(atoms)  # images beyond the supercell
    return int(min(4.5 * pairs, 4.5 * len(atoms) ** 2 * supercell_size))


# --------------------------------------------------------------------------- displacements


def random_directions(n_atoms: int, seed: int, snapshot: int) -> np.ndarray:
    """Unit vectors (n_atoms, 3), one per atom, uniform on the sphere; reproducible from
    ``seed`` and the ``snapshot`` index alone (a resumed run draws the same ones)."""
    rng = np.random.default_rng([seed, snapshot])
    vectors = rng.normal(size=(n_atoms, 3))
    return vectors / np.linalg.norm(vectors, axis=1)[:, None]


@dataclass
class Sidedness:
    """How the snapshots are computed, decided from one ± pair at ``amplitude`` Å and one
    one-sided snapshot at ``small_amplitude`` Å along the same directions.

    ``even_ratio``: |f(u) + f(-u) - 2 f(0)| / |f(u) - f(-u)| (the response even in u, which
    one-sided snapshots see as noise). ``linearity_error``: relative difference of the force
    slope from the small one-sided snapshot and from the pair (a smooth model: ≈ even_ratio ×
    small/amplitude plus the quartic term). Decision: ``one-sided`` at the small amplitude
    when the model is linear down to it (smooth), ``one-sided`` at ``amplitude`` when the even
    response is negligible there, ``pairs`` otherwise (a model not smooth below ``amplitude``).
    """

    amplitude: float
    small_amplitude: float
    even_ratio: float
    linearity_error: float
    mode: str = field(init=False)
    step: float = field(init=False)

    #: Largest even/odd ratio that one-sided snapshots at ``amplitude`` may see.
    EVEN_TOLERANCE = 1e-3
    #: Largest linearity error for a model to count as smooth down to ``small_amplitude``.
    LINEARITY_TOLERANCE = 1e-2

    def __post_init__(self):
        if self.linearity_error <= self.LINEARITY_TOLERANCE:
            self.mode, self.step = "one-sided", self.small_amplitude
        elif self.even_ratio <= self.EVEN_TOLERANCE:
            self.mode, self.step = "one-sided", self.amplitude
        else:
            self.mode, self.step = "pairs", self.amplitude

    @property
    def smooth(self) -> bool:
        return self.linearity_error <= self.LINEARITY_TOLERANCE

    def to_dict(self) -> dict:
        return {
            "mode": self.mode,
            "amplitude_angstrom": self.step,
            "probe_amplitude_angstrom": self.amplitude,
            "probe_small_amplitude_angstrom": self.small_amplitude,
            "even_ratio": self.even_ratio,
            "linearity_error": self.linearity_error,
            "smooth": self.smooth,
        }


def measure_sidedness(
    f0: np.ndarray, plus: np.ndarray, minus: np.ndarray, small: np.ndarray,
    amplitude: float, small_amplitude: float,
) -> Sidedness:  # fmt: skip
    """:class:`Sidedness` from the forces (eV/Å) at 0, ±``amplitude`` and ``small_amplitude``
    along one set of directions."""
    odd = (plus - minus) / (2 * amplitude)
    even = plus + minus - 2 * f0
    slope = (small - f0) / small_amplitude
    norm = max(np.linalg.norm(odd), 1e-300)
    return Sidedness(
        amplitude, small_amplitude,
        float(np.linalg.norm(even) / max(np.linalg.norm(plus - minus), 1e-300)),
        float(np.linalg.norm(slope - odd) / norm),
    )  # fmt: skip


# --------------------------------------------------------------------------- sizing loop


@dataclass
class FitSettings:
    """The random-displacement fit: second-order ``cutoff`` (Å); probe ``amplitude`` (Å) and
    the one-sided amplitude of a smooth model (``amplitude × small_factor``); ``plusminus``
    (None: measured, see :class:`Sidedness`); ``snapshots`` (a fixed count in the fit; None:
    grown in batches until the held-out force error changes by less than ``error_change``
    (relative) and ZPE and F(300 K) by less than ``zpe_tolerance`` and
    ``free_energy_tolerance`` kJ/mol per molecule between batches, at most ``max_snapshots``);
    ``holdout`` snapshots only test the fit; ``seed`` draws the directions. The loop also
    stops when the held-out error has stopped falling above ``give_up_above``: more snapshots
    cannot help a cutoff that is too short."""

    cutoff: float = FC_CUTOFF
    amplitude: float = 0.01
    small_factor: float = 0.01
    plusminus: bool | None = None
    snapshots: int | None = None
    holdout: int = 1
    max_snapshots: int = 400
    zpe_tolerance: float = 0.02
    free_energy_tolerance: float = 0.05
    error_change: float = 0.1
    give_up_above: float = 0.05
    seed: int = 0


@dataclass
class SizingRound:
    """One fit of the sizing loop: snapshots in it, force calls so far, held-out relative RMS
    force error, ZPE and F(300 K) (kJ/mol per molecule), fit time (s), or why it failed."""

    snapshots: int
    calls: int
    holdout_error: float | None = None
    zpe_kJ_per_mol: float | None = None
    F_300K_kJ_per_mol: float | None = None
    fit_s: float = 0.0
    failure: str | None = None


@dataclass
class RandomFit:
    """Fitted compact force constants (eV/Å², (N_prim, N, 3, 3)) and how they were sized."""

    force_constants: np.ndarray
    sidedness: Sidedness
    rounds: list[SizingRound]
    converged: bool
    basis_size: int
    basis_s: float
    fit_s: float

    @property
    def last(self) -> SizingRound:
        return self.rounds[-1]

    def uncertainty(self) -> dict[str, float | None]:
        """Change of ZPE and F(300 K) (kJ/mol per molecule) over the last batch."""
        ok = [r for r in self.rounds if r.failure is None]
        if len(ok) < 2:
            return {"zpe_kJ_per_mol": None, "F_300K_kJ_per_mol": None}
        a, b = ok[-2], ok[-1]
        return {
            "zpe_kJ_per_mol": abs(b.zpe_kJ_per_mol - a.zpe_kJ_per_mol),
            "F_300K_kJ_per_mol": abs(b.F_300K_kJ_per_mol - a.F_300K_kJ_per_mol),
        }


def fit_random(
    supercell: PhonopyAtoms,
    forces: Callable[[str, np.ndarray], np.ndarray],
    thermo: Callable[[np.ndarray], tuple[float, float]],
    settings: FitSettings,
    calls: Callable[[], int],
) -> RandomFit:
    """Random-displacement force constants of ``supercell``, sized by a held-out set.

    ``forces(name, displacement)`` returns the forces (eV/Å) of the supercell displaced by
    ``displacement`` (N, 3; Å), checkpointed under ``name``; ``thermo(compact_fc)`` returns
    ZPE and F(300 K) (kJ/mol per molecule); ``calls()`` counts force calls so far. Snapshot 0
    is the probe pair (see :class:`Sidedness`), snapshots 1..``holdout`` are held out, the
    rest are fitted. Raises :class:`Underdetermined` rather than return force constants of a
    fit that its snapshots do not determine.
    """
    n = len(supercell)
    basis = cutoff_basis(supercell, settings.cutoff)
    zero = np.zeros((n, 3))
    directions = [random_directions(n, settings.seed, 0)]
    a, small = settings.amplitude, settings.amplitude * settings.small_factor
    f0 = forces("perfect", zero)
    plus = forces("snapshot_00000_plus", a * directions[0])
    minus = forces("snapshot_00000_minus", -a * directions[0])
    probe = forces("probe_small", small * directions[0])
    side = measure_sidedness(f0, plus, minus, probe, a, small)
    if settings.plusminus is not None:
        side.mode = "pairs" if settings.plusminus else "one-sided"
        side.step = a if settings.plusminus or not side.smooth else side.step

    def snapshot(k: int) -> tuple[np.ndarray, np.ndarray]:
        u = side.step * random_directions(n, settings.seed, k)
        up = forces(f"snapshot_{k:05d}_plus", u)
        if side.mode == "pairs":
            return u, 0.5 * (up - forces(f"snapshot_{k:05d}_minus", -u))
        return u, up - f0

    fit_data = [(a * directions[0], 0.5 * (plus - minus))]
    if side.mode == "one-sided" and side.step == small:
        fit_data.append((small * directions[0], probe - f0))
    held = [snapshot(k) for k in range(1, settings.holdout + 1)]
    equations = basis.equations(*map(np.array, zip(*fit_data, strict=True)))
    target = settings.snapshots or first_batch(basis.size, n)
    next_index, rounds, result, t_fit = settings.holdout + 1, [], None, 0.0
    while True:
        batch = []
        while len(fit_data) + len(batch) < target:
            batch.append(snapshot(next_index))
            next_index += 1
        t0 = time.perf_counter()
        if batch:
            equations += basis.equations(*map(np.array, zip(*batch, strict=True)))
            fit_data += batch
        sized = SizingRound(len(fit_data), calls())
        try:
            compressed = basis.solve(equations)
        except Underdetermined as error:
            sized.failure = str(error)
        else:
            fc = basis.compact_fc(compressed)
            if held:
                sized.holdout_error = basis.force_error(
                    compressed, *map(np.array, zip(*held, strict=True))
                )
            sized.zpe_kJ_per_mol, sized.F_300K_kJ_per_mol = thermo(fc)
            result = fc
        sized.fit_s = time.perf_counter() - t0
        t_fit += sized.fit_s
        rounds.append(sized)
        log.info("random fit: %s", sized)
        converged = sized.failure is None and _converged(rounds, settings)
        hopeless = _plateau(rounds, settings) and sized.holdout_error > settings.give_up_above
        if converged or hopeless or settings.snapshots or target >= settings.max_snapshots:
            break
        target = min(settings.max_snapshots, grown(target))
    if rounds[-1].failure is not None:
        raise Underdetermined(
            f"random-displacement fit with {rounds[-1].snapshots} snapshots: "
            f"{rounds[-1].failure}; use more --snapshots or --displacements systematic"
        )
    return RandomFit(result, side, rounds, converged, basis.size, basis.build_s, t_fit)


def first_batch(basis_size: int, n_atoms: int) -> int:
    """Snapshots of the sizing loop's first fit: :data:`FIRST_BATCH_FACTOR` times the fewest
    whose 3N force components match the ``basis_size`` parameters (at least 2)."""
    return max(2, int(np.ceil(FIRST_BATCH_FACTOR * np.ceil(basis_size / (3 * n_atoms)))))


def grown(target: int) -> int:
    """The sizing loop's next number of snapshots: half as many again."""
    return target + max(1, int(np.ceil(target / 2)))


def _plateau(rounds: list[SizingRound], settings: FitSettings) -> bool:
    """The held-out error of the last two fits (both successful) changed by less than
    ``settings.error_change`` (relative)."""
    if len(rounds) < 2 or rounds[-1].failure or rounds[-2].failure:
        return False
    errors = (rounds[-2].holdout_error, rounds[-1].holdout_error)
    if None in errors:
        return True
    return abs(errors[1] - errors[0]) <= settings.error_change * errors[0] + 1e-9


def _converged(rounds: list[SizingRound], settings: FitSettings) -> bool:
    """The last two fits agree within the tolerances of ``settings``."""
    if not _plateau(rounds, settings):
        return False
    a, b = rounds[-2], rounds[-1]
    return (
        abs(b.zpe_kJ_per_mol - a.zpe_kJ_per_mol) <= settings.zpe_tolerance
        and abs(b.F_300K_kJ_per_mol - a.F_300K_kJ_per_mol) <= settings.free_energy_tolerance
    )
