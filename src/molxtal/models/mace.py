"""MACE models: foundation models through mace-torch's own loaders, or any ``.model`` file."""

from __future__ import annotations

import contextlib
import functools
import io
import os
import socket
import urllib.parse
from pathlib import Path

from molxtal.errors import MolxtalError
from molxtal.io import sha256_file
from molxtal.models.base import Abilities, Model

#: Hessian rows per vectorised backward pass (``torch.vmap`` chunk) on a GPU. On a CPU one row
#: per pass is fastest (64-channel MACE, 36 atoms, one core: 27 s for 108 rows one at a time,
#: 39 s in chunks of 16, 68 s all at once).
HESSIAN_ROWS_PER_PASS = 16

#: Seconds to wait for the download host before declaring the machine offline.
NETWORK_PROBE_TIMEOUT_S = 10.0


def import_mace() -> None:
    """Import mace-torch without its start-up chatter on stdout (before e3nn, see README)."""
    with contextlib.redirect_stdout(io.StringIO()):
        import mace.calculators  # noqa: F401


def foundation_url(loader: str, size: str) -> str:
    """The URL mace-torch downloads a foundation model from (``loader`` is mace-mp or mace-off)."""
    import_mace()
    from mace.calculators.foundations_models import mace_mp_urls, mace_off_urls

    return (mace_mp_urls if loader == "mace-mp" else mace_off_urls)[size]


def foundation_cache_path(loader: str, size: str) -> Path:
    """Where mace-torch caches a foundation model (the same naming as its loaders)."""
    import_mace()
    from mace.tools.utils import get_cache_dir

    basename = os.path.basename(foundation_url(loader, size)).split("?")[0]
    if loader == "mace-mp":
        basename = "".join(c for c in basename if c.isalnum() or c in "_")
    return Path(get_cache_dir()) / basename


def _probe_network(url: str) -> str | None:
    """Return ``None`` if the host of ``url`` accepts a connection, else the reason it did not."""
    host = urllib.parse.urlparse(url).hostname
    try:
        with socket.create_connection((host, 443), timeout=NETWORK_PROBE_TIMEOUT_S):
            return None
    except OSError as exc:
        return f"{type(exc).__name__}: {exc}"


def download_foundation(name: str, loader: str, size: str) -> Path:
    """Return the cached checkpoint of a foundation model, downloading it with mace-torch.

    Offline, fails within :data:`NETWORK_PROBE_TIMEOUT_S` with a one-line explanation.
    """
    cached = foundation_cache_path(loader, size)
    if cached.is_file():
        return cached
    url = foundation_url(loader, size)
    reason = _probe_network(url)
    if reason is None:
        from mace.calculators.foundations_models import download_mace_mp_checkpoint, mace_off

        try:
            with contextlib.redirect_stdout(io.StringIO()):
                if loader == "mace-mp":
                    return Path(download_mace_mp_checkpoint(size))
                mace_off(model=size, device="cpu", return_raw_model=True)
                return cached
        except Exception as exc:  # network errors surface as many types
            reason = f"{type(exc).__name__}: {exc}"
    raise MolxtalError(
        f"cannot download model '{name}' from {url} ({reason}); download that file on a "
        f"machine with internet and pass its path with --model /path/to/file.model "
        f"(or copy it to {cached})"
    )


def mace_hessian(atoms, calculator):
    """MACE's analytic Hessian (eV/Å², 3N×3N) through mace's own ``get_hessian``."""
    return calculator.get_hessian(atoms)


def mace_hessian_rows(atoms, rows, calculator):
    """Rows ``rows`` of MACE's Hessian of the periodic cell ``atoms`` (eV/Å², len(rows)×3N):
    the forces through mace's own data pipeline, then d(-F)/dx row by row with
    ``torch.autograd.grad``, vectorised over rows with ``torch.vmap``."""
    import torch

    data = calculator._atoms_to_batch(atoms).to_dict()
    forces = calculator.models[0](data, compute_force=True, training=True)["forces"].reshape(-1)
    positions = data["positions"]
    unit = torch.eye(forces.numel(), dtype=forces.dtype, device=forces.device)[rows]

    def row(v):
        return torch.autograd.grad(-forces, positions, v, retain_graph=True)[0].reshape(-1)

    chunk = 1 if forces.device.type == "cpu" else HESSIAN_ROWS_PER_PASS
    return torch.vmap(row, chunk_size=chunk)(unit).detach().cpu().numpy()


def load_mace_file(
    path: str | Path, dtype: str = "float64", device: str = "cpu", name=None
) -> Model:
    """Load any MACE ``.model`` file as a :class:`Model`."""
    import_mace()
    from ase.data import chemical_symbols
    from mace.calculators import MACECalculator

    path = Path(path)
    if not path.is_file():
        raise MolxtalError(f"{path}: model file not found")
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            calculator = MACECalculator(model_paths=str(path), device=device, default_dtype=dtype)
    except Exception as exc:
        raise MolxtalError(
            f"{path}: not a loadable MACE model ({type(exc).__name__}: {exc})"
        ) from exc
    network = calculator.models[0]
    elements = frozenset(chemical_symbols[int(z)] for z in network.atomic_numbers)
    return Model(
        name=name or path.stem,
        family="MACE",
        calculator=calculator,
        dtype=dtype,
        device=device,
        path=str(path.resolve()),
        sha256=sha256_file(path),
        elements=elements,
        extra={"r_max_angstrom": float(network.r_max)},
        abilities=Abilities(
            hessian=functools.partial(mace_hessian, calculator=calculator),
            hessian_rows=functools.partial(mace_hessian_rows, calculator=calculator),
        ),
    )


def build_random_mace(
    elements: list[str],
    r_max: float = 4.0,
    channels: int = 16,
    max_l: int = 0,
    max_ell: int = 2,
    correlation: int = 2,
    num_interactions: int = 2,
    seed: int = 0,
):
    """A MACE network with random weights (``ScaleShiftMACE``), for tests and benchmarks.

    ``channels`` and ``max_l`` set the hidden irreps (``channels x 0e [+ channels x 1o]``);
    MACE-MP-0 medium is ``channels=128, max_l=1, max_ell=3, correlation=3, r_max=6``.
    The isolated-atom energies are -1 eV per element, so energies are finite and smooth.
    """
    import_mace()
    import numpy as np
    import torch
    from ase.data import atomic_numbers
    from e3nn import o3
    from mace.modules import ScaleShiftMACE, gate_dict, interaction_classes

    torch.manual_seed(seed)
    numbers = sorted(atomic_numbers[s] for s in elements)
    irreps = " + ".join(f"{channels}x{ell}{'eo'[ell % 2]}" for ell in range(max_l + 1))
    interaction = interaction_classes["RealAgnosticResidualInteractionBlock"]
    return ScaleShiftMACE(
        r_max=r_max,
        num_bessel=8,
        num_polynomial_cutoff=5,
        max_ell=max_ell,
        interaction_cls=interaction,
        interaction_cls_first=interaction,
        num_interactions=num_interactions,
        num_elements=len(numbers),
        hidden_irreps=o3.Irreps(irreps),
        MLP_irreps=o3.Irreps("16x0e"),
        atomic_energies=np.full(len(numbers), -1.0),
        avg_num_neighbors=8.0,
        atomic_numbers=numbers,
        correlation=correlation,
        gate=gate_dict["silu"],
        atomic_inter_scale=1.0,
        atomic_inter_shift=0.0,
    )


def save_mace(network, path: str | Path, dtype: str = "float64") -> Path:
    """Save a MACE network as a ``.model`` file that ``load_mace_file`` (and mace) reads."""
    import torch

    network = network.to(torch.float64 if dtype == "float64" else torch.float32)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(network, path)
    return path
