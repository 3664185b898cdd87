"""SO3LR: SO3krates plus explicit short-range repulsion, electrostatics and dispersion.

The weights ship inside the ``so3krates-torch`` wheel (``so3krates_torch/pretrained/so3lr``),
so the model loads offline. Energies in eV, forces in eV/Å, stress in eV/Å³ (ASE conventions).

SO3LR was trained on forces, dipoles and Hirshfeld ratios, not on energies (its authors' README:
"only relative energies are meaningful"): every element carries the same untrained per-atom
shift, so the energy of one structure is defined up to a constant per atom. Differences between
structures with the same atoms (polymorphs, a crystal and its molecules, a dissociation curve)
are the integral of the trained forces along a path between them, and only as good as the model
is along that path.
"""

from __future__ import annotations

import contextlib
import functools
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch

from molxtal.errors import MolxtalError
from molxtal.io import sha256_file
from molxtal.models.base import Model

#: Elements SO3LR was trained on (the only ones whose learned per-element energy scale moved
#: from its initial value 1; the JACS 2025 paper's training sets cover the same eight).
SO3LR_ELEMENTS = frozenset({"H", "C", "N", "O", "F", "P", "S", "Cl"})

#: Long-range options of ``SO3LRCalculator`` and its defaults (Å): the cutoff of the
#: electrostatics (truncated, no Ewald sum) and dispersion pair lists, and the width of the
#: switching region below that cutoff over which the dispersion is damped to zero.
SO3LR_DEFAULTS: dict[str, float] = {"r_max_lr": 12.0, "dispersion_energy_cutoff_lr_damping": 2.0}

SO3LR_REFERENCE = "Kabylda et al., J. Am. Chem. Soc. 147, 33723 (2025)"


@contextlib.contextmanager
def _default_dtype(dtype: torch.dtype) -> Iterator[None]:
    """so3krates-torch builds its input tensors in torch's default dtype: set it for a block."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        yield
    finally:
        torch.set_default_dtype(previous)


@functools.cache
def calculator_class():
    """so3krates-torch's ``SO3LRCalculator`` with molxtal's stress and precision handling."""
    from ase.calculators.calculator import Calculator, all_changes
    from so3krates_torch.calculator.so3 import SO3LRCalculator

    class MolxtalSO3LRCalculator(SO3LRCalculator):
        """``SO3LRCalculator``, computing the stress only where it is defined and wanted.

        The package computes the stress when its constructor's ``compute_stress`` is set, on
        every call. Here it is decided per call: for a periodic structure when it is asked for,
        or in the same pass as the forces while ``include_stress`` is true (see
        :meth:`molxtal.models.base.Model.include_stress`); never for a molecule. Each call runs
        with torch's default dtype set to the weights' and restores it afterwards.
        """

        def __init__(self, dtype: torch.dtype, **kwargs: Any):
            with _default_dtype(dtype), contextlib.redirect_stdout(io.StringIO()):
                super().__init__(default_dtype=str(dtype).removeprefix("torch."), **kwargs)
            self.dtype = dtype
            self.include_stress = True

        def calculate(self, atoms=None, properties=None, system_changes=all_changes):
            Calculator.calculate(self, atoms, properties, system_changes)
            pbc = self.atoms.pbc
            wanted = set(properties or ())
            if pbc.any() and not pbc.all():
                raise MolxtalError(
                    f"so3lr: partially periodic structures (pbc={pbc.tolist()}) are not "
                    "supported; use pbc=True (crystal) or pbc=False (molecule)"
                )
            if "stress" in wanted and not pbc.all():
                raise MolxtalError("stress is not defined for an isolated molecule (pbc=False)")
            self.compute_stress = bool(pbc.all()) and ("stress" in wanted or self.include_stress)
            with _default_dtype(self.dtype):
                super().calculate(atoms, properties, system_changes)

    return MolxtalSO3LRCalculator


def so3lr_weights_path() -> Path:
    """The SO3LR weight file inside the installed ``so3krates-torch`` package."""
    import so3krates_torch

    return Path(so3krates_torch.__file__).parent / "pretrained" / "so3lr" / "so3lr.model"


def so3lr_options(kwargs: dict[str, Any] | None) -> dict[str, float]:
    """The long-range options (Å): :data:`SO3LR_DEFAULTS` updated with ``kwargs``."""
    kwargs = dict(kwargs or {})
    unknown = sorted(set(kwargs) - set(SO3LR_DEFAULTS))
    if unknown:
        raise MolxtalError(
            f"so3lr does not take {', '.join(unknown)}; its --model-kwargs are "
            f"{', '.join(SO3LR_DEFAULTS)} (Å)"
        )
    options = {**SO3LR_DEFAULTS, **kwargs}
    for key, value in options.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise MolxtalError(f"so3lr: {key} must be a positive number of Å, not {value!r}")
    if options["dispersion_energy_cutoff_lr_damping"] >= options["r_max_lr"]:
        raise MolxtalError("so3lr: dispersion_energy_cutoff_lr_damping must be below r_max_lr")
    return {key: float(value) for key, value in options.items()}


def load_so3lr(
    dtype: str = "float64", device: str = "cpu", model_kwargs: dict[str, Any] | None = None
) -> Model:
    """Load SO3LR offline as a :class:`Model` (float64 or float32, CPU or CUDA).

    ``model_kwargs`` may set ``r_max_lr`` and ``dispersion_energy_cutoff_lr_damping`` (Å; see
    :data:`SO3LR_DEFAULTS`). A model with non-default options is named after them, e.g.
    ``so3lr(r_max_lr=20)``, so that cached results of different settings never mix.
    """
    from importlib.metadata import version

    options = so3lr_options(model_kwargs)
    torch_dtype = torch.float64 if dtype == "float64" else torch.float32
    calculator = calculator_class()(dtype=torch_dtype, device=device, **options)
    changed = [f"{k}={options[k]:g}" for k in SO3LR_DEFAULTS if options[k] != SO3LR_DEFAULTS[k]]
    weights = so3lr_weights_path()
    return Model(
        name=f"so3lr({', '.join(changed)})" if changed else "so3lr",
        family="SO3LR",
        calculator=calculator,
        dtype=dtype,
        device=device,
        path=str(weights),
        sha256=sha256_file(weights),
        elements=SO3LR_ELEMENTS,
        extra={
            "version": version("so3krates-torch"),
            "r_max_angstrom": float(calculator.r_max),
            "long_range_angstrom": options,
            "long_range_defaults_angstrom": dict(SO3LR_DEFAULTS),
            "built_in": "ZBL repulsion, shifted-force Coulomb of learned charges, "
            "dispersion from learned Hirshfeld ratios",
        },
    )
