"""Joint cooperatives sell members' produce: the money worked by hand, choice, conservation."""

from __future__ import annotations

import numpy as np
import pytest

from model.jointmodel import JointVillageModel, build_world
from model.scenario import load_scenario

SMALL = ["county.scale=0.2", "years=4", "governance.uptake.enabled=false"]
MARKETING = "policies.coop_shares.marketing"


def scenario(*extra: str):
    return load_scenario("mode_industry_pull", [*SMALL, *extra])


@pytest.fixture(scope="module")
def world():
    return build_world(scenario())


def test_a_month_of_sales_by_hand(world):
    """Premium 10 %, margin 4 %: members get 6 % of the value they market, the cooperative
    keeps 4 %; the input discount passes through; the cooperatives' cash moves by the margin."""
    model = JointVillageModel(
        scenario(
            f"{MARKETING}.brand_premium=0.1",
            f"{MARKETING}.marketing_margin=0.04",
            f"{MARKETING}.input_discount=0.05",
        ),
        world=world,
    )
    model.run(1)
    while model.ledger.flow(kind="brand_sales") == 0:
        model.step()
    hh = model.households
    member = hh.marketing_member & (model.marketing.marketer_of[hh.village] >= 0)
    value = 0.8 * np.maximum(model.farming.specialty_gross - model.contracts.delivered_value, 0)
    value = value * member
    flow = model.ledger.flow
    assert flow(kind="brand_sales") == pytest.approx(0.1 * value.sum())
    assert flow(kind="marketing_premium") == pytest.approx(0.06 * value.sum())
    use = model.villages.land_use[hh.village]
    cost = hh.specialty_mu * model.market.monthly_cost_per_mu(model.month)[use] * member
    assert flow("market", "cooperatives", "input_discount") == pytest.approx(0.05 * cost.sum())
    assert flow("cooperatives", "households", "input_discount") == pytest.approx(0.05 * cost.sum())


def test_members_gain_farming_income(world):
    on = JointVillageModel(scenario(), world=world, invariants="step")
    on.run()
    off = JointVillageModel(scenario(f"{MARKETING}.enabled=false"), world=world)
    off.run()
    assert on.marketing.members() > 0 and off.marketing.members() == 0
    paid = on.ledger.flow(kind="marketing_premium", cumulative=True)
    assert paid > 0
    # Default premium 10 %, margin 4 %: the cooperatives keep 4 of every 6 paid to members.
    kept = on.ledger.flow(kind="brand_sales", cumulative=True) - paid
    assert kept == pytest.approx(paid * 0.04 / 0.06)
    # The gain reaches member households' farming income.
    member = on.households.marketing_member
    income = lambda m: m.households.last_year_income  # noqa: E731
    assert income(on)[member].mean() > income(off)[member].mean()


@pytest.mark.parametrize(
    ("key", "low", "high", "more_with_higher"),
    [("brand_premium", 0.05, 0.2, True), ("marketing_margin", 0.0, 0.1, False)],
)
def test_membership_is_monotone(world, key, low, high, more_with_higher):
    """A higher brand premium never lowers membership; a higher margin never raises it."""
    runs = []
    for value in (low, high):
        model = JointVillageModel(scenario(f"{MARKETING}.{key}={value}"), world=world)
        history = []
        for _ in range(4):
            model.run(1)
            history.append(model.households.marketing_member.copy())
        runs.append(history)
    for lo, hi in zip(*runs, strict=True):
        fewer, more = (lo, hi) if more_with_higher else (hi, lo)
        assert not (fewer & ~more).any()
    assert (runs[1][-1].sum() > runs[0][-1].sum()) == more_with_higher


def test_joint_cooperatives_can_market_too(world):
    config = load_scenario(
        "anqiu_2023", [*SMALL, "alliances.enabled=true", f"{MARKETING}.cooperatives=joint"]
    )
    model = JointVillageModel(config, world=build_world(config), invariants="step")
    model.run(2)
    kinds = {model.cooperatives.all[i].kind for i in model.marketing.marketer_of if i >= 0}
    assert "joint_cooperative" in kinds
    assert model.marketing.members() > 0
