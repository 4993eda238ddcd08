"""Output measures: inequality and the tidy tables of docs/ODD.md section 8."""

from __future__ import annotations

import numpy as np

from model.params import Section, param


class OutputParams(Section):
    """What a run records."""

    household_microdata: bool = param(
        False,
        unit="-",
        source="model design: household micro-data on request (docs/ODD.md section 8)",
        description="Record yearly household micro-data",
    )
    household_sample: float = param(
        1.0,
        unit="share",
        source="assumption",
        description="Share of households kept in the micro-data (a fixed random sample)",
        gt=0,
        le=1,
    )
    village_monthly: bool = param(
        False,
        unit="-",
        source="model design (docs/ODD.md section 8)",
        description="Record the village-by-month table (large at full scale)",
    )


def gini(values: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Gini coefficient, optionally weighted (e.g. household per-capita income by persons).

    Uses the area under the Lorenz curve; negative values are kept (a loss-making
    household is poorer than one with nothing), which is what income Ginis report.

    Args:
        values: Values (e.g. income per person).
        weights: Non-negative weights, default all ones.

    Returns:
        The Gini coefficient (0 = equal).
    """
    x = np.asarray(values, dtype=float)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    if x.size == 0 or w.sum() <= 0:
        return 0.0
    x, w = _sorted(x, w, weighted=weights is not None)
    cum_w = np.cumsum(w)
    cum_xw = np.cumsum(x * w)
    total = cum_xw[-1]
    if total == 0:
        return 0.0
    # Trapezoid area under the Lorenz curve.
    lorenz = cum_xw / total
    prev = np.concatenate(([0.0], lorenz[:-1]))
    area = np.sum(w * (lorenz + prev)) / (2.0 * cum_w[-1])
    return float(1.0 - 2.0 * area)


def _sorted(x: np.ndarray, w: np.ndarray, weighted: bool) -> tuple[np.ndarray, np.ndarray]:
    """``x`` ascending and ``w`` in its order, sorting only what needs it.

    An array already in order (a caller that sorted it) is not sorted again; without
    weights the values are sorted directly, not through their order (the same result:
    equal values cannot be told apart). With weights, the order is numpy's default
    (unstable, vectorised) argsort, about twice as fast as a stable one on the full county:
    the order of equal values does not move the Gini, as their stretch of the Lorenz curve
    is straight whatever the order (it moves only the last bits of the sums).
    """
    if x.size < 2 or bool(np.all(x[1:] >= x[:-1])):
        return x, w
    if not weighted:
        return np.sort(x), w
    order = np.argsort(x)
    return x[order], w[order]
