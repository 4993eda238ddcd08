"""``jointvillage regress``: compare the canonical scenarios with stored references.

Exit status: 0 when every check passes (or after ``--update``), 1 on a regression, 2 on bad
input (a missing or corrupt reference folder, ``--update`` without ``--reason``, ...).
The checks and the reference format are described in :mod:`model.checks.regress` and
``docs/regression.md``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from model.atomic import atomic_write
from model.cli.common import SetOption, user_errors
from model.errors import EXIT_INTERRUPTED, InputError

#: Exit status of a run whose outputs moved beyond their tolerance.
EXIT_REGRESSION = 1


def register(app: typer.Typer) -> None:
    """Add ``regress`` to the application."""
    app.command("regress")(regress)


@user_errors
def regress(
    reference: Annotated[
        Path,
        typer.Option(
            "--reference",
            "-r",
            help="Reference folder (manifest.json and one <case>.json per case).",
        ),
    ],
    update: Annotated[
        bool,
        typer.Option("--update", help="Run the cases and rewrite the references (needs --reason)."),
    ] = False,
    reason: Annotated[
        str | None,
        typer.Option("--reason", help="Why the references change; recorded in the manifest."),
    ] = None,
    scenarios: Annotated[
        list[str] | None,
        typer.Option(
            "--scenarios",
            "-s",
            help="Only these cases (repeatable or comma-separated). With --update, a name "
            "that is not a canonical case is read as a scenario file and becomes a new case.",
        ),
    ] = None,
    quick: Annotated[
        bool, typer.Option("--quick", help="Only the quick cases (the baseline).")
    ] = False,
    years: Annotated[
        int | None, typer.Option("--years", help="With --update: horizon of the cases.")
    ] = None,
    replicates: Annotated[
        int | None,
        typer.Option("--replicates", help="With --update: replicates per case."),
    ] = None,
    level: Annotated[
        str,
        typer.Option(
            "--level",
            help="strict: every check decides; statistical: only the across-replicate test "
            "(for references made on another platform).",
        ),
    ] = "strict",
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            "-w",
            help="Worker processes (default one per CPU; 0 = in process).",
            min=0,
        ),
    ] = None,
    results: Annotated[
        Path | None,
        typer.Option(
            "--results",
            help="Keep the runs in this folder; a check run again (after an interruption) "
            "reuses those made by the same code, data and libraries. Default: a temporary "
            "folder.",
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report as JSON (records and summary).")
    ] = False,
    show_all: Annotated[
        bool, typer.Option("--all", help="Show every check, not only moved ones and means.")
    ] = False,
    report_file: Annotated[
        Path | None,
        typer.Option("--report", help="Also write the JSON report to this file (CI artefact)."),
    ] = None,
    set_: SetOption = None,
) -> None:
    """Run the canonical scenarios and compare them with stored references.

    Checks: county and alliances exactly; every aggregate of every replicate within 1e-9.

    Final-year county means across replicates: paired t-test, family-wise level 1 %.

    Exit 0: pass; 1: outputs moved; 2: bad input. See docs/regression.md.
    """
    from model.checks import regress as rg

    names = rg.split_names(scenarios)
    common = {
        "names": names,
        "quick": quick,
        "extra": list(set_ or []),
        "workers": workers,
        "progress": not as_json,
        "results": results,
    }
    try:
        if not update:
            _refuse_update_only_options(reason, years, replicates)
            report = rg.check(reference, level=level, **common)
        else:
            report = rg.update(
                reference, reason or "", years=years, replicates=replicates, **common
            )
    except KeyboardInterrupt:
        interrupted(results)
    if report_file is not None:
        try:
            atomic_write(report_file, rg.report_json(report) + "\n")
        except OSError as err:
            raise InputError(str(report_file), allowed=f"cannot write the report: {err}") from None
    if as_json:
        typer.echo(rg.report_json(report))
    else:
        rg.print_report(report, show_all=show_all)
    if not report.passed and not report.updated:
        raise typer.Exit(EXIT_REGRESSION)


def _refuse_update_only_options(
    reason: str | None, years: int | None, replicates: int | None
) -> None:
    if reason is not None:
        raise InputError("--reason", allowed="only with --update")
    for flag, value in (("--years", years), ("--replicates", replicates)):
        if value is not None:
            raise InputError(
                flag,
                allowed="only with --update: a check runs the settings stored in the "
                "references (use --set to try a change against them)",
            )


def interrupted(results: Path | None) -> NoReturn:
    """After Ctrl-C: say where the finished runs are, and exit with status 130."""
    if results is not None:
        print(
            f"interrupted: finished runs are kept in {results}; run the same command again "
            "to continue",
            file=sys.stderr,
        )
    else:
        print("interrupted (use --results DIR to keep finished runs)", file=sys.stderr)
    raise typer.Exit(EXIT_INTERRUPTED)
