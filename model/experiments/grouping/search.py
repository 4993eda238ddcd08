"""The genetic search over groupings (pymoo): a GA for one objective, NSGA-II for two.

pymoo (Blank and Deb 2020, *IEEE Access* 8: 89497-89509) runs in ask-and-tell form: each
generation's population is asked for, evaluated as one batch of runs by
:class:`~model.experiments.grouping.screening.Screening` (so a generation's runs go to the
executor together, on Dask when asked) and told back. Candidates are kept feasible by
:class:`GroupingRepair` (the space's repair); the first population holds the programme's
own grouping, so the search starts from it and, with the elitist survival of both
algorithms, never loses it. The search's randomness comes from the design stream of the
scenario seed (:func:`model.experiments.design.design_seed`).

With a :class:`Preselection` (``--screen surrogate``) the surrogate screens the GA's
offspring before any run: each generation after the first, the algorithm breeds
:data:`OFFSPRING_FACTOR` times the population, the surrogate
(:mod:`~model.experiments.grouping.surrogate`, refitted on every real evaluation so far)
predicts their measures, the algorithm's own survival on those predictions keeps a
population's worth, and only those are run and told back, with their real values: the
algorithm's population never holds a predicted value (pre-selection, as in surrogate-
assisted evolution; Jin 2011, *Swarm and Evolutionary Computation* 1(2): 61-70). How well
the predictions ranked the real values of each generation is kept in ``DIR/surrogate.csv``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from model.atomic import atomic_write
from model.experiments.grouping.objectives import Constraint, Objective
from model.experiments.grouping.screening import Screening
from model.experiments.grouping.space import GroupingSpace
from model.experiments.grouping.surrogate import AllianceFeatures, Surrogate, grouping_features

#: Offspring bred per real evaluation when the surrogate pre-selects (assumption: four
#: predicted candidates per run give the surrogate a choice at a small cost).
OFFSPRING_FACTOR = 4


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


@dataclass
class Preselection:
    """The surrogate's screening of the GA's offspring (see the module docstring).

    Attributes:
        screening: The real screening (its space, measures and folder).
        features: The pool's alliance features.
        surrogate: The forests.
        log: One row per generation: how the predictions ranked the real values.
        seen: The groupings run so far (offspring repeating one are chosen last).
    """

    screening: Screening
    features: AllianceFeatures
    surrogate: Surrogate
    log: list[dict[str, float]] = field(default_factory=list)
    seen: set[Any] = field(default_factory=set)

    @classmethod
    def of(cls, screening: Screening, weak_threshold: float, seed: int) -> Preselection:
        """A pre-selection for a screening (forests seeded by ``seed``)."""
        features = AllianceFeatures.of(screening.space, screening.county, weak_threshold)
        return cls(screening, features, Surrogate(screening.measures, seed))

    def choose(self, algorithm: Any, offspring: Any, count: int) -> tuple[Any, pd.DataFrame]:
        """The ``count`` offspring the algorithm's survival keeps on predicted values, and
        their predictions."""
        from pymoo.core.evaluator import Evaluator
        from pymoo.core.population import Population
        from pymoo.problems.static import StaticProblem

        x = _new_first(self.screening.space, offspring.get("X"), self.seen, count)
        predicted = self.surrogate.predict(
            grouping_features(self.screening.space, self.features, x)
        )
        f_values, g_values = scores(
            predicted, self.screening.objectives, self.screening.constraints
        )
        pool = Population.new("X", x, "row", np.arange(len(x)))
        given = {"G": g_values} if self.screening.constraints else {}
        Evaluator().eval(StaticProblem(algorithm.problem, F=f_values, **given), pool)
        kept = algorithm.survival.do(
            algorithm.problem, pool, n_survive=count, random_state=algorithm.random_state
        )
        rows = np.asarray(kept.get("row"), dtype=int)
        return Population.new("X", x[rows]), predicted.iloc[rows].reset_index(drop=True)

    def learn(self, x: np.ndarray, real: pd.DataFrame, predicted: pd.DataFrame | None) -> None:
        """Refit on a generation's real values; log how its predictions ranked them."""
        from scipy.stats import spearmanr

        generation = int(real["generation"].iat[0])
        entry: dict[str, float] = {
            "generation": generation,
            "trained_on": self.surrogate.trained_on,
        }
        for objective in self.screening.objectives:
            rho = np.nan
            if predicted is not None and len(real) > 2:
                pair = pd.DataFrame(
                    {"p": predicted[objective.measure], "r": real[objective.measure]}
                )
                pair = pair.dropna()
                if pair["p"].nunique() > 1 and pair["r"].nunique() > 1:
                    rho = float(spearmanr(pair["p"], pair["r"]).statistic)
            entry[f"spearman_{objective.measure}"] = rho
        self.log.append(entry)
        atomic_write(
            self.screening.folder / "surrogate.csv", pd.DataFrame(self.log).to_csv(index=False)
        )
        self.surrogate.add(grouping_features(self.screening.space, self.features, x), real)
        self.seen |= {self.screening.space.decode(row) for row in x}


def _new_first(space: GroupingSpace, x: np.ndarray, seen: set[Any], count: int) -> np.ndarray:
    """The offspring whose groupings are not run yet (once each), topped up to ``count``
    with the others: a slot spent on a grouping already run would bring no new run."""
    fresh, kept = [], set()
    for i, row in enumerate(x):
        grouping = space.decode(row)
        if grouping not in seen and grouping not in kept:
            fresh.append(i)
            kept.add(grouping)
    rest = [i for i in range(len(x)) if i not in set(fresh)]
    return x[fresh + rest[: max(count - len(fresh), 0)]]


def run_search(
    screening: Screening,
    population: int,
    generations: int,
    seed: int,
    preselection: Preselection | None = None,
) -> pd.DataFrame:
    """Search for ``generations`` generations of ``population`` candidates.

    Args:
        screening: The real (short-horizon) evaluations.
        population: Candidates run per generation.
        generations: Generations.
        seed: Seed of the algorithm (the design stream).
        preselection: The surrogate's screening of the offspring (``None``: every
            offspring is run).

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
    factor = OFFSPRING_FACTOR if preselection is not None else 1
    algorithm = algorithm_class(
        pop_size=population,
        n_offsprings=population * factor,
        sampling=initial_population(space, population, seed),
        repair=_repair_class()(space),
        eliminate_duplicates=True,
    )
    algorithm.setup(problem, termination=("n_gen", generations), seed=seed, verbose=False)
    generation = 0
    evaluated = []
    while algorithm.has_next():
        asked = algorithm.ask()
        predicted = None
        if preselection is not None and generation > 0:
            asked, predicted = preselection.choose(algorithm, asked, population)
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
        if preselection is not None:
            preselection.learn(asked.get("X"), rows, predicted)
        evaluated.append(rows)
        generation += 1
    return pd.concat(evaluated, ignore_index=True)
