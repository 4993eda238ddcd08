"""``jointvillage validation``: reported outcomes against the model, into docs/validation.md."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from model.cli.common import SetOption, user_errors


def register(app: typer.Typer) -> None:
    """Add ``validation`` to the application."""
    app.command("validation")(validation)


@user_errors
def validation(
    replicates: Annotated[
        int, typer.Option("--replicates", "-r", help="Replicates of each scenario.", min=1)
    ] = 5,
    out: Annotated[Path, typer.Option("--out", "-o", help="Markdown file to write.")] = Path(
        "docs/validation.md"
    ),
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
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress on stderr.")] = False,
) -> None:
    """Run the case studies and patterns with replicates and write the validation report.

    Each case in scenarios/cases/ is compared with itself with the alliance or policy off.
    """
    # Imported here: the model is only loaded when the command runs.
    from model.checks.validation.report import _stderr, write_validation

    parts = ["jointvillage validation", f"--replicates {replicates}", f"--out {out}"]
    parts += [f"--check {name}" for name in check or []]
    parts += [f"--set {text}" for text in set_ or []]
    path, results = write_validation(
        out,
        replicates=replicates,
        checks=check or None,
        overrides=set_ or [],
        command=" ".join(parts),
        progress=None if quiet else _stderr,
    )
    rows = sum(len(r.rows) for r in results)
    typer.echo(f"wrote {path} ({len(results)} checks, {rows} rows)")
