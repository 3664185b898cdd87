"""Temperature and potential energy along a trajectory, with the end of thermalisation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from matplotlib.figure import Figure

if TYPE_CHECKING:
    from molxtal.workflows.sample import Series


def plot_thermalisation(series: list[Series], names: list[str]) -> Figure:
    """One row per trajectory: T (K) and E_pot (eV) against frame, thermalisation marked."""
    fig = Figure(figsize=(10, 3 * len(series)), layout="tight")
    axes = fig.subplots(len(series), 2, squeeze=False)
    for row, (s, name) in enumerate(zip(series, names, strict=True)):
        for ax, values, label in (
            (axes[row, 0], s.temperature_K, "temperature (K)"),
            (axes[row, 1], s.potential_energy_eV, "potential energy (eV)"),
        ):
            if values is not None:
                ax.plot(values, lw=0.8)
            ax.axvline(s.thermalised_from, color="C3", ls="--", label="end of thermalisation")
            ax.set(xlabel="frame", ylabel=label, title=name)
        axes[row, 0].legend(loc="best")
    return fig
