"""Executor benchmark: the engine's share of a run, and 2 Dask workers against 1.

Every run of the project (batch, compare, regress, validation) goes through the one
executor, :func:`model.experiments.execute.execute`, with an evaluator from
:mod:`model.experiments.backends` (in process, or Dask). This benchmark executes the same
plan (the baseline and the Anqiu programme, replicates on a county of ``--scale``) into a
fresh results folder three ways, with the executor's default run function (the county and
alliances built once per scenario and process, :mod:`model.experiments.shared_world`):

* ``batch, in process``: ``workers=0``, after importing what a Dask worker imports at
  start-up (timed as its start-up);
* ``batch, Dask 1 worker(s)`` and ``2 worker(s)``: a fresh local cluster each
  (:func:`~model.experiments.backends.dask_cluster.dask_client`); its start-up (the cluster,
  and the workers' import of the model) is timed apart from the batch.

It prints the issue's two figures:

* **the engine's share of a run**: ``(batch wall time - the runs' own time - county
  builds) / the runs' own time``, where a run's own time is the ``wall_seconds`` it reports
  (model set up and run, tables made), the county builds are each process's one build of a
  scenario's county and alliances (model work, shared by its replicates; printed apart),
  and the rest is the engine: planning, shipping runs to the worker, Parquet encoding, the
  files and their flushes, the manifest (target <= 2 %);
* **2 workers against 1**: the 1-worker batch's wall time over the 2-worker one's, start-up
  apart (target >= 1.8; on 2 cores this needs a quiet machine: the load average is printed
  before and after). Because other work on the machine slows the runs themselves, it also
  prints the share of the 2-worker batch its workers spent in runs (the runs' own time over
  twice the wall time), and twice that: the speed-up had each run kept its speed.

With ``--null-runs N`` a second pass uses a model that does nothing (a ready-made table), so
that its times are the engine's own cost per run in milliseconds.

Usage::

    .venv/bin/python benchmarks/bench_batch.py --runs 32            # scale 0.1, 3 years
    .venv/bin/python benchmarks/bench_batch.py --scale 1 --years 10 --runs 4   # full county
    .venv/bin/python benchmarks/bench_batch.py --runs 0 --null-runs 400       # engine only
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import tempfile
import time
from pathlib import Path

import pandas as pd

from model.experiments import shared_world
from model.experiments.backends.dask_cluster import dask_client
from model.experiments.backends.warm_up import MODULES
from model.experiments.execute import execute
from model.experiments.experiment import validate_experiment
from model.experiments.plan import Plan, plan_runs
from model.experiments.store import ResultsStore
from model.runner import COUNTY_MEASURES, RunResult


def null_runner(scenario, replicate=0, progress=False):
    """A model that costs nothing: the engine's overhead is all that is left."""
    start = time.perf_counter()
    years = list(range(scenario.start_year, scenario.start_year + scenario.years))
    columns = {"scenario": scenario.name, "replicate": replicate, "year": years}
    table = pd.DataFrame({**columns, **dict.fromkeys(COUNTY_MEASURES, float(replicate))})
    return RunResult(scenario, replicate, {"county_yearly": table}, {}, time.perf_counter() - start)


def experiment(runs: int, scale: float, years: int) -> dict:
    small = [f"county.scale={scale}", f"years={years}"]
    return {
        "name": "bench",
        "seed": 1,
        "replicates": max(1, runs // 2),
        "scenarios": [
            {"name": "baseline", "file": "baseline.toml", "set": small},
            {"name": "anqiu", "file": "anqiu_2023.toml", "set": small},
        ],
    }


def runs_own_seconds(folder: Path, plan: Plan) -> float:
    """The sum of the stored runs' own wall times (as each run reported it)."""
    store = ResultsStore.open(folder)
    return sum(float(store.read_meta(spec.key)["wall_seconds"]) for spec in plan.runs)


def measure(plan: Plan, runner, label: str, folder: Path) -> list[dict]:
    """One row per mode: wall time, start-up, fixed cost, the runs' own time, the engine's."""
    rows = []
    for workers in (0, 1, 2):
        start = time.perf_counter()
        if workers == 0:
            shared_world.clear()  # every mode builds its worlds afresh
            for module in MODULES:  # what a Dask worker imports at start-up
                importlib.import_module(module)
            startup = time.perf_counter() - start
            row = timed_batch(plan, runner, folder / f"{label}-0", None)
            mode = "batch, in process"
        else:
            with dask_client(workers=workers) as client:
                startup = time.perf_counter() - start
                address = client.scheduler.address
                row = timed_batch(plan, runner, folder / f"{label}-{workers}", address)
                row["county builds s"] = sum(
                    spent for _, spent in client.run(worlds_built).values()
                )
            mode = f"batch, Dask {workers} worker(s)"
        # Worker time spent neither in the runs nor in building counties, nor in the batch's
        # fixed cost (2 workers: their idle time included).
        own, runs = row["own s"], len(plan.runs)
        engine = (row["seconds"] - row["fixed s"]) * max(workers, 1) - own - row["county builds s"]
        rows.append(
            {
                "model": label,
                "mode": mode,
                "runs": runs,
                "start-up": startup,
                **row,
                "ms/run": 1000 * row["seconds"] / runs,
                "engine ms/run": 1000 * engine / runs,
                "engine share": engine / own,
            }
        )
    return rows


def worlds_built() -> tuple[int, float]:
    """This worker's county builds: how many, how many seconds (run on each worker)."""
    return shared_world.builds()


def timed_batch(plan: Plan, runner, out: Path, scheduler: str | None) -> dict:
    """Execute ``plan`` into ``out``; its wall time, the runs' own time, the county builds
    (in process) and the executor's fixed cost per batch (best of 3 batches of 2 null runs:
    opening the folder, fingerprints, plan, connecting to the scheduler, closing)."""
    tiny = plan_runs(validate_experiment(experiment(2, 0.05, 1)))
    fixed = []
    for attempt in range(3):
        start = time.perf_counter()
        execute(
            tiny,
            out.with_name(f"{out.name}-fixed{attempt}"),
            workers=0 if scheduler is None else None,
            scheduler=scheduler,
            progress=False,
            runner=null_runner,
        )
        fixed.append(time.perf_counter() - start)
    before = shared_world.builds()[1]
    start = time.perf_counter()
    summary = execute(
        plan,
        out,
        workers=0 if scheduler is None else None,
        scheduler=scheduler,
        progress=False,
        runner=runner,
    )
    seconds = time.perf_counter() - start
    assert summary.done == len(plan.runs), summary
    return {
        "seconds": seconds,
        "fixed s": min(fixed),
        "own s": runs_own_seconds(out, plan),
        "county builds s": shared_world.builds()[1] - before,
    }


def direct_null_ms(plan: Plan) -> float:
    """The null model called in a loop (no executor): its own cost per run, in ms."""
    start = time.perf_counter()
    for spec in plan.runs:
        null_runner(spec.scenario, replicate=spec.replicate)
    return 1000 * (time.perf_counter() - start) / len(plan.runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=32, help="model runs per mode (0: none)")
    parser.add_argument("--null-runs", type=int, default=0, help="null-model runs per mode")
    parser.add_argument("--scale", type=float, default=0.1, help="county.scale of the runs")
    parser.add_argument("--years", type=int, default=3, help="simulated years per run")
    args = parser.parse_args()
    print(
        f"jointvillage batch benchmark: {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"county.scale={args.scale}, years={args.years}; "
        f"load average before: {os.getloadavg()[0]:.2f}"
    )
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        if args.runs:
            plan = plan_runs(validate_experiment(experiment(args.runs, args.scale, args.years)))
            rows += measure(plan, None, "model", Path(tmp))
        if args.null_runs:
            plan = plan_runs(validate_experiment(experiment(args.null_runs, args.scale, 3)))
            null_runner(plan.runs[0].scenario)  # warm-up: pandas
            rows += measure(plan, null_runner, "null", Path(tmp))
            print(f"null model called directly: {direct_null_ms(plan):.2f} ms/run")
    table = pd.DataFrame(rows).set_index(["model", "mode"])
    with pd.option_context(
        "display.float_format", "{:,.3f}".format, "display.width", 200, "display.max_columns", 20
    ):
        print(table)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    if args.runs:
        model = table.loc["model"]
        one = model.loc["batch, Dask 1 worker(s)"]
        two = model.loc["batch, Dask 2 worker(s)"]
        print(
            f"engine share of a run ({1000 * one['own s'] / one['runs']:.0f} ms): "
            f"{100 * model.loc['batch, in process', 'engine share']:.1f} % in process, "
            f"{100 * one['engine share']:.1f} % on 1 Dask worker (target <= 2 %)"
        )
        busy = two["own s"] / (2 * two["seconds"])
        print(
            f"2 Dask workers against 1: {one['seconds'] / two['seconds']:.2f}x "
            f"(target >= 1.8; start-up apart: {one['start-up']:.1f} s and "
            f"{two['start-up']:.1f} s); the 2 workers spent {100 * busy:.0f} % of the batch "
            f"in runs, {2 * busy:.2f}x at unchanged speed per run"
        )


if __name__ == "__main__":
    main()
