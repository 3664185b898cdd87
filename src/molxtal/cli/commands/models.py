"""``molxtal models``: the models molxtal knows and whether they load offline now."""

from __future__ import annotations

from molxtal.cli.console import console, print_table


def models_command() -> None:
    """List models: family, elements, training data, level of theory, offline availability."""
    from molxtal.models import CATALOGUE, user_model_dir, user_models

    rows = [
        [e.name, e.family, e.elements, e.training_data, e.level_of_theory]
        + ["yes" if e.available_offline() else "no (needs download)"]
        for e in CATALOGUE.values()
    ]
    rows += [[name, "MACE (user model)", "from file", "-", "-", "yes"] for name in user_models()]
    columns = ["name", "family", "elements", "training data", "level of theory"]
    print_table("Models (--model NAME)", [*columns, "available offline"], rows)
    console.print(f"Also --model FILE.model or module:function. User models: {user_model_dir()}")
