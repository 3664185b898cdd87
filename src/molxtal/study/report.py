"""The study's report from stored step records: ``report.md`` and a self-contained
``report.html`` (figures embedded as base64 PNG, no network needed).

It opens with the scorecard (:mod:`molxtal.study.scorecard`: headline metrics per model with
reference, error, status and a quality colour), then what the profile leaves out, a table of
contents, and one section per step: description, settings, table, captioned figures and
provenance."""

from __future__ import annotations

import base64
import html
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from molxtal import io
from molxtal.study.cache import Cache
from molxtal.study.profiles import LEAVES_OUT, NOTES
from molxtal.study.runner import CACHE, PLAN, Task, read_plan
from molxtal.study.scorecard import Cell, cell_text, scorecard
from molxtal.study.steps import STEPS

CSS = """
body { font-family: system-ui, sans-serif; max-width: 1400px; margin: 1em auto; padding: 0 1em;
       color: #222; line-height: 1.4; }
h1 { margin-bottom: 0.2em; } h2 { border-bottom: 2px solid #ccd; padding-bottom: 0.1em; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.9em; }
th, td { border: 1px solid #ccd; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #e8ebf3; position: sticky; top: 0; }
tr:nth-child(even) td { background: #f8f9fc; }
table.scorecard td.good { background: #d9f2d9; } table.scorecard td.fair { background: #fff1c7; }
table.scorecard td.poor { background: #f8d3d0; } table.scorecard td.none { background: #f2f2f2; }
table.scorecard td.indicative { border: 2px dashed #b07a00; }
table.scorecard td.notcomputed { color: #777; font-style: italic; }
.badge { font-size: 0.75em; padding: 0 4px; border-radius: 3px; margin-left: 4px;
         background: #b07a00; color: #fff; white-space: nowrap; }
.legend span { padding: 0 6px; margin-right: 6px; border: 1px solid #ccd; }
nav ol { columns: 2; } .figures { display: flex; flex-wrap: wrap; gap: 1em; }
figure { margin: 0; max-width: 640px; } figure img { width: 100%; border: 1px solid #eee; }
figcaption { font-size: 0.85em; color: #444; }
code, pre { background: #f3f4f8; font-size: 0.85em; }
.missing { color: #a00; } .notes { font-size: 0.85em; color: #555; }
"""

#: What each figure shows, in words (by file name; the model is added).
CAPTIONS = {
    "frequency_errors.png": "Harmonic frequencies: error against the reference, mode by mode",
    "geometry_zpe_errors.png": "Monomer geometry and zero-point energy: error against experiment",
    "geometry_errors.png": "Dimer geometry: error against CCSD(T)",
    "binding_curve.png": "Dimer binding energy against the O–O distance, with the spline minimum",
    "fmax_scan.png": "Monomer geometry against the relaxation threshold fmax",
    "delta_scan.png": "Monomer frequencies against the finite-difference step δ",
    "absolute_energies.png": "DMC-ICE13 lattice energies against DMC",
    "relative_energies.png": "DMC-ICE13 energies relative to ice Ih against DMC",
    "parity.png": "DMC-ICE13 parity plot of model against DMC lattice energies",
    "ranking.png": "Rank of the model's DMC-ICE13 MAE among published DFT/HF methods",
    "bands.png": "Ice Ih phonon band structure (H2O and D2O masses)",
    "dos.png": "Ice Ih phonon density of states",
    "heat_capacity.png": "Ice Ih heat capacity against experiment (Holzapfel & Klotz, Flubacher)",
    "bands_supercell_scan.png": "Ice Ih phonon bands for each supercell size",
    "sublimation.png": "Sublimation enthalpy of ice Ih against temperature, with its parts",
    "rdf.png": "Liquid water intermolecular partial RDFs against Soper 2013",
    "density.png": "Liquid water density against time (constant in NVT)",
    "msd.png": "O mean-squared displacement against lag time, with the fit window",
    "preparation.png": "Classical pre-equilibration: temperature and pressure against time",
}


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
    """(caption in words, path) of every figure, model by model."""
    figures = []
    for task in part.tasks:
        record = part.records[task.model_name]
        for name in (record or {}).get("values", {}).get("figures", []):
            caption = CAPTIONS.get(name, name.rsplit(".", 1)[0].replace("_", " "))
            figures.append(
                (f"{caption} ({task.model_name})", cache.folder(task.step, task.key) / name)
            )
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


def _score_values(parts: list[Part]) -> dict[str, dict[str, dict]]:
    """model -> step -> stored values (None where not computed)."""
    models: dict[str, dict[str, dict]] = {}
    for part in parts:
        for model, record in part.records.items():
            models.setdefault(model, {})[part.name] = record["values"] if record else None
    return models


def _score_html(metrics, cells: dict[str, list[Cell]]) -> str:
    head = "<tr><th>metric</th><th>reference</th>" + "".join(
        f"<th>{html.escape(m)}</th>" for m in cells
    )
    rows = []
    for k, metric in enumerate(metrics):
        row = [f"<td>{html.escape(metric.label)}</td><td>{html.escape(metric.reference)}</td>"]
        for column in cells.values():
            cell = column[k]
            state = cell.state["status"]
            css = f"{cell.quality} {state.replace(' ', '')}"
            reasons = html.escape("; ".join(cell.state["reasons"]))
            body = html.escape(cell.text) if state != "not computed" else ""
            if state != "converged":
                body += f'<span class="badge">{html.escape(state)}</span>'
                body += f'<div class="notes">{reasons}</div>'
            row.append(f'<td class="{css}" title="{reasons}">{body}</td>')
        rows.append("<tr>" + "".join(row) + "</tr>")
    legend = (
        '<p class="legend">Quality: <span style="background:#d9f2d9">good</span>'
        '<span style="background:#fff1c7">fair</span><span style="background:#f8d3d0">poor'
        '</span><span style="background:#f2f2f2">no reference / not graded</span> Status: '
        "a dashed border marks an <b>indicative</b> value (not converged: reasons given); "
        "unmarked values are converged.</p>"
    )
    return f'<table class="scorecard">{head}</tr>{"".join(rows)}</table>{legend}'


def _md_cell(cell: Cell) -> str:
    graded = cell.quality != "none" and cell.state["status"] != "not computed"
    return cell_text(cell) + (f" ({cell.quality})" if graded else "")


def _score_md(metrics, cells: dict[str, list[Cell]]) -> list[str]:
    rows = [
        [m.label, m.reference, *(_md_cell(c[k]) for c in cells.values())]
        for k, m in enumerate(metrics)
    ]
    return [_md_table(["metric", "reference", *cells], rows), ""]


def _anchor(name: str) -> str:
    return f"step-{name}"


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
    metrics, cells = scorecard(_score_values(parts))
    md = ["# molxtal reproduce: report", "", summary, "", "## Scorecard", ""]
    md += _score_md(metrics, cells)
    page = [
        f"<h1>molxtal reproduce: report</h1><p>{html.escape(summary)}</p>",
        "<h2 id='scorecard'>Scorecard</h2>",
        _score_html(metrics, cells),
    ]
    leaves_out = LEAVES_OUT.get(profile, [])
    if leaves_out:
        title = f"What the {profile} profile leaves out (and --profile full adds)"
        md += [f"## {title}", "", *(f"- {item}" for item in leaves_out), ""]
        items = "".join(f"<li>{html.escape(item)}</li>" for item in leaves_out)
        page.append(f"<h2 id='leaves-out'>{html.escape(title)}</h2><ul>{items}</ul>")
    toc = [(STEPS[p.name].title, _anchor(p.name)) for p in parts]
    md += ["## Contents", "", *(f"- {title}" for title, _ in toc), ""]
    links = "".join(f'<li><a href="#{a}">{html.escape(t)}</a></li>' for t, a in toc)
    page.append(f"<nav><h2>Contents</h2><ol>{links}</ol></nav>")
    for part in parts:
        step = STEPS[part.name]
        settings = json.dumps(io.to_jsonable(part.tasks[0].parameters))
        missing = [m for m, r in part.records.items() if r is None]
        md += [f"## {step.title}", "", step.what, "", f"Settings: `{settings}`", ""]
        page += [
            f'<h2 id="{_anchor(part.name)}">{html.escape(step.title)}</h2>'
            f"<p>{html.escape(step.what)}</p>",
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
            f"<figcaption>{html.escape(caption)}</figcaption></figure>"
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
