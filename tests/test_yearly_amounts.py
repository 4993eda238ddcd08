"""Payments worked out once a year: the same numbers as every month afresh, and no silence
when a step changes their inputs during the year."""

from __future__ import annotations

import numpy as np
import pytest

from model.invariants import InvariantError
from model.jointmodel import JointVillageModel, Step
from model.runner import run_scenario
from model.scenario import load_scenario

SMALL = ["county.scale=0.05", "years=2"]


@pytest.fixture(scope="module")
def scenario():
    return load_scenario("anqiu_2023", SMALL)


def test_kept_amounts_give_the_numbers_of_amounts_worked_out_every_month(scenario):
    # At level "step" every month works its amounts out afresh (the model before the
    # amounts were kept); at level "month" they are kept for the year: the same numbers.
    kept = run_scenario(scenario, invariants="month").tables
    fresh = run_scenario(scenario, invariants="step").tables
    for name in ("county_yearly", "county_monthly", "village_yearly"):
        assert kept[name].equals(fresh[name]), name


def test_each_amount_is_worked_out_once_a_year_and_checked_in_december(scenario):
    model = JointVillageModel(scenario)
    calls: list[tuple[int, int]] = []
    paid: list[tuple[np.ndarray, float]] = []
    real_get = model.yearly.get

    def counting(name, inputs, work_out):
        if name != "pension":
            return real_get(name, inputs, work_out)

        def counted():
            calls.append((model.year_index, model.month))
            return work_out()

        paid.append(real_get(name, inputs, counted))
        return paid[-1]

    model.yearly.get = counting
    model.run()
    # January (worked out) and December (worked out afresh and compared), each year.
    assert calls == [(0, 1), (0, 12), (1, 1), (1, 12)]
    assert len(paid) == 24
    assert all(amounts is paid[12][0] for amounts, _ in paid[12:])  # one array a year
    amounts, total = paid[-1]
    assert not amounts.flags.writeable  # a payment cannot change the year's amounts
    assert total == float(amounts.sum())
    factor = model.prices.factor("transfer")
    pension = model.config.transfers.pension_monthly
    np.testing.assert_array_equal(amounts, model.households.elderly * (pension * factor))


class NewMembersInJune:
    """A step that breaks the rule: members change in the middle of the year."""

    def __init__(self, model: JointVillageModel) -> None:
        self.model = model

    def arrive(self) -> None:
        hh = self.model.households
        hh.members[:10] += 1.0


def test_a_step_that_changes_inputs_during_the_year_stops_the_run_naming_the_payment(scenario):
    model = JointVillageModel(scenario)
    toy = NewMembersInJune(model)
    model.add_step(Step("new members", toy.arrive, frozenset({6})), after="transfers")
    with pytest.raises(InvariantError) as caught:
        model.run()
    err = caught.value
    assert err.invariant == "yearly amounts unchanged"
    assert err.when == f"{scenario.start_year}-12"
    assert err.mechanism == "transfers"
    assert "'other_transfer'" in err.quantity
    assert "members" in err.detail and "January" in err.detail
    assert "model.yearly.forget()" in err.detail


def test_a_step_that_forgets_the_kept_amounts_after_changing_inputs_gets_fresh_ones(scenario):
    # The same mid-year change, now followed by forget(): the run goes on, and pays what
    # amounts worked out afresh every month (level "step") pay.
    def run(level: str) -> JointVillageModel:
        model = JointVillageModel(scenario, invariants=level)
        toy = NewMembersInJune(model)

        def arrive_and_forget() -> None:
            toy.arrive()
            model.yearly.forget()

        model.add_step(Step("new members", arrive_and_forget, frozenset({6})), after="transfers")
        model.run()
        return model

    kept, fresh = run("month"), run("step")
    assert kept.recorder.tables()["county_yearly"].equals(fresh.recorder.tables()["county_yearly"])
    np.testing.assert_array_equal(kept.households.savings, fresh.households.savings)


def test_with_the_invariants_off_nothing_is_checked_but_nothing_changes_either(scenario):
    on = run_scenario(scenario, invariants="month").tables["county_yearly"]
    off = run_scenario(scenario, invariants="off").tables["county_yearly"]
    assert on.equals(off)
