"""Household balance sheet: savings, productive assets, consumption, credit and debt service.

Every household holds deposits (``savings``), owes principal to the rural credit cooperative
(``debt``) on a revolving credit line (``credit_limit``) and owns productive assets
(machinery, tools, business stock; ``productive_assets``), as columns of
:class:`~model.households.HouseholdTable`. Every payment to or by a household moves its
savings (:meth:`model.accounts.Accounts.pay_households`), so savings are the running sum of
the household's cash flows.

The month (step ``household spending and debt``, after every other payment):

1. **Debt service.** Interest ``debt x loan_rate / 12`` and the principal due,
   ``debt / (12 x max_term_years)``, leave savings for the credit cooperative (outside the
   county: the ``market`` sector).
2. **Consumption** (a propensity rule, Deaton-Carroll buffer-stock in spirit):
   ``c = mpc_income x expected_income / 12 + wealth_mpc / 12 x (savings - debt)``, at least
   ``consumption_floor_per_person x members / 12``, and at most the deposits above the
   buffer, ``savings - buffer_months x expected_income / 12`` (never below zero): the
   micro-loans finance production, not consumption.
   ``mpc_income = 1 - saving_rate - wealth_mpc x savings_to_income``, so a household
   holding the start's wealth-income ratio saves ``saving_rate`` of its income: the rule
   is calibrated to the sourced rural saving rate, not to any outcome.
3. **Repayment.** Deposits above the buffer repay debt (the loan costs more than deposits
   earn).
4. **Overdraft.** A household whose savings are negative (costs before the harvest, share
   purchases) draws the shortfall on its credit line; what the line cannot cover it borrows
   from relatives and friends (``informal_debt``, interest-free; most rural household debt
   is informal: Gan, Yin, Tan 2016), and repays that first.

In January expectations adapt, ``expected_income += expectation_weight x (last year's
income - expected_income)``, and the credit line is re-assessed:
``min(max_line, income_multiple x expected_income + land_collateral_per_mu x contracted
mu)``, never below the debt outstanding (a performing loan is not called; the household
only cannot draw more). Savings never fall below minus the credit limit
(``savings - debt >= -credit_limit``, a runtime invariant).

Investments and share purchases go through :meth:`HouseholdFinance.pay_from_balance`,
which pays at most :meth:`~model.households.HouseholdTable.spendable` (savings plus unused
credit) and draws credit for what savings do not cover.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from model.ledger import (
    HOUSEHOLD_LOAN,
    HOUSEHOLD_REPAYMENT,
    INFORMAL_LOAN,
    INFORMAL_REPAYMENT,
)
from model.metrics import gini
from model.params import Section, param

if TYPE_CHECKING:
    from model.jointmodel import JointVillageModel
    from model.mechanisms.prices import PriceLevel


class HouseholdFinanceParams(Section):
    """Household balance sheet parameters (``households.finance``)."""

    income_per_person_start: float = param(
        23776.0,
        unit="yuan/person/yr",
        source="Shandong statistical communique 2023: rural per-capita disposable income "
        "23,776 yuan",
        description="Expected income per member at the start (scaled by earning ability)",
        ge=0,
        le=1_000_000,
    )
    savings_to_income: float = param(
        1.06,
        unit="yr of income",
        source="China Household Wealth Survey Report 2016 (Economic Daily): rural per-capita "
        "wealth 64,780 yuan in 2015, 18.61 % financial (12,055 yuan), against rural "
        "per-capita disposable income 11,422 yuan (NBS 2015)",
        description="Mean savings at the start as years of expected income",
        ge=0,
        le=20,
    )
    savings_income_elasticity: float = param(
        1.0,
        unit="-",
        source="assumption: saving rises steeply with income, the top decile holding most "
        "rural financial assets (Gan, Yin, Tan: Report on the Development of Household "
        "Finance in Rural China 2014, Springer 2016)",
        description="Elasticity of the savings-to-income ratio in relative earning ability",
        ge=0,
        le=5,
    )
    productive_assets_per_mu: float = param(
        500.0,
        unit="yuan/mu",
        source="assumption: small machinery, pumps and tools; ploughing and harvesting are "
        "hired machinery services",
        description="Productive farm assets per contracted mu at the start",
        ge=0,
        le=1_000_000,
    )
    business_capital_years: float = param(
        1.0,
        unit="yr of business income",
        source="assumption: stock and equipment of a small shop, van or workshop",
        description="Business assets as years of the sideline business's net income",
        ge=0,
        le=50,
    )
    saving_rate: float = param(
        0.325,
        unit="share",
        source="Shandong Statistical Yearbook 2021: rural per-capita disposable income 18,753 "
        "and consumption 12,660 yuan in 2020 (national: 17,131 and 13,713, China Statistical "
        "Yearbook 2021)",
        description="Share of income saved by a household at the start's wealth-income ratio",
        ge=0,
        le=0.9,
    )
    wealth_mpc: float = param(
        0.04,
        unit="1/yr",
        source="assumption: marginal propensity to consume out of financial wealth in "
        "Chinese household studies 0.02-0.06",
        description="Yearly consumption per yuan of net financial wealth",
        ge=0,
        le=1,
    )
    consumption_floor_per_person: float = param(
        6000.0,
        unit="yuan/person/yr",
        source="assumption: near Shandong's rural minimum living standard (about 6,000-7,500 "
        "yuan per person a year, 2022-2023)",
        description="Consumption a household keeps up while it has the means",
        ge=0,
        le=100_000,
    )
    buffer_months: float = param(
        2.0,
        unit="months of income",
        source="assumption: a precautionary buffer for the costs that come before the harvest",
        description="Liquid means (savings plus unused credit) kept back from consumption",
        ge=0,
        le=60,
    )
    expectation_weight: float = param(
        0.5,
        unit="share/yr",
        source="assumption: adaptive expectations of income",
        description="Weight of last year's income in the yearly update of expected income",
        ge=0,
        le=1,
    )
    loan_rate: float = param(
        0.0585,
        unit="1/yr",
        source="one-year loan prime rate 3.85 % (PBoC, 2021) plus 2 points: assumption for "
        "rural commercial banks' farmer micro-loans",
        description="Interest on the credit line drawn",
        ge=0,
        le=0.5,
    )
    credit_income_multiple: float = param(
        1.0,
        unit="yr of income",
        source="assumption: lines of 50,000-300,000 yuan (Shandong rural commercial banks' "
        "farmer credit loans) against ~70,000 yuan of household income",
        description="Credit line per yuan of expected yearly income",
        ge=0,
        le=20,
    )
    credit_max_line: float = param(
        300000.0,
        unit="yuan",
        source="Shandong rural commercial banks: farmer credit loans (信用贷) up to 300,000 yuan",
        description="Largest credit line of one household",
        ge=0,
        le=10_000_000,
    )
    land_collateral_per_mu: float = param(
        0.0,
        unit="yuan/mu",
        source="assumption: land-management-right mortgages stayed rare outside the 2015-2018 "
        "pilot counties; set e.g. 2000 to lend against contracted land",
        description="Credit line added per contracted mu pledged",
        ge=0,
        le=100_000,
    )
    max_term_years: float = param(
        1.0,
        unit="yr",
        source="assumption: farmer micro-loans are one-year loans, renewed",
        description="Term over which drawn credit is repaid (monthly share of the debt)",
        gt=0,
        le=30,
    )

    @property
    def mpc_income(self) -> float:
        """Propensity to consume expected income that gives ``saving_rate`` at the start."""
        return max(1.0 - self.saving_rate - self.wealth_mpc * self.savings_to_income, 0.0)


def initial_balance_sheet(
    members: np.ndarray,
    earning: np.ndarray,
    contracted_mu: np.ndarray,
    business_income: np.ndarray,
    params: HouseholdFinanceParams,
) -> dict[str, np.ndarray]:
    """Savings, credit line, assets and expected income at the start (no random draws).

    Expected income is ``income_per_person_start x members x earning``; savings are
    ``savings_to_income`` years of it on average, more for higher earners
    (``earning ** savings_income_elasticity``, normalised to mean one).

    Returns:
        Columns ``savings``, ``debt``, ``credit_limit``, ``productive_assets`` and
        ``expected_income``.
    """
    expected = params.income_per_person_start * members * earning
    tilt = earning**params.savings_income_elasticity
    tilt = tilt / tilt.mean() if len(tilt) and tilt.mean() > 0 else tilt
    savings = params.savings_to_income * expected * tilt
    assets = params.productive_assets_per_mu * contracted_mu
    assets = assets + params.business_capital_years * business_income
    debt = np.zeros(len(members))
    return {
        "savings": savings,
        "debt": debt,
        "credit_limit": credit_line(expected, contracted_mu, debt, params),
        "productive_assets": assets,
        "expected_income": expected,
    }


def priced_finance(params: HouseholdFinanceParams, prices: PriceLevel) -> HouseholdFinanceParams:
    """This year's parameters: the consumption floor and the credit cap follow the CPI, the
    land collateral per mu the land rent."""
    return params.model_copy(
        update={
            "consumption_floor_per_person": prices.nominal(params.consumption_floor_per_person),
            "credit_max_line": prices.nominal(params.credit_max_line),
            "land_collateral_per_mu": prices.nominal(params.land_collateral_per_mu, "land_rent"),
        }
    )


def credit_line(
    expected_income: np.ndarray,
    contracted_mu: np.ndarray,
    debt: np.ndarray,
    params: HouseholdFinanceParams,
) -> np.ndarray:
    """The credit line: income multiple plus land collateral, capped, never below the debt."""
    assessed = params.credit_income_multiple * np.maximum(expected_income, 0.0)
    assessed = assessed + params.land_collateral_per_mu * contracted_mu
    return np.maximum(np.minimum(assessed, params.credit_max_line), debt)


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
    """The month's debt service, consumption and repayment (the rule of the module doc).

    Written with few temporaries: it runs every month over every household. The rule of a
    household that owes nothing is the debt-free one (its interest, principal and repayment
    are zero), so the debt terms are worked out on the rows that owe only (a handful, after
    the harvest).
    """
    informal = np.zeros_like(debt) if informal_debt is None else informal_debt
    owing = np.flatnonzero((debt != 0) | (informal != 0))
    buffer = np.maximum(expected_income, 0.0)
    buffer *= params.buffer_months / 12.0
    wanted = expected_income * (params.mpc_income / 12.0)
    owing_plan = None
    if len(owing):
        rows = (a[owing] for a in (savings, debt, buffer, wanted, members))
        owing_plan = _plan_owing(*rows, params, informal[owing])
    wanted += savings * (params.wealth_mpc / 12.0)
    consumption = _consume(wanted, savings - buffer, members, params)
    if owing_plan is None:  # the usual case after the harvest: nothing owed
        nothing = np.zeros_like(debt)
        return MonthPlan(nothing, nothing, consumption, nothing)
    consumption[owing] = owing_plan.consumption
    interest, principal, repayment = np.zeros((3, len(debt)))
    interest[owing], principal[owing] = owing_plan.interest, owing_plan.principal
    repayment[owing] = owing_plan.repayment
    return MonthPlan(interest, principal, consumption, repayment)


def _plan_owing(
    savings: np.ndarray,
    debt: np.ndarray,
    buffer: np.ndarray,
    wanted: np.ndarray,
    members: np.ndarray,
    params: HouseholdFinanceParams,
    informal: np.ndarray,
) -> MonthPlan:
    """:func:`plan_month` of households that owe (their rows; ``buffer`` and ``wanted``,
    the consumption out of income, already worked out)."""
    interest = debt * (params.loan_rate / 12.0)
    principal = debt * (1.0 / (12.0 * params.max_term_years))
    cash = savings - interest - principal
    owed = debt - principal
    wanted += (cash - owed - informal) * (params.wealth_mpc / 12.0)
    above = cash - buffer
    consumption = _consume(wanted, above, members, params)
    # What is left above the buffer repays debt.
    repayment = np.maximum(above, 0.0, out=above)
    repayment -= consumption
    np.minimum(repayment, owed + informal, out=repayment)
    return MonthPlan(interest, principal, consumption, repayment)


def _consume(
    wanted: np.ndarray, above: np.ndarray, members: np.ndarray, params: HouseholdFinanceParams
) -> np.ndarray:
    """Consumption: what the rule wants, at least the floor, at most the deposits above the
    buffer (micro-loans finance production, not consumption). Overwrites ``wanted``."""
    np.maximum(wanted, members * (params.consumption_floor_per_person / 12.0), out=wanted)
    return np.minimum(wanted, np.maximum(above, 0.0), out=wanted)


class HouseholdFinance:
    """The households' balance sheets over the run.

    Args:
        model: The model (its households hold the balance-sheet columns).
    """

    def __init__(self, model: JointVillageModel) -> None:
        self.model = model
        self.params = model.config.households.finance
        #: This year's parameters with the consumption floor and credit amounts indexed.
        self.priced = self.params

    def new_year(self) -> None:
        """January: expected income adapts to last year's; credit lines are re-assessed."""
        hh = self.model.households
        p = self.priced = priced_finance(self.params, self.model.prices)
        if self.model.year_index > 0:
            hh.expected_income += p.expectation_weight * (hh.last_year_income - hh.expected_income)
        hh.credit_limit = credit_line(hh.expected_income, hh.contracted_mu, hh.debt, p)

    def settle_month(self) -> None:
        """The month's debt service, consumption, repayment and overdraft (module doc)."""
        hh = self.model.households
        plan = plan_month(
            hh.savings,
            hh.debt,
            hh.expected_income,
            hh.members,
            self.priced,
            hh.informal_debt,
        )
        ledger = self.model.ledger
        hh.savings -= plan.consumption
        ledger.pay("households", "market", "consumption", float(plan.consumption.sum()))
        if hh.debt.any() or hh.informal_debt.any():
            hh.savings -= plan.interest
            ledger.pay("households", "market", "loan_interest", float(plan.interest.sum()))
            self._repay(plan.principal, plan.repayment)
        self.cover_overdraft()

    def _repay(self, principal: np.ndarray, repayment: np.ndarray) -> None:
        """Principal due on the line, then repayment: informal debt first, then the line."""
        hh = self.model.households
        informal = np.minimum(repayment, hh.informal_debt)
        formal = np.minimum(principal + repayment - informal, hh.debt)
        hh.savings -= informal + formal
        hh.informal_debt -= informal
        hh.debt -= formal
        ledger = self.model.ledger
        ledger.pay("households", "market", INFORMAL_REPAYMENT, float(informal.sum()))
        ledger.pay("households", "market", HOUSEHOLD_REPAYMENT, float(formal.sum()))

    def cover_overdraft(self) -> None:
        """Households with negative savings draw the shortfall on their credit line; what
        the line cannot cover they borrow from relatives (interest-free, repaid first)."""
        hh = self.model.households
        if not len(hh.savings) or hh.savings.min() >= 0.0:
            return
        shortfall = np.maximum(-hh.savings, 0.0)
        formal = np.minimum(shortfall, np.maximum(hh.credit_limit - hh.debt, 0.0))
        informal = shortfall - formal
        hh.savings += shortfall
        hh.debt += formal
        hh.informal_debt += informal
        ledger = self.model.ledger
        ledger.pay("market", "households", HOUSEHOLD_LOAN, float(formal.sum()))
        ledger.pay("market", "households", INFORMAL_LOAN, float(informal.sum()))

    def pay_from_balance(self, wanted: np.ndarray, payee: str, kind: str) -> np.ndarray:
        """Households pay what they can of ``wanted`` out of savings plus unused credit.

        Args:
            wanted: Yuan each household wants to pay (>= 0).
            payee: Sector paid (``cooperatives``, ``market`` ...).
            kind: Ledger kind (``share_capital``, ``investment`` ...).

        Returns:
            What each household paid: ``min(wanted, spendable)``.
        """
        hh = self.model.households
        paid = np.minimum(np.maximum(wanted, 0.0), np.maximum(hh.spendable(), 0.0))
        hh.savings -= paid
        self.model.ledger.pay("households", payee, kind, float(paid.sum()))
        self.cover_overdraft()
        return paid

    # -- outputs ------------------------------------------------------------------------

    def wealth_mean(self) -> float:
        """Mean household net worth: savings - debt + shares + productive assets (yuan)."""
        wealth = self.model.households.wealth()
        return float(wealth.mean()) if len(wealth) else 0.0

    def wealth_gini(self) -> float:
        """Gini of household net worth (negative net worth kept, as income Ginis do)."""
        # Sorted first: gini's stable argsort is then a linear pass, not a sort of 240,000.
        return gini(np.sort(self.model.households.wealth()))
