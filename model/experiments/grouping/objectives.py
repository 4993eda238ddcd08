"""What a grouping is judged by: objectives (any ``compare`` measure) and constraints.

An objective is a measure of :mod:`model.experiments.measures` (or ``poor_tercile_income``,
below), maximised unless lower is better (:data:`LOWER_IS_BETTER`, or a ``min:`` prefix).
Its value for a grouping is what :func:`~model.experiments.compare.compare` reports for the
grouping's arm against the county without alliances: the mean over replicates for a
per-run measure, the value against that reference for a ratio or a difference in
differences (income gained per yuan, allied villages' gain).

Constraints keep a grouping acceptable: ``max_gini`` (household Gini of the final year at
most), ``max_gini_collective`` (the villages' collective-income Gini), ``poor_tercile_floor``
(the poorest third of villages by collective income before the programme keep at least
this mean collective income in the final year, yuan), and ``--budget`` (discounted public
money spent, ``public_spending_cum``, at most this many yuan).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from model.errors import InputError, did_you_mean
from model.experiments.compare import compare
from model.experiments.measures import find_measure, measure_names

#: The poorest-tercile measure: it reads the village table, so it is computed here.
POOR_TERCILE = "poor_tercile_income"

#: Measures where less is better (everything else is maximised).
LOWER_IS_BETTER = frozenset(
    {"weak_villages", "gini_household", "gini_collective", "public_spending_cum"}
)


@dataclass(frozen=True)
class Objective:
    """One objective: a measure and its sense."""

    measure: str
    sense: Literal["max", "min"]

    @property
    def label(self) -> str:
        return f"{self.sense} {self.measure}"

    def to_minimise(self, value: float) -> float:
        """The value pymoo minimises (NaN, an unmeasurable grouping, counts as the worst)."""
        if not np.isfinite(value):
            return float("inf")
        return -value if self.sense == "max" else value


@dataclass(frozen=True)
class Constraint:
    """One constraint: ``measure <= bound`` (``upper``) or ``measure >= bound`` (``lower``).

    Attributes:
        name: The ``--constraint`` name (or ``budget``).
        measure: The measure constrained.
        kind: ``upper`` or ``lower``.
        bound: The bound.
    """

    name: str
    measure: str
    kind: Literal["upper", "lower"]
    bound: float

    def violation(self, value: float) -> float:
        """pymoo's ``G``: feasible when at most 0 (NaN counts as infeasible)."""
        if not np.isfinite(value):
            return float("inf")
        return value - self.bound if self.kind == "upper" else self.bound - value


#: ``--constraint`` name -> (measure, kind, (lowest, highest) allowed bound).
CONSTRAINTS: dict[str, tuple[str, Literal["upper", "lower"], tuple[float, float]]] = {
    "max_gini": ("gini_household", "upper", (0.0, 1.0)),
    "max_gini_collective": ("gini_collective", "upper", (0.0, 1.0)),
    "poor_tercile_floor": (POOR_TERCILE, "lower", (0.0, np.inf)),
}


def parse_objectives(given: Sequence[str]) -> list[Objective]:
    """Objectives from ``--objective`` values (``MEASURE``, ``max:MEASURE``, ``min:MEASURE``).

    Raises:
        InputError: None, more than two, or an unknown measure (with a did-you-mean).
    """
    if not 1 <= len(given) <= 2:
        raise InputError("--objective", "objective", list(given), "one or two measures")
    known = [*measure_names(), POOR_TERCILE]
    out = []
    for text in given:
        sense, _, name = text.rpartition(":")
        if sense not in ("", "max", "min"):
            raise InputError(
                "--objective", "objective", text, "MEASURE, max:MEASURE or min:MEASURE"
            )
        if name != POOR_TERCILE and find_measure(name) is None:
            raise InputError(
                "--objective",
                "objective",
                name,
                "a measure of `jointvillage measures`",
                did_you_mean(name, known),
            )
        chosen = sense or ("min" if name in LOWER_IS_BETTER else "max")
        out.append(Objective(name, chosen))  # type: ignore[arg-type]
    if len({o.measure for o in out}) < len(out):
        raise InputError("--objective", "objective", list(given), "two different measures")
    return out


def parse_constraints(given: Sequence[str], budget: float | None) -> list[Constraint]:
    """Constraints from ``--constraint NAME=VALUE`` values and ``--budget``.

    Raises:
        InputError: An unknown name (with a did-you-mean), a value that is not a number or
            outside what the measure can take.
    """
    out = []
    for text in given:
        name, sep, raw = text.partition("=")
        name = name.strip()
        if name not in CONSTRAINTS:
            raise InputError(
                "--constraint",
                "constraint",
                name,
                "one of " + ", ".join(CONSTRAINTS),
                did_you_mean(name, CONSTRAINTS),
            )
        measure, kind, (low, high) = CONSTRAINTS[name]
        try:
            bound = float(raw) if sep else float("nan")
        except ValueError:
            bound = float("nan")
        if not low <= bound <= high:
            raise InputError(
                "--constraint", name, raw, f"NAME=VALUE with a number in [{low:g}, {high:g}]"
            )
        out.append(Constraint(name, measure, kind, bound))
    if budget is not None:
        if not np.isfinite(budget) or budget <= 0:
            raise InputError("--budget", "budget", budget, "a positive number of yuan")
        out.append(Constraint("budget", "public_spending_cum", "upper", float(budget)))
    return out


def arm_values(
    results: pd.DataFrame,
    villages: pd.DataFrame,
    reference: str,
    measures: Sequence[str],
) -> pd.DataFrame:
    """Each arm's value of each measure (rows: arms, columns: measures).

    Args:
        results: ``county_yearly`` rows of the arms' runs.
        villages: Their ``village_yearly`` rows.
        reference: The arm the ratio and difference-in-differences measures are against.
        measures: Measure names (``poor_tercile_income`` included).
    """
    model_measures = [m for m in dict.fromkeys(measures) if m != POOR_TERCILE]
    table = compare(results, reference, model_measures, villages=villages)
    values = table.pivot_table(index="arm", columns="measure", values="mean", dropna=False)
    values = values.reindex(columns=model_measures)
    if POOR_TERCILE in measures:
        values[POOR_TERCILE] = poor_tercile_income(villages).reindex(values.index)
    return values


def poor_tercile_income(villages: pd.DataFrame) -> pd.Series:
    """Per arm (scenario), the mean over replicates of :func:`poor_tercile_runs`."""
    return poor_tercile_runs(villages).groupby(level="scenario").mean()


def poor_tercile_runs(villages: pd.DataFrame) -> pd.Series:
    """Per run (``scenario, replicate``), the final-year mean collective income of the
    poorest third of villages by their collective income in the run's first year."""
    runs = villages.groupby(["scenario", "replicate"])["year"]
    start = villages[villages["year"] == runs.transform("min")]
    last = villages[villages["year"] == runs.transform("max")]
    cut = start.groupby(["scenario", "replicate"])["collective_income"].transform(
        lambda income: income.quantile(1 / 3)
    )
    poor = start.loc[start["collective_income"] <= cut, ["scenario", "replicate", "village_id"]]
    kept = last.merge(poor, on=["scenario", "replicate", "village_id"])
    return kept.groupby(["scenario", "replicate"])["collective_income"].mean()
