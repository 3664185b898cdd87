"""Bad inputs, as data: each case is a ``molxtal`` command line that must end in ONE
``Error:`` line, exit status 2, no traceback, and leave the folder it runs in unchanged.

``tests/test_bad_input.py`` runs every case; ``python tests/bad_inputs.py --markdown`` runs
them too and prints the table of ``docs/reliability.md`` (case, what is wrong, message, exit
status, folder unchanged). Cases run in a folder prepared by :func:`prepare` (relative paths),
in-process with typer's ``CliRunner``, with ASE's EMT as a cheap plug-in model.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

EMT = ("--model", "ase.calculators.emt:EMT")


@dataclass(frozen=True)
class Case:
    """``args``: the command line after ``molxtal``; ``expect``: a fragment of the message;
    ``problem``: what is wrong, for the table."""

    id: str
    args: tuple[str, ...]
    expect: str
    problem: str


def _case(id, problem, expect, *args) -> Case:
    return Case(id, tuple(args), expect, problem)


SP = ("singlepoint",)
VIB = ("vibrations", "water.xyz", *EMT, "--out", "out")
RELAX = ("relax", "water.xyz", *EMT, "--out", "out")
PHON = ("phonons", "ice.extxyz", *EMT, "--out", "out", "--checkpoints", "ckpt")
QHA = ("qha", "ice.extxyz", *EMT, "--out", "out", "--checkpoints", "ckpt")
MD = ("md", "ice.extxyz", *EMT, "--out", "out", "--steps", "2")
LABEL = ("label", "frames.extxyz", "--out", "out")

CASES = [
    # ---------------------------------------------------------------- structure files
    _case("missing-file", "structure file does not exist", "file not found",
          *SP, "nothere.xyz", *EMT, "--out", "out"),
    _case("empty-file", "0-byte structure file", "empty.xyz", *SP, "empty.xyz", *EMT),
    _case("garbage-file", "file that is not a structure", "cannot read",
          *SP, "garbage.xyz", *EMT),
    _case("nan-coordinate", "NaN coordinate", "non-finite", *SP, "nan.xyz", *EMT),
    _case("inf-coordinate", "infinite coordinate", "non-finite", *SP, "inf.xyz", *EMT),
    _case("overlapping-atoms", "two atoms 0.1 Å apart", "overlapping", *SP, "overlap.xyz", *EMT),
    _case("periodic-without-cell", "pbc without a cell", "without a full 3D cell",
          *SP, "nocell.extxyz", *EMT),
    # ---------------------------------------------------------------- models
    _case("unknown-model", "model name nobody knows", "unknown model",
          *SP, "water.xyz", "--model", "gpt-potential"),
    _case("plugin-not-importable", "module:function that does not import", "nosuchmodule",
          *SP, "water.xyz", "--model", "nosuchmodule:Calc"),
    _case("model-kwargs-not-json", "--model-kwargs not JSON", "--model-kwargs",
          *SP, "water.xyz", *EMT, "--model-kwargs", "{bad"),
    _case("model-kwargs-not-object", "--model-kwargs a JSON list", "--model-kwargs",
          *SP, "water.xyz", *EMT, "--model-kwargs", "[1, 2]"),
    _case("dtype", "--dtype float16", "float16", *SP, "water.xyz", *EMT, "--dtype", "float16"),
    _case("device", "--device tpu", "tpu", *SP, "water.xyz", *EMT, "--device", "tpu"),
    _case("dispersion", "--dispersion xyz", "xyz", *SP, "water.xyz", *EMT, "--dispersion", "xyz"),
    _case("two-models-one-model-command", "second --model for scan", "one model",
          "scan", "fmax", "water.xyz", *EMT, *EMT),
    _case("element-not-covered", "Si for a MACE model of H, C, N, O", "does not cover",
          *SP, "silicon.extxyz", "--model", "tiny.model"),
    # ---------------------------------------------------------------- output folder
    _case("out-is-a-file", "--out names a file", "is a file",
          *SP, "water.xyz", *EMT, "--out", "afile.txt"),
    _case("out-under-a-file", "--out inside a file", "not writable",
          *SP, "water.xyz", *EMT, "--out", "afile.txt/sub"),
    _case("out-holds-earlier-run", "--out has a run, no --overwrite", "earlier run",
          *SP, "water.xyz", *EMT, "--out", "earlier"),
    # ---------------------------------------------------------------- relax
    _case("relax-fmax-zero", "--fmax 0", "fmax", *RELAX, "--fmax", "0"),
    _case("relax-fmax-nan", "--fmax nan", "fmax", *RELAX, "--fmax", "nan"),
    _case("relax-steps-negative", "--steps -1", "steps", *RELAX, "--steps", "-1"),
    _case("relax-optimizer", "--optimizer FOO", "FOO", *RELAX, "--optimizer", "FOO"),
    _case("relax-fix-not-integer", "--fix 0,x", "--fix", *RELAX, "--fix", "0,x"),
    _case("relax-fix-out-of-range", "--fix 99 (3 atoms)", "99", *RELAX, "--fix", "99"),
    _case("relax-fix-bond-out-of-range", "--fix-bond 0-99", "99",
          *RELAX, "--fix-bond", "0-99"),
    # ---------------------------------------------------------------- vibrations
    _case("vib-delta-zero", "--delta 0", "--delta", *VIB, "--delta", "0"),
    _case("vib-delta-absurd", "--delta 2 Å", "--delta", *VIB, "--delta", "2"),
    _case("vib-delta-nan", "--delta nan", "--delta", *VIB, "--delta", "nan"),
    _case("vib-nfree", "--nfree 3", "--nfree", *VIB, "--nfree", "3"),
    _case("vib-method", "--method foo", "foo", *VIB, "--method", "foo"),
    _case("vib-temperature", "--temperature -5", "--temperature", *VIB, "--temperature", "-5"),
    _case("vib-pressure", "--pressure -1", "--pressure", *VIB, "--pressure", "-1"),
    _case("vib-symmetry-number", "--symmetry-number 0", "--symmetry-number",
          *VIB, "--symmetry-number", "0"),
    _case("vib-spin", "--spin -1", "--spin", *VIB, "--spin", "-1"),
    _case("vib-cache-is-a-file", "--cache names a file", "afile.txt",
          *VIB, "--method", "finite-differences", "--cache", "afile.txt/vib"),
    # ---------------------------------------------------------------- scan
    _case("scan-fmax-not-numbers", "--fmax 'a b'", "--fmax",
          "scan", "fmax", "water.xyz", *EMT, "--fmax", "a b"),
    _case("scan-fmax-negative", "--fmax '1e-3 -1'", "--fmax",
          "scan", "fmax", "water.xyz", *EMT, "--fmax", "1e-3 -1"),
    _case("scan-delta-zero", "--delta '0 1e-3'", "--delta",
          "scan", "delta", "water.xyz", *EMT, "--delta", "0 1e-3"),
    _case("scan-delta-nfree", "--nfree 3", "--nfree", "scan", "delta", "water.xyz", *EMT,
          "--nfree", "3"),
    # ---------------------------------------------------------------- phonons
    _case("phonons-molecule", "molecule without a cell", "crystal",
          "phonons", "water.xyz", *EMT, "--out", "out", "--checkpoints", "ckpt"),
    _case("phonons-supercell-negative", "--supercell -1 1 1", "--supercell",
          *PHON, "--supercell", "-1", "1", "1"),
    _case("phonons-mesh-zero", "--mesh 0 0 0", "--mesh", *PHON, "--mesh", "0", "0", "0"),
    _case("phonons-mass-negative", "--mass H=-1", "--mass", *PHON, "--mass", "H=-1"),
    _case("phonons-mass-element", "--mass Xx=2", "Xx", *PHON, "--mass", "Xx=2"),
    _case("phonons-displacement", "--displacement 5 Å", "--displacement",
          *PHON, "--displacement", "5"),
    _case("phonons-t-max", "--t-max -1", "--t-max", *PHON, "--t-max", "-1"),
    # ---------------------------------------------------------------- thermodynamics
    _case("qha-few-volumes", "--volumes with 2 values", "5 volumes",
          *QHA, "--volumes", "1 1.01"),
    _case("qha-t-step-zero", "--t-step 0", "--t-step", *QHA, "--t-step", "0"),
    _case("qha-supercell-zero", "--supercell 0 1 1", "--supercell",
          *QHA, "--supercell", "0", "1", "1"),
    _case("qha-mesh-zero", "--mesh 0 0 0", "--mesh", *QHA, "--mesh", "0", "0", "0"),
    _case("qha-molecule", "molecule as crystal", "crystal",
          "qha", "water.xyz", *EMT, "--out", "out", "--checkpoints", "ckpt"),
    _case("sublimation-temperatures", "--temperatures 300:0:10", "--temperatures",
          "sublimation", "ice.extxyz", *EMT, "--out", "out", "--checkpoints", "ckpt",
          "--temperatures", "300:0:10"),
    _case("stability-pressures", "--pressures 'a'", "--pressures",
          "stability", "ice.extxyz", "ice.extxyz", *EMT, "--out", "out", "--checkpoints",
          "ckpt", "--pressures", "a"),
    _case("lattice-energy-molecule", "molecule as crystal", "not periodic",
          "lattice-energy", "water.xyz", *EMT, "--out", "out"),
    _case("lattice-energy-gas-missing", "--molecule does not exist", "file not found",
          "lattice-energy", "ice.extxyz", *EMT, "--molecule", "nothere.xyz", "--out", "out"),
    _case("lattice-energy-gas-fmax", "--gas-fmax 0", "fmax",
          "lattice-energy", "ice.extxyz", *EMT, "--gas-fmax", "0", "--out", "out"),
    # ---------------------------------------------------------------- md
    _case("md-timestep-zero", "--timestep 0", "timestep", *MD, "--timestep", "0"),
    _case("md-temperature-negative", "--temperature -1", "temperature",
          *MD, "--temperature", "-1"),
    _case("md-ensemble", "--ensemble foo", "foo", *MD, "--ensemble", "foo"),
    _case("md-stride-zero", "--stride 0", "stride", *MD, "--stride", "0"),
    _case("md-minimise-negative", "--minimise -1", "minimisation", *MD, "--minimise", "-1"),
    _case("md-no-structure", "neither a structure nor --water-box", "STRUCTURE",
          "md", *EMT, "--out", "out", "--steps", "2"),
    _case("md-resume-nothing", "--resume with no run in --out", "checkpoint",
          *MD, "--resume"),
    # ---------------------------------------------------------------- label, evaluate, train
    _case("label-missing-frames", "frames file does not exist", "nothere.extxyz",
          "label", "nothere.extxyz", "--calculator", "ase.calculators.emt:EMT", "--out", "out"),
    _case("label-kwargs-not-json", "--calculator-kwargs not JSON", "--calculator-kwargs",
          *LABEL, "--calculator", "ase.calculators.emt:EMT", "--calculator-kwargs", "{bad"),
    _case("label-unknown-calculator", "--calculator nobody knows", "unknown model",
          *LABEL, "--calculator", "gpt-potential"),
    _case("evaluate-missing-data", "data file does not exist", "nothere.extxyz",
          "evaluate", "nothere.extxyz", *EMT, "--out", "out"),
    _case("evaluate-no-labels", "frames without REF_ labels", "REF_",
          "evaluate", "frames.extxyz", *EMT, "--out", "out"),
    _case("train-missing-data", "training file does not exist", "nothere.extxyz",
          "train", "nothere.extxyz", "--out", "out"),
    # ---------------------------------------------------------------- analyse, sample, data
    _case("analyse-missing-trajectory", "trajectory does not exist", "nothere.extxyz",
          "analyse", "nothere.extxyz", "--out", "out"),
    _case("analyse-bin-width", "--bin-width 0", "--bin-width",
          "analyse", "frames.extxyz", "--frame-interval", "0.1", "--bin-width", "0",
          "--out", "out"),
    _case("analyse-blocks", "--blocks 0", "--blocks",
          "analyse", "frames.extxyz", "--frame-interval", "0.1", "--blocks", "0", "--out", "out"),
    _case("sample-n-frames", "--n-frames 0", "--n-frames",
          "sample", "frames.extxyz", *EMT, "--n-frames", "0", "--out", "out"),
    _case("sample-method", "--method foo", "foo",
          "sample", "frames.extxyz", *EMT, "--method", "foo", "--out", "out"),
    _case("data-unknown-set", "data set nobody knows", "nosuchset", "data", "path", "nosuchset"),
    # ---------------------------------------------------------------- reproduce, report
    _case("report-no-study", "folder without study.json", "study.json", "report", "nostudy"),
    _case("report-corrupt-study", "study.json not JSON", "study.json", "report", "corrupt"),
    _case("report-study-wrong-shape", "study.json of the wrong shape", "study.json",
          "report", "wrongshape"),
    _case("reproduce-profile", "--profile foo", "foo",
          "reproduce", *EMT, "--profile", "foo", "--out", "out"),
    _case("reproduce-executor", "--executor foo", "foo",
          "reproduce", *EMT, "--executor", "foo", "--out", "out"),
    _case("reproduce-scheduler-without-dask", "--scheduler with --executor local", "--scheduler",
          "reproduce", *EMT, "--scheduler", "tcp://x:1", "--out", "out"),
]  # fmt: skip


def prepare(folder: Path, mace_model: Path) -> None:
    """Write the input files the cases name into ``folder``; ``mace_model``: a MACE model file
    of H, C, N, O only (linked as ``tiny.model``)."""
    from ase import Atoms
    from ase.build import bulk
    from ase.io import write

    folder = Path(folder)
    water = Atoms("OH2", [[0, 0, 0], [0.757, 0.586, 0], [-0.757, 0.586, 0]])
    write(folder / "water.xyz", water)
    ice = water.copy()
    ice.set_cell([4.5, 4.5, 4.5])
    ice.pbc = True
    ice.positions += 1.0
    write(folder / "ice.extxyz", ice)
    write(folder / "silicon.extxyz", bulk("Si"))
    frames = [ice.copy() for _ in range(3)]
    for k, frame in enumerate(frames):
        frame.positions[0, 0] += 0.01 * k
    write(folder / "frames.extxyz", frames)
    (folder / "empty.xyz").write_text("")
    (folder / "garbage.xyz").write_text("this is not a structure\n")
    for name, value in (("nan", "nan"), ("inf", "inf")):
        (folder / f"{name}.xyz").write_text(
            f"3\n\nO 0 0 0\nH 0.757 0.586 {value}\nH -0.757 0.586 0\n"
        )
    (folder / "overlap.xyz").write_text("2\n\nO 0 0 0\nO 0 0 0.1\n")
    (folder / "nocell.extxyz").write_text(
        '3\nProperties=species:S:1:pos:R:3 pbc="T T T"\n'
        "O 0 0 0\nH 0.757 0.586 0\nH -0.757 0.586 0\n"
    )
    (folder / "tiny.model").symlink_to(Path(mace_model).resolve())
    (folder / "afile.txt").write_text("a file, not a folder\n")
    (folder / "earlier").mkdir()
    (folder / "earlier" / "results.json").write_text('{"energy_eV": -1.0}\n')
    (folder / "nostudy").mkdir()
    (folder / "corrupt").mkdir()
    (folder / "corrupt" / "study.json").write_text('{"profile": "test", "tasks": [')
    (folder / "wrongshape").mkdir()
    (folder / "wrongshape" / "study.json").write_text('{"profile": "test", "tasks": 3}\n')


def snapshot(folder: Path) -> dict[str, str]:
    """Every file and folder under ``folder``: relative path -> SHA-256 of the content (or
    ``dir``), with the permission bits."""
    found = {}
    for path in sorted(Path(folder).rglob("*")):
        key = str(path.relative_to(folder))
        if path.is_dir():
            found[key] = f"dir {path.stat().st_mode:o}"
        else:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            found[key] = f"{digest} {path.stat().st_mode:o}"
    return found


@dataclass
class Outcome:
    """What a case did: exit status, the ``Error:`` lines, whether a traceback or an
    exception other than the exit escaped, and which paths changed."""

    exit_code: int
    errors: list[str]
    traceback: str | None
    changed: list[str]
    output: str


def run(case: Case, folder: Path) -> Outcome:
    """Run ``case`` in ``folder`` (prepared by :func:`prepare`) and compare snapshots."""
    from typer.testing import CliRunner

    from molxtal.cli.app import app

    before = snapshot(folder)
    with contextlib.chdir(folder):
        result = CliRunner().invoke(app, list(case.args))
    after = snapshot(folder)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    output = result.output
    escaped = result.exception is not None and not isinstance(result.exception, SystemExit)
    if escaped:
        traceback = f"{type(result.exception).__name__}: {result.exception}"
    else:
        traceback = "Traceback in the output" if "Traceback" in output else None
    return Outcome(
        exit_code=result.exit_code,
        errors=[line for line in output.splitlines() if line.startswith("Error:")],
        traceback=traceback,
        changed=changed,
        output=output,
    )


def passes(case: Case, outcome: Outcome) -> bool:
    """One ``Error:`` line naming the problem, exit status 2, no traceback, nothing changed."""
    return (
        outcome.exit_code == 2
        and len(outcome.errors) == 1
        and case.expect in outcome.errors[0]
        and outcome.traceback is None
        and not outcome.changed
    )


def describe(outcome: Outcome) -> str:
    """The message of an outcome: its one ``Error:`` line, else what went wrong instead."""
    if len(outcome.errors) == 1 and not outcome.traceback:
        return outcome.errors[0].removeprefix("Error: ")
    if outcome.traceback:
        return " ".join(f"traceback ({outcome.traceback})".split())[:200]
    return f"no error reported ({len(outcome.errors)} Error: lines)"


def markdown() -> str:
    """The table of every case: command, what is wrong, the message, exit status, and
    whether the folder stayed unchanged."""
    rows = [
        "| # | command | what is wrong | message | exit | folder unchanged |",
        "|---|---|---|---|---|---|",
    ]
    from molxtal.models.mace import build_random_mace, save_mace

    passed = 0
    with tempfile.TemporaryDirectory() as root:
        network = build_random_mace(["H", "C", "N", "O"], r_max=4.0, channels=8, seed=1)
        mace_model = save_mace(network, Path(root) / "tiny-mace.model")
        for number, case in enumerate(CASES, 1):
            folder = Path(root) / case.id
            folder.mkdir()
            prepare(folder, mace_model)
            outcome = run(case, folder)
            message = describe(outcome).replace("|", "\\|")
            passed += passes(case, outcome)
            command = " ".join(a if " " not in a else f"'{a}'" for a in case.args)
            command = command.replace("ase.calculators.emt:EMT", "EMT").replace("|", "\\|")
            unchanged = "yes" if not outcome.changed else "no: " + ", ".join(outcome.changed)
            rows.append(
                f"| {number} | `molxtal {command}` | {case.problem} | {message} | "
                f"{outcome.exit_code} | {unchanged} |"
            )
    rows.append("")
    rows.append(f"{passed} of {len(CASES)} cases: one `Error:` line, exit 2, folder unchanged.")
    return "\n".join(rows)


if __name__ == "__main__":
    if "--markdown" not in sys.argv[1:]:
        sys.exit("usage: python tests/bad_inputs.py --markdown")
    os.environ.setdefault("MPLBACKEND", "Agg")
    print(markdown())
