"""Each objective's gain over the programme's grouping, with a paired 95% interval.

Every arm of the final evaluation (the finalists, the programme's own grouping and the
county without alliances) runs the same replicates on common random numbers, so replicate
``r`` of a finalist, of the programme and of the county without alliances share county,
weather and prices. Each gain is computed from those replicate triples, by kind of measure:

* **per-run measures** (levels, changes, cumulative sums) and the poorest tercile's income:
  the replicate differences ``finalist_r - programme_r``, their mean and t-interval;
* **differences in differences** (allied villages against the same villages without
  alliances): each replicate's difference in differences of the finalist minus the
  programme's, their mean and t-interval;
* **ratios of paired means** (income gained per yuan of extra public money, both against
  the county without alliances): the gain is ``mean(a)/mean(c) - mean(b)/mean(d)`` of the
  replicate gains ``a`` (finalist) and ``b`` (programme) and extra costs ``c`` and ``d``;
  its interval is the delta method's (first-order Taylor expansion of that function of
  four paired means, their sample covariance, t with ``n - 1`` degrees of freedom), the
  method :func:`~model.experiments.intervals.ratio_ci` uses for one ratio. The delta
  method is chosen over a bootstrap because the final evaluation has few replicates (5 by
  default): a bootstrap of 5 pairs has 126 distinct resamples and understates the spread.

The ``interval`` column of each row names its method (``paired t``, ``paired t of DiD``,
``delta method``) and ``note`` says it in full.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from model.experiments.batch import load_results
from model.experiments.effects import did_per_run
from model.experiments.grouping.candidates import NO_ALLIANCES
from model.experiments.grouping.objectives import POOR_TERCILE, poor_tercile_runs
from model.experiments.intervals import LEVEL, mean_ci
from model.experiments.measures import RatioMeasure, ReferenceMeasure, find_measure
from model.experiments.per_run import run_measures

#: The programme's own grouping (the scenario's formation): the reference arm.
PROGRAMME = "programme"

#: Short name of each interval's method, by its note.
METHODS: dict[str, str] = {}

PAIRED_NOTE = "paired t-interval of the replicate differences (common random numbers)"
DID_NOTE = (
    "paired t-interval of the replicate differences of the two differences in differences "
    "(each against the county without alliances)"
)
DELTA_NOTE = (
    "delta-method t-interval of the difference of two ratios of paired means (each against "
    "the county without alliances; common random numbers)"
)
METHODS.update({PAIRED_NOTE: "paired t", DID_NOTE: "paired t of DiD", DELTA_NOTE: "delta method"})


def final_gains(folder: Path, arms: Sequence[str], measures: Sequence[str]) -> pd.DataFrame:
    """Each arm's gain over :data:`PROGRAMME` on each measure, from a final folder's runs.

    Args:
        folder: Results folder holding the arms, :data:`PROGRAMME` and ``no_alliances``.
        arms: The arms to report (finalists).
        measures: Measure names (``poor_tercile_income`` included).

    Returns:
        One row per arm and measure: ``arm, measure, programme, value, gain, gain_low,
        gain_high, n, interval, note``.
    """
    results = load_results(folder)
    villages = load_results(folder, "village_yearly")
    wanted = list(dict.fromkeys(measures))
    found = {m: find_measure(m) for m in wanted if m != POOR_TERCILE}
    runs = run_measures(results, list(found)).set_index(["arm", "replicate"])
    rows = []
    for measure in wanted:
        kind = getattr(found.get(measure), "kind", "")
        if measure == POOR_TERCILE:
            values = poor_tercile_runs(villages).rename_axis(["arm", "replicate"])
            by_arm = {arm: _gain(values, arm, PAIRED_NOTE) for arm in arms}
        elif kind == "ratio":
            by_arm = {arm: ratio_gain(runs, arm, found[measure]) for arm in arms}
        elif kind == "did":
            values = _did_values(villages, found[measure])
            by_arm = {arm: _gain(values, arm, DID_NOTE) for arm in arms}
        else:
            by_arm = {arm: _gain(runs[measure], arm, PAIRED_NOTE) for arm in arms}
        rows += [{"arm": arm, "measure": measure, **row} for arm, row in by_arm.items()]
    table = pd.DataFrame(rows)
    table.insert(len(table.columns) - 1, "interval", table["note"].map(METHODS).fillna(""))
    return table


def _did_values(villages: pd.DataFrame, measure: ReferenceMeasure) -> pd.Series:
    """Each run's difference in differences against the county without alliances."""
    frame = did_per_run(villages, NO_ALLIANCES, measure)
    return frame.set_index(["arm", "replicate"])[measure.name]


def _gain(values: pd.Series, arm: str, note: str) -> dict[str, object]:
    """Mean and t-interval of the replicate differences of ``arm`` against the programme."""
    mine, ref = values.xs(arm, level="arm"), values.xs(PROGRAMME, level="arm")
    diffs = (mine - ref.reindex(mine.index)).to_numpy(float)
    n, gain, low, high = mean_ci(diffs)
    return {
        "programme": float(ref.mean()),
        "value": float(mine.mean()),
        "gain": gain,
        "gain_low": low,
        "gain_high": high,
        "n": n,
        "note": note,
    }


def ratio_gain(runs: pd.DataFrame, arm: str, ratio: RatioMeasure) -> dict[str, object]:
    """A ratio measure's gain of ``arm`` over the programme (both against no alliances).

    Args:
        runs: Per-run measures indexed by ``arm, replicate`` (the ratio's numerator and
            denominator among the columns).
        arm: The arm.
        ratio: The measure.
    """
    parts = []
    for name in (arm, PROGRAMME):
        mine = runs.xs(name, level="arm")
        none = runs.xs(NO_ALLIANCES, level="arm").reindex(mine.index)
        parts.append(mine[ratio.numerator] - none[ratio.numerator])
        parts.append((mine[ratio.denominator] - none[ratio.denominator]) / ratio.scale)
    samples = pd.concat(parts, axis=1).dropna().to_numpy(float)
    n, value, reference, gain, low, high, note = difference_of_ratios(
        samples, ratio.min_denominator / ratio.scale
    )
    return {
        "programme": reference,
        "value": value,
        "gain": gain,
        "gain_low": low,
        "gain_high": high,
        "n": n,
        "note": note,
    }


def difference_of_ratios(
    samples: np.ndarray, min_cost: float = 1.0, level: float = LEVEL
) -> tuple[int, float, float, float, float, float, str]:
    """``mean(a)/mean(c) - mean(b)/mean(d)`` with a delta-method t-interval.

    Args:
        samples: One row per replicate: ``a, c, b, d`` (the two arms' paired gains and
            extra costs).
        min_cost: Smallest absolute mean cost for which a ratio is defined.
        level: Confidence level.

    Returns:
        ``(n, a/c, b/d, difference, low, high, note)``; NaN where undefined.
    """
    from scipy import stats

    n = len(samples)
    nan = math.nan
    if n == 0:
        return 0, nan, nan, nan, nan, nan, "no paired replicates"
    m_a, m_c, m_b, m_d = samples.mean(axis=0)
    if min(abs(m_c), abs(m_d)) < min_cost:
        note = f"undefined: an arm's extra public money is under {min_cost:g} (a ratio's unit)"
        return n, nan, nan, nan, nan, nan, note
    value, reference = m_a / m_c, m_b / m_d
    gain = value - reference
    if n < 2:
        return n, value, reference, gain, nan, nan, DELTA_NOTE
    gradient = np.array([1 / m_c, -m_a / m_c**2, -1 / m_d, m_b / m_d**2])
    variance = float(gradient @ np.cov(samples, rowvar=False, ddof=1) @ gradient) / n
    half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * math.sqrt(max(variance, 0.0))
    return n, value, reference, gain, gain - half, gain + half, DELTA_NOTE
