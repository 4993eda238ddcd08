"""``jointvillage validate`` and ``jointvillage show``: check and print scenarios."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import tomli_w
import typer

from model.cli.common import SetOption, user_errors
from model.scenario import load_scenario, resolve_path


def register(app: typer.Typer) -> None:
    """Add ``validate`` and ``show`` to the application."""
    app.command("validate")(validate)
    app.command("show")(show)


@user_errors
def validate(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file (or a shipped name).")],
    set_: SetOption = None,
) -> None:
    """Check a scenario file without running it."""
    resolved = load_scenario(scenario, set_ or [])
    typer.echo(f"ok: {resolve_path(scenario)} (scenario '{resolved.name}') is valid")


@user_errors
def show(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file (or a shipped name).")],
    set_: SetOption = None,
) -> None:
    """Print the fully resolved scenario (after extends and --set) as TOML."""
    resolved = load_scenario(scenario, set_ or [])
    typer.echo(tomli_w.dumps(_drop_none(resolved.to_dict())))


def _drop_none(data: dict) -> dict:
    """TOML has no null: leave unset optional fields out of the printout."""
    out = {}
    for key, value in data.items():
        if isinstance(value, dict):
            out[key] = _drop_none(value)
        elif value is not None:
            out[key] = value
    return out
