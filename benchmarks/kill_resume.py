"""Kill-and-resume demonstration for ``phonons``, ``md`` and ``reproduce`` (docs/reliability.md).

Each command runs three times with ASE's EMT (slowed down so that a kill lands mid-run): once
uninterrupted (the reference), once killed with SIGKILL after a number of force calls, then
resumed with the same command line. Printed: force calls of each run (computed), what the
resumed run took from the killed one (loaded), and which result files are byte-identical to
the reference run's. Run: ``PYTHONPATH=src python benchmarks/kill_resume.py``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ase.calculators.emt import EMT

COUNTER = "KILL_RESUME_COUNTER"
#: Files whose bytes legitimately differ between runs (times, dates, process ids).
VOLATILE = {"provenance.json", "molxtal.log", "timings.csv", ".lock"}


class SlowEMT(EMT):
    """EMT that sleeps 20 ms per call and counts it in the file named by $KILL_RESUME_COUNTER."""

    def calculate(self, atoms=None, properties=("energy",), system_changes=()):
        time.sleep(0.02)
        with open(os.environ[COUNTER], "a") as handle:
            handle.write("1\n")
        super().calculate(atoms, properties, system_changes)


def slow_emt() -> SlowEMT:
    return SlowEMT()


def _calls(counter: Path) -> int:
    return len(counter.read_text().splitlines()) if counter.exists() else 0


def run(args: list[str], folder: Path, kill_after: int | None = None) -> tuple[int, int]:
    """Run ``molxtal args`` in ``folder``; SIGKILL it after ``kill_after`` force calls.
    Returns (exit status, force calls)."""
    counter = folder / f"calls-{time.monotonic_ns()}.txt"
    here = Path(__file__).resolve().parent
    env = {**os.environ, COUNTER: str(counter),
           "PYTHONPATH": os.pathsep.join([str(here.parent / "src"), str(here)])}  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "molxtal", *args],
        cwd=folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    while kill_after is not None and process.poll() is None:
        if _calls(counter) >= kill_after:
            os.kill(process.pid, signal.SIGKILL)
            break
        time.sleep(0.01)
    status = process.wait()
    return status, _calls(counter)


def _numbers(path: Path) -> bytes:
    """The bytes that carry results: a study step record's ``values``; else the file."""
    if path.name == "result.json":
        return json.dumps(json.loads(path.read_text())["values"], sort_keys=True).encode()
    return path.read_bytes()


def identical(reference: Path, resumed: Path) -> tuple[list[str], list[str]]:
    """Files (relative) with equal bytes in both folders, and those that differ or are missing
    (for the study's cached steps: equal ``values``)."""
    same, different = [], []
    for path in sorted(reference.rglob("*")):
        if path.is_dir() or path.name in VOLATILE:
            continue
        name = path.relative_to(reference)
        other = resumed / name
        equal = other.is_file() and _numbers(other) == _numbers(path)
        (same if equal else different).append(str(name))
    return same, different


def demo(name: str, args: list[str], out: str, kill_after: int, extra: list[str] = ()) -> None:
    with tempfile.TemporaryDirectory() as root:
        root = Path(root)
        (root / "ref").mkdir()
        (root / "run").mkdir()
        for folder in (root / "ref", root / "run"):
            prepare(folder)
        _, reference_calls = run([*args, "--out", out], root / "ref")
        killed_status, killed_calls = run([*args, "--out", out], root / "run", kill_after)
        status, resumed_calls = run([*args, "--out", out, *extra], root / "run")
        same, different = identical(root / "ref" / out, root / "run" / out)
        print(
            f"{name}: reference {reference_calls} force calls; killed (status {killed_status}) "
            f"after {killed_calls}; resumed (status {status}) with {resumed_calls} "
            f"(= {reference_calls - resumed_calls} saved by the checkpoint); "
            f"{len(same)} result files byte-identical, differing: {different or 'none'}"
        )


def prepare(folder: Path) -> None:
    from ase import Atoms
    from ase.build import bulk
    from ase.io import write

    water = Atoms(
        "OH2", [[1, 1, 1], [1.757, 1.586, 1.1], [0.243, 1.486, 0.9]], cell=[4.5, 4.7, 4.9]
    )
    water.pbc = True
    write(folder / "ice.extxyz", water)
    write(folder / "copper.extxyz", bulk("Cu", cubic=True))


MODEL = ["--model", "kill_resume:slow_emt"]

if __name__ == "__main__":
    demo(
        "phonons",
        [
            "phonons",
            "ice.extxyz",
            *MODEL,
            "--supercell",
            "2",
            "2",
            "2",
            "--checkpoints",
            "checkpoints",
            "--mesh",
            "4",
            "4",
            "4",
        ],
        "out",
        6,
    )
    demo(
        "md",
        [
            "md",
            "copper.extxyz",
            *MODEL,
            "--steps",
            "200",
            "--checkpoint-every",
            "20",
            "--stride",
            "10",
            "--ensemble",
            "nvt",
            "--seed",
            "1",
        ],
        "out",
        90,
        ["--resume"],
    )
    demo("reproduce", ["reproduce", *MODEL, "--profile", "test"], "out", 40)
