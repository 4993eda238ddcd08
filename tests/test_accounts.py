"""Household payments: the row-wise and whole-column paths pay the same yuan, and book them."""

from __future__ import annotations

import numpy as np
import pytest

from model.jointmodel import JointVillageModel
from model.scenario import load_scenario


@pytest.fixture(scope="module")
def model() -> JointVillageModel:
    return JointVillageModel(load_scenario("anqiu_2023", ["county.scale=0.02", "years=1"]))


def _paid(model: JointVillageModel, pay) -> tuple[np.ndarray, float]:
    """What one payment added to each household's wage income, and the ledger booked."""
    before = model.households.income["wage"].copy()
    booked = model.ledger.total[("enterprises", "households", "test_wage")]
    pay()
    after = model.ledger.total[("enterprises", "households", "test_wage")]
    return model.households.income["wage"] - before, after - booked


def test_a_village_wage_bill_is_shared_by_labour_at_home(model):
    villages = model.villages
    for paid_villages in ([3], range(villages.n)):  # a few households, then every one
        bill = np.zeros(villages.n)
        bill[list(paid_villages)] = 1000.0
        added, booked = _paid(
            model, lambda b=bill: model.accounts.pay_village_workers(b, "enterprises", "test_wage")
        )
        at_home = villages.household_labour_at_home
        share = np.divide(at_home, villages.per_household(villages.labour_at_home))
        expected = np.where(bill[model.households.village] > 0, 1000.0 * share, 0.0)
        np.testing.assert_allclose(added, np.nan_to_num(expected), rtol=1e-12, atol=1e-9)
        outsiders = bill[villages.labour_at_home <= 0].sum()
        assert booked == pytest.approx(bill.sum() - outsiders, rel=1e-12)


def test_paying_some_rows_is_paying_a_column_with_zeros_elsewhere(model):
    hh = model.households
    rows = np.array([0, 5, hh.n - 1])
    amounts = np.array([10.0, -2.5, 7.0])
    savings = hh.savings.copy()
    added, booked = _paid(
        model,
        lambda: model.accounts.pay_households_at("wage", rows, amounts, "enterprises", "test_wage"),
    )
    expected = np.zeros(hh.n)
    expected[rows] = amounts
    np.testing.assert_array_equal(added, expected)
    np.testing.assert_array_equal(hh.savings - savings, expected)
    assert booked == pytest.approx(amounts.sum())
