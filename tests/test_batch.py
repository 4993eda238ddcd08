"""The batch engine: Dask equals sequential, resume after an interruption, failures recorded."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from model.cli import app
from model.errors import InputError
from model.experiments.backends.dask_cluster import TASK_SECONDS, RunCost, dask_client
from model.experiments.batch import batch_status, load_results, run_batch
from model.experiments.evaluate import Outcome
from model.experiments.execute import execute
from model.experiments.experiment import validate_experiment
from model.experiments.plan import plan_runs
from model.experiments.store import ResultsStore
from model.runner import COUNTY_MEASURES, RunResult

TESTS = Path(__file__).resolve().parent


# --------------------------------------------------------------------------------------
# Fake runners (module level, so Dask workers and subprocesses can import them)


def fake_runner(scenario, replicate=0, progress=False, world=None):
    """A fast stand-in for run_scenario: numbers from the seed streams, shape of the real one."""
    rng = np.random.default_rng([scenario.seed, replicate, scenario.years])
    years = range(scenario.start_year, scenario.start_year + scenario.years)
    table = pd.DataFrame({"scenario": scenario.name, "replicate": replicate, "year": list(years)})
    for column in COUNTY_MEASURES:
        table[column] = rng.normal(1000, 100, len(table))
    return RunResult(scenario, replicate, {"county_yearly": table}, {}, 0.0)


def slow_runner(scenario, replicate=0, progress=False):
    time.sleep(0.05)
    return fake_runner(scenario, replicate)


def dying_runner(scenario, replicate=0, progress=False):
    """Kills its worker process the first time it runs replicate 1 (marker file)."""
    folder = os.environ.get("JV_TEST_MARKERS")
    if folder is None:  # a worker restarted after dying: the marker is written already
        return fake_runner(scenario, replicate)
    marker = Path(folder) / f"{scenario.name}-{replicate}"
    if replicate == 1 and not marker.exists():
        marker.touch()
        os._exit(1)
    return fake_runner(scenario, replicate)


def self_killing_runner(scenario, replicate=0, progress=False):
    """Raises on replicate 1; SIGKILLs its own process when it reaches replicate 4 of b."""
    if scenario.name == "b" and replicate == 4:
        os.kill(os.getpid(), signal.SIGKILL)
    if replicate == 1:
        raise ValueError("replicate 1 fails")
    return fake_runner(scenario, replicate)


def set_environ(name: str, value: str) -> None:
    os.environ[name] = value


class InterruptingRunner:
    """Behaves like Ctrl-C after ``after`` runs."""

    def __init__(self, after: int) -> None:
        self.after = after
        self.calls = 0

    def __call__(self, scenario, replicate=0, progress=False):
        self.calls += 1
        if self.calls > self.after:
            raise KeyboardInterrupt
        return fake_runner(scenario, replicate)


class CountingRunner:
    def __init__(self, fail_scenario: str | None = None) -> None:
        self.fail_scenario = fail_scenario
        self.seen: list[tuple[str, int, int]] = []

    def __call__(self, scenario, replicate=0, progress=False):
        self.seen.append((scenario.name, scenario.seed, replicate))
        if scenario.name == self.fail_scenario:
            raise ValueError(f"model blew up in {scenario.name}")
        return fake_runner(scenario, replicate)


def small_experiment(replicates: int = 3, **extra) -> dict:
    data = {
        "name": "small",
        "seed": 11,
        "replicates": replicates,
        "scenarios": [
            {"name": "a", "set": ["years=3"]},
            {"name": "b", "set": ["years=4"]},
        ],
    }
    data.update(extra)
    return data


def real_experiment() -> dict:
    """The real model on a tiny county: determinism across processes is what is tested."""
    small = ["county.scale=0.05", "years=2"]
    return {
        "name": "real",
        "seed": 5,
        "replicates": 3,
        "scenarios": [
            {"name": "baseline", "file": "baseline.toml", "set": small},
            {"name": "anqiu", "file": "anqiu_2023.toml", "set": small},
        ],
    }


def stored_files(out: Path) -> dict[str, pd.DataFrame]:
    """Every run file's rows by file name (the metadata holds timestamps, so not bytes)."""
    return {p.name: pd.read_parquet(p) for p in (out / "runs").rglob("*.parquet")}


def assert_same_runs(one: Path, two: Path) -> None:
    first, second = stored_files(one), stored_files(two)
    assert sorted(first) == sorted(second)
    for name, frame in first.items():
        pd.testing.assert_frame_equal(frame, second[name])
    pd.testing.assert_frame_equal(load_results(one), load_results(two))


# --------------------------------------------------------------------------------------
# Reproducibility and Dask


@pytest.fixture(scope="module")
def cluster():
    """One 2-worker local cluster (as the batch makes it) shared by the Dask tests."""
    with dask_client(workers=2) as client:
        yield client.scheduler.address


def test_dask_two_workers_equal_sequential(tmp_path, cluster):
    exp = validate_experiment(real_experiment())
    sequential = run_batch(exp, out=tmp_path / "seq", workers=0, progress=False)
    parallel = run_batch(exp, out=tmp_path / "dask", scheduler=cluster, progress=False)
    assert len(sequential) == 2 * 3 * (1 + 2)  # year 0 and two simulated years
    pd.testing.assert_frame_equal(sequential, parallel)
    # Same seed, same numbers, whichever process ran them.
    assert parallel.attrs["batch"]["done"] == 6


def _worlds_built() -> int:
    from model.experiments import shared_world

    return shared_world.builds()[0]


def _model_imported() -> bool:
    return "mesa" in sys.modules and "model.jointmodel" in sys.modules


def _start_up_frozen() -> bool:
    import gc

    from model.experiments.backends import warm_up

    return warm_up._frozen and gc.get_freeze_count() > 0


def test_a_batch_builds_each_world_once_per_process(tmp_path):
    from model.experiments import shared_world

    shared_world.clear()
    run_batch(real_experiment(), out=tmp_path / "o", workers=0, progress=False)
    assert shared_world.builds()[0] == 2  # 2 scenarios x 3 replicates


def test_workers_build_each_world_once_and_import_the_model_at_start_up(tmp_path):
    with dask_client(workers=1) as client:
        assert client.run(_model_imported) == {w: True for w in client.scheduler_info()["workers"]}
        exp = validate_experiment(real_experiment())  # 2 scenarios x 3 replicates
        run_batch(exp, out=tmp_path / "o", scheduler=client.scheduler.address, progress=False)
        assert list(client.run(_worlds_built).values()) == [2]
        assert list(client.run(_start_up_frozen).values()) == [True]


class _Cycle:
    """Garbage that only a collection frees (as a finished model: agents point back at it)."""

    def __init__(self) -> None:
        self.me = self


def test_a_long_runs_model_is_freed_as_it_ends_where_start_up_is_frozen():
    import gc
    import weakref

    from model.experiments.backends.warm_up import (
        FREE_AFTER_SECONDS,
        free_the_run,
        freeze_start_up,
        unfreeze,
    )

    def garbage() -> weakref.ref:
        return weakref.ref(_Cycle())

    gc.disable()  # no collection but the ones under test
    try:
        left = garbage()
        free_the_run(FREE_AFTER_SECONDS)  # nothing frozen (a notebook): left to Python
        assert left() is not None
        freeze_start_up()
        short = garbage()
        free_the_run(FREE_AFTER_SECONDS / 10)
        assert short() is not None  # a short run's small model: left to Python
        long = garbage()
        free_the_run(FREE_AFTER_SECONDS)
        assert long() is None and short() is None
    finally:
        unfreeze()
        gc.enable()


def test_small_runs_travel_in_groups_and_equal_sequential(tmp_path, cluster):
    from distributed import Client, get_task_stream

    plan = plan_runs(validate_experiment(small_experiment(replicates=20)))
    execute(plan, tmp_path / "seq", workers=0, progress=False, runner=fake_runner)
    with Client(cluster) as client, get_task_stream(client) as stream:
        summary = execute(
            plan, tmp_path / "dask", scheduler=cluster, progress=False, runner=fake_runner
        )
    assert summary.done == 40
    tasks = {task["key"] for task in stream.data if str(task["key"]).startswith("runs-")}
    assert 2 <= len(tasks) < 40  # grouped, and still spread over tasks
    assert_same_runs(tmp_path / "dask", tmp_path / "seq")


def test_a_task_holds_as_many_runs_as_fill_it():
    cost = RunCost()
    assert cost.runs_per_task(remaining=100, threads=2) == 1  # nothing measured yet
    for _ in range(3):
        cost.add(Outcome(True, wall_seconds=TASK_SECONDS / 10))
    assert cost.runs_per_task(remaining=100, threads=2) == 10
    assert cost.runs_per_task(remaining=12, threads=2) == 3  # the tail: every thread busy
    assert cost.runs_per_task(remaining=1, threads=2) == 1
    cost.add(Outcome(False, kind="worker-died"))  # no time: not counted
    slow = RunCost()
    slow.add(Outcome(True, wall_seconds=5 * TASK_SECONDS))
    assert slow.runs_per_task(remaining=100, threads=2) == 1


def test_same_replicate_shares_seed_across_scenarios(tmp_path):
    runner = CountingRunner()
    data = small_experiment()
    data["scenarios"][1]["set"].append("seed=999")  # the experiment seed wins (CRN)
    run_batch(data, out=tmp_path / "o", workers=0, progress=False, runner=runner)
    assert sorted(runner.seen) == sorted((name, 11, r) for name in ("a", "b") for r in range(3))


def test_worker_death_is_retried(tmp_path, cluster):
    import dask
    from distributed import Client

    markers = tmp_path / "markers"
    markers.mkdir()
    with Client(cluster) as client:  # the workers already run: tell them where markers go
        client.run(set_environ, "JV_TEST_MARKERS", str(markers))
    out = tmp_path / "o"
    exp = validate_experiment(small_experiment(replicates=2))
    # A result held by a worker that then dies is fetched in vain until the connect
    # timeout (30 s by default) before Dask recomputes it; keep the test short.
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        summary = execute(
            plan_runs(exp), out, scheduler=cluster, progress=False, runner=dying_runner
        )
    assert (summary.done, summary.failed) == (4, 0)
    assert {p.name for p in markers.iterdir()} == {"a-1", "b-1"}  # the workers did die
    assert len(load_results(out)) == 2 * (3 + 4)


# --------------------------------------------------------------------------------------
# Resume


def test_interrupted_then_resumed_equals_uninterrupted(tmp_path):
    exp = validate_experiment(small_experiment(replicates=4))
    plan = plan_runs(exp)
    whole = tmp_path / "whole"
    execute(plan, whole, workers=0, progress=False, runner=fake_runner)

    broken = tmp_path / "broken"
    with pytest.raises(KeyboardInterrupt):
        execute(plan, broken, workers=0, progress=False, runner=InterruptingRunner(after=3))
    assert len(stored_files(broken)) == 3
    counting = CountingRunner()
    summary = execute(plan, broken, workers=0, progress=False, runner=counting)
    assert (summary.skipped, summary.done) == (3, 5)
    assert len(counting.seen) == 5  # nothing ran twice

    assert_same_runs(broken, whole)  # no loss, no duplicates
    assert list((broken / "runs").rglob("*.tmp")) == []
    assert not (broken / ".lock").exists()


def test_killed_process_resumes_without_loss_or_duplicates(tmp_path):
    """SIGKILL a batch process midway (no cleanup at all), then continue it."""
    data = small_experiment(replicates=12)
    whole = tmp_path / "whole"
    execute(
        plan_runs(validate_experiment(data)), whole, workers=0, progress=False, runner=fake_runner
    )
    out = tmp_path / "killed"
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from test_batch import slow_runner, small_experiment;"
        "from model.experiments.batch import run_batch;"
        "run_batch(small_experiment(replicates=12), out=sys.argv[2], workers=0,"
        " progress=False, runner=slow_runner)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(TESTS), str(out)])
    try:
        deadline = time.monotonic() + 30
        while len(list((out / "runs").rglob("*.parquet"))) < 6:
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.02)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    before = stored_files(out)
    assert 6 <= len(before) < 24
    # The counts are written as runs finish: at most the run being stored is not counted.
    counts = ResultsStore.open(out).manifest["runs"]
    assert counts["planned"] == 24 and len(before) - 1 <= counts["done"] <= len(before)
    summary = execute(
        plan_runs(validate_experiment(data)), out, workers=0, progress=False, runner=fake_runner
    )
    assert summary.skipped == len(before) and summary.done == 24 - len(before)
    assert_same_runs(out, whole)
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]


def test_manifest_counts_survive_sigkill(tmp_path):
    """A batch SIGKILLed mid-run (no cleanup) loses the group of runs under way (here groups
    of 2 runs), and its manifest counts the stored and failed runs."""
    out = tmp_path / "killed"
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from test_batch import self_killing_runner, small_experiment;"
        "from model.experiments.batch import run_batch;"
        "import model.experiments.backends.in_process as in_process;"
        "from model.experiments import storing;"
        "in_process.GROUP_RUNS = 2;"
        # Each group stored before the next one runs, so that the kill, which comes from a
        # run, never lands while a group is being stored (a kill from outside may: then the
        # counts miss that group, and the next execution counts the files again).
        "put = storing.GroupWriter.put;"
        "storing.GroupWriter.put = lambda writer, group: (put(writer, group), writer.wait());"
        "run_batch(small_experiment(replicates=6), out=sys.argv[2], workers=0,"
        " progress=False, runner=self_killing_runner)"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(TESTS), str(out)], timeout=120)
    assert proc.returncode == -signal.SIGKILL
    stored = len(stored_files(out))
    failed = len(list((out / "failed").glob("*.json")))
    # Runs in plan order: replicates 0-3 of a and b (1 fails) are stored, 4 of a is lost
    # with its group when 4 of b kills the process.
    assert (stored, failed) == (6, 2)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["runs"] == {"planned": 12, "done": stored, "failed": failed}
    assert "last_batch" not in manifest  # the end-of-batch record was never written


def batch_of_six(out: Path) -> tuple[Any, ResultsStore]:
    """A stored 6-run batch and its store."""
    plan = plan_runs(validate_experiment(small_experiment()))
    execute(plan, out, workers=0, progress=False, runner=fake_runner)
    return plan, ResultsStore.open(out)


def test_truncated_run_file_is_found_by_size_and_redone(tmp_path):
    plan, store = batch_of_six(tmp_path / "o")
    whole = stored_files(store.root)
    key = sorted(store.done_keys())[2]
    path = store.run_path(key)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    counting = CountingRunner()
    summary = execute(plan, store.root, workers=0, progress=False, runner=counting)
    assert summary.corrupt == [key] and summary.done == 1 and len(counting.seen) == 1
    assert (store.root / "corrupt" / f"runs-{key}.parquet").is_file()
    assert sorted(stored_files(store.root)) == sorted(whole)
    for name, frame in stored_files(store.root).items():
        pd.testing.assert_frame_equal(frame, whole[name])

    path.write_bytes(b"")  # an emptied file too
    summary = execute(plan, store.root, workers=0, progress=False, runner=fake_runner)
    assert summary.corrupt == [key] and summary.done == 1


def test_same_size_corruption_is_found_by_checksum_with_verify_only(tmp_path):
    """Only --verify (the checksum) catches corruption that keeps a file's size."""
    plan, store = batch_of_six(tmp_path / "o")
    whole = stored_files(store.root)
    key = sorted(store.done_keys())[4]
    path = store.run_path(key)
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 8] = bytes(b ^ 0xFF for b in data[middle : middle + 8])
    path.write_bytes(bytes(data))

    counting = CountingRunner()
    summary = execute(plan, store.root, workers=0, progress=False, runner=counting)
    assert summary.corrupt == [] and counting.seen == []  # the size is right: not seen
    summary = execute(plan, store.root, workers=0, progress=False, runner=counting, verify=True)
    assert summary.corrupt == [key] and summary.done == 1 and len(counting.seen) == 1
    for name, frame in stored_files(store.root).items():
        pd.testing.assert_frame_equal(frame, whole[name])
    again = execute(plan, store.root, workers=0, progress=False, runner=counting, verify=True)
    assert again.corrupt == [] and again.done == 0


def test_cli_batch_reports_a_truncated_run(tmp_path, monkeypatch):
    _plan, store = batch_of_six(tmp_path / "o")
    key = sorted(store.done_keys())[0]
    store.run_path(key).write_bytes(b"PAR1")
    experiment = tmp_path / "small.toml"
    experiment.write_text(
        'name = "small"\nseed = 11\nreplicates = 3\n'
        '[[scenarios]]\nname = "a"\nset = ["years=3"]\n'
        '[[scenarios]]\nname = "b"\nset = ["years=4"]\n'
    )
    monkeypatch.setattr("model.runner.run_scenario", fake_runner)
    args = ["batch", str(experiment), "--out", str(store.root), "--workers", "0"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "set aside 1" in result.output
    assert len(stored_files(store.root)) == 6


# --------------------------------------------------------------------------------------
# Failures


def test_failing_run_is_recorded_not_fatal(tmp_path):
    out = tmp_path / "o"
    runner = CountingRunner(fail_scenario="b")
    frame = run_batch(small_experiment(), out=out, workers=0, progress=False, runner=runner)
    assert frame.attrs["batch"]["done"] == 3 and frame.attrs["batch"]["failed"] == 3
    assert set(frame["scenario"]) == {"a"}
    status = batch_status(out)
    failed = status[status["status"] == "failed"]
    assert len(failed) == 3 and failed["error"].str.contains("model blew up in b").all()
    record = next(ResultsStore.open(out).failures().values().__iter__())
    assert "Traceback" in record["traceback"] and record["scenario"] == "b"

    # Running again does not repeat known failures, unless asked to.
    again = CountingRunner()
    run_batch(small_experiment(), out=out, workers=0, progress=False, runner=again)
    assert again.seen == []
    run_batch(
        small_experiment(), out=out, workers=0, progress=False, runner=again, retry_failed=True
    )
    assert len(again.seen) == 3
    assert (batch_status(out)["status"] == "done").all()


def test_runs_lost_to_the_infrastructure_are_tried_again(tmp_path):
    out = tmp_path / "o"
    exp = validate_experiment(small_experiment(replicates=1))
    plan = plan_runs(exp)
    store = ResultsStore.create(out, {"name": "small"})
    store.write_failure(plan.runs[0].key, {"kind": "worker-died", "error": "KilledWorker"})
    store.write_failure(plan.runs[1].key, {"kind": "error", "error": "ValueError"})
    runner = CountingRunner()
    summary = execute(plan, out, workers=0, progress=False, runner=runner)
    assert runner.seen == [(plan.runs[0].scenario.name, 11, 0)]
    assert (summary.done, summary.failed_total) == (1, 1)


def test_results_of_an_extended_experiment_reuse_stored_runs(tmp_path):
    out = tmp_path / "o"
    run_batch(
        small_experiment(replicates=2), out=out, workers=0, progress=False, runner=fake_runner
    )
    runner = CountingRunner()
    frame = run_batch(
        small_experiment(replicates=3), out=out, workers=0, progress=False, runner=runner
    )
    assert len(runner.seen) == 2  # only the new replicate of each scenario
    assert sorted(frame["replicate"].unique()) == [0, 1, 2]


def test_resuming_with_changed_model_code_warns(tmp_path):
    out = tmp_path / "o"
    run_batch(small_experiment(1), out=out, workers=0, progress=False, runner=fake_runner)
    store = ResultsStore.open(out)
    store.manifest["code"] = "made-by-older-code"
    store.write_manifest()
    with pytest.warns(UserWarning, match="model code or data changed"):
        run_batch(small_experiment(1), out=out, workers=0, progress=False, runner=fake_runner)


def test_same_code_reuse_never_mixes_runs_of_other_code(tmp_path):
    """reuse="same-code" (regress, validation): runs of other code are not results."""
    out = tmp_path / "o"
    plan = plan_runs(validate_experiment(small_experiment(replicates=2)))
    execute(plan, out, workers=0, progress=False, runner=fake_runner, reuse="same-code")
    store = ResultsStore.open(out)
    store.manifest["code"] = "made-by-older-code"
    store.write_manifest()
    with pytest.raises(KeyboardInterrupt):
        execute(
            plan,
            out,
            workers=0,
            progress=False,
            runner=InterruptingRunner(after=1),
            reuse="same-code",
        )
    assert len(stored_files(out)) == 1  # the older runs are gone, not left to be reused
    counting = CountingRunner()
    summary = execute(plan, out, workers=0, progress=False, runner=counting, reuse="same-code")
    assert (summary.skipped, summary.done, len(counting.seen)) == (1, 3, 3)


def test_load_results_of_a_foreign_folder(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(InputError) as err:
        load_results(tmp_path)
    assert "not a jointvillage results folder" in err.value.message


# --------------------------------------------------------------------------------------
# Command line


def test_cli_batch_runs_and_resumes(tmp_path):
    experiment = tmp_path / "e.toml"
    experiment.write_text(
        'name = "cli"\nreplicates = 2\n[[scenarios]]\nname = "a"\n'
        'file = "baseline.toml"\nset = ["county.scale=0.05", "years=2"]\n'
    )
    out = tmp_path / "out"
    args = ["batch", str(experiment), "--out", str(out), "--workers", "0", "--no-progress"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "2 run(s) finished" in first.output
    second = CliRunner().invoke(app, args)
    assert "0 run(s) finished" in second.output and "2 already stored" in second.output


def test_cli_batch_into_foreign_folder_exits_2(tmp_path):
    (tmp_path / "data.csv").write_text("a,b\n")
    experiment = tmp_path / "e.toml"
    experiment.write_text('name = "cli"\n[[scenarios]]\nname = "a"\n')
    result = CliRunner().invoke(app, ["batch", str(experiment), "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "not a jointvillage results folder" in result.output


def test_cli_bad_experiment_exits_2(tmp_path):
    experiment = tmp_path / "e.toml"
    experiment.write_text('name = "cli"\nreplicats = 2\n[[scenarios]]\nname = "a"\n')
    result = CliRunner().invoke(app, ["batch", str(experiment)])
    assert result.exit_code == 2 and "did you mean 'replicates'" in result.output
