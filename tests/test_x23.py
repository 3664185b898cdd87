"""X23: lattice energies against direct ASE calculations, molecule counts, ideal-gas terms
against closed forms, checksummed fetch from a file URL, caching, command = study step."""

from __future__ import annotations

import csv
import hashlib
import shutil

import numpy as np
import pytest
from ase.build import molecule as ase_molecule
from ase.io import read
from ase.units import kB

from molxtal.data import MANIFEST, fetch
from molxtal.data import x23 as ref
from molxtal.errors import MolxtalError
from molxtal.structures import find_molecules
from molxtal.units import KJMOL_PER_EV
from molxtal.workflows import x23 as wf
from molxtal.workflows.relax import relax
from molxtal.workflows.sublimation import gas_modes, ideal_gas_rt_factor
from molxtal.workflows.vibrations import thermochemistry, vibrations


def test_lattice_energy_equals_direct_ase_calculation(chgnet, data_dir):
    systems = ["07co2", "04ammonia"]
    result = wf.x23_benchmark([chgnet], systems)
    for record, system in zip(result.lattice[chgnet.name], systems, strict=True):
        crystal = read(data_dir / "x23" / "solid" / system / "POSCAR", format="vasp")
        gas = read(data_dir / "x23" / "molecule" / system / "POSCAR", format="vasp")
        crystal.calc = gas.calc = chgnet.calculator  # the paper's periodic molecule box
        n_molecules = len(crystal) // len(gas)
        expected_eV = crystal.get_potential_energy() / n_molecules - gas.get_potential_energy()
        assert record.status == wf.OK and record.n_molecules == n_molecules == 4
        assert record.lattice_energy_kJ_per_mol / KJMOL_PER_EV == pytest.approx(
            expected_eV, abs=1e-6
        )


def test_succinic_acid_cell_holds_eight_molecules(data_dir):
    molecules = find_molecules(ref.crystal("23Succinic_acid"))
    assert molecules.count == 8 and molecules.composition == {"C4H6O4": 8}
    assert len(ref.crystal("23Succinic_acid")) == 8 * len(ref.molecule("23Succinic_acid"))


@pytest.mark.parametrize(
    ("name", "linear", "sigma", "factor"), [("CO2", True, 2, 3.5), ("C6H6", False, 12, 4.0)]
)
def test_ideal_gas_enthalpy_is_the_closed_form(chgnet, name, linear, sigma, factor):
    """ΔH_sub's gas term: translations 3/2 kT + rotations kT (linear) or 3/2 kT + pV = kT per
    molecule, which is ASE's IdealGasThermo H less the potential and vibrational energies."""
    vibration = vibrations(ase_molecule(name), chgnet)
    assert vibration.linear is linear and wf.symmetry_number(ase_molecule(name)) == sigma
    assert ideal_gas_rt_factor(linear) == factor
    for t in (207.0, 298.15):
        enthalpy = thermochemistry(vibration, 0.0, t, symmetry_number=sigma).enthalpy_eV
        translation_rotation = enthalpy - float(gas_modes(vibration).energy([t])[0])
        assert translation_rotation == pytest.approx(factor * kB * t)


def test_unidentifiable_molecules_are_reported_not_guessed(chgnet, data_dir, monkeypatch):
    from ase.build import bulk

    monkeypatch.setattr(ref, "crystal", lambda system: bulk("C", "diamond", a=3.57, cubic=True))
    record = wf.system_energy("07co2", chgnet)
    assert record.status.startswith("molecules not identified")
    assert record.lattice_energy_kJ_per_mol is None and wf.statistics([record]) == {"n_systems": 0}


def test_records_are_cached_and_resumed(chgnet, data_dir, tmp_path, monkeypatch):
    first = wf.x23_benchmark([chgnet], ["07co2"], cache_dir=tmp_path)

    def fail(*args, **kwargs):
        raise AssertionError("recomputed a cached crystal")

    monkeypatch.setattr(wf, "system_energy", fail)
    again = wf.x23_benchmark([chgnet], ["07co2"], cache_dir=tmp_path)
    assert again.to_dict() == first.to_dict()


def test_select_systems():
    assert ref.select("07co2,06BENZENE,21") == ["07co2", "06benzene", "21urea"]
    assert len(ref.select(None)) == 23
    with pytest.raises(MolxtalError, match="unknown X23 system"):
        ref.select("water")


def test_fetch_x23_verifies_checksums(data_dir, tmp_path, monkeypatch):
    """All 72 files from a file-URL mirror; the published DMC file is rebuilt from the shared
    CSV, so a passing checksum also shows the CSV holds the published numbers."""
    mirror = tmp_path / "mirror"
    shutil.copytree(data_dir / "x23", mirror / "x23")
    with open(data_dir / ref.DMC_CSV) as handle:
        rows = list(csv.DictReader(handle))
    (mirror / ref.DMC_FILE).write_text(
        "".join(f"{r['E_latt_DMC_kJmol']}   {r['E_latt_DMC_err_kJmol']} \n" for r in rows)
    )
    files = fetch("x23", dest=tmp_path / "data", mirror=mirror.as_uri())
    assert len(files) == len(MANIFEST["x23"]) == 72
    for path, (_, url, sha256) in zip(files, MANIFEST["x23"], strict=True):
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sha256
        assert "MolCrys-DMC/147a60c6911568d037c2ec8baf294dbfc589c461/" in url
    monkeypatch.setenv("MOLXTAL_DATA", str(tmp_path / "data"))  # no CSV: the published file
    fetched = ref.references()
    assert [fetched[s].dmc_kJ_per_mol for s in ref.SYSTEMS] == [
        float(r["E_latt_DMC_kJmol"]) for r in rows
    ]
    poscar = mirror / "x23" / "solid" / "07co2" / "POSCAR"
    poscar.chmod(0o644)
    poscar.write_text(poscar.read_text().replace("5.6", "5.7", 1))
    with pytest.raises(MolxtalError, match="checksum mismatch"):
        fetch("x23", dest=tmp_path / "other", mirror=mirror.as_uri())


def test_published_vibrational_contribution_gives_the_papers_enthalpy(data_dir):
    """ΔH_sub = −E_latt(DMC) − col1 − col3 of vib_DHB (the paper's script); CO2 row 7."""
    co2 = ref.references()["07co2"]
    assert co2.vibrational_kJ_per_mol == pytest.approx(-(2.8 + 0.5))
    assert co2.dmc_kJ_per_mol == pytest.approx(-29.3677)
    assert min(co2.experiment_kJ_per_mol) <= 29.3677 - 3.3 <= max(co2.experiment_kJ_per_mol) + 1


def test_sublimation_of_co2(chgnet, data_dir, tmp_path, monkeypatch):
    relaxed = []

    def counted(atoms, *args, **kwargs):
        relaxed.append(kwargs["what"])
        return relax(atoms, *args, **kwargs)

    monkeypatch.setattr(wf, "relax", counted)
    result = wf.x23_benchmark(
        [chgnet], ["07co2"], geometry="positions", sublimation=True, min_length=1.0, fmax=1e-2
    )
    # the lattice energy and ΔH_sub start from one relaxation of the crystal and the molecule
    assert relaxed == ["07co2 crystal", "07co2 gas molecule"]
    lattice, record = result.lattice["chgnet"][0], result.sublimation["chgnet"][0]
    assert record.lattice_energy_kJ_per_mol == lattice.lattice_energy_kJ_per_mol
    assert record.status == wf.OK and record.linear and record.symmetry_number == 2
    assert record.temperature_K == 207.0
    rt = kB * 207.0 * KJMOL_PER_EV
    assert record.ideal_gas_kJ_per_mol == pytest.approx(3.5 * rt)
    assert record.n_imaginary_gas >= 0 and record.n_imaginary_solid >= 0
    assert record.n_modes_solid == np.prod(record.mesh) * 3 * 12 - 3
    assert record.dH_sub_kJ_per_mol == pytest.approx(
        -record.lattice_energy_kJ_per_mol + record.delta_TQN_kJ_per_mol
    )


def test_command_and_study_step_write_the_same_numbers(chgnet, data_dir, tmp_path):
    from typer.testing import CliRunner

    from molxtal import io
    from molxtal.cli.app import app
    from molxtal.study.profiles import TEST
    from molxtal.study.steps import STEPS

    p = TEST["x23"]
    out = tmp_path / "cli"
    args = ["x23", "--model", "chgnet", "--systems", p["systems"], "--relax", p["relax"]]
    args += ["--out", str(out)]
    args += ["--fmax", str(p["fmax"]), "--min-length", str(p["min_length"])]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    values = STEPS["x23"].compute(chgnet, p, tmp_path / "step")
    written = io.read_json(out / "results.json")
    assert written["models"] == values["models"]
    assert len(values["models"]["chgnet"]["lattice_energies"]) == 2
    assert "x23_parity.png" in values["figures"] and (out / "x23_parity.png").is_file()


def test_shared_pairs_must_relax_as_asked(chgnet):
    pairs = wf.Pairs(chgnet, fmax=1e-2, steps=10)
    assert wf.Pairs.of(chgnet, 1e-2, 10, pairs) is pairs
    with pytest.raises(MolxtalError, match="shared pairs relax another"):
        wf.system_energy("07co2", chgnet, "positions", fmax=1e-3, steps=10, pairs=pairs)
