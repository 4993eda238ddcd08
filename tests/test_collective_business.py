"""Collective businesses: a hand-worked business, split rules, monotone risk, conservation."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.errors import InputError
from model.jointmodel import JointVillageModel
from model.mechanisms.collective_business import expected_npv, ramp, split_weights
from model.runner import run_scenario
from model.scenario import load_scenario

CASE = "scenarios/cases/yushan.toml"
HEADER = (
    "business,label_zh,investment,return_mean,return_sd,ramp_years,failure_probability,source\n"
)


def one_type(tmp_path: Path, row: str, *extra: str) -> list[str]:
    """Overrides: the yushan pair with one business type, taken up at once, one at a time."""
    path = tmp_path / "types.csv"
    path.write_text(HEADER + row + "\n")
    return [
        f"collective_business.businesses_file={path}",
        "collective_business.max_businesses=1",
        "governance.uptake.enabled=false",
        *extra,
    ]


def village_business(model: JointVillageModel) -> np.ndarray:
    return model.collective.year["business"].copy()


def run_year(model: JointVillageModel) -> np.ndarray:
    for _ in range(11):
        model.step()
    model.step()  # December: returns paid, then the books close
    return np.array(model.recorder.village_years[-1]["collective_business"])


def test_one_business_by_hand(tmp_path):
    """Year 1: ys-1 (weak) holds 500,000 of public money, no cash; one type costing 800,000,
    half on loan at 4.5 % over 10 years, return 10 % (no spread), 2 years to full operation,
    never fails. Equity 400,000 is ys-1's public money, so by capital ys-1 owns it all:
    income 800,000 x 10 % x 1/2 = 40,000, interest 400,000 x 4.5 % = 18,000."""
    overrides = one_type(tmp_path, "test,测试,800000,0.10,0.0,2,0.0,test", "years=2")
    model = JointVillageModel(load_scenario(CASE, overrides))
    public_before = model.villages.public_spent.copy()
    model.step()  # January: the decision
    business = model.businesses.businesses[0]
    assert business.investment == 800_000 and business.rate == pytest.approx(0.10)
    np.testing.assert_allclose(business.stake, [400_000, 0.0])
    assert model.businesses.public_available[0] == pytest.approx(100_000)
    spent = model.villages.public_spent - public_before
    assert spent[0] >= 400_000
    year1 = run_year_from_february(model)
    np.testing.assert_allclose(year1, [40_000 - 18_000, 0.0])
    assert business.loan == pytest.approx(400_000 - 40_000)
    year2 = run_year(model)  # full operation; interest on the 360,000 left
    np.testing.assert_allclose(year2, [80_000 - 360_000 * 0.045, 0.0])


def run_year_from_february(model: JointVillageModel) -> np.ndarray:
    for _ in range(11):
        model.step()
    return np.array(model.recorder.village_years[-1]["collective_business"])


@pytest.mark.parametrize("rule", ["equal", "population"])
def test_other_split_rules_by_hand(tmp_path, rule):
    overrides = one_type(
        tmp_path,
        "test,测试,800000,0.10,0.0,2,0.0,test",
        "years=1",
        f"collective_business.split_rule={rule}",
    )
    model = JointVillageModel(load_scenario(CASE, overrides))
    model.step()
    year1 = run_year_from_february(model)
    population = model.villages.population
    weights = np.array([0.5, 0.5]) if rule == "equal" else population / population.sum()
    np.testing.assert_allclose(year1, weights * 22_000)


def test_failure_writes_the_capital_down_and_the_loan_is_still_serviced(tmp_path):
    overrides = one_type(tmp_path, "test,测试,800000,0.10,0.0,1,0.0,test", "years=2")
    model = JointVillageModel(load_scenario(CASE, overrides))
    model.step()
    run_year_from_february(model)
    # The market turns after a year: the type now fails for certain.
    types = model.businesses.types
    model.businesses.types = dataclasses.replace(types, failure_probability=np.ones(1))
    model.step()  # January of year 2: it fails (chance 1)
    business = model.businesses.businesses[0]
    assert not business.running and model.businesses.written_down == 800_000
    assert model.businesses.capital().sum() == 0.0
    loan = business.loan
    for _ in range(11):
        model.step()
    year2 = np.array(model.recorder.village_years[-1]["collective_business"])
    np.testing.assert_allclose(year2, [-loan * 0.045, 0.0])  # interest only, no income
    assert business.loan == pytest.approx(loan - 40_000)


def test_no_business_when_the_return_does_not_beat_the_hurdle(tmp_path):
    overrides = one_type(tmp_path, "test,测试,800000,0.03,0.0,1,0.0,test", "years=1")
    model = JointVillageModel(load_scenario(CASE, overrides))
    model.run()
    assert model.businesses.businesses == []


def test_split_weights_by_hand():
    owners = np.array([0, 2, 3])
    stake = np.array([100.0, 300.0, 0.0])
    population = np.array([500.0, 9.0, 300.0, 200.0])
    np.testing.assert_allclose(split_weights("capital", owners, stake, population), [0.25, 0.75, 0])
    np.testing.assert_allclose(split_weights("equal", owners, stake, population), [1 / 3] * 3)
    np.testing.assert_allclose(
        split_weights("population", owners, stake, population), [0.5, 0.3, 0.2]
    )


@settings(max_examples=80, deadline=None)
@given(
    rule=st.sampled_from(["capital", "equal", "population"]),
    stake=st.lists(st.floats(0, 1e7), min_size=1, max_size=6),
    dividend=st.floats(-1e6, 1e6),
)
def test_split_rules_sum_to_the_total_dividend(rule, stake, dividend):
    owners = np.arange(len(stake))
    population = np.linspace(100, 900, len(stake))
    weights = split_weights(rule, owners, np.array(stake), population)
    assert (weights >= 0).all()
    assert (weights * dividend).sum() == pytest.approx(dividend, abs=1e-6)


@settings(max_examples=80, deadline=None)
@given(
    rate=st.floats(0, 0.4),
    ramp_years=st.floats(1, 10),
    p=st.floats(0, 0.9),
    more=st.floats(0, 0.1),
    hurdle=st.floats(0, 0.2),
)
def test_a_higher_failure_chance_never_raises_expected_value(rate, ramp_years, p, more, hurdle):
    """For a business that earns on average (a loss-maker's failure would end its losses)."""
    low, high = (
        expected_npv(np.array([rate]), np.array([ramp_years]), np.array([q]), hurdle, 20)[0]
        for q in (p, min(p + more, 1.0))
    )
    assert high <= low + 1e-12


def test_expected_npv_by_hand():
    # One year, no ramp, no failure: -1 + (r + 1) / (1 + h).
    assert expected_npv(np.array([0.1]), np.array([1.0]), np.array([0.0]), 0.05, 1)[0] == (
        pytest.approx(-1 + 1.1 / 1.05)
    )
    assert ramp(1, 3.0) == pytest.approx(1 / 3) and ramp(5, 3.0) == 1.0


def test_a_higher_failure_chance_never_raises_dividends_in_a_run(tmp_path):
    def dividends(p: float) -> float:
        sub = tmp_path / str(p)
        sub.mkdir()
        overrides = one_type(sub, f"test,测试,800000,0.15,0.0,1,{p},test", "years=4")
        yearly = run_scenario(load_scenario(CASE, overrides)).tables["village_yearly"]
        return float(yearly["collective_business"].sum())

    assert dividends(0.5) <= dividends(0.0)


def test_money_is_conserved_step_by_step():
    model = JointVillageModel(load_scenario(CASE, ["years=3"]), invariants="step")
    model.run()  # an invariant violation raises, naming the step
    assert model.businesses.businesses


def test_every_village_alone_on_a_small_county():
    scenario = load_scenario(
        "baseline",
        [
            "county.scale=0.1",
            "years=2",
            "collective_business.enabled=true",
            "collective_business.investor=village",
            "collective_business.public_money_per_village=800000",
        ],
    )
    result = run_scenario(scenario)  # the runtime invariants check money every month
    villages = result.tables["village_yearly"]
    last = villages[villages["year"] == villages["year"].max()]
    assert (last["business_capital"] > 0).sum() > 0


def test_bad_business_table_is_an_input_error(tmp_path):
    overrides = one_type(tmp_path, "test,测试,800000,0.10,0.0,0,0.0,test")
    with pytest.raises(InputError, match="ramp_years"):
        JointVillageModel(load_scenario(CASE, overrides))
