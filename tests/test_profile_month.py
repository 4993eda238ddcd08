"""The month's profile (``benchmarks/profile_month.py``) times the draws without changing them.

Its ``draws s`` column is only a floor under each step if the timed streams draw the very
numbers the model's streams draw; the run it profiles is then the run users get.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import profile_month

from model.rng import stream
from model.runner import run_scenario
from model.scenario import load_scenario


def test_timed_generator_draws_the_same_numbers_and_counts_their_time() -> None:
    plain, timed = (
        stream(7, "households"),
        profile_month.TimedGenerator(stream(7, "households").bit_generator),
    )
    before = profile_month.DRAW_SECONDS[0]
    p = np.linspace(0.01, 0.99, 1000)
    np.testing.assert_array_equal(plain.binomial(5, p), timed.binomial(5, p))
    np.testing.assert_array_equal(plain.random(100), timed.random(100))
    np.testing.assert_array_equal(plain.normal(size=10), timed.normal(size=10))
    assert profile_month.DRAW_SECONDS[0] > before


def test_a_run_with_timed_draws_has_the_same_tables_and_the_streams_are_put_back() -> None:
    scenario = load_scenario("anqiu_2023", ["county.scale=0.03", "years=2"])
    expected = run_scenario(scenario)
    restore = profile_month.time_draws()
    try:
        before = profile_month.DRAW_SECONDS[0]
        timed = run_scenario(scenario)
        assert profile_month.DRAW_SECONDS[0] > before
    finally:
        restore()
    for name, table in expected.tables.items():
        pd.testing.assert_frame_equal(table, timed.tables[name])
    import model.jointmodel

    assert model.jointmodel.stream is stream
    assert type(stream(7, "households")) is np.random.Generator
