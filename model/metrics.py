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
    if weights is None:
        return _lorenz_gini(np.sort(x) if _unsorted(x) else x, None)
    w = np.asarray(weights, dtype=float)
    if x.size == 0 or w.sum() <= 0:
        return 0.0
    if _unsorted(x):
        # numpy's default (unstable, vectorised) argsort, about twice as fast as a stable
        # one on the full county: the order of equal values does not move the Gini, as
        # their stretch of the Lorenz curve is straight whatever the order.
        order = np.argsort(x)
        x, w = x[order], w[order]
    return _lorenz_gini(x, w)


def _unsorted(x: np.ndarray) -> bool:
    """Whether ``x`` is out of ascending order (a caller may have sorted it already)."""
    return x.size >= 2 and not bool(np.all(x[1:] >= x[:-1]))


def _lorenz_gini(x: np.ndarray, w: np.ndarray | None) -> float:
    """One minus twice the trapezoid area under the Lorenz curve of ascending ``x``.

    Without weights, every weight is one: the sums are those with weights of one, without
    the multiplications by one.
    """
    if x.size == 0:
        return 0.0
    # In place: each temporary household-sized array costs a pass and, freshly allocated,
    # page faults.
    if w is None:
        lorenz = np.cumsum(x)
    else:
        lorenz = np.multiply(x, w)
        np.cumsum(lorenz, out=lorenz)
    total = lorenz[-1]
    if total == 0:
        return 0.0
    lorenz /= total
    # Each step adds the current and the previous point of the curve (0 before the first).
    # Summed without np.dot: a BLAS call wakes its threads, which then hold the cores.
    if w is None:
        steps, weight = 2.0 * np.sum(lorenz) - lorenz[-1], float(x.size)
    else:
        products = w * lorenz
        steps = np.sum(products)
        steps += np.sum(np.multiply(w[1:], lorenz[:-1], out=products[1:]))
        weight = float(np.sum(w))
    return float(1.0 - 2.0 * (steps / (2.0 * weight)))
