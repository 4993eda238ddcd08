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

from typing import TYPE_CHECKING

import numpy as np

from model.ledger import (
    HOUSEHOLD_LOAN,
    HOUSEHOLD_REPAYMENT,
    INFORMAL_LOAN,
    INFORMAL_REPAYMENT,
)
from model.mechanisms.monthly_spending import (
    consumption_floor,
    plan_month_by_rows,
    savings_buffer,
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
        p = self.priced
        # The buffer and the floor are the same all year (model/yearly_amounts.py).
        yearly = self.model.yearly.get
        buffer, _ = yearly(
            "savings buffer", "expected income", lambda: savings_buffer(hh.expected_income, p)
        )
        floor, _ = yearly("consumption floor", "members", lambda: consumption_floor(hh.members, p))
        consumption, owing, owing_plan = plan_month_by_rows(
            hh.savings, hh.debt, hh.expected_income, hh.members, p, hh.informal_debt, buffer, floor
        )
        ledger = self.model.ledger
        hh.savings -= consumption
        ledger.pay("households", "market", "consumption", float(consumption.sum()))
        if owing_plan is not None:
            hh.savings[owing] -= owing_plan.interest
            ledger.pay("households", "market", "loan_interest", float(owing_plan.interest.sum()))
            self._repay(owing, owing_plan.principal, owing_plan.repayment)
        self.cover_overdraft()

    def _repay(self, rows: np.ndarray, principal: np.ndarray, repayment: np.ndarray) -> None:
        """Principal due on the line, then repayment: informal debt first, then the line
        (of the households ``rows``, which owe)."""
        hh = self.model.households
        informal = np.minimum(repayment, hh.informal_debt[rows])
        formal = np.minimum(principal + repayment - informal, hh.debt[rows])
        hh.savings[rows] -= informal + formal
        hh.informal_debt[rows] -= informal
        hh.debt[rows] -= formal
        ledger = self.model.ledger
        ledger.pay("households", "market", INFORMAL_REPAYMENT, float(informal.sum()))
        ledger.pay("households", "market", HOUSEHOLD_REPAYMENT, float(formal.sum()))

    def cover_overdraft(self) -> None:
        """Households with negative savings draw the shortfall on their credit line; what
        the line cannot cover they borrow from relatives (interest-free, repaid first)."""
        hh = self.model.households
        if not len(hh.savings) or hh.savings.min() >= 0.0:
            return
        rows = np.flatnonzero(hh.savings < 0.0)
        shortfall = -hh.savings[rows]
        headroom = np.maximum(hh.credit_limit[rows] - hh.debt[rows], 0.0)
        formal = np.minimum(shortfall, headroom)
        informal = shortfall - formal
        hh.savings[rows] += shortfall
        hh.debt[rows] += formal
        hh.informal_debt[rows] += informal
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
        return gini(self.model.households.wealth())
