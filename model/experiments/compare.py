"""Comparing scenarios: means with 95% intervals, paired differences, income per yuan.

Per scenario (an *arm*: a scenario, or one sweep point of it, see
:mod:`model.experiments.measures`) and measure:

* **mean and 95% interval across replicates**: ``mean ± t(0.975, n-1) · sd / sqrt(n)``;
* **paired difference against the reference arm**: replicate ``r`` of an arm minus
  replicate ``r`` of the reference (they share county, weather and prices: common random
  numbers), mean and t-interval of those differences. Pairing removes the noise the two
  arms share, so the interval of the difference is usually much narrower than the two
  intervals of the means suggest.

Ratio measures (income gained per yuan of public money, :data:`RATIO_MEASURES`) are the
ratio of two mean paired differences; their interval comes from the delta method for a
ratio of paired means. When the arm spends less than 1 yuan more (or less) than the
reference, the ratio is undefined and reported as NaN with a note, not as a huge number.

Every row says from how many runs it comes (``n``). When the arms do not all have the
planned number of runs (an incomplete or partly failed results folder), :func:`compare`
warns with an :class:`IncompleteComparisonWarning` naming each arm's n: means from n=2
and n=1 are not comparable as if they were from n=5.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from model.errors import InputError, did_you_mean
from model.experiments.arms import RUN_KEYS
from model.experiments.effects import did_per_run
from model.experiments.intervals import LEVEL, mean_ci, ratio_ci
from model.experiments.measures import (
    DEFAULT_DISCOUNT_RATE,
    RatioMeasure,
    ReferenceMeasure,
    select_measures,
)
from model.experiments.per_run import run_measures


class IncompleteComparisonWarning(UserWarning):
    """Some arms of a comparison have fewer runs than others, or than were planned."""


def warn_if_incomplete(runs: pd.DataFrame, planned: int | None = None) -> None:
    """Warn (:class:`IncompleteComparisonWarning`) when the arms' run counts are uneven.

    Args:
        runs: One row per run, with an ``arm`` column (from :func:`run_measures`).
        planned: Runs planned per arm (``None``: the largest count found).
    """
    counts = runs.groupby("arm", sort=False).size()
    expected = max(int(counts.max()) if len(counts) else 0, planned or 0)
    if (counts == expected).all():
        return
    arms = ", ".join(f"{arm} n={n}" for arm, n in counts.items())
    warnings.warn(
        f"incomplete comparison: runs per arm differ ({arms}; {expected} planned per arm)",
        IncompleteComparisonWarning,
        stacklevel=3,
    )


def compare(
    results: pd.DataFrame,
    reference: str | None = None,
    measures: Sequence[str] | None = None,
    level: float = LEVEL,
    *,
    villages: pd.DataFrame | None = None,
    user: Sequence[Any] = (),
    tables: dict[str, pd.DataFrame] | None = None,
    discount_rate: float = DEFAULT_DISCOUNT_RATE,
) -> pd.DataFrame:
    """Means with intervals per arm and measure, and paired differences against a reference.

    Args:
        results: ``county_yearly`` rows (from
            :func:`model.experiments.batch.load_results`, or any frame
            with ``scenario``, ``replicate``, ``year`` and the county outputs).
            ``results.attrs["planned_replicates"]`` (set by ``load_results``) is the number
            of runs planned per arm.
        reference: Arm label or scenario name of the reference (default: the first arm).
        measures: Measure names (default: every measure of
            :func:`model.experiments.measures.measure_names`, and ``user``).
        level: Confidence level.
        villages: ``village_yearly`` rows of the same runs, for the differences in
            differences (without them those rows are NaN with a note).
        user: User-defined measures (:mod:`model.experiments.user_measures`).
        tables: The runs' other tables by name, for user measures on them
            (``county_yearly`` is ``results``, ``village_yearly`` is ``villages``).
        discount_rate: Discount rate per year of the cumulative measures.

    Returns:
        A tidy frame, one row per (arm, measure): ``arm, scenario, variant, measure, kind,
        label, unit, n, mean, ci_low, ci_high, pairs, diff, diff_low, diff_high, reference,
        note`` and any ``param:*`` columns. For ratio and difference-in-differences
        measures ``mean``/``ci_*`` hold the value against the reference and the ``diff``
        columns are empty; the reference arm has none.

    Warns:
        IncompleteComparisonWarning: When the arms do not all have the same number of
            runs, or fewer than planned.
    """
    selection = select_measures(measures, user)
    runs = run_measures(results, [m.name for m in selection.per_run], discount_rate=discount_rate)
    if selection.user:
        available = {"county_yearly": results, **(tables or {})}
        if villages is not None:
            available["village_yearly"] = villages
        runs = _with_user_measures(runs, selection.user, available)
    warn_if_incomplete(runs, results.attrs.get("planned_replicates"))
    arms = list(dict.fromkeys(runs["arm"]))
    ref = _reference_arm(runs, arms, reference)
    params = [c for c in runs.columns if c.startswith("param:")]
    shown = [m for m in [*selection.per_run, *selection.user] if m.name in selection.shown]
    did = {m.name: _did_values(villages, ref, m) for m in selection.did}
    ref_runs = runs[runs["arm"] == ref]
    rows = []
    for arm in arms:
        mine = runs[runs["arm"] == arm]
        head = mine.iloc[0]
        base = {"arm": arm, "scenario": head["scenario"], "variant": int(head["variant"])}
        base.update({p: head[p] for p in params})
        paired = mine.merge(ref_runs, on="replicate", how="inner", suffixes=("", "__ref"))
        for measure in shown:
            stats = _measure_stats(mine[measure.name], _paired_diff(paired, measure.name), level)
            rows.append({**base, **_labels(measure), **stats, "reference": ref, "note": ""})
        for ratio in selection.ratios:
            stats, note = _ratio_stats(ratio, paired, arm == ref, level)
            rows.append({**base, **_labels(ratio), **stats, "reference": ref, "note": note})
        for measure in selection.did:
            stats, note = _did_stats(measure, did[measure.name], arm, arm == ref, level)
            rows.append({**base, **_labels(measure), **stats, "reference": ref, "note": note})
    table = pd.DataFrame(rows)
    order = [*table.columns.drop(params), *params]
    return table[order]


def _labels(measure: Any) -> dict[str, str]:
    return {
        "measure": measure.name,
        "kind": measure.kind,
        "label": measure.en,
        "unit": measure.unit,
    }


def _with_user_measures(
    runs: pd.DataFrame, user: Sequence[Any], tables: dict[str, pd.DataFrame]
) -> pd.DataFrame:
    """The per-run table with a column per user-defined measure."""
    keys = list(RUN_KEYS)
    out = runs.set_index(keys)
    for measure in user:
        values = measure.values(tables)
        out[measure.name] = values.reindex(out.index).astype(float)
    return out.reset_index()[[*runs.columns, *(m.name for m in user)]]


def _did_values(
    villages: pd.DataFrame | None, reference: str, measure: ReferenceMeasure
) -> pd.DataFrame | None:
    if villages is None or villages.empty:
        return None
    return did_per_run(villages, reference, measure)


def _did_stats(
    measure: ReferenceMeasure,
    values: pd.DataFrame | None,
    arm: str,
    is_reference: bool,
    level: float,
) -> tuple[dict[str, Any], str]:
    """A difference in differences in the ``mean``/``ci_*`` columns, and a note."""
    note = ""
    data = np.zeros(0)
    if is_reference:
        note = "reference"
    elif values is None:
        note = "needs the village_yearly table of the runs (outputs.tables)"
    else:
        data = values.loc[values["arm"] == arm, measure.name].to_numpy(float)
        if not np.isfinite(data).any():
            note = f"no village in the group '{measure.group}'"
    n, mean, low, high = mean_ci(data, level)
    stats = {"n": n, "mean": mean, "ci_low": low, "ci_high": high, "pairs": n}
    stats.update({"diff": math.nan, "diff_low": math.nan, "diff_high": math.nan})
    return stats, note


def _paired_diff(paired: pd.DataFrame, name: str) -> pd.Series:
    """Replicate-by-replicate difference of a measure against the reference arm."""
    return paired[name] - paired[f"{name}__ref"]


def _measure_stats(values: pd.Series, diffs: pd.Series, level: float) -> dict[str, Any]:
    """Mean and interval of an arm's runs, and of their paired differences."""
    n, mean, low, high = mean_ci(values.to_numpy(), level)
    pairs, diff, diff_low, diff_high = mean_ci(diffs.to_numpy(float), level)
    return {
        "n": n,
        "mean": mean,
        "ci_low": low,
        "ci_high": high,
        "pairs": pairs,
        "diff": diff,
        "diff_low": diff_low,
        "diff_high": diff_high,
    }


def _ratio_stats(
    ratio: RatioMeasure, paired: pd.DataFrame, is_reference: bool, level: float
) -> tuple[dict[str, Any], str]:
    """A ratio measure's value and interval in the ``mean``/``ci_*`` columns, and a note."""
    if is_reference:
        pairs, value, low, high, note = 0, math.nan, math.nan, math.nan, "reference"
    else:
        gains = _paired_diff(paired, ratio.numerator)
        costs = _paired_diff(paired, ratio.denominator) / ratio.scale
        pairs, value, low, high, note = ratio_ci(
            gains.to_numpy(float), costs.to_numpy(float), level, ratio.min_denominator / ratio.scale
        )
    stats = {
        "n": pairs,
        "mean": value,
        "ci_low": low,
        "ci_high": high,
        "pairs": pairs,
        "diff": math.nan,
        "diff_low": math.nan,
        "diff_high": math.nan,
    }
    return stats, note


def _reference_arm(runs: pd.DataFrame, arms: list[str], reference: str | None) -> str:
    if reference is None:
        return arms[0]
    if reference in arms:
        return reference
    matching = list(dict.fromkeys(runs.loc[runs["scenario"] == reference, "arm"]))
    if len(matching) == 1:
        return matching[0]
    if len(matching) > 1:
        raise InputError(
            "--reference",
            "reference",
            reference,
            "scenario has several sweep points; name one: " + "; ".join(matching),
        )
    names = list(dict.fromkeys([*runs["scenario"].astype(str), *arms]))
    raise InputError(
        "--reference",
        "reference",
        reference,
        "one of the compared scenarios: " + ", ".join(names),
        did_you_mean(reference, names),
    )
