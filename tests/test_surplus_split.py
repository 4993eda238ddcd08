"""Cooperatives return surplus to members by transactions (cooperative law art. 44)."""

from __future__ import annotations

import pytest

from model.jointmodel import JointVillageModel
from model.scenario import load_scenario

#: Pooling without the share policy: households' pooled land is their transaction.
NO_SHARES = [
    "county.scale=0.05",
    "years=3",
    "policies.land_pooling.enabled=true",
    "policies.land_pooling.eligible=all",
    "governance.uptake.enabled=false",
]


@pytest.mark.parametrize("operator", ["cooperative", "town_company"])
def test_members_get_at_least_60_percent_of_a_cooperatives_surplus(operator):
    model = JointVillageModel(
        load_scenario("baseline", [*NO_SHARES, f"policies.land_pooling.operator={operator}"])
    )
    model.run()
    assert not model.config.policies.coop_shares.enabled
    splits = [c.last_split for c in model.cooperatives if c.last_split.collective > 0]
    assert splits, "no cooperative made a distributable surplus"
    paid = model.ledger.flow("cooperatives", "households", "dividend", cumulative=True)
    if operator == "town_company":
        # A company without household shares passes its surplus to the owning villages.
        assert paid == 0.0
        assert all(s.dividends == 0.0 for s in splits)
        return
    assert paid > 0
    for split in splits:
        distributed = split.dividends + split.collective
        assert split.dividends / distributed >= 0.6 / 0.9 - 1e-9  # 60 of the 90 paid out
