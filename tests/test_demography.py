"""Demography and migration: hand-worked villages, conservation, identities, monotone flows."""

from __future__ import annotations

import numpy as np
import pytest
from household_cases import households, tiny_model
from hypothesis import given, settings
from hypothesis import strategies as st

from model.jointmodel import JointVillageModel
from model.ledger import BEQUEST
from model.mechanisms.age_groups import worker_age
from model.mechanisms.demography import Demography, DemographyParams, gompertz_mortality
from model.mechanisms.migration import MigrationParams, earnings_gap, migration_rates
from model.scenario import load_scenario

SMALL = ["county.scale=0.1"]


def test_gompertz_doubles_about_every_seven_years_and_has_a_floor():
    p = DemographyParams()
    q = gompertz_mortality(np.array([10.0, 60.0, 67.3, 80.0]), p)
    assert q[0] == pytest.approx(1 - np.exp(-p.mortality_floor))
    assert q[1] == pytest.approx(1 - np.exp(-p.mortality_at_60))
    assert q[2] / q[1] == pytest.approx(2.0, rel=0.02)
    assert 0.04 < q[3] < 0.06


def test_a_three_household_village_through_death_and_inheritance():
    """Two single elders of 99 die; the only household left inherits both estates.

    The first estate's orchard keeps its use with the heir (who had none); the second's
    greenhouse, of another use, is rented out. Land, savings, debt and shares are conserved.
    """
    hh = households(
        [0, 0, 0],
        members=[1, 2, 1],
        elderly=[1, 0, 1],
        labour=[0, 2, 0],
        head_age=[99, 40, 99],
        attachment=[500, 300, 500],
        grain_mu=[2, 5, 0],
        pooled_mu=[3, 0, 1],
        converted_mu=[1, 0, 2],
        converted_use=[0, -1, 1],
        converted_age=[4, 0, 6],
        savings=[10_000, 3_000, 5_000],
        debt=[2_000, 0, 0],
        credit_limit=[20_000, 30_000, 10_000],
        cash_shares=[500, 0, 0],
    )
    model = tiny_model(hh)
    model.pooling.rent_due[:] = [300.0, 0.0, 100.0]
    land_before, money_before = hh.contracted_mu.sum(), hh.savings.sum() - hh.debt.sum()
    Demography(model).new_year()
    assert hh.members.tolist() == [0, 2, 0]
    assert hh.head_age[1] == 41
    assert hh.contracted_mu.tolist() == [0, 5 + 2 + 3 + 1 + 1 + 2, 0]
    assert hh.grain_mu[1] == 7 and hh.pooled_mu[1] == 4
    assert (hh.converted_mu[1], hh.converted_use[1], hh.converted_age[1]) == (1, 0, 4)
    assert hh.rented_out_mu[1] == 2
    assert hh.savings.tolist() == [0, 18_000, 0] and hh.debt.tolist() == [0, 2_000, 0]
    assert hh.cash_shares[1] == 500 and model.pooling.rent_due[1] == 400
    np.testing.assert_allclose(hh.land_total, hh.contracted_mu)
    assert hh.contracted_mu.sum() == land_before
    assert hh.savings.sum() - hh.debt.sum() == money_before
    assert model.ledger.flow("households", "households", BEQUEST) == 15_000
    assert model.ledger.net("households") == 0
    assert model.villages.population.tolist() == [2]


def test_a_child_succeeds_younger_more_schooled_and_less_attached():
    hh = households(
        [0, 0],
        members=[2, 1],
        elderly=[1, 0],
        labour=[1, 1],
        head_age=[80, 30],
        education=[6, 9],
        attachment=[300, 100],
        earning=[1, 1],
        grain_mu=[4, 1],
    )
    model = tiny_model(hh)
    demography = Demography(model)
    demography.new_year()
    p, config = demography.params, model.config.households
    assert hh.members.tolist() == [1, 1] and hh.elderly[0] == 0 and hh.labour[0] == 1
    assert hh.head_age[0] == 81 - p.generation_gap
    assert hh.education[0] == pytest.approx(6 - config.education_age_slope * p.generation_gap)
    assert hh.attachment[0] == pytest.approx(
        300 * np.exp(-p.cohort_attachment_slope * p.generation_gap)
    )
    assert hh.earning[0] > 1  # more schooling earns more
    assert hh.grain_mu[0] == 4  # the farm stays with the household


def test_a_single_elder_moves_in_with_a_working_household_of_the_same_village():
    hh = households(
        [0, 0, 1],
        members=[1, 3, 3],
        elderly=[1, 0, 0],
        labour=[0, 2, 2],
        head_age=[80, 45, 45],
        grain_mu=[2, 3, 3],
        savings=[4_000, 1_000, 1_000],
    )
    model = tiny_model(hh, merger_rate=1.0, mortality_at_60=0.0)
    Demography(model).new_year()
    assert hh.members.tolist() == [0, 4, 3]
    assert hh.elderly.tolist() == [0, 1, 0]
    assert hh.grain_mu.tolist() == [0, 5, 3]
    assert hh.savings.tolist() == [0, 5_000, 1_000]


def test_a_head_turning_60_retires_from_the_farm_first():
    hh = households(
        [0],
        members=[3],
        labour=[3],
        head_age=[59],
        migrant=[1],
        local_wage=[1],
        grain_mu=[1],
    )
    model = tiny_model(hh, mortality_at_60=0.0)
    Demography(model).new_year()
    assert hh.elderly[0] == 2 and hh.labour[0] == 1
    assert hh.migrant[0] == 1 and hh.local_wage[0] == 0  # the young migrant stays away


@pytest.fixture(scope="module")
def county_year() -> tuple[JointVillageModel, dict[str, float]]:
    """A small county through its first year, then its second January (demography runs)."""
    model = JointVillageModel(load_scenario("anqiu_2023", SMALL))
    for _ in range(12):
        model.step()
    hh = model.households
    before = {"members": float(hh.members.sum()), "land": float(hh.contracted_mu.sum())}
    before["money"] = float(hh.net_financial().sum() + hh.cash_shares.sum())
    model.year_index = 1  # as the second year's first step sets it
    model.demography.new_year()
    return model, before


def test_population_identity(county_year):
    model, before = county_year
    year = model.demography.year
    assert year.births > 0 and year.deaths > 0 and year.school_city > 0
    after = model.households.members.sum()
    assert after == before["members"] + year.births - year.deaths - year.school_city
    np.testing.assert_array_equal(
        model.villages.population, model.villages.sum_by_village(model.households.members)
    )


def test_land_and_money_conserved_through_a_county_year(county_year):
    model, before = county_year
    hh = model.households
    assert model.demography.year.dissolved > 0
    assert hh.contracted_mu.sum() == pytest.approx(before["land"], rel=1e-12)
    np.testing.assert_allclose(hh.land_total, hh.contracted_mu, atol=1e-9)
    assert hh.net_financial().sum() + hh.cash_shares.sum() == pytest.approx(before["money"])


def test_the_crude_birth_rate_at_the_start_is_the_cited_one(county_year):
    model, before = county_year
    rate = model.demography.year.births / before["members"]
    assert rate == pytest.approx(model.config.demography.crude_birth_rate, rel=0.15)


def test_same_seed_same_people_and_replicates_differ():
    def series(replicate: int) -> list[int]:
        model = JointVillageModel(load_scenario("baseline", [*SMALL, "years=4"]), replicate)
        model.run()
        return model.recorder.tables()["county_yearly"]["population"].tolist()

    assert series(0) == series(0)
    assert series(0) != series(1)


def test_switched_off_nobody_changes():
    scenario = load_scenario(
        "baseline", [*SMALL, "years=3", "demography.enabled=false", "migration.enabled=false"]
    )
    model = JointVillageModel(scenario)
    start = model.households.members.copy()
    model.run()
    np.testing.assert_array_equal(model.households.members, start)


def test_empty_households_earn_nothing():
    # Without division, which houses couples in the empty rows.
    scenario = load_scenario("anqiu_2023", [*SMALL, "years=6", "demography.division.rate=0"])
    model = JointVillageModel(scenario)
    model.run()
    hh = model.households
    passed_on = (hh.members <= 0) & (hh.contracted_mu <= 0)
    assert passed_on.sum() > 0
    assert np.all(hh.last_year_income[passed_on] == 0)
    assert np.all(hh.savings[passed_on] == 0) and np.all(hh.debt[passed_on] == 0)


# -- migration --------------------------------------------------------------------------

gaps = st.floats(-1.0, 3.0)
ages = st.floats(16.0, 70.0)


@settings(max_examples=200, deadline=None)
@given(gaps, gaps, ages, st.floats(0.0, 10.0), st.floats(0.0, 3.0))
def test_a_larger_gap_never_lowers_leaving_nor_raises_returns(g1, g2, age, weight, age_w):
    params = MigrationParams(gap_weight=weight, age_weight=age_w)
    low, high = sorted((g1, g2))
    out_low, back_low = migration_rates(np.array([low]), np.array([age]), params, 55.0)
    out_high, back_high = migration_rates(np.array([high]), np.array([age]), params, 55.0)
    assert out_high[0] >= out_low[0]
    assert back_high[0] <= back_low[0]


@settings(max_examples=200, deadline=None)
@given(st.floats(0.0, 1.0), st.floats(0.0, 1.0), st.floats(0.01, 1.0))
def test_more_local_jobs_never_lower_returns(job1, job2, home):
    params = MigrationParams()
    low, high = sorted((job1, job2))
    gap = earnings_gap(47_800.0, 26_000.0, np.array([low, high]), home)
    _, back = migration_rates(gap, np.array([40.0, 40.0]), params, 55.0)
    assert gap[1] <= gap[0] + 1e-12  # equal gaps up to rounding when jobs barely matter
    assert back[1] >= back[0] - 1e-12


def test_nobody_over_the_age_limit_leaves():
    out, _ = migration_rates(np.array([2.0, 2.0]), np.array([50.0, 56.0]), MigrationParams(), 55)
    assert out[0] > 0 and out[1] == 0


def first_year_flows(*overrides: str, boost: float | None = None) -> tuple[float, float]:
    model = JointVillageModel(load_scenario("anqiu_2023", [*SMALL, "years=2", *overrides]))
    if boost is not None:
        model.labour.local_job_boost = lambda: np.full(model.n_villages, boost)
    model.run()
    year = model.migration.year
    return year.left, year.returned


def test_in_the_model_a_higher_city_wage_draws_more_out_and_jobs_bring_more_back():
    left, back = first_year_flows()
    richer_left, richer_back = first_year_flows("labour.migrant_monthly_wage=7000")
    assert richer_left > left and richer_back < back
    _, jobs_back = first_year_flows(boost=0.3)
    _, no_jobs_back = first_year_flows(boost=0.0)
    assert jobs_back > no_jobs_back


def test_the_population_path_is_shared_by_scenarios_of_one_seed():
    def path(name: str) -> list[int]:
        model = JointVillageModel(load_scenario(name, [*SMALL, "years=4"]))
        model.run()
        return model.recorder.tables()["county_yearly"]["population"].tolist()

    assert path("baseline") == path("anqiu_2023")


def test_the_workers_age_is_the_youngest_working_generation():
    head = np.array([50.0, 50.0, 75.0, 40.0, 62.0])
    labour = np.array([3.0, 2.0, 2.0, 3.0, 1.0])
    assert worker_age(head, labour, 28.0, 16.0).tolist() == [22, 50, 19, 40, 34]
