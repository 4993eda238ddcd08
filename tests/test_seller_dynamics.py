"""Livestream sellers enter every year, learn, and quit; crowding is per product market."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from model.jointmodel import JointVillageModel
from model.mechanisms.seller_dynamics import (
    SellerDynamicsParams,
    crowding_factor,
    learning,
    product_capacity,
    quit_hazard,
)
from model.scenario import load_scenario

LIVESTREAM = "policies.livestream_training"
#: No sellers but the cohort a test places: no self-taught sellers, nobody looks into selling.
NO_ENTRY = [f"{LIVESTREAM}.organic_seller_share=0", f"{LIVESTREAM}.dynamics.considering_share=0"]


def small(*overrides: str, years: int = 3, scale: float = 0.05) -> JointVillageModel:
    return JointVillageModel(
        load_scenario("baseline", [f"county.scale={scale}", f"years={years}", *overrides])
    )


# -- the rules by hand -----------------------------------------------------------------


def test_learning_curve_by_hand():
    p = SellerDynamicsParams()  # novice 0.4, time scale 2 years
    # 0.4 + 0.6 (1 - e^(-e/2)) at e = 0, 1, 2, and 1 in the limit.
    expected = [0.4, 0.636082, 0.779272, 1.0]
    np.testing.assert_allclose(learning(np.array([0, 1, 2, 1e6]), p), expected, atol=1e-6)


def test_quit_hazard_by_hand():
    # dropout 0.2 at a ratio of one; odds 4 x ratio: ratio 0.5 -> 1/3, ratio 2 -> 1/9.
    hazard = quit_hazard(np.array([5.0, 10.0, 20.0, 0.0]), np.full(4, 10.0), 0.2, 1.0)
    np.testing.assert_allclose(hazard, [1 / 3, 0.2, 1 / 9, 1.0])
    assert (quit_hazard(np.ones(3), np.ones(3), 0.0, 1.0) == 0).all()


def test_product_capacity_follows_the_output_of_each_product():
    p = SellerDynamicsParams(sellers_per_100m_output=12.0)
    capacity = product_capacity(np.array([1e9, 1e8, 0.0]), p)
    np.testing.assert_allclose(capacity, [120.0, 12.0, 1.0])  # floor of one seller


@given(st.floats(0, 1e4), st.floats(0, 1e4), st.floats(0.1, 1e4), st.floats(0, 5))
def test_more_sellers_never_raise_the_crowding_factor(a, b, capacity, exponent):
    few, many = sorted((a, b))
    cap = np.array([capacity])
    assert crowding_factor(np.array([many]), cap, exponent) <= crowding_factor(
        np.array([few]), cap, exponent
    )


@given(st.floats(0, 1e6), st.floats(0, 1e6), st.floats(1.0, 1e5), st.floats(0.01, 0.99))
def test_higher_sales_never_raise_the_quit_hazard(a, b, wages, rate):
    low, high = sorted((a, b))
    h = quit_hazard(np.array([low, high]), np.array([wages, wages]), rate, 1.0)
    assert h[1] <= h[0]


# -- a seller cohort over three years --------------------------------------------------


def test_a_cohort_of_sellers_over_three_years_by_hand():
    """Five sellers of skill one, no quitting, no crowding to speak of: each year's sales are
    12 x median x wage level x learning(years selling) x crowding."""
    model = small(
        *NO_ENTRY,
        f"{LIVESTREAM}.dropout_rate=0",
        f"{LIVESTREAM}.dynamics.sellers_per_100m_output=10000",
    )
    hh = model.households
    cohort = np.flatnonzero(hh.labour > 0)[:5]
    model.livestream.dynamics.start_selling(cohort, np.ones(5))
    p = model.config.policies.livestream_training
    growth = model.config.prices.wage_growth
    for year, learnt in enumerate([0.4, 0.636082, 0.779272]):
        model.run(years=1)
        assert hh.seller.sum() == 5 and hh.seller[cohort].all()
        crowd = model.livestream.crowding()[hh.village[cohort]]
        expected = 12 * p.income_median * (1 + growth) ** year * learnt * crowd
        np.testing.assert_allclose(model.livestream.sales[cohort], expected, rtol=1e-5)
        assert (crowd > 0.99).all()
    assert (hh.seller_years[cohort] == 2).all()


def test_sellers_with_low_sales_quit_more():
    """Half the cohort sells little, half a lot: the hazard sorts who stays."""
    model = small(*NO_ENTRY, years=1, scale=0.3)
    hh = model.households
    cohort = np.flatnonzero(hh.labour > 0)[:400]
    skill = np.where(np.arange(400) < 200, 0.05, 20.0)
    model.livestream.dynamics.start_selling(cohort, skill)
    model.run(years=1)
    model.year_index = 1  # the next January's decisions
    model.livestream.new_year()
    stayed_low = hh.seller[cohort[:200]].mean()
    stayed_high = hh.seller[cohort[200:]].mean()
    assert stayed_high > stayed_low + 0.3


# -- monotone responses ----------------------------------------------------------------


@pytest.mark.parametrize("low, high", [(800.0, 1500.0), (1500.0, 4000.0)])
def test_a_higher_seller_income_never_lowers_entry(low, high):
    entered = []
    for median in (low, high):
        model = small(
            f"{LIVESTREAM}.income_median={median}", f"{LIVESTREAM}.dynamics.considering_share=0.2"
        )
        before = model.households.seller.copy()
        model.livestream.new_year()
        entered.append(model.households.seller & ~before)
    assert entered[0].sum() > 0
    assert not (entered[0] & ~entered[1]).any()  # every entrant at the lower income enters
    assert entered[1].sum() > entered[0].sum()


@pytest.mark.parametrize("tighter", [0.5, 0.1, 0.01])
def test_more_crowding_never_raises_sales_per_seller(tighter):
    """The same sellers in the same month, their markets' crowding scales tightened."""
    model = small(f"{LIVESTREAM}.dynamics.considering_share=0.05", years=1)
    model.livestream.new_year()
    hh = model.households
    paid = []
    for factor in (1.0, tighter):
        dynamics = model.livestream.dynamics
        dynamics.capacity = dynamics.capacity * factor
        before = model.livestream.sales.copy()
        model.livestream.pay()
        paid.append(model.livestream.sales - before)
    sellers = hh.seller
    assert sellers.sum() > 10
    assert (paid[1][sellers] <= paid[0][sellers]).all()
    assert paid[1][sellers].sum() < paid[0][sellers].sum()


# -- e-commerce lives on ---------------------------------------------------------------


def test_ecommerce_does_not_die_out_in_the_baseline():
    model = small(years=20, scale=0.1)
    start = model.households.seller.copy()
    model.run()
    yearly = model.recorder.tables()["county_yearly"]
    assert (yearly["active_sellers"] > 0).all()
    # Carried by entry: most of the final sellers were not selling at the start.
    final = model.households.seller
    assert (final & ~start).sum() > 0.5 * final.sum()
    assert (model.households.seller_years[final] < 20).all()
