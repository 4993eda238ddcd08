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

Both formations run through one loop, :func:`grow_alliances`. They differ only in how a
seed's alliance gets its lead, a strategy of the loop: with ``max_alliances_per_lead = 1``
the seed grows its own group and the strongest member leads it afterwards; with more, the
seed first chooses its lead (below). The seeds are chosen in :mod:`~model.world.alliance_seeds`,
the targets tracked in :mod:`~model.world.alliance_targets` and each group grown in
:mod:`~model.world.alliance_group`.

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

from dataclasses import dataclass
from typing import ClassVar, Protocol

import numpy as np

from model.world.alliance_group import grow_group, too_few
from model.world.alliance_params import AllianceParams
from model.world.alliance_seeds import FormationInputs, formation_inputs
from model.world.alliance_targets import FormationProgress, desired_size, sharing_need
from model.world.county import County

#: Lead villages a seed tries (best first) before it leads its own group.
_LEAD_TRIES = 3


class _LeadStrategy(Protocol):
    """How a seed's alliance gets its lead: the one difference between the two formations."""

    #: Prefer, for the last place, a village that brings the group to ``min_population``.
    fill_population: ClassVar[bool]

    def lead_tries(
        self, seed: int, near: np.ndarray, free: np.ndarray, progress: FormationProgress
    ) -> list[int]:
        """The leads to try in turn (the seed last)."""
        ...

    def candidates(self, free: np.ndarray, lead: int) -> np.ndarray:
        """The free villages that may join an alliance under ``lead``."""
        ...

    def recorded_lead(self, group: tuple[int, ...]) -> int | None:
        """The lead to record for a grown group (``None``: the strongest member)."""
        ...


class _OneAlliancePerVillage:
    """``max_alliances_per_lead = 1``: the seed grows its group among all free villages near
    it; the lead is the strongest member, chosen afterwards."""

    fill_population: ClassVar[bool] = False

    def lead_tries(
        self, seed: int, near: np.ndarray, free: np.ndarray, progress: FormationProgress
    ) -> list[int]:
        return [seed]

    def candidates(self, free: np.ndarray, lead: int) -> np.ndarray:
        return free

    def recorded_lead(self, group: tuple[int, ...]) -> int | None:
        return None


@dataclass(frozen=True)
class _SharedLeads:
    """``max_alliances_per_lead > 1``: a seed first chooses a stronger lead around it (which
    may lead other alliances already), and its group grows among villages weaker than the
    lead."""

    inputs: FormationInputs
    params: AllianceParams
    rng: np.random.Generator
    fill_population: ClassVar[bool] = True

    def lead_tries(
        self, seed: int, near: np.ndarray, free: np.ndarray, progress: FormationProgress
    ) -> list[int]:
        steer = sharing_need(self.params, progress)
        options, score = _lead_options(seed, near, free, progress, self.inputs, self.params, steer)
        score = score + self.params.score_noise * self.rng.standard_normal(len(options))
        options = options[np.argsort(-score, kind="stable")]
        return [*(int(j) for j in options[:_LEAD_TRIES]), int(seed)]

    def candidates(self, free: np.ndarray, lead: int) -> np.ndarray:
        strength = self.inputs.strength
        return free[(free != lead) & (strength[free] < strength[lead])]

    def recorded_lead(self, group: tuple[int, ...]) -> int | None:
        return group[0]


def grow_alliances(
    county: County, params: AllianceParams, rng: np.random.Generator
) -> tuple[list[tuple[int, ...]], list[int | None], list[dict[str, object]], FormationProgress]:
    """Greedy seed-and-grow (see the module docstring): one loop for both formations.

    Returns:
        Groups, their leads (``None``: the strongest member), the unplaced rows, and the
        progress made towards the targets.
    """
    inputs = formation_inputs(county, params, rng)
    strategy: _LeadStrategy = (
        _SharedLeads(inputs, params, rng)
        if params.max_alliances_per_lead > 1
        else _OneAlliancePerVillage()
    )
    n = len(county.villages)
    progress = FormationProgress(
        member=np.zeros(n, dtype=bool),
        led=np.zeros(n, dtype=np.int64),
        target_alliances=round(params.target_alliances * county.scale),
        target_coverage=round(params.coverage_target * county.scale),
        besides_lead=params.coverage_counts == "besides_lead",
    )
    stop_reason = "no seed left that could form an alliance"
    for seed in (int(s) for s in inputs.seeds):
        if reached := progress.target_reached():
            stop_reason = reached
            break
        if progress.in_alliance(seed):
            continue
        group, why = _seed_alliance(seed, strategy, progress, inputs, params, rng)
        if group is None:
            progress.reasons[seed] = why
            continue
        progress.add(group, strategy.recorded_lead(group))
    unplaced = _unplaced_rows(county, inputs, progress, stop_reason)
    return progress.groups, progress.leads, unplaced, progress


def _seed_alliance(
    seed: int,
    strategy: _LeadStrategy,
    progress: FormationProgress,
    inputs: FormationInputs,
    params: AllianceParams,
    rng: np.random.Generator,
) -> tuple[tuple[int, ...] | None, str]:
    """The alliance a seed forms: its lead's group, grown from the lead and the seed.

    Returns:
        The members (the lead first) or ``None``, and the reason when ``None``.
    """
    near = np.asarray(inputs.neighbours[seed], dtype=np.int64)
    near = near[near != seed]
    if params.same_town:
        near = near[inputs.town[near] == inputs.town[seed]]
    # Villages free to join as members: in no alliance, neither as member nor as lead.
    free = near[~progress.in_alliance(near)]
    tries = strategy.lead_tries(seed, near, free, progress)
    desired = desired_size(params, progress, rng)
    if len(free) == 0:
        return None, f"no unallied village of its town within {params.max_distance_km:g} km"
    why = ""
    for lead in tries:
        cand = strategy.candidates(free, lead)
        start = [lead, seed] if lead != seed else [lead]
        if len(cand) == 0:
            tried = too_few(len(start), params)
        else:
            fill = strategy.fill_population
            group, tried = grow_group(start, cand, desired, inputs, params, rng, fill)
            if group is not None:
                return group, ""
        why = why or tried  # the reason of the best lead tried
    return None, why


def _unplaced_rows(
    county: County, inputs: FormationInputs, progress: FormationProgress, stop_reason: str
) -> list[dict[str, object]]:
    """Targeted villages in no alliance, each with the reason its seed failed, else why
    formation stopped."""
    ids, towns = county.villages["village_id"].to_numpy(), county.villages["town"].to_numpy()
    rows = []
    for i in np.flatnonzero(inputs.targeted & ~progress.in_alliance()):
        rows.append(
            {
                "village_id": ids[i],
                "town": towns[i],
                "population": int(inputs.pop[i]),
                "reason": progress.reasons.get(int(i), stop_reason),
            }
        )
    return rows


def _lead_options(
    seed: int,
    near: np.ndarray,
    free: np.ndarray,
    progress: FormationProgress,
    inputs: FormationInputs,
    params: AllianceParams,
    steer: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Possible leads of a seed's alliance and their scores (without noise).

    A possible lead is a village near the seed (same town when required), stronger than
    it, no member of another alliance, leading fewer than ``max_alliances_per_lead``
    alliances, and with enough weaker free villages within reach that the group can reach
    ``min_villages`` under ``max_population`` (its full population counts in every
    alliance it leads). Score: ``weight_lead_strength * strength gap + weight_proximity
    * closeness + weight_industry * same industry + weight_shared_lead * steer * already
    leads`` (``steer`` from :func:`sharing_need`).
    """
    xy, pop, strength, led = inputs.xy, inputs.pop, inputs.strength, progress.led
    d_max = params.max_distance_km
    ok = ~progress.member[near] & (led[near] < params.max_alliances_per_lead)
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
        + params.weight_industry * (inputs.industry[lead] == inputs.industry[seed])
        + params.weight_shared_lead * steer * (led[lead] > 0)
    )
    return lead, score


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
