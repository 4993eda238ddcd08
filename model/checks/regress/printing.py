"""Printing a report: the rich table of records and the summary line."""

from __future__ import annotations

import json
import math
import sys
from typing import Any

from model.checks.regress.records import Record, fmt_value
from model.checks.regress.report import Report
from model.checks.regress.summaries import STAT_TABLE

#: How the checks are named in the printed report.
CHECK_LABELS = {"exact": "exact", "replicate": "each replicate", "across": "final-year mean"}


def _fmt_diff(value: float | None) -> str:
    if value is None:
        return "—"
    if value == 0:
        return "0"
    return f"{value:+.4g}"


def _fmt_rel(value: float | None) -> str:
    if value is None:
        return "—"
    if value == 0:
        return "0"
    if math.isinf(value):
        return "∞"
    if abs(value) >= 1e-4:
        return f"{value:+.3%}"
    return f"{value:+.1e}"


#: The report's columns and their alignment.
COLUMNS = (
    ("scenario", "left"),
    ("table", "left"),
    ("measure", "left"),
    ("reference", "right"),
    ("now", "right"),
    ("difference", "right"),
    ("rel. diff", "right"),
    ("check", "left"),
    ("tolerance", "right"),
    ("status", "left"),
    ("detail", "left"),
)
#: Status colours.
STYLES = {"FAIL": "bold red", "moved": "yellow", "note": "cyan", "ok": "green"}
#: Order of the statuses within a case.
STATUS_ORDER = {"FAIL": 0, "moved": 1, "note": 2, "ok": 3}


def print_report(report: Report, show_all: bool = False, file: Any = None) -> None:
    """Print the report as a rich table and a summary line.

    Shown: every record that is not ok, and the across-replicate records (the headline
    numbers: all of them when nothing moved, else those of the county measures that moved);
    ``show_all`` shows every record.
    """
    from model.terminal import console as terminal_console

    console = terminal_console(file or sys.stdout, highlight=False)
    for note in report.notes:
        console.print(f"note: {note}", markup=False, soft_wrap=True)
    rows = shown_records(report, show_all)
    if rows:
        console.print(_table(rows))
    hidden = len(report.records) - len(rows)
    if hidden:
        console.print(f"({hidden} more checks ok; --all shows them)", highlight=False)
    style = "bold green" if report.passed else "bold red"
    console.print(report.summary(), style=style, markup=False, soft_wrap=True)


def shown_records(report: Report, show_all: bool = False) -> list[Record]:
    """The records the table shows, by case and then failures first."""
    moved = {(r.scenario, r.measure) for r in report.moved if r.table == STAT_TABLE}

    def shown(r: Record) -> bool:
        if show_all or r.status != "ok":
            return True
        return r.check == "across" and (not moved or (r.scenario, r.measure) in moved)

    rows = [r for r in report.records if shown(r)]
    rows.sort(key=lambda r: (report.cases.index(r.scenario), STATUS_ORDER.get(r.status, 9)))
    return rows


def _table(rows: list[Record]) -> Any:
    from rich.table import Table

    table = Table(title="jointvillage regress", show_lines=False, title_justify="left")
    for name, justify in COLUMNS:
        table.add_column(name, justify=justify, overflow="fold", no_wrap=name == "measure")
    for r in rows:
        table.add_row(
            r.scenario,
            r.table,
            r.measure,
            fmt_value(r.reference),
            fmt_value(r.now),
            _fmt_diff(r.difference),
            _fmt_rel(r.rel_difference),
            CHECK_LABELS.get(r.check, r.check),
            r.tolerance,
            f"[{STYLES.get(r.status, '')}]{r.status}[/]",
            r.detail,
        )
    return table


def report_json(report: Report) -> str:
    """The report as JSON text."""
    return json.dumps(report.to_json(), indent=1, ensure_ascii=False)
