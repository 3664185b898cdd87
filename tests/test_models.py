"""Models: loading, physical consistency of forces and stress, dispersion, coverage, errors."""

from __future__ import annotations

import socket
import time

import numpy as np
import pytest
from ase import Atoms
from ase.build import bulk, molecule
from ase.calculators.emt import EMT

from molxtal.data import dmc_ice13
from molxtal.errors import MolxtalError
from molxtal.models import CATALOGUE, D3Settings, PeriodicBoxCalculator, load_model
from molxtal.models.mace import foundation_cache_path
from molxtal.structures import water_dimer, water_molecule


def finite_difference_forces(atoms, calc, indices, delta=1e-4):
    """Central differences -dE/dx for the (atom, axis) pairs in ``indices``."""
    result = []
    for atom, axis in indices:
        energies = []
        for sign in (1, -1):
            displaced = atoms.copy()
            displaced.positions[atom, axis] += sign * delta
            displaced.calc = calc
            energies.append(displaced.get_potential_energy())
        result.append(-(energies[0] - energies[1]) / (2 * delta))
    return np.array(result)


def finite_difference_stress(atoms, calc, components, eps=1e-5):
    """sigma_ij = (1/V) dE/d(eps_ij) by symmetric strains of the cell (atoms scaled)."""
    result = []
    for i, j in components:
        energies = []
        for sign in (1, -1):
            strain = np.eye(3)
            strain[i, j] += sign * eps / (1 if i == j else 2)
            strain[j, i] += 0 if i == j else sign * eps / 2
            strained = atoms.copy()
            strained.set_cell(atoms.cell @ strain, scale_atoms=True)
            strained.calc = calc
            energies.append(strained.get_potential_energy())
        scale = 1 if i == j else 2
        result.append((energies[0] - energies[1]) / (2 * eps) / atoms.get_volume() / scale)
    return np.array(result)


VOIGT = {(0, 0): 0, (1, 1): 1, (2, 2): 2, (1, 2): 3, (0, 2): 4, (0, 1): 5}


def check_forces_and_stress(model, atoms, atol_force=1e-4, rtol_stress=1e-3):
    work = model.attach(atoms)
    forces = work.get_forces()
    stress = work.get_stress()
    picks = [(0, 0), (1, 2), (5, 1)]
    fd = finite_difference_forces(atoms, model.calculator, picks)
    analytic = np.array([forces[a, x] for a, x in picks])
    np.testing.assert_allclose(analytic, fd, atol=atol_force)
    comps = [(0, 0), (2, 2), (0, 1)]
    fd_stress = finite_difference_stress(atoms, model.calculator, comps)
    np.testing.assert_allclose(
        [stress[VOIGT[c]] for c in comps], fd_stress, rtol=rtol_stress, atol=1e-6
    )


def test_chgnet_loads_offline_with_consistent_forces_and_stress(chgnet, data_dir):
    assert chgnet.sha256 and len(chgnet.sha256) == 64
    assert chgnet.dtype == "float64" and chgnet.periodic_only
    check_forces_and_stress(chgnet, dmc_ice13.polymorph("XI"))


def test_tiny_mace_file_loads_by_path_with_consistent_forces_and_stress(tiny_mace, data_dir):
    assert tiny_mace.family == "MACE" and tiny_mace.elements == {"H", "C", "N", "O"}
    check_forces_and_stress(tiny_mace, dmc_ice13.polymorph("XI"))


def test_chgnet_forces_only_skips_the_stress_and_equals_chgnets_own_calculator(chgnet, data_dir):
    from chgnet.model import CHGNetCalculator

    ours, theirs = dmc_ice13.polymorph("XI"), dmc_ice13.polymorph("XI")
    ours.calc, theirs.calc = chgnet.calculator, CHGNetCalculator(chgnet.calculator.inner.model)
    with chgnet.forces_only():
        forces = ours.get_forces()
    assert "stress" not in chgnet.calculator.inner.results  # the ef task ran, not efs
    np.testing.assert_array_equal(forces, theirs.get_forces())
    ours.positions[0, 0] += 0.01
    ours.get_forces()  # by default the stress comes in the same pass, as with chgnet's own
    assert "stress" in chgnet.calculator.inner.results
    ours.positions[0, 0] -= 0.01
    assert ours.get_potential_energy() == theirs.get_potential_energy()
    np.testing.assert_array_equal(ours.get_stress(), theirs.get_stress())


def test_float32_and_float64_chgnet_share_a_process(chgnet, data_dir):
    """CHGNet builds graphs in a module-level precision: loading a float32 model must not
    change what the float64 one computes (float32 carries ~7 digits: ~1e-4 eV/Å here)."""
    from molxtal.models import load_model

    crystal = dmc_ice13.polymorph("XI")
    before = chgnet.attach(crystal.copy()).get_forces()
    single = load_model("chgnet", dtype="float32")
    forces32 = single.attach(crystal.copy()).get_forces()
    chgnet.calculator.reset()  # compute again, not the cached result
    np.testing.assert_array_equal(chgnet.attach(crystal.copy()).get_forces(), before)
    np.testing.assert_allclose(forces32, before, atol=1e-3)
    assert np.abs(forces32 - before).max() > 0  # it did run in float32


def test_vacuum_box_does_not_change_a_molecule(chgnet):
    inner = chgnet.calculator.inner
    results = []
    for vacuum in (10.0, 16.0):
        atoms = water_dimer()
        atoms.calc = PeriodicBoxCalculator(inner, vacuum=vacuum)
        results.append((atoms.get_potential_energy(), atoms.get_forces()))
    assert results[0][0] == pytest.approx(results[1][0], abs=1e-8)
    np.testing.assert_allclose(results[0][1], results[1][1], atol=1e-8)


def test_d3_binds_the_water_dimer_with_consistent_forces():
    d3 = load_model("ase.calculators.emt:EMT", dispersion=D3Settings())
    dimer = water_dimer()
    from molxtal.models.dispersion import d3_calculator

    calc = d3_calculator(D3Settings())
    dimer.calc = calc
    e_dimer = dimer.get_potential_energy()
    monomers = [dimer[:3].copy(), dimer[3:].copy()]
    e_monomers = 0.0
    for monomer in monomers:
        monomer.calc = calc
        e_monomers += monomer.get_potential_energy()
    assert e_dimer < 0 and e_dimer - e_monomers < 0  # attractive, also between the molecules
    forces = dimer.get_forces()
    fd = finite_difference_forces(water_dimer(), calc, [(0, 0), (3, 1), (5, 2)], delta=1e-4)
    np.testing.assert_allclose([forces[0, 0], forces[3, 1], forces[5, 2]], fd, atol=1e-5)
    # and it is added to the model: EMT + D3 = EMT + D3 alone
    emt = water_dimer()
    emt.calc = EMT()
    summed = d3.attach(water_dimer())
    assert summed.get_potential_energy() == pytest.approx(emt.get_potential_energy() + e_dimer)
    assert d3.dispersion["damping"] == "bj" and d3.dispersion["functional"] == "pbe"


def test_element_not_covered_is_a_clear_error(tiny_mace):
    with pytest.raises(MolxtalError, match="element.*Si.*not cover"):
        tiny_mace.check_elements(bulk("Si"), "si.cif")


def test_plugin_calculator_with_kwargs():
    model = load_model("ase.calculators.lj:LennardJones", model_kwargs={"sigma": 2.0})
    assert model.calculator.parameters.sigma == 2.0
    atoms = model.attach(Atoms("Ar2", positions=[(0, 0, 0), (0, 0, 2 ** (1 / 6) * 2.0)]))
    # LJ minimum -epsilon, minus the energy at ASE's default cutoff rc = 3 sigma (shifted LJ)
    shift = 4 * ((1 / 3) ** 12 - (1 / 3) ** 6)
    assert atoms.get_potential_energy() == pytest.approx(-1.0 - shift, abs=1e-9)


@pytest.mark.parametrize("spec", ["no-such-model", "missing_module_xyz:factory"])
def test_unknown_models_are_clear_errors(spec):
    with pytest.raises(MolxtalError, match="unknown model|cannot import"):
        load_model(spec)


def _online() -> bool:
    try:
        socket.create_connection(("github.com", 443), timeout=3).close()
        return True
    except OSError:
        return False


def test_foundation_model_offline_fails_fast_with_instructions():
    if foundation_cache_path("mace-mp", "medium").is_file() or _online():
        pytest.skip("mace-mp-0-medium is cached or the network is reachable")
    start = time.perf_counter()
    with pytest.raises(MolxtalError) as info:
        load_model("mace-mp-0-medium")
    assert time.perf_counter() - start < 30
    message = str(info.value)
    assert "github.com" in message and "--model /path/to/file.model" in message
    assert "\n" not in message


def test_catalogue_marks_chgnet_offline():
    assert CATALOGUE["chgnet"].available_offline()
    assert {"mace-mp-0-small", "mace-mp-0-medium", "mace-mp-0-large"} <= set(CATALOGUE)
    assert {"mace-off23-small", "mace-off23-medium", "mace-off23-large"} <= set(CATALOGUE)


def test_molecule_without_cell_works_with_chgnet(chgnet):
    atoms = chgnet.attach(molecule("CH4"))
    assert np.isfinite(atoms.get_potential_energy())
    np.testing.assert_allclose(atoms.get_forces().sum(axis=0), 0, atol=1e-4)  # Newton's 3rd law
    with pytest.raises(MolxtalError, match="stress is not defined"):
        chgnet.attach(water_molecule()).get_stress()
