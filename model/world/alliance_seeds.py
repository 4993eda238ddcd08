"""What alliance formation starts from: the county read as arrays, and the seeds.

Every village gets a *need* score: a weighted mean of its smallness (population rank),
hollowing (resident-share rank) and weakness (collective-income rank). Villages that are
small (< ``small_village_population``), hollowed or weak are *targeted*; targeted villages
are tried as seeds in order of need (ties broken by a little noise, the alliance stream's
first draw).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from model.world.alliance_params import AllianceParams
from model.world.county import County


@dataclass(frozen=True)
class FormationInputs:
    """What formation reads of the county, and the seeds in order of need.

    Attributes:
        xy: Village positions (km).
        pop: Registered population.
        town: Town codes.
        industry: Industry codes.
        strength: Percentile rank of committee capacity × collective income.
        need: Need scores in [0, 1].
        neighbours: Per village, the villages within ``max_distance_km`` (itself included).
        targeted: Small, hollowed or weak villages.
        seeds: Targeted villages in order of need (ties broken by the score noise).
    """

    xy: np.ndarray
    pop: np.ndarray
    town: np.ndarray
    industry: np.ndarray
    strength: np.ndarray
    need: np.ndarray
    neighbours: np.ndarray
    targeted: np.ndarray
    seeds: np.ndarray


def formation_inputs(
    county: County, params: AllianceParams, rng: np.random.Generator
) -> FormationInputs:
    """Positions, sizes, scores and neighbours, and the seeds in order of need (the score
    noise of the seed order is the stream's first draw)."""
    v = county.villages
    xy = v[["x_km", "y_km"]].to_numpy(float)
    need = _need_scores(county, params)
    targeted = _targeted(county, params)
    noise = params.score_noise * rng.standard_normal(len(v))
    seeds = np.flatnonzero(targeted)
    seeds = seeds[np.lexsort((seeds, -(need[seeds] + noise[seeds])))]
    return FormationInputs(
        xy=xy,
        pop=v["population"].to_numpy(np.int64),
        town=pd.factorize(v["town"])[0],
        industry=pd.factorize(v["industry"])[0],
        strength=_rank((v["committee_capacity"] * v["collective_income_start"]).to_numpy(float)),
        need=need,
        neighbours=cKDTree(xy).query_ball_point(xy, r=params.max_distance_km),
        targeted=targeted,
        seeds=seeds,
    )


def _need_scores(county: County, params: AllianceParams) -> np.ndarray:
    """Need in [0, 1]: weighted mean of smallness, hollowing and weakness ranks."""
    v = county.villages
    small = 1.0 - _rank(v["population"].to_numpy(float))
    hollow = 1.0 - _rank(v["resident_share"].to_numpy(float))
    weak = 1.0 - _rank(v["collective_income_start"].to_numpy(float))
    w = np.array([params.need_weight_small, params.need_weight_hollow, params.need_weight_weak])
    if w.sum() <= 0:
        return np.zeros(len(v))
    return (w[0] * small + w[1] * hollow + w[2] * weak) / w.sum()


def _rank(values: np.ndarray) -> np.ndarray:
    """Percentile rank in [0, 1] (ties get the mean rank)."""
    if len(values) < 2:
        return np.zeros(len(values))
    return (pd.Series(values).rank(method="average").to_numpy() - 1) / (len(values) - 1)


def _targeted(county: County, params: AllianceParams) -> np.ndarray:
    """Small, hollowed or weak villages: those the programme is for."""
    v = county.villages
    return (
        (v["population"] < params.small_village_population)
        | v["hollowed"]
        | (v["collective_income_start"] < county.weak_income_yuan)
    ).to_numpy()
