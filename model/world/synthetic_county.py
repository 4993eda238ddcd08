"""The synthetic Anqiu: villages drawn around the towns sheet's totals.

A synthetic Anqiu is the default: 864 villages in 12 towns and streets (``data/towns.csv``)
over about 1,760 km². Town totals come from the towns sheet (number of villages, mean
village size, cultivated land, where public figures exist; the rest are marked
assumptions there) and the villages within a town are drawn around them:

* position: uniform in the town's territory (a weighted Voronoi cell around the town's
  position, sized by its area), with a minimum spacing between villages;
* terrain: the town's terrain, or with a small probability the neighbouring class;
* population: lognormal (many small villages, a long tail), rescaled so that the town total
  matches the towns sheet; households from a town household size with noise;
* cultivated land: the town total split in proportion to population^elasticity × noise;
* main industry: the town's industry weights tilted by smooth random fields, so that
  specialties cluster in space (ginger and green onion on the plain and hills, fruit in the
  hills, grain on the plain, peanuts in Zheshan, millet in Huiqu);
* resident share (hollowing): logistic in terrain, street/town and size; ``hollowed`` when
  below a threshold;
* collective income before the programme: lognormal around the town's median, rising with
  village size; committee capacity: logistic, correlated with income and size
  (:mod:`model.world.village_traits`).

Every draw comes from the generator passed in (``model.rng.stream(seed, "county")``), in a
fixed order, so the same seed gives the identical county.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.world.county_params import INDUSTRIES, TERRAINS, CountyParams
from model.world.village_traits import (
    collective_income,
    committee_capacity,
    resident_share,
    specialty_share,
    typed_villages,
)


def synthetic_villages(
    params: CountyParams, towns: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """Draw all villages; the order of the draws is fixed (same seed, same county)."""
    counts = np.maximum(1, np.rint(towns["villages"].to_numpy() * params.scale)).astype(int)
    town_idx = np.repeat(np.arange(len(towns)), counts)
    n = len(town_idx)
    kind = towns["kind"].to_numpy()[town_idx]

    xy = _place_villages(towns, counts, params.min_village_spacing_km, rng)
    if params.scale < 1.0:
        # A share of the villages keeps the full county's density (and so its neighbourhoods,
        # which alliance formation needs): each town's territory shrinks to that share.
        centres = towns[["x_km", "y_km"]].to_numpy(dtype=float)[town_idx]
        xy = centres + (xy - centres) * np.sqrt(params.scale)
    terrain = _draw_terrain(towns["terrain"].to_numpy()[town_idx], params.terrain_mix, rng)
    population = _draw_population(params, towns, counts, town_idx, rng)
    hh_size = towns["household_size"].to_numpy()[town_idx] * np.exp(
        params.household_size_sd * rng.standard_normal(n)
    )
    households = np.clip(np.rint(population / hh_size), 1, population).astype(np.int64)
    land = _draw_land(params, towns, counts, town_idx, population, rng)
    industry = _draw_industry(params, towns, town_idx, xy, rng)
    specialty = specialty_share(params, industry, rng)
    resident = resident_share(params, terrain, kind == "street", population, rng)
    income = collective_income(
        params, towns["income_median_yuan"].to_numpy()[town_idx], population, town_idx, rng
    )
    capacity = committee_capacity(params, income, population, rng)

    names = towns["town"].to_numpy()
    order = np.concatenate([np.arange(1, c + 1) for c in counts])
    ids = [f"{names[t].lower()}-{k:03d}" for t, k in zip(town_idx, order, strict=True)]
    villages = pd.DataFrame(
        {
            "village_id": ids,
            "name": [f"{names[t]} {k:03d}" for t, k in zip(town_idx, order, strict=True)],
            "town": names[town_idx],
            "x_km": xy[:, 0],
            "y_km": xy[:, 1],
            "terrain": terrain,
            "population": population,
            "households": households,
            "resident_share": resident,
            "cultivated_mu": land,
            "industry": industry,
            "specialty_share": specialty,
            "committee_capacity": capacity,
            "collective_income_start": income,
            "hollowed": resident < params.hollowed_threshold,
        }
    )
    return typed_villages(villages)


def _place_villages(
    towns: pd.DataFrame, counts: np.ndarray, spacing: float, rng: np.random.Generator
) -> np.ndarray:
    """Uniform positions in each town's territory, at least ``spacing`` km apart.

    A town's territory is the set of points closer to it than to any other town in
    distance scaled by the town's radius (a multiplicatively weighted Voronoi cell), cut at
    1.4 radii: neighbouring towns tile the county without overlapping.
    """
    centres = towns[["x_km", "y_km"]].to_numpy(dtype=float)
    radii = np.sqrt(towns["area_km2"].to_numpy(dtype=float) / np.pi)
    out = []
    for t, n_t in enumerate(counts):
        accepted = np.empty((0, 2))
        gap = spacing
        # Batches of candidates; the spacing relaxes if a crowded town cannot be filled.
        for attempt in range(200):
            m = max(64, 4 * n_t)
            r = 1.4 * radii[t] * np.sqrt(rng.random(m))
            theta = 2 * np.pi * rng.random(m)
            cand = centres[t] + np.column_stack([r * np.cos(theta), r * np.sin(theta)])
            scaled = np.linalg.norm(cand[:, None, :] - centres[None, :, :], axis=2) / radii
            cand = cand[scaled.argmin(axis=1) == t]
            for point in cand:
                if len(accepted) >= n_t:
                    break
                if len(accepted) and np.min(np.sum((accepted - point) ** 2, axis=1)) < gap**2:
                    continue
                accepted = np.vstack([accepted, point])
            if len(accepted) >= n_t:
                break
            if attempt % 10 == 9:
                gap *= 0.8
        out.append(accepted[:n_t])
    return np.vstack(out)


def _draw_terrain(base: np.ndarray, mix: float, rng: np.random.Generator) -> np.ndarray:
    """The town's terrain, or with probability ``mix`` the neighbouring class."""
    level = np.array([TERRAINS.index(t) for t in base])
    switch = rng.random(len(base)) < mix
    # Plain can only go up, mountain only down; hill goes either way.
    step = np.where(level == 0, 1, np.where(level == 2, -1, rng.choice([-1, 1], len(base))))
    level = np.where(switch, level + step, level)
    return np.asarray(TERRAINS, dtype=object)[level]


def _draw_population(
    params: CountyParams,
    towns: pd.DataFrame,
    counts: np.ndarray,
    town_idx: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Lognormal village sizes, rescaled so each town's total matches the sheet."""
    raw = np.exp(params.village_size_sigma * rng.standard_normal(len(town_idx)))
    target = towns["mean_village_size"].to_numpy() * counts
    sums = np.bincount(town_idx, weights=raw, minlength=len(towns))
    pop = raw * (target / sums)[town_idx]
    # Clipping moves a town's total; a few rescale-and-clip rounds bring it back.
    for _ in range(5):
        pop = np.clip(pop, params.min_village_population, params.max_village_population)
        sums = np.bincount(town_idx, weights=pop, minlength=len(towns))
        pop = pop * (target / sums)[town_idx]
    pop = np.clip(pop, params.min_village_population, params.max_village_population)
    return np.maximum(1, np.rint(pop)).astype(np.int64)


def _draw_land(
    params: CountyParams,
    towns: pd.DataFrame,
    counts: np.ndarray,
    town_idx: np.ndarray,
    population: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Split each town's cultivated land over its villages."""
    noise = np.exp(params.land_sigma * rng.standard_normal(len(town_idx)))
    weight = population.astype(float) ** params.land_elasticity * noise
    total = towns["cultivated_mu"].to_numpy() * counts / towns["villages"].to_numpy()
    sums = np.bincount(town_idx, weights=weight, minlength=len(towns))
    return np.round(weight * (total / sums)[town_idx], 1)


def _draw_industry(
    params: CountyParams,
    towns: pd.DataFrame,
    town_idx: np.ndarray,
    xy: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Main industry: the town's shares, placed by smooth random fields (spatial clusters).

    Each town gets whole-number quotas from its industry weights, so town shares follow the
    towns sheet exactly. Each industry gets a Gaussian random field with length scale
    ``industry_cluster_km`` (random Fourier features, unit variance); villages are matched
    to quotas greedily by ``strength * field + Gumbel noise``, so neighbours tend to share a
    specialty. With strength 0 the placement within a town is random.
    """
    weights = towns[[f"w_{k}" for k in INDUSTRIES]].to_numpy(dtype=float)
    weights = weights / weights.sum(axis=1, keepdims=True)
    n_features = 48
    omega = rng.standard_normal((len(INDUSTRIES), n_features, 2)) / params.industry_cluster_km
    phase = rng.uniform(0, 2 * np.pi, (len(INDUSTRIES), n_features))
    arg = np.einsum("kfd,nd->nkf", omega, xy) + phase[None, :, :]
    field = np.sqrt(2.0 / n_features) * np.cos(arg).sum(axis=2)
    score = params.industry_cluster_strength * field + rng.gumbel(size=field.shape)
    choice = np.empty(len(town_idx), dtype=np.int64)
    for t in range(len(towns)):
        rows = np.flatnonzero(town_idx == t)
        quota = _quotas(weights[t], len(rows))
        choice[rows] = _assign_by_score(score[rows], quota)
    return np.asarray(INDUSTRIES, dtype=object)[choice]


def _quotas(weights: np.ndarray, n: int) -> np.ndarray:
    """Whole numbers proportional to ``weights`` summing to ``n`` (largest remainder)."""
    exact = weights * n
    quota = np.floor(exact).astype(np.int64)
    short = n - quota.sum()
    order = np.argsort(-(exact - quota), kind="stable")
    quota[order[:short]] += 1
    return quota


def _assign_by_score(score: np.ndarray, quota: np.ndarray) -> np.ndarray:
    """Greedy assignment of rows to columns by descending score, within column quotas."""
    n, k = score.shape
    flat = np.argsort(-score, axis=None, kind="stable")
    choice = np.full(n, -1, dtype=np.int64)
    left = quota.copy()
    placed = 0
    for cell in flat:
        row, col = divmod(int(cell), k)
        if choice[row] >= 0 or left[col] <= 0:
            continue
        choice[row] = col
        left[col] -= 1
        placed += 1
        if placed == n:
            break
    return choice
