"""Household division (分家): a hand-worked village, homesteads, conservation, its own stream."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from household_cases import households, tiny_model
from hypothesis import given, settings
from hypothesis import strategies as st

from model.jointmodel import JointVillageModel
from model.ledger import HOUSEHOLD_DIVISION
from model.mechanisms.household_division import DivisionParams, HouseholdDivision
from model.scenario import load_scenario

SMALL = ["county.scale=0.1"]


def elder_with_couple(village: list[int], vacant: list[bool]) -> object:
    """Households of an elder couple (65) with a married child's couple and a grandchild at
    home, and vacant rows (no members, no land) where ``vacant`` says."""
    occupied = [0.0 if v else 1.0 for v in vacant]
    return households(
        village,
        members=[5 * o for o in occupied],
        elderly=[2 * o for o in occupied],
        labour=[2 * o for o in occupied],
        head_age=[65 * o for o in occupied],
        migrant=[1 * o for o in occupied],
        local_wage=[1 * o for o in occupied],
        education=[6 * o for o in occupied],
        earning=[1.0 * o for o in occupied],
        attachment=[100 * o for o in occupied],
        ability=[1.2 * o for o in occupied],
        grain_mu=[5 * o for o in occupied],
        savings=[10_000 * o for o in occupied],
    )


def test_a_couple_moves_to_the_vacant_homestead_of_its_village():
    # Village 0: a stem family and a vacant homestead; village 1: a stem family, no homestead.
    hh = elder_with_couple([0, 0, 1], vacant=[False, True, False])
    model = tiny_model(hh, division=DivisionParams(rate=1.0))
    division = HouseholdDivision(model)
    division.new_year()
    p, config = model.config.demography, model.config.households
    assert division.divided == 1
    # The couple and the grandchild (the head is past childbearing) move; the elders stay.
    assert hh.members.tolist() == [2, 3, 5]
    assert hh.labour.tolist() == [0, 2, 2] and hh.elderly.tolist() == [2, 0, 2]
    assert hh.migrant.tolist() == [0, 1, 1] and hh.local_wage.tolist() == [0, 1, 1]
    # The younger generation: 65 - 28 = 37, schooled longer, less attached, same ability.
    assert hh.head_age[1] == 65 - p.generation_gap
    assert hh.education[1] == pytest.approx(6 - config.education_age_slope * p.generation_gap)
    assert hh.attachment[1] == pytest.approx(
        100 * np.exp(-p.cohort_attachment_slope * p.generation_gap)
    )
    assert hh.earning[1] > 1 and hh.ability[1] == 1.2
    # Savings divided per head (3 of 5), through the ledger; land stays with the parents.
    assert hh.savings.tolist() == pytest.approx([4_000, 6_000, 10_000])
    assert model.ledger.flow(kind=HOUSEHOLD_DIVISION) == pytest.approx(6_000)
    assert hh.grain_mu.tolist() == [5, 0, 5] and hh.contracted_mu.tolist() == [5, 0, 5]


def test_only_a_second_working_couple_divides_and_only_onto_a_landless_vacant_row():
    hh = households(
        [0, 0, 0, 0],
        members=[3, 4, 0, 0],
        elderly=[0, 0, 0, 0],
        labour=[3, 4, 0, 0],
        head_age=[50, 50, 0, 0],
        grain_mu=[2, 2, 0, 1],  # the last empty row still holds land: no homestead
    )
    model = tiny_model(hh, division=DivisionParams(rate=1.0))
    division = HouseholdDivision(model)
    # Head 50 with spouse: one adult child (3 labour) is no couple; two (4 labour) are.
    assert division.couples_at_home().tolist() == [False, True, False, False]
    assert division.vacant_homesteads().tolist() == [False, False, True, False]
    division.new_year()
    assert hh.members.tolist() == [3, 2, 2, 0]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 2), st.booleans()), min_size=1, max_size=12),
    st.floats(0.0, 1.0),
    st.floats(0.0, 1.0),
)
def test_a_higher_rate_never_houses_fewer_couples(rows, r1, r2):
    rows = sorted(rows)
    village = [v for v, _ in rows]
    vacant = [e for _, e in rows]
    low, high = sorted((r1, r2))
    counts = []
    for rate in (low, high):
        hh = elder_with_couple(village, vacant)
        division = HouseholdDivision(tiny_model(hh, division=DivisionParams(rate=rate)))
        division.new_year()
        counts.append(division.divided)
        # Everyone is still somewhere, and every divided couple stayed in its village.
        assert hh.members.sum() == 5 * vacant.count(False)
        assert (
            np.bincount(hh.village, hh.members, 3).tolist()
            == np.bincount(village, [0 if e else 5 for e in vacant], 3).tolist()
        )
    assert counts[1] >= counts[0]


def test_division_has_its_own_stream(monkeypatch):
    """At rate 0 the model is the one without division: its draws shift no other stream."""
    scenario = load_scenario("anqiu_2023", [*SMALL, "years=4", "demography.division.rate=0"])
    with_draws = JointVillageModel(scenario)
    with_draws.run()
    with monkeypatch.context() as patch:
        patch.setattr(HouseholdDivision, "new_year", lambda self: None)
        without = JointVillageModel(scenario)
        without.run()
    pd.testing.assert_frame_equal(
        with_draws.recorder.tables()["county_yearly"], without.recorder.tables()["county_yearly"]
    )


def test_in_the_county_division_keeps_people_land_and_money():
    # Seven years without division leave vacant homesteads; then one January of it.
    scenario = load_scenario("anqiu_2023", [*SMALL, "years=8", "demography.division.rate=0"])
    model = JointVillageModel(scenario)
    model.run(years=7)
    model.demography.division.params = DivisionParams(rate=0.15)
    hh = model.households
    before = {
        "members": float(hh.members.sum()),
        "land": float(hh.contracted_mu.sum()),
        "money": float(hh.net_financial().sum()),
        "occupied": int((hh.members > 0).sum()),
    }
    model.year_index = 7
    model.demography.division.new_year()
    divided = model.demography.division.divided
    assert divided > 0
    assert hh.members.sum() == before["members"]
    assert hh.contracted_mu.sum() == pytest.approx(before["land"], rel=1e-12)
    np.testing.assert_allclose(hh.land_total, hh.contracted_mu, atol=1e-9)
    assert hh.net_financial().sum() == pytest.approx(before["money"])
    assert int((hh.members > 0).sum()) == before["occupied"] + divided
