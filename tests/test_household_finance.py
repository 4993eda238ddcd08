"""Household balance sheet: hand-worked consumption, credit and debt service; conservation;
the credit-limit invariant; share purchases limited by savings plus credit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.invariants import InvariantError
from model.jointmodel import JointVillageModel, Step
from model.mechanisms.household_finance import (
    HouseholdFinanceParams,
    credit_line,
    initial_balance_sheet,
)
from model.mechanisms.monthly_spending import (
    consumption_floor,
    plan_month,
    plan_month_by_rows,
    savings_buffer,
)
from model.scenario import load_scenario

SMALL = ["county.scale=0.1", "years=2"]


def one(value: float) -> np.ndarray:
    return np.array([float(value)])


def test_mpc_gives_the_sourced_saving_rate_at_the_start_wealth():
    p = HouseholdFinanceParams()
    # 1 - 0.325 - 0.04 x 1.06 = 0.6326
    assert p.mpc_income == pytest.approx(0.6326)
    # A household at the start's wealth-income ratio saves 32.5 % of its income.
    income = 60000.0
    plan = plan_month(
        one(1.06 * income),
        one(0),
        one(income),
        one(1),
        p.model_copy(update={"consumption_floor_per_person": 0.0, "buffer_months": 0.0}),
    )
    assert 1.0 - 12 * plan.consumption[0] / income == pytest.approx(0.325)


def test_consumption_rule_by_hand():
    p = HouseholdFinanceParams(
        saving_rate=0.3, wealth_mpc=0.06, savings_to_income=1.0, buffer_months=2.0
    )
    # mpc_income = 1 - 0.3 - 0.06 = 0.64; expected 48,000/yr -> 4,000/month.
    # Debt 12,000: interest 12,000 x 0.0585 / 12 = 58.5, principal 12,000 / 12 = 1,000.
    # cash = 20,000 - 58.5 - 1,000 = 18,941.5; owed = 11,000.
    # wanted = 0.64 x 4,000 + 0.06 / 12 x (18,941.5 - 11,000) = 2,560 + 39.7075
    # buffer = 2 x 4,000 = 8,000; repayment = 18,941.5 - 2,599.7075 - 8,000 = 8,341.7925
    plan = plan_month(one(20000), one(12000), one(48000), one(3), p)
    assert plan.interest[0] == pytest.approx(58.5)
    assert plan.principal[0] == pytest.approx(1000.0)
    assert plan.consumption[0] == pytest.approx(2599.7075)
    assert plan.repayment[0] == pytest.approx(8341.7925)


def test_consumption_floor_and_the_buffer_by_hand():
    p = HouseholdFinanceParams(consumption_floor_per_person=6000.0, buffer_months=2.0)
    # Expected income 6,000/yr: the rule wants far less than the floor of 2 x 500 = 1,000
    # a month; savings 1,600 above a buffer of 1,000 leave 600 to spend, not 1,000.
    plan = plan_month(one(1600), one(0), one(6000), one(2), p)
    assert plan.consumption[0] == pytest.approx(600.0)
    assert plan.repayment[0] == 0.0
    # With more savings the floor is kept.
    plan = plan_month(one(10000), one(0), one(6000), one(2), p)
    assert plan.consumption[0] == pytest.approx(1000.0)


def test_no_consumption_on_credit():
    # Without deposits nothing is consumed, whatever the credit line (the line finances
    # production and purchases: the plan does not even read it).
    p = HouseholdFinanceParams()
    plan = plan_month(one(0), one(0), one(60000), one(3), p)
    assert plan.consumption[0] == 0.0


def test_credit_line_by_hand():
    p = HouseholdFinanceParams(
        credit_income_multiple=1.5, land_collateral_per_mu=2000.0, credit_max_line=100000.0
    )
    expected = np.array([40000.0, 80000.0, 10000.0])
    land = np.array([5.0, 5.0, 0.0])
    debt = np.array([0.0, 0.0, 30000.0])
    # 1.5 x 40,000 + 2,000 x 5 = 70,000; the second is capped at 100,000; the third keeps
    # its debt (a performing loan is not called).
    assert credit_line(expected, land, debt, p) == pytest.approx([70000.0, 100000.0, 30000.0])


def test_initial_savings_average_the_sourced_ratio_and_rise_with_earning():
    p = HouseholdFinanceParams()
    earning = np.array([0.5, 1.0, 1.5])
    sheet = initial_balance_sheet(np.ones(3), earning, np.full(3, 4.0), np.zeros(3), p)
    ratio = sheet["savings"] / sheet["expected_income"]
    assert ratio.mean() == pytest.approx(1.06)
    assert np.all(np.diff(ratio) > 0)
    assert sheet["productive_assets"] == pytest.approx([2000.0] * 3)
    assert np.all(sheet["debt"] == 0)


@settings(max_examples=60, deadline=None)
@given(
    savings=st.floats(-50000, 500000),
    debt=st.floats(0, 100000),
    expected=st.floats(0, 300000),
    members=st.integers(1, 8),
)
def test_the_plan_never_spends_more_than_the_deposits_above_the_buffer(
    savings, debt, expected, members
):
    p = HouseholdFinanceParams()
    plan = plan_month(one(savings), one(debt), one(expected), one(members), p)
    assert plan.consumption[0] >= 0.0
    assert plan.repayment[0] >= 0.0
    buffer = p.buffer_months * expected / 12.0
    cash = savings - plan.interest[0] - plan.principal[0]
    left = cash - plan.consumption[0] - plan.repayment[0]
    assert left >= min(cash, buffer) - 1e-6
    assert plan.principal[0] + plan.repayment[0] <= debt + 1e-6


def household_rows(lowest_expected: float = 0.0, fewest_members: int = 1) -> st.SearchStrategy:
    """Rows of (savings, debt, informal debt, expected income, members)."""
    row = st.tuples(
        st.floats(-50000, 500000),
        st.sampled_from([0.0, 0.0, 1500.0, 80000.0]),
        st.sampled_from([0.0, 0.0, 700.0]),
        st.floats(lowest_expected, 300000),
        st.integers(fewest_members, 8),
    )
    return st.lists(row, min_size=1, max_size=12)


def columns(rows: list[tuple]) -> tuple[np.ndarray, ...]:
    """The rows' savings, debt, informal debt, expected income and members, as columns."""
    return tuple(np.array(c, dtype=float) for c in zip(*rows, strict=True))


@settings(max_examples=40, deadline=None)
@given(rows=household_rows())
def test_a_households_plan_is_the_same_with_or_without_others_owing(rows):
    p = HouseholdFinanceParams()
    savings, debt, informal, expected, members = columns(rows)
    together = plan_month(savings, debt, expected, members, p, informal)
    for i in range(len(rows)):
        alone = plan_month(*(a[i : i + 1] for a in (savings, debt, expected, members)), p,
                           informal[i : i + 1])  # fmt: skip
        for field in ("interest", "principal", "consumption", "repayment"):
            assert getattr(together, field)[i] == getattr(alone, field)[0]


@settings(max_examples=40, deadline=None)
@given(rows=household_rows(lowest_expected=-20000.0, fewest_members=0))
def test_a_buffer_and_floor_kept_for_the_year_give_the_plan_worked_out_afresh(rows):
    # The model keeps the buffer and the floor for the year (model/yearly_amounts.py).
    p = HouseholdFinanceParams()
    savings, debt, informal, expected, members = columns(rows)
    fresh = plan_month_by_rows(savings, debt, expected, members, p, informal)
    kept = plan_month_by_rows(
        savings, debt, expected, members, p, informal,
        savings_buffer(expected, p), consumption_floor(members, p),
    )  # fmt: skip
    np.testing.assert_array_equal(fresh[0], kept[0])
    np.testing.assert_array_equal(fresh[1], kept[1])
    if fresh[2] is not None:
        for field in ("interest", "principal", "consumption", "repayment"):
            np.testing.assert_array_equal(getattr(fresh[2], field), getattr(kept[2], field))


def run_small(*extra: str, years: int = 2) -> JointVillageModel:
    model = JointVillageModel(load_scenario("anqiu_2023", [*SMALL, *extra]), invariants="step")
    model.run(years)
    return model


def test_savings_and_debts_follow_the_ledger_and_stay_above_minus_the_limit():
    model = JointVillageModel(load_scenario("anqiu_2023", SMALL), invariants="step")
    hh, ledger = model.households, model.ledger
    savings, debt = hh.savings.sum(), hh.debt.sum() + hh.informal_debt.sum()
    net = ledger.net("households", ledger.total)  # set-up subscriptions are booked already
    model.run(2)
    assert hh.savings.sum() - savings == pytest.approx(
        ledger.net("households", ledger.total) - net, rel=1e-9
    )
    borrowed = sum(
        ledger.flow("market", "households", kind, cumulative=True)
        - ledger.flow("households", "market", f"{kind}_repayment", cumulative=True)
        for kind in ("household_loan", "informal_loan")
    )
    assert hh.debt.sum() + hh.informal_debt.sum() - debt == pytest.approx(borrowed, abs=1e-3)
    assert np.all(hh.savings - hh.debt >= -hh.credit_limit - 1e-6)
    assert np.all(hh.savings >= -1e-6)
    assert ledger.flow("households", "market", "consumption", cumulative=True) > 0


def test_the_invariant_stops_a_household_overdrawn_beyond_its_line():
    model = JointVillageModel(load_scenario("anqiu_2023", SMALL), invariants="month")

    def overdraw() -> None:
        if model.month != 3:
            return
        hh = model.households
        # Household 0 borrows 5,000 beyond its line and spends that and its savings.
        drawn = hh.credit_limit[0] - hh.debt[0] + 5000.0
        spent = hh.savings[0] + drawn
        hh.debt[0] += drawn
        hh.savings[0] -= spent - drawn
        model.ledger.pay("market", "households", "household_loan", drawn)
        model.ledger.pay("households", "market", "consumption", spent)

    model.add_step(Step("overdraw", overdraw), before="record the month")
    with pytest.raises(InvariantError) as err:
        model.run(1)
    assert err.value.invariant == "credit limit"
    assert "2023-03" in err.value.message


def test_cash_shares_are_limited_by_savings_plus_credit():
    shares = [
        "policies.land_pooling.enabled=true",
        "policies.coop_shares.enabled=true",
        "governance.uptake.enabled=false",  # shares from the first year
        # A share dear enough that what a household owns decides whether it can buy one
        # (at 3,000 yuan nearly every household can after a year's saving).
        "policies.coop_shares.cash_share_amount=100000",
    ]
    rich = run_small(*shares)
    poor = run_small(
        *shares,
        "households.finance.savings_to_income=0.0",
        "households.finance.credit_income_multiple=0.0",
    )
    bought_rich = rich.households.cash_shares.sum()
    assert bought_rich > 0
    # Without savings at the start and without credit, only households that saved enough
    # in the first year buy in the second: fewer shares.
    assert poor.households.cash_shares.sum() < bought_rich


def test_wealth_outputs_are_recorded():
    model = run_small()
    table = model.recorder.tables()["county_yearly"]
    assert {"household_wealth_mean", "wealth_gini"} <= set(table.columns)
    assert table["household_wealth_mean"].iloc[-1] == pytest.approx(model.finance.wealth_mean())
    assert 0.0 < table["wealth_gini"].iloc[-1] < 1.0


def test_debt_service_in_a_model_by_hand():
    model = JointVillageModel(load_scenario("anqiu_2023", SMALL), invariants="off")
    hh, ledger = model.households, model.ledger
    p = model.config.households.finance
    hh.savings[:] = 0.0
    hh.debt[:] = 0.0
    hh.debt[:2] = 12000.0
    hh.savings[:2] = 1000.0
    hh.credit_limit[:2] = 50000.0
    ledger.new_month()
    model.finance.settle_month()
    # Interest 12,000 x 0.0585 / 12 = 58.5 each; principal due 1,000 each; savings of
    # 1,000 less 58.5 and 1,000 leave -58.5, drawn again on the line: debt 11,058.5.
    assert p.loan_rate == pytest.approx(0.0585)
    assert ledger.flow("households", "market", "loan_interest") == pytest.approx(117.0)
    assert ledger.flow("households", "market", "household_loan_repayment") == pytest.approx(2000.0)
    assert ledger.flow("market", "households", "household_loan") == pytest.approx(117.0)
    assert hh.debt[:2] == pytest.approx([11058.5, 11058.5])
    assert hh.savings[:2] == pytest.approx([0.0, 0.0])
    assert ledger.flow("households", "market", "consumption") == 0.0
