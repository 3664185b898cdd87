"""Training curves: loss and validation energy/force MAE against epoch (thesis Fig. 55)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from matplotlib.figure import Figure

if TYPE_CHECKING:
    from molxtal.workflows.train import EpochMetrics


def plot_training(history: list[EpochMetrics], title: str = "MACE training") -> Figure:
    """Two panels: training/validation loss (log scale) and validation MAE of E (meV/atom)
    and F (meV/Å)."""
    epochs = [m.epoch for m in history]
    fig = Figure(figsize=(10, 4), layout="tight")
    ax_loss, ax_e = fig.subplots(1, 2)
    trained = [(m.epoch, m.train_loss) for m in history if m.train_loss is not None]
    if trained:
        ax_loss.plot(*zip(*trained, strict=True), label="training")
    ax_loss.plot(epochs, [m.valid_loss for m in history], label="validation")
    ax_loss.set(xlabel="epoch", ylabel="loss (mace weighted)", yscale="log", title=title)
    ax_loss.legend(loc="best")
    ax_e.plot(epochs, [m.mae_e_meV_per_atom for m in history], color="C0")
    ax_e.set(xlabel="epoch", ylabel="validation energy MAE (meV/atom)", yscale="log")
    ax_e.yaxis.label.set_color("C0")
    ax_f = ax_e.twinx()
    ax_f.plot(epochs, [m.mae_f_meV_per_angstrom for m in history], color="C3")
    ax_f.set(ylabel="validation force MAE (meV/Å)", yscale="log")
    ax_f.yaxis.label.set_color("C3")
    return fig
