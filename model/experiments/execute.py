"""The one executor: every run of the project goes through :func:`execute`.

Batches, comparisons, the regression check and the validation report all make a
:class:`~model.experiments.plan.Plan` and execute it into a results folder
(:mod:`model.experiments.store`) with an evaluator (:mod:`model.experiments.evaluate`):
in this process, on a local Dask cluster or on an existing scheduler. So they share one
idea of "the same run" (the run key), one store, one progress bar and one way of resuming.

Execution is resumable: each finished run is stored under its key and runs already stored
are skipped, so executing the same plan again after a crash or Ctrl-C continues where it
stopped, and never runs anything twice. A run that raises is recorded in ``failed/`` with
its traceback and the execution goes on (``retry_failed`` runs them again); runs lost to
the infrastructure (a worker that kept dying) are tried again every time. The manifest's
run counts are rewritten after every stored group of runs (in process the runs finished
within about a second, :mod:`~model.experiments.backends.in_process`; on Dask a task's
runs; stored by a thread while the next group runs, :mod:`~model.experiments.storing`),
so a killed execution loses at most the group being stored and the one under way, and
its manifest still says how many runs are stored and failed. Before running, every stored
run's file sizes are checked against those written (and, with ``verify``, their
checksums): a bad run is set aside and done again.

Stored runs are reused by key, and the key holds the model *version*, not every edit of
the code. A batch reuses them whatever the code (and warns, :data:`CODE_CHANGED`); checks
that must see the current code (regress, validation) pass ``reuse="same-code"``: a
folder's runs are reused only when they were made by the same code, data and libraries,
and are removed otherwise.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from model.errors import InputError
from model.experiments.evaluate import Evaluator, Runner
from model.experiments.folder import FORMAT_VERSION
from model.experiments.plan import Plan, RunSpec, identity_labels
from model.experiments.progress import RunProgress
from model.experiments.provenance import code_fingerprint, environment
from model.experiments.run_files import encode_run
from model.experiments.store import ResultsStore
from model.experiments.storing import GroupWriter, RunTally

#: Warning shown when a folder's runs were made by other model code (same version).
CODE_CHANGED = (
    "the model code or data changed since the runs in {out} were stored, but not the model "
    "version, so they were reused; if the change alters results, use a new --out folder "
    "(or bump model.__version__)"
)

#: ``any``: reuse every stored run; ``same-code``: only runs of the same code and libraries.
Reuse = Literal["any", "same-code"]


@dataclass
class BatchSummary:
    """What an execution did.

    Attributes:
        out: The results folder.
        planned: Unique runs in the plan.
        skipped: Runs already stored (or recorded as failed) before this execution.
        done: Runs finished by this execution.
        failed: Runs of this execution that raised.
        failed_total: Failure records of the plan after this execution.
        seconds: Wall time.
        interrupted: Whether the execution stopped early (Ctrl-C).
        corrupt: Runs set aside because their files are not as written (size, or with
            ``verify`` checksum).
        code_changed: The folder holds runs made by other model code or data (same
            version): they are reused, which is wrong if the change altered results.
        stale: Planned runs stored by other code or libraries, removed and made again
            (``reuse="same-code"``).
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
    stale: int = 0

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
            "stale": self.stale,
        }


def check_workers(workers: int | None, scheduler: str | None) -> None:
    """Refuse more local workers than cores: they only contend (and each holds a copy of
    the model's state); a cluster's size is set where the cluster is made, not here.

    Raises:
        InputError: ``workers`` above the cores of this machine, or given with ``scheduler``.
    """
    if workers is None:
        return
    if scheduler is not None:
        raise InputError(
            "--workers",
            "workers",
            workers,
            "not with --scheduler: the cluster behind the scheduler has its own workers",
        )
    cores = os.cpu_count() or 1
    if workers > cores:
        raise InputError(
            "--workers",
            "workers",
            workers,
            f"at most {cores} (the cores of this machine); use --scheduler for a cluster",
        )


def make_evaluator(workers: int | None = None, scheduler: str | None = None) -> Evaluator:
    """The evaluator for a ``--workers``/``--scheduler`` choice.

    Args:
        workers: 0 = in this process; N = a local Dask cluster of N processes; ``None`` =
            one per CPU. Ignored when ``scheduler`` is given.
        scheduler: Address of a running Dask scheduler.
    """
    if scheduler is None and workers == 0:
        from model.experiments.backends.in_process import InProcessEvaluator

        return InProcessEvaluator()
    check_workers(workers, scheduler)
    from model.experiments.backends.dask_cluster import DaskEvaluator

    return DaskEvaluator(workers, scheduler)


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
    reuse: Reuse = "any",
    label: str = "runs",
) -> BatchSummary:
    """Execute a plan into a results folder, skipping runs already stored.

    Args:
        plan: From :func:`~model.experiments.plan.plan_runs` or :meth:`Plan.of_runs`.
        out: Results folder (created, or continued if it holds a plan of the same name).
        workers: 0 = in this process; N = a local Dask cluster of N processes; ``None`` =
            one per CPU. Ignored when ``scheduler`` is given.
        scheduler: Address of a running Dask scheduler.
        progress: Show a progress bar on stderr.
        retry_failed: Run again the runs recorded as failed.
        verify: Check every stored file's checksum, not only its size, first (only this
            catches corruption that keeps the size); bad runs are set aside and re-run.
        runner: The run function (default :func:`model.runner.run_scenario` on a county
            and alliances built once per scenario and process,
            :func:`~model.experiments.shared_world.run_on_shared_world`).
        durable: Flush each file to disk before renaming it.
        reuse: Which stored runs count as done (see the module docstring).
        label: What the progress bar calls the runs.

    Returns:
        A :class:`BatchSummary`. On Ctrl-C the runs finished so far are stored and
        ``KeyboardInterrupt`` is raised again.
    """
    if runner is None:  # replicates of a scenario share its county and alliances
        from model.experiments.shared_world import run_on_shared_world as runner
    store = ResultsStore.create(out, {"name": plan.name, **plan.manifest}, durable=durable)
    summary = BatchSummary(out=store.root, planned=len(plan.runs))
    start = time.perf_counter()
    with store.lock():
        todo = _runs_to_do(store, plan, summary, retry_failed, verify, reuse)
        try:
            bar = RunProgress(len(todo), progress, label)
            tally = RunTally(store, plan)
            evaluator = make_evaluator(workers, scheduler)
            _run(todo, plan.tables, runner, evaluator, store, summary, bar, tally)
        except KeyboardInterrupt:
            summary.interrupted = True
            raise
        finally:
            summary.seconds = time.perf_counter() - start
            _record(store, plan, summary)
    return summary


def _runs_to_do(
    store: ResultsStore,
    plan: Plan,
    summary: BatchSummary,
    retry_failed: bool,
    verify: bool,
    reuse: Reuse,
) -> list[RunSpec]:
    """Prepare the folder (lock held) and pick the runs that are not stored yet."""
    code, env = code_fingerprint(), environment()
    earlier = store.manifest.get("code"), store.manifest.get("environment")
    stored = store.done_keys()
    summary.code_changed = bool(earlier[0] and earlier[0] != code and stored)
    if reuse == "same-code" and (stored or store.failures()) and earlier != (code, env):
        # Runs of other code or libraries are not results of this code: remove them
        # before the manifest says "this code", so that no later execution reuses them.
        summary.stale = len(stored & {spec.key for spec in plan.runs})
        summary.code_changed = False
        store.remove_runs()
    store.manifest.update(code=code, environment=env)
    store.write_manifest()
    store.clean_temporary()
    summary.corrupt = store.check_runs(checksum=verify)
    _relabel_runs(store, plan)
    store.write_plan(plan.table)
    done = store.done_keys()
    # Runs whose model raised are outcomes: skipped unless asked. Runs lost to the
    # infrastructure (a worker that kept dying, a task that could not be shipped) are
    # tried again every time.
    known_errors = {
        key for key, record in store.failures().items() if record.get("kind", "error") == "error"
    }
    skip = done | (set() if retry_failed else known_errors)
    todo = [spec for spec in plan.runs if spec.key not in skip]
    summary.skipped = len(plan.runs) - len(todo)
    return todo


def _relabel_runs(store: ResultsStore, plan: Plan) -> None:
    """Give the stored runs of the plan the plan's identity columns, where they differ.

    Runs of layout 1 and 2 have none (layout 1 got its sidecars from
    :meth:`ResultsStore.check_runs` just before); runs stored under an earlier plan of the
    folder may have others (an experiment given another sweep value renumbers its
    variants). Their files are rewritten, numbers unchanged, so that the folder's tables
    stay one dataset; then the folder is marked as of this layout (a kill in between leaves
    the old version and plan, and the next execution goes on). Stored runs outside the
    plan keep their files.
    """
    stored = store.done_keys()
    older = store.manifest.get("format_version") != FORMAT_VERSION
    earlier = {} if older else _earlier_labels(store, plan)
    for spec in plan.runs:
        if spec.key not in stored or (not older and earlier.get(spec.key) == spec.labels):
            continue
        meta = store.read_meta(spec.key)
        if older and "columns" in meta:  # upgraded by an execution that was stopped
            continue
        meta = {k: v for k, v in meta.items() if k not in ("key", "format")}
        store.write_run(spec.key, encode_run(spec.key, store.read_run(spec.key), meta, spec.labels))
    store.manifest["format_version"] = FORMAT_VERSION
    store.write_manifest()


def _earlier_labels(store: ResultsStore, plan: Plan) -> dict[str, Any]:
    """The identity columns the stored runs of ``plan`` were written with: their labels in
    the folder's last plan (none for a run that plan did not hold)."""
    try:
        earlier = store.plan()
    except InputError:  # no plan yet (or an unreadable one: relabel everything)
        return {}
    keys = set(earlier["run_key"]) if "run_key" in earlier else set()
    runs = [spec for spec in plan.runs if spec.key in keys]
    return {spec.key: spec.labels for spec in identity_labels(runs, earlier)}


def _run(
    todo: Sequence[RunSpec],
    tables: Sequence[str],
    runner: Runner,
    evaluator: Evaluator,
    store: ResultsStore,
    summary: BatchSummary,
    bar: RunProgress,
    tally: RunTally,
) -> None:
    tally.write()
    if not todo:
        return  # no cluster is started for nothing

    def counted(spec: RunSpec, ok: bool) -> None:
        summary.done += ok
        summary.failed += not ok
        bar.advance(ok)

    with bar, evaluator, GroupWriter(store, tally, counted) as writer:
        for group in evaluator.outcomes(todo, tables, runner):
            writer.put(group)


def _record(store: ResultsStore, plan: Plan, summary: BatchSummary) -> None:
    """Write the run counts and the summary into the manifest."""
    planned = {spec.key for spec in plan.runs}
    done = store.done_keys()
    summary.failed_total = len((set(store.failures()) & planned) - done)
    store.manifest["last_batch"] = summary.as_dict()
    store.write_counts(summary.planned, len(done & planned), summary.failed_total)
