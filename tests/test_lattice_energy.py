"""Lattice energy of any molecular crystal: size consistency, another molecule, relaxations,
and the refusal of co-crystals."""

from __future__ import annotations

import json

import numpy as np
import pytest
from ase import Atoms, units
from ase.build import bulk, molecule
from ase.calculators.lj import LennardJones
from ase.spacegroup import crystal
from typer.testing import CliRunner

from molxtal.cli.app import app
from molxtal.data import dmc_ice13
from molxtal.errors import MolxtalError
from molxtal.models import Model
from molxtal.workflows.lattice_energy import lattice_energy


def co2_crystal() -> Atoms:
    """Solid CO2 (Pa-3, a = 5.624 Å, x(O) = 0.1185): 4 molecules, C=O 1.154 Å."""
    return crystal(
        ["C", "O"],
        basis=[(0, 0, 0), (0.1185, 0.1185, 0.1185)],
        spacegroup=205,
        cellpar=[5.624] * 3 + [90] * 3,
    )


def test_size_consistency_2x2x2(chgnet):
    """A 2x2x2 supercell of ice XVII has the same lattice energy per molecule (CHGNet, float64)."""
    cell, gas = dmc_ice13.polymorph("XVII"), dmc_ice13.gas_molecule()
    small = lattice_energy(cell, chgnet, molecule=gas)
    big = lattice_energy(cell.repeat((2, 2, 2)), chgnet, molecule=gas)
    assert big.n_molecules == 8 * small.n_molecules == 48
    assert big.lattice_energy_eV == pytest.approx(small.lattice_energy_eV, abs=1e-6)


def test_co2_crystal_extracted_gas(chgnet):
    """CO2: 4 molecules found, the gas molecule taken out and relaxed to a linear O=C=O."""
    result = lattice_energy(co2_crystal(), chgnet)
    assert (result.formula, result.n_molecules) == ("CO2", 4)
    assert "relaxed" in result.gas_source and result.converged
    gas = result.gas
    c = next(a.index for a in gas if a.symbol == "C")
    o = [a.index for a in gas if a.symbol == "O"]
    assert gas.get_angle(o[0], c, o[1]) == pytest.approx(180.0, abs=1.0)
    # Relaxing the gas lowers E_gas below the crystal's own (unrelaxed) molecule.
    assert result.relaxations[0].energy_eV <= result.relaxations[0].energy_initial_eV
    # Bound crystal, of the order of the CO2 sublimation enthalpy (26 kJ/mol).
    assert -45.0 < result.lattice_energy_kJ_per_mol < -5.0
    # Same number in kJ/mol, meV and eV.
    assert result.lattice_energy_kJ_per_mol == pytest.approx(
        result.lattice_energy_eV * units.mol / units.kJ
    )
    assert result.lattice_energy_meV == pytest.approx(1000 * result.lattice_energy_eV)


#: Lennard-Jones fcc lattice sums (Kittel): A12 = 12.13188, A6 = 14.45392.
A12, A6 = 12.13188, 14.45392


def test_cell_relaxation_lennard_jones_argon():
    """fcc Ar with a Lennard-Jones model, cell relaxed: E_latt = -A6^2 / (2 A12) eps = -8.61 eps
    per atom at r_nn = (2 A12 / A6)^(1/6) sigma (analytic, infinite lattice), corrected for
    ASE's cutoff rc (missing tail and the pair energy shift, in the continuum approximation)."""
    sigma, eps, rc = 3.4, 0.0104, 6 * 3.4
    lj = Model("lj", "Lennard-Jones", LennardJones(sigma=sigma, epsilon=eps, rc=rc))
    start = bulk("Ar", "fcc", a=5.4)  # primitive, 1 atom
    result = lattice_energy(start, lj, geometry="cell", fmax=1e-4)
    assert result.converged and result.n_molecules == 1 and result.gas_energy_eV == 0.0
    n = 1.0 / result.volume_per_molecule_angstrom3
    tail = 8 * np.pi * n * eps * sigma**6 / (3 * rc**3)
    shift = -0.5 * n * 4 / 3 * np.pi * rc**3 * 4 * eps * ((sigma / rc) ** 12 - (sigma / rc) ** 6)
    expected = -(A6**2) / A12 / 2 * eps + tail + shift
    assert result.lattice_energy_eV == pytest.approx(expected, rel=1e-3)
    r_nn = (4 * result.volume_per_molecule_angstrom3) ** (1 / 3) / np.sqrt(2)
    assert r_nn / sigma == pytest.approx((2 * A12 / A6) ** (1 / 6), rel=2e-3)
    # Under pressure the crystal is denser and the converged stress is -P.
    squeezed = lattice_energy(start, lj, geometry="cell", pressure_GPa=0.5, fmax=1e-4)
    assert squeezed.volume_per_molecule_angstrom3 < result.volume_per_molecule_angstrom3
    squeezed.crystal.calc = lj.calculator
    stress = squeezed.crystal.get_stress(voigt=False) / units.GPa
    np.testing.assert_allclose(stress, -0.5 * np.eye(3), atol=1e-3)


def test_co2_relax_positions(chgnet):
    """Relaxing the atoms never raises the energy, and is reported converged."""
    gas = molecule("CO2")
    fixed = lattice_energy(co2_crystal(), chgnet, molecule=gas)
    positions = lattice_energy(co2_crystal(), chgnet, molecule=gas, geometry="positions")
    assert positions.converged
    assert positions.lattice_energy_eV <= fixed.lattice_energy_eV + 1e-9
    assert positions.relaxations[0].fmax_eV_per_angstrom < 1e-2


@pytest.mark.slow
def test_co2_cell_relaxation_under_pressure(chgnet):
    """A converged CHGNet cell relaxation of CO2 at 0.5 GPa leaves the stress at -P."""
    gas = molecule("CO2")
    pressure = 0.5
    cell = lattice_energy(
        co2_crystal(), chgnet, molecule=gas, geometry="cell", pressure_GPa=pressure, fmax=2e-3
    )
    assert cell.converged, cell.relaxations
    relaxed = cell.crystal.copy()
    relaxed.calc = chgnet.calculator
    stress = relaxed.get_stress(voigt=False) / units.GPa
    np.testing.assert_allclose(stress, -pressure * np.eye(3), atol=0.05)


def test_co_crystal_is_refused(chgnet, tmp_path):
    mixed = Atoms(pbc=True, cell=np.eye(3) * 8.0)
    co2, water = molecule("CO2"), molecule("H2O")
    co2.translate([2.0, 2.0, 2.0])
    water.translate([6.0, 6.0, 6.0])
    mixed += co2
    mixed += water
    with pytest.raises(MolxtalError, match="co-crystals are not supported"):
        lattice_energy(mixed, chgnet)
    path = tmp_path / "mixed.extxyz"
    mixed.write(path)
    result = CliRunner().invoke(app, ["lattice-energy", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "1 CO2, 1 H2O" in result.output and "mixed.extxyz" in result.output


def test_wrong_gas_molecule_is_refused(chgnet):
    with pytest.raises(MolxtalError, match="gas molecule is H2O"):
        lattice_energy(co2_crystal(), chgnet, molecule=molecule("H2O"))


def test_lattice_energy_cli(tmp_path, tiny_mace_path):
    """The CLI on CO2 with a given gas file and a MACE model: one-line results in kJ/mol."""
    crystal_path, gas_path = tmp_path / "co2.extxyz", tmp_path / "gas.xyz"
    co2_crystal().write(crystal_path)
    molecule("CO2").write(gas_path)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        ["lattice-energy", str(crystal_path), "--molecule", str(gas_path),
         "--model", str(tiny_mace_path), "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads((out / "results.json").read_text())["models"][tiny_mace_path.stem]
    assert data["gas_source"] == "given" and data["n_molecules"] == 4
    assert data["lattice_energy_kJ_per_mol"] == pytest.approx(
        data["lattice_energy_eV"] * units.mol / units.kJ
    )
