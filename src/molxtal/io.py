"""Atomic file output: nothing half-written survives a crash.

Every writer goes through :func:`atomic_write`, which writes to a temporary file in the
target directory and renames it into place (``os.replace`` is atomic on POSIX).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

#: Temporary files of :func:`atomic_write` are named ``.<name>.<pid>.<random>.tmp``.
TEMPORARY_SUFFIX = ".tmp"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """A temporary file name next to ``path``, for a writer that opens the file itself
    (phonopy's ``write_*``); flushed to disk and renamed onto ``path`` when the block
    succeeds, with the permissions of the user's umask (as ``open`` would give them), and
    removed when it fails. The name carries the writer's process id, so
    :func:`remove_stale_temporaries` can tell a killed run's leftovers from a running one's."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.name}.{os.getpid()}.", suffix=TEMPORARY_SUFFIX, dir=path.parent
    )
    os.close(fd)
    try:
        yield Path(tmp)
        written = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(written)
        finally:
            os.close(written)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "w") -> Iterator[io.IOBase]:
    """Open a temporary file next to ``path`` (:func:`atomic_path`); flushed to disk and
    renamed onto ``path`` on success."""
    with atomic_path(path) as tmp, open(tmp, mode) as handle:
        yield handle


def process_alive(pid: int) -> bool:
    """Whether a process with id ``pid`` exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temporaries(folder: str | os.PathLike) -> list[Path]:
    """Delete the temporary files that killed runs left in ``folder`` (recursively): those of
    :func:`atomic_write` whose writing process no longer exists. Returns what was removed."""
    removed = []
    folder = Path(folder)
    if not folder.is_dir():
        return removed
    for candidate in folder.rglob(f".*{TEMPORARY_SUFFIX}"):
        parts = candidate.name.split(".")  # ["", name..., pid, random, "tmp"]
        pid = int(parts[-3]) if len(parts) >= 5 and parts[-3].isdigit() else None
        if pid is None or pid == os.getpid() or process_alive(pid):
            continue
        with contextlib.suppress(FileNotFoundError):
            candidate.unlink()
            removed.append(candidate)
    return removed


@contextlib.contextmanager
def folder_lock(folder: str | os.PathLike, on_wait=None) -> Iterator[Path]:
    """Hold an exclusive lock on ``folder`` (a ``.lock`` file in it, ``fcntl.flock``) while
    the block runs. A second run asking for the same folder waits until the first is done
    (``on_wait()`` is called once if it has to wait), then sees everything the first wrote.
    The lock is released by the kernel if the holder is killed."""
    import fcntl

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait()
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            remove_stale_temporaries(folder)
            yield folder
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def to_jsonable(value: Any) -> Any:
    """Convert numpy arrays/scalars, paths and dataclasses to plain JSON types.

    Non-finite floats become ``None`` so that the output is strict JSON.
    """
    if hasattr(value, "__dataclass_fields__"):
        return {k: to_jsonable(getattr(value, k)) for k in value.__dataclass_fields__}
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else None
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


def write_json(path: str | os.PathLike, data: Any) -> Path:
    """Write ``data`` as indented, strict JSON, atomically."""
    with atomic_write(path) as handle:
        json.dump(to_jsonable(data), handle, indent=2, allow_nan=False)
        handle.write("\n")
    return Path(path)


def read_json(path: str | os.PathLike) -> Any:
    """Read a JSON file."""
    with open(path) as handle:
        return json.load(handle)


def write_csv(
    path: str | os.PathLike,
    rows: Iterable[Mapping[str, Any]],
    fieldnames: Sequence[str] | None = None,
) -> Path:
    """Write a list of dicts as CSV, atomically. Column names should carry units."""
    rows = [to_jsonable(dict(r)) for r in rows]
    if fieldnames is None:
        fieldnames = list(dict.fromkeys(k for r in rows for k in r))
    with atomic_write(path) as handle:
        writer = csv.DictWriter(handle, fieldnames=list(fieldnames), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return Path(path)


def save_figure(path: str | os.PathLike, figure, dpi: int = 150) -> Path:
    """Save a matplotlib figure atomically (PNG unless the suffix says otherwise)."""
    path = Path(path)
    fmt = path.suffix.lstrip(".") or "png"
    with atomic_write(path, "wb") as handle:
        figure.savefig(handle, format=fmt, dpi=dpi, bbox_inches="tight")
    return path


def write_atoms(path: str | os.PathLike, images, format: str = "extxyz") -> Path:
    """Write one or several ASE Atoms atomically (extxyz by default)."""
    from ase.io import write

    buffer = io.StringIO()
    write(buffer, images, format=format)
    with atomic_write(path) as handle:
        handle.write(buffer.getvalue())
    return Path(path)


def sha256_file(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    """SHA-256 hex digest of a file."""
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()
