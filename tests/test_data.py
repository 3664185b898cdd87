"""Reference data: local directories and real downloads from a loopback HTTP server."""

from __future__ import annotations

import csv
import functools
import hashlib
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from molxtal.data import MANIFEST, data_file, dmc_ice13, fetch, use_data_dir
from molxtal.errors import MolxtalError


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def serve():
    """Start an HTTP server on 127.0.0.1 serving a folder; yields a function folder -> URL."""
    servers = []

    def start(folder):
        handler = functools.partial(QuietHandler, directory=str(folder))
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_fetch_dmc_ice13_from_loopback_server(serve, data_dir, tmp_path):
    url = serve(data_dir)
    files = fetch("dmc-ice13", dest=tmp_path / "cache", mirror=url)
    assert len(files) == len(MANIFEST["dmc-ice13"]) == 15
    for path, (relpath, _, sha256) in zip(files, MANIFEST["dmc-ice13"], strict=True):
        assert path == tmp_path / "cache" / relpath
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sha256
        assert path.read_bytes() == (data_dir / relpath).read_bytes()
    assert not list((tmp_path / "cache").rglob("*.part"))


def test_checksum_mismatch_leaves_no_file(serve, data_dir, tmp_path):
    mirror = tmp_path / "mirror"
    shutil.copytree(data_dir / "liquid_water_rdf", mirror / "liquid_water_rdf")
    target = mirror / "liquid_water_rdf" / "soper2013_dist_funcs_simpack.dat"
    target.chmod(0o644)
    target.write_text(target.read_text().replace("2.49", "2.50", 1))
    with pytest.raises(MolxtalError, match="checksum mismatch.*not saved"):
        fetch("liquid-water-rdf", dest=tmp_path / "cache", mirror=serve(mirror))
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]


def test_missing_file_on_server_is_a_clear_error(serve, tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(MolxtalError, match="HTTP 404"):
        fetch("liquid-water-rdf", dest=tmp_path / "cache", mirror=serve(tmp_path / "empty"))
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]


def test_missing_data_directory_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("MOLXTAL_DATA", str(tmp_path / "nowhere"))
    with pytest.raises(MolxtalError, match="nowhere: data directory does not exist"):
        data_file("dmc_ice13/structures_vasp/Ih/POSCAR")
    with pytest.raises(MolxtalError, match="does not exist"):
        use_data_dir(tmp_path / "nowhere")


def test_missing_file_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setenv("MOLXTAL_DATA", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with pytest.raises(MolxtalError, match="molxtal data fetch dmc-ice13"):
        data_file("dmc_ice13/structures_vasp/Ih/POSCAR")


def test_published_table_has_dmc_and_51_methods(data_dir):
    table = dmc_ice13.published_lattice_energies()
    assert len(table) == 52 and "DMC" in table and "revPBE-D3" in table
    with open(data_dir / dmc_ice13.LATTICE_ENERGY_TABLE) as handle:
        first = next(csv.reader(handle))
    assert first[1:] == list(dmc_ice13.PHASES)
    assert table["DMC"]["Ih"] == -59.45  # Della Pia et al. 2022, Table I (kJ/mol)


def test_gas_molecule_is_isolated_partridge_schwenke_water(data_dir):
    water = dmc_ice13.gas_molecule()
    assert not water.pbc.any() and water.get_chemical_formula() == "H2O"
    o = water.get_chemical_symbols().index("O")
    h1, h2 = (i for i in range(3) if i != o)
    assert water.get_distance(o, h1) == pytest.approx(0.9572, abs=1e-4)
    assert water.get_distance(o, h2) == pytest.approx(0.9572, abs=1e-4)
    assert water.get_angle(h1, o, h2) == pytest.approx(104.52, abs=1e-2)
