"""Training-frame selection from MD trajectories: cut the thermalisation, pick N frames.

The MD itself is ``molxtal md`` (any model, NVT/NPT at T, P); its ``trajectory.extxyz`` (or any
trajectory with momenta and energies) is the input here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ase import Atoms

from molxtal.analysis.sampling import (
    farthest_point_indices,
    random_indices,
    rdf_descriptor,
    thermalisation_end,
)
from molxtal.errors import MolxtalError

METHODS = ("random", "fps")


@dataclass
class Series:
    """Per-frame temperature (K) and potential energy (eV) of one trajectory (None: absent),
    and the first frame after thermalisation."""

    temperature_K: np.ndarray | None
    potential_energy_eV: np.ndarray | None
    thermalised_from: int


@dataclass
class Sample:
    """Chosen frames: ``picked`` holds (trajectory index, frame index) pairs."""

    frames: list[Atoms]
    picked: list[tuple[int, int]]
    series: list[Series]


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
) -> Sample:
    """``n`` frames from the thermalised parts of ``trajectories``, at random or by
    farthest-point sampling on :func:`rdf_descriptor`."""
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
    return Sample(frames, picked, series)
