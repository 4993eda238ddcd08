"""Fifty-year runs of every shipped scenario stay finite and keep their stocks non-negative.

A small county (a tenth of Anqiu) keeps this quick; the full county is checked by
``benchmarks/check_long_horizon.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from model.jointmodel import JointVillageModel
from model.paths import SCENARIO_DIR
from model.recorder import non_finite_columns
from model.scenario import load_scenario

SHIPPED = sorted(path.stem for path in SCENARIO_DIR.glob("*.toml"))
HOUSEHOLD_STOCKS = (
    "grain_mu",
    "specialty_mu",
    "pooled_mu",
    "rented_out_mu",
    "idle_mu",
    "contracted_mu",
    "members",
    "labour",
    "migrant",
    "cash_shares",
    "specialty_shares",
)


def test_every_shipped_scenario_is_checked():
    assert {"baseline", "anqiu_2023", "full_coverage"} <= set(SHIPPED)
    assert len(SHIPPED) >= 14


@pytest.mark.parametrize("name", SHIPPED)
def test_fifty_years_stay_finite_and_non_negative(name: str):
    model = JointVillageModel(load_scenario(name, ["county.scale=0.1", "years=50"]))
    model.run()
    tables = model.recorder.tables()
    bad = non_finite_columns(tables, model.config.start_year)
    assert not bad, f"{name}: non-finite {bad}"
    yearly = tables["county_yearly"]
    assert len(yearly) == 1 + 50  # year 0 and fifty simulated years
    hh = model.households
    for column in HOUSEHOLD_STOCKS:
        assert (getattr(hh, column) >= -1e-9).all(), f"{name}: negative {column}"
    np.testing.assert_allclose(hh.land_total, hh.contracted_mu, rtol=1e-9, atol=1e-6)
    assert np.isfinite(model.collective.cash).all()
