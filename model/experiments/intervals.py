"""Confidence intervals of comparisons: t-intervals of means and of ratios of paired means."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

#: Confidence level of every interval.
LEVEL = 0.95


def mean_ci(
    values: Sequence[float] | np.ndarray, level: float = LEVEL
) -> tuple[int, float, float, float]:
    """Mean and t-based confidence interval (NaN values are left out).

    Returns:
        ``(n, mean, low, high)``; the interval is NaN for fewer than 2 values.
    """
    from scipy import stats

    data = np.asarray(values, dtype=float)
    data = data[~np.isnan(data)]
    n = int(data.size)
    if n == 0:
        return 0, math.nan, math.nan, math.nan
    mean = float(data.mean())
    if n < 2:
        return n, mean, math.nan, math.nan
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * data.std(ddof=1) / math.sqrt(n))
    return n, mean, mean - half, mean + half


def ratio_ci(
    gains: np.ndarray, costs: np.ndarray, level: float = LEVEL, min_cost: float = 1.0
) -> tuple[int, float, float, float, str]:
    """Ratio of mean paired differences with a delta-method t-interval.

    Args:
        gains: Paired differences of the numerator, one per replicate.
        costs: Paired differences of the denominator (same replicates).
        level: Confidence level.
        min_cost: Smallest absolute mean cost for which the ratio is defined.

    Returns:
        ``(n, ratio, low, high, note)``.
    """
    from scipy import stats

    keep = ~(np.isnan(gains) | np.isnan(costs))
    gains, costs = gains[keep], costs[keep]
    n = int(gains.size)
    if n == 0:
        return 0, math.nan, math.nan, math.nan, "no paired replicates"
    mean_cost = float(costs.mean())
    if abs(mean_cost) < min_cost:
        return n, math.nan, math.nan, math.nan, "public money differs by < 1 yuan: undefined"
    ratio = float(gains.mean()) / mean_cost
    if n < 2:
        return n, ratio, math.nan, math.nan, ""
    cov = np.cov(gains, costs, ddof=1)
    var = (cov[0, 0] - 2 * ratio * cov[0, 1] + ratio**2 * cov[1, 1]) / (n * mean_cost**2)
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * math.sqrt(max(var, 0.0)))
    return n, ratio, ratio - half, ratio + half, ""
