"""Screening: cheap evaluations of many candidate groupings (a short horizon, few replicates).

Each generation's candidates are run through the one executor
(:func:`~model.experiments.execute.execute`, in this process or on Dask) into
``DIR/screen``, on the scenario seed's common random numbers, next to the scenario without
alliances (the reference of ratio measures; its runs are made once). Every evaluation is
appended to ``DIR/evaluations.csv``; a grouping found there (or whose runs are stored) is
not run again, so a search stopped part-way and started again with the same settings
replays the generations already done from the stored values and goes on from there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from model.atomic import atomic_write
from model.experiments.batch import load_results
from model.experiments.execute import execute
from model.experiments.grouping.candidates import (
    NO_ALLIANCES,
    Candidate,
    ScenarioSource,
    write_candidate,
)
from model.experiments.grouping.objectives import Constraint, Objective, arm_values
from model.experiments.grouping.space import GroupingSpace
from model.experiments.plan import Plan, RunSpec
from model.world.county import County

#: Tables the screening runs keep (the village table: poorest tercile, differences in
#: differences).
SCREEN_TABLES = ("county_yearly", "village_yearly")


@dataclass
class Screening:
    """Evaluates populations of candidate vectors.

    Attributes:
        source: The scenario searched.
        space: The grouping space (decoding and repair).
        county: The county (village ids of the alliance files).
        objectives: What is optimised.
        constraints: What must hold.
        folder: The design folder (``DIR``).
        years: Horizon of a screening run.
        replicates: Replicates per candidate.
        workers: 0 = in this process; N = a local Dask cluster.
        scheduler: Address of a Dask scheduler.
        progress: Show the executor's progress bar.
        label: What the progress bar calls the runs (the generation).
    """

    source: ScenarioSource
    space: GroupingSpace
    county: County
    objectives: Sequence[Objective]
    constraints: Sequence[Constraint]
    folder: Path
    years: int
    replicates: int
    workers: int | None = 0
    scheduler: str | None = None
    progress: bool = False
    label: str = "screening runs"
    _cache: pd.DataFrame | None = field(default=None, init=False, repr=False)

    @property
    def measures(self) -> list[str]:
        """Every measure the objectives and constraints read."""
        names = [o.measure for o in self.objectives] + [c.measure for c in self.constraints]
        return list(dict.fromkeys(names))

    @property
    def record(self) -> Path:
        return self.folder / "evaluations.csv"

    def candidate(self, x: np.ndarray) -> Candidate:
        """The candidate file of a (repaired) vector."""
        lines = self.space.table(self.space.decode(x), self.county)
        return write_candidate(lines, self.folder / "candidates")

    def evaluate(self, population: np.ndarray, generation: int) -> pd.DataFrame:
        """Measure each vector's grouping (stored values first); record the generation.

        Returns:
            One row per vector: ``generation, candidate, alliances`` and one column per
            measure.
        """
        candidates = [self.candidate(x) for x in population]
        known = self._known()
        new = [c for c in dict.fromkeys(candidates) if c.name not in known.index]
        if new:
            known = pd.concat([known, self._run(new)])
        rows = known.loc[[c.name for c in candidates], self.measures].reset_index()
        rows.insert(0, "generation", generation)
        rows.insert(2, "alliances", [len(self.space.decode(x).alliances) for x in population])
        self._append(rows)
        return rows

    def _known(self) -> pd.DataFrame:
        """Measured candidates so far (from the record), one row each."""
        if self._cache is None:
            columns = ["candidate", *self.measures]
            if self.record.exists():
                frame = pd.read_csv(self.record)
                if set(columns) <= set(frame.columns):
                    self._cache = frame[columns].drop_duplicates("candidate").set_index("candidate")
            if self._cache is None:
                empty = {m: pd.Series(dtype=float) for m in self.measures}
                self._cache = pd.DataFrame(empty, index=pd.Index([], name="candidate"))
        return self._cache

    def _run(self, candidates: list[Candidate]) -> pd.DataFrame:
        """Run the candidates and the reference, and measure them."""
        arms = [(NO_ALLIANCES, self.source.without_alliances(self.years))]
        arms += [(c.name, self.source.with_grouping(c, c.name, self.years)) for c in candidates]
        labelled = [
            ({"scenario": name, "replicate": r}, RunSpec.of(scenario, r))
            for name, scenario in arms
            for r in range(self.replicates)
        ]
        plan = Plan.of_runs("design-screen", labelled, SCREEN_TABLES)
        out = self.folder / "screen"
        execute(plan, out, self.workers, self.scheduler, self.progress, label=self.label)
        results = load_results(out)
        villages = load_results(out, "village_yearly")
        values = arm_values(results, villages, NO_ALLIANCES, self.measures)
        values = values.reindex([c.name for c in candidates]).astype(float)
        values.index.name = "candidate"
        self._cache = pd.concat([self._known(), values])
        return values

    def _append(self, rows: pd.DataFrame) -> None:
        earlier = pd.read_csv(self.record) if self.record.exists() else None
        if earlier is not None and set(rows.columns) == set(earlier.columns):
            earlier = earlier[earlier["generation"] != rows["generation"].iat[0]]
            rows = pd.concat([earlier, rows[earlier.columns]], ignore_index=True)
        atomic_write(self.record, rows.to_csv(index=False))
