"""The ``jointvillage`` command line.

Each command group registers its own commands from its own module in this package
(``scenario``: validate, show; ``county``; ``run``: run, demo; ``batch``: batch, compare,
sensitivity; ``regress``; ``app``; ``validation``), so this file only assembles the
application. The console entry point is :func:`main`; ``python -m model.cli`` is the same.
"""

from __future__ import annotations

import typer

from model.cli import app as cli_app
from model.cli import batch as cli_batch
from model.cli import county as cli_county
from model.cli import regress as cli_regress
from model.cli import run as cli_run
from model.cli import scenario as cli_scenario
from model.cli import validation as cli_validation
from model.cli.common import plain_warnings

app = typer.Typer(
    name="jointvillage",
    help="Agent-based model of cross-village joint building (跨村联建) in Anqiu county.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

for module in (
    cli_scenario,
    cli_county,
    cli_run,
    cli_batch,
    cli_regress,
    cli_app,
    cli_validation,
):
    module.register(app)


def main() -> None:
    """Console-script entry point."""
    plain_warnings()
    app()


if __name__ == "__main__":
    main()
