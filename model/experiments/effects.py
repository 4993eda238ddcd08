"""Effects against the reference arm: paired differences in every year, and differences in
differences for the allied villages.

**Paired differences per year.** Replicate ``r`` of an arm minus replicate ``r`` of the
reference in the same year (common random numbers), then the mean and t-interval of those
differences (:func:`yearly_effects`). Year 0 is the county as built: where two arms share
the county, its collective incomes and weak villages do not differ there (alliances formed
and money spent at set-up may), which is what a trustworthy path shows.

**Difference in differences.** The allied villages of an arm's run (in its final year) are
followed in the reference run with the same replicate: their mean change from year 0 to
the final year in the arm, minus the same villages' change in the reference
(:func:`did_per_run`). Comparing allied villages with *other* villages instead would mix the
programme's effect with the reasons those villages were chosen (alliances form around
strong villages), and comparing the arm's final year with its first simulated year would
miss the programme's first year.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from model.experiments.arms import RUN_KEYS, with_arms, with_keys
from model.experiments.intervals import LEVEL, mean_ci
from model.experiments.measures import ReferenceMeasure

#: Columns of :func:`yearly_effects`.
EFFECT_COLUMNS = [
    "arm",
    "scenario",
    "variant",
    "year",
    "measure",
    "n",
    "mean",
    "ci_low",
    "ci_high",
    "pairs",
    "diff",
    "diff_low",
    "diff_high",
    "reference",
]


def yearly_effects(
    county_yearly: pd.DataFrame,
    reference: str,
    measures: Sequence[str],
    level: float = LEVEL,
) -> pd.DataFrame:
    """Per arm, year and measure: the mean and the paired difference from the reference.

    Args:
        county_yearly: Rows of several runs (``scenario``, ``replicate``, ``year``, the
            measures; ``variant`` and ``param:*`` when a sweep).
        reference: The reference arm (or scenario name of a single-variant scenario).
        measures: County outputs (columns of ``county_yearly``).
        level: Confidence level of the intervals.

    Returns:
        Columns :data:`EFFECT_COLUMNS` (intervals are NaN with fewer than two values).
    """
    frame = with_arms(with_keys(county_yearly))
    if reference not in set(frame["arm"]):
        matching = frame.loc[frame["scenario"] == reference, "arm"].unique()
        reference = str(matching[0]) if len(matching) else reference
    keys = ["replicate", "year"]
    columns = ["arm", "scenario", "variant", *keys, *measures]
    ref = frame.loc[frame["arm"] == reference, [*keys, *measures]]
    paired = frame[columns].merge(ref, on=keys, how="left", suffixes=("", "__ref"))
    rows = []
    for (arm, scenario, variant, year), part in paired.groupby(
        ["arm", "scenario", "variant", "year"], sort=False
    ):
        for name in measures:
            n, mean, low, high = mean_ci(part[name].to_numpy(float), level)
            diffs = (part[name] - part[f"{name}__ref"]).to_numpy(float)
            pairs, diff, diff_low, diff_high = mean_ci(diffs, level)
            level_stats = [n, mean, low, high]
            diff_stats = [pairs, diff, diff_low, diff_high]
            rows.append([arm, scenario, int(variant), int(year), name, *level_stats, *diff_stats])
            rows[-1].append(reference)
    return pd.DataFrame(rows, columns=EFFECT_COLUMNS)


def did_per_run(
    village_yearly: pd.DataFrame, reference: str, measure: ReferenceMeasure
) -> pd.DataFrame:
    """The difference in differences of every run against the reference run it pairs with.

    Args:
        village_yearly: ``village_yearly`` rows of the runs of every arm (with ``year``,
            ``village_id``, the measure's column and group column).
        reference: The reference arm.
        measure: What to difference.

    Returns:
        One row per run of every arm but the reference: ``arm, scenario, variant, replicate,
        villages`` (how many were in the group) and the measure's name as the value column
        (NaN for a run with no village in the group or no paired reference run).
    """
    frame = with_arms(with_keys(village_yearly))
    change = _change_per_village(frame, measure.column)
    ref = change[change["arm"] == reference].set_index(["replicate", "village_id"])["change"]
    final = frame.groupby(list(RUN_KEYS), sort=False)["year"].transform("max")
    last = frame[frame["year"] == final]
    rows = []
    for (arm, scenario, variant, replicate), part in change.groupby(["arm", *RUN_KEYS], sort=False):
        if arm == reference:
            continue
        run_last = last[
            (last["arm"] == arm) & (last["replicate"] == replicate) & last[measure.group]
        ]
        chosen = run_last["village_id"].to_numpy()
        own = part.set_index("village_id")["change"].reindex(chosen)
        paired = ref.reindex(pd.MultiIndex.from_product([[replicate], chosen]))
        diff = own.to_numpy(float) - paired.to_numpy(float)
        value = float(np.mean(diff)) if diff.size and np.isfinite(diff).all() else np.nan
        rows.append([arm, scenario, int(variant), int(replicate), int(chosen.size), value])
    return pd.DataFrame(rows, columns=["arm", *RUN_KEYS, "villages", measure.name])


def _change_per_village(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Each run's change of a village column from its first (year 0) to its final year."""
    keys = ["arm", *RUN_KEYS, "village_id"]
    ordered = frame.sort_values([*keys, "year"], kind="stable")
    grouped = ordered.groupby(keys, sort=False)[column]
    out = (grouped.last() - grouped.first()).rename("change").reset_index()
    return out
