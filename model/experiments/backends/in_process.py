"""The in-process backend: one run after the other in this process."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from model.experiments.evaluate import Evaluator, Outcome, Runner, evaluate_run
from model.experiments.plan import RunSpec


class InProcessEvaluator(Evaluator):
    """Runs in the calling process, in plan order (tests, notebooks, debugging, one CPU).

    A run's exception is its failure outcome; Ctrl-C stops the loop at once.
    """

    def outcomes(
        self, runs: Sequence[RunSpec], tables: Sequence[str], runner: Runner
    ) -> Iterator[list[tuple[RunSpec, Outcome]]]:
        """Run each in turn; yield it with its outcome (a group of one: a crash loses at
        most the run being stored)."""
        for spec in runs:
            yield [(spec, evaluate_run(runner, spec, tables))]
