"""Per-run measures: one row per run, from the runs' ``county_yearly`` rows.

The year-0 row (the county as built, :mod:`model.recorder`) is the start of every change
measure; results without it (stores written before year 0 was recorded, or hand-made
frames) start from their earliest year instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.errors import InputError
from model.experiments.arms import RUN_KEYS, arm_labels
from model.experiments.measures import DEFAULT_DISCOUNT_RATE, select_measures


@dataclass(frozen=True)
class RunYears:
    """Many runs' yearly tables, reduced to what measures need (index: the run keys).

    Attributes:
        start: Each run's year-0 row (its earliest).
        last: Each run's final-year row.
        rows: Every row, with ``t``, the years since year 0.
        discount_rate: Rate of :meth:`discounted_sum`.
    """

    start: pd.DataFrame
    last: pd.DataFrame
    rows: pd.DataFrame
    discount_rate: float = DEFAULT_DISCOUNT_RATE

    def discounted_sum(self, column: str, with_start: bool = False) -> pd.Series:
        """``Σ_t x_t / (1 + rate)^t`` per run, from year 0 (``with_start``) or year 1.

        Missing values (household incomes in year 0) are left out; a run with no value is NaN.
        """
        rows = self.rows if with_start else self.rows[self.rows["t"] > 0]
        factor = (1.0 + self.discount_rate) ** -rows["t"].to_numpy(float)
        values = rows[column].astype(float) * factor
        return values.groupby([rows[k] for k in RUN_KEYS], sort=False).sum(min_count=1)


def run_years(
    results: pd.DataFrame, discount_rate: float = DEFAULT_DISCOUNT_RATE
) -> tuple[RunYears, pd.DataFrame]:
    """The :class:`RunYears` of many runs, and the runs' label columns (one row per run)."""
    frame = _prepare(results)
    keys = list(RUN_KEYS)
    # Scenarios keep the order in which they come (the experiment's), not the alphabet's.
    rank = {name: i for i, name in enumerate(dict.fromkeys(frame["scenario"]))}
    ordered = frame.assign(_rank=frame["scenario"].map(rank))
    ordered = ordered.sort_values(["_rank", "variant", "replicate", "year"], kind="stable")
    ordered = ordered.drop(columns="_rank")
    first_year = ordered.groupby(keys, sort=False)["year"].transform("min")
    ordered = ordered.assign(t=(ordered["year"] - first_year).astype(int))
    years = RunYears(
        start=ordered.drop_duplicates(keys, keep="first").set_index(keys),
        last=ordered.drop_duplicates(keys, keep="last").set_index(keys),
        rows=ordered,
        discount_rate=discount_rate,
    )
    labels = [c for c in frame.columns if c.startswith(("param:", "design:"))]
    return years, ordered.drop_duplicates(keys).set_index(keys)[labels].copy()


def run_measures(
    results: pd.DataFrame,
    measures: Sequence[str] | None = None,
    discount_rate: float = DEFAULT_DISCOUNT_RATE,
) -> pd.DataFrame:
    """One row per run with every per-run measure.

    Args:
        results: ``county_yearly`` rows of many runs (e.g.
            :func:`model.experiments.batch.load_results`); needs ``scenario``,
            ``replicate``, ``year`` and the county outputs; ``variant`` and ``param:*``
            columns are used when present.
        measures: Names to compute (default all).
        discount_rate: Discount rate of the cumulative measures (per year).

    Returns:
        Columns ``arm, scenario, variant, replicate``, any ``param:*``/``design:*``
        columns, then one column per measure.
    """
    if not np.isfinite(discount_rate) or not 0.0 <= discount_rate < 1.0:
        raise InputError(
            "--discount-rate", "discount_rate", discount_rate, "a rate per year in [0, 1)"
        )
    selection = select_measures(measures)
    years, out = run_years(results, discount_rate)
    for measure in selection.per_run:
        try:
            out[measure.name] = measure.func(years).astype(float)
        except KeyError as err:
            raise InputError(
                "results", "measure", measure.name, f"needs the column {err} of county_yearly"
            ) from None
    out = out.reset_index()
    out.insert(0, "arm", arm_labels(out))
    return out


def _prepare(results: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in ("scenario", "replicate", "year") if c not in results.columns]
    if missing:
        raise InputError(
            "results", "columns", missing, "county_yearly rows with scenario, replicate and year"
        )
    if results.empty:
        raise InputError("results", allowed="no runs to compare (the results are empty)")
    return results if "variant" in results.columns else results.assign(variant=0)
