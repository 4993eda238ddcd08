"""The check across replicates: paired (or Welch's) t-tests of the final-year county measures."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from model.checks.regress.cases import STAT_ATOL, STAT_RTOL
from model.checks.regress.records import Record, difference, fmt_value, values_frame
from model.checks.regress.summaries import STAT_TABLE, TABLE_KEYS


def final_values(reps: dict[str, Any], table: str = STAT_TABLE) -> dict[str, dict[int, float]]:
    """Measure -> {replicate: final-year value}."""
    out: dict[str, dict[int, float]] = {}
    for rep in sorted(reps, key=int):
        data = reps[rep]["tables"].get(table)
        if not data:
            continue
        frame = values_frame(data, TABLE_KEYS[table])
        last = frame.iloc[-1]
        for measure, value in last.items():
            out.setdefault(str(measure), {})[int(rep)] = float(value)
    return out


@dataclass
class TTest:
    """Outcome of a two-sided t-test of a difference of means."""

    kind: str
    diff: float
    se: float
    df: float
    p: float


def welch(ref: Sequence[float], now: Sequence[float]) -> TTest:
    """Welch's unequal-variance t-test of ``mean(now) - mean(ref)``."""
    a = np.asarray(ref, dtype=float)
    b = np.asarray(now, dtype=float)
    diff = float(b.mean() - a.mean())
    va = float(a.var(ddof=1)) / len(a) if len(a) > 1 else 0.0
    vb = float(b.var(ddof=1)) / len(b) if len(b) > 1 else 0.0
    se2 = va + vb
    if not se2 > 0 or not math.isfinite(se2):
        return TTest("Welch", diff, 0.0, math.inf, 1.0 if diff == 0 else 0.0)
    denominator = (va**2 / (len(a) - 1) if len(a) > 1 else 0.0) + (
        vb**2 / (len(b) - 1) if len(b) > 1 else 0.0
    )
    df = se2**2 / denominator if denominator > 0 else math.inf
    return TTest("Welch", diff, math.sqrt(se2), df, _p_value(diff / math.sqrt(se2), df))


def paired(ref: Sequence[float], now: Sequence[float]) -> TTest:
    """Paired t-test of the replicate-by-replicate differences ``now - ref``."""
    d = np.asarray(now, dtype=float) - np.asarray(ref, dtype=float)
    diff = float(d.mean())
    se = float(d.std(ddof=1)) / math.sqrt(len(d)) if len(d) > 1 else 0.0
    if not se > 0 or not math.isfinite(se):
        return TTest("paired", diff, 0.0, math.inf, 1.0 if diff == 0 else 0.0)
    df = float(len(d) - 1)
    return TTest("paired", diff, se, df, _p_value(diff / se, df))


def _p_value(t: float, df: float) -> float:
    from scipy import stats

    return float(2 * stats.t.sf(abs(t), df))


def t_critical(alpha: float, df: float) -> float:
    """Two-sided critical value of Student's t."""
    from scipy import stats

    if not math.isfinite(df):
        return float(stats.norm.isf(alpha / 2))
    return float(stats.t.isf(alpha / 2, df))


def compare_statistics(
    name: str,
    ref_reps: dict[str, Any],
    now_reps: dict[str, Any],
    alpha_per_test: float,
    stat_rtol: float = STAT_RTOL,
    stat_atol: float = STAT_ATOL,
) -> list[Record]:
    """Across-replicate checks of the final-year county measures.

    The decision uses the paired t-test on replicates present on both sides (replicate
    ``r`` shares its random streams with the reference's replicate ``r``: common random
    numbers), or Welch's test when the replicate numbers differ; the Welch p-value is
    always shown too (the shift measured against the spread between replicates).
    """
    records: list[Record] = []
    now_vals = final_values(now_reps)
    for measure, ref_by_rep in final_values(ref_reps).items():
        now_by_rep = now_vals.get(measure)
        if now_by_rep is None:
            continue  # reported by the per-replicate checks
        r = [v for v in ref_by_rep.values() if not math.isnan(v)]
        n = [v for v in now_by_rep.values() if not math.isnan(v)]
        nan_pattern_same = {k for k, v in ref_by_rep.items() if math.isnan(v)} == {
            k for k, v in now_by_rep.items() if math.isnan(v)
        }
        if not r or not n or (set(ref_by_rep) == set(now_by_rep) and not nan_pattern_same):
            records.append(_undefined_record(name, measure, r, n))
            continue
        unpaired = welch(r, n)
        if set(ref_by_rep) == set(now_by_rep) and len(r) > 1:
            common = [k for k in ref_by_rep if not math.isnan(ref_by_rep[k])]
            test = paired([ref_by_rep[k] for k in common], [now_by_rep[k] for k in common])
        else:
            test = unpaired
        ref_mean, now_mean = float(np.mean(r)), float(np.mean(n))
        floor = stat_atol + stat_rtol * abs(ref_mean)
        limit = max(floor, t_critical(alpha_per_test, test.df) * test.se)
        diff, rel = difference(ref_mean, now_mean)
        records.append(
            Record(
                name,
                "across",
                STAT_TABLE,
                measure,
                ref_mean,
                now_mean,
                diff,
                rel,
                f"±{limit:.3g}",
                "FAIL" if abs(test.diff) > limit else "ok",
                _test_detail(test, unpaired, diff, r, n),
            )
        )
    return records


def _undefined_record(name: str, measure: str, r: list[float], n: list[float]) -> Record:
    """A measure without values (NaN) on one side, or NaN in different replicates."""
    same = not r and not n
    return Record(
        name,
        "across",
        STAT_TABLE,
        measure,
        float(np.mean(r)) if r else None,
        float(np.mean(n)) if n else None,
        None,
        None,
        "-",
        "ok" if same else "FAIL",
        "no value (NaN)" if same else "NaN in different replicates",
    )


def _test_detail(
    test: TTest, unpaired: TTest, diff: float | None, r: list[float], n: list[float]
) -> str:
    """The p-values (the test used and Welch's), the spread between replicates and n."""
    if test.se > 0:
        detail = f"{test.kind} p={test.p:.2g}"
        if test is not unpaired:
            detail += f", Welch p={unpaired.p:.2g}"
    elif diff == 0:
        detail = "identical"
    else:
        detail = f"{test.kind}: same shift in every replicate"
    spread = float(np.std(r, ddof=1)) if len(r) > 1 else 0.0
    return detail + f"; sd {fmt_value(spread)}, n={len(r)}/{len(n)}"
