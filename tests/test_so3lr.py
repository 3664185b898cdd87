"""SO3LR through molxtal: the package's own calculator, finite differences, vacuum, errors."""

from __future__ import annotations

import contextlib
import io
import json

import numpy as np
import pytest
import torch
from ase.build import molecule
from ase.io import read
from typer.testing import CliRunner

from molxtal.cli.app import app
from molxtal.errors import MolxtalError
from molxtal.models import CATALOGUE, load_model
from molxtal.models.so3lr import SO3LR_DEFAULTS, SO3LR_ELEMENTS
from molxtal.structures import water_dimer

pytest.importorskip("so3krates_torch")

VOIGT = {(0, 0): 0, (1, 1): 1, (2, 2): 2, (1, 2): 3, (0, 2): 4, (0, 1): 5}


@pytest.fixture(scope="module")
def so3lr():
    """SO3LR in float64, loaded once for this module."""
    return load_model("so3lr", dtype="float64")


@pytest.fixture(scope="module")
def ice_ih(data_dir):
    """Ice Ih, 12 molecules (36 atoms), from the DMC-ICE13 reference structures."""
    path = data_dir / "dmc_ice13/structures_vasp/Ih/POSCAR"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    return read(path, format="vasp")


@contextlib.contextmanager
def float64_default():
    """so3krates-torch's own calculator builds its inputs in torch's default dtype."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        torch.set_default_dtype(previous)


@pytest.fixture(scope="module")
def package_calculator():
    """The independent reference: so3krates-torch's ``SO3LRCalculator`` with its defaults,
    in float64, computing the stress on every call."""
    from so3krates_torch.calculator.so3 import SO3LRCalculator

    with float64_default(), contextlib.redirect_stdout(io.StringIO()):
        return SO3LRCalculator(default_dtype="float64", compute_stress=True)


def package_results(calculator, atoms) -> dict:
    with float64_default():
        calculator.calculate(atoms.copy(), ["energy", "forces"])
    return dict(calculator.results)


def test_catalogue_lists_so3lr_offline_with_dispersion_and_the_weights_identity(so3lr):
    from molxtal.models.so3lr import so3lr_weights_path

    entry = CATALOGUE["so3lr"]
    assert entry.available_offline() and entry.includes_dispersion and entry.licence == "MIT"
    assert so3lr.family == "SO3LR" and so3lr.dtype == "float64" and not so3lr.periodic_only
    assert so3lr.path == str(so3lr_weights_path()) and len(so3lr.sha256) == 64
    assert so3lr.dispersion is None  # nothing added: the dispersion is the model's own
    assert so3lr.provenance()["long_range_angstrom"] == SO3LR_DEFAULTS


def test_covered_elements_are_those_with_trained_energy_scales(so3lr):
    """The per-element energy scales start at 1 and move only for elements in the training
    data; the model covers exactly those, and refuses the others in one line."""
    from ase.data import chemical_symbols

    network = so3lr.calculator.models[0]
    scales = network.atomic_energy_output_block.energy_scales.weight.detach().cpu().numpy()[0]
    trained = {chemical_symbols[z + 1] for z, scale in enumerate(scales) if scale != 1.0}
    assert trained == SO3LR_ELEMENTS == so3lr.elements
    with pytest.raises(MolxtalError, match="Na.*'so3lr' does not cover"):
        so3lr.attach(molecule("NaCl"))


def test_water_molecule_equals_the_package_calculator(so3lr, package_calculator):
    """A molecule (pbc False, no cell): energy (eV) and forces (eV/Å) to 1e-8 relative."""
    water = molecule("H2O")
    ours = so3lr.attach(water)
    theirs = package_results(package_calculator, water)
    assert ours.get_potential_energy() == pytest.approx(theirs["energy"], rel=1e-8)
    np.testing.assert_allclose(ours.get_forces(), theirs["forces"], rtol=1e-8, atol=1e-12)
    with pytest.raises(MolxtalError, match="stress is not defined"):
        ours.get_stress()


def test_ice_equals_the_package_calculator(so3lr, package_calculator, ice_ih):
    """A periodic cell: energy (eV), forces (eV/Å) and stress (eV/Å³) to 1e-8 relative."""
    default = torch.get_default_dtype()
    ours = so3lr.attach(ice_ih)
    theirs = package_results(package_calculator, ice_ih)
    assert ours.get_potential_energy() == pytest.approx(theirs["energy"], rel=1e-8)
    np.testing.assert_allclose(ours.get_forces(), theirs["forces"], rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(ours.get_stress(), theirs["stress"], rtol=1e-8, atol=1e-14)
    assert torch.get_default_dtype() == default  # molxtal's calls restore torch's default


def test_stress_is_the_strain_derivative_of_the_energy(so3lr, ice_ih):
    """sigma_ij = (1/V) dE/d(eps_ij), by central differences of symmetric strains of 1e-5
    (atoms scaled with the cell), for all six components, to 1e-4 relative."""
    stress = so3lr.attach(ice_ih).get_stress()
    eps, volume = 1e-5, ice_ih.get_volume()
    for (i, j), voigt in VOIGT.items():
        energies = []
        for sign in (1, -1):
            strain = np.eye(3)
            strain[i, j] += sign * eps / 2
            strain[j, i] += sign * eps / 2
            strained = so3lr.attach(ice_ih)
            strained.set_cell(ice_ih.cell @ strain, scale_atoms=True)
            energies.append(strained.get_potential_energy())
        # for i != j the symmetric strain moves both eps_ij and eps_ji: dE = 2 sigma_ij V eps/2
        derivative = (energies[0] - energies[1]) / (2 * eps) / volume
        assert stress[voigt] == pytest.approx(derivative, rel=1e-4), (i, j)


def test_forces_only_skips_the_stress_with_identical_forces(so3lr, ice_ih):
    """By default the stress of a crystal comes in the same pass as the forces; inside
    ``forces_only()`` it is not computed, and energy and forces are unchanged."""
    calculator = so3lr.calculator
    with so3lr.forces_only():
        lean = so3lr.attach(ice_ih)
        forces = lean.get_forces()
        assert "stress" not in calculator.results
    calculator.reset()  # same atoms: ASE would otherwise reuse the cached forces
    full = so3lr.attach(ice_ih)
    np.testing.assert_array_equal(full.get_forces(), forces)
    assert "stress" in calculator.results
    assert calculator.include_stress


def test_molecule_in_a_large_box_equals_the_molecule_without_periodicity(so3lr):
    """Every SO3LR term is pairwise-local: the network within 4.5 Å, the damped shifted-force
    Coulomb and the dispersion switched to zero at r_max_lr = 12 Å. In a 30 Å cube the nearest
    image of any atom of the dimer is > 12 Å away, so both evaluations sum the same pairs and
    differ only by rounding in the summation order: 1e-9 eV (energy ~ -1000 eV, float64
    relative precision ~ 1e-16 times a few hundred terms) and 1e-9 eV/Å. A 14 Å box brings
    images inside r_max_lr, and then the energies differ (the test is sensitive)."""
    dimer = water_dimer()
    free = so3lr.attach(dimer)
    energies = {}
    for edge in (30.0, 14.0):
        boxed = dimer.copy()
        boxed.cell = np.eye(3) * edge
        boxed.pbc = True
        boxed.positions += boxed.cell.diagonal() / 2 - dimer.positions.mean(axis=0)
        atoms = so3lr.attach(boxed)
        energies[edge] = atoms.get_potential_energy()
        if edge == 30.0:
            np.testing.assert_allclose(atoms.get_forces(), free.get_forces(), atol=1e-9)
    assert energies[30.0] == pytest.approx(free.get_potential_energy(), abs=1e-9)
    assert abs(energies[14.0] - free.get_potential_energy()) > 1e-6


def test_long_range_options_are_recorded_and_change_the_name():
    model = load_model("so3lr", model_kwargs={"r_max_lr": 15.0})
    assert model.name == "so3lr(r_max_lr=15)"
    assert model.provenance()["long_range_angstrom"]["r_max_lr"] == 15.0
    assert model.provenance()["long_range_defaults_angstrom"] == SO3LR_DEFAULTS
    assert model.calculator.models[0].r_max_lr == 15.0
    with pytest.raises(MolxtalError, match="so3lr does not take use_pme"):
        load_model("so3lr", model_kwargs={"use_pme": True})


def test_float32_agrees_with_float64(so3lr):
    """float32 carries ~7 significant digits: on a ~ -1000 eV dimer, 1e-6 relative."""
    single = load_model("so3lr", dtype="float32")
    dimer = water_dimer()
    energy32 = single.attach(dimer).get_potential_energy()
    assert energy32 == pytest.approx(so3lr.attach(dimer).get_potential_energy(), rel=1e-6)
    assert next(single.calculator.models[0].parameters()).dtype == torch.float32


def test_partially_periodic_structures_are_refused(so3lr):
    slab = molecule("H2O")
    slab.cell = np.eye(3) * 20.0
    slab.pbc = (True, True, False)
    with pytest.raises(MolxtalError, match="partially periodic"):
        so3lr.attach(slab).get_potential_energy()


def test_d3_with_so3lr_is_refused_in_one_line_before_loading(ice_ih, tmp_path, monkeypatch):
    import molxtal.models.registry as registry

    def never(*args, **kwargs):
        raise AssertionError("so3lr was loaded before the refusal")

    monkeypatch.setattr(registry, "load_so3lr", never)
    poscar = tmp_path / "POSCAR"
    ice_ih.write(poscar, format="vasp")
    args = ["singlepoint", str(poscar), "--model", "so3lr", "--dispersion", "d3"]
    result = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "Error: --dispersion: so3lr already contains dispersion; d3 would count it twice"
    ]
    assert not (tmp_path / "out").exists()


def test_a_command_without_model_uses_so3lr(package_calculator, tmp_path):
    """The default model is SO3LR: a single point without ``--model`` equals the package's
    own calculator on the same molecule."""
    atoms = molecule("H2O")
    path = tmp_path / "water.xyz"
    atoms.write(path)
    result = CliRunner().invoke(app, ["singlepoint", str(path), "--out", str(tmp_path / "sp")])
    assert result.exit_code == 0, result.output
    written = json.loads((tmp_path / "sp" / "results.json").read_text())
    theirs = package_results(package_calculator, atoms)
    assert written["energy_eV"] == pytest.approx(theirs["energy"], rel=1e-8)
    provenance = json.loads((tmp_path / "sp" / "provenance.json").read_text())
    assert [m["name"] for m in provenance["models"]] == ["so3lr"]
