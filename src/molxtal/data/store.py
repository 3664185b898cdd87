"""Where reference data lives, and how it is downloaded with checksum verification.

Search order for a data file: the directory given with ``--data-dir`` (:func:`use_data_dir`),
then ``$MOLXTAL_DATA``, then the user cache filled by ``molxtal data fetch``.
"""

from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from molxtal.data.manifest import MANIFEST
from molxtal.errors import MolxtalError
from molxtal.io import atomic_write

_explicit_dir: Path | None = None


def use_data_dir(path: str | Path | None) -> None:
    """Make ``path`` the first place searched for data (``--data-dir``)."""
    global _explicit_dir
    if path is not None and not Path(path).is_dir():
        raise MolxtalError(f"{path}: data directory does not exist")
    _explicit_dir = Path(path) if path is not None else None


def cache_dir() -> Path:
    """The user cache that ``molxtal data fetch`` fills (``$XDG_CACHE_HOME/molxtal/data``)."""
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "molxtal" / "data"


def search_dirs() -> list[Path]:
    """The data directories searched, in order."""
    dirs = []
    if _explicit_dir is not None:
        dirs.append(_explicit_dir)
    env = os.environ.get("MOLXTAL_DATA")
    if env:
        if not Path(env).is_dir():
            raise MolxtalError(f"MOLXTAL_DATA={env}: data directory does not exist")
        dirs.append(Path(env))
    dirs.append(cache_dir())
    return dirs


def dataset_of(relpath: str) -> str:
    for name, files in MANIFEST.items():
        if any(rel == relpath for rel, _, _ in files):
            return name
    raise KeyError(relpath)


def data_file(relpath: str) -> Path:
    """Absolute path of a reference data file, or a one-line error saying how to get it."""
    for folder in search_dirs():
        candidate = folder / relpath
        if candidate.is_file():
            return candidate
    dataset = dataset_of(relpath)
    searched = ", ".join(str(d) for d in search_dirs())
    raise MolxtalError(
        f"reference file {relpath} not found (searched {searched}); set MOLXTAL_DATA to a "
        f"data directory or run `molxtal data fetch {dataset}`"
    )


@dataclass
class FileStatus:
    relpath: str
    url: str
    path: Path | None


def dataset_status(name: str) -> list[FileStatus]:
    """Each file of data set ``name`` with the local path where it was found (or None)."""
    statuses = []
    for relpath, url, _ in _files(name):
        found = next((d / relpath for d in search_dirs() if (d / relpath).is_file()), None)
        statuses.append(FileStatus(relpath, url, found))
    return statuses


def _files(name: str) -> list[tuple[str, str, str]]:
    if name not in MANIFEST:
        raise MolxtalError(f"unknown data set '{name}'; choose one of {', '.join(MANIFEST)}")
    return MANIFEST[name]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch(
    name: str, dest: str | Path | None = None, mirror: str | None = None, timeout: float = 30.0
) -> list[Path]:
    """Download data set ``name`` into ``dest`` (the user cache by default), verifying SHA-256.

    ``mirror`` (or ``$MOLXTAL_DATA_MIRROR``) replaces the public sources by ``<mirror>/<relpath>``.
    Each file is written to a temporary name and renamed only once its checksum matches, so a
    failed download never leaves a partial or wrong file behind. Files already present with the
    right checksum are not downloaded again.
    """
    dest = Path(dest) if dest is not None else cache_dir()
    mirror = mirror or os.environ.get("MOLXTAL_DATA_MIRROR")
    written = []
    for relpath, url, sha256 in _files(name):
        target = dest / relpath
        if target.is_file() and _sha256(target) == sha256:
            written.append(target)
            continue
        source = f"{mirror.rstrip('/')}/{relpath}" if mirror else url
        try:
            with urllib.request.urlopen(source, timeout=timeout) as response:
                content = response.read()
        except urllib.error.HTTPError as exc:
            raise MolxtalError(f"{source}: download failed (HTTP {exc.code} {exc.reason})") from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise MolxtalError(f"{source}: download failed ({reason})") from exc
        digest = hashlib.sha256(content).hexdigest()
        if digest != sha256:
            raise MolxtalError(
                f"{source}: checksum mismatch (expected sha256 {sha256[:12]}…, got "
                f"{digest[:12]}…); file not saved"
            )
        with atomic_write(target, "wb") as handle:
            handle.write(content)
        written.append(target)
    return written
