"""A village's record: its columns and dtypes, and the models of its drawn traits.

Specialty share, resident share (hollowing), collective income and committee capacity are
drawn for every synthetic village and for every village a file leaves them out of. Each model
draws from the generator passed in, or gives its expected value when there is none
(``load_villages(path)`` without a generator).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.world.county_params import CountyParams

#: Column order of :attr:`County.villages`.
VILLAGE_COLUMNS = (
    "village_id",
    "name",
    "town",
    "x_km",
    "y_km",
    "terrain",
    "population",
    "households",
    "resident_share",
    "cultivated_mu",
    "industry",
    "specialty_share",
    "committee_capacity",
    "collective_income_start",
    "hollowed",
)

#: Reference village size for the size effects (assumption: about the median village of the
#: synthetic county, see county.population_sd).
_REFERENCE_SIZE = 600.0


def specialty_share(
    params: CountyParams, industry: np.ndarray, rng: np.random.Generator | None
) -> np.ndarray:
    """Share of land under the main specialty (0 for grain)."""
    mean = np.array([params.specialty_share_mean.get(k, 0.0) for k in industry])
    if rng is None:
        return mean
    c = params.specialty_share_concentration
    draw = rng.beta(np.maximum(mean, 1e-6) * c, np.maximum(1 - mean, 1e-6) * c)
    return np.where(industry == "grain", 0.0, np.round(draw, 4))


def resident_share(
    params: CountyParams,
    terrain: np.ndarray,
    street: np.ndarray,
    population: np.ndarray,
    rng: np.random.Generator | None,
) -> np.ndarray:
    """Share of registered people living in the village (low = hollowed-out)."""
    base = {
        "plain": params.resident_share_plain,
        "hill": params.resident_share_hill,
        "mountain": params.resident_share_mountain,
    }
    logit = np.array([_logit(base[t]) for t in terrain])
    logit += params.resident_street_shift * street
    logit += params.resident_size_effect * np.log(population / _REFERENCE_SIZE)
    if rng is not None:
        logit += params.resident_noise * rng.standard_normal(len(terrain))
    return np.round(_sigmoid(logit), 4)


def collective_income(
    params: CountyParams,
    median: np.ndarray,
    population: np.ndarray,
    town_idx: np.ndarray,
    rng: np.random.Generator | None,
) -> np.ndarray:
    """Collective operating income before the programme (yuan/yr), lognormal."""
    # Size effect relative to the town's median village, so the town median stays put.
    town_median = pd.Series(population).groupby(town_idx).transform("median").to_numpy()
    log_income = np.log(median) + params.income_size_elasticity * np.log(population / town_median)
    if rng is not None:
        log_income += params.income_sigma * rng.standard_normal(len(population))
    return np.round(np.exp(log_income), 0)


def committee_capacity(
    params: CountyParams,
    income: np.ndarray,
    population: np.ndarray,
    rng: np.random.Generator | None,
) -> np.ndarray:
    """Committee capacity (0–1), rising with collective income and size."""
    z_income = (np.log(np.maximum(income, 1.0)) - np.log(max(params.weak_income_yuan, 1.0))) / max(
        params.income_sigma, 0.1
    )
    logit = _logit(params.capacity_mean) + params.capacity_income_weight * z_income
    logit += params.capacity_size_weight * np.log(population / _REFERENCE_SIZE)
    if rng is not None:
        logit += params.capacity_noise * rng.standard_normal(len(population))
    return np.round(_sigmoid(logit), 4)


def _logit(p: float) -> float:
    """Log-odds of a share."""
    return float(np.log(p / (1 - p)))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """The share of log-odds (the inverse of :func:`_logit`)."""
    return 1.0 / (1.0 + np.exp(-x))


def typed_villages(df: pd.DataFrame) -> pd.DataFrame:
    """The documented dtypes: str, float64, int64, bool."""
    out = df.reset_index(drop=True).copy()
    for col in ("village_id", "name", "town", "terrain", "industry"):
        out[col] = out[col].astype(str)
    for col in ("population", "households"):
        out[col] = out[col].astype(np.int64)
    for col in (
        "x_km",
        "y_km",
        "resident_share",
        "cultivated_mu",
        "specialty_share",
        "committee_capacity",
        "collective_income_start",
    ):
        out[col] = out[col].astype(np.float64)
    out["hollowed"] = out["hollowed"].astype(bool)
    return out
