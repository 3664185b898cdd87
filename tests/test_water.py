"""Water: geometry definitions on constructed molecules, mode assignment, reference data."""

import csv
import json

import numpy as np
import pytest
from ase import Atoms
from typer.testing import CliRunner

from molxtal.analysis.water import assign_monomer_modes, dimer_geometry, monomer_geometry
from molxtal.cli.app import app
from molxtal.data import water as ref
from molxtal.models import load_model
from molxtal.structures import water_molecule
from molxtal.workflows.water import binding_curve


def constructed_dimer(r_oo, alpha, beta, theta_a, theta_d, r_oh=0.96, acceptor_first=False):
    """A dimer built from its internal coordinates (Å, degrees), donor in the xy plane."""
    a, b, ta, td = np.radians([alpha, beta, theta_a, theta_d])
    o_d, o_a = np.zeros(3), np.array([r_oo, 0.0, 0.0])
    donor = [o_d, r_oh * np.array([np.cos(a), np.sin(a), 0]),
             r_oh * np.array([np.cos(a + td), np.sin(a + td), 0])]  # fmt: skip
    bisector = np.array([-np.cos(b), 0.0, np.sin(b)])  # angle b with O_a→O_d = −x
    normal = np.array([0.0, 1.0, 0.0])
    acceptor = [o_a] + [
        o_a + r_oh * (np.cos(ta / 2) * bisector + s * np.sin(ta / 2) * normal) for s in (1, -1)
    ]
    parts = (acceptor, donor) if acceptor_first else (donor, acceptor)
    return Atoms("OH2OH2", positions=np.vstack(parts[0] + parts[1]))


@pytest.mark.parametrize("acceptor_first", [False, True])
def test_dimer_angles_on_a_constructed_dimer(acceptor_first):
    atoms = constructed_dimer(2.912, 5.5, 124.4, 104.87, 104.83, acceptor_first=acceptor_first)
    geometry = dimer_geometry(atoms)
    expected = dict(r_OO_angstrom=2.912, alpha_deg=5.5, beta_deg=124.4, theta_a_deg=104.87,
                    theta_d_deg=104.83)  # fmt: skip
    for key, value in expected.items():
        assert geometry.values()[key] == pytest.approx(value, abs=1e-9), key
    donor_o = 3 if acceptor_first else 0
    assert geometry.donor[0] == donor_o and geometry.bonded_hydrogen == donor_o + 1


def test_monomer_geometry():
    assert monomer_geometry(water_molecule(0.97, 103.0)) == pytest.approx((0.97, 103.0))


def test_mode_assignment_uses_vectors_not_order():
    atoms = water_molecule()
    o, h1, h2 = atoms.positions
    u1, u2 = (h1 - o) / np.linalg.norm(h1 - o), (h2 - o) / np.linalg.norm(h2 - o)
    bend1, bend2 = u2 - np.dot(u2, u1) * u1, u1 - np.dot(u1, u2) * u2  # H's towards each other
    sym = np.array([np.zeros(3), u1, u2])
    asym = np.array([np.zeros(3), u1, -u2])
    bend = np.array([np.zeros(3), bend1, bend2])
    rng = np.random.default_rng(0)
    modes = np.array([asym, sym, bend]) + 0.05 * rng.normal(size=(3, 3, 3))  # some mixing
    # Given in the order asym, sym, bend, with frequencies that sort them differently.
    assert assign_monomer_modes(atoms, modes, np.array([100.0, 200.0, 300.0])) == (
        200.0, 300.0, 100.0,
    )  # fmt: skip


def test_typed_references_match_the_thesis_reference_rows():
    thesis = ref.thesis_monomer("Reference")
    for key, value in ref.MONOMER_REFERENCE.items():
        assert thesis[key] == pytest.approx(value)
    # The thesis's "Expt." ZPE is ½ Σω of the reference frequencies (0.5842 eV, printed 0.585).
    assert thesis["zpe_eV"] == pytest.approx(
        0.5 * sum(thesis["frequencies_cm-1"]) / 8065.54, abs=1e-3
    )
    assert ref.thesis_monomer("small")["zpe_eV"] == pytest.approx(0.561)
    dimer = ref.thesis_dimer("Reference")
    for key, value in ref.DIMER_GEOMETRY_REFERENCE.items():
        assert dimer[key] == pytest.approx(value)
    assert dimer["frequencies_cm-1"] == pytest.approx(ref.DIMER_FREQUENCIES_REFERENCE)
    assert dimer["zpe_eV"] == ref.DIMER_ZPE_REFERENCE_EV
    assert ref.thesis_dimer("MACE-ICE13-1")["zpe_eV"] == pytest.approx(1.218)
    assert ref.thesis_label("MACE-MP-0-medium") == "medium" and ref.thesis_label("chgnet") is None


def test_water_monomer_command(tmp_path):
    out = tmp_path / "out"
    run = CliRunner().invoke(app, ["water", "monomer", "--fmax", "1e-6", "-o", str(out)])
    assert run.exit_code == 0, run.output
    data = json.loads((out / "results.json").read_text())
    omega = data["frequencies_cm-1"]
    # ω2 (bend) is the lowest; ZPE is ½ Σ ħω over the three modes.
    assert omega[1] < min(omega[0], omega[2])
    assert data["zpe_eV"] == pytest.approx(0.5 * sum(omega) / 8065.54, rel=1e-4)
    assert 0.9 < data["r_OH_angstrom"] < 1.05 and 95 < data["angle_HOH_deg"] < 115
    assert (out / "frequency_errors.png").stat().st_size > 0


@pytest.mark.slow  # ~1 min of CPU: two dimer relaxations with CHGNet
def test_binding_curve_dissociation_limit():
    result = binding_curve([load_model("chgnet")], distances=(2.9, 6.0), fmax=1e-2, steps=200)
    (curve,) = result.curves.values()
    # Two molecules 6 Å apart barely interact: ΔE → 0 within 5 meV; bound at 2.9 Å.
    assert abs(curve.binding_energy_eV[-1]) < 5e-3
    assert curve.binding_energy_eV[0] < -0.1


EMT_SPEC = "ase.calculators.emt:EMT"  # ASE's EMT as a plug-in model: deterministic and fast


@pytest.mark.parametrize(
    ("step", "command"), [("water-monomer", "monomer"), ("water-dimer", "dimer")]
)
def test_study_step_and_command_write_the_same_numbers(step, command, tmp_path):
    """The study's step and ``molxtal water <command>`` with the profile's settings write the
    same results.json and CSV table, and the report's table is the command's table."""
    from molxtal.io import read_json, to_jsonable
    from molxtal.study.profiles import TEST
    from molxtal.study.steps import STEPS

    p = TEST[step]
    stored = STEPS[step].compute(load_model(EMT_SPEC), p, tmp_path / "step")
    out = tmp_path / "command"
    options = [f"--{key}={p[key]}" for key in ("fmax", "steps", "delta", "nfree")]
    run = CliRunner().invoke(
        app,
        ["water", command, "--model", EMT_SPEC, *options, "--cache", str(tmp_path / "fd"),
         "-o", str(out)],
    )  # fmt: skip
    # Exit status 2 (results written) exactly when the relaxation did not converge.
    assert run.exit_code == (0 if stored["relaxation"]["converged"] else 2), run.output
    written = read_json(out / "results.json")
    assert written == read_json(tmp_path / "step" / "results.json")
    assert to_jsonable({k: v for k, v in stored.items() if k != "figures"}) == written
    csv_name = f"water_{command}.csv"
    assert (out / csv_name).read_text() == (tmp_path / "step" / csv_name).read_text()
    assert sorted(stored["figures"]) == sorted(f.name for f in out.glob("*.png"))
    columns, rows = STEPS[step].table({EMT_SPEC: read_json(tmp_path / "step" / "results.json")}, p)
    with open(out / csv_name, newline="", encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    assert table == [columns, *rows]
