"""A liquid-water box a chemist accepts, before a machine-learned potential sees it.

Stages (each recorded in :class:`PreparedWaterBox`):

1. packing: molecules of the experimental gas geometry at random positions and orientations,
   no two oxygens closer than ``min_oo_angstrom`` (:func:`molxtal.structures.water_box`);
2. minimisation of the rigid molecules with the classical TIP4P (or TIP3P) model (FIRE);
3. pre-equilibration: Langevin NVT of rigid TIP4P water (RATTLE, :class:`RigidWater`) for
   ``time_ps`` at the target temperature, with the molecular pressure sampled as it goes.

A randomly packed box starts at tens of thousands of bar and heats itself by hundreds of
kelvin as the contacts relax; the classical model takes it through that transient at a tiny
fraction of an MLIP's cost, so the MLIP starts from a liquid and only needs to equilibrate to
its own potential energy surface. TIP4P: Jorgensen et al., J. Chem. Phys. 79, 926 (1983), as
implemented in ASE (truncated electrostatics, switched off over the last 1 Å of the cutoff).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from ase import Atoms, units
from ase.md.langevin import Langevin
from ase.md.velocitydistribution import MaxwellBoltzmannDistribution, Stationary

from molxtal.analysis.blocks import block_average
from molxtal.errors import MolxtalError
from molxtal.models import Model
from molxtal.results import Result, Table
from molxtal.structures import density_g_cm3, water_box
from molxtal.workflows.relax import Relaxation, relax

if TYPE_CHECKING:
    from matplotlib.figure import Figure

WATER_MODELS = ("tip4p", "tip3p")
#: Largest cutoff (Å) of the classical model; smaller boxes use half their edge less 0.05 Å.
MAX_CUTOFF_ANGSTROM = 7.0
#: Relative strain of the finite difference that gives the molecular virial.
VIRIAL_STRAIN = 1e-4


@dataclass
class WaterBoxSettings:
    """How the box is made: ``n_molecules`` at ``density_g_per_cm3`` (g/cm³), packed with
    O–O ≥ ``min_oo_angstrom`` (Å) from ``seed``; minimised to ``minimise_fmax`` (eV/Å) in at
    most ``minimise_steps``; then ``time_ps`` (ps) of rigid ``water_model`` Langevin NVT at
    ``temperature_K`` (K) with ``timestep_fs`` (fs) and friction 1/``tdamp_fs`` (fs), the
    temperature and pressure sampled every ``sample_every`` steps. ``time_ps=0`` skips it."""

    n_molecules: int
    density_g_per_cm3: float = 0.997
    temperature_K: float = 300.0
    min_oo_angstrom: float = 2.5
    seed: int = 0
    water_model: str = "tip4p"
    minimise_fmax: float = 0.1
    minimise_steps: int = 300
    time_ps: float = 10.0
    timestep_fs: float = 2.0
    tdamp_fs: float = 100.0
    sample_every: int = 20

    def __post_init__(self) -> None:
        if self.water_model not in WATER_MODELS:
            raise MolxtalError(
                f"unknown water model '{self.water_model}'; choose {', '.join(WATER_MODELS)}"
            )
        if self.time_ps < 0 or self.timestep_fs <= 0 or self.sample_every < 1:
            raise MolxtalError("pre-equilibration: time ≥ 0, timestep > 0, sample_every ≥ 1")


def classical_model(atoms: Atoms, water_model: str = "tip4p") -> Model:
    """ASE's rigid-water TIP4P or TIP3P as a :class:`Model` for a cubic box of O,H,H
    molecules; the cutoff is 7 Å or, in a smaller box, just under half the box edge."""
    from ase.calculators.tip3p import TIP3P
    from ase.calculators.tip4p import TIP4P

    symbols = atoms.get_chemical_symbols()
    if len(atoms) % 3 or symbols != ["O", "H", "H"] * (len(atoms) // 3):
        raise MolxtalError("the classical water model needs the atoms in O,H,H order")
    cutoff = min(MAX_CUTOFF_ANGSTROM, float(atoms.cell.lengths().min()) / 2 - 0.05)
    if cutoff < 3.0:
        raise MolxtalError(f"the box is too small for a classical water model ({cutoff:.2f} Å)")
    calculator = (TIP4P if water_model == "tip4p" else TIP3P)(rc=cutoff)
    return Model(name=water_model, family="classical water", calculator=calculator)


class RigidWater:
    """RATTLE constraints holding every O,H,H molecule rigid (its O–H, O–H and H–H distances
    as they are on first use): ASE's ``FixBondLengths`` algorithm (Andersen, J. Comput. Phys.
    52, 24 (1983)), vectorised over the molecules. Positions must keep molecules whole (no
    wrapping), as ASE's integrators and optimisers do."""

    PAIRS = ((0, 1), (0, 2), (1, 2))

    def __init__(self, tolerance_angstrom2: float = 1e-8, max_iterations: int = 1000):
        self.tolerance = tolerance_angstrom2
        self.max_iterations = max_iterations
        self.lengths2: np.ndarray | None = None

    def _sets(self, atoms: Atoms):
        """Per pair type: the first and second atom of every molecule, their inverse masses."""
        inverse = 1 / atoms.get_masses()
        for k, (a, b) in enumerate(self.PAIRS):
            i, j = np.arange(a, len(atoms), 3), np.arange(b, len(atoms), 3)
            yield k, i, j, inverse[i, None], inverse[j, None]

    def adjust_positions(self, atoms: Atoms, new: np.ndarray) -> None:
        old = atoms.positions
        if self.lengths2 is None:
            self.lengths2 = np.array(
                [((old[i] - old[j]) ** 2).sum(axis=1) for _, i, j, _, _ in self._sets(atoms)]
            )
        for _ in range(self.max_iterations):
            worst = 0.0
            for k, i, j, wi, wj in self._sets(atoms):
                r0, r1 = old[i] - old[j], new[i] - new[j]
                gap = self.lengths2[k] - (r1**2).sum(axis=1)
                worst = max(worst, float(np.abs(gap).max()))
                g = (gap / (2 * (r0 * r1).sum(axis=1)))[:, None] / (wi + wj)
                new[i] += g * wi * r0
                new[j] -= g * wj * r0
            if worst < self.tolerance:
                return
        raise MolxtalError("rigid-water constraints did not converge; use a smaller timestep")

    def adjust_momenta(self, atoms: Atoms, momenta: np.ndarray) -> None:
        masses = atoms.get_masses()[:, None]
        positions = atoms.positions
        for _ in range(self.max_iterations):
            worst = 0.0
            for _k, i, j, wi, wj in self._sets(atoms):
                r = positions[i] - positions[j]
                v = momenta[i] / masses[i] - momenta[j] / masses[j]
                rv = (r * v).sum(axis=1)
                worst = max(worst, float(np.abs(rv).max()))
                g = (rv / (r**2).sum(axis=1))[:, None] / (wi + wj)
                momenta[i] -= g * r
                momenta[j] += g * r
            if worst < self.tolerance:
                return
        raise MolxtalError("rigid-water velocity constraints did not converge")

    def adjust_forces(self, atoms: Atoms, forces: np.ndarray) -> None:
        """Remove the force components along the constraints (for minimisation)."""
        self.adjust_momenta(atoms, forces)

    def get_removed_dof(self, atoms: Atoms) -> int:
        return len(atoms)  # three distances per three-atom molecule

    def todict(self) -> dict[str, Any]:
        return {"name": "RigidWater", "kwargs": {"tolerance_angstrom2": self.tolerance}}


def molecular_pressure_bar(atoms: Atoms) -> float:
    """Pressure (bar) of rigid molecules from the molecular virial: the kinetic term of the
    molecules' centres of mass, 2 K_com / (3 V), less dE/dV when the centres are scaled with
    the cell and the molecules kept rigid (central finite difference, ``atoms.calc``)."""
    n = len(atoms) // 3
    masses = atoms.get_masses().reshape(n, 3, 1)
    positions = atoms.get_positions().reshape(n, 3, 3)
    centres = (masses * positions).sum(axis=1) / masses.sum(axis=1)
    momenta = atoms.get_momenta().reshape(n, 3, 3).sum(axis=1)
    kinetic = 0.5 * float((momenta**2 / masses.sum(axis=1)).sum())
    volume = atoms.get_volume()
    probe = atoms.copy()
    probe.set_constraint()
    probe.calc = atoms.calc
    energies = []
    for strain in (VIRIAL_STRAIN, -VIRIAL_STRAIN):
        probe.set_cell(atoms.cell * (1 + strain), scale_atoms=False)
        probe.set_positions((positions + strain * centres[:, None, :]).reshape(-1, 3))
        energies.append(probe.get_potential_energy())
    d_volume = volume * ((1 + VIRIAL_STRAIN) ** 3 - (1 - VIRIAL_STRAIN) ** 3)
    pressure = 2 * kinetic / (3 * volume) - (energies[0] - energies[1]) / d_volume
    return float(pressure / units.bar)


@dataclass
class PreparedWaterBox(Result):
    """The prepared box (``atoms``, no calculator, no constraints) and how it was made: the
    settings, the minimisation, and the pre-equilibration's samples (time in ps, T in K,
    molecular pressure in bar) with the means and block errors over its second half."""

    atoms: Atoms
    settings: WaterBoxSettings
    cutoff_angstrom: float
    initial_pressure_bar: float
    minimisation: Relaxation
    samples: list[dict[str, float]] = field(default_factory=list)
    wall_time_s: float = 0.0

    def _second_half(self, key: str) -> tuple[float, float]:
        values = np.array([s[key] for s in self.samples[len(self.samples) // 2 :]])
        if len(values) < 2:
            return (float(values[0]) if len(values) else float("nan")), float("nan")
        mean, err = block_average(values, min(5, len(values)))
        return float(mean), float(err)

    def to_dict(self) -> dict[str, Any]:
        t, t_err = self._second_half("temperature_K")
        p, p_err = self._second_half("pressure_bar")
        return {
            **asdict(self.settings),
            "cutoff_angstrom": self.cutoff_angstrom,
            "box_angstrom": float(self.atoms.cell.lengths()[0]),
            "density_check_g_per_cm3": density_g_cm3(self.atoms),
            "packed_pressure_bar": self.initial_pressure_bar,
            "minimisation": self.minimisation.to_dict(),
            "pre_equilibration_mean_temperature_K": t,
            "pre_equilibration_temperature_err_K": t_err,
            "pre_equilibration_mean_pressure_bar": p,
            "pre_equilibration_pressure_err_bar": p_err,
            "wall_time_s": self.wall_time_s,
        }

    def summary(self) -> list[Table]:
        s, d = self.settings, self.to_dict()
        rows = [
            ["packing", f"{s.n_molecules} H2O at {s.density_g_per_cm3} g/cm³, O–O ≥ "
             f"{s.min_oo_angstrom} Å (seed {s.seed}): {d['packed_pressure_bar']:.0f} bar"],
            ["minimisation", f"{s.water_model.upper()} rigid, {self.minimisation.line()}"],
            ["pre-equilibration", f"{s.time_ps:g} ps {s.water_model.upper()} NVT at "
             f"{s.temperature_K:g} K, cutoff {self.cutoff_angstrom:.2f} Å"],
            ["second half: T (K)", f"{d['pre_equilibration_mean_temperature_K']:.1f} ± "
             f"{d['pre_equilibration_temperature_err_K']:.1f}"],
            ["second half: P (bar)", f"{d['pre_equilibration_mean_pressure_bar']:.0f} ± "
             f"{d['pre_equilibration_pressure_err_bar']:.0f}"],
        ]  # fmt: skip
        return [Table("Water box preparation (classical)", ["stage", "result"], rows)]

    def csv_tables(self) -> dict[str, list[dict[str, Any]]]:
        return {"preparation.csv": self.samples} if self.samples else {}

    def figures(self) -> dict[str, Callable[[], Figure]]:
        from molxtal.plotting.md import preparation_figure

        if not self.samples:
            return {}
        return {
            "preparation.png": lambda: preparation_figure(self.samples, self.settings.temperature_K)
        }


def prepare_water_box(
    settings: WaterBoxSettings, progress: Callable[[int, int], None] | None = None
) -> PreparedWaterBox:
    """Pack, minimise and pre-equilibrate a water box (see the module docstring);
    ``progress(step, total)`` is called every ``sample_every`` MD steps."""
    start = time.perf_counter()
    s = settings
    packed = water_box(s.n_molecules, s.density_g_per_cm3, s.min_oo_angstrom, seed=s.seed)
    model = classical_model(packed, s.water_model)
    work = model.attach(packed, "packed water box")
    initial_pressure = molecular_pressure_bar(work)
    minimisation = relax(
        work, model, s.minimise_fmax, s.minimise_steps, "FIRE",
        constraint=[RigidWater()], what="packed water box",
    )  # fmt: skip
    work = model.attach(minimisation.atoms, "water box")
    work.set_constraint(RigidWater())
    rng = np.random.default_rng(s.seed)
    MaxwellBoltzmannDistribution(work, temperature_K=s.temperature_K, rng=rng)
    Stationary(work)
    work.set_momenta(work.get_momenta())  # the constraints remove the bond velocities
    dyn = Langevin(
        work, timestep=s.timestep_fs * units.fs, temperature_K=s.temperature_K,
        friction=1 / (s.tdamp_fs * units.fs), fixcm=False, rng=rng,
    )  # fmt: skip
    total = round(s.time_ps * 1000 / s.timestep_fs)
    samples = []
    for step in range(s.sample_every, total + 1, s.sample_every):
        dyn.run(s.sample_every)
        samples.append(
            {
                "time_ps": step * s.timestep_fs / 1000,
                "temperature_K": float(work.get_temperature()),
                "pressure_bar": molecular_pressure_bar(work),
                "potential_energy_eV": float(work.get_potential_energy()),
            }
        )
        if not np.isfinite(samples[-1]["potential_energy_eV"]):
            raise MolxtalError(f"the classical pre-equilibration blew up at step {step}")
        if progress is not None:
            progress(step, total)
    atoms = work.copy()
    atoms.set_constraint()
    atoms.calc = None
    return PreparedWaterBox(
        atoms=atoms,
        settings=settings,
        cutoff_angstrom=float(model.calculator.rc),
        initial_pressure_bar=initial_pressure,
        minimisation=minimisation,
        samples=samples,
        wall_time_s=time.perf_counter() - start,
    )
