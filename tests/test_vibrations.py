"""Vibrations: a harmonic force field with known frequencies, ASE driven directly, and the
analytic Hessians of MACE and CHGNet against converged finite differences."""

import numpy as np
import pytest
from ase import Atoms, units
from ase.vibrations import Vibrations
from harmonic_water import R0, THETA0, harmonic_model, wilson_gf_frequencies

from molxtal.models import load_model
from molxtal.models.mace import build_random_mace, save_mace
from molxtal.structures import water_molecule
from molxtal.units import INVCM_PER_EV
from molxtal.workflows.relax import relax
from molxtal.workflows.vibrations import (
    analyse,
    analytic_hessian,
    is_linear,
    thermochemistry,
    vibrations,
)


@pytest.fixture(scope="module")
def harmonic():
    return harmonic_model()


@pytest.fixture(scope="module")
def chgnet_water():
    model = load_model("chgnet", dtype="float64")
    return model, relax(water_molecule(), model, fmax=1e-8, steps=200).atoms


def test_harmonic_force_field_frequencies_and_zpe(harmonic):
    atoms = water_molecule(R0, np.degrees(THETA0))
    vib = vibrations(atoms, harmonic, "finite-differences", delta=1e-3, nfree=4)
    expected = np.sort(wilson_gf_frequencies())
    assert len(vib.frequencies_cm1) == 3 and not vib.linear
    np.testing.assert_allclose(vib.frequencies_cm1, expected, atol=0.1)
    assert vib.zpe_eV == pytest.approx(0.5 * expected.sum() / INVCM_PER_EV, abs=1e-5)


def test_linear_molecule_has_3n_minus_5_modes():
    atoms = Atoms("CO2", positions=[(0, 0, 0), (0, 0, 1.16), (0, 0, -1.16)])
    assert is_linear(atoms) and not is_linear(water_molecule())
    k = 30.0  # a bare C–O spring along z: two stretches, no bend stiffness
    hessian = np.zeros((9, 9))
    for o in (1, 2):
        i, j = 2, 3 * o + 2
        hessian[np.ix_([i, j], [i, j])] += k * np.array([[1, -1], [-1, 1]])
    from ase.vibrations import VibrationsData

    vib = analyse(VibrationsData.from_2d(atoms, hessian), "analytic")
    assert vib.linear and len(vib.frequencies_cm1) == 4
    m_c, m_o = atoms.get_masses()[:2]
    # Textbook stretches of O=C=O: ω_s = √(k/m_O), ω_as = √(k(1/m_O + 2/m_C)).
    lam = np.array([k / m_o, k * (1 / m_o + 2 / m_c)])
    omega = units._hbar * np.sqrt(lam * units._e / (1e-20 * units._amu)) / units._e * INVCM_PER_EV
    np.testing.assert_allclose(vib.frequencies_cm1[2:], omega, rtol=1e-10)


def test_equals_ase_vibrations_run_directly(chgnet_water, tmp_path):
    model, atoms = chgnet_water
    ours = vibrations(atoms, model, "finite-differences", delta=1e-3, nfree=2, cache_dir=tmp_path)
    direct = atoms.copy()
    direct.calc = model.calculator
    vib = Vibrations(direct, delta=1e-3, nfree=2, name=str(tmp_path / "direct"))
    vib.run()
    reference = np.sort(vib.get_frequencies().real)[-3:]
    np.testing.assert_allclose(ours.frequencies_cm1, reference, atol=0.01)


def test_chgnet_analytic_hessian_matches_finite_differences(chgnet_water):
    model, atoms = chgnet_water
    analytic = vibrations(atoms, model, "analytic")
    fd = vibrations(atoms, model, "finite-differences", delta=1e-3, nfree=4)
    np.testing.assert_allclose(analytic.frequencies_cm1, fd.frequencies_cm1, atol=1.0)
    assert analytic.n_imaginary == 0 and np.all(np.abs(analytic.all_frequencies_cm1[:6]) < 1)


def test_mace_analytic_hessian_matches_finite_differences(tmp_path):
    path = save_mace(build_random_mace(["H", "O"]), tmp_path / "tiny.model")
    model = load_model(str(path))
    atoms = relax(water_molecule(), model, fmax=1e-6, steps=200).atoms
    analytic = vibrations(atoms, model, "analytic")
    fd = vibrations(atoms, model, "finite-differences", delta=1e-4, nfree=4)
    assert len(analytic.frequencies_cm1) == (4 if analytic.linear else 3)
    np.testing.assert_allclose(analytic.frequencies_cm1, fd.frequencies_cm1, atol=1.0)


def test_ideal_gas_thermochemistry_identities(chgnet_water):
    model, atoms = chgnet_water
    vib = analytic_hessian(atoms, model)
    vibration = analyse(vib, "analytic")
    t = 300.0
    thermo = thermochemistry(vibration, -14.0, temperature_K=t, symmetry_number=2)
    kt = units.kB * t
    assert thermo.enthalpy_eV - thermo.internal_energy_eV == pytest.approx(kt, rel=1e-10)
    assert thermo.gibbs_energy_eV == pytest.approx(
        thermo.enthalpy_eV - t * thermo.entropy_eV_per_K, rel=1e-10
    )
    assert thermo.internal_energy_eV > -14.0 + vibration.zpe_eV  # ZPE + thermal motion


def test_vibrations_command_writes_ase_readable_modes(tmp_path):
    """``molxtal vibrations`` on the force field's minimum: Wilson-GF frequencies in
    results.json, and the written VibrationsData reloads in ASE with the same ones."""
    import json

    from ase.vibrations import VibrationsData
    from typer.testing import CliRunner

    from molxtal.cli.app import app

    path, out = tmp_path / "water.xyz", tmp_path / "out"
    water_molecule(R0, np.degrees(THETA0)).write(path)
    run = CliRunner().invoke(
        app,
        ["vibrations", str(path), "--model", "harmonic_water:ValenceForceField",
         "--method", "finite-differences", "--cache", str(tmp_path / "fd"), "-o", str(out)],
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    results = json.loads((out / "results.json").read_text())
    expected = np.sort(wilson_gf_frequencies())
    np.testing.assert_allclose(results["frequencies_cm-1"], expected, atol=0.1)
    assert results["thermochemistry"]["temperature_K"] == 298.15
    (saved,) = out.glob("vibrations-*.json")
    ase_frequencies = np.sort(VibrationsData.read(saved).get_frequencies().real)[-3:]
    np.testing.assert_allclose(ase_frequencies, expected, atol=0.1)
