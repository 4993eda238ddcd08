"""Storing finished runs: each group written by a thread of its own while the next one runs.

The executor (:mod:`model.experiments.execute`) hands every group of finished runs (in
process the runs of about a second, on Dask a task's runs) to a :class:`GroupWriter`.
Storing a group is mostly waiting for the disk (writing the files, flushing them, renaming
them, rewriting the manifest: :meth:`ResultsStore.write_runs`), which releases the GIL, so
the writer's thread does it while the next group runs (in process) or while the driver
takes in the next task (Dask). One group is stored at a time, in the order they finished,
and a group is handed over only once the one before it is stored, so at any moment at most
two groups of finished runs are not yet stored: the one being written, and the one
running. A kill loses at most those; the manifest's counts are rewritten after each group's
files, so they match the files, short of a group being stored at that instant (the next
execution counts the files again). On Ctrl-C (or an error) the groups handed over are
stored before the execution stops.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

from model.experiments.evaluate import Outcome, identity
from model.experiments.plan import Plan, RunSpec

if TYPE_CHECKING:
    from model.experiments.store import ResultsStore

Group = Sequence[tuple[RunSpec, Outcome]]


class RunTally:
    """The plan's run counts, kept current in the manifest as runs finish.

    Each stored group of runs rewrites the manifest (atomically, after the runs' files), so
    a kill leaves counts that match the files, short of the group being stored at that
    instant (the next execution counts the files again).
    """

    def __init__(self, store: ResultsStore, plan: Plan) -> None:
        self.store = store
        self.planned = {spec.key for spec in plan.runs}
        self.done = store.done_keys() & self.planned
        self.failed = (set(store.failures()) & self.planned) - self.done

    def count(self, key: str, ok: bool) -> None:
        """Count a run that was stored (``ok``) or recorded as failed (written by :meth:`write`)."""
        if ok:
            self.done.add(key)
            self.failed.discard(key)
        else:
            self.failed.add(key)

    def write(self) -> None:
        """Write the counts into the manifest."""
        self.store.write_counts(len(self.planned), len(self.done), len(self.failed))


def store_outcomes(store: ResultsStore, group: Group) -> list[bool]:
    """Write a group's runs (together) and failure records (driver side); returns whether
    each run succeeded."""
    store.write_runs([(spec.key, outcome.files, None) for spec, outcome in group if outcome.ok])
    for spec, outcome in group:
        if not outcome.ok:
            record = {
                **identity(spec, outcome.worker, outcome.wall_seconds),
                "kind": outcome.kind or "error",
                "error": outcome.error,
                "traceback": outcome.traceback,
                "resolved_scenario": spec.scenario.to_dict(),
            }
            store.write_failure(spec.key, record)
    return [outcome.ok for _, outcome in group]


class GroupWriter:
    """Stores groups of finished runs in a thread, one after the other (see the module
    docstring); a context manager that, on leaving, waits until the last group is stored.

    Args:
        store: The results folder.
        tally: The plan's counts, rewritten into the manifest after each group.
        counted: Called in the writer's thread for each run of a stored group, with
            whether it succeeded (the execution's summary and progress bar).
    """

    def __init__(
        self, store: ResultsStore, tally: RunTally, counted: Callable[[RunSpec, bool], None]
    ) -> None:
        self.store = store
        self.tally = tally
        self.counted = counted
        # One thread: groups are stored one at a time, in the order they were handed over.
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store-runs")
        self._pending: list[Future[None]] = []

    def __enter__(self) -> GroupWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            while True:
                try:
                    self.wait()
                    break
                except KeyboardInterrupt:  # again while storing: finish the groups first
                    continue
        finally:
            self._thread.shutdown(wait=True)

    def put(self, group: Group) -> None:
        """Store ``group`` in the writer's thread, once the group before it is stored.

        Ctrl-C while waiting for that still hands ``group`` over (its runs are finished:
        they are stored before the execution stops), then goes on.
        """
        try:
            self.wait()
        except KeyboardInterrupt:
            self._pending.append(self._thread.submit(self._store, list(group)))
            raise
        self._pending.append(self._thread.submit(self._store, list(group)))

    def wait(self) -> None:
        """Wait until every group handed over is stored (raising a storing error)."""
        while self._pending:
            try:
                self._pending[0].result()
            except KeyboardInterrupt:
                raise
            except BaseException:
                self._pending.pop(0)
                raise
            self._pending.pop(0)

    def _store(self, group: Group) -> None:
        for (spec, _), ok in zip(group, store_outcomes(self.store, group), strict=True):
            self.tally.count(spec.key, ok)
            self.counted(spec, ok)
        self.tally.write()
