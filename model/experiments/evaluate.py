"""The evaluator interface: what runs a plan's runs, and what a run sends back.

As in EMA Workbench's evaluators, *where* runs execute is one small class per backend
behind one interface, and the executor (:mod:`model.experiments.execute`) does not know
which one it drives:

* :class:`~model.experiments.backends.in_process.InProcessEvaluator`: one run after the
  other in this process (tests, notebooks, debugging);
* :class:`~model.experiments.backends.dask_cluster.DaskEvaluator`: a local Dask cluster
  of single-threaded worker processes, or an existing scheduler (Slurm and other clusters).

Whatever the backend, a run is :func:`evaluate_run`: run the model, keep the wanted tables
and encode them as Parquet bytes. The driver writes every file, so a worker that dies never
leaves half a result.
"""

from __future__ import annotations

import abc
import os
import socket
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import model
from model.experiments.plan import RunSpec
from model.experiments.provenance import now
from model.experiments.run_files import encode_run

#: ``run_scenario`` or a function with its signature.
Runner = Callable[..., Any]


class BatchAbortedError(RuntimeError):
    """The Dask cluster went away; the batch can be continued by running it again."""


@dataclass
class Outcome:
    """What one run sent back.

    Attributes:
        ok: Whether the model ran.
        files: Table name -> Parquet bytes (``ok`` only).
        kind: Why it failed: ``error`` (the model raised), ``worker-died`` (every worker
            that ran it died) or ``task-error`` (the task could not run at all).
        error: One line (``Type: message``).
        traceback: The traceback text.
        wall_seconds: Wall time on the worker.
        worker: ``host:pid`` of the worker.
    """

    ok: bool
    files: dict[str, bytes] = field(default_factory=dict)
    kind: str = ""
    error: str = ""
    traceback: str = ""
    wall_seconds: float | None = None
    worker: str | None = None


def identity(spec: RunSpec, worker: str | None, wall: float | None) -> dict[str, Any]:
    """What a run's files and failure records say about the run."""
    return {
        "scenario": spec.scenario.name,
        "replicate": spec.replicate,
        "seed": spec.scenario.seed,
        "model_version": model.__version__,
        "worker": worker,
        "wall_seconds": wall,
        "finished": now(),
    }


def evaluate_run(runner: Runner, spec: RunSpec, tables: Sequence[str]) -> Outcome:
    """Run one replicate and encode what is kept as Parquet bytes (runs on a worker).

    Exceptions of the model are caught and returned as a failure, so that the batch goes
    on; ``KeyboardInterrupt`` and other ``BaseException`` pass through.

    Args:
        runner: ``run_scenario`` or a function with its signature.
        spec: The run.
        tables: Names of the tables to keep (``county_yearly`` is required).
    """
    start = time.perf_counter()
    worker = f"{socket.gethostname()}:{os.getpid()}"
    try:
        result = runner(spec.scenario, replicate=spec.replicate)
        kept = {name: result.tables[name] for name in tables if name in result.tables}
        if "county_yearly" not in kept:
            raise RuntimeError("the run returned no county_yearly table")
        meta = {
            **identity(spec, worker, result.wall_seconds),
            "final": result.final,
            "meta": result.meta,
            "resolved_scenario": spec.scenario.to_dict(),
        }
        files = encode_run(spec.key, kept, meta, spec.labels)
        return Outcome(True, files, wall_seconds=result.wall_seconds, worker=worker)
    except Exception as err:  # any model error is recorded, not fatal
        return Outcome(
            False,
            kind="error",
            error=f"{type(err).__name__}: {err}",
            traceback=traceback.format_exc(),
            wall_seconds=time.perf_counter() - start,
            worker=worker,
        )


class Evaluator(abc.ABC):
    """Runs planned runs and yields their outcomes as they finish.

    Use as a context manager: entering starts the backend (e.g. a cluster), leaving stops
    it, also after an error or Ctrl-C.
    """

    def __enter__(self) -> Evaluator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:  # noqa: B027 - a backend without set-up needs none
        """Start the backend."""

    def stop(self) -> None:  # noqa: B027 - a backend without set-up needs none
        """Stop the backend."""

    @abc.abstractmethod
    def outcomes(
        self, runs: Sequence[RunSpec], tables: Sequence[str], runner: Runner
    ) -> Iterator[list[tuple[RunSpec, Outcome]]]:
        """Execute the runs; yield them with their outcomes in groups, as they finish.

        A group is what finished together (a Dask task's runs; in process, the runs of about
        a second): the executor stores each group with one burst of flushes to disk and one
        manifest update.
        """
