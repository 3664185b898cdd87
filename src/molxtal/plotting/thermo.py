"""Thermodynamics figures: sublimation-enthalpy terms, quasi-harmonic curves, polymorph ΔG."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure


def plot_sublimation(terms: dict[str, np.ndarray], title: str = "") -> Figure:
    """ΔH_sub(T) and its parts (kJ/mol per molecule); the Dulong–Petit estimate dashed."""
    t = terms["T_K"]
    figure = Figure(figsize=(6.5, 7))
    top, bottom = figure.subplots(2, 1, sharex=True)
    top.plot(t, terms["dH_sub_kJ_per_mol"], "C0", label="ΔH_sub = −E_latt + Δ_T&QN")
    top.plot(t, -terms["E_latt_kJ_per_mol"], "k:", label="−E_latt")
    top.plot(
        t, terms["dH_sub_dulong_petit_kJ_per_mol"], "C3--", label="−E_latt − 2RT (Dulong–Petit)"
    )
    top.set_ylabel("kJ/mol")
    top.legend(fontsize=8, loc="best")
    top.set_title(title)
    for key, style, label in (
        ("delta_TQN_kJ_per_mol", "C0", "Δ_T&QN"),
        ("dE_zpe_kJ_per_mol", "C1", "ΔZPE (gas − solid)"),
        ("dE_thermal_kJ_per_mol", "C2", "ΔE_vib thermal (gas − solid)"),
        ("gas_RT_kJ_per_mol", "C4", "gas translation + rotation + pV"),
        ("delta_TQN_dulong_petit_kJ_per_mol", "C3--", "−2RT (Dulong–Petit)"),
    ):
        bottom.plot(t, terms[key], style, label=label)
    bottom.axhline(0, color="0.7", lw=0.5)
    bottom.set_xlabel("T (K)")
    bottom.set_ylabel("kJ/mol")
    bottom.legend(fontsize=8, loc="best")
    figure.tight_layout()
    return figure


def plot_qha(curves: dict[str, np.ndarray], title: str = "") -> Figure:
    """V(T), α(T), B(T), G(T) and C_p(T) of a quasi-harmonic calculation (per molecule)."""
    t = curves["T_K"]
    panels = (
        ("V_angstrom3_per_molecule", "V (Å³/molecule)"),
        ("alpha_per_K", "α (1/K)"),
        ("B_GPa", "B (GPa)"),
        ("G_kJ_per_mol", "G (kJ/mol)"),
        ("C_p_J_per_K_mol", "C_p (J/(K mol))"),
    )
    figure = Figure(figsize=(6, 11))
    axes = figure.subplots(len(panels), 1, sharex=True)
    for axis, (key, label) in zip(axes, panels, strict=True):
        axis.plot(t[: len(curves[key])], curves[key], "C0")
        axis.set_ylabel(label)
    axes[1].axhline(0, color="0.7", lw=0.5)
    axes[0].set_title(title)
    axes[-1].set_xlabel("T (K)")
    figure.tight_layout()
    return figure


def plot_stability(
    temperatures, delta_g: dict[str, dict[float, np.ndarray]], reference: str
) -> Figure:
    """ΔG(T) (kJ/mol per molecule) of each polymorph relative to ``reference``, per pressure."""
    figure = Figure(figsize=(6.5, 4.5))
    axes = figure.subplots()
    pressures = sorted({p for curves in delta_g.values() for p in curves})
    styles = ("-", "--", ":", "-.")
    for k, (name, curves) in enumerate(delta_g.items()):
        for j, p in enumerate(pressures):
            axes.plot(
                temperatures, curves[p], color=f"C{k}", ls=styles[j % len(styles)],
                label=f"{name}, {p:g} GPa",
            )  # fmt: skip
    axes.set_xlabel("T (K)")
    axes.set_ylabel(f"G − G({reference}) (kJ/mol per molecule)")
    axes.legend(fontsize=8, loc="best")
    figure.tight_layout()
    return figure
