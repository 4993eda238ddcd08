"""Extreme but valid inputs give sane results (issue 12, section 1).

Industry-pull greenhouses stand on land leased from member households and paid for, and
household share capital is capped; livestream sellers are bounded by plausible parameter
ranges and by the size of their market. Hand-worked checks of each mechanism, then the
extreme cases at their bounds on a small county.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from model.errors import InputError
from model.jointmodel import JointVillageModel
from model.runner import run_scenario
from model.scenario import load_scenario

SMALL = ["county.scale=0.1", "years=3"]
BIG_GREENHOUSES = [
    "modes.industry_pull.mu_per_alliance=100000",
    "modes.industry_pull.investment_per_mu=10000000",
]
LIVESTREAM_AT_BOUNDS = [
    "policies.livestream_training.enabled=true",
    "policies.livestream_training.eligible=all",
    "policies.livestream_training.income_median=10000",
    "policies.livestream_training.income_sigma=1.5",
    "policies.livestream_training.dynamics.sellers_per_100m_output=10000",
    "policies.livestream_training.trainees_per_year=10000",
    "policies.livestream_training.training_years=50",
    "policies.livestream_training.organic_seller_share=0.1",
    "policies.livestream_training.dropout_rate=0",
    "policies.livestream_training.success_base=10",
]
#: A plausible ceiling for a county's mean income per person (yuan/yr): about seven times
#: Shandong's 2023 rural per-capita disposable income (23,776 yuan).
PER_CAPITA_CEILING = 200_000.0
#: A plausible ceiling for a village collective's mean yearly income (yuan): about seven
#: times the default runs' mean (~300,000 yuan).
COLLECTIVE_MEAN_CEILING = 2_000_000.0


def model(*extra: str, scenario: str = "mode_industry_pull") -> JointVillageModel:
    return JointVillageModel(load_scenario(scenario, [*SMALL, *extra]))


def lessors(m: JointVillageModel, index: int) -> np.ndarray:
    """Households of the alliance's primary villages (who lease it their land)."""
    return m.villages.membership[m.households.village] == index


def specialty_alliances(m: JointVillageModel) -> list[int]:
    return [i for i, a in enumerate(m.alliance_agents) if a.mode == "industry_pull"]


# -- the greenhouse land lease, by hand ------------------------------------------------


def test_default_area_is_leased_pro_rata_from_grain_land():
    m = model()
    hh = m.households
    assert m.cooperatives.specialty, "the small county forms industry-pull alliances"
    for coop, index in zip(m.cooperatives.specialty, specialty_alliances(m), strict=True):
        own = lessors(m, index)
        grain_before = hh.grain_mu[own] + hh.leased_mu[own]
        assert coop.area_mu == pytest.approx(18.0)
        assert hh.leased_mu[own].sum() == pytest.approx(18.0)
        # every lessor gives the same share of its grain land
        share = 18.0 / grain_before.sum()
        np.testing.assert_allclose(hh.leased_mu[own], grain_before * share, rtol=1e-9)
    np.testing.assert_allclose(hh.land_total, hh.contracted_mu, rtol=1e-12, atol=1e-9)


def test_large_area_is_capped_by_the_members_grain_land():
    m = model(*BIG_GREENHOUSES, "modes.industry_pull.max_converted_share=0.2")
    hh = m.households
    for coop, index in zip(m.cooperatives.specialty, specialty_alliances(m), strict=True):
        own = lessors(m, index)
        grain_before = hh.grain_mu[own] + hh.leased_mu[own]
        assert coop.area_mu == pytest.approx(0.2 * grain_before.sum())
        assert coop.area_mu < 100000
        assert np.all(hh.leased_mu[own] <= 0.2 * grain_before + 1e-9)
    assert hh.leased_mu[~np.isin(hh.village, np.flatnonzero(m.villages.allied))].sum() == 0
    assert np.all(hh.grain_mu >= 0)
    np.testing.assert_allclose(hh.land_total, hh.contracted_mu, rtol=1e-12, atol=1e-9)


def test_a_larger_conversion_share_never_converts_less():
    leased = [
        model(
            *BIG_GREENHOUSES, f"modes.industry_pull.max_converted_share={s}"
        ).households.leased_mu.sum()
        for s in (0.0, 0.05, 0.2, 0.5, 1.0)
    ]
    assert leased[0] == 0.0
    assert all(b >= a for a, b in itertools.pairwise(leased))
    assert leased[-1] > leased[1]


def test_lease_rent_is_paid_to_lessors_and_booked_by_the_cooperative():
    for basis, rent in (("pooled", 800.0), ("market", 400.0)):
        m = model(f"modes.industry_pull.lease_rent={basis}")
        hh = m.households
        before = hh.income["property"].copy()
        m.cooperatives._pay_lease_rent()
        np.testing.assert_allclose(hh.income["property"] - before, hh.leased_mu * rent / 12)
        for coop in m.cooperatives.specialty:
            assert coop.books["rent"] == pytest.approx(coop.area_mu * rent / 12)


# -- household share capital, by hand --------------------------------------------------


def test_share_subscriptions_are_capped_and_the_loan_takes_the_rest():
    cap = 5000.0
    m = model(*BIG_GREENHOUSES, f"modes.industry_pull.max_household_subscription={cap}")
    hh = m.households
    ip = m.config.modes.industry_pull
    assert hh.specialty_shares.max() == pytest.approx(cap)  # the cap binds
    assert np.all(hh.specialty_shares <= cap + 1e-9)
    for coop, index in zip(m.cooperatives.specialty, specialty_alliances(m), strict=True):
        households = hh.specialty_shares[lessors(m, index)].sum()
        assert households < coop.investment * ip.household_share_fraction
        assert coop.loan == pytest.approx(coop.investment - households - coop.collective_capital)


def test_default_subscriptions_are_below_the_cap():
    m = model()
    ip = m.config.modes.industry_pull
    assert 0 < m.households.specialty_shares.max() < ip.max_household_subscription
    for coop in m.cooperatives.specialty:
        planned = coop.investment * (1 - ip.household_share_fraction - ip.collective_fraction)
        assert coop.loan == pytest.approx(planned)


# -- livestream bounds -----------------------------------------------------------------


@pytest.mark.parametrize(
    "field",
    [
        "income_median=1000000",
        "income_sigma=3",
        "dynamics.sellers_per_100m_output=1000000",
        "trainees_per_year=100000",
        "organic_seller_share=0.2",
    ],
)
def test_implausible_livestream_values_are_rejected(field):
    with pytest.raises(InputError):
        load_scenario("anqiu_2023", [f"policies.livestream_training.{field}"])


def test_sellers_of_one_market_earn_at_most_its_cap():
    cap = 1_000_000.0
    m = model(*LIVESTREAM_AT_BOUNDS, f"policies.livestream_training.market_income_cap={cap}")
    m.livestream.new_year()
    hh = m.households
    before = hh.income["ecommerce"].copy()
    m.livestream.pay()
    paid = hh.income["ecommerce"] - before
    market = m.villages.land_use[hh.village]
    per_market = np.bincount(market, paid)
    level = m.labour.wage_factor(m.year_index)
    limit = cap * m.budget_scale * level / 12
    assert per_market.max() == pytest.approx(limit)  # binds for the busiest market
    assert np.all(per_market <= limit * (1 + 1e-9))


# -- the extreme cases at their bounds, on a small county ------------------------------


def yearly(*extra: str, scenario: str = "anqiu_2023"):
    result = run_scenario(load_scenario(scenario, [*SMALL, *extra]))
    table = result.tables["county_yearly"]
    return table[table["year"] >= result.scenario.start_year]  # the simulated years


@pytest.mark.parametrize("scenario", ["anqiu_2023", "mode_industry_pull"])
def test_big_greenhouses_give_sane_incomes(scenario):
    table = yearly(*BIG_GREENHOUSES, scenario=scenario)
    assert np.isfinite(table["per_capita_income"]).all()
    assert table["per_capita_income"].max() < PER_CAPITA_CEILING
    assert table["collective_income_mean"].abs().max() < COLLECTIVE_MEAN_CEILING


def test_livestream_at_its_bounds_gives_sane_incomes():
    table = yearly(*LIVESTREAM_AT_BOUNDS)
    assert np.isfinite(table["per_capita_income"]).all()
    assert table["per_capita_income"].max() < PER_CAPITA_CEILING
    assert table["active_sellers"].max() > 0


def test_land_is_conserved_through_a_run_with_big_greenhouses():
    m = model(*BIG_GREENHOUSES)
    leased = m.households.leased_mu.copy()
    m.run(2)
    hh = m.households
    np.testing.assert_allclose(hh.land_total, hh.contracted_mu, rtol=1e-9, atol=1e-6)
    # The lease runs on (with the household's heir when a household dissolves).
    by_village = m.villages.sum_by_village
    np.testing.assert_allclose(by_village(hh.leased_mu), by_village(leased), rtol=1e-12)
