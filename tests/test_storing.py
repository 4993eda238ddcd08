"""Groups of finished runs are stored by a thread, in order, one at a time."""

from __future__ import annotations

import threading

import pytest
from test_batch import fake_runner, small_experiment

from model.experiments.evaluate import evaluate_run
from model.experiments.experiment import validate_experiment
from model.experiments.plan import plan_runs
from model.experiments.store import ResultsStore
from model.experiments.storing import GroupWriter, RunTally


def groups_of_two():
    plan = plan_runs(validate_experiment(small_experiment(replicates=3)))  # 6 runs
    outcomes = [(spec, evaluate_run(fake_runner, spec, ["county_yearly"])) for spec in plan.runs]
    return plan, [outcomes[i : i + 2] for i in range(0, 6, 2)]


def writer_of(tmp_path, plan):
    store = ResultsStore.create(tmp_path / "out", {"name": plan.name})
    counted: list[str] = []
    writer = GroupWriter(store, RunTally(store, plan), lambda spec, ok: counted.append(spec.key))
    return store, writer, counted


def test_every_group_is_stored_in_order_and_counted_in_the_manifest(tmp_path):
    plan, groups = groups_of_two()
    store, writer, counted = writer_of(tmp_path, plan)
    with writer:
        for group in groups:
            writer.put(group)
    assert counted == [spec.key for spec in plan.runs]
    assert store.done_keys() == {spec.key for spec in plan.runs}
    manifest = ResultsStore.open(store.root).manifest
    assert manifest["runs"] == {"planned": 6, "done": 6, "failed": 0}


def test_a_group_is_handed_over_only_once_the_one_before_is_stored(tmp_path, monkeypatch):
    plan, groups = groups_of_two()
    store, writer, _ = writer_of(tmp_path, plan)
    release, second_handed_over = threading.Event(), threading.Event()
    real_write_runs = store.write_runs

    def blocked_write_runs(runs):
        release.wait()
        real_write_runs(runs)

    monkeypatch.setattr(store, "write_runs", blocked_write_runs)
    with writer:
        writer.put(groups[0])
        second = threading.Thread(target=lambda: (writer.put(groups[1]), second_handed_over.set()))
        second.start()
        assert not second_handed_over.wait(0.3)  # waits while the first group is stored
        assert store.done_keys() == set()
        release.set()
        second.join()
    assert store.done_keys() == {spec.key for group in groups[:2] for spec, _ in group}


def test_an_error_while_storing_is_raised_by_the_next_hand_over(tmp_path, monkeypatch):
    plan, groups = groups_of_two()
    store, writer, counted = writer_of(tmp_path, plan)

    def full_disk(runs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store, "write_runs", full_disk)
    with pytest.raises(OSError, match="No space"), writer:
        writer.put(groups[0])
        writer.put(groups[1])
    assert counted == []


def test_ctrl_c_while_waiting_still_stores_the_group_handed_over(tmp_path, monkeypatch):
    from concurrent.futures import Future

    plan, groups = groups_of_two()
    store, writer, counted = writer_of(tmp_path, plan)
    real_result, interrupted = Future.result, []

    def result(future, timeout=None):
        if not interrupted:  # Ctrl-C lands while the first group is being stored
            interrupted.append(True)
            raise KeyboardInterrupt
        return real_result(future, timeout)

    monkeypatch.setattr(Future, "result", result)
    with pytest.raises(KeyboardInterrupt), writer:
        writer.put(groups[0])
        writer.put(groups[1])
        writer.put(groups[2])  # never reached
    assert interrupted
    assert counted == [spec.key for group in groups[:2] for spec, _ in group]
    assert store.done_keys() == set(counted)
