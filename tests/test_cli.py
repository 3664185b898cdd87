"""The command line: singlepoint against CHGNet called directly, models, data, bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from typer.testing import CliRunner

from molxtal.cli.app import app

runner = CliRunner()


def test_singlepoint_equals_chgnet_through_ase(chgnet, data_dir, tmp_path):
    from ase.io import read
    from chgnet.model import CHGNet, CHGNetCalculator

    poscar = data_dir / "dmc_ice13/structures_vasp/Ih/POSCAR"
    args = ["singlepoint", str(poscar), "--model", "chgnet", "--out", str(tmp_path / "sp")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "E (eV)" in result.output
    results = json.loads((tmp_path / "sp" / "results.json").read_text())
    provenance = json.loads((tmp_path / "sp" / "provenance.json").read_text())

    # CHGNet called directly through ASE, in the same precision (chgnet fixture set float64)
    direct = read(poscar, format="vasp")
    network = CHGNet.load(verbose=False).double()
    network.composition_model.fc.register_forward_pre_hook(
        lambda module, args: (args[0].to(module.weight.dtype),)
    )
    direct.calc = CHGNetCalculator(network, use_device="cpu")
    assert results["energy_eV"] == pytest.approx(direct.get_potential_energy(), abs=1e-6)
    np.testing.assert_allclose(results["forces_eV_per_angstrom"], direct.get_forces(), atol=1e-6)
    np.testing.assert_allclose(results["stress_eV_per_angstrom3"], direct.get_stress(), atol=1e-8)
    (model,) = provenance["models"]
    assert model["sha256"] == chgnet.sha256 and model["dtype"] == "float64"
    assert provenance["status"] == "ok" and provenance["versions"]["chgnet"]
    assert (tmp_path / "sp" / "structure.extxyz").is_file()


def test_models_lists_chgnet_offline_and_mace_as_download():
    result = runner.invoke(app, ["models"], env={"COLUMNS": "250"})
    assert result.exit_code == 0
    lines = {line.split()[1]: line for line in result.output.splitlines() if "│ " in line}
    assert "yes" in lines["chgnet"]
    for name in ("mace-mp-0-small", "mace-mp-0-medium", "mace-mp-0-large", "mace-off23-small"):
        assert "needs download" in lines[name]


def test_data_fetch_and_path_through_the_cli(data_dir, tmp_path):
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(data_dir))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        mirror = f"http://127.0.0.1:{server.server_address[1]}"
        dest = tmp_path / "cache"
        result = runner.invoke(
            app, ["data", "fetch", "dmc-ice13", "--dest", str(dest), "--mirror", mirror]
        )
    finally:
        server.shutdown()
        server.server_close()
    assert result.exit_code == 0, result.output
    assert "15 files verified" in result.output
    assert (dest / "dmc_ice13/structures_vasp/XVII/POSCAR").is_file()
    listing = runner.invoke(app, ["data", "path", "dmc-ice13"])
    assert "MISSING" not in listing.output


def run_cli(*args, env=None):
    import os

    return subprocess.run(
        [sys.executable, "-m", "molxtal", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def assert_one_line_error(process, *fragments):
    assert process.returncode != 0
    assert "Traceback" not in process.stderr + process.stdout
    errors = [line for line in process.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, process.stderr
    for fragment in fragments:
        assert fragment in errors[0]


def test_bad_input_gives_one_line_errors(tmp_path, tiny_mace_path):
    broken = tmp_path / "broken.xyz"
    broken.write_text("2\n\nO 0 0 0\nH 0 zero 0\n")
    assert_one_line_error(run_cli("singlepoint", str(broken)), "broken.xyz", "cannot read")

    silicon = tmp_path / "si.xyz"
    from ase.build import bulk

    bulk("Si").write(silicon)
    assert_one_line_error(
        run_cli("singlepoint", str(silicon), "--model", str(tiny_mace_path)),
        "si.xyz",
        "Si",
        "does not cover",
    )
    assert_one_line_error(
        run_cli("singlepoint", str(silicon), "--model", "gpt-potential"), "unknown model"
    )
    missing = run_cli("data", "path", "dmc-ice13", env={"MOLXTAL_DATA": str(tmp_path / "no")})
    assert_one_line_error(missing, "data directory does not exist")
