"""Final evaluation: the best screened groupings on the full model, against the programme's.

The finalists (the best feasible screened groupings on the objective, or a spread of the
Pareto front for two objectives) run on the scenario's full horizon with more replicates,
next to the programme's own grouping and the county without alliances, through
:func:`~model.experiments.comparisons.compare_scenarios`: common random numbers, paired
95% intervals of each finalist's gain over the programme's grouping for per-run measures,
and each arm's value against the county without alliances for ratio and
difference-in-differences measures (income per yuan, allied villages' gain), whose gain is
then the difference of those values.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from model.errors import InputError
from model.experiments.batch import load_results
from model.experiments.comparisons import compare_folder, compare_scenarios
from model.experiments.grouping.candidates import NO_ALLIANCES, Candidate, ScenarioSource
from model.experiments.grouping.objectives import (
    POOR_TERCILE,
    Constraint,
    Objective,
    poor_tercile_runs,
)
from model.experiments.grouping.search import scores
from model.experiments.intervals import mean_ci
from model.experiments.measures import find_measure

#: The programme's own grouping (the scenario's formation): the reference arm.
PROGRAMME = "programme"


def check_feasible(evaluations: pd.DataFrame, constraints: Sequence[Constraint]) -> None:
    """Refuse a constraint set that no screened grouping meets, naming the constraint.

    Raises:
        InputError: Naming each constraint that no grouping met (with the best value
            reached), or the set when each is met by some but none meets all.
    """
    if not constraints:
        return
    _, g_values = scores(evaluations, [], constraints)
    met = g_values <= 0
    for k, constraint in enumerate(constraints):
        if not met[:, k].any():
            values = evaluations[constraint.measure].astype(float)
            best = values.min() if constraint.kind == "upper" else values.max()
            raise InputError(
                f"--{'budget' if constraint.name == 'budget' else 'constraint'}",
                constraint.name,
                constraint.bound,
                f"a bound some grouping meets: the best of the {len(values)} groupings "
                f"screened reaches {constraint.measure} = {best:,.4g}",
            )
    if not met.all(axis=1).any():
        names = ", ".join(c.name for c in constraints)
        raise InputError(
            "--constraint",
            "constraint",
            names,
            "constraints that some grouping meets together: each is met by some groupings "
            "screened, but none meets all",
        )


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
        gain, gain_low, gain_high, n, note``.
    """
    arms = [source.programme(PROGRAMME), source.without_alliances()]
    names = [f"design_{k + 1}" for k in range(len(candidates))]
    arms += [source.with_grouping(c, n) for c, n in zip(candidates, names, strict=True)]
    model_measures = [m for m in dict.fromkeys(measures) if m != POOR_TERCILE]
    paired = compare_scenarios(
        arms,
        replicates,
        PROGRAMME,
        measures=model_measures or None,
        out=out,
        workers=workers,
        scheduler=scheduler,
        progress=progress,
    )
    against_none = compare_folder(out, NO_ALLIANCES, model_measures or None)
    rows = []
    for name, candidate in zip(names, candidates, strict=True):
        for measure in dict.fromkeys(measures):
            if measure == POOR_TERCILE:
                row = _tercile_gain(load_results(out, "village_yearly"), name)
            elif _is_per_run(measure):
                row = _paired_gain(paired, name, measure)
            else:
                row = _value_gain(against_none, name, measure)
            rows.append({"arm": name, "candidate": candidate.name, "measure": measure, **row})
    return pd.DataFrame(rows)


def _is_per_run(measure: str) -> bool:
    found = find_measure(measure)
    return getattr(found, "kind", "") not in ("ratio", "did")


def _paired_gain(table: pd.DataFrame, arm: str, measure: str) -> dict[str, object]:
    rows = table[table["measure"] == measure].set_index("arm")
    mine, ref = rows.loc[arm], rows.loc[PROGRAMME]
    return {
        "programme": ref["mean"],
        "value": mine["mean"],
        "gain": mine["diff"],
        "gain_low": mine["diff_low"],
        "gain_high": mine["diff_high"],
        "n": mine["pairs"],
        "note": "paired difference against the programme's grouping (common random numbers)",
    }


def _value_gain(table: pd.DataFrame, arm: str, measure: str) -> dict[str, object]:
    rows = table[table["measure"] == measure].set_index("arm")
    mine, ref = rows.loc[arm], rows.loc[PROGRAMME]
    return {
        "programme": ref["mean"],
        "value": mine["mean"],
        "gain": mine["mean"] - ref["mean"],
        "gain_low": np.nan,
        "gain_high": np.nan,
        "n": mine["n"],
        "note": f"values against the county without alliances: design {mine['ci_low']:,.4g} to "
        f"{mine['ci_high']:,.4g}, programme {ref['ci_low']:,.4g} to {ref['ci_high']:,.4g}",
    }


def _tercile_gain(villages: pd.DataFrame, arm: str) -> dict[str, object]:
    runs = poor_tercile_runs(villages)
    mine, ref = runs.loc[arm], runs.loc[PROGRAMME]
    n, gain, low, high = mean_ci((mine - ref.reindex(mine.index)).to_numpy(float))
    return {
        "programme": float(ref.mean()),
        "value": float(mine.mean()),
        "gain": gain,
        "gain_low": low,
        "gain_high": high,
        "n": n,
        "note": "paired difference against the programme's grouping (common random numbers)",
    }
