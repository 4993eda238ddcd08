"""Designs: the points of an experiment's sweep or sensitivity design (sampling only).

A *point* is a set of scenario values (dotted field -> value); every point becomes a
scenario variant of each scenario of the experiment (:mod:`model.experiments.plan`).
Sampling is kept apart from running, as in EMA Workbench's samplers: a design is the same
whether its runs execute in this process or on a cluster.

* ``grid``: every combination of the listed values;
* ``list``: the i-th values of every list together;
* ``lhs``: a Latin hypercube over ranges (SALib);
* ``sobol``: Saltelli's extension of the Sobol sequence (SALib), for Sobol indices;
* ``morris``: Morris trajectories (SALib), for elementary effects.

Sampled values of integer scenario fields are rounded; the raw matrix is kept so that the
sensitivity estimators see the design they were given. Every sample draws from the
*design stream* of the experiment seed (:func:`design_seed`), so a design is reproducible.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from model.experiments.experiment import Experiment, Range, Scalar, SensitivityDesign
from model.scenario import is_integer_field

#: Spawn key of the design stream (Latin hypercube, Sobol, Morris) under the experiment
#: seed; far from the model's stream ids in :mod:`model.rng`, so designs never share bits
#: with a model stream.
DESIGN_STREAM = 1000


@dataclass(frozen=True)
class Design:
    """The points of a design.

    Attributes:
        points: Scenario values per point (integer fields rounded); ``[{}]`` for an
            experiment without a sweep (one point: the scenarios as they are).
        matrix: The raw sample matrix, one row per point (sampled designs only).
        problem: The SALib problem (names and bounds) of a sampled design.
    """

    points: list[dict[str, Any]]
    matrix: np.ndarray | None = None
    problem: dict[str, Any] | None = None


def design_seed(seed: int) -> int:
    """The seed of the design stream (sweep and sensitivity samples) of an experiment seed."""
    sequence = np.random.SeedSequence(entropy=int(seed), spawn_key=(DESIGN_STREAM,))
    return int(sequence.generate_state(1, dtype=np.uint32)[0])


def salib_problem(parameters: dict[str, Range]) -> dict[str, Any]:
    """The SALib problem dict of ``{field: Range}``."""
    return {
        "num_vars": len(parameters),
        "names": list(parameters),
        "bounds": [[rng.min, rng.max] for rng in parameters.values()],
    }


def grid(parameters: dict[str, Sequence[Scalar]]) -> list[dict[str, Any]]:
    """Every combination of the values (the last field varies fastest)."""
    names = list(parameters)
    combos = itertools.product(*(parameters[n] for n in names))
    return [dict(zip(names, combo, strict=True)) for combo in combos]


def value_list(parameters: dict[str, Sequence[Scalar]]) -> list[dict[str, Any]]:
    """The i-th value of every field together (lists of equal length)."""
    names = list(parameters)
    rows = zip(*(parameters[n] for n in names), strict=True)
    return [dict(zip(names, row, strict=True)) for row in rows]


def latin_hypercube(problem: dict[str, Any], samples: int, seed: int) -> np.ndarray:
    """A Latin hypercube of ``samples`` points over the problem's bounds."""
    from SALib.sample import latin

    return latin.sample(problem, int(samples), seed=seed)


def sensitivity_sample(design: SensitivityDesign, problem: dict[str, Any], seed: int) -> np.ndarray:
    """The SALib design matrix of a Sobol or Morris design (one row per point)."""
    if design.method == "sobol":
        from SALib.sample import sobol

        return sobol.sample(
            problem, design.samples, calc_second_order=design.second_order, seed=seed
        )
    from SALib.sample import morris

    return morris.sample(problem, design.samples, num_levels=design.levels, seed=seed)


def rounded_points(names: list[str], matrix: np.ndarray) -> list[dict[str, Any]]:
    """Scenario values of a sample matrix, integer fields rounded."""
    integer = [is_integer_field(n) for n in names]
    return [
        {
            n: round(float(v)) if is_int else float(v)
            for n, v, is_int in zip(names, row, integer, strict=True)
        }
        for row in matrix
    ]


def design_of(experiment: Experiment) -> Design:
    """The design of an experiment: its sensitivity design, its sweep, or one point."""
    seed = design_seed(experiment.seed)
    if experiment.sensitivity is not None:
        problem = salib_problem(experiment.sensitivity.parameters)
        matrix = sensitivity_sample(experiment.sensitivity, problem, seed)
        return Design(rounded_points(problem["names"], matrix), matrix, problem)
    sweep = experiment.sweep
    if sweep is None:
        return Design([{}])
    if sweep.method == "grid":
        return Design(grid(sweep.parameters))
    if sweep.method == "list":
        return Design(value_list(sweep.parameters))
    ranges = {n: r for n, r in sweep.parameters.items() if isinstance(r, Range)}
    problem = salib_problem(ranges)
    matrix = latin_hypercube(problem, sweep.samples or 1, seed)
    return Design(rounded_points(list(sweep.parameters), matrix), matrix, problem)
