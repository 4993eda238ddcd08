"""Final evaluation: the best screened groupings on the full model, against the programme's.

The finalists (the best feasible screened groupings on the objective, or a spread of the
Pareto front for two objectives) run on the scenario's full horizon with more replicates,
next to the programme's own grouping and the county without alliances, on common random
numbers (one comparison experiment through the executor). Each finalist's gain over the
programme's grouping on every measure, with its paired 95% interval, is
:func:`~model.experiments.grouping.gains.final_gains`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from model.experiments.comparisons import comparison_experiment
from model.experiments.execute import execute
from model.experiments.grouping.candidates import Candidate, ScenarioSource
from model.experiments.grouping.gains import PROGRAMME, final_gains
from model.experiments.grouping.objectives import Constraint, Objective
from model.experiments.grouping.search import scores
from model.experiments.plan import plan_runs


def finalists(
    evaluations: pd.DataFrame,
    objectives: Sequence[Objective],
    constraints: Sequence[Constraint],
    count: int,
) -> list[str]:
    """The feasible screened candidates to evaluate in full, best first (at most ``count``).

    One objective: the ``count`` best. Two: the non-dominated ones (pymoo's
    non-dominated sort), ``count`` of them evenly spread along the front.
    """
    unique = evaluations.drop_duplicates("candidate").reset_index(drop=True)
    f_values, g_values = scores(unique, objectives, constraints)
    feasible = (g_values <= 0).all(axis=1) & np.isfinite(f_values).all(axis=1)
    rows = np.flatnonzero(feasible)
    if len(objectives) == 1:
        ranked = rows[np.argsort(f_values[rows, 0], kind="stable")]
        return [str(unique.at[i, "candidate"]) for i in ranked[:count]]
    front = rows[pareto_front(f_values[rows])]
    front = front[np.argsort(f_values[front, 0], kind="stable")]
    pick = np.unique(np.linspace(0, len(front) - 1, min(count, len(front))).round().astype(int))
    return [str(unique.at[i, "candidate"]) for i in front[pick]]


def pareto_front(f_values: np.ndarray) -> np.ndarray:
    """Row indices of the non-dominated rows of ``f_values`` (all minimised)."""
    from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting

    if len(f_values) == 0:
        return np.array([], dtype=int)
    return np.asarray(NonDominatedSorting().do(f_values, only_non_dominated_front=True), dtype=int)


def evaluate_finalists(
    source: ScenarioSource,
    candidates: Sequence[Candidate],
    measures: Sequence[str],
    replicates: int,
    out: Path,
    workers: int | None = 0,
    scheduler: str | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Run the finalists (``design_1``...), the programme and the county without alliances.

    Returns:
        One row per finalist and measure: ``arm, candidate, measure, programme, value,
        gain, gain_low, gain_high, n, note`` (:func:`~.gains.final_gains`).
    """
    arms = [source.programme(PROGRAMME), source.without_alliances()]
    names = [f"design_{k + 1}" for k in range(len(candidates))]
    arms += [source.with_grouping(c, n) for c, n in zip(candidates, names, strict=True)]
    plan = plan_runs(comparison_experiment(arms, replicates, PROGRAMME))
    execute(plan, out, workers, scheduler, progress, label="final runs")
    gains = final_gains(out, names, measures)
    files = {name: candidate.name for name, candidate in zip(names, candidates, strict=True)}
    gains.insert(1, "candidate", gains["arm"].map(files))
    return gains
