"""Land-use change: the economics of a conversion, the choice, finance limits, land conservation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.errors import InputError
from model.jointmodel import JointVillageModel, build_world
from model.mechanisms.crops import CropMarket
from model.mechanisms.land_use import (
    annuity_factor,
    choose_use,
    ginger_cycle_sd,
    horizon_means,
    load_conversion_sheet,
    yield_ramp,
)
from model.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SHEET = ROOT / "data" / "land_uses.csv"
SMALL = ["county.scale=0.05", "years=3"]


def small(*extra: str):
    return load_scenario("baseline", [*SMALL, *extra])


@pytest.fixture(scope="module")
def world():
    return build_world(small())


# -- hand-worked economics ----------------------------------------------------------------


def test_yield_ramp_of_an_orchard_bearing_in_its_fourth_year():
    ramp = yield_ramp(np.arange(7), np.array(3.0), np.array(5.0))
    np.testing.assert_allclose(ramp, [0, 0, 0, 1 / 3, 2 / 3, 1, 1])
    np.testing.assert_allclose(yield_ramp(np.arange(3), 0.0, 0.0), [1, 1, 1])
    np.testing.assert_allclose(yield_ramp(np.arange(3), 0.0, 1.0), [0.5, 1, 1])


def test_annuity_factor_by_hand():
    assert annuity_factor(0.10, 10) == pytest.approx(0.1627454, rel=1e-6)
    assert annuity_factor(0.0, 4) == 0.25


def test_horizon_means_by_hand():
    # A greenhouse (half yield in the first year) over 2 years, no discounting:
    # ramp (0.5 + 1) / 2, cost factor (max(0.5, 0.3) + 1) / 2.
    ramp, cost = horizon_means(np.array(0.0), np.array(1.0), 2, 0.0, 0.3)
    assert ramp == pytest.approx(0.75)
    assert cost == pytest.approx(0.75)
    # An orchard bearing from year 2, full in year 2, over 4 years at 10 %:
    ramp, cost = horizon_means(np.array(2.0), np.array(2.0), 4, 0.1, 0.5)
    weights = 1.1 ** -np.arange(4)
    assert ramp == pytest.approx(weights[2:].sum() / weights.sum())
    assert cost == pytest.approx((0.5 * weights[:2].sum() + weights[2:].sum()) / weights.sum())


def test_ginger_cycle_sd_is_the_ar2_stationary_spread():
    class P:
        ginger_cycle_damping = 0.0
        ginger_cycle_years = 4.0
        ginger_price_shock_sd = 0.3

    assert ginger_cycle_sd(P) == pytest.approx(0.3)  # white noise: the shock's sd


def test_choice_by_hand():
    # One use worth as much as grain: probability 1/2, times the deciding share 0.4.
    gaps = np.zeros((3, 1))
    allowed = np.array([[True], [True], [False]])
    choice = choose_use(gaps, allowed, 1000.0, np.array([0.19, 0.21, 0.0]), 0.4)
    np.testing.assert_array_equal(choice, [0, -1, -1])
    # Two uses, one far better: it takes almost all of the probability.
    gaps = np.array([[0.0, 10_000.0]])
    choice = choose_use(gaps, np.ones((1, 2), bool), 1000.0, np.array([0.5]), 1.0)
    assert choice[0] == 1


@settings(max_examples=60, deadline=None)
@given(
    gaps=st.lists(st.floats(-20_000, 20_000), min_size=3, max_size=3),
    extra_cost=st.lists(st.floats(0, 10_000), min_size=3, max_size=3),
    draw=st.floats(0, 1, exclude_max=True),
)
def test_a_higher_cost_never_turns_a_stayer_into_a_converter(gaps, extra_cost, draw):
    gaps_now = np.array([gaps])
    dearer = gaps_now - np.array([extra_cost])
    allowed = np.ones((1, 3), bool)
    before = choose_use(gaps_now, allowed, 2000.0, np.array([draw]), 0.3)
    after = choose_use(dearer, allowed, 2000.0, np.array([draw]), 0.3)
    assert not (before[0] < 0 <= after[0])


def test_adaptive_price_expectations_by_hand():
    scenario = small("farming.price_expectation_weight=0.5")
    model = JointVillageModel(scenario)
    market = CropMarket(model.crops, scenario.farming, np.random.default_rng(1))
    wheat = model.crops.crop("wheat")
    start = market.expected_price[wheat]
    market.new_year()
    first_price = market.price[wheat]
    assert market.expected_price[wheat] == start  # no past price yet
    market.new_year()
    assert market.expected_price[wheat] == pytest.approx(start + 0.5 * (first_price - start))


def test_more_ginger_area_lowers_the_ginger_price_by_the_flexibility():
    scenario = small("farming.ginger_price_flexibility=0.2")
    model = JointVillageModel(scenario)
    market = CropMarket(model.crops, scenario.farming, np.random.default_rng(1))
    market.new_year()
    ginger = model.crops.crop("ginger")
    before, x_before = market.price[ginger], market.ginger_history[-1]
    market.respond_to_supply(np.e)
    assert market.price[ginger] == pytest.approx(before * np.exp(-0.2))
    assert market.ginger_history[-1] == pytest.approx(x_before - 0.2)


# -- the sheet ----------------------------------------------------------------------------


def _edited_sheet(path: Path, use: str, column: str, value) -> Path:
    frame = pd.read_csv(SHEET)
    frame[column] = frame[column].astype(object)
    frame.loc[frame["land_use"] == use, column] = value
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("use", "column", "value"),
    [
        ("cherry", "category", "forest"),
        ("peach", "investment_per_mu", -5),
        ("ginger", "max_land_share", 1.5),
        ("cherry", "full_yield_year", 1),
    ],
)
def test_the_sheet_names_the_bad_field(tmp_path, use, column, value):
    uses = tuple(pd.read_csv(SHEET)["land_use"])
    path = _edited_sheet(tmp_path / "land_uses.csv", use, column, value)
    with pytest.raises(InputError) as err:
        load_conversion_sheet(path, uses)
    assert f"{column} (land use {use})" in str(err.value)
    assert str(path) in str(err.value)


def test_the_sheet_without_a_conversion_column_is_refused(tmp_path):
    uses = tuple(pd.read_csv(SHEET)["land_use"])
    pd.read_csv(SHEET).drop(columns=["reversal_cost_per_mu"]).to_csv(tmp_path / "s.csv")
    with pytest.raises(InputError, match="reversal_cost_per_mu"):
        load_conversion_sheet(tmp_path / "s.csv", uses)


# -- in the model -------------------------------------------------------------------------


def test_conversions_conserve_land_and_follow_the_ledger(world):
    model = JointVillageModel(small(), world=world, invariants="step")
    hh = model.households
    grain_and_converted = hh.grain_mu.sum() + hh.converted_mu.sum()
    model.step()  # January: the conversions
    assert hh.converted_mu.sum() > 0
    assert hh.grain_mu.sum() + hh.converted_mu.sum() == pytest.approx(grain_and_converted)
    np.testing.assert_allclose(hh.land_total, hh.contracted_mu)
    assert np.all((hh.converted_mu > 0) <= (hh.converted_use >= 0))
    invested = model.ledger.flow("households", "market", "investment", cumulative=True)
    assert invested == pytest.approx(model.conversions.invested)
    model.run(2)  # every invariant after every step
    share = hh.converted_mu / np.maximum(hh.contracted_mu, 1e-9)
    assert share.max() <= model.config.farming.land_use.convertible_share + 1e-9


def test_no_conversion_needing_money_without_savings_or_credit(world):
    model = JointVillageModel(
        small(
            "households.finance.savings_to_income=0.0",
            "households.finance.credit_income_multiple=0.0",
        ),
        world=world,
    )
    model.step()
    hh = model.households
    assert model.conversions.invested == 0.0
    needs_money = model.conversions.sheet.investment[np.maximum(hh.converted_use, 0)] > 0
    assert hh.converted_mu[needs_money & (hh.converted_use >= 0)].sum() == 0.0


def test_a_higher_conversion_cost_never_raises_conversion(world, dearer_land_uses):
    converted = []
    for factor in (1.0, 2.0, 4.0):
        path = dearer_land_uses(factor)
        model = JointVillageModel(small(f"farming.land_uses_file={path}"), world=world)
        model.run()
        converted.append(model.conversions.converted_total())
    assert converted[0] > 0
    assert converted == sorted(converted, reverse=True)
    assert converted[-1] < converted[0]


def test_households_plant_ginger_after_a_boom(world):
    def ginger_gap(start: float) -> float:
        model = JointVillageModel(small(f"farming.ginger_log_price_previous={start}"), world=world)
        gaps = model.conversions.gaps()
        return float(gaps[:, model.conversions.ginger].mean())

    assert ginger_gap(1.0) > ginger_gap(0.0) > ginger_gap(-1.0)


def test_switched_off_nobody_converts(world):
    model = JointVillageModel(small("farming.land_use.enabled=false"), world=world)
    model.run()
    assert model.conversions.converted_total() == 0.0
