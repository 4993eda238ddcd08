"""Tourism: a hand-worked village and festival, monotone responses, conservation, bad input."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.errors import InputError
from model.jointmodel import JointVillageModel
from model.mechanisms.tourism import (
    arrivals,
    assign_homestays,
    distance_factor,
    overnight_stays,
    parking_capacity,
    spending_split,
)
from model.mechanisms.tourism_params import TourismParams
from model.runner import run_scenario
from model.scenario import load_scenario

CASE = "scenarios/cases/suburban_tourism.toml"
SITES = "village_id,attractions,homestay_beds,parking_spaces,joint,source\n"
FESTIVALS = "village_id,festival,month,cost,visitors,source\n"


def one_site(tmp_path: Path, site: str, festival: str = "") -> list[str]:
    """Overrides giving the case one site (and at most one festival), no demand noise."""
    sites, festivals = tmp_path / "sites.csv", tmp_path / "festivals.csv"
    sites.write_text(SITES + site + "\n")
    festivals.write_text(FESTIVALS + festival + "\n")
    return [
        f"tourism.sites_file={sites}",
        f"tourism.festivals_file={festivals}",
        "tourism.demand_sigma=0.0",
        "tourism.season=[" + ",".join(["0.0833333333333333"] * 11 + ["0.0833333333333337"]) + "]",
    ]


def test_one_village_one_festival_by_hand(tmp_path):
    """st-2 at 4.88 km from the city, 1 attraction of 12,000 a year, a 600-visitor festival in
    April costing 2,000; its own site (not joint), ample parking, no beds."""
    overrides = one_site(tmp_path, "st-2,1,0,10000,false,test", "st-2,fair,4,2000,600,test")
    scenario = load_scenario(CASE, [*overrides, "tourism.visits_per_attraction=12000", "years=1"])
    model = JointVillageModel(scenario)
    p = scenario.tourism
    row = 1
    distance = math.hypot(35.3 - 34.0, 30.8 - 35.5)
    assert model.tourism.distance_km[row] == pytest.approx(distance)
    reach = math.exp(-distance / 25.0)
    for _ in range(3):
        model.step()
    march_visitors = model.tourism.visitors_year[row]
    assert march_visitors == pytest.approx(3 * 1000 * reach)
    collective_before = model.collective.year["tourism"][row]
    farming_before = model.households.income["farming"].copy()
    model.step()  # April: the festival
    april = 1000 * reach + 600 * reach
    assert model.tourism.visitors_year[row] - march_visitors == pytest.approx(april)
    fees = model.collective.year["tourism"][row] - collective_before
    assert fees == pytest.approx(april * p.spend_per_visit * p.collective_share - 2000)
    village = model.households.village == row
    produce = (model.households.income["farming"] - farming_before)[village].sum()
    # Produce income on top of the month's harvest and costs: compare with a run without sites.
    plain = JointVillageModel(load_scenario(CASE, ["tourism.enabled=false", "years=1"]))
    before = None
    for month in range(4):
        if month == 3:
            before = plain.households.income["farming"].copy()
        plain.step()
    assert before is not None
    plain_april = (plain.households.income["farming"] - before)[village].sum()
    assert produce - plain_april == pytest.approx(
        april * p.spend_per_visit * p.produce_share * p.produce_margin, rel=1e-9
    )
    # The other villages have no site: no visitors, no fees (not a joint venture site).
    assert model.tourism.visitors_year[[0, 2, 3]].sum() == 0.0


def test_joint_sites_wait_for_the_joint_venture_and_share_its_fees():
    result = run_scenario(load_scenario(CASE, ["years=3"]))
    yearly = result.tables["village_yearly"]
    simulated = yearly[yearly["year"] >= 2023]
    by_year = simulated.groupby("year")["visitors"].sum()
    assert by_year.iloc[-1] > 0
    last = simulated[simulated["year"] == simulated["year"].max()]
    # Equal split: every member gets the same net fees, though only st-1 and st-2 have sites.
    np.testing.assert_allclose(last["collective_tourism"], last["collective_tourism"].iloc[0])
    county = result.tables["county_yearly"]
    assert county["visitors"].iloc[-1] == pytest.approx(last["visitors"].sum(), abs=0.5)


def test_no_alliance_no_joint_tourism():
    result = run_scenario(load_scenario(CASE, ["years=2", "alliances.enabled=false"]))
    assert result.tables["county_yearly"]["visitors"].sum() == 0.0


def test_a_farther_city_never_raises_visitors():
    near = run_scenario(load_scenario(CASE, ["years=2"]))
    far = run_scenario(load_scenario(CASE, ["years=2", "tourism.city_y_km=80"]))
    v_near = near.tables["county_yearly"]["visitors"].to_numpy()
    v_far = far.tables["county_yearly"]["visitors"].to_numpy()
    assert (v_far <= v_near + 1e-9).all() and v_far.sum() < v_near.sum()


def test_more_capacity_never_lowers_visitors(tmp_path):
    def visitors(parking: int, beds: int) -> np.ndarray:
        sub = tmp_path / f"{parking}_{beds}"
        sub.mkdir()
        overrides = one_site(sub, f"st-1,3,{beds},{parking},false,test")
        result = run_scenario(load_scenario(CASE, [*overrides, "years=2"]))
        yearly = result.tables["village_yearly"]
        return yearly[yearly["village_id"] == "st-1"]["visitors"].to_numpy()

    small, large = visitors(5, 0), visitors(400, 30)
    assert (large >= small - 1e-9).all() and large.sum() > small.sum()


@settings(max_examples=60, deadline=None)
@given(
    d1=st.floats(0, 200),
    extra=st.floats(0, 200),
    decay=st.floats(1, 100),
)
def test_distance_factor_falls_with_distance(d1, extra, decay):
    near, far = distance_factor(np.array([d1, d1 + extra]), decay)
    assert far <= near and 0 < near <= 1


@settings(max_examples=60, deadline=None)
@given(
    demand=st.floats(0, 1e6),
    spaces=st.floats(0, 1e4),
    more=st.floats(0, 1e4),
    beds=st.floats(0, 500),
    more_beds=st.floats(0, 500),
)
def test_capacity_caps_and_never_lowers_arrivals(demand, spaces, more, beds, more_beds):
    p = TourismParams()
    days = 30.0
    cap = parking_capacity(np.array([spaces, spaces + more]), p, days)
    came = arrivals(np.array([demand, demand]), cap)
    assert came[1] >= came[0] and (came <= demand + 1e-9).all() and (came <= cap + 1e-9).all()
    nights = overnight_stays(came, np.array([beds, beds + more_beds]), p, days)
    assert nights[1] >= nights[0] and (nights <= came * p.overnight_share + 1e-9).all()


def test_spending_split_by_hand():
    p = TourismParams()
    split = spending_split(np.array([1000.0]), np.array([100.0]), p)
    assert split["produce"][0] == pytest.approx(1000 * 150 * 0.4 * 0.5)
    assert split["collective"][0] == pytest.approx(1000 * 150 * 0.05)
    assert split["homestay"][0] == pytest.approx(100 * 120 * 0.6)


def test_homestays_go_to_households_with_most_labour_at_home():
    village = np.array([0, 0, 0, 1, 1])
    at_home = np.array([1.0, 3.0, 2.0, 1.0, 1.0])
    beds = assign_homestays(village, at_home, np.array([10.0, 0.0]), 6.0)
    np.testing.assert_array_equal(beds, [0.0, 6.0, 4.0, 0.0, 0.0])


def test_money_is_conserved_with_tourism_step_by_step():
    model = JointVillageModel(load_scenario(CASE, ["years=2"]), invariants="step")
    model.run()  # an invariant violation raises, naming the step
    assert model.tourism.visitors_total() > 0


def test_unknown_village_in_sites_file_is_an_input_error(tmp_path):
    overrides = one_site(tmp_path, "nowhere,1,0,10,false,test")
    with pytest.raises(InputError, match=r"village_id.*nowhere"):
        JointVillageModel(load_scenario(CASE, overrides))


def test_bad_festival_month_is_an_input_error(tmp_path):
    overrides = one_site(tmp_path, "st-1,1,0,10,false,test", "st-1,fair,13,0,10,test")
    with pytest.raises(InputError, match="month"):
        JointVillageModel(load_scenario(CASE, overrides))


def test_season_must_have_twelve_shares_summing_to_one():
    with pytest.raises(InputError, match="season"):
        load_scenario(CASE, ["tourism.season=[0.5,0.5]"])
