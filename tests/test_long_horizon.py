"""Fifty-year runs of every shipped scenario stay finite and keep their stocks non-negative.

A small county (a tenth of Anqiu) keeps this quick; the full county is checked by
``benchmarks/check_long_horizon.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from model.jointmodel import JointVillageModel
from model.paths import SCENARIO_DIR
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
    for table, frame in model.recorder.tables().items():
        numbers = frame.select_dtypes("number")
        finite = np.isfinite(numbers.to_numpy(dtype=float)).all(axis=0)
        assert finite.all(), f"{name}/{table}: non-finite {list(numbers.columns[~finite])}"
    yearly = model.recorder.tables()["county_yearly"]
    assert len(yearly) >= 50
    hh = model.households
    for column in HOUSEHOLD_STOCKS:
        assert (getattr(hh, column) >= -1e-9).all(), f"{name}: negative {column}"
    np.testing.assert_allclose(hh.land_total, hh.contracted_mu, rtol=1e-9, atol=1e-6)
    assert np.isfinite(model.collective.cash).all()
