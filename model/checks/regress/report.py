"""The report of a check: its records, the level that decides, the summary line and JSON."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from model.checks.regress.cases import ALPHA
from model.checks.regress.records import Record, compare_replicates, compare_world
from model.checks.regress.statistics import compare_statistics, final_values
from model.checks.regress.summaries import STAT_TABLE
from model.scenario import flatten

#: ... and in the summary line.
SUMMARY_LABELS = {"exact": "exact", "replicate": "per-replicate", "across": "across-replicate"}


def input_notes(name: str, ref: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """Scenario parameters and data files that differ from the references."""
    notes = []
    ref_flat = flatten(ref.get("scenario", {}))
    now_flat = flatten(now.get("scenario", {}))
    for key in sorted(set(ref_flat) | set(now_flat)):
        if key in ("name", "description"):
            continue
        if ref_flat.get(key, "<absent>") != now_flat.get(key, "<absent>"):
            notes.append(
                f"{name}: parameter {key}: {ref_flat.get(key, '<absent>')!r} in the references, "
                f"{now_flat.get(key, '<absent>')!r} now"
            )
    ref_in, now_in = ref.get("inputs", {}), now.get("inputs", {})
    for key in sorted(set(ref_in) & set(now_in)):
        if ref_in[key].get("sha256") != now_in[key].get("sha256"):
            notes.append(
                f"{name}: data file {key} ({now_in[key].get('path')}) has different content"
            )
    return notes


@dataclass
class Report:
    """The outcome of a check (or of the comparison made by an update)."""

    records: list[Record]
    level: str = "strict"
    notes: list[str] = field(default_factory=list)
    cases: list[str] = field(default_factory=list)
    seconds: float = 0.0
    updated: bool = False

    @property
    def failures(self) -> list[Record]:
        """Records that fail the run."""
        return [r for r in self.records if r.status == "FAIL"]

    @property
    def moved(self) -> list[Record]:
        """Records outside their tolerance, whether or not they fail the run."""
        return [r for r in self.records if r.status in ("FAIL", "moved")]

    @property
    def passed(self) -> bool:
        """True when nothing fails."""
        return not self.failures

    def moved_measures(self) -> dict[str, list[str]]:
        """Case -> names of the measures (or world tables) that moved, in report order."""
        out: dict[str, list[str]] = {}
        for record in self.moved:
            label = _short_measure(record)
            names = out.setdefault(record.scenario, [])
            if label not in names:
                names.append(label)
        return out

    def summary(self) -> str:
        """One summary line."""
        by_check: dict[str, int] = {}
        for record in self.records:
            by_check[record.check] = by_check.get(record.check, 0) + 1
        checks = ", ".join(f"{n} {SUMMARY_LABELS.get(c, c)}" for c, n in by_check.items())
        head = f"{len(self.cases)} case(s) [{', '.join(self.cases)}]"
        if checks:
            head += f", {checks} checks"
        if self.updated:
            moved = self.moved_measures()
            text = "; ".join(f"{c}: {', '.join(m)}" for c, m in moved.items())
            return f"regress: UPDATED — {head}" + (f"; moved: {text}" if moved else "")
        if self.passed:
            extra = (
                f" ({len(self.moved)} moved, within the {self.level} level)" if self.moved else ""
            )
            return f"regress: PASS — {head}, level {self.level}{extra}, {self.seconds:.0f} s"
        moved = self.moved_measures()
        n = sum(len(m) for m in moved.values())
        text = "; ".join(f"{c} ({len(m)}): {', '.join(m)}" for c, m in moved.items())
        return f"regress: FAIL — {n} measure(s) moved in {len(moved)} case(s): {text}"

    def to_json(self) -> dict[str, Any]:
        """The report as plain data (``--json``)."""
        return {
            "status": "updated" if self.updated else ("pass" if self.passed else "fail"),
            "level": self.level,
            "cases": self.cases,
            "seconds": round(self.seconds, 2),
            "summary": self.summary(),
            "moved": self.moved_measures(),
            "notes": self.notes,
            "records": [{k: _json_number(v) for k, v in asdict(r).items()} for r in self.records],
        }


def _short_measure(record: Record) -> str:
    measure = record.measure
    if record.table in ("world", STAT_TABLE, "-"):
        return measure
    return f"{record.table}.{measure}"


def _json_number(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def compare_case(
    name: str,
    ref: dict[str, Any],
    now: dict[str, Any],
    alpha_per_test: float,
) -> list[Record]:
    """Every check of one case."""
    return [
        *compare_world(name, ref["world"], now["world"]),
        *compare_replicates(name, ref["replicates"], now["replicates"]),
        *compare_statistics(name, ref["replicates"], now["replicates"], alpha_per_test),
    ]


def compare_all(
    refs: dict[str, dict[str, Any]], nows: dict[str, dict[str, Any]], level: str = "strict"
) -> Report:
    """Compare every case present in both and apply the level."""
    names = [n for n in nows if n in refs]
    n_tests = sum(len(final_values(refs[n]["replicates"])) for n in names)
    alpha_per_test = ALPHA / max(1, n_tests)
    records: list[Record] = []
    notes: list[str] = []
    for name in names:
        records += compare_case(name, refs[name], nows[name], alpha_per_test)
        notes += input_notes(name, refs[name], nows[name])
    if level == "statistical":
        for record in records:
            if record.status == "FAIL" and record.check != "across":
                record.status = "moved"
    report = Report(records, level=level, notes=notes, cases=names)
    replicate_moved = any(r.check != "across" and r.status in ("FAIL", "moved") for r in records)
    stat_moved = any(r.check == "across" and r.status == "FAIL" for r in records)
    if replicate_moved and not stat_moved:
        report.notes.append(
            "values moved in single replicates, but no final-year mean moved beyond replicate "
            "noise (as after a change in how random numbers are drawn, or on another "
            "platform); '--level statistical' judges by the distribution only"
        )
    return report
