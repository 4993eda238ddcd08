"""``jointvillage validate`` and ``jointvillage show``: check and print scenarios."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from model.cli.common import SetOption, user_errors
from model.errors import EXIT_INPUT_ERROR, InputError
from model.toml_files import toml_text

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
            help="Every field with its value, unit, meaning and source (instead of TOML).",
        ),
    ] = False,
) -> None:
    """Print the fully resolved scenario (after extends and --set) as TOML."""
    from model.scenario import load_scenario

    resolved = load_scenario(scenario, set_ or [])
    if explain:
        print_explanation(resolved)
        return
    typer.echo(toml_text(resolved.to_dict()))


def explain_rows(resolved: Scenario) -> list[tuple[str, str]]:
    """Every field of the scenario as (``field = value unit``, its meaning and source).

    The value is the resolved one (after extends and --set); a value that differs from the
    schema's default names the default.
    """
    from model.scenario import parameter_rows

    rows = []
    for row in parameter_rows():
        value = _text(_value_of(resolved, row["parameter"], row["default"]))
        unit = "" if row["unit"] in ("", "-") else f" {row['unit']}"
        head = f"{row['parameter']} = {value}{unit}"
        if value != _text(row["default"]):
            head += f"  (default {_text(row['default'])})"
        meaning = row["description"] or "-"
        if row["source"]:
            meaning += f". Source: {row['source']}"
        rows.append((head, meaning))
    return rows


def print_explanation(resolved: Scenario) -> None:
    """Print :func:`explain_rows`, wrapped to the terminal (rich counts wide characters)."""
    from rich.padding import Padding
    from rich.text import Text

    from model.terminal import console

    out = console(highlight=False)
    with out.capture() as captured:
        out.print(f"# scenario '{resolved.name}': every field's value, unit, meaning, source")
        for head, meaning in explain_rows(resolved):
            out.print(Text(head, overflow="fold"))
            out.print(Padding(Text(meaning, overflow="fold"), (0, 0, 0, 4), expand=False))
    # Rich pads wrapped lines to the width: no trailing blanks in a pipe or a file.
    typer.echo("\n".join(line.rstrip() for line in captured.get().splitlines()))


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
    if isinstance(value, str):
        return value if value else '""'
    if isinstance(value, list | dict):
        return repr(value)
    return str(value)
