"""The :class:`Model` record: an ASE calculator plus what molxtal needs to know about it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ase import Atoms
from ase.calculators.calculator import Calculator

from molxtal.errors import MolxtalError

DTYPES = ("float64", "float32")

#: What a model can do beyond its ASE calculator (see :attr:`Model.capabilities`).
HESSIAN = "hessian"
HESSIAN_ROWS = "hessian_rows"
BATCHED_ENERGIES = "batched_energies"
_DESCRIPTIONS = {
    HESSIAN: "analytic Hessian",
    HESSIAN_ROWS: "analytic Hessian rows",
    BATCHED_ENERGIES: "batched energies",
}


@dataclass(frozen=True)
class Abilities:
    """Family-specific fast paths, supplied by the family module in ``molxtal.models``.

    ``hessian(atoms)``: the analytic Hessian (eV/Å², 3N×3N). ``hessian_rows(atoms, rows)``:
    rows ``rows`` of the Hessian of a periodic cell (eV/Å², len(rows)×3N). ``energies(list)``:
    potential energies (eV) of several periodic structures in fewer model passes.
    """

    hessian: Callable[[Atoms], np.ndarray] | None = None
    hessian_rows: Callable[[Atoms, np.ndarray], np.ndarray] | None = None
    energies: Callable[[Sequence[Atoms]], list[float]] | None = None


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
    abilities: Abilities = field(default_factory=Abilities, repr=False)

    @property
    def capabilities(self) -> frozenset[str]:
        """The fast paths this model has: :data:`HESSIAN`, :data:`HESSIAN_ROWS`,
        :data:`BATCHED_ENERGIES` (none once dispersion is added: they see the network only)."""
        if self.dispersion:
            return frozenset()
        a = self.abilities
        offered = {HESSIAN: a.hessian, HESSIAN_ROWS: a.hessian_rows, BATCHED_ENERGIES: a.energies}
        return frozenset(name for name, function in offered.items() if function is not None)

    def _require(self, capability: str, instead: str):
        if capability not in self.capabilities:
            raise MolxtalError(
                f"model '{self.name}' has no {_DESCRIPTIONS[capability]} "
                f"({'not with dispersion added; ' if self.dispersion else ''}{instead})"
            )
        return getattr(self.abilities, capability)

    def hessian(self, atoms: Atoms) -> np.ndarray:
        """The analytic Hessian of ``atoms`` (eV/Å², 3N×3N, symmetrised)."""
        function = self._require(HESSIAN, "use finite differences")
        self.check_elements(atoms)
        n = 3 * len(atoms)
        hessian = np.asarray(function(atoms.copy()), dtype=float).reshape(n, n)
        return 0.5 * (hessian + hessian.T)

    def hessian_rows(self, atoms: Atoms, rows: np.ndarray) -> np.ndarray:
        """Rows ``rows`` (indices into the 3N coordinates) of the analytic Hessian of the
        periodic cell ``atoms`` (eV/Å², len(rows)×3N)."""
        function = self._require(HESSIAN_ROWS, "use finite displacements")
        self.check_elements(atoms)
        return np.asarray(function(atoms.copy(), np.asarray(rows)), dtype=float)

    def energies(self, structures: Sequence[Atoms]) -> list[float]:
        """Potential energies (eV) of ``structures``: batched where the model can, otherwise
        one calculator call each."""
        for k, atoms in enumerate(structures):
            self.check_elements(atoms, atoms.info.get("name", f"structure {k}"))
        if BATCHED_ENERGIES in self.capabilities:
            return [float(e) for e in self.abilities.energies(list(structures))]
        return [float(self.attach(atoms).get_potential_energy()) for atoms in structures]

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
