"""Progress of long work, as workflows see it: a ``progress_bar(description, total)`` context
manager yielding ``advance(n=1)``. The CLI passes rich bars on a terminal and log lines
otherwise (``molxtal.cli.console.progress_bar``); a library caller passes nothing."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

#: ``progress_bar(description, total)``: a context manager yielding ``advance(n=1)``; a
#: ``total`` ≤ 0 means the count is not known in advance.
ProgressBar = Callable[[str, int], AbstractContextManager[Callable[[int], None]]]
#: Seconds between progress lines when the output is not a terminal (a batch job's log).
LOG_INTERVAL_S = 60.0


@contextlib.contextmanager
def no_progress(description: str, total: int) -> Iterator[Callable[[int], None]]:
    """A :data:`ProgressBar` that shows nothing."""
    yield lambda n=1: None


class LogProgress:
    """Progress as log lines on stderr (done/total, rate, elapsed, ETA; a ``total`` ≤ 0 is
    not known in advance: done, rate, elapsed), at most every ``interval`` seconds and at the
    end."""

    def __init__(self, description: str, total: int, interval: float = LOG_INTERVAL_S):
        self.description, self.total, self.interval = description, total, interval
        self.done = 0
        self.start = self.last = time.monotonic()

    def advance(self, n: int = 1) -> None:
        self.done += n
        if time.monotonic() - self.last >= self.interval or self.done == self.total:
            self._print()

    def finish(self) -> None:
        """The last line, unless :meth:`advance` has just printed it (a known total)."""
        if self.done != self.total:
            self._print()

    def _print(self) -> None:
        self.last = time.monotonic()
        counts = count_text(self.done, self.total, self.last - self.start)
        print(
            f"{time.strftime('%H:%M:%S')} {self.description}: {counts}",
            file=sys.stderr,
            flush=True,
        )


def count_text(done: int, total: int, elapsed_s: float) -> str:
    """``done/total (rate/s, elapsed N s, ETA N s)``; a ``total`` ≤ 0 (not known in advance)
    gives ``done done (rate/s, elapsed N s)``."""
    rate = done / elapsed_s if elapsed_s > 0 else 0.0
    if total <= 0:
        return f"{done} done ({rate:.3g}/s, elapsed {elapsed_s:.0f} s)"
    eta = f"{(total - done) / rate:.0f} s" if rate > 0 else "unknown"
    return f"{done}/{total} ({rate:.3g}/s, elapsed {elapsed_s:.0f} s, ETA {eta})"


@contextlib.contextmanager
def log_progress(description: str, total: int) -> Iterator[Callable[[int], None]]:
    """A :data:`ProgressBar` that logs (see :class:`LogProgress`), with a last line at the
    end of the block."""
    progress = LogProgress(description, total)
    yield progress.advance
    progress.finish()
