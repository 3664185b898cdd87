"""``molxtal models``: the models molxtal knows and whether they load offline now."""

from __future__ import annotations

import typer

from molxtal.cli.console import console, handle_errors, print_table
from molxtal.models import CATALOGUE, user_model_dir, user_models


@handle_errors
def models_command() -> None:
    """List models: family, elements, training data, level of theory, offline availability."""
    rows = [
        [
            e.name,
            e.family,
            e.elements,
            e.training_data,
            e.level_of_theory,
            "yes" if e.available_offline() else "no (needs download)",
        ]
        for e in CATALOGUE.values()
    ]
    rows += [[name, "MACE (user model)", "from file", "-", "-", "yes"] for name in user_models()]
    print_table(
        "Models (--model NAME)",
        ["name", "family", "elements", "training data", "level of theory", "available offline"],
        rows,
    )
    console.print(
        f"Also: --model /path/to/file.model (any MACE model), --model module:function "
        f"(any ASE calculator). User models are read from {user_model_dir()}."
    )


def register(app: typer.Typer) -> None:
    app.command("models")(models_command)
