"""Step keys: every ingredient of a step changes its key, nothing else does."""

from molxtal.structures import water_dimer, water_molecule
from molxtal.study.cache import Cache, step_key, structure_hash


def test_structure_hash_sees_geometry_not_identity():
    water = water_molecule()
    assert structure_hash(water) == structure_hash(water_molecule())
    moved = water.copy()
    moved.positions[0, 0] += 1e-6
    assert structure_hash(moved) != structure_hash(water)
    assert structure_hash(water_dimer()) != structure_hash(water)


def test_step_key_depends_on_each_ingredient_only():
    base = ("water-monomer", "s" * 64, "m" * 64, "float64", {"fmax": 1e-3, "steps": 10})
    key = step_key(*base)
    assert (
        step_key("water-monomer", "s" * 64, "m" * 64, "float64", {"steps": 10, "fmax": 1e-3}) == key
    )
    variants = [
        ("water-dimer", *base[1:]),
        (base[0], "t" * 64, *base[2:]),
        (*base[:2], "n" * 64, *base[3:]),
        (*base[:3], "float32", base[4]),
        (*base[:4], {"fmax": 1e-4, "steps": 10}),
    ]
    assert len({step_key(*v) for v in variants} | {key}) == len(variants) + 1


def test_cache_store_and_load(tmp_path):
    cache = Cache(tmp_path)
    assert cache.load("step", "abc") is None
    cache.store("step", "abc", {"values": {"x": (1.0, float("nan"))}})
    assert cache.load("step", "abc") == {"values": {"x": [1.0, None]}}
    assert not list((tmp_path / "step" / "abc").glob(".*tmp"))
