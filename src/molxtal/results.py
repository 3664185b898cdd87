"""Results: the :class:`Result` every workflow returns, and the folder it writes itself into.

A workflow returns a :class:`Result`. The result knows its numbers (:meth:`Result.to_dict`, with
the unit in every key), the tables a person reads (:meth:`Result.summary`, printed by the CLI
and shown in the study's report) and its files (:meth:`Result.write`: ``results.json`` plus CSV
tables, figures and the files other tools read). The CLI and the study only call these.

Key spelling, one scheme across the package: the unit follows the quantity after an underscore,
``energy_eV``, ``zpe_kJ_per_mol``, ``C_v_J_per_K_mol``, ``frequencies_cm-1``, ``r_OO_angstrom``,
``angle_HOH_deg``, ``stress_GPa``, ``density_g_per_cm3``, ``diffusion_cm2_per_s``, ``time_ps``.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from molxtal import io, validate
from molxtal.provenance import Provenance

if TYPE_CHECKING:
    from matplotlib.figure import Figure

LOG_NAME = "molxtal.log"
RESULTS_JSON = "results.json"


def default_out_dir(command: str, root: str | Path = "molxtal-results") -> Path:
    """``molxtal-results/<command>-<timestamp>``, unique to the second."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path(root) / f"{command}-{stamp}"


#: How far a reported number can be trusted (issue: honest results).
CONVERGED, INDICATIVE, NOT_COMPUTED = "converged", "indicative", "not computed"


def number(value: float | None, spec: str = ".3f") -> str:
    """``value`` formatted with ``spec`` for a table; "-" when it is None or not finite."""
    if value is None or not math.isfinite(value):
        return "-"
    return format(value, spec)


def status(reasons: list[str], computed: bool = True) -> dict[str, Any]:
    """The convergence status of a reported number: ``converged`` when no reason against it
    was found, ``indicative`` with the reasons (e.g. "MD production 0.5 ps < 5 ps",
    "supercell 1×1×1"), or ``not computed`` with the reason it could not be. Stored beside the
    value as ``<key>_status`` in ``to_dict()``."""
    if not computed:
        return {"status": NOT_COMPUTED, "reasons": list(reasons)}
    return {"status": INDICATIVE if reasons else CONVERGED, "reasons": list(reasons)}


def with_status(text: str, state: dict[str, Any] | None) -> str:
    """``text`` as a person should read it beside its :func:`status`: unchanged when converged
    (or without a status), ``text [indicative: reasons]``, or ``not computed: reasons``."""
    if state is None or state["status"] == CONVERGED:
        return text
    reasons = "; ".join(state["reasons"])
    if state["status"] == NOT_COMPUTED:
        return f"not computed: {reasons}"
    return f"{text} [{state['status']}: {reasons}]"


@dataclass
class Table:
    """A table for a person: headers carry units; ``notes`` are warnings shown under it."""

    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[object]]
    notes: Sequence[str] = field(default_factory=list)


class ResultDir:
    """One run's output folder. Every file in it is written atomically."""

    def __init__(self, path: str | Path, provenance: Provenance | None = None):
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.provenance = provenance if provenance is not None else Provenance()
        self.logger = logging.getLogger("molxtal")
        self._handler = logging.FileHandler(self.path / LOG_NAME)
        self._handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        self.logger.addHandler(self._handler)
        self.logger.setLevel(logging.INFO)

    def file(self, name: str) -> Path:
        """Path of a file inside the result directory (sub-folders are created)."""
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def write_json(self, name: str, data: Any) -> Path:
        return io.write_json(self.file(name), data)

    def write_csv(self, name: str, rows, fieldnames=None) -> Path:
        return io.write_csv(self.file(name), rows, fieldnames)

    def save_figure(self, name: str, figure: Figure, dpi: int = 150) -> Path:
        return io.save_figure(self.file(name), figure, dpi=dpi)

    def write_atoms(self, name: str, images, format: str = "extxyz") -> Path:
        return io.write_atoms(self.file(name), images, format=format)

    def write_provenance(self) -> Path:
        return io.write_json(self.file("provenance.json"), self.provenance.as_dict())

    def close(self, status: str = "ok") -> None:
        """Finish the provenance record, write it, and detach the log handler."""
        self.provenance.finish(status)
        self.write_provenance()
        self.logger.removeHandler(self._handler)
        self._handler.close()


def _publish(staging: Path, target: Path, succeeded: bool) -> Path:
    """Move the finished staging folder to ``target``; the folder the results are in now."""
    if target.exists() and not succeeded:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        target = target.with_name(f"{target.name}-failed-{stamp}")
    elif target.exists():
        shutil.rmtree(target)
    os.replace(staging, target)
    return target


def _remove_killed_staging(target: Path) -> None:
    """Delete the staging folders that killed runs into ``target`` left beside it."""
    for staging in target.parent.glob(f".{target.name}.partial-*"):
        pid = staging.name.rsplit("-", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and not io.process_alive(int(pid)):
            shutil.rmtree(staging, ignore_errors=True)


def _wrote(folder: Path) -> bool:
    """Whether a run wrote anything into ``folder`` besides its log and provenance."""
    bookkeeping = {LOG_NAME, "provenance.json", ".lock"}
    return any(path.name not in bookkeeping for path in folder.iterdir())


@contextlib.contextmanager
def open_result_dir(
    target: Path,
    provenance: Provenance,
    *,
    overwrite: bool = False,
    in_place: bool = False,
    resume: bool = False,
) -> Iterator[ResultDir]:
    """The result folder ``target`` of one run; ``provenance.json`` records how it ended.

    The run works in a hidden staging folder beside ``target`` and moves it into place when it
    is done, so a failed run never damages the results of an earlier one (it goes to a fresh
    ``<target>-failed-<time>`` instead), and bad input found before any result was written
    leaves nothing on disk (nor the parent folders made for it). A ``target`` holding an
    earlier run is refused unless ``overwrite``. A run that checkpoints into its folder works
    ``in_place``: an earlier run there is continued with ``resume``, replaced with
    ``overwrite``, else refused; a new one that failed before writing anything is removed.
    """
    validate.output_folder("--out", target, overwrite or resume)
    created = [p for p in (target, *target.parents) if not p.exists()]  # deepest first
    if in_place and overwrite and not resume and target.exists():
        shutil.rmtree(target)
    staging = target if in_place else target.with_name(f".{target.name}.partial-{os.getpid()}")
    if not in_place and staging.exists():
        shutil.rmtree(staging)
    _remove_killed_staging(target)
    results = ResultDir(staging, provenance)
    status = "failed"
    try:
        yield results
        status = "ok"
    finally:
        results.close(status)
        if not in_place and (status == "ok" or (staging / RESULTS_JSON).exists()):
            results.path = _publish(staging, target, status == "ok")
        elif not in_place or (status != "ok" and target in created and not _wrote(staging)):
            shutil.rmtree(staging, ignore_errors=True)  # nothing was computed: leave no trace
            for folder in created[1:]:
                with contextlib.suppress(OSError):
                    folder.rmdir()  # only if empty


class Result:
    """What a workflow returns. Subclasses (dataclasses) implement :meth:`to_dict` and, as
    needed, :meth:`summary`, :meth:`csv_tables`, :meth:`figures` and :meth:`write_files`.

    :meth:`write` is the one place a result becomes ``results.json`` and its files; the CLI
    commands and the study's steps both call it, so both write the same numbers.
    """

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready numbers, a unit in every key (see the module docstring)."""
        raise NotImplementedError

    def summary(self) -> list[Table]:
        """Tables for the terminal and the report (units in the headers)."""
        return []

    def csv_tables(self) -> dict[str, list[dict[str, Any]]]:
        """CSV files to write: file name -> rows (dicts with unit-bearing keys)."""
        return {}

    def figures(self) -> dict[str, Callable[[], Figure]]:
        """Figures to write: file name -> a function that draws the figure."""
        return {}

    def write_files(self, folder: ResultDir) -> None:
        """Files in other tools' formats (extxyz, phonopy yaml, ...)."""

    def write(self, folder: ResultDir, dpi: int = 150) -> list[str]:
        """Write ``results.json``, the CSV tables, the figures and the other files into
        ``folder``; the names of the figures written."""
        folder.write_json(RESULTS_JSON, self.to_dict())
        for name, rows in self.csv_tables().items():
            folder.write_csv(name, rows)
        self.write_files(folder)
        names = []
        for name, draw in self.figures().items():
            folder.save_figure(name, draw(), dpi=dpi)
            names.append(name)
        return names
