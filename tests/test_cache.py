"""The study's step cache: stored records, unreadable ones recomputed (keys: test_keys.py)."""

import pytest

from molxtal.study.cache import RESULT, Cache


def test_cache_store_and_load(tmp_path):
    cache = Cache(tmp_path)
    assert cache.load("step", "abc") is None
    cache.store("step", "abc", {"values": {"x": (1.0, float("nan"))}})
    assert cache.load("step", "abc") == {"values": {"x": [1.0, None]}}
    assert not list((tmp_path / "step" / "abc").glob(".*tmp"))


@pytest.mark.parametrize("content", ["", '{"values": {"x": 1', "[1, 2]", '{"task": {}}'])
def test_unreadable_result_is_recomputed_not_a_traceback(tmp_path, content):
    """A 0-byte, cut-off or foreign result.json counts as not computed (issue 14)."""
    cache = Cache(tmp_path)
    cache.folder("step", "abc").mkdir(parents=True)
    (cache.folder("step", "abc") / RESULT).write_text(content)
    assert cache.load("step", "abc") is None
