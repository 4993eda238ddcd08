"""Running the validation scenarios through the one executor, each run once.

A check loads case files of ``scenarios/cases/`` with overrides (:meth:`Runner.load`) and
asks for runs (:meth:`Runner.run`). The runs every check needs are declared
(:data:`model.checks.validation.checks.CHECK_RUNS`) and made up front by the project's one
executor (:func:`model.experiments.execute.execute`), in parallel; the checks then read
them from the results folder. Two checks asking for the same scenario and replicate get
the same run (the run key), and a run no check declared is made when asked for, in this
process.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from model.columns import RUN_TABLES
from model.experiments.execute import execute
from model.experiments.plan import Plan, RunSpec
from model.experiments.store import ResultsStore
from model.paths import CASES_DIR
from model.runner import RunResult
from model.scenario import Scenario, load_scenario

#: A scenario to run: a case file's name and overrides.
CaseRun = tuple[str, Sequence[str]]


class Runner:
    """Loads case scenarios and runs them, each identical run once.

    Args:
        extra: ``--set`` overrides applied to every run after the scenario's own (e.g.
            ``years=2`` for a quick check).
        workers: Worker processes for the runs made up front (0 = in this process,
            ``None`` = one per CPU).
        progress: Show a progress bar of those runs on stderr.
        results: Keep the runs in this folder and reuse those made by the same code, data
            and libraries (resume after an interruption); default: a temporary folder.

    Attributes:
        cache: Run key -> the run, as read back (the same object for the same run).
        on_demand: Runs made when asked for because no check declared them.
    """

    def __init__(
        self,
        extra: Sequence[str] = (),
        workers: int | None = 0,
        progress: bool = False,
        results: str | Path | None = None,
    ) -> None:
        self.extra = tuple(extra)
        self.workers = workers
        self.progress = progress
        self.cache: dict[str, RunResult] = {}
        self.on_demand = 0
        self._temporary = None
        if results is None:
            self._temporary = tempfile.TemporaryDirectory(prefix="jointvillage-validation-")
            results = Path(self._temporary.name) / "runs"
        self.folder = Path(results)

    @property
    def runs(self) -> int:
        """Distinct runs the checks used."""
        return len(self.cache)

    def load(self, name: str, overrides: Iterable[str] = ()) -> Scenario:
        """Load ``scenarios/cases/<name>.toml`` with overrides, then the runner's own."""
        return load_scenario(CASES_DIR / f"{name}.toml", [*overrides, *self.extra])

    def prepare(self, wanted: Iterable[CaseRun], replicates: int) -> None:
        """Make these runs (every replicate) up front, with the runner's workers."""
        scenarios = [self.load(name, overrides) for name, overrides in wanted]
        specs = [RunSpec.of(s, r) for s in scenarios for r in range(replicates)]
        self._execute(specs, self.workers, self.progress)

    def run(self, scenario: Scenario, replicate: int) -> RunResult:
        """One replicate of a scenario: made up front, stored before, or made now."""
        spec = RunSpec.of(scenario, replicate)
        if spec.key not in self.cache:
            store = ResultsStore.open(self.folder) if self.folder.is_dir() else None
            if store is None or not store.run_path(spec.key).is_file():
                self.on_demand += 1
                self._execute([spec], 0, False)
                store = ResultsStore.open(self.folder)
            self.cache[spec.key] = store.read_result(spec.key, scenario, replicate)
        return self.cache[spec.key]

    def _execute(self, specs: Sequence[RunSpec], workers: int | None, progress: bool) -> None:
        labelled = [({"scenario": s.scenario.name, "replicate": s.replicate}, s) for s in specs]
        plan = Plan.of_runs("validation", labelled, RUN_TABLES)
        execute(
            plan,
            self.folder,
            workers=workers,
            progress=progress,
            retry_failed=True,
            reuse="same-code",
            label="validation runs",
        )
