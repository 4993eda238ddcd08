"""The ``jointvillage`` command line.

Each command group registers its own commands from its own module in this package
(``scenario``: validate, show; ``county``; ``run``: run, demo; ``batch``: batch, compare;
``sensitivity``; ``export``; ``regress``; ``app``; ``validation``; ``design``;
``discover``), so this file only assembles the
application. The console entry point is :func:`main`; ``python -m model.cli`` is the same.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

import model
from model.cli import app as cli_app
from model.cli import batch as cli_batch
from model.cli import calibrate as cli_calibrate
from model.cli import compare as cli_compare
from model.cli import county as cli_county
from model.cli import design as cli_design
from model.cli import discover as cli_discover
from model.cli import export as cli_export
from model.cli import measures as cli_measures
from model.cli import regress as cli_regress
from model.cli import run as cli_run
from model.cli import scenario as cli_scenario
from model.cli import sensitivity as cli_sensitivity
from model.cli import validation as cli_validation
from model.cli.common import EXIT_INTERRUPTED, plain_warnings
from model.errors import EXIT_INPUT_ERROR

#: Click's usage-error class, as Typer ships it (reached through the public BadParameter).
UsageError: type[Exception] = next(
    c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError"
)
ClickException: type[Exception] = next(
    c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException"
)

app = typer.Typer(
    name="jointvillage",
    help="Agent-based model of cross-village joint building (跨村联建) in Anqiu county.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def print_version(value: bool) -> None:
    """``--version``: the model's version, and stop."""
    if value:
        typer.echo(f"jointvillage {model.__version__}")
        raise typer.Exit()


@app.callback()
def options(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=print_version,
            is_eager=True,
            help="Print the version (jointvillage X.Y.Z) and exit.",
        ),
    ] = False,
) -> None:
    """Agent-based model of cross-village joint building (跨村联建) in Anqiu county."""


for module in (
    cli_scenario,
    cli_county,
    cli_run,
    cli_batch,
    cli_compare,
    cli_export,
    cli_sensitivity,
    cli_measures,
    cli_regress,
    cli_app,
    cli_validation,
    cli_calibrate,
    cli_design,
    cli_discover,
):
    module.register(app)


def main() -> None:
    """Console-script entry point.

    Click's own usage errors are shown as one line that names the flag, the value given
    and what is allowed (exit 2), like every other input error of the project.
    """
    plain_warnings()
    try:
        code = app(standalone_mode=False)
    except typer.BadParameter as err:
        print(f"error: {bad_parameter_text(err, sys.argv[1:])}", file=sys.stderr)
        sys.exit(EXIT_INPUT_ERROR)
    except UsageError as err:
        if type(err).__name__ == "NoArgsIsHelpError":  # bare `jointvillage`: the help
            err.show()  # type: ignore[attr-defined]
            sys.exit(err.exit_code)  # type: ignore[attr-defined]
        print(f"error: {err.format_message()}", file=sys.stderr)  # type: ignore[attr-defined]
        ctx = getattr(err, "ctx", None)
        print(f"(see '{ctx.command_path if ctx else 'jointvillage'} --help')", file=sys.stderr)
        sys.exit(EXIT_INPUT_ERROR)
    except ClickException as err:
        err.show()  # type: ignore[attr-defined]
        sys.exit(err.exit_code)  # type: ignore[attr-defined]
    except (typer.Abort, KeyboardInterrupt):
        print("interrupted", file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(code if isinstance(code, int) else 0)


def bad_parameter_text(err: typer.BadParameter, argv: list[str]) -> str:
    """``--seed: field 'seed' = 'abc': <what is wrong>`` for a flag Click refused."""
    param = err.param
    if param is None or not err.message:  # e.g. a missing argument: Click's own words
        return err.format_message()
    names = list(getattr(param, "opts", [])) + list(getattr(param, "secondary_opts", []))
    flag = names[0] if names else (param.human_readable_name or str(param.name))
    value = _given_value(names, argv)
    shown = f" = {value!r}" if value is not None else ""
    return f"{flag}: field '{param.name}'{shown}: {err.message}"


def _given_value(names: list[str], argv: list[str]) -> str | None:
    """The value given for a flag on the command line (the last one, as Click takes it)."""
    value = None
    for i, word in enumerate(argv):
        for name in names:
            if word == name and i + 1 < len(argv):
                value = argv[i + 1]
            elif word.startswith(name + "="):
                value = word[len(name) + 1 :]
    return value


if __name__ == "__main__":
    main()
