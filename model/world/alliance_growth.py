"""Alliance formation: grouping villages into joint organisations (跨村联建).

The programme groups 3–5 neighbouring villages of 1,000–2,000 people in total, targeting
small, hollowed-out and weak villages, by geographic proximity, similar industry and
complementary resources (weak villages with a strong one). Formation is a greedy
seed-and-grow:

1. Every village gets a *need* score: a weighted mean of its smallness (population rank),
   hollowing (resident-share rank) and weakness (collective-income rank). Villages that are
   small (< ``small_village_population``), hollowed or weak are *targeted*; targeted
   villages are tried as seeds in order of need (ties broken by a little noise).
2. A seed grows an alliance within its town: it repeatedly adds the unallied village that
   keeps every pair of members within ``max_distance_km`` and the total under
   ``max_population`` (leaving room for the villages still needed) and maximises
   ``weight_proximity * closeness to the group + weight_industry * share of members with the
   same industry + weight_complementarity * how much stronger it is than the group's
   strongest member + weight_weakness * need + noise``.
3. It stops at the alliance's desired size once the population reaches
   ``min_population``; the desired size steers the totals towards ``target_alliances``
   alliances covering ``coverage_target`` villages (each alliance takes the remaining
   coverage divided by the remaining alliances, randomly rounded, within the bounds). A
   group that cannot reach ``min_villages`` and ``min_population`` is dropped and its seed
   reported with the reason.
4. Formation stops when either target is reached (or seeds run out). The lead village is
   the strongest member (committee capacity × collective income); modes follow
   ``mode_rule``.

Shared leads
------------
The programme reports 181 alliances covering 453 villages, each of 3–5 villages and
1,000–2,000 people. With every village in one alliance that is impossible (181 alliances of
at least 3 villages need at least 543). The figures agree when a lead village may lead
several alliances: the programme had 33 mentor secretaries and 50 strong lead villages for
181 alliances, so about 180 × 3 memberships over 453 villages: ~90 lead villages leading
~2 alliances each and ~365 member villages in one alliance each. This is the default
(``max_alliances_per_lead = 3``):

* a member (non-lead) village belongs to exactly one alliance; a lead village may lead up
  to ``max_alliances_per_lead`` alliances, and each of them obeys every bound counting the
  lead (its full population counts in each);
* each seed first chooses its lead among the villages around it (same town, within
  ``max_distance_km``) that are stronger than the seed, no member of another alliance,
  lead fewer than ``max_alliances_per_lead`` alliances and leave room under
  ``max_population`` for the seed and the smallest further member, by
  ``weight_lead_strength * strength gap + weight_proximity * closeness +
  weight_industry * same industry + weight_shared_lead * steer * already leads + noise``
  (the best three are tried in turn; the seed leads its own group when none works). The
  group then grows as in step 2 from the lead and the seed, among unallied villages weaker
  than the lead, preferring for its last place a village that brings it to
  ``min_population`` (so that it need not grow past its desired size for want of people);
* coverage counts distinct villages: an alliance under a lead that already leads adds only
  its members. ``steer`` (in [-1, 1]) is ``min_villages`` minus the remaining coverage per
  remaining alliance: while that is below ``min_villages`` a new lead would overshoot the
  coverage target and shared leads are favoured, above it they are avoided (``steer = 1``
  without both targets or with ``coverage_counts = "besides_lead"``); the desired size
  adds the share of shared-lead alliances so far.

``max_alliances_per_lead = 1`` is the one-alliance-per-village formation above, unchanged
(it forms about 145 alliances over the 453 villages; ``target_alliances`` is then a cap
that is not reached). Coverage can also be read as ``coverage_counts = "besides_lead"``:
453 villages joined to the leads (the leads not counted).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from model.world.alliance_params import AllianceParams
from model.world.county import County


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
    v = county.villages
    return (
        (v["population"] < params.small_village_population)
        | v["hollowed"]
        | (v["collective_income_start"] < county.weak_income_yuan)
    ).to_numpy()


def _formation_inputs(
    county: County, params: AllianceParams, rng: np.random.Generator
) -> tuple[Any, ...]:
    """What both formation algorithms start from: positions, sizes, scores, neighbours,
    targets and the seed villages in order of need (with the score noise drawn here)."""
    v = county.villages
    n = len(v)
    xy = v[["x_km", "y_km"]].to_numpy(float)
    pop = v["population"].to_numpy(np.int64)
    town = pd.factorize(v["town"])[0]
    industry = pd.factorize(v["industry"])[0]
    strength = _rank((v["committee_capacity"] * v["collective_income_start"]).to_numpy(float))
    need = _need_scores(county, params)
    targeted = _targeted(county, params)
    neighbours = cKDTree(xy).query_ball_point(xy, r=params.max_distance_km)

    target_a = round(params.target_alliances * county.scale)
    target_c = round(params.coverage_target * county.scale)
    besides_lead = params.coverage_counts == "besides_lead"

    noise = params.score_noise * rng.standard_normal(n)
    seeds = np.flatnonzero(targeted)
    seeds = seeds[np.lexsort((seeds, -(need[seeds] + noise[seeds])))]
    return (
        n,
        xy,
        pop,
        town,
        industry,
        strength,
        need,
        neighbours,
        target_a,
        target_c,
        besides_lead,
        seeds,
        targeted,
    )


def grow_alliances(
    county: County, params: AllianceParams, rng: np.random.Generator
) -> tuple[list[tuple[int, ...]], list[int | None], list[dict[str, object]]]:
    """Greedy seed-and-grow (see the module docstring).

    Returns:
        Groups, their leads (``None``: the strongest member) and the unplaced rows.
    """
    if params.max_alliances_per_lead > 1:
        return _grow_with_shared_leads(county, params, rng)
    v = county.villages
    (
        n,
        xy,
        pop,
        town,
        industry,
        strength,
        need,
        neighbours,
        target_a,
        target_c,
        besides_lead,
        seeds,
        targeted,
    ) = _formation_inputs(county, params, rng)

    assigned = np.zeros(n, dtype=bool)
    reasons: dict[int, str] = {}
    groups: list[tuple[int, ...]] = []
    covered = 0
    stop_reason = ""
    for s in seeds:
        if target_a and len(groups) >= target_a:
            stop_reason = f"alliance target reached ({target_a} alliances)"
            break
        if target_c and covered >= target_c:
            stop_reason = f"coverage target reached ({target_c} villages)"
            break
        if assigned[s]:
            continue
        desired = _desired_size(params, target_a, target_c, len(groups), covered, rng)
        cand = np.asarray(neighbours[s], dtype=np.int64)
        cand = cand[(cand != s) & ~assigned[cand]]
        if params.same_town:
            cand = cand[town[cand] == town[s]]
        group, why = _grow([s], cand, desired, xy, pop, industry, strength, need, params, rng)
        if group is None:
            reasons[int(s)] = why
            continue
        assigned[list(group)] = True
        groups.append(group)
        covered += len(group) - 1 if besides_lead else len(group)
    else:
        stop_reason = "no seed left that could form an alliance"

    unplaced = []
    for i in np.flatnonzero(targeted & ~assigned):
        reason = reasons.get(int(i), stop_reason or "not reached")
        unplaced.append(
            {
                "village_id": v["village_id"].iloc[i],
                "town": v["town"].iloc[i],
                "population": int(pop[i]),
                "reason": reason,
            }
        )
    return groups, [None] * len(groups), unplaced


def _grow_with_shared_leads(
    county: County, params: AllianceParams, rng: np.random.Generator
) -> tuple[list[tuple[int, ...]], list[int | None], list[dict[str, object]]]:
    """Seed-and-grow where a lead village may lead several alliances.

    Each seed (a targeted village in order of need) first chooses its lead among the
    stronger villages around it that are no member of another alliance and lead fewer
    than ``max_alliances_per_lead`` alliances (best first by :func:`_lead_options`, the
    best ``_LEAD_TRIES`` in turn; the seed leads itself when none can form a group with
    it); the group then grows from the lead and the seed with unallied villages weaker
    than the lead. Coverage counts distinct villages: an alliance under a lead that
    already leads another adds its members only; :func:`_sharing_need` and
    :func:`_desired_size` steer towards both targets.
    """
    v = county.villages
    (
        n,
        xy,
        pop,
        town,
        industry,
        strength,
        need,
        neighbours,
        target_a,
        target_c,
        besides_lead,
        seeds,
        targeted,
    ) = _formation_inputs(county, params, rng)

    member = np.zeros(n, dtype=bool)  # in an alliance, not as its lead
    led = np.zeros(n, dtype=np.int64)  # alliances led
    reasons: dict[int, str] = {}
    groups: list[tuple[int, ...]] = []
    leads: list[int | None] = []
    covered = 0
    n_shared = 0
    stop_reason = ""
    for s in seeds:
        if target_a and len(groups) >= target_a:
            stop_reason = f"alliance target reached ({target_a} alliances)"
            break
        if target_c and covered >= target_c:
            stop_reason = f"coverage target reached ({target_c} villages)"
            break
        if member[s] or led[s]:
            continue
        near = np.asarray(neighbours[s], dtype=np.int64)
        near = near[near != s]
        if params.same_town:
            near = near[town[near] == town[s]]
        # Villages free to join as members: in no alliance, neither as member nor as lead.
        free = near[~member[near] & (led[near] == 0)]
        steer = _sharing_need(params, target_a, target_c, len(groups), covered)
        options, score = _lead_options(
            s, near, free, member, led, xy, pop, industry, strength, params, steer
        )
        score = score + params.score_noise * rng.standard_normal(len(options))
        options = options[np.argsort(-score, kind="stable")]
        # Alliances under a lead that already leads add one village fewer: the desired
        # size adds their share so far.
        shared = n_shared / len(groups) if groups else 0.0
        desired = _desired_size(params, target_a, target_c, len(groups), covered, rng, shared)
        group, why = None, ""
        if len(free) == 0:
            why = f"no unallied village of its town within {params.max_distance_km:g} km"
        for lead in [*(int(j) for j in options[:_LEAD_TRIES]), int(s)] if len(free) else []:
            cand = free[(free != lead) & (strength[free] < strength[lead])]
            start = [lead, int(s)] if lead != s else [lead]
            if len(cand) == 0:
                tried = _too_few(len(start), params)
            else:
                group, tried = _grow(
                    start, cand, desired, xy, pop, industry, strength, need, params, rng, True
                )
            if group is not None:
                break
            why = why or tried  # the reason of the best lead tried
        if group is None:
            reasons[int(s)] = why
            continue
        lead = group[0]
        member[list(group[1:])] = True
        added = len(group) - 1 if besides_lead or led[lead] else len(group)
        n_shared += int(led[lead] > 0)
        led[lead] += 1
        groups.append(group)
        leads.append(lead)
        covered += added
    else:
        stop_reason = "no seed left that could form an alliance"

    unplaced = []
    for i in np.flatnonzero(targeted & ~member & (led == 0)):
        reason = reasons.get(int(i), stop_reason or "not reached")
        unplaced.append(
            {
                "village_id": v["village_id"].iloc[i],
                "town": v["town"].iloc[i],
                "population": int(pop[i]),
                "reason": reason,
            }
        )
    return groups, leads, unplaced


#: Lead villages a seed tries (best first) before it leads its own group.
_LEAD_TRIES = 3


def _lead_options(
    seed: int,
    near: np.ndarray,
    free: np.ndarray,
    member: np.ndarray,
    led: np.ndarray,
    xy: np.ndarray,
    pop: np.ndarray,
    industry: np.ndarray,
    strength: np.ndarray,
    params: AllianceParams,
    steer: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Possible leads of a seed's alliance and their scores (without noise).

    A possible lead is a village near the seed (same town when required), stronger than
    it, no member of another alliance, leading fewer than ``max_alliances_per_lead``
    alliances, and with enough weaker free villages within reach that the group can reach
    ``min_villages`` under ``max_population`` (its full population counts in every
    alliance it leads). Score: ``weight_lead_strength * strength gap + weight_proximity
    * closeness + weight_industry * same industry + weight_shared_lead * steer * already
    leads`` (``steer`` from :func:`_sharing_need`).
    """
    d_max = params.max_distance_km
    ok = ~member[near] & (led[near] < params.max_alliances_per_lead)
    ok &= strength[near] > strength[seed]
    ok &= pop[near] + pop[seed] <= params.max_population
    lead = near[ok]
    if len(lead) == 0:
        return lead, np.zeros(0)
    still = params.min_villages - 2
    if still > 0:
        others = free[free != seed]
        reach = np.linalg.norm(xy[lead][:, None] - xy[others][None, :], axis=2) <= d_max
        reach &= strength[others][None, :] < strength[lead][:, None]
        reach &= others[None, :] != lead[:, None]
        smallest = np.sort(np.where(reach, pop[others][None, :], np.inf), axis=1)
        fill = smallest[:, :still].sum(axis=1) if smallest.shape[1] >= still else np.inf
        lead = lead[pop[lead] + pop[seed] + fill <= params.max_population]
        if len(lead) == 0:
            return lead, np.zeros(0)
    closeness = 1.0 - np.linalg.norm(xy[lead] - xy[seed], axis=1) / d_max
    score = (
        params.weight_lead_strength * (strength[lead] - strength[seed])
        + params.weight_proximity * closeness
        + params.weight_industry * (industry[lead] == industry[seed])
        + params.weight_shared_lead * steer * (led[lead] > 0)
    )
    return lead, score


def _sharing_need(
    params: AllianceParams, target_a: int, target_c: int, formed: int, covered: int
) -> float:
    """How much the targets call for a lead that already leads, in [-1, 1].

    An alliance under a new lead adds all its villages to the coverage, one under a lead
    that already leads one village fewer. While the remaining coverage per remaining
    alliance is below ``min_villages``, new leads would overshoot it and shared leads are
    favoured (up to 1 when it is a village or more below); above it they are avoided.
    Without both targets, or when coverage counts the villages besides the leads (which a
    shared lead does not change), shared leads are simply favoured (1).
    """
    if not (target_a and target_c) or params.coverage_counts == "besides_lead":
        return 1.0
    per = max(target_c - covered, 0) / max(target_a - formed, 1)
    return float(np.clip(params.min_villages - per, -1.0, 1.0))


def _desired_size(
    params: AllianceParams,
    target_a: int,
    target_c: int,
    formed: int,
    covered: int,
    rng: np.random.Generator,
    shared_lead: float = 0.0,
) -> int:
    """Villages this alliance should have so the targets are met together.

    Each alliance takes the remaining coverage divided by the remaining alliances, plus
    its lead when coverage counts members besides the lead, or else plus ``shared_lead``,
    the share of alliances whose lead already leads another (and so is covered already);
    rounded up or down at random so that the average comes out right.
    """
    # Always one draw, so that the stream does not depend on which branch is taken.
    u = rng.random()
    if not (target_a and target_c):
        return params.min_villages
    per = max(target_c - covered, 0) / max(target_a - formed, 1)
    per += 1.0 if params.coverage_counts == "besides_lead" else shared_lead
    size = int(np.floor(per)) + int(u < per - np.floor(per))
    return int(np.clip(size, params.min_villages, params.max_villages))


def _grow(
    start: list[int],
    cand: np.ndarray,
    desired: int,
    xy: np.ndarray,
    pop: np.ndarray,
    industry: np.ndarray,
    strength: np.ndarray,
    need: np.ndarray,
    params: AllianceParams,
    rng: np.random.Generator,
    fill_population: bool = False,
) -> tuple[tuple[int, ...] | None, str]:
    """Grow one alliance from its first members (the seed, or a lead and the seed).

    With ``fill_population``, the village that completes the desired size is one that
    brings the group to ``min_population`` where any can (so that the group need not
    grow past its desired size for want of people).

    Returns:
        The members (``start`` first) or ``None``, and the reason when ``None``.
    """
    d_max = params.max_distance_km
    if len(cand) == 0:
        return None, f"no unallied village of its town within {d_max:g} km"
    members = list(start)
    total = int(pop[members].sum())
    # Candidates' distance to every member so far (columns added as members join).
    dist = np.linalg.norm(xy[cand][:, None, :] - xy[members][None, :, :], axis=2)
    free = np.ones(len(cand), dtype=bool)
    while len(members) < params.max_villages:
        if len(members) >= desired and total >= params.min_population:
            break
        ok = free & (dist.max(axis=1) <= d_max) & (total + pop[cand] <= params.max_population)
        still = params.min_villages - len(members) - 1
        if still > 0 and ok.any():
            # Leave room under max_population for the villages still needed.
            smallest = np.sort(pop[cand[ok]])
            room = params.max_population - total - pop[cand]
            ok &= room >= smallest[:still].sum() if len(smallest) > still else False
        if not ok.any():
            break
        if fill_population and len(members) + 1 >= desired and total < params.min_population:
            enough = ok & (total + pop[cand] >= params.min_population)
            if enough.any():
                ok = enough
        idx = np.flatnonzero(ok)
        c = cand[idx]
        # Closeness to the farthest member keeps the group round (complete linkage).
        closeness = 1.0 - dist[idx].max(axis=1) / d_max
        same = (industry[c][:, None] == industry[members][None, :]).mean(axis=1)
        stronger = np.maximum(0.0, strength[c] - strength[members].max())
        score = (
            params.weight_proximity * closeness
            + params.weight_industry * same
            + params.weight_complementarity * stronger
            + params.weight_weakness * need[c]
            + params.score_noise * rng.standard_normal(len(c))
        )
        pick = idx[int(np.argmax(score))]
        new = int(cand[pick])
        members.append(new)
        total += int(pop[new])
        free[pick] = False
        dist = np.column_stack([dist, np.linalg.norm(xy[cand] - xy[new], axis=1)])
    if len(members) < params.min_villages:
        return None, _too_few(len(members), params)
    if total < params.min_population:
        return None, (
            f"the best group of {len(members)} villages has {total} people; needs "
            f"{params.min_population}"
        )
    return tuple(members), ""


def _too_few(fitted: int, params: AllianceParams) -> str:
    return (
        f"only {fitted} villages fit together (within {params.max_distance_km:g} km of each "
        f"other and {params.max_population} people, same town); needs {params.min_villages}"
    )


def reason_kind(reason: str) -> str:
    """Short category of an unplaced reason, for summaries."""
    for key, kind in (
        ("no unallied village", "no neighbour"),
        ("villages fit together", "too few neighbours within bounds"),
        ("people; needs", "population too small"),
        ("target reached", "target reached"),
        ("no seed left", "no seed left"),
    ):
        if key in reason:
            return kind
    return reason
