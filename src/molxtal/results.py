"""Result directories: results.json, CSV tables, figures, provenance.json and a log."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from molxtal import io
from molxtal.provenance import Provenance

LOG_NAME = "molxtal.log"


def default_out_dir(command: str, root: str | Path = "molxtal-results") -> Path:
    """``molxtal-results/<command>-<timestamp>``, unique to the second."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path(root) / f"{command}-{stamp}"


class ResultDir:
    """One run's output folder. Every file in it is written atomically."""

    def __init__(self, path: str | Path, provenance: Provenance | None = None):
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.provenance = provenance if provenance is not None else Provenance()
        self.logger = logging.getLogger("molxtal")
        self._handler = logging.FileHandler(self.path / LOG_NAME)
        self._handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        self.logger.addHandler(self._handler)
        self.logger.setLevel(logging.INFO)

    def file(self, name: str) -> Path:
        """Path of a file inside the result directory (sub-folders are created)."""
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def write_json(self, name: str, data: Any) -> Path:
        return io.write_json(self.file(name), data)

    def write_csv(self, name: str, rows, fieldnames=None) -> Path:
        return io.write_csv(self.file(name), rows, fieldnames)

    def save_figure(self, name: str, figure) -> Path:
        import matplotlib.pyplot as plt

        path = io.save_figure(self.file(name), figure)
        plt.close(figure)
        return path

    def write_atoms(self, name: str, images, format: str = "extxyz") -> Path:
        return io.write_atoms(self.file(name), images, format=format)

    def write_provenance(self) -> Path:
        return io.write_json(self.file("provenance.json"), self.provenance.as_dict())

    def close(self, status: str = "ok") -> None:
        """Finish the provenance record, write it, and detach the log handler."""
        self.provenance.finish(status)
        self.write_provenance()
        self.logger.removeHandler(self._handler)
        self._handler.close()
