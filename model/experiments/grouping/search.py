"""The genetic search over groupings (pymoo): a GA for one objective, NSGA-II for two.

pymoo (Blank and Deb 2020, *IEEE Access* 8: 89497-89509) runs in ask-and-tell form: each
generation's population is asked for, evaluated as one batch of runs by
:class:`~model.experiments.grouping.screening.Screening` (so a generation's runs go to the
executor together, on Dask when asked) and told back. Candidates are kept feasible by
:class:`GroupingRepair` (the space's repair); the first population holds the programme's
own grouping, so the search starts from it and, with the elitist survival of both
algorithms, never loses it. The search's randomness comes from the design stream of the
scenario seed (:func:`model.experiments.design.design_seed`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from model.experiments.grouping.objectives import Constraint, Objective
from model.experiments.grouping.screening import Screening
from model.experiments.grouping.space import GroupingSpace


def _repair_class() -> type:
    """:class:`GroupingRepair` (pymoo imported on first use: the CLI starts without it)."""
    from pymoo.core.repair import Repair

    class GroupingRepair(Repair):  # type: ignore[misc]
        """pymoo's repair step: every offspring vector made feasible by the space."""

        def __init__(self, space: GroupingSpace) -> None:
            super().__init__()
            self.space = space

        def _do(self, problem: Any, x: np.ndarray, **kwargs: Any) -> np.ndarray:
            return np.array([self.space.repair(row) for row in x])

    return GroupingRepair


def initial_population(space: GroupingSpace, size: int, seed: int) -> np.ndarray:
    """The first population: the programme's grouping, then random repaired vectors."""
    rng = np.random.default_rng(seed)
    rows = [space.programme_vector()]
    rows += [space.repair(rng.random(space.n_var)) for _ in range(size - 1)]
    return np.array(rows)


def scores(
    rows: pd.DataFrame, objectives: Sequence[Objective], constraints: Sequence[Constraint]
) -> tuple[np.ndarray, np.ndarray]:
    """pymoo's ``F`` (minimised) and ``G`` (feasible at most 0) of evaluated rows."""
    f_values = np.array([[o.to_minimise(float(v)) for v in rows[o.measure]] for o in objectives]).T
    g_values = np.array([[c.violation(float(v)) for v in rows[c.measure]] for c in constraints]).T
    return f_values, g_values.reshape(len(rows), len(constraints))


def run_search(screening: Screening, population: int, generations: int, seed: int) -> pd.DataFrame:
    """Search for ``generations`` generations of ``population`` candidates.

    Returns:
        Every evaluation of the search (``DIR/evaluations.csv``).
    """
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.algorithms.soo.nonconvex.ga import GA
    from pymoo.core.evaluator import Evaluator
    from pymoo.core.problem import Problem
    from pymoo.problems.static import StaticProblem

    space, objectives, constraints = screening.space, screening.objectives, screening.constraints
    problem = Problem(
        n_var=space.n_var, n_obj=len(objectives), n_ieq_constr=len(constraints), xl=0.0, xu=1.0
    )
    algorithm_class = NSGA2 if len(objectives) == 2 else GA
    algorithm = algorithm_class(
        pop_size=population,
        sampling=initial_population(space, population, seed),
        repair=_repair_class()(space),
        eliminate_duplicates=True,
    )
    algorithm.setup(problem, termination=("n_gen", generations), seed=seed, verbose=False)
    generation = 0
    evaluated = []
    while algorithm.has_next():
        asked = algorithm.ask()
        screening.label = f"generation {generation + 1}/{generations}"
        rows = screening.evaluate(asked.get("X"), generation)
        f_values, g_values = scores(rows, objectives, constraints)
        static = (
            StaticProblem(problem, F=f_values, G=g_values)
            if constraints
            else StaticProblem(problem, F=f_values)
        )
        Evaluator().eval(static, asked)
        algorithm.tell(infills=asked)
        evaluated.append(rows)
        generation += 1
    return pd.concat(evaluated, ignore_index=True)
