"""Yield trends: trend yields compound as stated, the weather multiplies them, expectations
read them, zero trends change nothing, higher trends never lower farm income; conversion
costs follow the input-cost index."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from farm_cases import farm_income
from hypothesis import given, settings
from hypothesis import strategies as st

from model.jointmodel import JointVillageModel, build_world
from model.mechanisms.productivity import ProductivityParams, yield_levels
from model.scenario import load_scenario

SMALL = ["county.scale=0.1", "years=3"]
ZERO_YIELD_TRENDS = [
    f"productivity.{group}_yield_trend=0.0" for group in ("grain", "vegetable", "fruit", "oilseed")
]


def test_trend_yields_compound_by_crop_group():
    params = ProductivityParams(grain_yield_trend=0.01, vegetable_yield_trend=0.02)
    groups = ["grain", "vegetable", "cpi", "fruit"]
    assert yield_levels(params, groups, 0) == pytest.approx([1.0, 1.0, 1.0, 1.0])
    # Year 3: 1.01^3 and 1.02^3; a crop in no group has no trend; fruit at its default 1 %.
    expected = [1.01**3, 1.02**3, 1.0, 1.01**3]
    assert yield_levels(params, groups, 3) == pytest.approx(expected, rel=1e-12)
    off = ProductivityParams(enabled=False, grain_yield_trend=0.05)
    assert yield_levels(off, groups, 7) == pytest.approx([1.0] * 4)


def test_a_bad_yield_trend_names_the_field():
    from model.errors import InputError

    with pytest.raises(InputError, match=r"productivity\.grain_yield_trend"):
        load_scenario("baseline", ["productivity.grain_yield_trend=0.5"])


@pytest.fixture(scope="module")
def world():
    return build_world(load_scenario("anqiu_2023", SMALL))


def model_with(world, *extra: str) -> JointVillageModel:
    return JointVillageModel(load_scenario("anqiu_2023", [*SMALL, *extra]), world=world)


def test_weather_multiplies_the_trend_yield_and_expectations_read_it(world):
    trended = model_with(world, "productivity.grain_yield_trend=0.05")
    flat = model_with(world, "productivity.enabled=false")
    trended.run(years=3)
    flat.run(years=3)
    wheat = trended.crops.names.index("wheat")
    # Same weather stream: the trended yield is the flat one times 1.05^2 (year index 2).
    assert trended.market.yield_level[wheat] == pytest.approx(1.05**2)
    assert trended.market.yield_factor[wheat] == pytest.approx(
        flat.market.yield_factor[wheat] * 1.05**2, rel=1e-12
    )
    np.testing.assert_allclose(
        trended.market.expected_yield_kg(), trended.crops.yield_kg * trended.market.yield_level
    )
    np.testing.assert_array_equal(flat.market.expected_yield_kg(), flat.crops.yield_kg)


def test_zero_yield_trends_are_the_model_without_them(world):
    zero = model_with(world, *ZERO_YIELD_TRENDS)
    off = model_with(world, "productivity.enabled=false")
    zero.run()
    off.run()
    pd.testing.assert_frame_equal(
        zero.recorder.tables()["county_yearly"], off.recorder.tables()["county_yearly"]
    )


def test_conversion_costs_follow_the_input_cost_index(world):
    model = model_with(world, "prices.input_cost_trend=0.1")
    model.run(years=3)
    factor = model.prices.factor("input_cost")
    assert factor == pytest.approx(1.1**2)
    sheet = model.conversions.sheet
    np.testing.assert_allclose(model.conversions.investment_per_mu(), sheet.investment * factor)
    np.testing.assert_allclose(
        model.conversions.reversal_cost_per_mu(), sheet.reversal_cost * factor
    )
    np.testing.assert_allclose(
        model.conversions.learning_cost_per_mu(), sheet.learning_cost * factor
    )


def yield_farm_income(trend: float) -> np.ndarray:
    """Farm income by year with grain, vegetable and fruit yields on one trend."""
    return farm_income(
        *[f"productivity.{g}_yield_trend={trend}" for g in ("grain", "vegetable", "fruit")]
    )


@settings(max_examples=3, deadline=None)
@given(st.floats(0.0, 0.06), st.floats(0.01, 0.04))
def test_a_higher_yield_trend_never_lowers_farm_income(low: float, step: float):
    slow, fast = yield_farm_income(low), yield_farm_income(low + step)
    assert slow[0] == pytest.approx(fast[0])  # 2023 is the base year
    assert np.all(fast[1:] > slow[1:])
