"""Comparing a run with its reference: exact checks of the world, and each replicate's values."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from model.checks.regress.cases import ATOL, RTOL
from model.checks.regress.summaries import TABLE_KEYS


@dataclass
class Record:
    """One line of the report."""

    scenario: str
    check: str
    table: str
    measure: str
    reference: Any
    now: Any
    difference: float | None
    rel_difference: float | None
    tolerance: str
    status: str
    detail: str = ""


def difference(ref: Any, now: Any) -> tuple[float | None, float | None]:
    """``now - ref`` and its size relative to ``|ref|`` (``None`` when not numbers)."""
    if not _is_number(ref) or not _is_number(now):
        return None, None
    ref_f, now_f = float(ref), float(now)
    if math.isnan(ref_f) or math.isnan(now_f):
        return None, None
    diff = now_f - ref_f
    if ref_f != 0:
        return diff, diff / abs(ref_f)
    return diff, (0.0 if diff == 0 else math.inf)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)


def _num(value: Any) -> float:
    return math.nan if value is None else float(value)


#: Columns that cite where an input came from: text for readers, not model state, so a
#: reworded citation is no regression (the towns sheet carries one into the county).
CITATION_COLUMNS = frozenset({"source"})


def compare_world(name: str, ref: dict[str, Any], now: dict[str, Any]) -> list[Record]:
    """Exact checks of counts and table digests (citation columns aside)."""
    records: list[Record] = []
    ref_counts, now_counts = ref.get("counts", {}), now.get("counts", {})
    for key in sorted(set(ref_counts) | set(now_counts), key=_count_order):
        r, n = ref_counts.get(key), now_counts.get(key)
        diff, rel = difference(r, n)
        status = "ok" if r == n else "FAIL"
        detail = "" if r is not None and n is not None else "missing on one side"
        records.append(
            Record(name, "exact", "world", key, r, n, diff, rel, "exact", status, detail)
        )
    ref_dig, now_dig = ref.get("digests", {}), now.get("digests", {})
    for table in sorted(set(ref_dig) | set(now_dig)):
        r, n = (
            {c: v for c, v in digests.get(table, {}).items() if c not in CITATION_COLUMNS}
            for digests in (ref_dig, now_dig)
        )
        changed = sorted(c for c in set(r) & set(n) if r[c] != n[c])
        removed = sorted(set(r) - set(n))
        added = sorted(set(n) - set(r))
        parts = []
        if changed:
            parts.append("changed: " + ", ".join(changed))
        if removed:
            parts.append("removed: " + ", ".join(removed))
        if added:
            parts.append("added: " + ", ".join(added))
        status = "FAIL" if parts else "ok"
        records.append(
            Record(
                name,
                "exact",
                "world",
                table,
                _table_digest(r),
                _table_digest(n),
                None,
                None,
                "exact",
                status,
                "; ".join(parts) if parts else f"{len(r) - 1} columns",
            )
        )
    return records


def _count_order(key: str) -> tuple[int, str]:
    order = [
        "villages",
        "towns",
        "population",
        "households",
        "model_households",
        "alliances",
        "allied_villages",
        "unplaced_villages",
    ]
    return (order.index(key) if key in order else len(order), key)


def _table_digest(digests: dict[str, str]) -> str:
    if not digests:
        return "-"
    text = ";".join(f"{k}={v}" for k, v in sorted(digests.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def values_frame(data: dict[str, list[Any]], keys: Sequence[str]) -> pd.DataFrame:
    """A stored table (column -> values) as a frame indexed by its keys."""
    frame = pd.DataFrame({k: [_num(v) for v in vals] for k, vals in data.items()})
    for key in keys:
        frame[key] = frame[key].astype("int64")
    return frame.set_index(list(keys)).sort_index()


def compare_replicates(
    name: str,
    ref_reps: dict[str, Any],
    now_reps: dict[str, Any],
    rtol: float = RTOL,
    atol: float = ATOL,
) -> list[Record]:
    """Per-replicate band checks, one record per (table, measure), worst value shown."""
    records: list[Record] = []
    common = sorted(set(ref_reps) & set(now_reps), key=int)
    if set(ref_reps) != set(now_reps):
        records.append(
            Record(
                name,
                "replicate",
                "-",
                "replicates",
                len(ref_reps),
                len(now_reps),
                *difference(len(ref_reps), len(now_reps)),
                "exact",
                "FAIL",
                "replicate numbers differ",
            )
        )
    tables = sorted({t for r in common for t in (*ref_reps[r]["tables"], *now_reps[r]["tables"])})
    for table in tables:
        tally = _TableTally(TABLE_KEYS.get(table, ("year",)), rtol, atol)
        for rep in common:
            tally.add(rep, ref_reps[rep]["tables"].get(table), now_reps[rep]["tables"].get(table))
        records += tally.records(name, table)
    return records


class _TableTally:
    """One table's per-replicate comparison: values outside the band, the worst of them,
    and structural differences (a table, rows or measures missing on one side)."""

    def __init__(self, keys: Sequence[str], rtol: float, atol: float) -> None:
        self.keys = keys
        self.rtol = rtol
        self.atol = atol
        self.worst: dict[str, tuple[float, Any, Any, str]] = {}
        self.counts: dict[str, list[int]] = {}
        self.structural: dict[str, str] = {}

    def add(self, rep: str, ref_data: Any, now_data: Any) -> None:
        """Compare one replicate's table (either side may be missing)."""
        if ref_data is None or now_data is None:
            self.structural["(table)"] = (
                "table missing now" if now_data is None else "table not in the references"
            )
            return
        ref_f, now_f = values_frame(ref_data, self.keys), values_frame(now_data, self.keys)
        if not ref_f.index.equals(now_f.index):
            self.structural["(rows)"] = (
                f"{_keys_text(ref_f.index)} in the references, {_keys_text(now_f.index)} now"
            )
            return
        for measure in ref_f.columns:
            if measure not in now_f.columns:
                self.structural[measure] = "measure missing now"
                continue
            self._add_values(measure, ref_f[measure], now_f[measure], rep)
        for measure in now_f.columns:
            if measure not in ref_f.columns:
                self.structural.setdefault(measure, "new measure, not in the references")

    def _add_values(self, measure: str, ref: pd.Series, now: pd.Series, rep: str) -> None:
        r, n = ref.to_numpy(), now.to_numpy()
        same = (r == n) | (np.isnan(r) & np.isnan(n))
        with np.errstate(invalid="ignore"):
            excess = np.abs(n - r) / (self.atol + self.rtol * np.abs(r))
        excess = np.where(same, 0.0, np.where(np.isnan(excess), np.inf, excess))
        tally = self.counts.setdefault(measure, [0, 0])
        tally[0] += len(r)
        tally[1] += int((excess > 1.0).sum())
        i = int(np.argmax(excess))
        if measure not in self.worst or excess[i] > self.worst[measure][0]:
            where = _where(ref.index[i], self.keys, rep)
            self.worst[measure] = (float(excess[i]), r[i], n[i], where)

    def records(self, name: str, table: str) -> list[Record]:
        """Structural differences first, then one record per measure compared."""
        tolerance = f"±{self.rtol:.0e} rel"
        records = [
            Record(
                name,
                "replicate",
                table,
                measure,
                None,
                None,
                None,
                None,
                tolerance,
                "note" if detail.startswith("new measure") else "FAIL",
                detail,
            )
            for measure, detail in self.structural.items()
        ]
        for measure, (_excess, r, n, where) in self.worst.items():
            total, outside = self.counts[measure]
            diff, rel = difference(_nan_none(r), _nan_none(n))
            detail = f"{outside}/{total} outside, worst {where}" if outside else f"{total} values"
            records.append(
                Record(
                    name,
                    "replicate",
                    table,
                    measure,
                    _nan_none(r),
                    _nan_none(n),
                    diff,
                    rel,
                    tolerance,
                    "FAIL" if outside else "ok",
                    detail,
                )
            )
        return records


def _nan_none(value: Any) -> Any:
    value = float(value)
    if math.isnan(value):
        return None
    return value if math.isfinite(value) else ("inf" if value > 0 else "-inf")


def _keys_text(index: pd.Index) -> str:
    if len(index) == 0:
        return "no rows"
    return f"{len(index)} rows ({index[0]}..{index[-1]})"


def _where(key: Any, keys: Sequence[str], rep: str) -> str:
    values = key if isinstance(key, tuple) else (key,)
    when = "-".join(f"{int(v):02d}" for v in values)
    return f"{when}, replicate {rep}"


def fmt_value(value: Any) -> str:
    """A reference or current value as shown in the report."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.6g}" if abs(value) >= 1e-3 else f"{value:.4g}"
