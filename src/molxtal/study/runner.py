"""Plan and run the study: one task per (step, model), each cached under its step key.

Tasks are independent, so the ``dask`` executor submits them all to a dask.distributed
cluster (``--scheduler ADDRESS``, e.g. one started by dask-jobqueue on SLURM); workers share
the cache folder, so a step finished anywhere is never recomputed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from molxtal import io, keys
from molxtal.errors import MolxtalError
from molxtal.models import DEFAULT_MODEL, Model, load_model
from molxtal.progress import ProgressBar, no_progress
from molxtal.provenance import Provenance, package_versions
from molxtal.results import Result, Table
from molxtal.study.cache import Cache
from molxtal.study.profiles import profile as profile_settings
from molxtal.study.progress import heartbeat
from molxtal.study.steps import STEPS

EXECUTORS = ("local", "dask")
logger = logging.getLogger("molxtal")
PLAN = "study.json"
CACHE = "cache"
_local = threading.local()


@dataclass(frozen=True)
class Task:
    """One step for one model: everything a worker needs, and the cache key."""

    step: str
    model_spec: str
    model_name: str
    model_id: str
    dtype: str
    parameters: dict[str, Any]
    key: str


def get_model(spec: str, dtype: str) -> Model:
    """``load_model(spec, dtype)``, loaded once per thread (calculators are not thread-safe)."""
    models = _local.__dict__.setdefault("models", {})
    if (spec, dtype) not in models:
        models[spec, dtype] = load_model(spec, dtype=dtype)
    return models[spec, dtype]


def plan(models: list[str], settings: dict[str, dict], dtype: str = "float64") -> list[Task]:
    """The tasks of the study: the steps of ``settings`` (in registry order) for every model."""
    tasks = []
    for spec in models:
        for name, step in STEPS.items():
            if name not in settings:
                continue
            parameters = dict(settings[name])
            model = get_model(spec, dtype)
            structures = step.structures(parameters)
            model_id = model.sha256 or model.name
            key = keys.cache_key(name, model, structures, settings=parameters)
            tasks.append(Task(name, spec, model.name, model_id, dtype, parameters, key))
    return tasks


def run_task(task: Task, cache_root: str) -> dict[str, Any]:
    """The step's stored record, computing and storing it first if it is not in the cache
    (under the step folder's lock: two studies sharing a cache compute it once). A step that
    fails gives ``{"task": ..., "failed": reason}``, which is not stored (retried next run)."""
    cache = Cache(Path(cache_root))
    with io.folder_lock(cache.folder(task.step, task.key)) as folder:
        record = cache.load(task.step, task.key)
        if record is not None:
            return record
        try:
            return _compute_task(task, cache, folder)
        except Exception as exc:  # one step's failure must not stop the others
            logger.warning("%s (%s) failed: %s: %s", task.step, task.model_name,
                           type(exc).__name__, exc)  # fmt: skip
            return {"task": asdict(task), "failed": f"{type(exc).__name__}: {exc}"}


def _compute_task(task: Task, cache: Cache, folder: Path) -> dict[str, Any]:
    model = get_model(task.model_spec, task.dtype)
    wall, cpu = time.perf_counter(), time.process_time()
    with heartbeat(f"step {task.step} ({task.model_name})"):
        values = STEPS[task.step].compute(model, task.parameters, folder)
    record = {
        "task": asdict(task),
        "values": values,
        "model": model.provenance(),
        "wall_time_s": time.perf_counter() - wall,
        "cpu_time_s": time.process_time() - cpu,
        "finished_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "versions": package_versions(),
    }
    return cache.store(task.step, task.key, record)


def check_executor(executor: str, scheduler: str | None = None) -> None:
    """Refuse an unknown executor, a scheduler without dask, or dask when not installed."""
    if executor not in EXECUTORS:
        raise MolxtalError(f"unknown executor '{executor}'; choose {', '.join(EXECUTORS)}")
    if executor == "local" and scheduler is not None:
        raise MolxtalError("--scheduler needs --executor dask")
    if executor == "dask":
        try:
            import dask.distributed  # noqa: F401
        except ImportError:
            raise MolxtalError(
                "--executor dask needs dask.distributed: pip install 'molxtal[dask]'"
            ) from None


def run_study(
    tasks: list[Task],
    cache_root: Path,
    executor: str = "local",
    scheduler: str | None = None,
    on_done: Callable[[Task, dict], None] | None = None,
) -> list[dict[str, Any]]:
    """Run every task (cached ones cost a file read); records in task order."""
    check_executor(executor, scheduler)
    if executor == "local":
        records = []
        for task in tasks:
            records.append(run_task(task, str(cache_root)))
            if on_done:
                on_done(task, records[-1])
        return records
    from dask.distributed import Client, as_completed

    client = Client(scheduler) if scheduler else Client(processes=False)
    try:
        futures = [
            client.submit(run_task, t, str(Path(cache_root).resolve()), key=f"{t.step}-{t.key}")
            for t in tasks
        ]
        index = {f.key: k for k, f in enumerate(futures)}
        records: list[dict | None] = [None] * len(tasks)
        for future in as_completed(futures):
            k = index[future.key]
            records[k] = future.result()
            if on_done:
                on_done(tasks[k], records[k])
        return records
    finally:
        client.close()


def write_plan(out: Path, tasks: list[Task], profile: str, executor: str) -> Path:
    """``out/study.json``: the tasks of this study, from which the report is rebuilt."""
    return io.write_json(
        out / PLAN,
        {"profile": profile, "executor": executor, "tasks": [asdict(t) for t in tasks]},
    )


def read_plan(out: Path) -> list[Task]:
    """The tasks in ``out/study.json``; a missing or damaged file is a one-line error."""
    path = Path(out) / PLAN
    if not path.is_file():
        raise MolxtalError(f"{path}: not found; is {out} a 'molxtal reproduce' output folder?")
    try:
        return [Task(**t) for t in io.read_json(path)["tasks"]]
    except (ValueError, TypeError, KeyError) as exc:
        raise MolxtalError(
            f"{path}: not a readable study plan ({type(exc).__name__}: {exc}); "
            "run molxtal reproduce again to rewrite it"
        ) from None


@dataclass
class StudyResult(Result):
    """A finished study: its settings, where its report is, and every task's stored record."""

    profile: str
    executor: str
    cache: Path
    report_md: Path
    report_html: Path
    tasks: list[Task]
    records: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        timings = ("wall_time_s", "cpu_time_s", "finished_utc", "failed")
        steps = [
            {"step": t.step, "model": t.model_name, "key": t.key}
            | {k: r[k] for k in timings if k in r}
            for t, r in zip(self.tasks, self.records, strict=True)
        ]
        return {
            "profile": self.profile,
            "executor": self.executor,
            "cache": str(self.cache),
            "report_md": str(self.report_md),
            "report_html": str(self.report_html),
            "steps": steps,
        }

    def failures(self) -> dict[str, dict[str, str]]:
        """Failed tasks: step -> model -> reason."""
        failed: dict[str, dict[str, str]] = {}
        for task, record in zip(self.tasks, self.records, strict=True):
            if "failed" in record:
                failed.setdefault(task.step, {})[task.model_name] = record["failed"]
        return failed

    def summary(self) -> list[Table]:
        rows = [
            [t.step, t.model_name, "failed", r["failed"]] if "failed" in r
            else [t.step, t.model_name, f"{r['wall_time_s']:.1f}", r["finished_utc"]]
            for t, r in zip(self.tasks, self.records, strict=True)
        ]  # fmt: skip
        columns = ["step", "model", "wall when computed (s)", "computed (UTC)"]
        title = f"Study '{self.profile}': report {self.report_html} and {self.report_md}"
        failed = sum(len(models) for models in self.failures().values())
        notes = [f"{failed} of {len(self.tasks)} steps failed; re-run to retry"] if failed else []
        return [Table(title, columns, rows, notes)]

    def require_complete(self) -> None:
        """Raise if a step failed for every model (partial failures are notes only)."""
        for step, failed in self.failures().items():
            if set(failed) == {t.model_name for t in self.tasks if t.step == step}:
                reason = next(iter(failed.values()))
                raise MolxtalError(
                    f"study step {step} failed for every model ({reason}); the report and "
                    "the other steps are written"
                )


def reproduce(
    specs: list[str] | None,
    out: Path,
    provenance: Provenance | None = None,
    progress_bar: ProgressBar = no_progress,
    *,
    profile: str = "quick",
    dtype: str = "float64",
    executor: str = "local",
    scheduler: str | None = None,
    cache: Path | None = None,
) -> StudyResult:
    """Run the study of ``profile`` for the models ``specs`` (default: the default model) into
    ``out`` (steps cached in ``cache``, default ``out/cache``) and write its report; the models are
    recorded in ``provenance``."""
    from molxtal.study.report import write_report

    check_executor(executor, scheduler)
    specs = list(dict.fromkeys(specs or [DEFAULT_MODEL]))
    cache_root = cache or Path(out) / CACHE
    tasks = plan(specs, profile_settings(profile), dtype)
    for spec in specs if provenance is not None else ():
        provenance.add_model(get_model(spec, dtype).provenance())
    write_plan(out, tasks, profile, executor)
    with progress_bar(f"Study ({profile})", len(tasks)) as advance:
        records = run_study(tasks, cache_root, executor, scheduler, lambda task, _: advance(1))
    md, page = write_report(out, tasks, Cache(cache_root), profile)
    return StudyResult(profile, executor, cache_root, md, page, tasks, records)
