"""The 50-year check: a long run stays finite, keeps its stocks non-negative, keeps moving,
and grows at a plausible rate.

A run passes when

* every output table is finite where a number belongs (:func:`model.recorder.non_finite_columns`);
* no household stock is negative and land is conserved;
* every column of :data:`MUST_MOVE` moves over the last :data:`FROZEN_YEARS` simulated years
  (a column that stays at one value for decades is a mechanism that lost its driver, like
  e-commerce dying out or property income fixed to the yuan);
* per-capita income grows within :data:`REAL_GROWTH_BAND` a year in real terms, measured
  between the means of the first and the last :data:`GROWTH_WINDOW` years (so that the
  ginger cycle does not decide it). Income is deflated by the recorded ``cpi_factor``
  (constant 2023 yuan); a table without it is checked in current yuan against the band
  widened by :data:`CPI_ALLOWANCE` at the top, and the result says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from model.invariants import NON_NEGATIVE
from model.recorder import non_finite_columns

if TYPE_CHECKING:
    from model.jointmodel import JointVillageModel

#: County-by-year columns that must move over a long run, and why.
MUST_MOVE: dict[str, str] = {
    "per_capita_income": "wages grow and crop prices follow their trends and shocks",
    "income_wage": "wages grow with the wage level",
    "income_farming": "crop prices, yields and costs are drawn every year",
    "income_property": "rent, dividends and interest follow land and cooperative choices",
    "income_ecommerce": "sellers enter, learn and quit every year",
    "income_transfer": "pensions and subsidies follow the price level and the members",
    "collective_income_total": "collective income follows its sources' prices and projects",
    "gini_household": "household incomes diverge and converge with prices and choices",
    "active_sellers": "sellers enter and quit every year (e-commerce must not die out)",
    "farm_exit_households": "households leave land that stops paying and take it back",
    "household_wealth_mean": "savings accumulate out of income",
}

#: Plausible band of real per-capita income growth over fifty years (1/yr). China's rural
#: real income grew about 7 % a year over 1978-2023 and about 6.5 % over 2013-2023 (NBS
#: statistical communiqués; Shandong similar); the next fifty years should grow more slowly
#: than the catch-up decades, and faster than stagnation.
REAL_GROWTH_BAND = (0.02, 0.07)
#: Allowance for consumer-price inflation when only a nominal series exists (1/yr): China's
#: CPI rose about 2 % a year over 2013-2023 (NBS).
CPI_ALLOWANCE = 0.02
#: Trailing years over which a column of :data:`MUST_MOVE` must move (all years if fewer).
FROZEN_YEARS = 20
#: Years averaged at each end of the run for the growth rate.
GROWTH_WINDOW = 5
#: Household stocks that must never be negative: the runtime invariants' and the land left
#: at a loss.
HOUSEHOLD_STOCKS = (*NON_NEGATIVE, "exited_mu", "seller_years", "loss_years")


@dataclass
class LongRunResult:
    """What the check found in one run.

    Attributes:
        growth: Per-capita income growth, first to last window (1/yr).
        real: Whether ``growth`` is real (else nominal).
        problems: One line per failed condition (empty when the run passes).
    """

    growth: float
    real: bool
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """Whether every condition held."""
        return not self.problems


def frozen_columns(
    yearly: pd.DataFrame, start_year: int, columns=MUST_MOVE, years: int = FROZEN_YEARS
) -> list[str]:
    """Columns of ``columns`` that hold one value over the last ``years`` simulated years
    (or over all of them when fewer), or are absent."""
    simulated = yearly[yearly["year"] >= start_year].tail(years)
    frozen = []
    for column in columns:
        if column not in simulated:
            frozen.append(column)
            continue
        values = simulated[column].to_numpy(float)
        spread = np.nanmax(values) - np.nanmin(values) if len(values) else 0.0
        if not spread > 1e-9 * max(float(np.nanmax(np.abs(values))), 1.0):
            frozen.append(column)
    return frozen


def income_growth(
    yearly: pd.DataFrame, start_year: int, window: int = GROWTH_WINDOW
) -> tuple[float, bool]:
    """Yearly growth of per-capita income between the first and last ``window`` years.

    Returns:
        ``(growth, real)``: the rate (1/yr) and whether it is of a real series.
    """
    simulated = yearly[yearly["year"] >= start_year]
    values = simulated["per_capita_income"].to_numpy(float)
    # Constant 2023 yuan where the model records its price level (model.mechanisms.prices).
    real = "cpi_factor" in simulated
    if real:
        values = values / simulated["cpi_factor"].to_numpy(float)
    first, last = values[:window].mean(), values[-window:].mean()
    years = len(values) - window
    if years <= 0 or not first > 0 or not last > 0:
        return float("nan"), real
    return float((last / first) ** (1.0 / years) - 1.0), real


def growth_band(real: bool) -> tuple[float, float]:
    """The band a growth rate must fall in: real, or nominal with the CPI allowance."""
    low, high = REAL_GROWTH_BAND
    return (low, high) if real else (low, high + CPI_ALLOWANCE)


def check_run(model: JointVillageModel) -> LongRunResult:
    """Check a model that has run its horizon (the conditions of the module doc)."""
    start = model.config.start_year
    tables = model.recorder.tables()
    problems = [f"{t}: non-finite {c}" for t, c in non_finite_columns(tables, start).items()]
    hh = model.households
    problems += [f"negative {c}" for c in HOUSEHOLD_STOCKS if (getattr(hh, c) < -1e-9).any()]
    if not np.allclose(hh.land_total, hh.contracted_mu, rtol=1e-9, atol=1e-6):
        problems.append("land not conserved")
    if not np.isfinite(model.collective.cash).all():
        problems.append("collective cash not finite")
    yearly = tables["county_yearly"]
    problems += [f"frozen {c} ({MUST_MOVE[c]})" for c in frozen_columns(yearly, start)]
    growth, real = income_growth(yearly, start)
    low, high = growth_band(real)
    if not low <= growth <= high:
        kind = "real" if real else "nominal (the table has no cpi_factor)"
        problems.append(
            f"{kind} per-capita income growth {growth:.2%}/yr outside [{low:.0%}, {high:.0%}]"
        )
    return LongRunResult(growth, real, problems)
