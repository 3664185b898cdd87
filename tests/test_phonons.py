"""Phonons: an analytic spring crystal, phonopy driven by a plain ASE loop, isotopes, resume."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest
from ase import Atoms, units
from ase.calculators.calculator import Calculator, all_changes
from ase.neighborlist import neighbor_list
from phonopy import Phonopy

from molxtal.models import Model
from molxtal.workflows import force_constants as fc
from molxtal.workflows import phonons as ph

SPRING_K = 2.0  # eV/Å²
LATTICE_A = 3.0  # Å


class Springs(Calculator):
    """E = k/2 Σ_bonds |u_i - u_j|², isotropic springs between nearest lattice sites (spacing a).

    ``u`` is the displacement from the nearest lattice site; counts its force calls.
    """

    implemented_properties = ("energy", "forces")

    def __init__(self, k=SPRING_K, a=LATTICE_A):
        super().__init__(k=k, a=a)  # in ``parameters``: checkpoint keys see them
        self.k, self.a, self.calls = k, a, 0

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        super().calculate(atoms, properties, system_changes)
        self.calls += 1
        i, j, d = neighbor_list("ijD", self.atoms, 1.2 * self.a)
        stretch = d - self.a * np.round(d / self.a)
        forces = np.zeros((len(self.atoms), 3))
        np.add.at(forces, i, self.k * stretch)
        self.results = {"energy": 0.25 * self.k * (stretch**2).sum(), "forces": forces}


def spring_model() -> Model:
    return Model(name="springs", family="test", calculator=Springs(), sha256="springs")


def simple_cubic(symbols=("H",)) -> Atoms:
    """Simple cubic lattice (spacing a); several symbols make a basis along x."""
    n = len(symbols)
    positions = [(k * LATTICE_A, 0, 0) for k in range(n)]
    return Atoms(symbols, positions=positions, cell=np.diag([n, 1, 1]) * LATTICE_A, pbc=True)


def exact_thz(q_frac: np.ndarray, mass_amu: float) -> np.ndarray:
    """ν(q) = (1/2π) sqrt((2k/m) Σ_α (1 - cos 2π q_α)), triply degenerate, in THz (SI units)."""
    omega2 = 2 * SPRING_K / mass_amu * (1 - np.cos(2 * np.pi * q_frac)).sum(axis=-1)
    si = units._e / (1e-20 * units._amu)  # (eV/Å²)/amu -> s⁻²
    return np.sqrt(omega2 * si) / (2 * np.pi) / 1e12


def settings(n=3, **kw):
    return fc.DisplacementSettings(
        supercell=fc.supercell_matrix([n, n, n]), **{"method": "systematic", **kw}
    )


@pytest.mark.parametrize(
    "options", [{}, {"method": "random", "snapshots": 4, "plusminus": False}], ids=["fd", "symfc"]
)
def test_spring_crystal_matches_exact_dispersion(options):
    run = fc.run_force_constants(simple_cubic(), spring_model(), settings(**options))
    bands = ph.run_bands(run.phonon, "GAMMA-X-M-GAMMA-R", npoints=21)
    assert [b[0] for b in bands.labels] == ["GAMMA", "X", "M", "GAMMA"]
    mass = Atoms("H").get_masses()[0]
    for q, f in zip(bands.qpoints, bands.frequencies_THz, strict=True):
        expected = np.repeat(exact_thz(q, mass)[:, None], 3, axis=1)
        # rtol: CODATA versions of phonopy and ASE differ by ~1e-7
        np.testing.assert_allclose(np.sort(f, axis=1), expected, rtol=1e-6, atol=1e-5)
    # the sum rule holds exactly for this model
    assert run.force_constants.acoustic_max_cm1 < 1e-3  # sqrt of round-off


def test_thermal_zpe_and_classical_limit():
    run = fc.run_force_constants(simple_cubic(), spring_model(), settings())
    mesh = [8, 8, 8]
    thermal = ph.run_thermal(run.phonon, mesh, molecules_per_cell=1, t_max=60000, t_step=50000)
    grid = np.stack(np.meshgrid(*[np.arange(n) / n for n in mesh], indexing="ij"), -1)
    freqs = exact_thz(grid.reshape(-1, 3), Atoms("H").get_masses()[0])
    hnu_ev = units._hplanck * 1e12 * freqs[1:] / units._e  # Γ acoustic modes excluded
    ev_to_kjmol = units.mol / units.kJ
    zpe_ev = 3 * 0.5 * hnu_ev.sum() / len(freqs)  # per cell
    assert thermal.zpe_cell_kJ_per_mol == pytest.approx(zpe_ev * ev_to_kjmol, rel=1e-6)
    assert thermal.free_energy_cell_kJ_per_mol[0] == pytest.approx(
        thermal.zpe_cell_kJ_per_mol, rel=1e-9
    )
    # high T: Dulong-Petit C_v = 3R per atom (less the 3 Γ modes), and
    # F_quantum - F_classical = Σ (hν)²/(24 kT) to leading order
    r, kt = units._k * units._Nav, units.kB * 50000
    n_modes = 3 * (len(freqs) - 1) / len(freqs)
    assert thermal.heat_capacity_cell_J_per_K_mol[-1] == pytest.approx(n_modes * r, rel=1e-3)
    quantum_correction = 3 * (hnu_ev**2).sum() / len(freqs) / (24 * kt) * ev_to_kjmol
    difference = (
        thermal.free_energy_cell_kJ_per_mol[-1] - thermal.free_energy_classical_cell_kJ_per_mol[-1]
    )
    assert difference == pytest.approx(quantum_correction, rel=1e-2)


def test_isotope_mass_scaling_without_new_force_calls():
    model = spring_model()
    run = fc.run_force_constants(simple_cubic(("H", "O")), model, settings(2))
    calls = model.calculator.calls
    heavy = ph.with_masses(run.phonon, ph.ISOTOPES["D2O"])
    assert model.calculator.calls == calls
    m_h, m_o, m_d = Atoms("HO").get_masses().tolist() + [ph.ISOTOPES["D2O"]["H"]]
    q = np.array([[0.0, 0.0, 0.0], [0.25, 0.1, 0.3], [0.5, 0.5, 0.5]])
    light_f = np.array([run.phonon.get_frequencies(x) for x in q])
    heavy_f = np.array([heavy.get_frequencies(x) for x in q])
    # heavier masses never raise a frequency (Rayleigh quotient)
    assert np.all(heavy_f <= light_f + 1e-9)
    # the isolated optical mode at Γ of the diatomic chain: ω² = 2k (1/m_A + 1/m_B)
    ratio = np.sqrt((1 / m_d + 1 / m_o) / (1 / m_h + 1 / m_o))
    assert heavy_f[0, -1] / light_f[0, -1] == pytest.approx(ratio, rel=1e-9)
    # the original object keeps its masses
    np.testing.assert_allclose(run.phonon.masses, [m_h, m_o])


def test_resume_computes_only_missing_forces(tmp_path):
    atoms = simple_cubic(("H", "O"))
    atoms.positions[1] += [0.0, 0.05, 0.02]  # lower the symmetry: more displacements
    reference = fc.run_force_constants(atoms, spring_model(), settings(2))
    n_total = reference.n_displacements
    assert n_total >= 6

    class Killed(Exception):
        pass

    done = []

    @contextlib.contextmanager
    def die_after_k(description, total):
        def advance(n):
            done.append(n)
            if sum(done) >= 3:
                raise Killed

        yield advance

    first = spring_model()
    with pytest.raises(Killed):
        fc.run_force_constants(atoms, first, settings(2), tmp_path, progress=die_after_k)
    assert first.calculator.calls == 3
    second = spring_model()
    resumed = fc.run_force_constants(atoms, second, settings(2), tmp_path)
    assert second.calculator.calls == n_total - 3
    assert (resumed.force_sets.n_loaded, resumed.force_sets.n_computed) == (3, n_total - 3)
    np.testing.assert_array_equal(resumed.phonon.force_constants, reference.phonon.force_constants)
    # a third run computes nothing; other settings do not reuse these forces
    third = spring_model()
    fc.run_force_constants(atoms, third, settings(2), tmp_path)
    assert third.calculator.calls == 0
    other = spring_model()
    fc.run_force_constants(atoms, other, settings(2, amplitude_angstrom=0.02), tmp_path)
    assert other.calculator.calls == n_total


def test_supercell_helpers():
    np.testing.assert_array_equal(fc.supercell_matrix([2, 2, 1]), np.diag([2, 2, 1]))
    matrix = [-1, 1, 1, 1, -1, 1, 1, 1, -1]
    np.testing.assert_array_equal(fc.supercell_matrix(matrix), np.reshape(matrix, (3, 3)))
    hexagonal = Atoms("H", cell=[[4, 0, 0], [-2, 2 * np.sqrt(3), 0], [0, 0, 7]], pbc=True)
    # perpendicular widths: a·sin 60° = 3.46 Å in-plane, 7 Å along c
    np.testing.assert_array_equal(fc.min_length_supercell(hexagonal, 10.0), np.diag([3, 3, 2]))
    np.testing.assert_array_equal(fc.min_length_supercell(hexagonal, 7.0), np.diag([3, 3, 1]))
    np.testing.assert_array_equal(fc.min_length_supercell(hexagonal, 6.9), np.diag([2, 2, 1]))


def test_hexagonal_labels_of_a_cell_with_60_degree_gamma():
    cell = Atoms(cell=[7.678, 7.678, 7.235, 90, 90, 60]).cell
    points = ph.lattice_path_points(np.array(cell))
    reciprocal = np.linalg.inv(np.array(cell)).T
    # hexagonal BZ: M is the midpoint of a reciprocal vector, K a corner (|b|/√3), A = c*/2
    b = np.linalg.norm(reciprocal[0])
    assert np.linalg.norm(points["M"] @ reciprocal) == pytest.approx(b / 2)
    assert np.linalg.norm(points["K"] @ reciprocal) == pytest.approx(b / np.sqrt(3))
    assert np.linalg.norm(points["A"] @ reciprocal) == pytest.approx(0.5 / 7.235)


@pytest.fixture(scope="module")
def chgnet():
    from molxtal.models import load_model

    return load_model("chgnet", dtype="float64")


def test_chgnet_equals_phonopy_with_plain_ase_loop(chgnet, tmp_path):
    from ase.build import bulk

    atoms = bulk("Si", "diamond", a=5.43, cubic=True)
    run = fc.run_force_constants(atoms, chgnet, settings(1), tmp_path)
    # the plain loop: phonopy's API with one ASE calculator call per displaced supercell
    cell = fc.to_phonopy_atoms(atoms)
    plain = Phonopy(cell, supercell_matrix=np.eye(3, dtype=int), primitive_matrix="P")
    plain.generate_displacements(distance=0.01, is_plusminus=True)
    forces = []
    for supercell in plain.supercells_with_displacements:
        work = Atoms(supercell.symbols, cell=supercell.cell, pbc=True)
        work.set_scaled_positions(supercell.scaled_positions)
        work.calc = chgnet.calculator
        forces.append(work.get_forces())
    plain.forces = forces
    plain.produce_force_constants()
    plain.symmetrize_force_constants()
    bands = ph.run_bands(run.phonon, "auto", npoints=11)
    for q, f in zip(bands.qpoints, bands.frequencies_THz, strict=True):
        plain.run_qpoints(q)
        expected = plain.get_qpoints_dict()["frequencies"]
        np.testing.assert_allclose(f, expected, atol=0.01 / fc.FREQUENCY_UNITS["cm-1"])


def test_cli_writes_files_phonopy_reads_back(tmp_path):
    import json

    import phonopy
    import yaml
    from ase.io import write
    from typer.testing import CliRunner

    from molxtal.cli.app import app

    crystal = tmp_path / "hydride.extxyz"
    write(crystal, simple_cubic(("H", "O")))
    args = ["phonons", str(crystal), "--model", "test_phonons:Springs"]
    args += ["--supercell", "2", "2", "2"]
    args += ["--path", "GAMMA-X-M-GAMMA", "--npoints", "11", "--mesh", "4", "4", "4"]
    args += ["--isotope", "D2O", "--checkpoints", str(tmp_path / "ck"), "--t-step", "50"]
    result = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "a")])
    assert result.exit_code == 0, result.output
    out = tmp_path / "a"
    data = json.loads((out / "results.json").read_text())
    assert data["forces_computed"] == data["n_displacements"] > 0
    assert data["acoustic_gamma_max_cm-1"] < 1e-3
    assert set(data["thermal"]) >= {"T_K", "C_v_J_per_K_mol", "F_kJ_per_mol", "S_J_per_K_mol"}
    for name in ("bands.png", "dos.png", "heat_capacity.png", "band-D2O.yaml", "timings.csv"):
        assert (out / name).is_file(), name
    # phonopy reads our files back and reproduces our band structure
    loaded = phonopy.load(out / "phonopy_params.yaml")
    band = yaml.safe_load((out / "band.yaml").read_text())
    for point in band["phonon"][::7]:
        ours = [b["frequency"] for b in point["band"]]
        np.testing.assert_allclose(loaded.get_frequencies(point["q-position"]), ours, atol=1e-6)
    # the same command again computes no force
    result = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    again = json.loads((tmp_path / "b" / "results.json").read_text())
    assert again["forces_computed"] == 0
    assert again["zpe_kJ_per_mol"] == data["zpe_kJ_per_mol"]


def test_relaxation_returns_atoms_to_the_spring_minimum():
    atoms = simple_cubic(("H", "O"))
    atoms.positions[1] += [0.1, -0.05, 0.03]
    run = fc.run_force_constants(atoms, spring_model(), settings(2), relax_mode="positions",
                                 relax_fmax=1e-4)  # fmt: skip
    result = run.relaxation
    assert result.converged and result.fmax_eV_per_angstrom < 1e-4
    # the minimum: both atoms on lattice sites (up to a rigid translation), E = 0
    offset = result.atoms.positions - simple_cubic(("H", "O")).positions
    np.testing.assert_allclose(offset[1], offset[0], atol=1e-4)
    assert result.energy_eV < 1e-8 < result.energy_initial_eV
    # the phonons are those of the relaxed crystal
    expected = result.atoms.get_scaled_positions(wrap=True)
    np.testing.assert_allclose(run.phonon.unitcell.scaled_positions % 1.0, expected, atol=1e-12)


def two_site_crystal(shift=(0.3, 0.0, 0.0)) -> Atoms:
    """H and O off their lattice sites: P1, springs 2.7, 3.0 and 3.3 Å long (O moved along x),
    and residual forces that the fit must subtract."""
    atoms = simple_cubic(("H", "O"))
    atoms.positions[1] += shift
    return atoms


def test_random_cutoff_fit_reproduces_the_springs_and_fails_when_too_short():
    atoms = two_site_crystal()
    reference = fc.run_force_constants(atoms, spring_model(), settings(3))
    model = spring_model()
    run = fc.run_force_constants(atoms, model, settings(3, method="random", fc_cutoff_angstrom=3.5))
    fit = run.force_constants.fit
    # exactly harmonic: one-sided snapshots at the small amplitude, exact held-out forces
    assert fit.sidedness.mode == "one-sided" and fit.sidedness.smooth
    assert fit.sidedness.even_ratio < 1e-9 and run.force_constants.holdout_error < 1e-9
    assert fit.converged and len(fit.rounds) == 2  # the second batch changed nothing
    compact = reference.phonon.force_constants[reference.phonon.primitive.p2s_map]
    np.testing.assert_allclose(run.phonon.force_constants, compact, atol=1e-8)
    # calls: undisplaced, probe pair, small probe, held-out and fitted snapshots (one each)
    assert model.calculator.calls == 4 + 1 + fit.last.snapshots - 2
    # the 3.0 and 3.3 Å springs lie outside a 2.85 Å cutoff: the held-out check fails
    short = settings(3, method="random", fc_cutoff_angstrom=2.85)
    failed = fc.run_force_constants(atoms, spring_model(), short).force_constants
    assert failed.holdout_error > fc.HOLDOUT_TOLERANCE and not failed.trusted
    result = ph.phonons(atoms, spring_model(), short, ph.AnalysisSettings(mesh=(2, 2, 2)))
    assert result.to_dict()["zpe_kJ_per_mol_status"]["status"] == "indicative"


def test_normal_equations_add_up_over_snapshots_and_batches():
    """Least squares is additive: the equations of 11 snapshots (two sparse products, 8 + 3)
    are the sum of each snapshot's own."""
    from molxtal.workflows import random_displacements as rd

    supercell = fc.make_phonopy(two_site_crystal(), settings(3)).supercell
    basis = rd.CutoffBasis(supercell, 3.5)
    rng = np.random.default_rng(3)
    n = 1 + 8 + 2  # more than rd.SNAPSHOTS_PER_PRODUCT
    u, f = rng.normal(size=(2, n, len(supercell), 3))
    together = basis.equations(u, f)
    alone = [basis.equations(u[k : k + 1], f[k : k + 1]) for k in range(n)]
    np.testing.assert_allclose(together.xtx, sum(e.xtx for e in alone), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(together.xty, sum(e.xty for e in alone), rtol=1e-12, atol=1e-12)
    assert together.rows == n * 3 * len(supercell)


def test_underdetermined_fit_raises_and_the_sizing_loop_grows_past_it(monkeypatch):
    from molxtal.workflows import random_displacements as rd

    atoms = simple_cubic(("H", "O") * 3)  # 6 atoms, P1: 255 parameters within 4.5 Å
    atoms.positions += np.random.default_rng(1).normal(size=(6, 3)) * 0.05
    random = {"method": "random", "fc_cutoff_angstrom": 4.5}
    basis = rd.cutoff_basis(fc.make_phonopy(atoms, settings(2)).supercell, 4.5)
    assert 3 * basis.n_atoms < basis.size < 6 * basis.n_atoms
    u = rd.random_directions(basis.n_atoms, 0, 1)[None] * 0.01
    with pytest.raises(rd.Underdetermined, match="parameters"):  # fewer equations
        basis.solve(basis.equations(u, u))
    # the probe pair and the small probe share their directions: enough equations, but
    # linearly dependent ones; a fixed count of them is refused, never returned as zeros
    with pytest.raises(rd.Underdetermined, match="singular|ill-conditioned"):
        fc.run_force_constants(atoms, spring_model(), settings(2, **random, snapshots=2))
    # a sizing loop whose first batch is too small grows until the fit is determined
    monkeypatch.setattr(rd, "FIRST_BATCH_FACTOR", 0.1)
    run = fc.run_force_constants(atoms, spring_model(), settings(2, **random))
    rounds = run.force_constants.fit.rounds
    assert rounds[0].failure is not None and rounds[-1].failure is None
    assert run.force_constants.fit.converged and run.force_constants.holdout_error < 1e-9
    reference = fc.run_force_constants(atoms, spring_model(), settings(2))
    compact = reference.phonon.force_constants[reference.phonon.primitive.p2s_map]
    np.testing.assert_allclose(run.phonon.force_constants, compact, atol=1e-8)


def test_random_stage_resumes_with_identical_force_constants(tmp_path):
    atoms = two_site_crystal()
    random = settings(3, method="random", fc_cutoff_angstrom=3.5)
    reference_model = spring_model()
    reference = fc.run_force_constants(atoms, reference_model, random)
    n_total = reference_model.calculator.calls

    class Killed(Exception):
        pass

    @contextlib.contextmanager
    def die_after_5(description, total):
        done = []

        def advance(n):
            done.append(n)
            if sum(done) >= 5:
                raise Killed

        yield advance

    first = spring_model()
    with pytest.raises(Killed):
        fc.run_force_constants(atoms, first, random, tmp_path, progress=die_after_5)
    second = spring_model()
    resumed = fc.run_force_constants(atoms, second, random, tmp_path)
    assert second.calculator.calls == n_total - 5
    np.testing.assert_array_equal(resumed.phonon.force_constants, reference.phonon.force_constants)


def test_auto_picks_systematic_for_a_small_cell_and_remembers(tmp_path):
    atoms = two_site_crystal()
    run = fc.run_force_constants(atoms, spring_model(), settings(2, method="auto"), tmp_path)
    choice = run.force_constants.choice
    assert run.force_constants.method == choice["method"] == "systematic"
    assert choice["cost_s"]["systematic"] < choice["cost_s"]["random"]
    # the saved choice is reused without a new call
    again = spring_model()
    rerun = fc.run_force_constants(atoms, again, settings(2, method="auto"), tmp_path)
    assert again.calculator.calls == 0 and rerun.force_constants.choice == choice


class FixedCallStore:
    """A force store whose one call of the undisplaced supercell takes 1 s."""

    folder, call_s = None, [1.0]

    def get(self, name, supercell):
        return np.zeros((len(supercell), 3))


@pytest.mark.parametrize(("share", "method"), [(0.7, "systematic"), (0.3, "random")])
def test_auto_needs_random_to_be_clearly_cheaper(monkeypatch, share, method):
    """Random estimated at 0.7× the systematic cost stays systematic (a near tie must not let
    the load decide); at 0.3× random wins."""
    rng = np.random.default_rng(1)
    atoms = Atoms("H16", scaled_positions=rng.random((16, 3)), cell=np.eye(3) * 6.0, pbc=True)
    auto = settings(3, method="auto", fc_cutoff_angstrom=3.0)  # P1: 96 systematic supercells
    phonon = fc.make_phonopy(atoms, auto)
    rate = 1e9
    monkeypatch.setattr(fc, "measured_flop_rate", lambda: rate)
    first = fc.choose_method(phonon, FixedCallStore(), auto)
    fit_flops = first["random_fit_s_estimate"] * rate
    wanted_fit_s = share * first["systematic_calls"] - first["random_calls_estimate"]
    assert wanted_fit_s > 0
    rate = fit_flops / wanted_fit_s
    choice = fc.choose_method(phonon, FixedCallStore(), auto)
    assert choice["cost_s"]["random"] == pytest.approx(share * choice["cost_s"]["systematic"])
    assert choice["method"] == method


def test_a_second_run_sharing_the_checkpoints_waits_and_reuses(tmp_path):
    import threading
    import time

    class Slow(Springs):
        def calculate(self, *args, **kwargs):
            time.sleep(0.02)
            super().calculate(*args, **kwargs)

    atoms = two_site_crystal()
    models = [Model(name="springs", family="test", calculator=Slow(), sha256="springs")]
    models.append(Model(name="springs", family="test", calculator=Slow(), sha256="springs"))
    runs = {}

    def work(k):
        runs[k] = fc.run_force_constants(atoms, models[k], settings(2), tmp_path)

    threads = [threading.Thread(target=work, args=(k,)) for k in (0, 1)]
    threads[0].start()
    time.sleep(0.05)
    threads[1].start()
    for thread in threads:
        thread.join()
    n = runs[0].n_displacements
    assert models[0].calculator.calls + models[1].calculator.calls == n
    np.testing.assert_array_equal(runs[0].phonon.force_constants, runs[1].phonon.force_constants)


def test_a_checkpoint_of_the_wrong_shape_is_refused_in_one_line(tmp_path):
    from molxtal.errors import MolxtalError

    atoms = two_site_crystal()
    run = fc.run_force_constants(atoms, spring_model(), settings(2), tmp_path)
    broken = run.force_sets.checkpoint / "forces_00000.npy"
    np.save(broken, np.zeros((3, 3)))
    with pytest.raises(MolxtalError, match="forces_00000.npy") as error:
        fc.run_force_constants(atoms, spring_model(), settings(2), tmp_path)
    assert "\n" not in str(error.value)


def test_checkpoint_key_covers_model_parameters(tmp_path):
    atoms = two_site_crystal()
    run = fc.run_force_constants(atoms, spring_model(), settings(2), tmp_path)
    stiffer = Model(name="springs", family="test", calculator=Springs(k=3.0), sha256="springs")
    other = fc.run_force_constants(atoms, stiffer, settings(2), tmp_path)
    assert other.force_sets.n_computed == run.n_displacements
    assert other.force_sets.checkpoint != run.force_sets.checkpoint


@pytest.mark.parametrize(
    "options",
    [
        ["--supercell", "-1", "1", "1"],
        ["--mesh", "0", "0", "0"],
        ["--mass", "H=-1"],
        ["--displacement", "0"],
        ["--displacement", "0.5"],
        ["--fc-cutoff", "-2"],
        ["no-cell"],
    ],
    ids=["supercell", "mesh", "mass", "displacement-zero", "displacement-large", "cutoff", "cell"],
)
def test_cli_refuses_bad_input_in_one_line_before_any_work(tmp_path, options):
    from ase.io import write
    from typer.testing import CliRunner

    from molxtal.cli.app import app

    crystal = tmp_path / "crystal.extxyz"
    atoms = simple_cubic(("H", "O"))
    if options == ["no-cell"]:
        atoms = Atoms("H2", positions=[(0, 0, 0), (0, 0, 0.74)])
        options = []
    write(crystal, atoms)
    out = tmp_path / "out"
    args = ["phonons", str(crystal), "--model", "test_phonons:Springs", *options]
    result = CliRunner().invoke(app, [*args, "--out", str(out), "--checkpoints", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert result.output.strip().count("\n") == 0 and result.output.startswith("Error"), (
        result.output
    )
    assert not out.exists() and not any(p.suffix == ".npy" for p in tmp_path.rglob("*"))


@pytest.fixture(scope="module")
def tiny_mace(tmp_path_factory):
    from molxtal.models import load_model
    from molxtal.models.mace import build_random_mace, save_mace

    path = tmp_path_factory.mktemp("mace") / "tiny.model"
    return load_model(str(save_mace(build_random_mace(["H", "O"], r_max=3.0, channels=8), path)))


def test_mace_hessian_equals_finite_displacements(tiny_mace, tmp_path):
    from molxtal.errors import MolxtalError
    from molxtal.structures import water_molecule

    atoms = water_molecule()
    atoms.set_cell([3.5, 5.5, 6.0])
    atoms.center()
    atoms.pbc = True
    # 2×1×1: only the primitive cell's rows are computed, the rest by translation
    hessian = fc.DisplacementSettings(np.diag([2, 1, 1]), method="hessian")
    analytic = fc.run_force_constants(atoms, tiny_mace, hessian, tmp_path)
    # central differences at 1e-4 Å in float64: truncation ~1e-8 relative, round-off ~1e-11
    fd = fc.run_force_constants(
        atoms, tiny_mace, fc.DisplacementSettings(np.diag([2, 1, 1]), amplitude_angstrom=1e-4)
    )
    # the raw Hessian is symmetric and obeys the sum rule; compare after phonopy's symmetrisation
    p2s = analytic.phonon.primitive.p2s_map
    np.testing.assert_allclose(
        analytic.phonon.force_constants, fd.phonon.force_constants[p2s], atol=1e-6
    )
    q = [[0.0, 0.0, 0.0], [0.5, 0.0, 0.5]]
    to_cm1 = fc.FREQUENCY_UNITS["cm-1"]
    for x in q:
        a, b = analytic.phonon.get_frequencies(x), fd.phonon.get_frequencies(x)
        np.testing.assert_allclose(a * to_cm1, b * to_cm1, atol=0.1)
    assert analytic.force_sets.n_computed == 1
    again = fc.run_force_constants(atoms, tiny_mace, hessian, tmp_path)
    assert (again.force_sets.n_loaded, again.force_sets.n_computed) == (1, 0)
    np.testing.assert_array_equal(again.phonon.force_constants, analytic.phonon.force_constants)
    # a Hessian checkpoint of another supercell's shape is refused, not used
    saved = analytic.force_sets.checkpoint / "hessian.npy"
    np.save(saved, np.load(saved)[:, :3])
    with pytest.raises(MolxtalError, match="hessian.npy holds force constants of shape"):
        fc.run_force_constants(atoms, tiny_mace, hessian, tmp_path)


def test_hessian_refused_without_autograd():
    from molxtal.errors import MolxtalError

    with pytest.raises(MolxtalError, match="no analytic Hessian"):
        fc.run_force_constants(simple_cubic(), spring_model(), settings(1, method="hessian"))


def test_cli_supercell_scan_converges_to_the_exact_spring_crystal(tmp_path):
    import json

    from ase.io import write
    from typer.testing import CliRunner

    from molxtal.cli.app import app

    crystal = tmp_path / "sc.extxyz"
    write(crystal, simple_cubic())
    args = ["phonons", str(crystal), "--model", "test_phonons:Springs", "--supercell-scan", "2-3"]
    args += ["--path", "GAMMA-X-M-GAMMA-R", "--npoints", "5", "--mesh", "3", "3", "3"]
    args += ["--t-step", "100", "--unit", "THz", "--checkpoints", str(tmp_path / "ck")]
    args += ["--supercell", "2", "2", "2"]
    result = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    scan = json.loads((out / "results.json").read_text())["supercell_scan"]
    assert [row["supercell"] for row in scan] == [2, 3]
    assert [row["n_atoms"] for row in scan] == [8, 27]
    mass = Atoms("H").get_masses()[0]
    points = {"GAMMA": [0, 0, 0], "X": [0.5, 0, 0], "M": [0.5, 0.5, 0], "R": [0.5, 0.5, 0.5]}
    # 2×2×2 and 3×3×3: every labelled point is commensurate or the springs fit inside the
    # supercell, so the frequencies there are exact
    for row in scan:
        for label, q in points.items():
            exact = exact_thz(np.array(q, dtype=float), mass)
            ours = np.array(row["frequencies_at_points_cm-1"][label]) / fc.FREQUENCY_UNITS["cm-1"]
            np.testing.assert_allclose(ours, [exact] * 3, atol=1e-5)
    # 3×3×3 contains the springs' whole range: the ZPE on a 3×3×3 mesh is the exact one
    grid = np.stack(np.meshgrid(*[np.arange(3) / 3] * 3, indexing="ij"), -1).reshape(-1, 3)
    hnu = units._hplanck * 1e12 * exact_thz(grid, mass) / units._e
    zpe = 3 * 0.5 * hnu.sum() / len(grid) * units.mol / units.kJ
    assert scan[1]["zpe_natural_kJ_per_mol"] == pytest.approx(zpe, rel=1e-6)
    # entropy lowers F below the ZPE at 300 K
    assert scan[1]["F_300K_natural_kJ_per_mol"] < scan[1]["zpe_natural_kJ_per_mol"]
    assert (out / "supercell_scan.csv").read_text().count("\n") == 3
    assert (out / "bands_supercell_scan.png").is_file()


def test_cli_hessian_run_is_read_back_by_phonopy(tiny_mace, tmp_path):
    import json

    import phonopy
    import yaml
    from ase.io import write
    from typer.testing import CliRunner

    from molxtal.cli.app import app
    from molxtal.structures import water_molecule

    atoms = water_molecule()
    atoms.set_cell([3.5, 5.5, 6.0])
    atoms.center()
    atoms.pbc = True
    write(tmp_path / "w.extxyz", atoms)
    args = ["phonons", str(tmp_path / "w.extxyz"), "--model", tiny_mace.path, "--npoints", "3"]
    args += ["--displacements", "hessian"]
    args += ["--mesh", "2", "2", "2", "--t-step", "100", "--checkpoints", str(tmp_path / "ck")]
    result = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "out" / "results.json").read_text())
    assert (data["fc_calculator"], data["n_displacements"]) == ("hessian", 0)
    # the file holds the force constants: phonopy reproduces our band structure from it alone
    loaded = phonopy.load(tmp_path / "out" / "phonopy_params.yaml")
    band = yaml.safe_load((tmp_path / "out" / "band.yaml").read_text())
    for point in band["phonon"][::2]:
        ours = [b["frequency"] for b in point["band"]]
        np.testing.assert_allclose(loaded.get_frequencies(point["q-position"]), ours, atol=1e-6)


def test_study_step_writes_what_the_command_writes(data_dir, tmp_path):
    """The study's ice Ih phonon step and ``molxtal phonons`` with the profile's settings (test
    profile, ASE's EMT) give the same ZPE, F and C_v for H2O and D2O, per supercell too."""
    import json

    from typer.testing import CliRunner

    from molxtal.cli.app import app
    from molxtal.models import load_model
    from molxtal.study.cache import Cache
    from molxtal.study.profiles import TEST
    from molxtal.study.steps import STEPS
    from molxtal.study.steps.ice import shared_forces

    p = TEST["ice-ih-phonons"]
    model = load_model("ase.calculators.emt:EMT")  # as the study's runner loads it
    step_folder = Cache(tmp_path / "cache").folder("ice-ih-phonons", "key")  # as the runner
    study = STEPS["ice-ih-phonons"].compute(model, p, step_folder)
    n = str(max(p["supercells"]))
    args = ["phonons", str(data_dir / "dmc_ice13" / "structures_vasp" / "Ih" / "POSCAR")]
    args += ["--model", "ase.calculators.emt:EMT", "--supercell", n, n, n, "--isotope", "D2O"]
    args += ["--displacement", str(p["displacement"]), "--relax", "positions"]
    args += ["--relax-fmax", str(p["relax_fmax"]), "--path", p["path"], "--npoints"]
    args += [str(p["npoints"]), "--mesh", *map(str, p["mesh"]), "--sigma", str(p["sigma_THz"])]
    args += ["--supercell-scan", ",".join(map(str, p["supercells"]))]
    args += ["--checkpoints", str(shared_forces(step_folder)), "--out", str(tmp_path / "cli")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    cli = json.loads((tmp_path / "cli" / "results.json").read_text())
    stored = json.loads((step_folder / "results.json").read_text())
    # the same relaxed cell, displacements and model: every force set is the study's
    assert cli["forces_from_checkpoint"] == cli["n_displacements"] > 0
    for values in (study, stored):
        assert set(values["zpe_by_masses_kJ_per_mol"]) == {"H2O", "D2O"}
        for masses, zpe in cli["zpe_by_masses_kJ_per_mol"].items():
            assert values["zpe_by_masses_kJ_per_mol"][masses] == pytest.approx(zpe, rel=1e-12)
            for key in ("T_K", "F_kJ_per_mol", "C_v_J_per_K_mol"):
                ours = values["thermal_by_masses"][masses][key]
                np.testing.assert_allclose(ours, cli["thermal_by_masses"][masses][key], rtol=1e-12)
        for ours, theirs in zip(values["supercell_scan"], cli["supercell_scan"], strict=True):
            for key in ("zpe_D2O_kJ_per_mol", "F_300K_H2O_kJ_per_mol", "C_v_300K_D2O_J_per_K_mol"):
                assert ours[key] == pytest.approx(theirs[key], rel=1e-12)
    assert set(study["figures"]) >= {"bands.png", "dos.png", "heat_capacity.png"}


def test_auto_falls_back_to_systematic_when_the_random_fit_misses_held_out_forces(
    tmp_path, monkeypatch
):
    atoms = two_site_crystal()
    choose = fc.choose_method

    def cheap_random(*args):
        return {**choose(*args), "method": "random"}

    monkeypatch.setattr(fc, "choose_method", cheap_random)
    short = settings(3, method="auto", fc_cutoff_angstrom=2.85)  # misses the 3.0/3.3 Å springs
    model = spring_model()
    run = fc.run_force_constants(atoms, model, short, tmp_path)
    fallback = run.force_constants.choice["fallback"]
    assert run.force_constants.method == "systematic" and fallback["holdout_error"] > 0.01
    assert run.force_calls == model.calculator.calls
    reference = fc.run_force_constants(atoms, spring_model(), settings(3))
    np.testing.assert_array_equal(run.phonon.force_constants, reference.phonon.force_constants)
    # remembered: the rerun goes straight to the systematic forces
    again = spring_model()
    fc.run_force_constants(atoms, again, short, tmp_path)
    assert again.calculator.calls == 0


def test_systematic_force_sets_are_shared_whether_plusminus_is_given_or_defaulted(tmp_path):
    """phonopy's systematic displacements are ± when not told otherwise: the same supercells,
    so the same checkpoint folder; one-sided ones are other supercells and another folder."""
    atoms, model = two_site_crystal(), spring_model()

    def folder(plusminus):
        return fc.checkpoint_folder(tmp_path, atoms, model, settings(2, plusminus=plusminus),
                                    "systematic")  # fmt: skip

    assert folder(None) == folder(True) != folder(False)
    same = [fc.make_phonopy(atoms, settings(2, plusminus=p)).displacements for p in (None, True)]
    np.testing.assert_array_equal(*same)
