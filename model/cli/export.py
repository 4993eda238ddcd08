"""The ``export`` command: a results folder as one experiments-and-outcomes table."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from model.cli.common import user_errors


def register(app: typer.Typer) -> None:
    """Add ``export`` to the application."""
    app.command("export")(export)


@user_errors
def export(
    results: Annotated[Path, typer.Argument(help="Results folder written by a batch.")],
    format_: Annotated[
        str, typer.Option("--format", "-f", help="parquet (with units) or csv.")
    ] = "parquet",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="File to write (default RESULTS/export/<table>[_long].<format>)."
        ),
    ] = None,
    table: Annotated[
        str,
        typer.Option(
            "--table", "-t", help="Stored table (the one-row-per-run export is county_yearly's)."
        ),
    ] = "county_yearly",
    long: Annotated[
        bool,
        typer.Option(
            "--long", help="Every row of the table, labelled by run, not one row per run."
        ),
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """One tidy table: per run, its inputs (scenario, variant, replicate, seed, param:*) and
    the final-year outcomes; with --long, every row of a table. Units: docs/outputs.md."""
    from model.experiments.export import export_results

    path, rows = export_results(results, format_, out, table, long, force)
    print(f"wrote {rows} rows to {path}", file=sys.stderr)
