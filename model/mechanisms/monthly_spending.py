"""The households' monthly spending rule: debt service, consumption and repayment.

The rule is steps 1-3 of :mod:`model.mechanisms.household_finance` (where the balance
sheet and the overdraft live), written as pure functions of the household columns, so that
it can be worked by hand and tested on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from model.mechanisms.household_finance import HouseholdFinanceParams


@dataclass(frozen=True)
class MonthPlan:
    """One month's spending of the households (yuan per household).

    Attributes:
        interest: Interest paid on the debt.
        principal: Principal due by the term rule.
        consumption: Consumption.
        repayment: Voluntary repayment from deposits above the buffer (informal debt
            first, then the credit line).
    """

    interest: np.ndarray
    principal: np.ndarray
    consumption: np.ndarray
    repayment: np.ndarray


def plan_month(
    savings: np.ndarray,
    debt: np.ndarray,
    expected_income: np.ndarray,
    members: np.ndarray,
    params: HouseholdFinanceParams,
    informal_debt: np.ndarray | None = None,
) -> MonthPlan:
    """The month's debt service, consumption and repayment (the rule of the module doc)."""
    informal = np.zeros_like(debt) if informal_debt is None else informal_debt
    consumption, owing, owing_plan = plan_month_by_rows(
        savings, debt, expected_income, members, params, informal
    )
    interest, principal, repayment = np.zeros((3, len(debt)))
    if owing_plan is not None:
        interest[owing], principal[owing] = owing_plan.interest, owing_plan.principal
        repayment[owing] = owing_plan.repayment
    return MonthPlan(interest, principal, consumption, repayment)


def savings_buffer(expected_income: np.ndarray, params: HouseholdFinanceParams) -> np.ndarray:
    """The deposits each household keeps as a buffer: months of its expected income."""
    buffer = np.maximum(expected_income, 0.0)
    buffer *= params.buffer_months / 12.0
    return buffer


def consumption_floor(members: np.ndarray, params: HouseholdFinanceParams) -> np.ndarray:
    """Each household's monthly consumption floor."""
    return members * (params.consumption_floor_per_person / 12.0)


def plan_month_by_rows(
    savings: np.ndarray,
    debt: np.ndarray,
    expected_income: np.ndarray,
    members: np.ndarray,
    params: HouseholdFinanceParams,
    informal: np.ndarray,
    buffer: np.ndarray | None = None,
    floor: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, MonthPlan | None]:
    """:func:`plan_month` with the debt terms on the rows that owe only.

    Written with few temporaries: it runs every month over every household. The rule of a
    household that owes nothing is the debt-free one (its interest, principal and repayment
    are zero), so the debt terms are worked out on the rows that owe only (a handful, after
    the harvest). ``buffer`` and ``floor`` (:func:`savings_buffer`, :func:`consumption_floor`)
    are worked out here unless given: the same all year, the model keeps them for the year.

    Returns:
        ``(consumption, owing, plan)``: every household's consumption, the rows that owe,
        and their plan (``None`` when no one owes).
    """
    owing = np.flatnonzero((debt != 0) | (informal != 0))
    if buffer is None:
        buffer = savings_buffer(expected_income, params)
    if floor is None:
        floor = consumption_floor(members, params)
    wanted = expected_income * (params.mpc_income / 12.0)
    owing_plan = None
    if len(owing):
        rows = (a[owing] for a in (savings, debt, buffer, wanted, floor))
        owing_plan = _plan_owing(*rows, params, informal[owing])
    wanted += savings * (params.wealth_mpc / 12.0)
    consumption = _consume(wanted, savings - buffer, floor)
    if owing_plan is not None:
        consumption[owing] = owing_plan.consumption
    return consumption, owing, owing_plan


def _plan_owing(
    savings: np.ndarray,
    debt: np.ndarray,
    buffer: np.ndarray,
    wanted: np.ndarray,
    floor: np.ndarray,
    params: HouseholdFinanceParams,
    informal: np.ndarray,
) -> MonthPlan:
    """:func:`plan_month` of households that owe (their rows; ``buffer``, ``wanted``, the
    consumption out of income, and the consumption ``floor`` already worked out)."""
    interest = debt * (params.loan_rate / 12.0)
    principal = debt * (1.0 / (12.0 * params.max_term_years))
    cash = savings - interest - principal
    owed = debt - principal
    wanted += (cash - owed - informal) * (params.wealth_mpc / 12.0)
    above = cash - buffer
    consumption = _consume(wanted, above, floor)
    # What is left above the buffer repays debt.
    repayment = np.maximum(above, 0.0, out=above)
    repayment -= consumption
    np.minimum(repayment, owed + informal, out=repayment)
    return MonthPlan(interest, principal, consumption, repayment)


def _consume(wanted: np.ndarray, above: np.ndarray, floor: np.ndarray) -> np.ndarray:
    """Consumption: what the rule wants, at least the floor, at most the deposits above the
    buffer (micro-loans finance production, not consumption). Overwrites ``wanted``."""
    np.maximum(wanted, floor, out=wanted)
    return np.minimum(wanted, np.maximum(above, 0.0), out=wanted)
