"""In process, runs are stored in groups: of at most GROUP_RUNS runs or about GROUP_SECONDS."""

from __future__ import annotations

import pytest
from test_batch import fake_runner, small_experiment

from model.experiments.backends import in_process
from model.experiments.backends.in_process import InProcessEvaluator
from model.experiments.experiment import validate_experiment
from model.experiments.plan import plan_runs

RUNS = plan_runs(validate_experiment(small_experiment(replicates=4))).runs  # 8 runs


def group_sizes() -> list[int]:
    groups = InProcessEvaluator().outcomes(RUNS, ["county_yearly"], fake_runner)
    return [len(group) for group in groups]


def test_fast_runs_are_one_group_up_to_the_run_limit(monkeypatch):
    assert group_sizes() == [8]
    monkeypatch.setattr(in_process, "GROUP_RUNS", 3)
    assert group_sizes() == [3, 3, 2]


def test_a_run_that_takes_the_group_time_is_a_group_of_its_own(monkeypatch):
    monkeypatch.setattr(in_process, "GROUP_SECONDS", 0.0)
    assert group_sizes() == [1] * 8


def test_ctrl_c_hands_over_the_finished_runs_then_goes_on():
    calls = []

    def interrupted(scenario, replicate=0, progress=False):
        calls.append(replicate)
        if len(calls) == 4:
            raise KeyboardInterrupt
        return fake_runner(scenario, replicate)

    groups = InProcessEvaluator().outcomes(RUNS, ["county_yearly"], interrupted)
    finished = next(groups)
    assert [spec.key for spec, _ in finished] == [spec.key for spec in RUNS[:3]]
    assert all(outcome.ok for _, outcome in finished)
    with pytest.raises(KeyboardInterrupt):
        next(groups)
