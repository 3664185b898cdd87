"""Ice Ih phonons: molxtal's default against phonopy driven by a plain loop, per supercell size.

    OMP_NUM_THREADS=1 PYTHONPATH=src python benchmarks/phonons.py --sizes 2 3 4 \\
        --models so3lr chgnet --out bench-phonons

Each (model, size, method) runs in its own subprocess (peak memory, ru_maxrss, is its own) on
the DMC-ICE13 ice Ih cell (36 atoms, P1) with the model in float64 (``--models chgnet@float32``:
in float32). Methods:

- ``molxtal``: ``molxtal.workflows.force_constants.run_force_constants`` with its defaults
  (``--displacements auto``: the cost model picks systematic or random), fresh checkpoints;
  ``molxtal-random``: the same with ``--displacements random`` (no fallback);
- ``plain``: phonopy's systematic ± 0.01 Å displacements (216 supercells), one call of the
  model's own ASE calculator per supercell (chgnet's ``CHGNetCalculator``, task ``efsm``), then
  phonopy's finite-difference fit and ``symmetrize_force_constants``;
- ``plain-sample``: the same loop timed on ``--sample`` of its supercells and extrapolated to
  all of them (sizes ≥ ``--extrapolate-from``, where the full loop takes hours).

Each child saves its compact force constants (``.npy``) and a ``.json`` with wall time (s),
peak RSS (MiB), force calls and, for molxtal, the method, fit time and held-out force error.
The parent compares every molxtal run with the plain loop of the same model and size (or, where
the plain loop was only sampled, with the plain loop of the largest size run in full): ZPE,
F(300 K) per mole of molecules, C_v at 50/100/200/300 K, and band-frequency RMS and max
differences on GAMMA-A-K-H-M-L-GAMMA; it prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

PATH = "GAMMA-A-K-H-M-L-GAMMA"
DISPLACEMENT = 0.01
MESH = (8, 8, 8)
CV_TEMPERATURES_K = (50, 100, 200, 300)
MOLECULES = 12


def load(model_name: str, workdir: Path):
    """The model named ``model_name``; ``name@float32`` loads it in float32 (CHGNet at 4×4×4
    does not fit in 24 GiB in float64)."""
    from molxtal.models import load_model

    model_name, _, dtype = model_name.partition("@")
    dtype = dtype or "float64"
    channels = {"mace-small": 64, "mace-tiny": 16}.get(model_name)
    if channels:  # L=0, random weights: a smooth second check
        from molxtal.models.mace import build_random_mace, save_mace

        network = build_random_mace(["H", "O"], r_max=5.0, channels=channels)
        return load_model(str(save_mace(network, workdir / "m.model", dtype)), dtype=dtype)
    return load_model(model_name, dtype=dtype)


def plain_calculator(model):
    """The calculator a user drives by hand: chgnet's own ``CHGNetCalculator`` (task ``efsm``
    on every call) on the same float64 network; the model's ASE calculator otherwise."""
    if model.family == "CHGNet":
        from chgnet.model import CHGNetCalculator

        return CHGNetCalculator(model.calculator.inner.model)
    return model.calculator


def ice_phonopy(n: int):
    from phonopy import Phonopy

    from molxtal.data.dmc_ice13 import polymorph
    from molxtal.workflows import force_constants as ph

    atoms = polymorph("Ih")
    phonon = Phonopy(
        ph.to_phonopy_atoms(atoms), supercell_matrix=np.eye(3, dtype=int) * n, primitive_matrix="P"
    )
    return atoms, phonon


def run_plain(model, n: int, sample: int | None) -> dict:
    """Phonopy's systematic ± displacements, one plain calculator call each (``sample``: only
    that many, evenly spread, timed and extrapolated; no force constants then)."""
    from molxtal.workflows import force_constants as ph

    _, phonon = ice_phonopy(n)
    calculator = plain_calculator(model)
    t0 = time.perf_counter()
    phonon.generate_displacements(distance=DISPLACEMENT, is_plusminus=True)
    cells = phonon.supercells_with_displacements
    chosen = range(len(cells)) if sample is None else np.linspace(0, len(cells) - 1, sample)
    forces, call_times = [], []
    for k in sorted({int(round(x)) for x in chosen}):
        t1 = time.perf_counter()
        work = ph.to_ase_atoms(cells[k])
        work.calc = calculator
        forces.append(np.array(work.get_forces()))
        call_times.append(time.perf_counter() - t1)
    record = {"calls": len(cells), "call_s_mean": float(np.mean(call_times))}
    if sample is None:
        phonon.forces = forces
        phonon.produce_force_constants()
        phonon.symmetrize_force_constants()
        record["wall_s"] = time.perf_counter() - t0
        record["fc"] = compact(phonon)
    else:
        record["wall_s"] = len(cells) * record["call_s_mean"]
        record["calls_timed"] = len(call_times)
        record["extrapolated"] = True
    return record


def run_molxtal(model, n: int, workdir: Path, method: str = "auto") -> dict:
    from molxtal.workflows import force_constants as ph

    atoms, _ = ice_phonopy(n)
    settings = ph.DisplacementSettings(ph.supercell_matrix([n, n, n]), method=method)
    t0 = time.perf_counter()
    run = ph.run_force_constants(atoms, model, settings, workdir / "checkpoints")
    wall = time.perf_counter() - t0
    fc = run.force_constants
    return {
        "wall_s": wall,
        "calls": run.force_calls,
        "method": fc.method,
        "fit_s": run.timings_s.get("force_constants"),
        "holdout_force_error": fc.holdout_error,
        "choice": fc.choice,
        "sidedness": None if fc.fit is None else fc.fit.sidedness.to_dict(),
        "rounds": None if fc.fit is None else [vars(r) for r in fc.fit.rounds],
        "cutoff_angstrom": fc.cutoff_angstrom,
        "fc": compact(run.phonon),
    }


def compact(phonon) -> np.ndarray:
    """Compact force constants (N_prim, N_super, 3, 3) of ``phonon``."""
    from phonopy.harmonic.force_constants import full_fc_to_compact_fc

    fc = phonon.force_constants
    if fc.shape[0] == fc.shape[1]:
        return full_fc_to_compact_fc(phonon.primitive, fc)
    return fc


def properties(n: int, fc: np.ndarray) -> dict:
    """ZPE and F(300 K) (kJ/mol of molecules), C_v (J/(K mol)) and band frequencies (cm⁻¹)."""
    from molxtal.workflows import force_constants as ph
    from molxtal.workflows.phonons import run_bands, run_thermal

    _, phonon = ice_phonopy(n)
    phonon.force_constants = fc
    thermal = run_thermal(phonon, MESH, MOLECULES, t_max=300.0, t_step=50.0)
    bands = run_bands(phonon, PATH, 51)
    return {
        "zpe": thermal.zpe_kJ_per_mol,
        "F300": thermal.at("F_kJ_per_mol", 300.0),
        "cv": [thermal.at("C_v_J_per_K_mol", t) for t in CV_TEMPERATURES_K],
        "bands": np.concatenate(bands.frequencies_THz) * ph.FREQUENCY_UNITS["cm-1"],
    }


def child(method: str, model_name: str, n: int, out: Path, sample: int) -> None:
    workdir = out / f"{model_name}-{n}-{method}.work"
    workdir.mkdir(parents=True, exist_ok=True)
    model = load(model_name, workdir)
    if method.startswith("molxtal"):
        record = run_molxtal(model, n, workdir, method.partition("-")[2] or "auto")
    else:
        record = run_plain(model, n, sample if method == "plain-sample" else None)
    record["peak_MiB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    record["load_average"] = os.getloadavg()
    fc = record.pop("fc", None)
    if fc is not None:
        np.save(out / f"{model_name}-{n}-{method}.npy", fc)
    (out / f"{model_name}-{n}-{method}.json").write_text(json.dumps(record, default=str))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2, 3, 4])
    parser.add_argument("--models", nargs="+", default=["so3lr", "chgnet"])
    parser.add_argument("--methods", nargs="+", default=["molxtal", "plain"])
    parser.add_argument("--extrapolate-from", type=int, default=4, help="sample the plain loop")
    parser.add_argument("--sample", type=int, default=6, help="plain calls timed when sampled")
    parser.add_argument("--out", type=Path, default=Path("bench-phonons"))
    parser.add_argument("--report-only", action="store_true", help="only compare saved runs")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.child:
        method, model_name, n = args.child
        child(method, model_name, int(n), args.out, args.sample)
        return
    for model_name in args.models:
        for n in args.sizes:
            for method in args.methods:
                if method == "plain" and n >= args.extrapolate_from:
                    method = "plain-sample"
                if args.report_only or (args.out / f"{model_name}-{n}-{method}.json").is_file():
                    continue
                command = [sys.executable, __file__, "--out", str(args.out)]
                command += ["--sample", str(args.sample), "--child", method, model_name, str(n)]
                subprocess.run(command, check=True)
    report(args)


def report(args) -> None:
    print(
        "ice Ih (DMC-ICE13, 36 atoms, P1), float64 unless @float32; loads: see the .json "
        f"files in {args.out}"
    )
    print(
        "| model | supercell | method | calls | wall (s) | speed-up | peak RSS (MiB) | "
        "held-out error | ΔZPE | ΔF(300 K) | ΔC_v 50/100/200/300 K (%) | band RMS / max "
        "(cm⁻¹) | reference |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for model_name in args.models:
        # a float32 run is compared with the float64 plain loop where it has none of its own
        reference_model = model_name
        if not any(args.out.glob(f"{model_name}-*-plain*.json")):
            reference_model = model_name.partition("@")[0]
        full = [n for n in args.sizes if (args.out / f"{reference_model}-{n}-plain.npy").is_file()]
        for n, variant in [(n, v) for n in args.sizes for v in ("molxtal", "molxtal-random")]:
            mine = args.out / f"{model_name}-{n}-{variant}"
            plain = args.out / f"{reference_model}-{n}-plain"
            if not plain.with_suffix(".json").is_file():
                plain = args.out / f"{reference_model}-{n}-plain-sample"
            if not mine.with_suffix(".json").is_file():
                continue
            m = json.loads(mine.with_suffix(".json").read_text())
            p = None  # no plain run at this size (too long, or it could not run: see the docs)
            if plain.with_suffix(".json").is_file():
                p = json.loads(plain.with_suffix(".json").read_text())
            reference_n = n if plain.with_suffix(".npy").is_file() else max(full, default=None)
            cells = f"{n}×{n}×{n}"
            diffs = ["-"] * 5
            ref_name = "-"
            if reference_n is not None:
                a = properties(n, np.load(mine.with_suffix(".npy")))
                ref = args.out / f"{reference_model}-{reference_n}-plain.npy"
                b = properties(reference_n, np.load(ref))
                delta = a["bands"] - b["bands"]
                cv = [100 * (x - y) / y for x, y in zip(a["cv"], b["cv"], strict=True)]
                diffs = [
                    f"{a['zpe'] - b['zpe']:+.3f}",
                    f"{a['F300'] - b['F300']:+.3f}",
                    " / ".join(f"{x:+.2f}" for x in cv),
                    f"{np.sqrt((delta**2).mean()):.2f} / {np.abs(delta).max():.2f}",
                ]
                ref_name = f"plain {reference_n}×{reference_n}×{reference_n}"
            error = m.get("holdout_force_error")
            speed_up = "-" if p is None else f"{p['wall_s'] / m['wall_s']:.1f}×"
            print(
                f"| {model_name} | {cells} | molxtal ({m['method']}) | {m['calls']} "
                f"| {m['wall_s']:.0f} | {speed_up} | {m['peak_MiB']:.0f} "
                f"| {'-' if error is None else f'{error:.1e}'} | {' | '.join(diffs[:4])} "
                f"| {ref_name} |"
            )
            if p is not None:
                extrapolated = " (extrapolated)" if p.get("extrapolated") else ""
                print(
                    f"| {reference_model} | {cells} | plain loop | {p['calls']} "
                    f"| {p['wall_s']:.0f}{extrapolated} | 1 | {p['peak_MiB']:.0f} "
                    "| - | - | - | - | - | - |"
                )


if __name__ == "__main__":
    main()
