"""Log-line progress (``molxtal.progress``), as a batch job's log shows it."""

import time

from molxtal.progress import LogProgress, log_progress
from molxtal.study.progress import heartbeat, step_progress


def test_log_lines_count_rate_and_eta(capsys):
    progress = LogProgress("forces", 4, interval=0.0)
    for _ in range(4):
        progress.advance()
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 4
    assert "forces: 4/4" in lines[-1] and "ETA 0 s" in lines[-1]


def test_a_count_not_known_in_advance_has_no_eta(capsys):
    progress = LogProgress("random snapshots", 0, interval=0.0)
    progress.advance(3)
    line = capsys.readouterr().err.strip()
    assert "random snapshots: 3 done" in line and "ETA" not in line and "/0" not in line


def test_lines_wait_for_the_interval_but_the_last_one_is_shown(capsys):
    progress = LogProgress("MD steps", 100, interval=3600.0)
    for _ in range(100):
        progress.advance()
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and "MD steps: 100/100" in lines[0]


def test_a_count_not_known_in_advance_gets_its_last_line_at_the_end(capsys):
    with log_progress("random snapshots", 0) as advance:  # the default interval: a minute
        advance(1)
        advance(2)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and "random snapshots: 3 done" in lines[0]


def test_a_study_step_beats_with_the_counts_its_work_reports(capsys):
    with heartbeat("step water-md (so3lr)", interval_s=0.05), step_progress("MD steps", 10) as step:
        step(4)
        time.sleep(0.2)
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "step water-md (so3lr): started"
    assert any("running" in line and "MD steps 4/10" in line and "ETA" in line for line in lines)
    assert lines[-1].startswith("step water-md (so3lr): finished after")
