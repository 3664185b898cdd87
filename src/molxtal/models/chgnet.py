"""CHGNet 0.3.0, an embedded model: its weights ship inside the ``chgnet`` wheel."""

from __future__ import annotations

import contextlib
import functools
import io
from pathlib import Path

import torch

from molxtal.io import sha256_file
from molxtal.models.base import Abilities, Model
from molxtal.models.vacuum import PeriodicBoxCalculator

CHGNET_VERSION = "0.3.0"
#: CHGNet 0.3.0 is trained on MPtrj and covers Z = 1 (H) to 94 (Pu).
CHGNET_MAX_Z = 94
#: The smallest chgnet prediction task that yields a property, the most expensive first.
CHGNET_TASKS = (("magmoms", "efsm"), ("stress", "efs"), ("forces", "ef"))
#: Structures per ``predict_structure`` batch for energies of several crystals.
CHGNET_BATCH_SIZE = 8


def _follow_network_dtype(network) -> None:
    """CHGNet builds its graphs with a module-level ``TORCH_DTYPE``; point it at the precision
    of ``network``. Run before every graph conversion (a hook on its graph converter, which
    every route to the network passes: calculators, ``predict_structure``, the Hessian), so
    float32 and float64 models can share a process. One call at a time: two threads
    evaluating models of different precision would race on it."""
    import chgnet.graph.converter
    import chgnet.graph.crystalgraph
    import chgnet.model.model

    dtype = next(network.parameters()).dtype
    for module in (chgnet.graph.converter, chgnet.graph.crystalgraph, chgnet.model.model):
        module.TORCH_DTYPE = dtype


def _cast_to_weight_dtype(module, args):
    # CHGNet's composition model casts its input with ``.float()``; follow the weights instead.
    return (args[0].to(module.weight.dtype),)


@functools.cache
def task_calculator_class():
    """chgnet's ``CHGNetCalculator`` with the task chosen from the requested properties."""
    from ase.calculators.calculator import all_properties
    from chgnet.model import CHGNetCalculator

    class TaskCHGNetCalculator(CHGNetCalculator):
        """chgnet's ASE calculator, evaluating only what is asked for.

        chgnet's own calculator always runs the task ``efsm``; the stress is a strain
        derivative that costs ~40 % of a 288-atom float64 call on a CPU. Here the task follows
        the requested properties (forces alone: ``ef``), with results identical to chgnet's.
        """

        def calculate(self, atoms=None, properties=None, system_changes=None, task=None):
            wanted = set(properties or all_properties)
            if task is None:
                task = next((t for prop, t in CHGNET_TASKS if prop in wanted), "e")
            super().calculate(atoms, properties, system_changes, task=task)

    return TaskCHGNetCalculator


def chgnet_weights_path() -> Path:
    """The CHGNet 0.3.0 weight file inside the installed package."""
    import chgnet

    folder = Path(chgnet.__file__).parent / "pretrained" / CHGNET_VERSION
    return next(folder.glob("*.pth.tar"))


def chgnet_hessian(atoms, network):
    """CHGNet's Hessian (eV/Å², 3N×3N): autograd of its autograd forces (built with
    ``create_graph=True``) with respect to the Cartesian positions of its graph. A molecule
    (pbc False) is evaluated in a vacuum box, as the calculator does."""
    from chgnet.model.model import BatchedGraph
    from pymatgen.io.ase import AseAtomsAdaptor

    from molxtal.models.vacuum import vacuum_box

    boxed = atoms if atoms.pbc.all() else vacuum_box(atoms)
    graph = network.graph_converter(AseAtomsAdaptor.get_structure(boxed))
    batched = BatchedGraph.from_graphs(
        [graph],
        bond_basis_expansion=network.bond_basis_expansion,
        angle_basis_expansion=network.angle_basis_expansion,
        compute_stress=False,
    )
    forces = network._compute(batched, compute_force=True)["f"][0].reshape(-1)
    positions = batched.atom_positions[0]
    rows = [
        torch.autograd.grad(-forces[i], positions, retain_graph=True)[0].reshape(-1)
        for i in range(len(forces))
    ]
    return torch.stack(rows).detach().cpu().numpy()


def chgnet_energies(structures, network, batch_size: int = CHGNET_BATCH_SIZE) -> list[float]:
    """Potential energies (eV) of periodic structures in batches, energy only
    (``CHGNet.predict_structure``, task ``e``): the calculator's energies at a fraction of
    the cost (checked in the tests)."""
    from pymatgen.io.ase import AseAtomsAdaptor

    converted = [AseAtomsAdaptor.get_structure(atoms) for atoms in structures]
    predictions = network.predict_structure(converted, task="e", batch_size=batch_size)
    if isinstance(predictions, dict):  # a single structure is not wrapped in a list
        predictions = [predictions]
    # CHGNet predicts energy per atom.
    return [float(p["e"]) * len(s) for p, s in zip(predictions, converted, strict=True)]


def load_chgnet(dtype: str = "float64", device: str = "cpu") -> Model:
    """Load CHGNet 0.3.0 offline as a :class:`Model` (float64 or float32)."""
    from ase.data import chemical_symbols
    from chgnet.model import CHGNet

    torch_dtype = torch.float64 if dtype == "float64" else torch.float32
    with contextlib.redirect_stdout(io.StringIO()):  # CHGNet prints on load
        network = CHGNet.load(model_name=CHGNET_VERSION, verbose=False, use_device=device)
        network = network.to(torch_dtype)
        network.composition_model.fc.register_forward_pre_hook(_cast_to_weight_dtype)
        network.graph_converter.register_forward_pre_hook(
            lambda module, args: _follow_network_dtype(network)
        )
        calculator = task_calculator_class()(network, use_device=device)
    weights = chgnet_weights_path()
    return Model(
        name="chgnet",
        family="CHGNet",
        calculator=PeriodicBoxCalculator(calculator),
        dtype=dtype,
        device=device,
        path=str(weights),
        sha256=sha256_file(weights),
        elements=frozenset(chemical_symbols[1 : CHGNET_MAX_Z + 1]),
        periodic_only=True,
        extra={"version": CHGNET_VERSION},
        abilities=Abilities(
            hessian=functools.partial(chgnet_hessian, network=network),
            energies=functools.partial(chgnet_energies, network=network),
        ),
    )
