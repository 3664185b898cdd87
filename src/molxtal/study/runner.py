"""Plan and run the study: one task per (step, model), each cached under its step key.

Tasks are independent, so the ``dask`` executor submits them all to a dask.distributed
cluster (``--scheduler ADDRESS``, e.g. one started by dask-jobqueue on SLURM); workers share
the cache folder, so a step finished anywhere is never recomputed.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from molxtal import io
from molxtal.errors import MolxtalError
from molxtal.models import DEFAULT_MODEL, Model, load_model
from molxtal.provenance import Provenance, package_versions
from molxtal.results import Result, Table
from molxtal.study.cache import Cache, step_key, structure_hash
from molxtal.study.profiles import profile as profile_settings
from molxtal.study.progress import heartbeat
from molxtal.study.steps import STEPS
from molxtal.workflows.label import ProgressBar, no_progress

EXECUTORS = ("local", "dask")
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
    structure_hash: str
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
            hashes = [structure_hash(a) for a in step.structures(parameters)]
            structure = hashlib.sha256("".join(hashes).encode()).hexdigest()
            model_id = model.sha256 or model.name
            key = step_key(name, structure, model_id, dtype, parameters)
            tasks.append(Task(name, spec, model.name, model_id, dtype, parameters, structure, key))
    return tasks


def run_task(task: Task, cache_root: str) -> dict[str, Any]:
    """The step's stored record, computing and storing it first if it is not in the cache."""
    cache = Cache(Path(cache_root))
    record = cache.load(task.step, task.key)
    if record is not None:
        return record
    model = get_model(task.model_spec, task.dtype)
    folder = cache.folder(task.step, task.key)
    folder.mkdir(parents=True, exist_ok=True)
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
    path = Path(out) / PLAN
    if not path.is_file():
        raise MolxtalError(f"{path}: not found; is {out} a 'molxtal reproduce' output folder?")
    return [Task(**t) for t in io.read_json(path)["tasks"]]


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
        steps = [
            {"step": t.step, "model": t.model_name, "key": t.key}
            | {k: r[k] for k in ("wall_time_s", "cpu_time_s", "finished_utc")}
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

    def summary(self) -> list[Table]:
        rows = [
            [t.step, t.model_name, f"{r['wall_time_s']:.1f}", r["finished_utc"]]
            for t, r in zip(self.tasks, self.records, strict=True)
        ]
        columns = ["step", "model", "wall when computed (s)", "computed (UTC)"]
        title = f"Study '{self.profile}': report {self.report_html} and {self.report_md}"
        return [Table(title, columns, rows)]


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
    """Run the study of ``profile`` for the models ``specs`` (default: chgnet) into ``out``
    (steps cached in ``cache``, default ``out/cache``) and write its report; the models are
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
