"""Progress of the study's steps in logs: a heartbeat line on stderr at least every
:data:`HEARTBEAT_S` seconds while a step runs, with done/total, rate and ETA of whatever the
step reports through :func:`step_progress` (e.g. its MD steps)."""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Callable, Iterator

from molxtal.progress import count_text

#: Seconds between two heartbeat lines.
HEARTBEAT_S = 60.0
_state = threading.local()


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


@contextlib.contextmanager
def heartbeat(label: str, interval_s: float = HEARTBEAT_S) -> Iterator[None]:
    """While the block runs, a line ``label: running, N s elapsed[, what done/total, rate,
    ETA]`` every ``interval_s``; a line when it starts and when it ends."""
    start = time.perf_counter()
    counter: dict = {}
    _state.counter = counter
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(interval_s):
            line = f"{label}: running, {time.perf_counter() - start:.0f} s elapsed"
            if counter:
                elapsed = time.perf_counter() - counter["start"]
                counts = count_text(counter["done"], counter["total"], elapsed)
                line += f"; {counter['what']} {counts}"
            _say(line)

    _say(f"{label}: started")
    thread = threading.Thread(target=beat, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        _state.counter = None
        _say(f"{label}: finished after {time.perf_counter() - start:.0f} s")


@contextlib.contextmanager
def step_progress(description: str, total: int) -> Iterator[Callable[[int], None]]:
    """A :data:`~molxtal.progress.ProgressBar` whose counts the running step's
    :func:`heartbeat` reports (nothing is shown outside one)."""
    counter = getattr(_state, "counter", None)
    if counter is None:
        yield lambda n=1: None
        return
    counter.update(what=description, done=0, total=total, start=time.perf_counter())

    def advance(n: int = 1) -> None:
        counter["done"] += n

    yield advance
