"""DFT-D3 dispersion through torch-dftd, added to any calculator."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from ase import units
from ase.calculators.calculator import Calculator
from ase.calculators.mixing import SumCalculator

from molxtal.errors import MolxtalError

DAMPINGS = ("zero", "bj", "zerom", "bjm")


@dataclass(frozen=True)
class D3Settings:
    """DFT-D3 parameters. The defaults follow MACE-MP-0's convention: PBE, BJ damping,
    40 Bohr cutoff for the pair term and 40 Bohr for the coordination number."""

    functional: str = "pbe"
    damping: str = "bj"
    cutoff_angstrom: float = 40.0 * units.Bohr
    cn_cutoff_angstrom: float = 40.0 * units.Bohr

    def as_dict(self) -> dict:
        return {"method": "d3", **asdict(self)}


def d3_calculator(settings: D3Settings, dtype: str = "float64", device: str = "cpu") -> Calculator:
    """A torch-dftd D3 calculator with the given settings."""
    from torch_dftd.torch_dftd3_calculator import TorchDFTD3Calculator

    if settings.damping not in DAMPINGS:
        raise MolxtalError(f"unknown D3 damping '{settings.damping}'; choose one of {DAMPINGS}")
    return TorchDFTD3Calculator(
        xc=settings.functional.lower(),
        damping=settings.damping,
        cutoff=settings.cutoff_angstrom,
        cnthr=settings.cn_cutoff_angstrom,
        device=device,
        dtype=torch.float64 if dtype == "float64" else torch.float32,
    )


def with_d3(calculator: Calculator, settings: D3Settings, dtype="float64", device="cpu"):
    """Return ``calculator + D3`` as an ASE ``SumCalculator``."""
    return SumCalculator([calculator, d3_calculator(settings, dtype, device)])
