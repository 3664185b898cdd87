"""Molecular dynamics (NVE, NVT, NPT) with ASE integrators, checkpoints, resume and a blow-up guard.

Integrators (all from ASE): NVE velocity Verlet; NVT Langevin (default), Bussi stochastic
velocity rescaling, Nosé–Hoover chain; NPT Martyna–Tobias–Klein with Nosé–Hoover chains,
isotropic (``IsotropicMTKNPT``) or fully flexible cell (``MTKNPT``). Berendsen coupling is not
offered: it does not sample the canonical ensemble and drains energy from slow modes into
fast ones ("flying ice cube", Harvey et al., J. Comput. Chem. 19, 726 (1998)).

Files written into ``directory``: ``trajectory.extxyz`` (frames at steps 0, stride, 2·stride,
...; positions, momenta, cell, energy, forces), ``thermo.csv`` (one row per frame) and
``checkpoint.json`` (atomic, every ``checkpoint_every`` steps). A resumed run truncates the
trajectory and log back to the checkpoint and continues; with a deterministic calculator it is
bit-identical to an uninterrupted run (the integrator's random-number generator and
thermostat/barostat variables are part of the checkpoint).
"""

from __future__ import annotations

import contextlib
import csv
import json
import math
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from ase import Atoms, units
from ase.calculators.singlepoint import SinglePointCalculator
from ase.constraints import FixCom
from ase.io import write
from ase.md.bussi import Bussi
from ase.md.langevin import Langevin
from ase.md.md import MolecularDynamics
from ase.md.nose_hoover_chain import MTKNPT, IsotropicMTKNPT, NoseHooverChainNVT
from ase.md.velocitydistribution import MaxwellBoltzmannDistribution, Stationary
from ase.md.verlet import VelocityVerlet
from ase.neighborlist import neighbor_list

from molxtal.analysis.blocks import block_average
from molxtal.errors import MolxtalError
from molxtal.io import atomic_write, read_json
from molxtal.models import Model
from molxtal.progress import ProgressBar, no_progress
from molxtal.results import RESULTS_JSON, Result, Table, status
from molxtal.structures import density_g_cm3, read_structure, water_box
from molxtal.workflows.relax import relax, relaxation_line
from molxtal.workflows.water_box import PreparedWaterBox, WaterBoxSettings, prepare_water_box

if TYPE_CHECKING:
    from matplotlib.figure import Figure

ENSEMBLES = ("nve", "nvt", "npt")
THERMOSTATS = ("langevin", "bussi", "nose-hoover")
BAROSTATS = ("isotropic", "flexible")
TRAJECTORY = "trajectory.extxyz"
THERMO = "thermo.csv"
CHECKPOINT = "checkpoint.json"
THERMO_COLUMNS = (
    "step",
    "time_ps",
    "temperature_K",
    "potential_energy_eV",
    "kinetic_energy_eV",
    "total_energy_eV",
    "conserved_energy_eV",
    "pressure_bar",
    "volume_angstrom3",
    "density_g_per_cm3",
)
#: Integrator variables (besides positions, momenta and cell) that a checkpoint must hold.
STATE_ATTRIBUTES = {
    VelocityVerlet: (),
    Langevin: ("rng",),
    Bussi: ("rng", "transferred_energy"),
    NoseHooverChainNVT: ("_thermostat",),
    IsotropicMTKNPT: ("_thermostat", "_barostat", "_eps", "_p_eps", "_volume0", "_cell0"),
    MTKNPT: ("_thermostat", "_barostat", "_p_g"),
}
#: Settings that must not change between a run and its resumption.
FIXED_ON_RESUME = (
    "ensemble",
    "thermostat",
    "barostat",
    "temperature_K",
    "pressure_bar",
    "timestep_fs",
    "stride",
    "tdamp_fs",
    "pdamp_fs",
    "seed",
    "minimise_steps",
    "minimise_fmax",
)


@dataclass
class MDSettings:
    """Run parameters. Times in fs/ps, temperature in K, pressure in bar, distances in Å.

    ``tdamp_fs`` is the thermostat time constant (Langevin friction = 1/tdamp), ``pdamp_fs``
    the barostat one. ``max_temperature_K`` defaults to 5x the target (NVE: the start).
    ``minimise_steps`` (0: none) FIRE steps of the model itself on the positions (to
    ``minimise_fmax`` eV/Å) before the velocities are drawn: a structure prepared with another
    potential (a TIP4P water box) otherwise releases its excess energy under the model as heat
    during the run.
    """

    steps: int
    ensemble: str = "nvt"
    thermostat: str = "langevin"
    barostat: str = "isotropic"
    temperature_K: float = 300.0
    pressure_bar: float = 1.0
    timestep_fs: float = 0.5
    stride: int = 10
    checkpoint_every: int = 100
    tdamp_fs: float = 100.0
    pdamp_fs: float = 1000.0
    seed: int = 0
    max_temperature_K: float | None = None
    min_distance_angstrom: float = 0.5
    minimise_steps: int = 0
    minimise_fmax: float = 0.05

    def __post_init__(self) -> None:
        if self.ensemble not in ENSEMBLES:
            raise MolxtalError(f"unknown ensemble '{self.ensemble}'; choose {', '.join(ENSEMBLES)}")
        if self.thermostat not in THERMOSTATS:
            raise MolxtalError(
                f"unknown thermostat '{self.thermostat}'; choose {', '.join(THERMOSTATS)}"
            )
        if self.barostat not in BAROSTATS:
            raise MolxtalError(f"unknown barostat '{self.barostat}'; choose {', '.join(BAROSTATS)}")
        if self.steps < 0 or self.stride < 1 or self.checkpoint_every < 1:
            raise MolxtalError("steps must be ≥ 0, stride and checkpoint interval ≥ 1")
        if self.minimise_steps < 0 or not self.minimise_fmax > 0:
            raise MolxtalError("minimisation: steps must be ≥ 0 and fmax > 0")
        if self.timestep_fs <= 0 or self.temperature_K < 0:
            raise MolxtalError("the timestep must be positive and the temperature non-negative")

    @property
    def temperature_limit_K(self) -> float:
        return self.max_temperature_K or 5.0 * max(self.temperature_K, 1.0)


@dataclass
class MDResult:
    """Where the run's files are, how far it got and how fast it went."""

    directory: Path
    steps: int
    n_frames: int
    resumed_from_step: int | None
    wall_time_s: float
    ns_per_day: float

    @property
    def trajectory(self) -> Path:
        return self.directory / TRAJECTORY

    @property
    def thermo(self) -> Path:
        return self.directory / THERMO


def initial_velocities(atoms: Atoms, temperature_K: float, rng: np.random.Generator) -> None:
    """Maxwell–Boltzmann momenta at ``temperature_K`` with zero total momentum (in place)."""
    MaxwellBoltzmannDistribution(atoms, temperature_K=temperature_K, rng=rng)
    Stationary(atoms)


def make_integrator(
    atoms: Atoms, settings: MDSettings, rng: np.random.Generator
) -> MolecularDynamics:
    """The ASE integrator for ``settings`` acting on ``atoms``."""
    dt = settings.timestep_fs * units.fs
    tdamp = settings.tdamp_fs * units.fs
    temperature = settings.temperature_K
    if settings.ensemble == "nve":
        return VelocityVerlet(atoms, timestep=dt)
    if settings.ensemble == "npt":
        if not atoms.pbc.all():
            raise MolxtalError("NPT needs a periodic cell in all three directions")
        cls = IsotropicMTKNPT if settings.barostat == "isotropic" else MTKNPT
        return cls(
            atoms,
            timestep=dt,
            temperature_K=temperature,
            pressure_au=settings.pressure_bar * units.bar,
            tdamp=tdamp,
            pdamp=settings.pdamp_fs * units.fs,
        )
    if settings.thermostat == "langevin":
        # ASE's fixcm=True biases the sampling; FixCom removes centre-of-mass motion exactly.
        atoms.set_constraint(FixCom())
        return Langevin(
            atoms,
            timestep=dt,
            temperature_K=temperature,
            friction=1 / tdamp,
            fixcm=False,
            rng=rng,
        )
    if settings.thermostat == "bussi":
        return Bussi(atoms, timestep=dt, temperature_K=temperature, taut=tdamp, rng=rng)
    return NoseHooverChainNVT(atoms, timestep=dt, temperature_K=temperature, tdamp=tdamp)


def conserved_energy(dyn: MolecularDynamics) -> float:
    """The integrator's conserved quantity (eV); NaN for Langevin, which has none."""
    if hasattr(dyn, "get_conserved_energy"):
        return float(dyn.get_conserved_energy())
    if isinstance(dyn, Bussi):
        return float(dyn.atoms.get_total_energy() - dyn.transferred_energy)
    if isinstance(dyn, Langevin):
        return math.nan
    return float(dyn.atoms.get_total_energy())


def thermo_row(dyn: MolecularDynamics, step: int, timestep_fs: float) -> dict[str, float]:
    """One row of the thermodynamic log (units in the column names)."""
    atoms = dyn.atoms
    epot = float(atoms.get_potential_energy())
    ekin = float(atoms.get_kinetic_energy())
    periodic = bool(atoms.pbc.all())
    pressure = math.nan
    if periodic:
        try:
            stress = atoms.get_stress(include_ideal_gas=True)
            pressure = float(-stress[:3].mean() / units.bar)
        except NotImplementedError:
            pass
    return {
        "step": step,
        "time_ps": step * timestep_fs / 1000.0,
        "temperature_K": float(atoms.get_temperature()),
        "potential_energy_eV": epot,
        "kinetic_energy_eV": ekin,
        "total_energy_eV": epot + ekin,
        "conserved_energy_eV": conserved_energy(dyn),
        "pressure_bar": pressure,
        "volume_angstrom3": float(atoms.get_volume()) if periodic else math.nan,
        "density_g_per_cm3": density_g_cm3(atoms) if periodic else math.nan,
    }


def check_sanity(atoms: Atoms, step: int, settings: MDSettings) -> None:
    """Raise :class:`MolxtalError` if the system has blown up at ``step``."""
    energy = atoms.get_potential_energy()
    forces = atoms.get_forces()
    where = f"MD blew up at step {step}"
    if not (np.isfinite(energy) and np.isfinite(forces).all()):
        raise MolxtalError(f"{where}: non-finite energy or forces")
    temperature = atoms.get_temperature()
    if not temperature <= settings.temperature_limit_K:
        raise MolxtalError(
            f"{where}: temperature {temperature:.0f} K exceeds {settings.temperature_limit_K:.0f}"
            " K; try a smaller timestep"
        )
    i, j, d = neighbor_list("ijd", atoms, settings.min_distance_angstrom)
    if len(d):
        k = int(np.argmin(d))
        raise MolxtalError(
            f"{where}: atoms {i[k]} and {j[k]} are {d[k]:.3f} Å apart (< "
            f"{settings.min_distance_angstrom} Å); try a smaller timestep"
        )


def _encode(value):
    """A JSON-ready form of checkpoint data: arrays (exact: Python floats round-trip through
    JSON), numpy random generators (their bit-generator state) and integrator helper objects
    (their attributes). Nothing that can execute code on loading."""
    if isinstance(value, np.ndarray):
        return {"array": value.tolist(), "dtype": str(value.dtype), "shape": list(value.shape)}
    if isinstance(value, np.random.Generator):
        return {"rng_state": value.bit_generator.state}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if hasattr(value, "__dict__"):
        return {"attributes": {k: _encode(v) for k, v in vars(value).items()}}
    return value


def _decode(value):
    """Arrays back from :func:`_encode`'s form (other values as they are)."""
    if isinstance(value, dict) and "array" in value and "dtype" in value:
        return np.array(value["array"], dtype=value["dtype"]).reshape(value["shape"])
    if isinstance(value, dict):
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def _restore(current, saved):
    """``saved`` (from :func:`_encode`) applied to the integrator's freshly built ``current``
    attribute: a generator's state is set, a helper object's attributes are updated, and a
    plain value is returned for ``setattr``. The classes come from the settings, never from
    the file."""
    if isinstance(current, np.random.Generator):
        current.bit_generator.state = saved["rng_state"]
        return current
    if isinstance(saved, dict) and "attributes" in saved:
        for name, value in saved["attributes"].items():
            if not hasattr(current, name):
                raise MolxtalError(f"checkpoint: unknown integrator attribute '{name}'")
            setattr(current, name, _decode(value))
        return current
    return _decode(saved)


def save_checkpoint(
    path: Path, dyn: MolecularDynamics, step: int, settings: MDSettings, sizes: dict[str, int]
) -> None:
    """Write the full dynamical state atomically as JSON (``sizes``: byte length of each
    output file). Floats are written exactly, so a resumed run is bit-identical."""
    atoms = dyn.atoms
    state = {
        "format": "molxtal-md-checkpoint-1",
        "step": step,
        "settings": asdict(settings),
        "numbers": atoms.numbers.copy(),
        "positions": atoms.get_positions(),
        "momenta": atoms.get_momenta(),
        "cell": np.array(atoms.get_cell()),
        "pbc": atoms.pbc.copy(),
        "integrator": type(dyn).__name__,
        "integrator_state": {name: getattr(dyn, name) for name in STATE_ATTRIBUTES[type(dyn)]},
        "file_sizes": sizes,
    }
    with atomic_write(path) as handle:
        json.dump(_encode(state), handle)


def load_checkpoint(path: Path, settings: MDSettings) -> dict:
    """Read a checkpoint (data only: JSON) and check that it belongs to a run with the same
    settings and holds a complete state."""
    try:
        with open(path) as handle:
            raw = json.load(handle)
        state = {k: v if k == "integrator_state" else _decode(v) for k, v in raw.items()}
        saved = state["settings"]
        positions, momenta = np.asarray(state["positions"]), np.asarray(state["momenta"])
        numbers = np.asarray(state["numbers"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise MolxtalError(f"{path}: not a readable molxtal MD checkpoint ({exc})") from exc
    n = len(numbers)
    if positions.shape != (n, 3) or momenta.shape != (n, 3) or np.shape(state["cell"]) != (3, 3):
        raise MolxtalError(f"{path}: checkpoint arrays have the wrong shape for {n} atoms")
    changed = [k for k in FIXED_ON_RESUME if saved.get(k) != getattr(settings, k)]
    if changed:
        raise MolxtalError(
            f"checkpoint {path} was written with different {', '.join(changed)}; "
            "resume with the original settings"
        )
    if settings.steps < state["step"]:
        raise MolxtalError(
            f"checkpoint {path} is at step {state['step']}, beyond the {settings.steps} steps "
            "asked for; resume with at least as many steps"
        )
    return state


def write_frame(handle, atoms: Atoms, step: int, timestep_fs: float) -> None:
    """Append one extxyz frame (positions, momenta, cell, energy, forces)."""
    frame = atoms.copy()
    frame.set_constraint()
    frame.calc = SinglePointCalculator(
        frame, energy=atoms.get_potential_energy(), forces=atoms.get_forces()
    )
    frame.info.update(step=step, time_ps=step * timestep_fs / 1000.0)
    write(handle, frame, format="extxyz")


def _flush(*handles) -> dict[str, int]:
    sizes = {}
    for name, handle in handles:
        handle.flush()
        os.fsync(handle.fileno())
        sizes[name] = handle.tell()
    return sizes


def run_md(
    atoms: Atoms,
    model: Model,
    settings: MDSettings,
    directory: str | Path,
    resume: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> MDResult:
    """Run MD of ``atoms`` with ``model``, writing trajectory, log and checkpoints.

    ``resume=True`` continues from ``directory/checkpoint.json`` (``atoms`` then only supplies
    the composition). ``progress(step, total_steps)`` is called after every step. A blow-up
    raises :class:`MolxtalError` and leaves the last good checkpoint in place.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    checkpoint = directory / CHECKPOINT
    rng = np.random.default_rng(settings.seed)
    work = model.attach(atoms)
    start = 0
    state = None
    if resume:
        if not checkpoint.exists():
            raise MolxtalError(f"no checkpoint to resume from in {directory}")
        state = load_checkpoint(checkpoint, settings)
        if not np.array_equal(state["numbers"], work.numbers):
            raise MolxtalError(f"checkpoint {checkpoint} holds a different system")
        work.set_cell(state["cell"])
        work.pbc = state["pbc"]
        work.set_positions(state["positions"])
        work.set_momenta(state["momenta"])
        start = state["step"]
    else:
        initial_velocities(work, settings.temperature_K, rng)
    dyn = make_integrator(work, settings, rng)
    if state is not None:
        for name, value in state["integrator_state"].items():
            setattr(dyn, name, _restore(getattr(dyn, name), value))
        dyn.nsteps = start
        for name, size in state["file_sizes"].items():
            if not (directory / name).is_file() or (directory / name).stat().st_size < size:
                raise MolxtalError(
                    f"{directory / name}: missing or shorter than the checkpoint records; "
                    "the run cannot be resumed"
                )
        for name, size in state["file_sizes"].items():
            with open(directory / name, "r+b") as handle:
                handle.truncate(size)
    mode = "a" if resume else "w"
    t0 = time.perf_counter()
    with (
        open(directory / TRAJECTORY, mode) as traj,
        open(directory / THERMO, mode) as log,
        model.forces_only(),
    ):
        writer = csv.DictWriter(log, fieldnames=THERMO_COLUMNS, lineterminator="\n")
        model.include_stress(True)  # step 0 is logged
        if not resume:
            check_sanity(work, 0, settings)
            writer.writeheader()
            write_frame(traj, work, 0, settings.timestep_fs)
            writer.writerow(thermo_row(dyn, 0, settings.timestep_fs))
            sizes = _flush((TRAJECTORY, traj), (THERMO, log))
            save_checkpoint(checkpoint, dyn, 0, settings, sizes)
        for step in range(start + 1, settings.steps + 1):
            # the stress in the same pass as the forces where it is used: every NPT step, and
            # the logged steps (pressure); other NVT/NVE steps need forces only
            model.include_stress(settings.ensemble == "npt" or step % settings.stride == 0)
            dyn.step()
            dyn.nsteps += 1
            check_sanity(work, step, settings)
            if step % settings.stride == 0:
                write_frame(traj, work, step, settings.timestep_fs)
                writer.writerow(thermo_row(dyn, step, settings.timestep_fs))
                log.flush()
            if step % settings.checkpoint_every == 0 or step == settings.steps:
                sizes = _flush((TRAJECTORY, traj), (THERMO, log))
                save_checkpoint(checkpoint, dyn, step, settings, sizes)
            if progress is not None:
                progress(step, settings.steps)
    wall = time.perf_counter() - t0
    done = settings.steps - start
    ns_per_day = done * settings.timestep_fs * 1e-6 / wall * 86400 if wall > 0 and done else 0.0
    return MDResult(
        directory=directory,
        steps=settings.steps,
        n_frames=settings.steps // settings.stride + 1,
        resumed_from_step=start if resume else None,
        wall_time_s=wall,
        ns_per_day=ns_per_day,
    )


def parse_repeat(text: str) -> tuple[int, int, int]:
    """``"2x2x2"`` -> (2, 2, 2)."""
    try:
        repeat = tuple(int(n) for n in text.lower().split("x"))
    except ValueError:
        repeat = ()
    if len(repeat) != 3 or min(repeat) < 1:
        raise MolxtalError(f"--repeat '{text}' must look like 2x2x2")
    return repeat


#: A production mean temperature further than this (K) from the target is flagged.
TEMPERATURE_TOLERANCE_K = 10.0


def starting_structure(
    structure: str | Path | None,
    water_molecules: int | None,
    density_g_per_cm3: float = 0.997,
    repeat: str = "1x1x1",
    seed: int = 0,
    temperature_K: float = 300.0,
    prepare: bool = True,
    progress_bar: ProgressBar | None = None,
    pre_equilibration_ps: float | None = None,
) -> tuple[Atoms, str, PreparedWaterBox | None]:
    """The structure file, or else a box of ``water_molecules`` at ``density_g_per_cm3``
    (seeded) prepared for ``temperature_K`` by :func:`~molxtal.workflows.water_box.
    prepare_water_box` with ``pre_equilibration_ps`` of classical MD (default: that of
    :class:`~molxtal.workflows.water_box.WaterBoxSettings`; only packed when not ``prepare``,
    e.g. to resume), repeated ``repeat`` ("2x2x2") times; a description of it; the
    preparation's record. ``progress_bar`` shows the classical MD steps."""
    if (structure is None) == (water_molecules is None):
        raise MolxtalError("give either a STRUCTURE file or --water-box N")
    preparation = None
    if structure is not None:
        atoms, source = read_structure(structure), str(structure)
    elif prepare:
        settings = WaterBoxSettings(water_molecules, density_g_per_cm3, temperature_K, seed=seed)
        if pre_equilibration_ps is not None:
            settings = replace(settings, time_ps=pre_equilibration_ps)
        steps = round(settings.time_ps * 1000 / settings.timestep_fs)
        label = f"{settings.water_model.upper()} pre-equilibration steps"
        with (progress_bar or no_progress)(label, steps) as advance:
            preparation = prepare_water_box(settings, lambda *_: advance(settings.sample_every))
        atoms = preparation.atoms
        source = (
            f"water box of {water_molecules} molecules at {density_g_per_cm3} g/cm³, "
            f"{settings.time_ps:g} ps {settings.water_model.upper()} pre-equilibrated"
        )
    else:
        atoms = water_box(water_molecules, density_g_per_cm3, seed=seed)
        source = f"water box of {water_molecules} molecules at {density_g_per_cm3} g/cm³"
    cells = parse_repeat(repeat)
    if cells != (1, 1, 1):
        atoms, source = atoms.repeat(cells), f"{source}, {repeat} supercell"
    return atoms, source, preparation


@contextlib.contextmanager
def _steps_progress(progress_bar: ProgressBar | None):
    """A ``progress(step, total)`` for :func:`run_md` that opens ``progress_bar`` at the first
    step, so that a resumed run counts the steps it has left."""
    with contextlib.ExitStack() as stack:
        advance: list[Callable[[], None]] = []

        def progress(step: int, total: int) -> None:
            if not advance:
                advance.append(stack.enter_context(progress_bar("MD steps", total - step + 1)))
            advance[0]()

        yield progress if progress_bar is not None else None


@dataclass
class MDRun(Result):
    """A run (``record``) and its means over the production part, after ``equilibration_ps``:
    temperature (K), density (g/cm³, NaN without a periodic cell) and pressure (bar)."""

    record: MDResult
    settings: MDSettings
    model: str
    source: str
    n_atoms: int
    equilibration_ps: float
    mean_temperature_K: float
    mean_density_g_per_cm3: float
    mean_pressure_bar: float
    temperature_err_K: float = float("nan")
    density_err_g_per_cm3: float = float("nan")
    pressure_err_bar: float = float("nan")
    preparation: PreparedWaterBox | None = None
    minimisation: dict[str, Any] | None = None

    @property
    def production_ps(self) -> float:
        """Simulated time after the equilibration (ps)."""
        return max(self.time_ps - self.equilibration_ps, 0.0)

    def temperature_reasons(self) -> list[str]:
        """Why the production's temperature is not the target's (empty when it is)."""
        target, mean = self.settings.temperature_K, self.mean_temperature_K
        if self.settings.ensemble == "nve" or abs(mean - target) <= TEMPERATURE_TOLERANCE_K:
            return []
        return [f"production mean T {mean:.1f} K is outside ±{TEMPERATURE_TOLERANCE_K:g} K of "
                f"the target {target:g} K"]  # fmt: skip

    @property
    def trajectory(self) -> Path:
        return self.record.trajectory

    @property
    def time_ps(self) -> float:
        """Simulated time of the whole run (ps)."""
        return self.settings.steps * self.settings.timestep_fs / 1000

    def to_dict(self) -> dict[str, Any]:
        run = self.record
        return {
            "source": self.source,
            "n_atoms": self.n_atoms,
            "model": self.model,
            **asdict(self.settings),
            "time_ps": self.time_ps,
            "equilibration_ps": self.equilibration_ps,
            "n_frames": run.n_frames,
            "resumed_from_step": run.resumed_from_step,
            "wall_time_s": run.wall_time_s,
            "ns_per_day": run.ns_per_day,
            "production_ps": self.production_ps,
            "mean_temperature_K": self.mean_temperature_K,
            "mean_temperature_err_K": self.temperature_err_K,
            "mean_temperature_status": status(self.temperature_reasons()),
            "mean_density_g_per_cm3": self.mean_density_g_per_cm3,
            "mean_density_err_g_per_cm3": self.density_err_g_per_cm3,
            "mean_pressure_bar": self.mean_pressure_bar,
            "mean_pressure_err_bar": self.pressure_err_bar,
            "trajectory": TRAJECTORY,
            "thermo": THERMO,
            "preparation": self.preparation.to_dict() if self.preparation else None,
            "minimisation": self.minimisation,
        }

    def summary(self) -> list[Table]:
        title = (
            f"MD: {self.source}, {self.n_atoms} atoms, {self.settings.ensemble.upper()}, "
            f"{self.model}"
        )
        minimised = self.minimisation
        rows = [] if minimised is None else [
            ["model minimisation before MD", relaxation_line(minimised)]
        ]  # fmt: skip
        rows += [
            ["simulated time (ps)", f"{self.time_ps:.4f}"],
            ["frames", self.record.n_frames],
            ["wall time (s)", f"{self.record.wall_time_s:.1f}"],
            ["speed (ns/day)", f"{self.record.ns_per_day:.4f}"],
            ["production after equilibration (ps)", f"{self.production_ps:.4f}"],
            ["mean T (K), block error",
             f"{self.mean_temperature_K:.1f} ± {self.temperature_err_K:.1f}"],
            ["mean density (g/cm³)",
             f"{self.mean_density_g_per_cm3:.4f} ± {self.density_err_g_per_cm3:.4f}"],
            ["mean pressure (bar)", f"{self.mean_pressure_bar:.0f} ± {self.pressure_err_bar:.0f}"],
        ]  # fmt: skip
        tables = self.preparation.summary() if self.preparation else []
        return [*tables, Table(title, ["quantity", "value"], rows, self.temperature_reasons())]

    def csv_tables(self) -> dict[str, list[dict[str, Any]]]:
        return self.preparation.csv_tables() if self.preparation else {}

    def figures(self) -> dict[str, Callable[[], Figure]]:
        return self.preparation.figures() if self.preparation else {}


def molecular_dynamics(
    atoms: Atoms,
    model: Model,
    settings: MDSettings,
    directory: str | Path,
    *,
    resume: bool = False,
    equilibration_ps: float = 0.0,
    source: str = "structure",
    progress_bar: ProgressBar | None = None,
    preparation: PreparedWaterBox | None = None,
) -> MDRun:
    """:func:`run_md`, then the means and block errors of the log after ``equilibration_ps``.
    A resumed run keeps the equilibration recorded in ``directory/results.json``; ``source``
    says where ``atoms`` came from, ``preparation`` how they were prepared (recorded with the
    run); ``progress_bar`` shows the steps (see :data:`molxtal.progress.ProgressBar`)."""
    directory = Path(directory)
    minimisation = None
    if resume and (directory / RESULTS_JSON).exists():
        saved = read_json(directory / RESULTS_JSON)
        equilibration_ps = saved.get("equilibration_ps", equilibration_ps)
        minimisation = saved.get("minimisation")
    elif settings.minimise_steps and not resume:
        relaxed = relax(atoms, model, settings.minimise_fmax, settings.minimise_steps, "FIRE",
                        what="MD start")  # fmt: skip
        atoms, minimisation = relaxed.atoms, relaxed.to_dict()
    with _steps_progress(progress_bar) as progress:
        record = run_md(atoms, model, settings, directory, resume, progress)
    thermo = np.genfromtxt(record.thermo, delimiter=",", names=True)
    production = thermo[thermo["time_ps"] >= equilibration_ps - 1e-9]
    means = {
        key: block_average(production[key]) for key in ("temperature_K", "density_g_per_cm3",
                                                       "pressure_bar")
    }  # fmt: skip
    return MDRun(
        record=record,
        settings=settings,
        model=model.name,
        source=source,
        n_atoms=len(atoms),
        equilibration_ps=equilibration_ps,
        mean_temperature_K=float(means["temperature_K"][0]),
        mean_density_g_per_cm3=float(means["density_g_per_cm3"][0]),
        mean_pressure_bar=float(means["pressure_bar"][0]),
        temperature_err_K=float(means["temperature_K"][1]),
        density_err_g_per_cm3=float(means["density_g_per_cm3"][1]),
        pressure_err_bar=float(means["pressure_bar"][1]),
        preparation=preparation,
        minimisation=minimisation,
    )
