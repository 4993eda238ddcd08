"""Staggered uptake: hand-worked take-up, monotone in capacity and fund, and its effects."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.errors import InputError
from model.jointmodel import JointVillageModel
from model.mechanisms.uptake import UptakeParams, budget_gain, take_up
from model.scenario import load_scenario

SMALL = ["county.scale=0.1", "years=4"]
POLICIES = [
    "policies.land_pooling.enabled=true",
    "policies.coop_shares.enabled=true",
    "policies.enterprise_contracts.enabled=true",
]


def test_take_up_by_hand():
    projects = ["land_pooling", "mode", "coop_shares"]
    # 1.0 buys the first project; 0.75 is left over, then 0.75 + 0.75 = 1.5 buys the next.
    assert take_up(1.75, 0, projects) == (0.75, 1)
    assert take_up(1.5, 1, projects) == (0.5, 2)
    # Nothing left to take up: the budget stays.
    assert take_up(3.0, 3, projects) == (3.0, 3)


def start_years_of(capacities: list[float], funds: list[float], params: UptakeParams) -> list:
    """Year each of four projects is taken up, by the rule, from yearly capacity and fund."""
    projects = ["a", "b", "c", "d"]
    budget, taken, years = params.initial_projects, 0, [99] * 4
    for year, (cap, fund) in enumerate(zip(capacities, funds, strict=True)):
        if year > 0:
            budget += budget_gain(cap, fund, params)
        before = taken
        budget, taken = take_up(budget, taken, projects)
        years[before:taken] = [year] * (taken - before)
    return years


unit = st.floats(0, 1)


@settings(max_examples=80, deadline=None)
@given(
    capacities=st.lists(unit, min_size=6, max_size=6),
    more=st.lists(unit, min_size=6, max_size=6),
    funds=st.lists(st.floats(0, 4), min_size=6, max_size=6),
    extra_fund=st.lists(st.floats(0, 4), min_size=6, max_size=6),
)
def test_more_capacity_or_fund_never_delays_a_project(capacities, more, funds, extra_fund):
    params = UptakeParams()
    base = start_years_of(capacities, funds, params)
    higher = [min(c + m, 1.0) for c, m in zip(capacities, more, strict=True)]
    assert all(h <= b for h, b in zip(start_years_of(higher, funds, params), base, strict=True))
    richer = [f + e for f, e in zip(funds, extra_fund, strict=True)]
    assert all(
        r <= b for r, b in zip(start_years_of(capacities, richer, params), base, strict=True)
    )


def test_budget_gain_by_hand():
    params = UptakeParams(projects_per_capacity=1.5, projects_per_fund_project=0.5)
    # 1.5 x 0.4 + 0.5 x 2 = 1.6 projects
    assert budget_gain(0.4, 2.0, params) == pytest.approx(1.6)


def model_with(*extra: str, years: int = 4) -> JointVillageModel:
    model = JointVillageModel(load_scenario("anqiu_2023", [*SMALL, *POLICIES, *extra]))
    model.run(years)
    return model


def start_years(model: JointVillageModel) -> dict[str, np.ndarray]:
    """Year each alliance took up each project; never = a large number."""
    return {p: np.where(y >= 0, y, 99) for p, y in model.uptake.started.items()}


def test_hand_worked_schedule_in_a_model():
    # No growth of the budget: the founding budget alone decides. 1 project: pooling in
    # year 0 and nothing else ever; 2.5 projects: pooling and the mode in year 0, 0.5 left.
    still = ["governance.uptake.projects_per_capacity=0.0"]
    still.append("governance.uptake.projects_per_fund_project=0.0")
    one = model_with(*still, years=3).uptake
    assert np.all(one.started["land_pooling"] == 0)
    for project in ("mode", "coop_shares", "enterprise_contracts"):
        assert np.all(one.started[project] == -1)
    two = model_with(*still, "governance.uptake.initial_projects=2.5", years=3).uptake
    assert np.all(two.started["land_pooling"] == 0) and np.all(two.started["mode"] == 0)
    assert np.all(two.started["coop_shares"] == -1)
    assert two.budget == pytest.approx(0.5)


def test_more_capacity_or_fund_never_delays_uptake():
    base = start_years(model_with())
    more_capacity = start_years(model_with("governance.uptake.projects_per_capacity=3.0"))
    more_fund = start_years(model_with("governance.project_fund.total=80000000.0"))
    for project in base:
        assert np.all(more_capacity[project] <= base[project]), project
        assert np.all(more_fund[project] <= base[project]), project
    assert sum(int((more_capacity[p] < base[p]).sum()) for p in base) > 0


def test_villages_pool_only_after_their_alliance_takes_pooling_up():
    late = model_with("governance.uptake.order=['mode', 'coop_shares', 'land_pooling']", years=1)
    hh = late.households
    allied = late.villages.allied[hh.village]
    # Year 0: only the mode is taken up, so no allied household has pooled land yet.
    assert hh.pooled_mu[allied].sum() == 0.0
    early = model_with(years=1)
    assert early.households.pooled_mu[early.villages.allied[early.households.village]].sum() > 0


def test_switched_off_uptake_gives_everything_at_once():
    model = model_with("governance.uptake.enabled=false", years=1)
    for project in ("land_pooling", "coop_shares", "enterprise_contracts", "mode"):
        assert model.uptake.active(project).all()


def test_an_order_naming_a_project_twice_is_an_input_error():
    with pytest.raises(InputError, match=r"governance\.uptake\.order"):
        load_scenario("anqiu_2023", ["governance.uptake.order=['mode', 'mode']"])
