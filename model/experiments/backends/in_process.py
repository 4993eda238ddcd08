"""The in-process backend: one run after the other in this process."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence

from model.experiments.evaluate import Evaluator, Outcome, Runner, evaluate_run
from model.experiments.plan import RunSpec

#: Wall time of runs a group collects before it is stored: storing a group costs a few
#: milliseconds whatever its size (the manifest rewritten, the flushes of its files together),
#: about 3 % of a run of 0.2 s when every run was its own group; within 1 s of runs it is
#: under 0.5 %, and a kill loses at most that second (and the run under way).
GROUP_SECONDS = 1.0
#: Runs a group holds at most (their encoded files wait in memory until it is stored).
GROUP_RUNS = 64


class InProcessEvaluator(Evaluator):
    """Runs in the calling process, in plan order (tests, notebooks, debugging, one CPU).

    A run's exception is its failure outcome; Ctrl-C stops the loop at once, and the runs
    finished so far are handed over to be stored before it is raised again.
    """

    def outcomes(
        self, runs: Sequence[RunSpec], tables: Sequence[str], runner: Runner
    ) -> Iterator[list[tuple[RunSpec, Outcome]]]:
        """Run each in turn; yield them in groups of the runs finished within about
        :data:`GROUP_SECONDS` (a long run is a group of its own)."""
        group: list[tuple[RunSpec, Outcome]] = []
        started = time.perf_counter()
        try:
            for spec in runs:
                group.append((spec, evaluate_run(runner, spec, tables)))
                if len(group) >= GROUP_RUNS or time.perf_counter() - started >= GROUP_SECONDS:
                    yield group
                    group, started = [], time.perf_counter()
        except KeyboardInterrupt:
            if group:  # the finished runs are stored, then the interrupt goes on
                yield group
            raise
        if group:
            yield group
