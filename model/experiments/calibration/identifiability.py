"""Identifiability: which targets pin which parameters.

Two views, both on the last wave's emulators:

* **sensitivity**: the first-order (main-effect) index of each parameter for each target,
  over the prior box: ``Var(E[f | x_j]) / Var(f)``, estimated from the emulator's mean on a
  Latin hypercube by binning ``x_j`` into quantile bins (the binned estimator of Sobol'
  first-order indices; Saltelli et al. 2008, Global Sensitivity Analysis: The Primer,
  ch. 4). A target pins a parameter when the index is large;
* **contraction**: ``1 - Var_posterior(x_j) / Var_prior(x_j)`` per parameter (1 = pinned
  down, 0 = the data say nothing beyond the prior), and the correlation of each target's
  emulated value with each parameter within the posterior sample.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.experiments.calibration.history_matching import Wave, candidates, to_unit

#: Quantile bins of the binned first-order estimator.
BINS = 20
#: Index above which a target is said to pin a parameter (in the tables' ``pins`` column).
PINS = 0.1


def first_order(values: np.ndarray, factor: np.ndarray, bins: int = BINS) -> float:
    """``Var(E[y | x]) / Var(y)`` by quantile bins of ``x``."""
    total = float(np.var(values))
    if total <= 0:
        return 0.0
    edges = np.quantile(factor, np.linspace(0, 1, bins + 1))
    which = np.clip(np.searchsorted(edges, factor, side="right") - 1, 0, bins - 1)
    means = np.array([values[which == b].mean() for b in range(bins) if np.any(which == b)])
    sizes = np.array([np.sum(which == b) for b in range(bins) if np.any(which == b)])
    return float(np.sum(sizes * (means - values.mean()) ** 2) / len(values) / total)


def identifiability(
    wave: Wave,
    prior: tuple[np.ndarray, np.ndarray],
    names: list[str],
    posterior: pd.DataFrame,
    labels: list[str],
    seed: int,
    count: int = 4000,
) -> pd.DataFrame:
    """One row per (target, parameter): sensitivity, correlation in the posterior, pins.

    The contraction of each parameter is on every row of it (it does not depend on the
    target).
    """
    box = candidates(prior, names, count, seed)
    unit_box = to_unit(box, *prior)
    unit_post = to_unit(posterior[names].to_numpy(float), *prior)
    contraction = 1.0 - np.var(unit_post, axis=0) / (1.0 / 12.0)
    rows = []
    for emulator, label in zip(wave.emulators, labels, strict=True):
        mean_box, _ = emulator.predict(unit_box)
        mean_post, _ = emulator.predict(unit_post)
        for j, name in enumerate(names):
            index = first_order(mean_box, unit_box[:, j])
            rows.append(
                {
                    "target": label,
                    "parameter": name,
                    "first_order": index,
                    "posterior_correlation": _correlation(mean_post, unit_post[:, j]),
                    "contraction": float(contraction[j]),
                    "pins": index >= PINS,
                }
            )
    return pd.DataFrame(rows)


def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    if np.std(a) == 0 or np.std(b) == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])
