"""One key for every cache and checkpoint (molxtal.keys.cache_key): each input that changes a
number changes the key; the device and the order of the parameters do not (issue 14)."""

from __future__ import annotations

import dataclasses

import pytest
from ase.calculators.lj import LennardJones

from molxtal.keys import cache_key
from molxtal.models import Model, load_model
from molxtal.structures import water_dimer, water_molecule

LJ = "ase.calculators.lj:LennardJones"


@pytest.fixture
def model() -> Model:
    return load_model(LJ, model_kwargs={"sigma": 2.5, "epsilon": 0.01})


def _variants(model: Model) -> dict[str, str]:
    """The key of a base computation and of one change of each input in turn."""
    water = water_molecule()
    base = {"delta_angstrom": 0.01, "nfree": 2}

    def moved(change):
        atoms = water.copy()
        change(atoms)
        return atoms

    def recalibrated(**parameters):
        changed = dataclasses.replace(model, calculator=LennardJones(**parameters))
        return cache_key("vibrations", changed, water, **base)

    return {
        "base": cache_key("vibrations", model, water, **base),
        "kind": cache_key("phonons", model, water, **base),
        "model spec": cache_key("vibrations", load_model("ase.calculators.emt:EMT"), water, **base),
        "--model-kwargs": cache_key(
            "vibrations", load_model(LJ, model_kwargs={"sigma": 2.5, "epsilon": 0.02}), water,
            **base,
        ),
        "calculator parameters": recalibrated(sigma=2.5, epsilon=0.03),
        "dtype": cache_key("vibrations", dataclasses.replace(model, dtype="float32"), water,
                           **base),
        "weights sha256": cache_key(
            "vibrations", dataclasses.replace(model, sha256="0" * 64), water, **base
        ),
        "dispersion": cache_key(
            "vibrations", dataclasses.replace(model, dispersion={"functional": "pbe"}), water,
            **base,
        ),
        "position 1e-6 Å": cache_key(
            "vibrations", model, moved(lambda a: a.positions.__setitem__((0, 0), 1e-6)), **base
        ),
        "isotope mass": cache_key(
            "vibrations", model, moved(lambda a: a.set_masses([16.0, 2.014, 1.008])), **base
        ),
        "cell": cache_key("vibrations", model, moved(lambda a: a.set_cell([9, 9, 9])), **base),
        "pbc": cache_key(
            "vibrations", model, moved(lambda a: (a.set_cell([9, 9, 9]), a.set_pbc(True))),
            **base,
        ),
        "structure": cache_key("vibrations", model, water_dimer(), **base),
        "parameter value": cache_key("vibrations", model, water, delta_angstrom=0.02, nfree=2),
        "extra parameter": cache_key("vibrations", model, water, **base, temperature_K=300.0),
    }  # fmt: skip


def test_each_input_changes_the_key(model):
    keys = _variants(model)
    assert len(set(keys.values())) == len(keys), {
        name: key for name, key in keys.items() if list(keys.values()).count(key) > 1
    }


def test_device_and_parameter_order_do_not(model):
    water = water_molecule()
    key = cache_key("vibrations", model, water, delta_angstrom=0.01, nfree=2)
    on_gpu = dataclasses.replace(model, device="cuda")
    assert cache_key("vibrations", on_gpu, water, nfree=2, delta_angstrom=0.01) == key
    assert cache_key("vibrations", model, water_molecule(), delta_angstrom=0.01, nfree=2) == key
