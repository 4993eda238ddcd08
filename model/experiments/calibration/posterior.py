"""The posterior sample: importance sampling on the emulators in the non-implausible space.

Candidates are a Latin hypercube over the last wave's non-implausible bounding box, of
which those non-implausible for every wave are kept (the priors are uniform, so within the
box the proposal is the prior up to a constant). Each candidate is weighted by the Gaussian
likelihood of the targets under the last wave's emulators::

    log w(x) = -1/2 Σ_i [ (z_i - E[f_i(x)])^2 / v_i(x) + log v_i(x) ],
    v_i(x) = Var_em,i(x) + Var_run,i / replicates + sd_i^2

and the sample is drawn from the candidates with probability proportional to ``w``
(multinomial resampling from the calibration's seed), so its rows are equally weighted.
The effective sample size of the weights, ``(Σw)^2 / Σw^2``, says how many distinct
candidates carry the sample. Points ruled out by history matching get no weight: that is
the approximation of this method (their likelihood is negligible at the cut-off of 3).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.experiments.calibration.history_matching import Space, Wave, non_implausible, to_unit


@dataclass
class PosteriorSample:
    """The posterior sample and how it was made.

    Attributes:
        rows: One row per draw, one column per free parameter (equally weighted).
        best: The candidate of largest likelihood (the calibrated point).
        candidates: Non-implausible candidates weighted.
        effective_size: Effective sample size of the importance weights.
        empty: No candidate was non-implausible (the sample is then of the least
            implausible 1 %, and says nothing trustworthy).
    """

    rows: pd.DataFrame
    best: dict[str, float]
    candidates: int
    effective_size: float
    empty: bool


def log_likelihood(wave: Wave, unit_points: np.ndarray) -> np.ndarray:
    """The Gaussian log-likelihood of the targets at scaled points (up to a constant)."""
    total = np.zeros(len(unit_points))
    for emulator, z, sd in zip(wave.emulators, wave.observed, wave.sigma, strict=True):
        mean, variance = emulator.predict(unit_points)
        v = variance + emulator.noise_variance * wave.run_variance_scale + sd**2
        total -= 0.5 * ((z - mean) ** 2 / v + np.log(v))
    return total


def importance_sample(
    waves: list[Wave],
    space: Space,
    prior: tuple[np.ndarray, np.ndarray],
    names: list[str],
    settings: tuple[int, int, float],
    seed: int,
) -> PosteriorSample:
    """Draw the posterior sample.

    Args:
        waves: Every wave (the last one's emulators give the likelihood).
        space: The last wave's non-implausible space (its box bounds the candidates).
        prior: ``(low, high)`` of the uniform priors.
        names: Free parameters.
        settings: ``(candidates, samples, cutoff)``.
        seed: Seed of the candidates and of the resampling.
    """
    count, samples, cutoff = settings
    found = non_implausible(waves, space.box, prior, names, count, cutoff, seed)
    unit = to_unit(found.points, *prior)
    log_w = log_likelihood(waves[-1], unit)
    weights = np.exp(log_w - log_w.max())
    weights /= weights.sum()
    rng = np.random.default_rng(np.random.SeedSequence(entropy=seed, spawn_key=(1,)))
    picks = rng.choice(len(weights), size=samples, replace=True, p=weights)
    rows = pd.DataFrame(found.points[picks], columns=names)
    best = dict(zip(names, map(float, found.points[int(np.argmax(log_w))]), strict=True))
    ess = float(1.0 / np.sum(weights**2))
    return PosteriorSample(rows, best, len(weights), ess, found.empty or space.empty)
