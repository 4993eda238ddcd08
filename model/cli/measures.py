"""``jointvillage measures``: the measures a comparison or sensitivity analysis can report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from model.cli.common import user_errors


def register(app: typer.Typer) -> None:
    """Add ``measures`` to the application."""
    app.command("measures")(measures)


@user_errors
def measures(
    experiment: Annotated[
        Path | None,
        typer.Option(
            "--experiment", "-e", help="Also list the user-defined measures of this experiment."
        ),
    ] = None,
    zh: Annotated[bool, typer.Option("--zh", help="Show the Chinese labels.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON records.")] = False,
) -> None:
    """List every measure: name, kind, unit, label and how it is computed."""
    from rich.markup import escape
    from rich.table import Table

    from model.experiments.experiment import load_experiment
    from model.experiments.measures import measure_table
    from model.terminal import console

    extra = load_experiment(experiment).user_measures() if experiment is not None else []
    table = measure_table(extra)
    if as_json:
        typer.echo(json.dumps(table.to_dict(orient="records"), indent=1, ensure_ascii=False))
        return
    out = Table(title="measures (see docs/measures.md)")
    for column in ("name", "kind", "unit", "label", "description"):
        out.add_column(column, overflow="fold")
    for row in table.itertuples(index=False):
        label = row.zh if zh else row.en
        cells = (row.name, row.kind, row.unit, label, row.description)
        out.add_row(*(escape(str(c)) for c in cells))
    console().print(out)
