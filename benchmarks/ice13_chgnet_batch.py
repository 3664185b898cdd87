"""CHGNet on DMC-ICE13: batched energy-only prediction against the ASE calculator path.

Prints the wall time of both paths and the largest energy difference (eV) over the 13 cells;
the batched path is used by ``molxtal ice13`` only because the difference is below 1e-6 eV.

    MOLXTAL_DATA=../shared/refdata PYTHONPATH=src python benchmarks/ice13_chgnet_batch.py
"""

from __future__ import annotations

import time

from molxtal.data import dmc_ice13
from molxtal.models import load_model
from molxtal.workflows.lattice_energy import crystal_energies


def main(batch_size: int = 8) -> None:
    model = load_model("chgnet", dtype="float64")
    cells = list(dmc_ice13.polymorphs().values())
    start = time.perf_counter()
    ase_path = [float(model.attach(atoms).get_potential_energy()) for atoms in cells]
    t_ase = time.perf_counter() - start
    start = time.perf_counter()
    batched = crystal_energies(cells, model, batch_size=batch_size)
    t_batch = time.perf_counter() - start
    worst = max(abs(a - b) for a, b in zip(ase_path, batched, strict=True))
    print(f"ASE calculator path: {t_ase:.1f} s; batched (batch_size {batch_size}): {t_batch:.1f} s")
    print(f"max |E_ase - E_batched| over 13 cells: {worst:.2e} eV")


if __name__ == "__main__":
    main()
