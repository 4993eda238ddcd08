"""Enterprise contracts: terms worked by hand, the participation logit, deliveries and payment."""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.jointmodel import JointVillageModel, build_world
from model.mechanisms.contracts import (
    ContractTerms,
    capacity_factor,
    expected_gain,
    expected_net_price,
)
from model.mechanisms.participation import ChoiceParams, peer_share, revise, willingness
from model.scenario import load_scenario

SMALL = ["county.scale=0.2", "years=4", "alliances.enabled=true"]
CONTRACTS = [
    "policies.enterprise_contracts.enabled=true",
    "policies.enterprise_contracts.contract_share=1.0",
    "governance.uptake.enabled=false",
]


def terms(**changes: float) -> ContractTerms:
    values = dict(
        holder="alliance",
        holder_index=0,
        buyer="processor_brand",
        land_use=1,
        price_premium=0.3,
        volume_t=100.0,
        quality_cost_share=0.05,
        payment_delay_months=12,
        default_probability=0.1,
        arrears_share=0.5,
    )
    values.update(changes)
    return ContractTerms(**values)  # type: ignore[arg-type]


def scenario(*extra: str):
    return load_scenario("baseline", [*SMALL, *CONTRACTS, *extra])


@pytest.fixture(scope="module")
def world():
    return build_world(scenario())


# -- terms, worked by hand ----------------------------------------------------------------


def test_expected_net_price_by_hand():
    # 10 yuan/kg market: contract 13, quality 0.5, so 12.5; paid 1 - 0.1 x 0.5 = 0.95;
    # a year's wait at 10 %: x exp(-0.1).
    net = expected_net_price(10.0, terms(), 0.1)
    assert net == pytest.approx(12.5 * 0.95 * math.exp(-0.1))


def test_expected_gain_by_hand():
    # 1,000 kg at 10 yuan/kg, no delay, no risk: (13 - 0.5 - 10) x 1000 - 300 = 2,200.
    t = terms(payment_delay_months=0, default_probability=0.0)
    gain = expected_gain(np.array([1000.0, 0.0]), 10.0, t, 0.1, 300.0)
    assert gain == pytest.approx([2200.0, -300.0])


def test_capacity_factor_by_hand():
    # Volume 100 kg: 40 delivered, 80 wanted -> 60 taken of 80; full -> none; room -> all.
    factor = capacity_factor(
        np.array([80.0, 10.0, 10.0, 0.0]),
        np.array([40.0, 100.0, 0.0, 0.0]),
        np.full(4, 100.0),
    )
    assert factor == pytest.approx([0.75, 0.0, 1.0, 0.0])


# -- the participation logit ----------------------------------------------------------------


def test_willingness_by_hand():
    p = ChoiceParams(logit_scale=1000.0, peer_weight=500.0)
    # U = 1000 - 500 + 500 x 1 = 1000: 1 / (1 + e^-1).
    w = willingness(np.array([1000.0]), np.array([-500.0]), np.array([1.0]), p)
    assert w == pytest.approx([1.0 / (1.0 + math.exp(-1.0))])


def test_peer_share_by_hand():
    village = np.array([0, 0, 0, 1, 1])
    member = np.array([True, False, True, True, False])
    eligible = np.array([True, True, False, True, True])
    # Village 0: of the 2 eligible, 1 is in; village 1: 1 of 2.
    assert peer_share(member, eligible, village, 2) == pytest.approx([0.5] * 5)


def test_revise_keeps_or_rechooses():
    p = ChoiceParams(revision_rate=0.5)
    member = np.array([True, True, False, False, True])
    eligible = np.array([True, True, True, True, False])
    willing = np.full(5, 0.6)
    revise_draw = np.array([0.9, 0.1, 0.9, 0.1, 0.9])
    choice_draw = np.array([0.0, 0.7, 0.0, 0.5, 0.0])
    # keep in; revise and leave (0.7 >= 0.6); keep out; revise and join; not offered: out.
    out = revise(member, eligible, willing, revise_draw, choice_draw, p)
    assert out.tolist() == [True, False, False, True, False]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0, 1), min_size=6, max_size=6),
    st.lists(st.floats(0, 1), min_size=6, max_size=6),
    st.floats(0, 1),
)
def test_revise_is_monotone(draws, choices, bump):
    """More willing, or in before, never puts a household out."""
    p = ChoiceParams()
    rd, cd = np.array(draws), np.array(choices)
    willing = np.linspace(0, 1, 6)
    member = np.array([True, False, True, False, True, False])
    eligible = np.ones(6, bool)
    low = revise(member, eligible, willing, rd, cd, p)
    high = revise(member | True, eligible, np.minimum(willing + bump, 1.0), rd, cd, p)
    assert not (low & ~high).any()


# -- the model ------------------------------------------------------------------------------


def run(world, *extra: str, years: int = 4):
    model = JointVillageModel(scenario(*extra), world=world)
    history = []
    for _ in range(years):
        model.run(1)
        history.append(model.households.contract_member.copy())
    return model, history


def test_households_choose_and_some_leave(world):
    model, history = run(world)
    offered = model.contracts.active[model.households.village] & (model.households.specialty_mu > 0)
    assert 0 < history[-1].sum() < offered.sum()
    left = np.any([a & ~b for a, b in pairwise(history)])
    assert left  # membership is a choice that can be undone


@pytest.mark.parametrize(
    ("key", "low", "high", "more_with_higher"),
    [
        ("price_premium", 0.05, 0.4, True),
        ("quality_cost_share", 0.0, 0.3, False),
    ],
)
def test_participation_is_monotone(world, key, low, high, more_with_higher):
    """A higher contract price never lowers participation; a higher quality cost never
    raises it (the same draws: every household in at the lower is in at the higher)."""
    _, at_low = run(world, f"policies.enterprise_contracts.{key}={low}")
    _, at_high = run(world, f"policies.enterprise_contracts.{key}={high}")
    for lo, hi in zip(at_low, at_high, strict=True):
        fewer, more = (lo, hi) if more_with_higher else (hi, lo)
        assert not (fewer & ~more).any()
    assert (at_high[-1].sum() > at_low[-1].sum()) == more_with_higher


def test_deliveries_never_exceed_the_volume(world):
    model = JointVillageModel(
        scenario("policies.enterprise_contracts.volume_tonnes=20.0"), world=world
    )
    for _ in range(3):
        model.run(1)
        assert (model.contracts.delivered_kg <= 20_000.0 + 1e-6).all()
    assert model.contracts.delivered_kg.max() == pytest.approx(20_000.0)


def test_payment_comes_after_the_delay(world):
    """With no default, each month's payments equal the contract value delivered three
    months before: what members would have sold at market, times (1 + premium)."""
    model = JointVillageModel(
        scenario(
            "policies.enterprise_contracts.payment_delay_months=3",
            "policies.enterprise_contracts.default_probability=0.0",
        ),
        world=world,
        invariants="step",
    )
    delivered, paid = [], []
    for _ in range(30):
        model.step()
        delivered.append(model.ledger.flow(kind="contract_delivery"))
        paid.append(model.ledger.flow(kind="contract_payment"))
    assert sum(delivered) > 0
    assert paid[3:] == pytest.approx([1.3 * d for d in delivered[:-3]])
    assert paid[:3] == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("holder", ["village", "cooperative"])
def test_other_holders(world, holder):
    extra = [f"policies.enterprise_contracts.holder={holder}"]
    if holder == "cooperative":
        extra.append("policies.land_pooling.enabled=true")
    model = JointVillageModel(scenario(*extra), world=world, invariants="step")
    model.run(3)
    assert model.contracts.participants() > 0
    for firm in model.contracts.firms.values():
        assert firm.terms.holder == holder
        if holder == "village":
            assert len(firm.villages) == 1
