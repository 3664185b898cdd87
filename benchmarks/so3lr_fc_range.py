"""How far SO3LR's ice Ih force constants reach, and how much of that is its electrostatics.

    MOLXTAL_DATA=../shared/refdata python benchmarks/so3lr_fc_range.py \\
        --force-constants bench-phonons/so3lr-3-plain.npy

Reads the plain loop's 3×3×3 force constants (``benchmarks/phonons.py``, compact, eV/Å²) and
builds the part of them that SO3LR's explicit electrostatics gives at long range: each atom's
displacement changes the learned charges near it (before SO3LR's uniform charge-conservation
shift), a response cloud whose monopole m_k (e/Å) and dipole D_k (e, including the moved charge
q_k) are taken by autograd in the 3×3×3 supercell; the clouds interact through SO3LR's own pair
kernel (erf(r/σ)/r with σ = 4 Å, shifted-force cutoff at ``r_max_lr`` = 12 Å):

    Φ_kj = ke [m_k m_j φ + m_k (D_j·∇φ) − (D_k·∇φ) m_j − D_kᵀ (∇∇φ) D_j],  R = r_j − r_k.

Prints the RMS norm of the 3×3 force-constant blocks by pair distance for the force constants,
the electrostatic model and what is left after subtracting it, then what cutting the force
constants at r (sum rule restored) does to ZPE, F(300 K), C_v and the bands with and without
the electrostatic part kept whole: the test of a long-range split of the random fit.
"""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

import numpy as np
import torch

KE_EV_ANGSTROM = 14.399645351950548  # e²/(4πε₀) in eV·Å, SO3LR's constant
SIZE = 3


def phonons_benchmark():
    path = Path(__file__).with_name("phonons.py")
    spec = importlib.util.spec_from_file_location("phonons_benchmark", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def charge_response(model, atoms):
    """Monopole (N, 3) in e/Å and dipole (N, 3, 3) in e of each atom's charge-response cloud,
    from the 3×3×3 supercell's central copy (the clouds must not wrap)."""
    calculator = model.calculator
    network = calculator.models[0]
    head = network.partial_charges_output_block
    seen = {}
    head.register_forward_pre_hook(lambda _, args, kwargs: seen.update(kwargs), with_kwargs=True)
    supercell = atoms.repeat((SIZE, SIZE, SIZE))
    centre = (SIZE**3 // 2) * len(atoms)
    torch.set_default_dtype(torch.float64)
    out = network(calculator._atoms_to_batch(supercell).to_dict(), training=True)
    positions = network.positions
    assert np.allclose(positions.detach().numpy(), supercell.positions), "positions were wrapped"
    local = head.atomic_embedding(seen["atomic_numbers"]).squeeze(-1)
    local = local + head.transform_inv_features(seen["inv_features"]).squeeze(-1)
    charges = out["partial_charges"].reshape(-1).detach().numpy()
    fixed = positions.detach()
    rows = slice(centre, centre + len(atoms))
    monopole = torch.autograd.grad(local.sum(), positions, retain_graph=True)[0][rows].numpy()
    dipole = np.zeros((len(atoms), 3, 3))
    for a in range(3):
        weighted = torch.autograd.grad((local * fixed[:, a]).sum(), positions, retain_graph=True)
        dipole[:, a] = weighted[0][rows].numpy() - fixed[rows, a, None].numpy() * monopole
        dipole[:, a, a] += charges[rows]
    return monopole, dipole, float(network.electrostatic_energy_scale), float(network.r_max_lr)


def pair_kernel(r, sigma, cutoff):
    """SO3LR's Coulomb kernel φ(r) (eV/e²) and its first two radial derivatives."""
    from so3krates_torch.blocks.physical_potentials import switching_fn

    def bare(x):
        return torch.erf(x / sigma) / x

    rc = torch.tensor(cutoff, requires_grad=True)
    shift = bare(rc)
    slope = torch.autograd.grad(shift, rc)[0]
    shift = shift.detach()
    r = torch.tensor(r, requires_grad=True)
    switch = switching_fn(r, 0.45 * cutoff, cutoff)
    phi = KE_EV_ANGSTROM * (bare(r) - shift - (1 - switch) * slope * (r - cutoff))
    d1 = torch.autograd.grad(phi.sum(), r, create_graph=True)[0]
    d2 = torch.autograd.grad(d1.sum(), r)[0]
    return phi.detach().numpy(), d1.detach().numpy(), d2.numpy()


def electrostatic_force_constants(phonon, monopole, dipole, sigma, cutoff):
    """Compact (N_prim, N_super, 3, 3) force constants (eV/Å²) of the interacting clouds, with
    every periodic image inside the cutoff, and the minimum-image distance (Å) of each pair."""
    supercell = phonon.supercell
    positions = supercell.positions
    p2s, s2p = phonon.primitive.p2s_map, phonon.primitive.s2p_map
    primitive_of = np.searchsorted(p2s, s2p)
    images = np.array(np.meshgrid(*[(-1, 0, 1)] * 3, indexing="ij")).reshape(3, -1).T
    images = images @ supercell.cell
    fc = np.zeros((len(p2s), len(positions), 3, 3))
    distance = np.zeros((len(p2s), len(positions)))
    for p, s in enumerate(p2s):
        vectors = positions[None] + images[:, None] - positions[s]
        lengths = np.linalg.norm(vectors, axis=-1)
        distance[p] = lengths.min(0)
        image, j = np.nonzero((lengths > 1e-8) & (lengths < cutoff))
        r = lengths[image, j]
        unit = vectors[image, j] / r[:, None]
        phi, d1, d2 = pair_kernel(r, sigma, cutoff)
        outer = unit[:, :, None] * unit[:, None, :]
        hessian = d2[:, None, None] * outer + (d1 / r)[:, None, None] * (np.eye(3) - outer)
        gradient = d1[:, None] * unit
        m_k, d_k = monopole[p], dipole[p]
        m_j, d_j = monopole[primitive_of[j]], dipole[primitive_of[j]]
        blocks = (
            phi[:, None, None] * m_k[None, :, None] * m_j[:, None, :]
            + m_k[None, :, None] * np.einsum("na,nag->ng", gradient, d_j)[:, None, :]
            - np.einsum("na,ab->nb", gradient, d_k)[:, :, None] * m_j[:, None, :]
            - np.einsum("ab,nac,ncg->nbg", d_k, hessian, d_j)
        )
        np.add.at(fc[p], j, blocks)
    return restore_sum_rule(fc, p2s), distance


def restore_sum_rule(fc, p2s):
    for p, s in enumerate(p2s):
        fc[p, s] = 0.0
        fc[p, s] = -fc[p].sum(0)
    return fc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force-constants", type=Path, required=True, help="so3lr-3-plain.npy")
    args = parser.parse_args()
    from molxtal.models import load_model

    bench = phonons_benchmark()
    atoms, phonon = bench.ice_phonopy(SIZE)
    monopole, dipole, sigma, cutoff = charge_response(load_model("so3lr"), atoms)
    print(
        f"charge response: |m_k| mean {np.abs(monopole).mean():.4f} e/Å; D_k trace/3 "
        f"O {np.trace(dipole, axis1=1, axis2=2)[atoms.numbers == 8].mean() / 3:+.2f}, "
        f"H {np.trace(dipole, axis1=1, axis2=2)[atoms.numbers == 1].mean() / 3:+.2f} e"
    )
    exact = np.load(args.force_constants)
    electrostatic, distance = electrostatic_force_constants(phonon, monopole, dipole, sigma, cutoff)
    print("| pair distance (Å) | pairs | force constants | minus electrostatics | electrostatics |")
    print("|---|---|---|---|---|")
    for low, high in ((0, 3), (3, 5), (5, 7), (7, 9), (9, 11), (11, 13), (13, 30)):
        shell = (distance > low) & (distance <= high)
        norms = [
            np.sqrt((np.linalg.norm(x[shell], axis=(1, 2)) ** 2).mean())
            for x in (exact, exact - electrostatic, electrostatic)
        ]
        print(f"| {low}-{high} | {shell.sum()} | " + " | ".join(f"{x:.1e}" for x in norms) + " |")
    reference = bench.properties(SIZE, exact)

    def cut(fc, r):
        kept = np.where((distance <= r)[..., None, None], fc, 0.0)
        return restore_sum_rule(kept, phonon.primitive.p2s_map)

    print(
        "| cut at (Å) | kept whole | ΔZPE | ΔF(300 K) (kJ/mol) | ΔC_v 50/100/200/300 K (%) "
        "| band RMS / max (cm⁻¹) |"
    )
    print("|---|---|---|---|---|---|")
    for r in (5, 6, 7):
        for label, fc in (
            ("nothing", cut(exact, r)),
            ("electrostatics", cut(exact - electrostatic, r) + electrostatic),
        ):
            a = bench.properties(SIZE, fc)
            delta = a["bands"] - reference["bands"]
            pairs = zip(a["cv"], reference["cv"], strict=True)
            cv = " / ".join(f"{100 * (x - y) / y:+.1f}" for x, y in pairs)
            print(
                f"| {r} | {label} | {a['zpe'] - reference['zpe']:+.3f} | "
                f"{a['F300'] - reference['F300']:+.3f} | {cv} | "
                f"{np.sqrt((delta**2).mean()):.1f} / {np.abs(delta).max():.0f} |"
            )


if __name__ == "__main__":
    main()
