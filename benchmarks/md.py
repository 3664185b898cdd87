"""MD throughput: ns/day for liquid-water boxes, molxtal's loop against a plain ASE loop.

For each box size and model it runs ``--steps`` NVT Langevin steps (0.5 fs) twice: through
``molxtal.workflows.md.run_md`` (blow-up guard, trajectory, log, checkpoints) and as a bare
``ase.md.langevin.Langevin(...).run()``. It reports ns/day of both and the fraction of
molxtal's step time spent outside the model's energy/force call. Writes a Markdown table to
the MD section of ``docs/performance.md``. Keep ``--steps`` small on a shared machine; timings
from a loaded machine are upper bounds.

    PYTHONPATH=src python benchmarks/md.py --sizes 64 128 256 --steps 3
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from ase import units
from ase.md.langevin import Langevin

from molxtal.io import atomic_write
from molxtal.models import load_model
from molxtal.models.mace import build_random_mace, save_mace
from molxtal.structures import water_box
from molxtal.workflows.md import MDSettings, initial_velocities, run_md

TIMESTEP_FS = 0.5
#: Random-weight MACE networks (MACE-MP-0 "small"-like and "medium"-like hidden irreps).
MACE_SIZES = {
    "mace-small": {"channels": 64, "max_l": 0, "max_ell": 3, "correlation": 3, "r_max": 6.0},
    "mace-medium": {"channels": 128, "max_l": 1, "max_ell": 3, "correlation": 3, "r_max": 6.0},
}


def timed_calculator(calculator) -> list[float]:
    """Accumulate the wall time of every ``calculator.calculate`` call into the returned list."""
    spent = [0.0]
    original = calculator.calculate

    def calculate(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - start

    calculator.calculate = calculate
    return spent


def ns_per_day(steps: int, seconds: float) -> float:
    return steps * TIMESTEP_FS * 1e-6 / seconds * 86400


def plain_langevin(atoms, calculator, steps: int) -> float:
    """Wall time (s) of ``steps`` bare ASE Langevin steps on ``calculator`` (after one warm-up)."""
    plain_atoms = atoms.copy()
    plain_atoms.calc = calculator
    initial_velocities(plain_atoms, 300.0, np.random.default_rng(0))
    dyn = Langevin(
        plain_atoms, timestep=TIMESTEP_FS * units.fs, temperature_K=300, friction=0.01, fixcm=False
    )
    plain_atoms.get_forces()
    start = time.perf_counter()
    dyn.run(steps)
    return time.perf_counter() - start


def benchmark(model, n_molecules: int, steps: int, workdir: Path) -> dict:
    atoms = water_box(n_molecules, seed=0)
    spent = timed_calculator(model.calculator)
    settings = MDSettings(
        steps=steps, timestep_fs=TIMESTEP_FS, stride=steps, checkpoint_every=steps, seed=0
    )
    # Warm-up call (model compilation, neighbour-list caches) is not timed.
    model.attach(atoms).get_forces()
    spent[0] = 0.0
    start = time.perf_counter()
    run_md(atoms, model, settings, workdir / f"{model.name}-{n_molecules}".replace("/", "_"))
    ours = time.perf_counter() - start
    outside = 1 - spent[0] / ours
    plain = plain_langevin(atoms, model.calculator, steps)
    del model.calculator.calculate  # restore the class method
    stock = plain
    if model.family == "CHGNet":  # what a user writes today: chgnet's own calculator (efsm)
        from chgnet.model import CHGNetCalculator

        stock = plain_langevin(atoms, CHGNetCalculator(model.calculator.inner.model), steps)
    return {
        "model": model.name if len(model.name) < 30 else Path(model.name).stem,
        "molecules": n_molecules,
        "atoms": len(atoms),
        "ns_day_molxtal": ns_per_day(steps, ours),
        "ns_day_plain_ase": ns_per_day(steps, plain),
        "ns_day_stock": ns_per_day(steps, stock),
        "s_per_step": ours / steps,
        "outside_model_percent": 100 * outside,
    }


def markdown(rows: list[dict], steps: int, conditions: str) -> str:
    lines = [
        "# MD performance (molxtal md vs plain ASE Langevin)",
        "",
        f"{steps} NVT Langevin steps of 0.5 fs per entry; {conditions}. Random-weight MACE",
        "models. 'outside model' is the share of molxtal's step time not spent in the calculator",
        "(integrator, blow-up guard, trajectory/log/checkpoint output). molxtal's time includes",
        "the step-0 evaluation for frame 0 (steps + 1 model calls against the plain loop's",
        "steps), so with few steps its ns/day reads low by a factor steps/(steps + 1). 'plain",
        "ASE' runs `ase.md.langevin.Langevin` on molxtal's calculator; 'stock' runs it on the",
        "model's own ASE calculator as a user would (chgnet's `CHGNetCalculator`, which also",
        "computes the stress every step; for MACE the same calculator).",
        "Reproduce with `PYTHONPATH=src python benchmarks/md.py`.",
        "",
        "| model | molecules | atoms | s/step | ns/day molxtal | ns/day plain ASE "
        "| ns/day stock | outside model (%) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['model']} | {r['molecules']} | {r['atoms']} | {r['s_per_step']:.3f} "
        f"| {r['ns_day_molxtal']:.4f} | {r['ns_day_plain_ase']:.4f} | {r['ns_day_stock']:.4f} "
        f"| {r['outside_model_percent']:.1f} |"
        for r in rows
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[64, 128, 256])
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument(
        "--models",
        nargs="+",
        default=["chgnet", "mace-small", "mace-medium"],
        help="chgnet, mace-small/medium",
    )
    parser.add_argument("--out", type=Path, default=Path("docs/performance.md"))
    parser.add_argument(
        "--conditions", default="CPU", help="machine and load, written above the table"
    )
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for spec in args.models:
            if spec in MACE_SIZES:
                network = build_random_mace(["H", "O"], **MACE_SIZES[spec])
                model = load_model(str(save_mace(network, workdir / f"{spec}.model")))
                model.name = spec
            else:
                model = load_model(spec)
            for n in args.sizes:
                row = benchmark(model, n, args.steps, workdir)
                rows.append(row)
                print(
                    f"{row['model']:>12} {n:4d} H2O: {row['s_per_step']:.3f} s/step, "
                    f"{row['ns_day_molxtal']:.4f} ns/day (plain ASE {row['ns_day_plain_ase']:.4f})"
                    f", {row['outside_model_percent']:.1f}% outside the model",
                    flush=True,
                )
    table = markdown(rows, args.steps, args.conditions)
    write_section(args.out, SECTION, table)
    print(table)


SECTION = "## Molecular dynamics"


def write_section(path: Path, heading: str, table: str) -> None:
    """Replace the section under ``heading`` in ``path`` (up to the next ``## ``) by ``table``."""
    text = path.read_text() if path.exists() else "# Performance\n"
    start = text.find(heading)
    end = text.find("\n## ", start + 1) if start >= 0 else -1
    body = f"{heading} (`benchmarks/md.py`)\n\n{table.split(chr(10), 1)[1].lstrip()}"
    if start < 0:
        text = text.rstrip() + "\n\n" + body
    else:
        text = text[:start] + body.rstrip() + "\n" + (text[end:] if end >= 0 else "")
    with atomic_write(path) as handle:
        handle.write(text)


if __name__ == "__main__":
    main()
