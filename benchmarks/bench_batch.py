"""Executor benchmark: throughput on 1 and 2 Dask workers, overhead per run.

Every run of the project (batch, compare, regress, validation) goes through the one
executor, :func:`model.experiments.execute.execute`, with an evaluator from
:mod:`model.experiments.backends` (in process, or Dask). This benchmark runs the same plan
(the baseline and the Anqiu programme, replicates on a small county) four ways and prints
wall time, runs per second and the cost the executor adds per run:

* ``direct``: ``run_scenario`` called in a loop (no store, no executor, a county built for
  every run);
* ``batch, in process``: ``workers=0`` (plan, run, write Parquet atomically, fsync), with
  the executor's default run function (the county and alliances built once per scenario
  and process, :mod:`model.experiments.shared_world`);
* ``batch, Dask 1 worker(s)`` and ``2 worker(s)``: a fresh local cluster each
  (:func:`~model.experiments.backends.dask_cluster.dask_client`); its start-up (cluster
  and the workers' first import of the model) is reported apart from the runs.

A second pass uses a *null* model (returns a ready-made table), so its times are the
executor's own cost per run: planning, shipping to a worker, Parquet writing, fsync.

Usage::

    .venv/bin/python benchmarks/bench_batch.py                  # ~1-2 minutes on 2 cores
    .venv/bin/python benchmarks/bench_batch.py --scale 1 --years 10 --runs 8   # full county
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

import pandas as pd

from model.experiments.backends.dask_cluster import dask_client
from model.experiments.execute import execute
from model.experiments.experiment import validate_experiment
from model.experiments.plan import plan_runs
from model.runner import COUNTY_MEASURES, RunResult, run_scenario


def null_runner(scenario, replicate=0, progress=False):
    """A model that costs nothing: the engine's overhead is all that is left."""
    years = list(range(scenario.start_year, scenario.start_year + scenario.years))
    table = pd.DataFrame({"scenario": scenario.name, "replicate": replicate, "year": years})
    for column in COUNTY_MEASURES:
        table[column] = float(replicate)
    return RunResult(scenario, replicate, {"county_yearly": table}, {}, 0.0)


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


def measure(runs: int, scale: float, years: int, runner, label: str, folder: Path) -> list[dict]:
    """Rows of the table for one run function (the model's batches: the default one)."""
    batch_runner = None if runner is run_scenario else runner
    plan = plan_runs(validate_experiment(experiment(runs, scale, years)))
    n = len(plan.runs)
    runner(plan.runs[0].scenario, replicate=0)  # warm-up: imports, caches, data files
    start = time.perf_counter()
    for spec in plan.runs:
        runner(spec.scenario, replicate=spec.replicate)
    direct = time.perf_counter() - start
    rows = [{"model": label, "mode": "direct", "runs": n, "seconds": direct, "start-up": 0.0}]

    out = folder / f"{label}-0"
    start = time.perf_counter()
    summary = execute(plan, out, workers=0, progress=False, runner=batch_runner)
    assert summary.done == n, summary
    seconds = time.perf_counter() - start
    rows.append(
        {
            "model": label,
            "mode": "batch, in process",
            "runs": n,
            "seconds": seconds,
            "start-up": 0.0,
        }
    )
    for workers in (1, 2):
        out = folder / f"{label}-{workers}"
        start = time.perf_counter()
        with dask_client(workers=workers) as client:
            # Start-up = cluster plus the workers' first import of the model.
            client.run(_warm_up)
            startup = time.perf_counter() - start
            start = time.perf_counter()
            summary = execute(
                plan,
                out,
                scheduler=client.scheduler.address,
                progress=False,
                runner=batch_runner,
            )
            seconds = time.perf_counter() - start
        assert summary.done == n, summary
        rows.append(
            {
                "model": label,
                "mode": f"batch, Dask {workers} worker(s)",
                "runs": n,
                "seconds": seconds,
                "start-up": startup,
            }
        )
    for row in rows:
        row["runs/s"] = row["runs"] / row["seconds"]
        row["ms/run"] = 1000 * row["seconds"] / row["runs"]
        row["speed-up"] = direct / row["seconds"]
    return rows


def _warm_up() -> None:
    from model.runner import run_scenario  # noqa: F401  (imports mesa, pandas, the model)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=60, help="model runs per mode")
    parser.add_argument("--null-runs", type=int, default=400, help="null-model runs per mode")
    parser.add_argument("--scale", type=float, default=0.1, help="county.scale of the runs")
    parser.add_argument("--years", type=int, default=3, help="simulated years per run")
    args = parser.parse_args()
    print(
        f"jointvillage batch benchmark: {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"county.scale={args.scale}, years={args.years}"
    )
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        rows = measure(args.runs, args.scale, args.years, run_scenario, "model", Path(tmp))
        rows += measure(args.null_runs, args.scale, args.years, null_runner, "null", Path(tmp))
    table = pd.DataFrame(rows).set_index(["model", "mode"])
    with pd.option_context(
        "display.float_format",
        "{:,.2f}".format,
        "display.width",
        160,
        "display.max_columns",
        20,
    ):
        print(table)
    model_direct = table.loc[("model", "direct"), "ms/run"]
    null = table.loc["null"]
    print(
        f"\nmodel run alone: {model_direct:.0f} ms. Engine cost per run (null model): "
        f"{null.loc['batch, in process', 'ms/run'] - null.loc['direct', 'ms/run']:.1f} ms "
        f"in process, {null.loc['batch, Dask 1 worker(s)', 'ms/run']:.1f} ms on 1 Dask worker"
    )


if __name__ == "__main__":
    main()
