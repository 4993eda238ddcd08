"""Operators of pooled land choose grain or specialty bases: choice, finance, conservation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.jointmodel import JointVillageModel, build_world
from model.mechanisms.land_use import annuity_factor
from model.scenario import load_scenario

SHEET = Path(__file__).resolve().parents[1] / "data" / "land_uses.csv"
POOLING = [
    "county.scale=0.05",
    "years=3",
    "alliances.enabled=true",
    "policies.land_pooling.enabled=true",
    "governance.uptake.enabled=false",
    "farming.land_use.choice_set=any",
]


def scenario(*extra: str):
    return load_scenario("baseline", [*POOLING, *extra])


@pytest.fixture(scope="module")
def world():
    return build_world(scenario())


@pytest.fixture(scope="module")
def run(world):
    model = JointVillageModel(scenario(), world=world, invariants="step")
    model.run()
    return model


def test_bases_are_built_on_pooled_land_and_conserve_it(run):
    bases = run.operators
    assert bases.base_total() > 0
    pooled = run.pooling.pooled_by_village()
    assert np.all(bases.base_mu <= pooled + 1e-9)
    np.testing.assert_allclose(bases.grain_by_village() + bases.base_mu, pooled)
    assert np.all((bases.base_mu > 0) <= (bases.base_use >= 0))
    # The conversion cap bounds the bases built on pooled grain land; pooled specialty
    # land joins a base as it is.
    cap = run.config.farming.land_use.convertible_share
    assert np.all(bases.base_mu - bases.absorbed_mu <= cap * pooled + 1e-9)
    assert np.all(bases.absorbed_mu <= bases.base_mu + 1e-9)


def test_bases_are_financed_by_loans_within_the_credit_limit(run):
    ledger = run.ledger
    invested = ledger.flow("cooperatives", "market", "investment", cumulative=True)
    assert invested == pytest.approx(run.operators.invested)
    limit = run.config.policies.land_pooling.bases.credit_per_mu
    pooled = run.pooling.pooled_by_village()
    for i, coop in enumerate(run.cooperatives):
        if not coop.is_specialty:
            own = pooled[run.cooperatives.operator_of == i].sum()
            assert coop.loan <= limit * own + 1e-6
    assert ledger.flow("cooperatives", "market", "interest", cumulative=True) > 0


def test_without_credit_no_base_that_needs_investment(world):
    model = JointVillageModel(scenario("policies.land_pooling.bases.credit_per_mu=0"), world=world)
    model.run()
    assert model.operators.invested == 0.0
    ops = model.operators
    needs = model.conversions.sheet.investment[np.maximum(ops.base_use, 0)] > 0
    built = ops.base_mu - ops.absorbed_mu  # pooled specialty land needs no investment
    assert built[needs & (ops.base_use >= 0)].sum() == pytest.approx(0.0, abs=1e-9)


def test_a_dearer_base_has_a_smaller_gap_by_the_annuity(world, dearer_land_uses):
    def gaps(factor: float) -> np.ndarray:
        path = dearer_land_uses(factor)
        model = JointVillageModel(scenario(f"farming.land_uses_file={path}"), world=world)
        return model.operators.gaps()[0]

    investment = pd.read_csv(SHEET)["investment_per_mu"].to_numpy(float)
    land_use = load_scenario("baseline").farming.land_use
    annuity = annuity_factor(land_use.discount_rate, land_use.planning_years)
    cheap, dear = gaps(1.0), gaps(2.0)
    np.testing.assert_allclose(cheap - dear, np.broadcast_to(annuity * investment, cheap.shape))


def test_a_higher_base_cost_never_raises_bases(world, dearer_land_uses):
    built = []
    for factor in (1.0, 3.0, 100.0):
        # Households' conversions off: dearer conversions leave them more grain land to
        # pool, which could build more bases for a reason other than the operators' choice;
        # pooled specialty land off too (fewer built bases leave room for it, no investment).
        path = dearer_land_uses(factor)
        model = JointVillageModel(
            scenario(
                f"farming.land_uses_file={path}",
                "farming.land_use.enabled=false",
                "policies.land_pooling.bases.take_specialty_land=false",
            ),
            world=world,
        )
        model.run()
        built.append(model.operators.base_total())
    assert built == sorted(built, reverse=True)
    assert built[0] > built[-1]


def test_switched_off_pooled_land_stays_grain(world):
    model = JointVillageModel(scenario("policies.land_pooling.bases.enabled=false"), world=world)
    model.run()
    assert model.operators.base_total() == 0.0
    assert model.pooling.pooled_by_village().sum() > 0
