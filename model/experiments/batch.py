"""Batches from Python: run an experiment into a results folder and read its results.

An experiment file (:mod:`model.experiments.experiment`) is planned
(:mod:`model.experiments.plan`), executed by the one executor
(:func:`model.experiments.execute.execute`: in this process, on a local Dask cluster or an
existing scheduler; resumable) and stored (:mod:`model.experiments.store`). This module is
what notebooks and ``jointvillage batch`` use::

    from model.experiments.batch import run_batch
    df = run_batch("scenarios/experiments/replicates_small.toml", workers=2)
    df.groupby(["scenario", "year"])["per_capita_income"].mean()
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pandas as pd

from model.experiments.evaluate import Runner
from model.experiments.execute import CODE_CHANGED, execute
from model.experiments.experiment import Experiment, load_experiment, validate_experiment
from model.experiments.plan import plan_runs
from model.experiments.store import ResultsStore


def default_out(experiment: Experiment) -> Path:
    """Default results folder of an experiment: ``results/<name>``."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in experiment.name)
    return Path("results") / safe


def as_experiment(experiment: Experiment | str | Path | dict[str, Any]) -> Experiment:
    """Accept an :class:`Experiment`, a path to an experiment file, or experiment data."""
    if isinstance(experiment, Experiment):
        return experiment
    if isinstance(experiment, dict):
        return validate_experiment(experiment)
    return load_experiment(experiment)


def run_batch(
    experiment: Experiment | str | Path | dict[str, Any],
    out: str | Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
    retry_failed: bool = False,
    verify: bool = False,
    runner: Runner | None = None,
) -> pd.DataFrame:
    """Run an experiment (resuming any earlier run into ``out``) and return its results.

    Args:
        experiment: Experiment, path or data.
        out: Results folder (default ``results/<experiment name>``).
        workers: 0 = in this process; N = local Dask cluster; ``None`` = one per CPU.
        scheduler: Address of a running Dask scheduler.
        progress: Show a progress bar.
        retry_failed: Run failed runs again.
        verify: Check stored files first (see :meth:`ResultsStore.verify`).
        runner: Run function (default :func:`model.runner.run_scenario`).

    Returns:
        The ``county_yearly`` rows of every stored run of the experiment, with the plan's
        labels (see :func:`load_results`); ``df.attrs["batch"]`` holds the summary.
    """
    exp = as_experiment(experiment)
    plan = plan_runs(exp)
    target = Path(out) if out is not None else default_out(exp)
    summary = execute(plan, target, workers, scheduler, progress, retry_failed, verify, runner)
    if summary.code_changed:
        warnings.warn(CODE_CHANGED.format(out=target), stacklevel=2)
    frame = load_results(target)
    frame.attrs["batch"] = summary.as_dict()
    return frame


def load_results(out: str | Path, table: str = "county_yearly") -> pd.DataFrame:
    """Load a results folder: one row per stored table row, labelled by the plan.

    Args:
        out: Results folder written by a batch.
        table: ``county_yearly`` (default) or another kept table.

    Returns:
        Columns ``scenario, variant, replicate, seed, run_key``, the ``param:<field>`` (and
        ``design:<field>``) columns of sweeps and designs, then the table's own columns.
        A run shared by two design points (integer rounding) appears under both.
        ``attrs["planned_replicates"]`` holds the runs planned per scenario and variant
        (what :func:`~model.experiments.compare.compare` expects per arm).

    Raises:
        InputError: For a missing, foreign or corrupt folder.
    """
    store = ResultsStore.open(out)
    plan = store.plan()
    done = store.done_keys()
    keys = list(dict.fromkeys(k for k in plan["run_key"] if k in done))
    data = store.load(table, keys)
    if data.empty:
        frame = plan.iloc[0:0].copy()
    else:
        # The files carry their labels too (layout 3), but a run shared by two design
        # points carries the first one's: the plan labels every row it planned.
        labels = [c for c in plan.columns if c != "run_key" and c in data.columns]
        data = data.drop(columns=labels)
        frame = plan.merge(data, on="run_key", how="inner").reset_index(drop=True)
    frame.attrs["planned_replicates"] = _planned_per_arm(plan)
    return frame


def _planned_per_arm(plan: pd.DataFrame) -> int:
    """Runs planned per (scenario, variant): the replicates each arm should have."""
    labels = [c for c in ("scenario", "variant") if c in plan.columns]
    if plan.empty or not labels:
        return 0
    return int(plan.groupby(labels, sort=False).size().max())


def batch_status(out: str | Path) -> pd.DataFrame:
    """One row per planned run: its labels, status (done, failed, missing) and error."""
    store = ResultsStore.open(out)
    plan = store.plan()
    done = store.done_keys()
    failures = store.failures()
    status = [
        "done" if k in done else "failed" if k in failures else "missing" for k in plan["run_key"]
    ]
    errors = [
        failures.get(k, {}).get("error", "") if k not in done else "" for k in plan["run_key"]
    ]
    return plan.assign(status=status, error=errors)


def manifest(out: str | Path) -> dict[str, Any]:
    """The manifest of a results folder."""
    return ResultsStore.open(out).manifest
