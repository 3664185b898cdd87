"""Force-constant stage of molxtal against (a) phonopy + a plain ASE loop and (b) ase.phonons.

    PYTHONPATH=src python benchmarks/phonons.py --supercell 2 --models chgnet mace-small

Each method runs in its own subprocess (so that peak memory, ru_maxrss, is its own) on the
DMC-ICE13 ice Ih cell, with the same model and dtype (float64). Methods: ``molxtal-systematic``
(the default of ``molxtal phonons``: phonopy's ± 0.01 Å through the checkpointed force stage),
``molxtal-hessian`` (analytic rows; MACE only), ``molxtal-random`` (all atoms displaced by
1e-5 Å, symfc fit; opt-in), ``plain`` (a: systematic ± 0.01 Å, one ASE call per supercell) and
``ase`` (b: ``ase.phonons.Phonons``, 0.01 Å). Printed: force calls, wall time of the
force-constant stage (s), its ratio to each reference, peak memory (MiB), and the largest
band-path frequency difference (cm⁻¹) to (a) on the path GAMMA-A-K-H-M-L-GAMMA.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

PATH = "GAMMA-A-K-H-M-L-GAMMA"
DISPLACEMENT = 0.01


def load(model_name: str, workdir: Path):
    from molxtal.models import load_model

    channels = {"mace-small": 64, "mace-tiny": 16}.get(model_name)
    if channels:  # L=0, random weights: timing only
        from molxtal.models.mace import build_random_mace, save_mace

        network = build_random_mace(["H", "O"], r_max=5.0, channels=channels)
        return load_model(str(save_mace(network, workdir / "m.model")))
    return load_model(model_name)


def plain_calculator(model):
    """The calculator a user drives by hand: chgnet's own ``CHGNetCalculator`` (task ``efsm``
    on every call) on the same float64 network, MACE's ``MACECalculator`` as loaded."""
    if model.family == "CHGNet":
        from chgnet.model import CHGNetCalculator

        return CHGNetCalculator(model.calculator.inner.model)
    return model.calculator


def band_qpoints(atoms) -> np.ndarray:
    from phonopy.phonon.band_structure import get_band_qpoints

    from molxtal.workflows.phonons import parse_path

    segments, _ = parse_path(PATH, np.array(atoms.cell))
    return np.concatenate(get_band_qpoints(segments, 21))


def run_method(method: str, model_name: str, n: int, workdir: Path) -> dict:
    """Time one method; returns wall time (s) and band-path frequencies (cm⁻¹)."""
    from ase import units
    from phonopy import Phonopy

    from molxtal.data.dmc_ice13 import polymorph
    from molxtal.workflows import force_constants as ph

    atoms = polymorph("Ih")
    model = load(model_name, workdir)
    qpoints = band_qpoints(atoms)
    calculator = plain_calculator(model)
    t0 = time.perf_counter()
    if method.startswith("molxtal"):
        kind = method.split("-")[1]
        settings = ph.DisplacementSettings(ph.supercell_matrix([n, n, n]), method=kind)
        run = ph.run_force_constants(atoms, model, settings, workdir / "ck")
        phonon = run.phonon
        n_calls = run.force_sets.n_computed
        if kind == "hessian":
            n_calls = f"Hessian ({3 * len(phonon.primitive)} rows)"
        method = f"molxtal ({kind})"
    elif method == "plain":
        phonon = Phonopy(
            ph.to_phonopy_atoms(atoms), supercell_matrix=np.eye(3) * n, primitive_matrix="P"
        )
        phonon.generate_displacements(distance=DISPLACEMENT, is_plusminus=True)
        forces = []
        for cell in phonon.supercells_with_displacements:
            work = ph.to_ase_atoms(cell)
            work.calc = calculator
            forces.append(work.get_forces())
        phonon.forces = forces
        phonon.produce_force_constants()
        phonon.symmetrize_force_constants()
        n_calls = len(forces)
    else:
        from ase.phonons import Phonons

        phonons = Phonons(
            atoms,
            calculator,
            supercell=(n, n, n),
            delta=DISPLACEMENT,
            name=str(workdir / "ase"),
        )
        phonons.run()
        phonons.read(acoustic=True)
        n_calls = 6 * len(atoms) + 1
    wall = time.perf_counter() - t0
    if method == "ase":
        frequencies = phonons.band_structure(qpoints) / units.invcm
    else:
        phonon.run_qpoints(qpoints)
        frequencies = phonon.get_qpoints_dict()["frequencies"] * ph.FREQUENCY_UNITS["cm-1"]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "method": method,
        "wall_s": wall,
        "peak_MiB": peak,
        "calls": n_calls,
        "frequencies": frequencies.tolist(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--supercell", type=int, default=2, help="n for an n×n×n supercell")
    parser.add_argument("--models", nargs="+", default=["chgnet", "mace-small"])
    parser.add_argument(
        "--methods", nargs="+", default=["molxtal-systematic", "molxtal-hessian", "plain", "ase"]
    )
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        method, model_name, out = args.child
        with tempfile.TemporaryDirectory() as tmp:
            result = run_method(method, model_name, args.supercell, Path(tmp))
        Path(out).write_text(json.dumps(result))
        return
    rows = []
    for model_name in args.models:
        results = {}
        for method in args.methods:
            if method == "molxtal-hessian" and not model_name.startswith("mace"):
                continue
            with tempfile.NamedTemporaryFile(suffix=".json") as out:
                command = [sys.executable, __file__, "--supercell", str(args.supercell)]
                subprocess.run([*command, "--child", method, model_name, out.name], check=True)
                results[method] = json.loads(Path(out.name).read_text())
        reference = np.array(results["plain"]["frequencies"]) if "plain" in results else None
        for r in results.values():
            diff = (
                float(np.abs(np.sort(r["frequencies"], axis=1) - np.sort(reference, axis=1)).max())
                if reference is not None
                else float("nan")
            )
            speedups = [
                results[ref]["wall_s"] / r["wall_s"] if ref in results else float("nan")
                for ref in ("plain", "ase")
            ]
            rows.append(
                (model_name, r["method"], r["calls"], r["wall_s"], *speedups, r["peak_MiB"], diff)
            )
    n = args.supercell
    print(f"\nice Ih (DMC-ICE13, 36 atoms), {n}x{n}x{n} supercell ({36 * n**3} atoms), float64")
    print(
        "| model | method | force calls | wall (s) | speed-up vs (a) | speed-up vs (b) "
        "| peak RSS (MiB) | max band-path |Δν| to (a) (cm⁻¹) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for model_name, method, calls, wall, vs_a, vs_b, peak, diff in rows:
        print(
            f"| {model_name} | {method} | {calls} | {wall:.1f} | {vs_a:.2f} | {vs_b:.2f} "
            f"| {peak:.0f} | {diff:.3g} |"
        )


if __name__ == "__main__":
    main()
