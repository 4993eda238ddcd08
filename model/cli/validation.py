"""``jointvillage validation``: reported outcomes against the model, as a markdown report.

The default report goes to results/validation.md: the command writes into no tracked file
unless told to (``make validation`` passes ``--out docs/validation.md``).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated

import typer

from model.cli.common import SetOption, user_errors
from model.cli.regress import interrupted

#: Where the report goes unless ``--out`` says otherwise: not a tracked file.
DEFAULT_OUT = Path("results/validation.md")


def register(app: typer.Typer) -> None:
    """Add ``validation`` to the application."""
    app.command("validation")(validation)


@user_errors
def validation(
    replicates: Annotated[
        int, typer.Option("--replicates", "-r", help="Replicates of each scenario.", min=1)
    ] = 5,
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="Markdown file to write (make validation writes docs/validation.md).",
        ),
    ] = DEFAULT_OUT,
    check: Annotated[
        list[str] | None,
        typer.Option(
            "--check",
            help="Only this case or pattern (repeatable): lead_goose, suburban_tourism, "
            "millet, town_company, wangjiatuan, yushan, flying_land, matthew, zouping, "
            "mengyin.",
        ),
    ] = None,
    set_: SetOption = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            "-w",
            help="Worker processes of a local Dask cluster (default one per CPU; 0 = in "
            "this process).",
            min=0,
        ),
    ] = None,
    results: Annotated[
        Path | None,
        typer.Option(
            "--results",
            help="Keep the runs in this folder; run again (after an interruption), the "
            "command reuses those made by the same code, data and libraries. Default: a "
            "temporary folder.",
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress on stderr.")] = False,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json", help="Print the summary records as JSON (the report is written too)."
        ),
    ] = False,
) -> None:
    """Run the case studies and patterns with replicates and write the validation report.

    Each case in scenarios/cases/ is compared with itself with the alliance or policy off.
    """
    # Imported here: the model is only loaded when the command runs.
    from model.checks.validation import summary_records, write_validation

    parts = ["jointvillage validation", f"--replicates {replicates}", f"--out {out}"]
    parts += [f"--check {name}" for name in check or []]
    parts += [f"--set {text}" for text in set_ or []]
    try:
        path, found = write_validation(
            out,
            replicates=replicates,
            checks=check or None,
            overrides=set_ or [],
            command=" ".join(parts),
            workers=workers,
            progress=not quiet,
            results=results,
        )
    except KeyboardInterrupt:
        interrupted(results)
    rows = sum(len(r.rows) for r in found)
    if as_json:
        records = [{k: _json_value(v) for k, v in r.items()} for r in summary_records(found)]
        typer.echo(json.dumps(records, ensure_ascii=False, indent=1, default=str))
        typer.echo(f"wrote {path} ({len(found)} checks, {rows} rows)", err=True)
        return
    typer.echo(f"wrote {path} ({len(found)} checks, {rows} rows)")


def _json_value(value: object) -> object:
    """JSON has no NaN: a missing number is null."""
    return None if isinstance(value, float) and not math.isfinite(value) else value
