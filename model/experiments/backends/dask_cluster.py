"""The Dask backend: a local cluster of worker processes, or an existing scheduler.

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

Small runs travel in groups: a Dask task costs about 20 ms of the engine's time, so each
task holds as many runs as fill about :data:`TASK_SECONDS` (sized from the runs finished so
far, :class:`RunCost`), which keeps that overhead within 2 % of the runs. A task's runs are
stored together as it comes back (one burst of flushes to disk and one manifest update per
task, by the driver's storing thread, :mod:`model.experiments.storing`), each run in its own
files, so results, the store and resuming are as with one run per task.

Dask re-runs the task of a dead worker on another one (up to
``distributed.scheduler.allowed-failures`` times, 3 by default); a run that kills every
worker it lands on is then reported as ``worker-died`` (and tried again by the next batch).
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import time
import traceback
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from model.errors import InputError
from model.experiments.evaluate import (
    BatchAbortedError,
    Evaluator,
    Outcome,
    Runner,
    evaluate_run,
)
from model.experiments.plan import RunSpec

#: Tasks kept in flight per worker thread: enough to keep every worker busy while the
#: driver writes files, few enough for the scheduler's memory to stay flat.
TASKS_PER_THREAD = 4

#: Wall time a task aims at: Dask's overhead per task (17-23 ms measured) is then <= 2 %.
TASK_SECONDS = 1.0

#: Tasks per worker thread still to come before a batch ends: smaller tasks at the end keep
#: every worker busy until the last run.
TAIL_TASKS_PER_THREAD = 2

#: One-run tasks per worker thread sent before any run has finished (its time sizes the
#: groups): enough that no worker waits for the first result, few enough that a batch of
#: small runs does not start with a window of single-run tasks.
FIRST_TASKS_PER_THREAD = 2


def evaluate_runs(runner: Runner, specs: Sequence[RunSpec], tables: Sequence[str]) -> list[Outcome]:
    """Several runs in one task, one after the other, each long run's model freed as it ends
    (runs on a worker; :func:`~model.experiments.backends.warm_up.free_the_run`)."""
    from model.experiments.backends.warm_up import free_the_run

    outcomes = []
    for spec in specs:
        outcomes.append(evaluate_run(runner, spec, tables))
        free_the_run(outcomes[-1].wall_seconds)
    return outcomes


class RunCost:
    """How long a run takes, from the runs finished so far; how many runs fill a task."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.runs = 0

    def add(self, outcome: Outcome) -> None:
        """Count a finished run's wall time on its worker."""
        if outcome.wall_seconds is not None:
            self.seconds += outcome.wall_seconds
            self.runs += 1

    def runs_per_task(self, remaining: int, threads: int) -> int:
        """Runs for the next task: one until a run has finished, then as many as fill
        :data:`TASK_SECONDS`, but few enough that every thread still gets
        :data:`TAIL_TASKS_PER_THREAD` tasks of the ``remaining`` runs."""
        if self.runs == 0:
            return 1
        per_run = max(self.seconds / self.runs, 1e-3)
        filling = math.ceil(TASK_SECONDS / per_run)
        balanced = remaining // (TAIL_TASKS_PER_THREAD * max(threads, 1))
        return max(1, min(filling, balanced))


@contextlib.contextmanager
def dask_client(workers: int | None = None, scheduler: str | None = None) -> Iterator[Any]:
    """A Dask client: of a new local cluster, or connected to ``scheduler``.

    Args:
        workers: Worker processes of the local cluster (default: one per CPU).
        scheduler: Address of an existing scheduler (then ``workers`` is ignored).

    Yields:
        A ``distributed.Client`` whose workers have imported the model.

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
            import_the_model(client)
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
        import_the_model(client)
        yield client


def import_the_model(client: Any) -> None:
    """Have every worker, now and joining later, import the model before its first run
    (:mod:`~model.experiments.backends.warm_up`): cluster start-up, not batch time."""
    from model.experiments.backends.warm_up import ImportTheModel

    client.register_plugin(ImportTheModel())


class DaskEvaluator(Evaluator):
    """Runs on Dask workers; outcomes come back as they finish.

    Args:
        workers: Worker processes of a local cluster (``None``: one per CPU).
        scheduler: Address of an existing scheduler instead.
    """

    def __init__(self, workers: int | None = None, scheduler: str | None = None) -> None:
        self.workers = workers
        self.scheduler = scheduler
        self.client: Any = None
        self._stack = contextlib.ExitStack()

    def start(self) -> None:
        """Start the local cluster, or connect to the scheduler."""
        self.client = self._stack.enter_context(dask_client(self.workers, self.scheduler))

    def stop(self) -> None:
        """Close the client (and the local cluster)."""
        self._stack.close()
        self.client = None

    def outcomes(
        self, runs: Sequence[RunSpec], tables: Sequence[str], runner: Runner
    ) -> Iterator[list[tuple[RunSpec, Outcome]]]:
        """Submit the runs in tasks through a bounded window; yield each task's runs as a
        group when it ends."""
        from distributed import KilledWorker, as_completed

        client = self.client
        queue = list(runs)
        queue.reverse()  # popped from the end: plan order
        in_flight: dict[Any, list[RunSpec]] = {}
        # with_results: the client fetches results in its own thread as tasks finish,
        # instead of one blocking round trip per run in this loop.
        completed = as_completed(with_results=True, raise_errors=False, loop=client.loop)
        threads = _Threads(client)
        cost = RunCost()

        def window() -> int:
            if cost.runs == 0:
                return FIRST_TASKS_PER_THREAD * threads.count()
            return max(8, TASKS_PER_THREAD * threads.count())

        def submit_more() -> None:
            # A bounded window keeps the scheduler's memory flat for 100,000-run batches
            # and lets Ctrl-C stop quickly.
            while queue and len(in_flight) < window():
                size = cost.runs_per_task(len(queue), threads.count())
                specs = [queue.pop() for _ in range(min(size, len(queue)))]
                future = client.submit(
                    evaluate_runs,
                    runner,
                    specs,
                    list(tables),
                    key=f"runs-{specs[0].key}-{len(specs)}-{uuid.uuid4().hex[:8]}",
                    retries=2,
                    pure=False,
                )
                in_flight[future] = specs
                completed.add(future)

        submit_more()
        try:
            for future, result in completed:
                specs = in_flight.pop(future)
                if future.cancelled():
                    raise BatchAbortedError(
                        f"the Dask scheduler cancelled run {specs[0].key} (scheduler lost or "
                        "restarted?); finished runs are stored, run the batch again to continue"
                    )
                if future.status == "error":
                    failure = _task_failure(future.exception(), KilledWorker)
                    outcomes = [failure] * len(specs)
                else:
                    outcomes = result
                future.release()
                for outcome in outcomes:
                    cost.add(outcome)
                submit_more()  # before the driver writes: keep the workers busy meanwhile
                yield list(zip(specs, outcomes, strict=True))
        finally:
            for future in in_flight:
                future.cancel()


def _task_failure(err: BaseException, killed_worker: type) -> Outcome:
    if isinstance(err, killed_worker):
        return Outcome(
            False, kind="worker-died", error=f"KilledWorker: every worker that ran it died ({err})"
        )
    # Not the model (its errors are caught on the worker): the task itself could not run,
    # e.g. the project is missing on a remote worker.
    return Outcome(
        False,
        kind="task-error",
        error=f"{type(err).__name__}: {err}",
        traceback="".join(traceback.format_exception(err)),
    )


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
