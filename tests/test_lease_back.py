"""Lease-back (返租倒包) of specialty bases: rent, margins, take-up, conservation, monotonicity."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.jointmodel import JointVillageModel, build_world
from model.mechanisms.lease_back import LeaseBackParams, lease_rent, lessee_margin, plot_demand
from model.mechanisms.prices import TREND_FIELDS
from model.paths import CASES_DIR
from model.scenario import load_scenario

#: The lead-goose villages with every land use on offer to the operators: the member
#: villages' households farm their own specialty full time, so the bases that pay are
#: leased back where spare family labour is (a constructed case, not the report's figures).
#: People and price trends are held still, so that the test sees this mechanism: ageing,
#: migration and wages growing faster than vegetable prices all shrink the idle family labour
#: and the lessees' margin, and in three years they leave almost no plot leased back.
STILL = [
    "demography.enabled=false",
    "migration.enabled=false",
    *(f"prices.{field}=0" for field in TREND_FIELDS.values()),
]
CASE = ["years=3", "farming.land_use.choice_set=any", *STILL]


def scenario(*extra: str):
    return load_scenario(CASES_DIR / "lead_goose.toml", [*CASE, *extra])


@pytest.fixture(scope="module")
def world():
    return build_world(scenario())


@pytest.fixture(scope="module")
def run(world):
    model = JointVillageModel(scenario(), world=world, invariants="step")
    model.run()
    return model


def leased_area(world, *extra: str) -> float:
    model = JointVillageModel(scenario(*extra), world=world)
    model.run()
    return float(model.lease_back.leased_by_village.sum())


# -- hand-worked ---------------------------------------------------------------------------


def test_lease_rent_is_land_rent_plus_the_facility_annuity():
    # annuity(4.85 %, 15 yr) = 0.0485 / (1 - 1.0485^-15) = 0.095369 per yuan invested.
    rent = lease_rent(800.0, np.array([0.0, 3000.0]), 0.0485, np.array([0.0, 15.0]), 1.0, 50.0)
    np.testing.assert_allclose(rent, [850.0, 800.0 + 3000.0 * 0.095369 + 50.0], rtol=1e-5)
    half = lease_rent(800.0, np.array([3000.0]), 0.0485, np.array([15.0]), 0.5, 0.0)
    assert half[0] == pytest.approx(800.0 + 0.5 * 3000.0 * 0.095369, rel=1e-5)


def test_family_days_at_their_opportunity_cost_turn_a_losing_base_into_a_paying_one():
    # A peach mu: gross 5,000, cash cost 2,000, 30 days. At the hired day wage of
    # 2,600 x 12 / 250 = 124.8 yuan it loses 5000 - 2000 - 30 x 124.8 = -744; a household
    # whose spare day is worth 124.8 x 0.9 (earning) x 0.35 (chance of local work) = 39.31
    # yuan keeps 5000 - 2000 - 30 x 39.312 = 1,820.64.
    hired = lessee_margin(np.array(5000.0), np.array(2000.0), np.array(30.0), np.array(124.8))
    family = lessee_margin(
        np.array(5000.0), np.array(2000.0), np.array(30.0), np.array(124.8 * 0.9 * 0.35)
    )
    assert float(hired) == pytest.approx(-744.0)
    assert float(family) == pytest.approx(1820.64)
    ramped = lessee_margin(
        np.array(5000.0), np.array(2000.0), np.array(30.0), np.array(40.0), 0.5, 0.75, 100.0
    )
    assert float(ramped) == pytest.approx(2500.0 - 1500.0 - 1200.0 - 100.0)


def test_plot_demand_hand_worked():
    params = LeaseBackParams(take_up_speed=0.5, max_plot_mu=4.0, min_plot_mu=0.5)
    # Gain 0: willing 1/2, so a household takes a plot when its draw is below 1/4. Spare
    # 150 days at 30 days/mu work 5 mu, capped at 4; 10 spare days work 1/3 mu < 0.5: none.
    plots = plot_demand(
        np.zeros(4),
        np.array([150.0, 150.0, 10.0, 60.0]),
        np.array([30.0, 30.0, 30.0, 30.0]),
        np.array([0.1, 0.3, 0.1, 0.2]),
        params,
    )
    np.testing.assert_allclose(plots, [4.0, 0.0, 0.0, 2.0])


@settings(max_examples=60, deadline=None)
@given(
    gain=st.lists(st.floats(-20_000, 20_000), min_size=1, max_size=20),
    extra=st.floats(0, 10_000),
    seed=st.integers(0, 2**16),
)
def test_a_higher_rent_never_raises_plot_demand(gain, extra, seed):
    rng = np.random.default_rng(seed)
    n = len(gain)
    spare, days, draw = rng.uniform(0, 300, n), rng.uniform(5, 150, n), rng.random(n)
    params = LeaseBackParams()
    cheap = plot_demand(np.array(gain), spare, days, draw, params)
    dear = plot_demand(np.array(gain) - extra, spare, days, draw, params)
    assert np.all(dear <= cheap)


# -- the mechanism in a run ----------------------------------------------------------------


def test_bases_are_leased_back_and_land_is_conserved(run):
    ops, leasing, hh = run.operators, run.lease_back, run.households
    assert ops.base_total() > 0
    assert leasing.leased_by_village.sum() > 0
    plots = run.villages.sum_by_village(hh.lease_back_mu)
    np.testing.assert_allclose(plots, leasing.leased_by_village)
    assert np.all(plots <= ops.base_mu + 1e-9)
    assert np.all(ops.leased_back >= (plots > 0))
    # Leased plots are not farmed by the operators' hired workers.
    np.testing.assert_allclose(ops.hired_base_mu() + plots, ops.base_mu)


def test_lease_rent_flows_from_lessees_to_the_operators(run):
    ledger = run.ledger
    rent = ledger.flow("households", "cooperatives", "lease_back_rent", cumulative=True)
    assert rent > 0
    assert rent == pytest.approx(run.lease_back.rent_paid)
    sales = ledger.flow("market", "households", "lease_back_sales", cumulative=True)
    assert sales > 0
    assert ledger.flow("households", "market", "lease_back_inputs", cumulative=True) > 0


def test_plot_labour_is_counted_in_the_family_farm(run):
    hh = run.households
    lessees = hh.lease_back_mu > 0
    need = run.farming.labour_needed()
    days = run.lease_back.labour_days()
    assert np.all(days[lessees] > 0)
    assert np.all(need[lessees] * 250.0 >= days[lessees] - 1e-9)


def test_a_higher_lease_rent_never_raises_lease_back(world):
    areas = [
        leased_area(world, f"policies.land_pooling.bases.lease_back.rent_markup={m}")
        for m in (0.0, 3000.0, 30000.0)
    ]
    assert areas == sorted(areas, reverse=True)
    assert areas[0] > areas[-1]


def test_a_higher_base_investment_never_raises_lease_back(world, dearer_land_uses):
    # A dearer facility lowers the joint gain and raises the rent (its annuity), so no
    # more land is leased back (households' conversions and pooled specialty land off, so
    # that nothing else competes for the pooled land).
    areas = [
        leased_area(
            world,
            f"farming.land_uses_file={dearer_land_uses(factor)}",
            "farming.land_use.enabled=false",
            "policies.land_pooling.bases.take_specialty_land=false",
        )
        for factor in (1.0, 30.0, 1000.0)
    ]
    assert areas == sorted(areas, reverse=True)
    assert areas[0] > areas[-1]


def test_switched_off_no_plot_is_leased_and_hired_gaps_stay(world):
    off = JointVillageModel(
        scenario("policies.land_pooling.bases.lease_back.enabled=false"), world=world
    )
    on = JointVillageModel(scenario(), world=world)
    np.testing.assert_allclose(off.operators.gaps()[0], on.operators.gaps()[0])
    assert np.all(np.isneginf(off.operators.gaps()[1]))
    off.run()
    assert off.lease_back.leased_by_village.sum() == 0.0
    assert off.households.lease_back_mu.sum() == 0.0


# -- specialty land pooled into the bases ----------------------------------------------------


def run_tracking_bases(*extra: str) -> tuple[JointVillageModel, float, float]:
    """The lead-goose villages (their own choice set), tracking the largest base area and
    the largest pooled specialty land in a base over the months."""
    model = JointVillageModel(
        load_scenario(CASES_DIR / "lead_goose.toml", ["years=3", *extra]), invariants="step"
    )
    most_base = most_absorbed = 0.0
    for _ in range(12 * model.config.years):
        model.step()
        ops = model.operators
        most_base = max(most_base, ops.base_total())
        most_absorbed = max(most_absorbed, float(ops.absorbed_mu.sum()))
        own = model.villages.land_use
        assert np.all((ops.absorbed_mu > 0) <= (ops.base_use == own))  # keeps its use
    return model, most_base, most_absorbed


def test_households_pool_specialty_land_into_bases_of_their_specialty():
    # The lead-goose villages' land is the households' own peaches, cherries and
    # vegetables; with every setting at its default, bases arise through this route only.
    _, most_base, most_absorbed = run_tracking_bases()
    assert most_absorbed > 0
    assert most_base >= most_absorbed
    _, without, absorbed = run_tracking_bases(
        "policies.land_pooling.bases.take_specialty_land=false"
    )
    assert absorbed == 0.0
    assert without < most_base


def test_no_specialty_land_is_pooled_where_a_bearing_base_would_not_be_kept(world):
    model = JointVillageModel(scenario(), world=world)
    model.run()
    ops = model.operators
    takes = ops.takes_specialty_land()
    assert np.all(takes <= (ops.bearing_gap > 0))
    assert np.all(takes <= (model.villages.land_use != ops.grain))


def test_values_on_some_rows_are_the_whole_columns_on_those_rows(run):
    # The January choices work out spare days and labour needs on the rows concerned only:
    # to the last bit what the whole columns give on those rows (a run with leased plots,
    # converted land and wage work, so that every term is non-zero somewhere).
    hh = run.households
    assert (hh.lease_back_mu > 0).any() and (hh.local_wage + hh.migrant > 0).any()
    rows = np.flatnonzero(np.random.default_rng(0).random(hh.n) < 0.3)
    np.testing.assert_array_equal(hh.farm_labour_at(rows), hh.farm_labour[rows])
    np.testing.assert_array_equal(
        run.farming.labour_needed(rows), run.farming.labour_needed()[rows]
    )
    np.testing.assert_array_equal(
        run.lease_back.spare_days(rows), run.lease_back.spare_days()[rows]
    )
    np.testing.assert_array_equal(
        run.conversions.labour_days(rows), run.conversions.labour_days()[rows]
    )
