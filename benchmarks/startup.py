"""Start-up time of the CLI: ``molxtal --help`` and ``molxtal <command> --help``.

Each is run ``--repeat`` times in a fresh subprocess (``python -m molxtal``, the interpreter
running this script); prints the median wall time per command and PASS/FAIL against the
``--limit`` (1 s: heavy libraries such as torch, ASE and phonopy must be imported only when a
command runs). Exit status 1 if any command fails the limit.

    PYTHONPATH=src python benchmarks/startup.py [--repeat 5] [--limit 1.0]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def commands() -> list[list[str]]:
    """Every command path of the app: ``[]`` (the app), ``["relax"]``, ``["data", "list"]``..."""
    import click
    import typer

    from molxtal.cli.app import app

    paths: list[list[str]] = []

    def walk(command: click.Command, path: list[str]) -> None:
        paths.append(path)
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return paths


def wall_time_s(args: list[str]) -> float:
    """Wall time (s) of ``python -m molxtal ARGS`` in a fresh process; fails on a non-zero exit."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "molxtal", *args], check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per command (median)")
    parser.add_argument("--limit", type=float, default=1.0, help="pass limit in seconds")
    options = parser.parse_args()
    failed = 0
    print(f"{'command':36s} {'median (s)':>10s} {'max (s)':>8s}")
    for path in commands():
        times = [wall_time_s([*path, "--help"]) for _ in range(options.repeat)]
        median = statistics.median(times)
        verdict = "PASS" if median < options.limit else "FAIL"
        failed += verdict == "FAIL"
        label = " ".join(["molxtal", *path, "--help"])
        print(f"{label:36s} {median:10.2f} {max(times):8.2f}  {verdict}")
    print(f"{failed} command(s) at or above {options.limit} s (median of {options.repeat} runs)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
