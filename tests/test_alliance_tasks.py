"""Every alliance tracked and scored at once gives, bit for bit, what one at a time gives."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from model.mechanisms.alliance_tasks import AllianceMembers, score_alliances
from model.mechanisms.governance import ScoringParams

N_VILLAGES = 30

alliances = st.lists(
    st.lists(st.integers(0, N_VILLAGES - 1), min_size=1, max_size=11, unique=True),
    min_size=1,
    max_size=12,
)
figures = st.lists(
    st.floats(-1e7, 1e9, allow_nan=False, allow_subnormal=False),
    min_size=N_VILLAGES,
    max_size=N_VILLAGES,
)


@settings(max_examples=200, deadline=None)
@given(members=alliances, values=figures)
def test_member_sums_and_means_are_numpys_own(members, values):
    values = np.array(values)
    table = AllianceMembers(members, N_VILLAGES)
    sums, means = table.sum(values), table.mean(values)
    for row, villages in enumerate(members):
        assert sums[row] == values[villages].sum()  # exactly: the same additions in order
        assert means[row] == values[villages].mean()


def test_pairs_list_every_member_once():
    table = AllianceMembers([(0, 2, 4), (4, 5)], 6)
    assert list(zip(table.alliance, table.village, strict=True)) == [
        (0, 0),
        (0, 2),
        (0, 4),
        (1, 4),
        (1, 5),
    ]
    assert list(table.count) == [3, 2]


def one_at_a_time(progress, params, rng, effort):
    """The scoring as each alliance did it for itself before (the reference)."""
    scores, efforts = [], []
    for i, old in enumerate(effort):
        achieved = np.mean([min(v[i], 1.2) / 1.2 for v in progress.values()])
        noise = rng.normal(0.0, params.score_noise)
        scores.append(float(np.clip(100.0 * achieved + noise, 0.0, 100.0)))
        target = params.pay_per_point / (params.pay_per_point + params.effort_half_incentive)
        new = old + params.effort_adjustment * (target - old)
        efforts.append(float(np.clip(new, 0.0, 1.0)))
    return scores, efforts


@settings(max_examples=100, deadline=None)
@given(
    n=st.integers(1, 40),
    tasks=st.integers(1, 3),
    seed=st.integers(0, 2**32 - 1),
    noise=st.floats(0, 50),
)
def test_scores_and_effort_equal_one_alliance_at_a_time(n, tasks, seed, noise):
    rng = np.random.default_rng(seed)
    progress = {f"task{k}": rng.uniform(0, 2, n) for k in range(tasks)}
    effort = rng.uniform(0, 1, n)
    params = ScoringParams(score_noise=noise)
    score, new_effort = score_alliances(progress, params, np.random.default_rng(seed), effort)
    reference = one_at_a_time(progress, params, np.random.default_rng(seed), effort)
    assert score.tolist() == reference[0]
    assert new_effort.tolist() == reference[1]
