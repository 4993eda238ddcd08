"""The batch engine: plan the runs of an experiment and execute them, in-process or on Dask.

A *run* is one replicate of one scenario variant (a scenario of the experiment with one
sweep or design point applied). Every variant gets the experiment seed, and replicate ``r``
is run as ``run_scenario(scenario, replicate=r)``; :mod:`model.rng` derives the replicate's
streams from that seed with ``SeedSequence``, so replicate ``r`` of every variant shares the
county, weather and prices (common random numbers).

Execution is resumable: each finished run is stored under its key (see
:mod:`model.experiments.store`)
and runs already stored are skipped, so running the same batch again after a crash or Ctrl-C
continues where it stopped, and never runs anything twice. A run that raises is recorded in
``failed/`` with its traceback and the batch goes on (``--retry-failed`` runs them again).

Where runs execute:

* ``workers=0``: one after the other in this process (tests, notebooks, debugging);
* ``workers=N`` (default: one per CPU): a local Dask cluster of N single-threaded worker
  processes;
* ``scheduler="tcp://host:8786"``: an existing Dask scheduler, e.g. on a Slurm cluster
  through dask-jobqueue (``pip install dask-jobqueue``)::

      from dask_jobqueue import SLURMCluster
      cluster = SLURMCluster(cores=1, processes=1, memory="4GB", walltime="04:00:00")
      cluster.scale(jobs=100)          # or cluster.adapt(maximum_jobs=100)
      print(cluster.scheduler_address) # -> jointvillage batch EXP --scheduler ADDRESS

  or, without Python: ``dask scheduler`` on the login node and an ``sbatch`` array whose
  jobs each run ``dask worker tcp://LOGIN:8786 --nthreads 1``. Workers need this project
  installed in the same version (``pip install -e .``) and the scenario's data files.
  Set ``MALLOC_TRIM_THRESHOLD_`` to null under ``distributed.nanny.pre-spawn-environ``
  in the workers' Dask configuration (the local cluster does this itself, see
  :func:`dask_client`): Dask's default of 65536 slows the model down 1.7x.

Workers run the model and encode the kept tables as Parquet; the driver (this process)
writes every file, so a worker that dies never leaves half a result. Dask re-runs the task
of a dead worker on another one (up to ``distributed.scheduler.allowed-failures`` times, 3
by default); a run that kills every worker it lands on is then recorded as failed (and
tried again by the next batch).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import socket
import time
import traceback
import uuid
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import model
from model.errors import InputError
from model.experiments.experiment import (
    Experiment,
    Range,
    build_scenario,
    is_integer_field,
    load_experiment,
)
from model.experiments.store import ResultsStore, code_fingerprint, now, run_key
from model.scenario import Scenario

#: Spawn key of the design stream (Latin hypercube, Sobol, Morris) under the experiment
#: seed; far from the model's stream ids in :mod:`model.rng`, so designs never share bits
#: with a model stream.
DESIGN_STREAM = 1000
#: Prefix of the columns holding the scenario values of a sweep or design point.
PARAM_PREFIX = "param:"
#: Prefix of the columns holding raw design values (before rounding integer fields).
DESIGN_PREFIX = "design:"

Runner = Callable[..., Any]


#: Warning shown when a folder's runs were made by other model code (same version).
CODE_CHANGED = (
    "the model code or data changed since the runs in {out} were stored, but not the model "
    "version, so they were reused; if the change alters results, use a new --out folder "
    "(or bump model.__version__)"
)


class BatchAbortedError(RuntimeError):
    """The Dask cluster went away; the batch can be continued by running it again."""


@dataclass
class RunSpec:
    """One planned run.

    Attributes:
        key: The run key (store file name).
        scenario: The resolved scenario.
        replicate: Replicate number.
    """

    key: str
    scenario: Scenario
    replicate: int


@dataclass
class Plan:
    """Every run of an experiment.

    Attributes:
        experiment: The experiment.
        runs: Unique runs in execution order (two design points that round to the same
            scenario share one run).
        table: One row per (scenario, variant, replicate): the labels joined to results.
        problem: The SALib problem of a design (Latin hypercube or sensitivity), if any.
    """

    experiment: Experiment
    runs: list[RunSpec]
    table: pd.DataFrame
    problem: dict[str, Any] | None = None


@dataclass
class BatchSummary:
    """What a batch did.

    Attributes:
        out: The results folder.
        planned: Unique runs in the plan.
        skipped: Runs already stored (or recorded as failed) before this batch.
        done: Runs finished by this batch.
        failed: Runs of this batch that raised.
        failed_total: Failure records of the plan after this batch.
        seconds: Wall time of the batch.
        interrupted: Whether the batch stopped early (Ctrl-C).
        corrupt: Runs set aside by ``verify``.
        code_changed: The folder holds runs made by other model code or data (same
            version): they are reused, which is wrong if the change altered results.
    """

    out: Path
    planned: int
    skipped: int = 0
    done: int = 0
    failed: int = 0
    failed_total: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    corrupt: list[str] = field(default_factory=list)
    code_changed: bool = False

    def as_dict(self) -> dict[str, Any]:
        """Plain data (manifest, JSON output)."""
        return {
            "out": str(self.out),
            "planned": self.planned,
            "skipped": self.skipped,
            "done": self.done,
            "failed": self.failed,
            "failed_total": self.failed_total,
            "seconds": round(self.seconds, 3),
            "interrupted": self.interrupted,
            "corrupt": list(self.corrupt),
            "code_changed": self.code_changed,
        }


# --------------------------------------------------------------------------------------
# Planning


def design_seed(seed: int) -> int:
    """The seed of the design stream (sweep and sensitivity samples) of an experiment seed."""
    sequence = np.random.SeedSequence(entropy=int(seed), spawn_key=(DESIGN_STREAM,))
    return int(sequence.generate_state(1, dtype=np.uint32)[0])


def salib_problem(parameters: dict[str, Range]) -> dict[str, Any]:
    """The SALib problem dict of ``{field: Range}``."""
    return {
        "num_vars": len(parameters),
        "names": list(parameters),
        "bounds": [[rng.min, rng.max] for rng in parameters.values()],
    }


def _points(exp: Experiment) -> tuple[list[dict[str, Any]], np.ndarray | None, dict | None]:
    """The sweep or design points: scenario values, raw design matrix, SALib problem."""
    if exp.sensitivity is not None:
        from model.experiments.sensitivity import sample_design

        problem = salib_problem(exp.sensitivity.parameters)
        matrix = sample_design(exp.sensitivity, problem, design_seed(exp.seed))
        return _apply_rounding(problem["names"], matrix), matrix, problem
    sweep = exp.sweep
    if sweep is None:
        return [{}], None, None
    names = list(sweep.parameters)
    if sweep.method == "grid":
        combos = itertools.product(*(sweep.parameters[n] for n in names))
        return [dict(zip(names, combo, strict=True)) for combo in combos], None, None
    if sweep.method == "list":
        columns = [sweep.parameters[n] for n in names]
        return (
            [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)],
            None,
            None,
        )
    from SALib.sample import latin

    ranges = {n: r for n, r in sweep.parameters.items() if isinstance(r, Range)}
    problem = salib_problem(ranges)
    matrix = latin.sample(problem, int(sweep.samples or 1), seed=design_seed(exp.seed))
    return _apply_rounding(names, matrix), matrix, problem


def _apply_rounding(names: list[str], matrix: np.ndarray) -> list[dict[str, Any]]:
    integer = [is_integer_field(n) for n in names]
    return [
        {
            n: round(float(v)) if is_int else float(v)
            for n, v, is_int in zip(names, row, integer, strict=True)
        }
        for row in matrix
    ]


def plan_runs(experiment: Experiment) -> Plan:
    """Resolve every scenario variant and replicate of an experiment.

    Args:
        experiment: A validated experiment.

    Returns:
        The :class:`Plan`.

    Raises:
        InputError: When a scenario file or a sweep value is not valid; the message names
            the experiment file and the scenario entry or sweep that set it.
    """
    bases = experiment.resolve_scenarios()
    points, matrix, problem = _points(experiment)
    blame = (
        f"{experiment.source} (sensitivity.parameters)"
        if experiment.sensitivity is not None
        else f"{experiment.source} (sweep.parameters)"
    )
    rows: list[dict[str, Any]] = []
    runs: dict[str, RunSpec] = {}
    for name, base in bases.items():
        for variant, values in enumerate(points):
            scenario = build_scenario(base, name, experiment.seed, values, blame)
            data = scenario.to_dict()
            for replicate in range(experiment.replicates):
                key = run_key(data, replicate)
                runs.setdefault(key, RunSpec(key, scenario, replicate))
                row = {
                    "scenario": name,
                    "variant": variant,
                    "replicate": replicate,
                    "seed": experiment.seed,
                    "run_key": key,
                }
                row.update({PARAM_PREFIX + k: v for k, v in values.items()})
                if matrix is not None:
                    row.update(
                        {
                            DESIGN_PREFIX + n: float(x)
                            for n, x in zip(problem["names"], matrix[variant], strict=True)
                        }
                    )
                rows.append(row)
    # Run replicate by replicate: a batch stopped early then holds complete sets of paired
    # runs (replicate 0 of every scenario and design point first), usable at once.
    order = sorted(runs.values(), key=lambda spec: spec.replicate)
    return Plan(experiment, order, _tidy(pd.DataFrame(rows)), problem)


def _tidy(table: pd.DataFrame) -> pd.DataFrame:
    """Parquet needs one type per column: a sweep mixing e.g. numbers and names is text."""
    for column in table.columns:
        if table[column].dtype == object and table[column].map(type).nunique() > 1:
            table[column] = table[column].map(str)
    return table


# --------------------------------------------------------------------------------------
# Executing


def execute_run(
    runner: Runner, scenario: Scenario, replicate: int, tables: Sequence[str], key: str = ""
) -> dict[str, Any]:
    """Run one replicate and encode what is kept as Parquet bytes (runs on a worker).

    Exceptions of the model are caught and returned as a failure, so that the batch goes
    on; ``KeyboardInterrupt`` and other ``BaseException`` pass through.

    Args:
        runner: ``run_scenario`` or a function with its signature.
        scenario: The scenario.
        replicate: Replicate number.
        tables: Names of the tables to keep.
        key: The run key (written into every row and the file metadata).

    Returns:
        ``{"ok": True, "files": {table: parquet bytes}, "wall_seconds", "worker"}`` or
        ``{"ok": False, "kind": "error", "error", "traceback", "wall_seconds", "worker"}``.
    """
    from model.experiments.store import encode_run

    start = time.perf_counter()
    worker = f"{socket.gethostname()}:{os.getpid()}"
    try:
        result = runner(scenario, replicate=replicate)
        kept = {name: result.tables[name] for name in tables if name in result.tables}
        if "county_yearly" not in kept:
            raise RuntimeError("the run returned no county_yearly table")
        meta = {
            **_identity(scenario, replicate, worker, result.wall_seconds),
            "final": result.final,
            "meta": result.meta,
            "resolved_scenario": scenario.to_dict(),
        }
        files = encode_run(key, kept, meta)
        return {
            "ok": True,
            "files": files,
            "wall_seconds": result.wall_seconds,
            "worker": worker,
        }
    except Exception as err:  # any model error is recorded, not fatal
        return {
            "ok": False,
            "kind": "error",
            "error": f"{type(err).__name__}: {err}",
            "traceback": traceback.format_exc(),
            "wall_seconds": time.perf_counter() - start,
            "worker": worker,
        }


def _identity(
    scenario: Scenario, replicate: int, worker: str | None, wall: float | None
) -> dict[str, Any]:
    return {
        "scenario": scenario.name,
        "replicate": replicate,
        "seed": scenario.seed,
        "model_version": model.__version__,
        "worker": worker,
        "wall_seconds": wall,
        "finished": now(),
    }


def _store_outcome(store: ResultsStore, spec: RunSpec, outcome: dict[str, Any]) -> bool:
    """Write a run's files or its failure record (driver side); returns whether it succeeded."""
    if outcome["ok"]:
        store.write_run(spec.key, outcome["files"])
        return True
    identity = _identity(
        spec.scenario, spec.replicate, outcome.get("worker"), outcome.get("wall_seconds")
    )
    store.write_failure(
        spec.key,
        {
            **identity,
            "kind": outcome.get("kind", "error"),
            "error": outcome["error"],
            "traceback": outcome.get("traceback", ""),
            "resolved_scenario": spec.scenario.to_dict(),
        },
    )
    return False


class _Progress:
    """A rich progress bar: runs done, failed and time left (on stderr)."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.failed = 0
        self._bar = None
        if not enabled or total == 0:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._bar = Progress(
            TextColumn("[bold]runs"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("[red]{task.fields[failed]} failed"),
            TimeElapsedColumn(),
            TextColumn("left"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
        )
        self._task = self._bar.add_task("runs", total=total, failed=0)

    def __enter__(self) -> _Progress:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def advance(self, ok: bool) -> None:
        self.failed += 0 if ok else 1
        if self._bar is not None:
            self._bar.update(self._task, advance=1, failed=self.failed)


def execute(
    plan: Plan,
    out: str | Path,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
    retry_failed: bool = False,
    verify: bool = False,
    runner: Runner | None = None,
    durable: bool = True,
) -> BatchSummary:
    """Execute a plan into a results folder, skipping runs already stored.

    Args:
        plan: From :func:`plan_runs`.
        out: Results folder (created, or continued if it holds this experiment).
        workers: 0 = in this process; N = a local Dask cluster of N processes; ``None`` =
            one per CPU. Ignored when ``scheduler`` is given.
        scheduler: Address of a running Dask scheduler.
        progress: Show a progress bar on stderr.
        retry_failed: Run again the runs recorded as failed.
        verify: Check every stored file first; unreadable ones are set aside and re-run.
        runner: The run function (default :func:`model.runner.run_scenario`).
        durable: Flush each file to disk before renaming it.

    Returns:
        A :class:`BatchSummary`. On Ctrl-C the runs finished so far are stored and
        ``KeyboardInterrupt`` is raised again.
    """
    if runner is None:
        from model.runner import run_scenario as runner
    exp = plan.experiment
    store = ResultsStore.create(out, _manifest_entry(plan), durable=durable)
    summary = BatchSummary(out=store.root, planned=len(plan.runs))
    start = time.perf_counter()
    code = code_fingerprint()
    with store.lock():
        earlier = store.manifest.get("code")
        summary.code_changed = bool(earlier and earlier != code and store.done_keys())
        store.manifest["code"] = code
        store.write_manifest()
        store.clean_temporary()
        if verify:
            summary.corrupt = store.verify()
        store.write_plan(plan.table)
        done = store.done_keys()
        # Runs whose model raised are outcomes: skipped unless asked. Runs lost to the
        # infrastructure (a worker that kept dying, a task that could not be shipped) are
        # tried again by every batch.
        known_errors = {
            key
            for key, record in store.failures().items()
            if record.get("kind", "error") == "error"
        }
        skip = done | (set() if retry_failed else known_errors)
        todo = [spec for spec in plan.runs if spec.key not in skip]
        summary.skipped = len(plan.runs) - len(todo)
        try:
            with _Progress(len(todo), progress) as bar:
                for spec, outcome in _outcomes(todo, exp.tables, runner, workers, scheduler):
                    ok = _store_outcome(store, spec, outcome)
                    summary.done += ok
                    summary.failed += not ok
                    bar.advance(ok)
        except KeyboardInterrupt:
            summary.interrupted = True
            raise
        finally:
            summary.seconds = time.perf_counter() - start
            planned = {spec.key for spec in plan.runs}
            summary.failed_total = len((set(store.failures()) & planned) - store.done_keys())
            store.manifest["runs"] = {
                "planned": summary.planned,
                "done": len(store.done_keys() & planned),
                "failed": summary.failed_total,
            }
            store.manifest["last_batch"] = summary.as_dict()
            store.manifest["updated"] = now()
            store.write_manifest()
    return summary


def _manifest_entry(plan: Plan) -> dict[str, Any]:
    exp = plan.experiment
    entry: dict[str, Any] = {
        "name": exp.name,
        "source": exp.source,
        "kind": exp.kind,
        "seed": exp.seed,
        "replicates": exp.replicates,
        "reference": exp.reference_name,
        "scenarios": [e.name for e in exp.scenarios],
        "tables": exp.tables,
        "spec": exp.to_dict(),
    }
    if exp.sensitivity is not None:
        entry["sensitivity"] = {
            "method": exp.sensitivity.method,
            "samples": exp.sensitivity.samples,
            "second_order": exp.sensitivity.second_order,
            "levels": exp.sensitivity.levels,
            "problem": plan.problem,
        }
    return entry


def _outcomes(
    todo: list[RunSpec],
    tables: list[str],
    runner: Runner,
    workers: int | None,
    scheduler: str | None,
) -> Iterator[tuple[RunSpec, dict[str, Any]]]:
    if not todo:
        return
    if scheduler is None and workers == 0:
        for spec in todo:
            yield spec, execute_run(runner, spec.scenario, spec.replicate, tables, spec.key)
        return
    yield from _dask_outcomes(todo, tables, runner, workers, scheduler)


@contextlib.contextmanager
def dask_client(workers: int | None = None, scheduler: str | None = None) -> Iterator[Any]:
    """A Dask client: of a new local cluster, or connected to ``scheduler``.

    Args:
        workers: Worker processes of the local cluster (default: one per CPU).
        scheduler: Address of an existing scheduler (then ``workers`` is ignored).

    Yields:
        A ``distributed.Client``.

    Raises:
        InputError: When no scheduler answers at ``scheduler``.
    """
    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as err:
            raise InputError(
                "--scheduler", "scheduler", scheduler, f"no Dask scheduler answered ({err})"
            ) from None
        try:
            yield client
        finally:
            client.close()
        return
    import dask

    count = workers if workers and workers > 0 else (os.cpu_count() or 1)
    # One thread per process: the model is CPU-bound Python/numpy, threads would share a GIL.
    # Dask's nannies set MALLOC_TRIM_THRESHOLD_=65536 so that workers hand memory back to
    # the OS; the model allocates and frees large arrays every month, and that setting
    # made each run 1.7x slower and two workers no faster than one (measured): unset it.
    with (
        dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}),
        LocalCluster(
            n_workers=count,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # a free port: never clashes with another cluster
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def _dask_outcomes(
    todo: list[RunSpec],
    tables: list[str],
    runner: Runner,
    workers: int | None,
    scheduler: str | None,
) -> Iterator[tuple[RunSpec, dict[str, Any]]]:
    from distributed import as_completed
    from distributed.scheduler import KilledWorker

    with dask_client(workers, scheduler) as client:
        queue = iter(todo)
        in_flight: dict[Any, RunSpec] = {}
        # with_results: the client fetches results in its own thread as tasks finish,
        # instead of one blocking round trip per run in this loop.
        completed = as_completed(with_results=True, raise_errors=False, loop=client.loop)
        threads = _Threads(client)

        def submit_more() -> None:
            # A bounded window keeps the scheduler's memory flat for 100,000-run batches
            # and lets Ctrl-C stop quickly; 4 tasks per thread keep every worker busy.
            while len(in_flight) < max(8, 4 * threads.count()):
                spec = next(queue, None)
                if spec is None:
                    return
                future = client.submit(
                    execute_run,
                    runner,
                    spec.scenario,
                    spec.replicate,
                    tables,
                    spec.key,
                    key=f"run-{spec.key}-{uuid.uuid4().hex[:8]}",
                    retries=2,
                    pure=False,
                )
                in_flight[future] = spec
                completed.add(future)

        submit_more()
        try:
            for future, result in completed:
                spec = in_flight.pop(future)
                if future.cancelled():
                    raise BatchAbortedError(
                        f"the Dask scheduler cancelled run {spec.key} (scheduler lost or "
                        "restarted?); finished runs are stored, run the batch again to continue"
                    )
                if future.status == "error":
                    outcome = _task_failure(future.exception(), KilledWorker)
                else:
                    outcome = result
                future.release()
                submit_more()  # before writing: keep the workers busy meanwhile
                yield spec, outcome
        finally:
            for future in in_flight:
                future.cancel()


def _task_failure(err: BaseException, killed_worker: type) -> dict[str, Any]:
    if isinstance(err, killed_worker):
        return {
            "ok": False,
            "kind": "worker-died",
            "error": f"KilledWorker: every worker that ran it died ({err})",
            "worker": None,
        }
    # Not the model (its errors are caught on the worker): the task itself could not run,
    # e.g. the project is missing on a remote worker.
    return {
        "ok": False,
        "kind": "task-error",
        "error": f"{type(err).__name__}: {err}",
        "traceback": "".join(traceback.format_exception(err)),
        "worker": None,
    }


class _Threads:
    """Total worker threads, refreshed every few seconds (clusters grow and shrink)."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._value = 1
        self._at = -1e9

    def count(self) -> int:
        if time.monotonic() - self._at > 5:
            with contextlib.suppress(Exception):
                self._value = max(1, sum(self._client.nthreads().values()))
            self._at = time.monotonic()
        return self._value


# --------------------------------------------------------------------------------------
# Python API


def default_out(experiment: Experiment) -> Path:
    """Default results folder of an experiment: ``results/<name>``."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in experiment.name)
    return Path("results") / safe


def as_experiment(experiment: Experiment | str | Path | dict[str, Any]) -> Experiment:
    """Accept an :class:`Experiment`, a path to an experiment file, or experiment data."""
    if isinstance(experiment, Experiment):
        return experiment
    if isinstance(experiment, dict):
        from model.experiments.experiment import validate_experiment

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

    Example (a notebook)::

        from model.experiments.batch import run_batch
        df = run_batch("scenarios/experiments/replicates_small.toml", workers=2)
        df.groupby(["scenario", "year"])["per_capita_income"].mean()

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

    Raises:
        InputError: For a missing, foreign or corrupt folder.
    """
    store = ResultsStore.open(out)
    plan = store.plan()
    done = store.done_keys()
    keys = list(dict.fromkeys(k for k in plan["run_key"] if k in done))
    data = store.load(table, keys)
    if data.empty:
        return plan.iloc[0:0].copy()
    data = data.drop(columns=[c for c in ("scenario", "replicate") if c in data.columns])
    merged = plan.merge(data, on="run_key", how="inner")
    return merged.reset_index(drop=True)


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
