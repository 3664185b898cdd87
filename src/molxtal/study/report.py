"""The study's report from stored step records: ``report.md`` and a self-contained
``report.html`` (figures embedded as base64 PNG, no network needed)."""

from __future__ import annotations

import base64
import html
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from molxtal import io
from molxtal.study.cache import Cache
from molxtal.study.profiles import NOTES
from molxtal.study.runner import CACHE, PLAN, Task, read_plan
from molxtal.study.steps import STEPS

CSS = """
body { font-family: sans-serif; max-width: 1400px; margin: 1em auto; padding: 0 1em; }
table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.9em; }
th, td { border: 1px solid #bbb; padding: 2px 6px; text-align: left; }
th { background: #eee; }
.figures { display: flex; flex-wrap: wrap; gap: 1em; }
figure { margin: 0; } figure img { max-width: 640px; width: 100%; }
code, pre { background: #f6f6f6; font-size: 0.85em; }
.missing { color: #a00; }
"""


@dataclass
class Part:
    """One step of the report: its tasks and the records found for them."""

    name: str
    tasks: list[Task]
    records: dict[str, dict[str, Any] | None]  # by model name


def collect(tasks: list[Task], cache: Cache) -> list[Part]:
    """Group tasks by step (registry order) with their stored records (None if not computed)."""
    parts = []
    for name in STEPS:
        mine = [t for t in tasks if t.step == name]
        if mine:
            records = {t.model_name: cache.load(t.step, t.key) for t in mine}
            parts.append(Part(name, mine, records))
    return parts


def _table(part: Part) -> tuple[list[str], list[list[str]]] | None:
    done = {m: r["values"] for m, r in part.records.items() if r is not None}
    return STEPS[part.name].table(done, part.tasks[0].parameters) if done else None


def _figures(part: Part, cache: Cache) -> list[tuple[str, Path]]:
    """(caption, path) of every figure, model by model."""
    figures = []
    for task in part.tasks:
        record = part.records[task.model_name]
        for name in (record or {}).get("values", {}).get("figures", []):
            figures.append((task.model_name, cache.folder(task.step, task.key) / name))
    return figures


def _provenance_rows(part: Part) -> list[list[str]]:
    rows = []
    for task in part.tasks:
        r = part.records[task.model_name]
        rows.append(
            [
                task.model_name,
                (task.model_id or "")[:16],
                task.dtype,
                task.key,
                "not computed" if r is None else f"{r['wall_time_s']:.1f}",
                "-" if r is None else f"{r['cpu_time_s']:.1f}",
                "-" if r is None else r["finished_utc"],
            ]
        )
    return rows


PROVENANCE_COLUMNS = [
    "model",
    "model sha256",
    "dtype",
    "step key",
    "wall (s)",
    "CPU (s)",
    "finished (UTC)",
]


def _totals(parts: list[Part]) -> tuple[int, int, float, float]:
    records = [r for p in parts for r in p.records.values()]
    done = [r for r in records if r is not None]
    wall = sum(r["wall_time_s"] for r in done)
    return len(done), len(records), wall, sum(r["cpu_time_s"] for r in done)


def _md_table(columns, rows) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _html_table(columns, rows) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _png(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode()


def write_report(out: Path, tasks: list[Task], cache: Cache, profile: str) -> tuple[Path, Path]:
    """Write ``out/report.md`` and ``out/report.html`` from the stored records."""
    out = Path(out)
    parts = collect(tasks, cache)
    done, total, wall, cpu = _totals(parts)
    models = ", ".join(dict.fromkeys(t.model_name for t in tasks))
    summary = (
        f"Profile '{profile}', models: {models}. {done} of {total} steps computed; their "
        f"compute time when first run: {wall:.0f} s wall, {cpu:.0f} s CPU. {NOTES.get(profile, '')}"
    )
    md = ["# molxtal reproduce: report", "", summary, ""]
    page = [f"<h1>molxtal reproduce: report</h1><p>{html.escape(summary)}</p>"]
    for part in parts:
        step = STEPS[part.name]
        settings = json.dumps(io.to_jsonable(part.tasks[0].parameters))
        missing = [m for m, r in part.records.items() if r is None]
        md += [f"## {step.title}", "", step.what, "", f"Settings: `{settings}`", ""]
        page += [
            f"<h2>{html.escape(step.title)}</h2><p>{html.escape(step.what)}</p>",
            f"<p>Settings: <code>{html.escape(settings)}</code></p>",
        ]
        if missing:
            note = f"Not computed yet: {', '.join(missing)}."
            md += [note, ""]
            page.append(f'<p class="missing">{html.escape(note)}</p>')
        table = _table(part)
        if table is not None:
            md += [_md_table(*table), ""]
            page.append(_html_table(*table))
        figures = _figures(part, cache)
        md += [f"![{caption}]({path.relative_to(out)})" for caption, path in figures] + [""]
        page.append('<div class="figures">')
        page += [
            f'<figure><img alt="{html.escape(caption)}" src="{_png(path)}">'
            f"<figcaption>{html.escape(caption)}: {html.escape(path.name)}</figcaption></figure>"
            for caption, path in figures
        ]
        page.append("</div><h3>Provenance</h3>")
        rows = _provenance_rows(part)
        md += ["Provenance:", "", _md_table(PROVENANCE_COLUMNS, rows), ""]
        page.append(_html_table(PROVENANCE_COLUMNS, rows))
    md_path = out / "report.md"
    with io.atomic_write(md_path) as handle:
        handle.write("\n".join(md) + "\n")
    html_path = out / "report.html"
    with io.atomic_write(html_path) as handle:
        handle.write(
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f"<title>molxtal reproduce</title><style>{CSS}</style></head><body>"
            + "\n".join(page)
            + "</body></html>\n"
        )
    return md_path, html_path


def rebuild_report(out: Path, cache: Path | None = None) -> tuple[Path, Path]:
    """Rewrite the report of the study in ``out`` from its plan and the stored records
    (``cache``, default ``out/cache``); nothing is computed."""
    tasks = read_plan(out)
    profile = io.read_json(Path(out) / PLAN)["profile"]
    return write_report(out, tasks, Cache(cache or Path(out) / CACHE), profile)
