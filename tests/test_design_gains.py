"""Paired intervals of every objective's gain in ``jointvillage design``'s final table.

The delta-method interval of a difference of two ratios of paired means is checked by hand
(constant costs make it a plain t-interval), against scipy's paired bootstrap on a large
sample, and on real runs: each gain's value is the one ``compare`` reports for the arm, and
every kind of measure (per run, ratio, difference in differences) gets a finite interval.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from model.experiments.comparisons import compare_folder
from model.experiments.grouping.gains import DELTA_NOTE, difference_of_ratios, final_gains
from model.experiments.intervals import mean_ci
from tests.test_design import proposal, small_search  # noqa: F401  (the module's search)

MEASURES = [
    "collective_income_allied_mean",
    "collective_income_per_yuan",
    "allied_collective_did",
    "poor_tercile_income",
]


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.floats(-1e3, 1e3), min_size=3, max_size=12),
    st.floats(1.0, 50),
    st.floats(1.0, 50),
)
def test_with_constant_costs_the_delta_interval_is_the_t_interval(
    gains: list[float], cost: float, reference_cost: float
) -> None:
    """With the same extra cost in every replicate the difference of ratios is linear in
    the gains: the delta method is then exact, the t-interval of the per-replicate values."""
    a = np.asarray(gains)
    b = a[::-1] * 0.5 + 3.0
    samples = np.column_stack([a, np.full_like(a, cost), b, np.full_like(a, reference_cost)])
    n, value, reference, gain, low, high, note = difference_of_ratios(samples)
    expected = mean_ci(a / cost - b / reference_cost)
    assert n == expected[0] == len(a)
    assert value == pytest.approx(a.mean() / cost)
    assert reference == pytest.approx(b.mean() / reference_cost)
    assert (gain, low, high) == pytest.approx(expected[1:], rel=1e-9, abs=1e-9)
    assert note == DELTA_NOTE


def test_the_delta_interval_agrees_with_a_paired_bootstrap_on_many_replicates() -> None:
    rng = np.random.default_rng(7)
    n = 400
    cost, reference_cost = rng.normal(100, 15, n), rng.normal(80, 10, n)
    samples = np.column_stack(
        [
            3.0 * cost + rng.normal(0, 40, n),
            cost,
            2.0 * reference_cost + rng.normal(0, 30, n),
            reference_cost,
        ]
    )

    def statistic(
        a: np.ndarray, c: np.ndarray, b: np.ndarray, d: np.ndarray, axis: int = -1
    ) -> np.ndarray:
        return a.mean(axis) / c.mean(axis) - b.mean(axis) / d.mean(axis)

    boot = stats.bootstrap(
        tuple(samples.T), statistic, paired=True, vectorized=True, n_resamples=2000,
        random_state=np.random.default_rng(8),
    )  # fmt: skip
    _, _, _, gain, low, high, _ = difference_of_ratios(samples)
    assert gain == pytest.approx(statistic(*samples.T))
    width = boot.confidence_interval.high - boot.confidence_interval.low
    assert high - low == pytest.approx(width, rel=0.15)
    assert low == pytest.approx(boot.confidence_interval.low, abs=0.1 * width)


def test_an_arm_spending_no_extra_money_has_no_ratio() -> None:
    samples = np.array([[5.0, 0.0, 1.0, 2.0], [6.0, 0.0, 2.0, 2.0]])
    n, value, _, gain, low, _, note = difference_of_ratios(samples)
    assert n == 2 and np.isnan([value, gain, low]).all()
    assert note.startswith("undefined")


def test_every_kind_of_measure_gets_a_paired_interval_on_real_runs(proposal) -> None:  # noqa: F811
    found, out = proposal
    arms = list(found.finalists)
    gains = final_gains(out / "final", arms, MEASURES)
    assert len(gains) == len(arms) * len(MEASURES)
    against_none = compare_folder(out / "final", "no_alliances", MEASURES[:3])
    for row in gains.itertuples():
        if row.measure == "poor_tercile_income":
            continue
        mine = against_none[
            (against_none["arm"] == row.arm) & (against_none["measure"] == row.measure)
        ]
        programme = against_none[
            (against_none["arm"] == "programme") & (against_none["measure"] == row.measure)
        ]
        assert row.value == pytest.approx(float(mine["mean"].iat[0]))
        assert row.programme == pytest.approx(float(programme["mean"].iat[0]))
    own = gains[gains["arm"] == found.own_arm]
    # The programme's own grouping read from its file runs as formed: no gain, no spread.
    assert (own["gain"].abs() < 1e-9).all(), own
    assert np.allclose(own[["gain_low", "gain_high"]].to_numpy(float), 0.0, atol=1e-9)
    others = gains[gains["arm"] != found.own_arm]
    if not others.empty:
        finite = np.isfinite(others[["gain_low", "gain_high"]].to_numpy(float))
        assert finite.all(), others
        assert (others["gain_low"] <= others["gain"]).all()
        assert (others["gain"] <= others["gain_high"]).all()
    assert set(gains.loc[gains["measure"] == "collective_income_per_yuan", "note"]) == {DELTA_NOTE}
    methods = gains.groupby("measure")["interval"].agg(set).to_dict()
    assert methods == {
        "collective_income_allied_mean": {"paired t"},
        "collective_income_per_yuan": {"delta method"},
        "allied_collective_did": {"paired t of DiD"},
        "poor_tercile_income": {"paired t"},
    }


def test_the_gains_file_has_an_interval_for_every_objective(proposal, tmp_path: Path) -> None:  # noqa: F811
    from model.experiments.grouping.output import write_proposal

    found, _ = proposal
    write_proposal(found, tmp_path)
    table = pd.read_csv(tmp_path / "gains.csv")
    assert table[["gain_low", "gain_high"]].notna().all().all()
    assert table["note"].str.contains("interval").all()
    assert set(table["interval"]) == {"paired t"}  # the objective and max_gini are per run
    assert "| paired t |" in (tmp_path / "gains.md").read_text()
