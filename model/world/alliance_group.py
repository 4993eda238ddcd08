"""Growing one alliance's group from its first members (the seed, or a lead and the seed).

The group repeatedly adds the candidate that keeps every pair of members within
``max_distance_km`` and the total under ``max_population`` (leaving room for the villages
still needed) and maximises ``weight_proximity * closeness to the group + weight_industry *
share of members with the same industry + weight_complementarity * how much stronger it is
than the group's strongest member + weight_weakness * need + noise``, until it reaches its
desired size and ``min_population``.
"""

from __future__ import annotations

import numpy as np

from model.world.alliance_params import AllianceParams
from model.world.alliance_seeds import FormationInputs


def grow_group(
    start: list[int],
    cand: np.ndarray,
    desired: int,
    inputs: FormationInputs,
    params: AllianceParams,
    rng: np.random.Generator,
    fill_population: bool,
) -> tuple[tuple[int, ...] | None, str]:
    """Grow one alliance from its first members (the seed, or a lead and the seed).

    With ``fill_population``, the village that completes the desired size is one that
    brings the group to ``min_population`` where any can (so that the group need not
    grow past its desired size for want of people).

    Returns:
        The members (``start`` first) or ``None``, and the reason when ``None``.
    """
    xy, pop = inputs.xy, inputs.pop
    members = list(start)
    total = int(pop[members].sum())
    # Candidates' distance to every member so far (columns added as members join).
    dist = np.linalg.norm(xy[cand][:, None, :] - xy[members][None, :, :], axis=2)
    free = np.ones(len(cand), dtype=bool)
    while len(members) < params.max_villages:
        if len(members) >= desired and total >= params.min_population:
            break
        ok = _eligible(cand, free, dist, len(members), total, pop, params)
        if not ok.any():
            break
        if fill_population and len(members) + 1 >= desired and total < params.min_population:
            enough = ok & (total + pop[cand] >= params.min_population)
            if enough.any():
                ok = enough
        pick = _best_candidate(np.flatnonzero(ok), cand, members, dist, inputs, params, rng)
        new = int(cand[pick])
        members.append(new)
        total += int(pop[new])
        free[pick] = False
        dist = np.column_stack([dist, np.linalg.norm(xy[cand] - xy[new], axis=1)])
    if len(members) < params.min_villages:
        return None, too_few(len(members), params)
    if total < params.min_population:
        return None, (
            f"the best group of {len(members)} villages has {total} people; needs "
            f"{params.min_population}"
        )
    return tuple(members), ""


def _eligible(
    cand: np.ndarray,
    free: np.ndarray,
    dist: np.ndarray,
    size: int,
    total: int,
    pop: np.ndarray,
    params: AllianceParams,
) -> np.ndarray:
    """Candidates that may join: within reach of every member and under ``max_population``,
    leaving room for the villages still needed to reach ``min_villages``."""
    ok = free & (dist.max(axis=1) <= params.max_distance_km)
    ok &= total + pop[cand] <= params.max_population
    still = params.min_villages - size - 1
    if still > 0 and ok.any():
        # Leave room under max_population for the villages still needed.
        smallest = np.sort(pop[cand[ok]])
        room = params.max_population - total - pop[cand]
        ok &= room >= smallest[:still].sum() if len(smallest) > still else False
    return ok


def _best_candidate(
    idx: np.ndarray,
    cand: np.ndarray,
    members: list[int],
    dist: np.ndarray,
    inputs: FormationInputs,
    params: AllianceParams,
    rng: np.random.Generator,
) -> int:
    """The eligible candidate (an index into ``cand``) with the best score, noise included."""
    c = cand[idx]
    industry, strength = inputs.industry, inputs.strength
    # Closeness to the farthest member keeps the group round (complete linkage).
    closeness = 1.0 - dist[idx].max(axis=1) / params.max_distance_km
    same = (industry[c][:, None] == industry[members][None, :]).mean(axis=1)
    stronger = np.maximum(0.0, strength[c] - strength[members].max())
    score = (
        params.weight_proximity * closeness
        + params.weight_industry * same
        + params.weight_complementarity * stronger
        + params.weight_weakness * inputs.need[c]
        + params.score_noise * rng.standard_normal(len(c))
    )
    return int(idx[int(np.argmax(score))])


def too_few(fitted: int, params: AllianceParams) -> str:
    return (
        f"only {fitted} villages fit together (within {params.max_distance_km:g} km of each "
        f"other and {params.max_population} people, same town); needs {params.min_villages}"
    )
