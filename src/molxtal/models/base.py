"""The :class:`Model` record: an ASE calculator plus what molxtal needs to know about it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ase import Atoms
from ase.calculators.calculator import Calculator

from molxtal.errors import MolxtalError

DTYPES = ("float64", "float32")


@dataclass
class Model:
    """A loaded model, ready to evaluate structures.

    ``calculator`` is a plain ASE calculator, so every ASE tool works with it. ``elements`` is
    the set of chemical symbols the model covers (``None`` when unknown, e.g. a plug-in).
    """

    name: str
    family: str
    calculator: Calculator
    dtype: str = "float64"
    device: str = "cpu"
    path: str | None = None
    sha256: str | None = None
    elements: frozenset[str] | None = None
    periodic_only: bool = False
    dispersion: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def check_elements(self, atoms: Atoms | Iterable[str], source: str = "the input") -> None:
        """Raise a one-line error if ``atoms`` holds an element the model does not cover."""
        if self.elements is None:
            return
        symbols = atoms.get_chemical_symbols() if isinstance(atoms, Atoms) else list(atoms)
        missing = sorted(set(symbols) - self.elements)
        if missing:
            raise MolxtalError(
                f"{source} contains element(s) {', '.join(missing)} that model "
                f"'{self.name}' does not cover"
            )

    def attach(self, atoms: Atoms, source: str = "the input") -> Atoms:
        """Check the elements and return a copy of ``atoms`` with this model as calculator."""
        self.check_elements(atoms, source)
        copy = atoms.copy()
        copy.calc = self.calculator
        return copy

    def include_stress(self, wanted: bool) -> None:
        """Whether evaluations of periodic structures compute the stress in the same pass even
        when only energy and forces are asked for (the default, as chgnet's calculator does).

        A hint: calculators that always compute everything (MACE, plug-ins) ignore it. A stress
        asked for explicitly is always computed.
        """
        if hasattr(self.calculator, "include_stress"):
            self.calculator.include_stress = wanted

    @contextmanager
    def forces_only(self) -> Iterator[Model]:
        """Within the block, skip the stress unless it is asked for (phonons, NVT steps)."""
        previous = getattr(self.calculator, "include_stress", True)
        self.include_stress(False)
        try:
            yield self
        finally:
            self.include_stress(previous)

    def provenance(self) -> dict[str, Any]:
        """What identifies this model in ``provenance.json``."""
        return {
            "name": self.name,
            "family": self.family,
            "path": self.path,
            "sha256": self.sha256,
            "dtype": self.dtype,
            "device": self.device,
            "dispersion": self.dispersion,
            **self.extra,
        }
