"""``jointvillage validate`` and ``jointvillage show``: check and print scenarios."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import tomli_w
import typer

from model.cli.common import SetOption, user_errors
from model.errors import EXIT_INPUT_ERROR, InputError

# The schema is imported inside the commands: `jointvillage --version` should not wait for it.
if TYPE_CHECKING:
    from model.scenario import Scenario


def register(app: typer.Typer) -> None:
    """Add ``validate`` and ``show`` to the application."""
    app.command("validate")(validate)
    app.command("show")(show)


@user_errors
def validate(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file (or a shipped name).")],
    set_: SetOption = None,
    as_json: Annotated[
        bool,
        typer.Option("--json", help='Print {"ok": ..., "errors": [...]} as JSON on stdout.'),
    ] = False,
) -> None:
    """Check a scenario file without running it."""
    from model.scenario import load_scenario, resolve_path

    if not as_json:
        resolved = load_scenario(scenario, set_ or [])
        typer.echo(f"ok: {resolve_path(scenario)} (scenario '{resolved.name}') is valid")
        return
    report: dict[str, Any] = {"scenario_file": str(scenario)}
    try:
        resolved = load_scenario(scenario, set_ or [])
    except InputError as err:  # the same exit status as without --json
        report.update(ok=False, errors=[err.message])
        typer.echo(json.dumps(report, ensure_ascii=False, indent=1))
        raise typer.Exit(EXIT_INPUT_ERROR) from None
    report.update(
        scenario_file=str(resolve_path(scenario)), scenario=resolved.name, ok=True, errors=[]
    )
    typer.echo(json.dumps(report, ensure_ascii=False, indent=1))


@user_errors
def show(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file (or a shipped name).")],
    set_: SetOption = None,
    explain: Annotated[
        bool,
        typer.Option(
            "--explain",
            help="A table of every field: its value, unit, source and meaning (instead of TOML).",
        ),
    ] = False,
) -> None:
    """Print the fully resolved scenario (after extends and --set) as TOML."""
    from model.scenario import load_scenario

    resolved = load_scenario(scenario, set_ or [])
    if explain:
        from model.terminal import console

        console().print(explain_table(resolved))
        return
    typer.echo(tomli_w.dumps(_drop_none(resolved.to_dict())))


def explain_table(resolved: Scenario) -> Any:
    """A rich table of the scenario's fields: value (and default, if it differs), unit, source."""
    from rich.markup import escape
    from rich.table import Table

    from model.scenario import parameter_rows

    table = Table(title=escape(f"scenario '{resolved.name}': every field"), show_lines=False)
    table.add_column("field", overflow="fold")
    table.add_column("value", justify="right", overflow="fold")
    table.add_column("unit", overflow="fold")
    table.add_column("meaning [source]", overflow="fold", ratio=1)
    for row in parameter_rows():
        value = _value_of(resolved, row["parameter"], row["default"])
        shown = _text(value)
        if shown != _text(row["default"]):
            shown += f" (default {_text(row['default'])})"
        meaning = row["description"] + (f" [{row['source']}]" if row["source"] else "")
        unit = "" if row["unit"] in ("", "-") else row["unit"]
        table.add_row(*map(escape, (row["parameter"], shown, unit, meaning)))
    return table


def _value_of(resolved: Scenario, dotted: str, default: Any) -> Any:
    """The resolved value of a dotted field; the default where a section is left unset."""
    value: Any = resolved
    for name in dotted.split("."):
        if value is None:
            return default
        value = getattr(value, name)
    return value


def _text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, list | dict):
        return repr(value)
    return str(value)


def _drop_none(data: dict) -> dict:
    """TOML has no null: leave unset optional fields out of the printout."""
    out = {}
    for key, value in data.items():
        if isinstance(value, dict):
            out[key] = _drop_none(value)
        elif value is not None:
            out[key] = value
    return out
