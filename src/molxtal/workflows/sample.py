"""Training-frame selection from MD trajectories: cut the thermalisation, pick N frames.

The MD itself is ``molxtal md`` (any model, NVT/NPT at T, P); its ``trajectory.extxyz`` (or any
trajectory with momenta and energies) is the input here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from ase import Atoms

from molxtal.analysis.sampling import (
    farthest_point_indices,
    random_indices,
    rdf_descriptor,
    thermalisation_end,
)
from molxtal.errors import MolxtalError
from molxtal.results import Result, ResultDir, Table

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from molxtal.models import Model
    from molxtal.progress import ProgressBar
    from molxtal.workflows.md import MDSettings

METHODS = ("random", "fps")
#: The file the chosen frames are written to.
SAMPLED = "sampled.extxyz"


@dataclass
class Series:
    """Per-frame temperature (K) and potential energy (eV) of one trajectory (None: absent),
    and the first frame after thermalisation."""

    temperature_K: np.ndarray | None
    potential_energy_eV: np.ndarray | None
    thermalised_from: int


@dataclass
class Sample(Result):
    """Chosen frames: ``picked`` holds (trajectory index, frame index) pairs; ``sources`` name
    the trajectories and ``lengths`` count their frames."""

    frames: list[Atoms]
    picked: list[tuple[int, int]]
    series: list[Series]
    sources: list[str]
    lengths: list[int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "picked": [{"trajectory": self.sources[t], "frame": i} for t, i in self.picked],
            "thermalised_from_frame": {
                source: s.thermalised_from
                for source, s in zip(self.sources, self.series, strict=True)
            },
        }

    def summary(self) -> list[Table]:
        rows = [
            [source, length, s.thermalised_from, sum(t == k for t, _ in self.picked)]
            for k, (source, length, s) in enumerate(
                zip(self.sources, self.lengths, self.series, strict=True)
            )
        ]
        columns = ["trajectory", "frames", "thermalised from frame", "picked"]
        return [Table(f"Sampling: {len(self.frames)} frames in {SAMPLED}", columns, rows)]

    def figures(self) -> dict[str, Callable[[], Figure]]:
        from molxtal.plotting.sample import plot_thermalisation

        names = [Path(source).name for source in self.sources]
        return {"thermalisation.png": lambda: plot_thermalisation(self.series, names)}

    def write_files(self, folder: ResultDir) -> None:
        folder.write_atoms(SAMPLED, self.frames)


def trajectory_series(frames: list[Atoms], skip: int | None = None) -> Series:
    """T and E of each frame, and the end of thermalisation (the later of the two series;
    ``skip`` overrides the detection)."""
    temperature = (
        np.array([a.get_temperature() for a in frames])
        if all(a.has("momenta") for a in frames)
        else None
    )
    energy = (
        np.array([a.get_potential_energy() for a in frames])
        if all(a.calc is not None for a in frames)
        else None
    )
    if skip is None:
        ends = [thermalisation_end(s) for s in (temperature, energy) if s is not None]
        skip = max(ends, default=0)
    return Series(temperature, energy, skip)


def sample_frames(
    trajectories: list[list[Atoms]],
    n: int,
    method: str = "random",
    seed: int = 0,
    skip: int | None = None,
    sources: Sequence[str] | None = None,
) -> Sample:
    """``n`` frames from the thermalised parts of ``trajectories`` (named by ``sources``), at
    random or by farthest-point sampling on :func:`rdf_descriptor`."""
    if method not in METHODS:
        raise MolxtalError(f"unknown sampling method '{method}'; choose {', '.join(METHODS)}")
    series = [trajectory_series(frames, skip) for frames in trajectories]
    pool = [
        (t, i)
        for t, (frames, s) in enumerate(zip(trajectories, series, strict=True))
        for i in range(s.thermalised_from, len(frames))
    ]
    if not pool:
        raise MolxtalError("no frames left after the thermalisation")
    if method == "random":
        chosen = random_indices(len(pool), n, seed)
    else:
        descriptors = np.array([rdf_descriptor(trajectories[t][i]) for t, i in pool])
        chosen = farthest_point_indices(descriptors, n, seed)
    picked = [pool[k] for k in chosen]
    frames = []
    for t, i in picked:
        atoms = trajectories[t][i].copy()  # geometry only: labels come from `molxtal label`
        atoms.calc = None
        atoms.set_momenta(None)
        atoms.info.update(source_trajectory=t, source_frame=i)
        frames.append(atoms)
    names = list(sources or (f"trajectory {k}" for k in range(len(trajectories))))
    return Sample(frames, picked, series, names, [len(frames_t) for frames_t in trajectories])


def sample_trajectories(
    paths: Sequence[str | Path],
    n: int,
    method: str = "random",
    seed: int = 0,
    skip: int | None = None,
) -> Sample:
    """:func:`sample_frames` of trajectory files (extxyz with momenta and energies, or any
    multi-frame file ASE reads)."""
    from molxtal.data.training import read_frames

    data = [read_frames(path) for path in paths]
    return sample_frames(data, n, method, seed, skip, [str(path) for path in paths])


def sample_after_md(
    atoms: Atoms,
    model: Model,
    settings: MDSettings,
    directory: str | Path,
    n: int,
    method: str = "random",
    seed: int = 0,
    skip: int | None = None,
    progress_bar: ProgressBar | None = None,
) -> Sample:
    """Run MD of ``atoms`` with ``model`` into ``directory`` (``molxtal md``'s
    :func:`~molxtal.workflows.md.molecular_dynamics`), then :func:`sample_trajectories` of its
    trajectory."""
    from molxtal.workflows.md import molecular_dynamics

    run = molecular_dynamics(atoms, model, settings, directory, progress_bar=progress_bar)
    return sample_trajectories([run.trajectory], n, method, seed, skip)
