"""Analysis of a molecular-dynamics trajectory: partial RDFs against Soper 2013, density and
self-diffusion, over the frames after the equilibration.

``molxtal analyse`` and the study's liquid-water step both call :func:`analyse_trajectory`, so
they report the same numbers. The RDFs are intermolecular by default: pairs of atoms in one
molecule (molecules found in the first production frame) are left out, as they are in the
Soper 2013 partials; otherwise g_OH and g_HH carry the O-H bond and H-H peaks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from ase import Atoms

from molxtal.analysis.blocks import block_average
from molxtal.analysis.diffusion import Diffusion, self_diffusion
from molxtal.analysis.rdf import RDF, RDFShape, partial_rdf, rdf_shape, squared_difference
from molxtal.data.rdf import ReferenceRDF, soper2013
from molxtal.data.training import read_frames
from molxtal.errors import MolxtalError
from molxtal.io import read_json
from molxtal.results import CONVERGED, RESULTS_JSON, Result, Table, number, status, with_status
from molxtal.structures import density_g_cm3, find_molecules

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Upper limit (Å) of the integrated squared difference to the experimental RDF.
ISD_R_MAX_ANGSTROM = 8.0
#: The partials of liquid water, as in Soper 2013.
WATER_PAIRS = ("O-O", "O-H", "H-H")
#: Production (ps) below which RDFs and diffusion coefficients are only indicative, and the
#: number of molecules below which the box is too small for converged RDFs beyond 6 Å.
MIN_STRUCTURE_PS = 5.0
MIN_DIFFUSION_PS = 10.0
MIN_DENSITY_PS = 10.0
MIN_MOLECULES = 64


def read_trajectory(path: Path) -> list[Atoms]:
    """All frames of a trajectory file (any format ASE reads); at least two."""
    frames = read_frames(path)
    if len(frames) < 2:
        raise MolxtalError(f"{path}: needs at least two frames")
    return frames


def md_record(trajectory: Path) -> dict[str, Any]:
    """The ``results.json`` of the ``molxtal md`` run beside ``trajectory`` ({} if none)."""
    record = trajectory.parent / RESULTS_JSON
    return read_json(record) if record.is_file() else {}


def frame_times(frames: Sequence[Atoms], frame_interval_ps: float | None, source: str):
    """Time (ps) of each frame: ``time_ps`` in the frames' info, else ``frame_interval_ps``."""
    if all("time_ps" in f.info for f in frames):
        return np.array([float(f.info["time_ps"]) for f in frames])
    if frame_interval_ps is None:
        raise MolxtalError(f"{source}: frames carry no time_ps; give --frame-interval (ps)")
    return np.arange(len(frames)) * frame_interval_ps


def default_label(trajectory: Path) -> str:
    """The model of the ``molxtal md`` run that wrote ``trajectory``, else the file name."""
    return md_record(trajectory).get("model") or trajectory.stem


def molecule_ids(atoms: Atoms, source: str) -> np.ndarray:
    """The index of the molecule each atom belongs to."""
    ids = np.empty(len(atoms), dtype=int)
    for k, members in enumerate(find_molecules(atoms, source=source).indices):
        ids[members] = k
    return ids


def density_status(production_ps: float, run_reasons: list[str], run: str = "") -> dict:
    """Status of a mean density from ``production_ps`` of a variable-volume run (``run``
    names it in the reason, e.g. "NPT"), with ``run_reasons`` against the whole run."""
    why = list(run_reasons)
    if production_ps < MIN_DENSITY_PS:
        why.append(f"{run} production {production_ps:.3g} ps < {MIN_DENSITY_PS:g} ps".lstrip())
    return status(why)


@dataclass
class TrajectoryAnalysis(Result):
    """Partial RDFs (their shapes, and the integrated squared difference to the reference up
    to ``isd_r_max_angstrom``), density and self-diffusion of one trajectory.

    ``time_ps`` and ``density_g_per_cm3`` cover every frame; the rest the ``n_frames``
    production frames after ``equilibration_ps``. ``notes`` say what could not be computed.
    """

    label: str
    source: str
    equilibration_ps: float
    n_frames: int
    time_ps: np.ndarray
    density_g_per_cm3: np.ndarray
    density_mean_g_per_cm3: float
    density_err_g_per_cm3: float
    rdfs: list[RDF]
    shapes: dict[str, RDFShape | None]
    isd_angstrom: dict[str, float]
    isd_r_max_angstrom: float
    reference: ReferenceRDF | None
    species: str
    diffusion: Diffusion | None
    notes: list[str]
    n_molecules: int = 0  # 0: not counted
    run_reasons: list[str] = field(default_factory=list)
    diffusion_reason: str | None = None

    @property
    def production_ps(self) -> float:
        """Time spanned by the production frames (ps)."""
        return float(self.time_ps[-1] - max(self.equilibration_ps, self.time_ps[0]))

    def statuses(self) -> dict[str, dict[str, Any]]:
        """``<key>_status`` of the RDFs and of D (see :func:`molxtal.results.status`), with
        ``run_reasons`` against the whole run (e.g. its temperature) added."""
        reasons = self.run_reasons
        length = f"production {self.production_ps:.3g} ps"
        structure = list(reasons)
        if self.production_ps < MIN_STRUCTURE_PS:
            structure.append(f"{length} < {MIN_STRUCTURE_PS:g} ps")
        if 0 < self.n_molecules < MIN_MOLECULES:  # 0: not counted (--no-intermolecular)
            structure.append(f"{self.n_molecules} molecules < {MIN_MOLECULES}")
        values = {}
        for rdf in self.rdfs:
            found = self.shapes[rdf.pair] is not None
            why = structure if found else [f"no first peak and minimum of g_{rdf.pair}"]
            values[f"rdf_{rdf.pair}_status"] = status(why, found)
        if np.ptp(self.density_g_per_cm3) == 0:
            why = ["constant volume (NVT/NVE): the density is the one the run was given"]
            values["density_g_per_cm3_status"] = status(why, computed=False)
        else:
            values["density_g_per_cm3_status"] = density_status(self.production_ps, reasons)
        if self.diffusion is None:
            why = [self.diffusion_reason] if self.diffusion_reason else []
            values["diffusion_cm2_per_s_status"] = status(why, computed=False)
        else:
            short = (
                [f"{length} < {MIN_DIFFUSION_PS:g} ps"]
                if self.production_ps < MIN_DIFFUSION_PS
                else []
            )
            values["diffusion_cm2_per_s_status"] = status([*reasons, *short])
        return values

    def to_dict(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            "trajectory": self.source,
            "n_frames": self.n_frames,
            "equilibration_ps": self.equilibration_ps,
        }
        for rdf in self.rdfs:
            key, shape = f"rdf_{rdf.pair}", self.shapes[rdf.pair]
            values[f"{key}_first_peak_angstrom"] = shape.peak_r if shape else None
            values[f"{key}_first_peak_height"] = shape.peak_g if shape else None
            values[f"{key}_first_min_angstrom"] = shape.min_r if shape else None
            values[f"{key}_coordination_number"] = shape.coordination_number if shape else None
            if rdf.pair in self.isd_angstrom:
                values[f"{key}_isd_soper2013_angstrom"] = self.isd_angstrom[rdf.pair]
        if self.isd_angstrom:
            values["isd_r_max_angstrom"] = self.isd_r_max_angstrom
        values["density_g_per_cm3"] = self.density_mean_g_per_cm3
        values["density_err_g_per_cm3"] = self.density_err_g_per_cm3
        d = self.diffusion
        values["diffusion_species"] = self.species
        values["diffusion_cm2_per_s"] = d.d_cm2_s if d else None
        values["diffusion_err_cm2_per_s"] = d.d_err_cm2_s if d else None
        values["diffusion_fit_range_ps"] = list(d.fit_range_ps) if d else None
        values["diffusion_yeh_hummer_cm2_per_s"] = d.d_corrected_cm2_s if d else None
        values["diffusion_loglog_slope"] = d.loglog_slope if d else None
        values["production_ps"] = self.production_ps
        values.update(self.statuses())
        values["notes"] = self.notes
        return values

    def columns(self) -> list[str]:
        """Headers of :meth:`row` (shape and ISD of the first partial)."""
        pair = self.rdfs[0].pair
        return ["run", f"g_{pair} peak (Å)", "height", "CN", "ISD vs Soper (Å)",
                "density (g/cm³)", f"D_{self.species} (cm²/s)"]  # fmt: skip

    def row(self) -> list[str]:
        """One line for a table: first partial's shape and ISD, density, D."""
        pair, d = self.rdfs[0].pair, self.diffusion
        shape = self.shapes[pair]
        return [
            self.label,
            number(shape and shape.peak_r, ".3f"),
            number(shape and shape.peak_g, ".3f"),
            number(shape and shape.coordination_number, ".2f"),
            number(self.isd_angstrom.get(pair), ".4f"),
            f"{self.density_mean_g_per_cm3:.4f} ± {number(self.density_err_g_per_cm3, '.4f')}",
            "-" if d is None else f"{d.d_cm2_s:.3e} ± {number(d.d_err_cm2_s, '.1e')}",
        ]

    def summary(self) -> list[Table]:
        return [Table("MD analysis", self.columns(), [self.row()], self.notes)]

    def csv_tables(self) -> dict[str, list[dict[str, Any]]]:
        tables = {
            "rdf.csv": [
                {"r_angstrom": r, **{f"g_{x.pair}": x.g[k] for x in self.rdfs}}
                | {f"g_{x.pair}_err": x.g_err[k] for x in self.rdfs}
                for k, r in enumerate(self.rdfs[0].r)
            ],
            "density.csv": [
                {"time_ps": t, "density_g_per_cm3": rho}
                for t, rho in zip(self.time_ps, self.density_g_per_cm3, strict=True)
            ],
        }
        if self.diffusion is not None:
            d = self.diffusion
            tables["msd.csv"] = [
                {"lag_ps": t, "msd_angstrom2": m}
                for t, m in zip(d.lag_ps, d.msd_angstrom2, strict=True)
            ]
        return tables

    def rdf_warning(self) -> str:
        """Why the first partial RDF is not converged ("" when it is)."""
        pair = self.rdfs[0].pair
        state = self.statuses()[f"rdf_{pair}_status"]
        return "" if state["status"] == CONVERGED else with_status(f"g_{pair}", state)

    def figures(self) -> dict[str, Callable[[], Figure]]:
        from molxtal.plotting.md import density_figure, msd_figure, rdf_figure

        warning = self.rdf_warning()
        figures = {
            "rdf.png": lambda: rdf_figure({self.label: self.rdfs}, self.reference, warning),
            "density.png": lambda: density_figure(
                self.time_ps, self.density_g_per_cm3, self.equilibration_ps
            ),
        }
        if self.diffusion is not None:
            figures["msd.png"] = lambda: msd_figure(self.diffusion, self.species)
        return figures


def analyse_trajectory(
    trajectory: str | Path | Sequence[Atoms],
    equilibration_ps: float | None = None,
    *,
    label: str | None = None,
    frame_interval_ps: float | None = None,
    pairs: Sequence[str] = WATER_PAIRS,
    intermolecular: bool = True,
    bin_width_angstrom: float = 0.02,
    blocks: int = 5,
    species: str = "O",
    viscosity_mpa_s: float | None = None,
    temperature_K: float | None = None,
    reference: bool = True,
    run_reasons: list[str] | None = None,
) -> TrajectoryAnalysis:
    """Analyse the frames of ``trajectory`` (a file ASE reads, or the frames) after
    ``equilibration_ps``.

    ``pairs`` ("O-O", ...) are the partial RDFs (``bin_width_angstrom`` bins, block errors
    over ``blocks`` blocks), intermolecular unless ``intermolecular=False``; with
    ``reference`` they are compared with Soper 2013. D of ``species`` comes from its MSD,
    Yeh–Hummer-corrected when ``viscosity_mpa_s`` (mPa s) is given. For a file written by
    ``molxtal md``, ``equilibration_ps``, ``temperature_K`` and ``label`` default to the run's,
    and a production temperature off its target makes the statuses indicative
    (``run_reasons``: the run's reasons given directly, e.g. by a caller that ran it).
    Frame times are the frames' ``time_ps``, else multiples of ``frame_interval_ps``.
    """
    if isinstance(trajectory, (str, Path)):
        path = Path(trajectory)
        source, frames, record = str(path), read_trajectory(path), md_record(path)
        label = label or default_label(path)
    else:
        source, frames, record = "frames", list(trajectory), {}
        label = label or source
    split = [pair.split("-") for pair in pairs]
    if any(len(pair) != 2 for pair in split):
        raise MolxtalError(f"pairs {', '.join(pairs)} must look like O-O, O-H")
    if equilibration_ps is None:
        equilibration_ps = float(record.get("equilibration_ps", 0.0))
    if temperature_K is None:
        temperature_K = record.get("temperature_K")
    times = frame_times(frames, frame_interval_ps, source)
    keep = times >= equilibration_ps - 1e-9
    production = [frame for frame, kept in zip(frames, keep, strict=True) if kept]
    if len(production) < 2:
        raise MolxtalError(f"{source}: fewer than two frames after {equilibration_ps} ps")
    ids = molecule_ids(production[0], source) if intermolecular else None
    rdfs = [
        partial_rdf(production, a, b, bin_width=bin_width_angstrom, n_blocks=blocks,
                    molecule_ids=ids)
        for a, b in split
    ]  # fmt: skip
    notes, shapes = [], {}
    for rdf in rdfs:
        try:
            shapes[rdf.pair] = rdf_shape(rdf)
        except MolxtalError as exc:  # too short a run or too small a box
            shapes[rdf.pair] = None
            notes.append(str(exc))
    soper = soper2013() if reference else None
    isd = {
        rdf.pair: squared_difference(rdf, soper.r, soper.g[rdf.pair], ISD_R_MAX_ANGSTROM)
        for rdf in rdfs
        if soper is not None and rdf.pair in soper.g
    }
    density = np.array([density_g_cm3(f) for f in frames])
    mean, err = block_average(density[keep], blocks)
    diffusion, no_diffusion = None, None
    try:
        diffusion = self_diffusion(
            production,
            float(np.mean(np.diff(times))),
            species=species,
            n_blocks=blocks,
            temperature_K=temperature_K,
            viscosity_mpa_s=viscosity_mpa_s,
        )
    except MolxtalError as exc:
        no_diffusion = str(exc)
        notes.append(f"no diffusion coefficient: {exc}")
    return TrajectoryAnalysis(
        label=label,
        source=source,
        equilibration_ps=equilibration_ps,
        n_frames=len(production),
        time_ps=times,
        density_g_per_cm3=density,
        density_mean_g_per_cm3=float(mean),
        density_err_g_per_cm3=float(err),
        rdfs=rdfs,
        shapes=shapes,
        isd_angstrom=isd,
        isd_r_max_angstrom=min(ISD_R_MAX_ANGSTROM, float(rdfs[0].r[-1])),
        reference=soper,
        species=species,
        diffusion=diffusion,
        notes=notes,
        n_molecules=int(ids.max()) + 1 if ids is not None else 0,
        run_reasons=list(
            record.get("mean_temperature_status", {}).get("reasons", [])
            if run_reasons is None
            else run_reasons
        ),
        diffusion_reason=no_diffusion,
    )


def _file_name(name: str, label: str) -> str:
    """``rdf.csv`` -> ``rdf_<label>.csv``, the label made safe for a file name."""
    stem, suffix = name.rsplit(".", 1)
    safe = re.sub(r"[^\w.-]+", "_", label)
    return f"{stem}_{safe}.{suffix}"


@dataclass
class TrajectoryComparison(Result):
    """Several trajectories (e.g. one per model) analysed alike; one RDF figure overlays them.

    ``results.json`` holds every run under ``runs`` (by label) and, for a single run, its
    values at the top level too; the CSV files and other figures carry the label.
    """

    runs: list[TrajectoryAnalysis]

    def to_dict(self) -> dict[str, Any]:
        single = self.runs[0].to_dict() if len(self.runs) == 1 else {}
        return {**single, "runs": {run.label: run.to_dict() for run in self.runs}}

    def summary(self) -> list[Table]:
        notes = [f"{run.label}: {note}" for run in self.runs for note in run.notes]
        title = f"MD analysis ({len(self.runs)} trajectories)"
        return [Table(title, self.runs[0].columns(), [run.row() for run in self.runs], notes)]

    def csv_tables(self) -> dict[str, list[dict[str, Any]]]:
        return {
            _file_name(name, run.label): rows
            for run in self.runs
            for name, rows in run.csv_tables().items()
        }

    def figures(self) -> dict[str, Callable[[], Figure]]:
        from molxtal.plotting.md import rdf_figure

        overlay = {run.label: run.rdfs for run in self.runs}
        warning = "\n".join(f"{r.label}: {r.rdf_warning()}" for r in self.runs if r.rdf_warning())
        figures = {"rdf.png": lambda: rdf_figure(overlay, self.runs[0].reference, warning)}
        for run in self.runs:
            for name, draw in run.figures().items():
                if name != "rdf.png":
                    figures[_file_name(name, run.label)] = draw
        return figures


def analyse_trajectories(
    trajectories: Sequence[str | Path],
    labels: Sequence[str] | None = None,
    **options: Any,
) -> TrajectoryComparison:
    """:func:`analyse_trajectory` of each file with the same ``options``; ``labels`` (one per
    file, distinct) name them in the figures and files (default: the md run's model, else
    the file name)."""
    names = labels or [default_label(Path(path)) for path in trajectories]
    if len(names) != len(trajectories) or len(set(names)) < len(names):
        raise MolxtalError("give one distinct label per trajectory (--label)")
    return TrajectoryComparison(
        [
            analyse_trajectory(path, label=name, **options)
            for path, name in zip(trajectories, names, strict=True)
        ]
    )
