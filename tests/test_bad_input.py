"""Every bad input of ``tests/bad_inputs.py`` ends in one ``Error:`` line naming the problem,
exit status 2, no traceback, and no change on disk (the table in docs/reliability.md)."""

from __future__ import annotations

import pytest
from bad_inputs import CASES, describe, passes, prepare, run

PARAMETERS = [pytest.param(case, id=case.id) for case in CASES]


def test_at_least_forty_distinct_cases():
    assert len(CASES) >= 40
    assert len({case.id for case in CASES}) == len({case.args for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", PARAMETERS)
def test_bad_input_is_one_line_error(case, tmp_path, tiny_mace_path):
    prepare(tmp_path, tiny_mace_path)
    outcome = run(case, tmp_path)
    assert outcome.traceback is None, outcome.traceback
    assert outcome.exit_code == 2, describe(outcome)
    assert len(outcome.errors) == 1, outcome.output
    assert case.expect in outcome.errors[0]
    assert outcome.changed == [], f"changed on disk: {outcome.changed}"
    assert passes(case, outcome)
