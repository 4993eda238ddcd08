"""The participation logit applied to cash shares and livestream training."""

from __future__ import annotations

import math

import numpy as np
import pytest

from model.jointmodel import JointVillageModel, build_world
from model.scenario import load_scenario

SMALL = ["county.scale=0.2", "years=2", "alliances.enabled=true", "governance.uptake.enabled=false"]
SHARES = ["policies.land_pooling.enabled=true", "policies.coop_shares.enabled=true"]


def scenario(*extra: str):
    return load_scenario("baseline", [*SMALL, *extra])


@pytest.fixture(scope="module")
def world():
    return build_world(scenario())


def holders_after(world, months: int, *extra: str) -> np.ndarray:
    model = JointVillageModel(scenario(*SHARES, *extra), world=world)
    for _ in range(months):
        model.step()
    return model.households.cash_shares > 0


def test_a_better_return_elsewhere_never_raises_subscriptions(world):
    """A higher deposit rate lowers the gain of a cash share: with the same draws, every
    household that subscribes at the higher rate also subscribes at the lower."""
    # By the second January the pooling households have land shares and a first dividend.
    low = holders_after(world, 13, "policies.coop_shares.deposit_rate=0.0")
    high = holders_after(world, 13, "policies.coop_shares.deposit_rate=0.3")
    assert low.sum() > high.sum() > 0
    # The first year's subscriptions (no dividend yet) are nested.
    low0 = holders_after(world, 1, "policies.coop_shares.deposit_rate=0.0")
    high0 = holders_after(world, 1, "policies.coop_shares.deposit_rate=0.3")
    assert not (high0 & ~low0).any()


def test_trust_in_the_committee_raises_subscriptions(world):
    sure = holders_after(world, 1, "policies.coop_shares.trust_weight=20000.0")
    none = holders_after(world, 1, "policies.coop_shares.trust_weight=0.0")
    model = JointVillageModel(scenario(*SHARES), world=world)
    capable = model.villages.capacity[model.households.village] > 0.5
    assert not (none & capable & ~sure).any()


def test_training_gain_by_hand(world):
    model = JointVillageModel(
        scenario(
            "policies.livestream_training.enabled=true",
            "policies.livestream_training.income_sigma=0.0",
            "policies.livestream_training.training_days=10.0",
        ),
        world=world,
    )
    live = model.livestream
    logit = np.zeros(model.households.n)
    gain = live.training_gain(logit)
    # Median 1,500 a month, skill 1, crowding of the village's market; success 1/2;
    # less 10 days at the local day wage times earning ability.
    crowd = live.crowding()[model.households.village]
    day = model.labour.daily_local_wage(0)
    expected = 0.5 * 12 * 1500.0 * crowd - 10.0 * day * model.households.earning
    assert gain == pytest.approx(expected)
    assert math.isfinite(float(gain.sum()))


def test_costly_training_finds_fewer_takers(world):
    def trained(days: float) -> int:
        model = JointVillageModel(
            scenario(
                "policies.livestream_training.enabled=true",
                "policies.livestream_training.trainees_per_year=10000",
                f"policies.livestream_training.training_days={days}",
            ),
            world=world,
        )
        model.run(1)
        return int(model.livestream.trained.sum())

    assert trained(0.0) > trained(365.0) > 0
