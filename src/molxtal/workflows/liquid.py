"""Liquid water with an MLIP, each quantity from the ensemble where it means something.

1. the box: packed, minimised and pre-equilibrated with rigid TIP4P
   (:func:`~molxtal.workflows.water_box.prepare_water_box`);
2. density: NPT MD of the MLIP (optional; without it the density is *not computed*: an NVT
   run only returns the density it was given);
3. structure and dynamics: NVT MD of the MLIP at the experimental density (its equilibration,
   then production), analysed by :func:`~molxtal.workflows.trajectory.analyse_trajectory`
   (intermolecular RDFs against Soper 2013; D only when the MSD is diffusive, Yeh–Hummer
   corrected with the experimental viscosity).

Every number carries a status (``converged``, ``indicative``, ``not computed``) with reasons.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ase import Atoms

from molxtal.models import Model
from molxtal.progress import ProgressBar
from molxtal.results import Result, Table, status
from molxtal.workflows.md import CHECKPOINT, MDRun, MDSettings, molecular_dynamics
from molxtal.workflows.trajectory import TrajectoryAnalysis, analyse_trajectory, density_status
from molxtal.workflows.water_box import PreparedWaterBox

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Viscosity of liquid water at 298.15 K (mPa s; IAPWS 2008, Huber et al., J. Phys. Chem.
#: Ref. Data 38, 101 (2009)), for the Yeh–Hummer finite-size correction of D.
WATER_VISCOSITY_298K_MPA_S = 0.8900


@dataclass
class LiquidWater(Result):
    """The preparation, the NPT run (or None), the NVT run and its analysis."""

    preparation: PreparedWaterBox | None
    npt: MDRun | None
    nvt: MDRun
    analysis: TrajectoryAnalysis

    def density_status(self) -> dict[str, Any]:
        if self.npt is None:
            return status(["no NPT run: an NVT run keeps the density it is given"], False)
        return density_status(self.npt.production_ps, self.npt.temperature_reasons(), "NPT")

    def to_dict(self) -> dict[str, Any]:
        values = self.analysis.to_dict()
        values["nvt_density_g_per_cm3"] = values.pop("density_g_per_cm3")
        values.pop("density_err_g_per_cm3")
        npt = self.npt
        values["density_g_per_cm3"] = npt.mean_density_g_per_cm3 if npt else None
        values["density_err_g_per_cm3"] = npt.density_err_g_per_cm3 if npt else None
        values["density_g_per_cm3_status"] = self.density_status()
        values["md"] = self.nvt.to_dict()
        values["npt"] = npt.to_dict() if npt else None
        values["preparation"] = self.preparation.to_dict() if self.preparation else None
        return values

    def summary(self) -> list[Table]:
        tables = self.preparation.summary() if self.preparation else []
        runs = [self.npt, self.nvt] if self.npt else [self.nvt]
        return tables + [t for run in runs for t in run.summary()] + self.analysis.summary()

    def csv_tables(self) -> dict[str, list[dict[str, Any]]]:
        tables = self.preparation.csv_tables() if self.preparation else {}
        return {**tables, **self.analysis.csv_tables()}

    def figures(self) -> dict[str, Callable[[], Figure]]:
        figures = self.preparation.figures() if self.preparation else {}
        return {**figures, **self.analysis.figures()}


def liquid_water(
    atoms: Atoms,
    model: Model,
    nvt: MDSettings,
    folder: str | Path,
    *,
    nvt_equilibration_ps: float,
    npt_steps: int = 0,
    npt_equilibration_ps: float = 0.0,
    preparation: PreparedWaterBox | None = None,
    source: str = "water box",
    progress_bar: ProgressBar | None = None,
) -> LiquidWater:
    """The liquid-water runs of ``atoms`` (prepared by ``preparation``) with ``model``: an NPT
    run of ``npt_steps`` (none when 0) with the thermostat settings of ``nvt`` at 1 bar into
    ``folder/npt``, the NVT run ``nvt`` into ``folder/md``, each continued from its
    checkpoint if it has one and averaged after its equilibration (ps); the NVT trajectory
    analysed with the Yeh–Hummer correction."""
    folder = Path(folder)
    npt_run = None
    if npt_steps:
        npt = replace(nvt, ensemble="npt", steps=npt_steps)
        directory = folder / "npt"
        npt_run = molecular_dynamics(
            atoms, model, npt, directory, resume=(directory / CHECKPOINT).exists(),
            equilibration_ps=npt_equilibration_ps, source=source, progress_bar=progress_bar,
        )  # fmt: skip
    directory = folder / "md"
    run = molecular_dynamics(
        atoms, model, nvt, directory, resume=(directory / CHECKPOINT).exists(),
        equilibration_ps=nvt_equilibration_ps, source=source, progress_bar=progress_bar,
    )  # fmt: skip
    analysis = analyse_trajectory(
        run.trajectory, run.equilibration_ps, label=model.name,
        temperature_K=nvt.temperature_K, viscosity_mpa_s=WATER_VISCOSITY_298K_MPA_S,
        run_reasons=run.temperature_reasons(),
    )  # fmt: skip
    return LiquidWater(preparation, npt_run, run, analysis)
