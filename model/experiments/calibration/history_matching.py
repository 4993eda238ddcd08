"""History matching: rule out the parameter values that cannot reproduce the targets.

Following Vernon, Goldstein and Bower (2010, Bayesian Analysis 5(4), "Galaxy formation: a
Bayesian uncertainty analysis"), the implausibility of a point ``x`` for target ``i`` is

    I_i(x) = |z_i - E[f_i(x)]| / sqrt(Var_em,i(x) + Var_run,i + sd_i^2)

with ``z_i`` the reported value, ``E``/``Var_em`` the emulator's mean and variance,
``Var_run`` the model's replicate variance (the emulator's white noise, divided by the
replicates per point) and ``sd_i`` the target's uncertainty (observation and model
discrepancy). A point is *non-implausible* when the largest ``I_i`` over the targets is at
most the cut-off (3, the three-sigma rule). Each wave's emulators are fitted on every run
so far; the non-implausible space is the set of points that pass every wave's emulators.

The next wave's design is a Latin hypercube (:func:`model.experiments.design.latin_hypercube`,
SALib) over the bounding box of the non-implausible candidates of the previous wave, of
which the non-implausible points are kept: a space-filling design inside the
non-implausible space.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from model.experiments.calibration.emulator import Emulator
from model.experiments.design import latin_hypercube


@dataclass
class Wave:
    """One wave's emulators, as used by later waves.

    Attributes:
        number: 1, 2, ...
        emulators: One per target, in the calibration's target order.
        observed: The reported values.
        sigma: The targets' standard deviations.
        run_variance_scale: ``1 / replicates``: a point's mean over replicates has this
            share of the replicate variance.
    """

    number: int
    emulators: list[Emulator]
    observed: np.ndarray
    sigma: np.ndarray
    run_variance_scale: float

    def implausibility(self, unit_points: np.ndarray) -> np.ndarray:
        """``I_i(x)`` for every point (rows) and target (columns)."""
        columns = []
        for emulator, z, sd in zip(self.emulators, self.observed, self.sigma, strict=True):
            mean, variance = emulator.predict(unit_points)
            total = variance + emulator.noise_variance * self.run_variance_scale + sd**2
            columns.append(np.abs(z - mean) / np.sqrt(total))
        return np.column_stack(columns)


def max_implausibility(waves: Sequence[Wave], unit_points: np.ndarray) -> np.ndarray:
    """The largest implausibility of every point over every wave and target."""
    worst = np.zeros(len(unit_points))
    for wave in waves:
        worst = np.maximum(worst, wave.implausibility(unit_points).max(axis=1))
    return worst


def to_unit(points: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Points scaled to ``[0, 1]`` per parameter (the emulators' axes)."""
    return (points - low) / (high - low)


def candidates(box: tuple[np.ndarray, np.ndarray], names: list[str], count: int, seed: int):
    """A Latin hypercube of ``count`` points over a box ``(low, high)``."""
    low, high = box
    problem = {
        "num_vars": len(names),
        "names": names,
        "bounds": [[float(a), float(b)] for a, b in zip(low, high, strict=True)],
    }
    return latin_hypercube(problem, count, seed)


@dataclass
class Space:
    """The non-implausible candidates found for the next wave.

    Attributes:
        points: Candidate points that pass every wave (or the least implausible ones, when
            none does: see ``empty``).
        share: Share of the candidates that pass.
        box: Their bounding box ``(low, high)``.
        empty: No candidate passed; ``points`` are then the least implausible 1 %.
    """

    points: np.ndarray
    share: float
    box: tuple[np.ndarray, np.ndarray]
    empty: bool


def non_implausible(
    waves: Sequence[Wave],
    box: tuple[np.ndarray, np.ndarray],
    prior: tuple[np.ndarray, np.ndarray],
    names: list[str],
    count: int,
    cutoff: float,
    seed: int,
) -> Space:
    """Sample ``count`` candidates in ``box`` and keep those non-implausible for every wave.

    The share is of candidates in ``box``; the box is the previous wave's (it only shrinks).
    """
    points = candidates(box, names, count, seed)
    worst = max_implausibility(waves, to_unit(points, *prior))
    keep = worst <= cutoff
    empty = not keep.any()
    if empty:
        keep = worst <= np.quantile(worst, 0.01)
    chosen = points[keep]
    tight = (chosen.min(axis=0), chosen.max(axis=0))
    return Space(chosen, float(np.mean(worst <= cutoff)), tight, empty)


def wave_design(space: Space, runs: int) -> np.ndarray:
    """The next wave's points: the first ``runs`` non-implausible candidates.

    The candidates are a Latin hypercube in random order, so the first ones spread over
    the non-implausible space as a random subsample does.
    """
    return space.points[:runs]
