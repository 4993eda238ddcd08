"""The 50-year check: every shipped scenario stays finite, non-negative, moving and growing.

A small county (a tenth of Anqiu) keeps the fast version quick; the full county is the
``slow`` test below and ``make check-long`` (``benchmarks/check_long_horizon.py``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.checks.long_horizon import (
    CPI_ALLOWANCE,
    MUST_MOVE,
    REAL_GROWTH_BAND,
    check_run,
    frozen_columns,
    growth_band,
    income_growth,
)
from model.jointmodel import JointVillageModel
from model.paths import SCENARIO_DIR
from model.registry import county_output_names
from model.scenario import load_scenario

SHIPPED = sorted(path.stem for path in SCENARIO_DIR.glob("*.toml"))
START = 2023


def test_every_shipped_scenario_is_checked():
    assert {"baseline", "anqiu_2023", "full_coverage"} <= set(SHIPPED)
    assert len(SHIPPED) >= 14


def test_every_column_that_must_move_is_recorded():
    recorded = {"per_capita_income", *county_output_names()}
    recorded |= {f"income_{s}" for s in ("wage", "farming", "property", "ecommerce", "transfer")}
    assert set(MUST_MOVE) <= recorded


# -- the check's parts by hand ---------------------------------------------------------


def yearly(values: dict[str, list[float]]) -> pd.DataFrame:
    n = len(next(iter(values.values())))
    return pd.DataFrame({"year": np.arange(START - 1, START - 1 + n), **values})


def test_a_column_at_one_value_for_the_trailing_years_is_frozen():
    frame = yearly(
        {
            "income_property": [np.nan, 341.103, 341.103, 341.103],  # year 0 is not counted
            "income_wage": [np.nan, 100.0, 101.0, 102.0],
            "active_sellers": [150.0, 120.0, 0.0, 0.0],  # died out: frozen over two years
        }
    )
    columns = {"income_property": "", "income_wage": "", "active_sellers": ""}
    assert frozen_columns(frame, START, columns=columns) == ["income_property"]
    assert frozen_columns(frame, START, columns=columns, years=2) == [
        "income_property",
        "active_sellers",
    ]
    # A column that is not recorded at all cannot move either.
    assert frozen_columns(frame, START, columns={"income_ecommerce": ""}) == ["income_ecommerce"]


def test_growth_between_the_end_windows_by_hand():
    # 100 for five years, then 1 % a year for 45 years from 100: last five average
    # 100 x 1.01^43 x (1 + ... + 1.01^4)/5 over the first five's 100.
    income = [np.nan] + [100.0] * 5 + [100.0 * 1.01**k for k in range(1, 46)]
    growth, real = income_growth(yearly({"per_capita_income": income}), START, window=5)
    last = np.mean([100.0 * 1.01**k for k in range(41, 46)])
    assert growth == pytest.approx((last / 100.0) ** (1 / 45) - 1)
    assert not real
    # With the price level recorded, income is deflated: 1 % nominal at 1 % inflation is 0.
    cpi = [1.0] * 6 + [1.01**k for k in range(1, 46)]
    frame = yearly({"per_capita_income": income, "cpi_factor": cpi})
    real_growth, real = income_growth(frame, START, window=5)
    assert real
    assert real_growth == pytest.approx(0.0, abs=1e-12)


def test_the_nominal_band_allows_for_inflation_at_the_top_only():
    assert growth_band(True) == REAL_GROWTH_BAND
    low, high = growth_band(False)
    assert low == REAL_GROWTH_BAND[0]
    assert high == pytest.approx(REAL_GROWTH_BAND[1] + CPI_ALLOWANCE)


def test_a_run_without_ecommerce_entry_fails_the_check():
    """The check can fail: sellers that never enter and all quit freeze e-commerce at zero."""
    model = JointVillageModel(
        load_scenario(
            "baseline",
            [
                "county.scale=0.05",
                "years=25",
                "policies.livestream_training.dynamics.considering_share=0",
                "policies.livestream_training.dropout_rate=1",
            ],
        )
    )
    model.run()
    result = check_run(model)
    assert not result.passed
    assert any("active_sellers" in problem for problem in result.problems)


# -- fifty years -----------------------------------------------------------------------


@pytest.mark.parametrize("name", SHIPPED)
def test_fifty_years_on_a_small_county(name: str):
    model = JointVillageModel(load_scenario(name, ["county.scale=0.1", "years=50"]))
    model.run()
    assert len(model.recorder.tables()["county_yearly"]) == 1 + 50
    result = check_run(model)
    assert result.passed, f"{name}: " + "; ".join(result.problems)


@pytest.mark.slow
@pytest.mark.parametrize("name", SHIPPED)
def test_fifty_years_on_the_full_county(name: str):
    model = JointVillageModel(load_scenario(name, ["county.scale=1.0", "years=50"]))
    model.run()
    result = check_run(model)
    assert result.passed, f"{name}: " + "; ".join(result.problems)
