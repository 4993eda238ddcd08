"""Alliance formation: grouping villages into joint organisations (跨村联建).

The programme groups 3–5 neighbouring villages of 1,000–2,000 people in total, targeting
small, hollowed-out and weak villages, by geographic proximity, similar industry and
complementary resources (weak villages with a strong one). :func:`form_alliances` does this
with a greedy seed-and-grow:

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

:attr:`Alliances.membership` gives each village its *primary* alliance (a lead's first);
:meth:`Alliances.memberships` lists all of a village's alliances.

Groupings can also be read from a CSV/Parquet file with columns ``alliance_id, village_id``
and optional ``mode`` (one of :data:`MODES`) and ``lead`` (true/false; at most one per
alliance, default: the strongest member). A village may be in several alliances only as
their flagged lead (``lead`` true on each of its lines), in at most
``max_alliances_per_lead`` of them. Randomness comes only from the generator passed
in (``model.rng.stream(seed, "alliances")``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Self

import numpy as np
import pandas as pd
from pydantic import model_validator
from scipy.spatial import cKDTree

from model.errors import InputError
from model.params import Section, param
from model.paths import find_file
from model.world.county import County
from model.world.table_files import RowLabel, blank_cells, line_label, parse_bool, read_table

#: The four modes of the programme (DESIGN section 1).
MODES = ("lead_goose", "strong_leads_weak", "industry_pull", "project_traction")
#: Columns of :attr:`Alliances.table`.
ALLIANCE_COLUMNS = (
    "alliance_id",
    "town",
    "lead",
    "mode",
    "members",
    "n_villages",
    "population",
    "diameter_km",
)
#: Columns of :attr:`Alliances.unplaced`.
UNPLACED_COLUMNS = ("village_id", "town", "population", "reason")

_PROGRAMME = "programme report (大众新媒体 party-building case), calibration sheet"


class AllianceParams(Section):
    """Alliance formation: size rules, targets, weights and the mode rule."""

    enabled: bool = param(
        False,
        unit="-",
        source="assumption: the baseline has no alliances; the programme scenario enables them",
        description="Form alliances at all",
    )
    source: Literal["formed", "file"] = param(
        "formed",
        unit="-",
        source="user",
        description="Form alliances with the algorithm or read groupings from file",
    )
    file: str = param(
        "",
        unit="-",
        source="user",
        description="Alliance CSV/Parquet (alliance_id, village_id, optional mode, lead)",
    )
    min_villages: int = param(
        3, unit="villages", source=_PROGRAMME, description="Fewest villages in an alliance", ge=2
    )
    max_villages: int = param(
        5, unit="villages", source=_PROGRAMME, description="Most villages in an alliance", ge=2
    )
    min_population: int = param(
        1000,
        unit="persons",
        source=_PROGRAMME,
        description="Smallest registered population of an alliance",
        ge=0,
    )
    max_population: int = param(
        2000,
        unit="persons",
        source=_PROGRAMME,
        description="Largest registered population of an alliance",
        ge=1,
    )
    max_distance_km: float = param(
        5.0,
        unit="km",
        source="assumption: 'neighbouring' villages; villages are ~1.4 km apart on average "
        "(1,760 km2 / 864), so 5 km holds 3-5 adjacent villages",
        description="Largest distance between any two members of an alliance",
        gt=0,
    )
    target_alliances: int = param(
        181,
        unit="alliances",
        source=_PROGRAMME,
        description="Number of alliances to form (0 = as many as the coverage target needs)",
        ge=0,
    )
    coverage_target: int = param(
        453,
        unit="villages",
        source=_PROGRAMME,
        description="Villages to cover, counted as coverage_counts says (0 = no target)",
        ge=0,
    )
    coverage_counts: Literal["all_members", "besides_lead"] = param(
        "all_members",
        unit="-",
        source="assumption: the report's 453 villages are read as all distinct villages in "
        "alliances, leads included (a lead may lead several; see the module docstring)",
        description="Whether coverage_target counts all distinct villages in alliances or "
        "those besides the leads",
    )
    max_alliances_per_lead: int = param(
        3,
        unit="alliances",
        source="calibration sheet: 33 mentor secretaries + 50 strong lead villages for 181 "
        "alliances (2023)",
        description="Most alliances one lead village may lead; member villages join one "
        "alliance only (1 = every village in at most one alliance)",
        ge=1,
        le=10,
    )
    weight_lead_strength: float = param(
        3.0,
        unit="-",
        source="DESIGN section 1: strong (capable, well-off) villages lead weak ones "
        "(assumption: relative weight, set so that lead villages are mostly in the county's "
        "strongest half while staying close to their members)",
        description="Weight of how much stronger a possible lead is than the seed (strength "
        "rank gap) when a seed chooses its lead (max_alliances_per_lead > 1)",
        ge=0,
    )
    weight_shared_lead: float = param(
        4.0,
        unit="-",
        source="calibration: 181 alliances over 453 villages need about half the alliances "
        "under a lead that already leads one (assumption: relative weight; 2-6 all give "
        "176-181 alliances on the synthetic county, 31 seeds)",
        description="Weight of already leading an alliance when a seed chooses its lead, "
        "times a steering factor in [-1, 1] from the targets (max_alliances_per_lead > 1)",
        ge=0,
    )
    same_town: bool = param(
        True,
        unit="-",
        source="assumption: alliances are organised by the town (镇街) party committee",
        description="Alliances stay within one town",
    )
    small_village_population: int = param(
        600,
        unit="persons",
        source="assumption: allied villages hold 250-500 people each (calibration sheet)",
        description="Villages smaller than this are targeted (as are hollowed and weak ones)",
        ge=0,
    )
    need_weight_small: float = param(
        1.0,
        unit="-",
        source="DESIGN section 1: targeted at small villages",
        description="Weight of smallness in the seed order",
        ge=0,
    )
    need_weight_hollow: float = param(
        1.0,
        unit="-",
        source="DESIGN section 1: targeted at hollowed-out villages",
        description="Weight of hollowing in the seed order",
        ge=0,
    )
    need_weight_weak: float = param(
        1.0,
        unit="-",
        source="DESIGN section 1: heavy revitalisation tasks (weak collectives)",
        description="Weight of collective weakness in the seed order",
        ge=0,
    )
    weight_proximity: float = param(
        3.0,
        unit="-",
        source="DESIGN section 1: geographic proximity (assumption: relative weight, set so "
        "that alliances are compact, mean diameter ~2.5 km)",
        description="Weight of closeness to the group when growing an alliance",
        ge=0,
    )
    weight_industry: float = param(
        0.5,
        unit="-",
        source="DESIGN section 1: similar industry (assumption: relative weight)",
        description="Weight of sharing the members' industry",
        ge=0,
    )
    weight_complementarity: float = param(
        1.0,
        unit="-",
        source="DESIGN section 1: complementary resources, weak with strong "
        "(assumption: relative weight)",
        description="Weight of being stronger than every member so far",
        ge=0,
    )
    weight_weakness: float = param(
        0.5,
        unit="-",
        source="DESIGN section 1: targeted at weak villages (assumption: relative weight)",
        description="Weight of a candidate's need",
        ge=0,
    )
    score_noise: float = param(
        0.1,
        unit="-",
        source="assumption: local judgement beyond the stated principles",
        description="Sd of the random term in seed order and candidate scores",
        ge=0,
    )
    mode_rule: Literal["anqiu_mix", "single", "by_profile", "file"] = param(
        "anqiu_mix",
        unit="-",
        source="DESIGN section 1: 33 lead-goose mentors, 50 strong lead villages, the rest "
        "industry- and project-driven",
        description="How modes are assigned: the Anqiu counts, one mode for all, by each "
        "alliance's profile, or from the alliance file",
    )
    single_mode: Literal[MODES] = param(
        "industry_pull",
        unit="-",
        source="user",
        description="The mode of every alliance when mode_rule = 'single'",
    )
    lead_goose_count: int = param(
        33,
        unit="alliances",
        source=_PROGRAMME + ": 33 mentor secretaries",
        description="anqiu_mix: alliances in lead-goose mode (most capable lead committees)",
        ge=0,
    )
    strong_leads_weak_count: int = param(
        50,
        unit="alliances",
        source=_PROGRAMME + ": 50 lead villages",
        description="anqiu_mix: alliances in strong-leads-weak mode (largest strength gap)",
        ge=0,
    )
    industry_pull_min_share: float = param(
        0.5,
        unit="share",
        source="assumption: a joint cooperative needs a specialty most members share",
        description="Share of members with one non-grain specialty for industry-pull",
        gt=0,
        le=1,
    )
    profile_lead_goose_capacity: float = param(
        0.8,
        unit="0-1",
        source="assumption",
        description="by_profile: lead committee capacity from which a mode is lead-goose",
        ge=0,
        le=1,
    )
    profile_strong_ratio: float = param(
        3.0,
        unit="ratio",
        source="assumption",
        description="by_profile: lead strength / members' mean strength for strong-leads-weak",
        ge=1,
    )
    check_file_bounds: bool = param(
        True,
        unit="-",
        source="assumption: file groupings obey the same rules unless told otherwise",
        description="Check file groupings against the size, population and distance bounds",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.min_villages > self.max_villages:
            raise ValueError(
                f"min_villages ({self.min_villages}) must not exceed "
                f"max_villages ({self.max_villages})"
            )
        if self.min_population > self.max_population:
            raise ValueError(
                f"min_population ({self.min_population}) must not exceed "
                f"max_population ({self.max_population})"
            )
        if self.mode_rule == "file" and self.source != "file":
            raise ValueError("mode_rule = 'file' needs source = 'file' (modes come from the file)")
        return self


@dataclass
class Alliances:
    """Formed (or loaded) alliances.

    Attributes:
        table: One row per alliance: ``alliance_id`` (str), ``town`` (str; "mixed" when a
            file grouping spans towns), ``lead`` (village row), ``mode`` (in :data:`MODES`),
            ``members`` (tuple of village rows, lead included), ``n_villages``,
            ``population``, ``diameter_km`` (largest distance between two members). A
            lead village may lead several alliances (``max_alliances_per_lead``); it is
            then in the ``members`` of each, with its full population in each
            ``population``. Other villages are in one alliance at most.
        membership: Per village row, its *primary* alliance's row in ``table``, or -1: for
            a member village its only alliance, for a lead village the first alliance it
            leads (its households belong to that alliance's joint cooperative).
        unplaced: Targeted villages left out, and why: ``village_id, town, population,
            reason``.
    """

    table: pd.DataFrame
    membership: np.ndarray
    unplaced: pd.DataFrame
    #: Cache of :meth:`memberships`: the table it was built from and rows per village.
    _rows_of: tuple[pd.DataFrame, dict[int, list[int]]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def memberships(self, village: int) -> list[int]:
        """Rows in :attr:`table` of every alliance the village is in (primary first)."""
        if self._rows_of is None or self._rows_of[0] is not self.table:
            rows_of: dict[int, list[int]] = {}
            for row, members in enumerate(self.table["members"]):
                for m in members:
                    rows_of.setdefault(int(m), []).append(row)
            self._rows_of = (self.table, rows_of)
        rows = self._rows_of[1].get(int(village), [])
        return sorted(rows, key=lambda row: row != self.membership[village])

    def alliances_led(self) -> np.ndarray:
        """Per village row, the number of alliances it leads."""
        leads = self.table["lead"].to_numpy(np.int64)
        return np.bincount(leads, minlength=len(self.membership)).astype(np.int64)


# --------------------------------------------------------------------------------------
# Entry points


def no_alliances(county: County) -> Alliances:
    """An empty :class:`Alliances` for a county (the baseline)."""
    return Alliances(
        table=_table([], county),
        membership=np.full(len(county.villages), -1, dtype=np.int64),
        unplaced=_unplaced_frame([]),
    )


def form_alliances(
    county: County,
    params: AllianceParams,
    rng: np.random.Generator,
    file_path: Path | None = None,
) -> Alliances:
    """Group villages into alliances (or read the groupings from a file).

    Args:
        county: The built county.
        params: The scenario's ``alliances`` section.
        rng: The alliance stream (``model.rng.stream(seed, "alliances")``).
        file_path: Resolved alliance file (``scenario.resolve_data_path("alliances.file")``);
            needed when ``params.source == "file"``.

    Returns:
        The alliances; none when ``params.enabled`` is false.

    Raises:
        InputError: A missing or bad alliance file.
    """
    if not params.enabled:
        return no_alliances(county)
    if params.source == "file":
        path = file_path if file_path is not None else find_file(params.file)
        if path is None:
            raise InputError(
                "alliances.file",
                "alliances.file",
                params.file,
                "data file not found"
                if params.file
                else "an alliance CSV or Parquet file is needed when alliances.source = 'file'",
            )
        ids, groups, modes, leads = _read_alliance_file(Path(path), county, params)
        unplaced: list[dict[str, object]] = []
    else:
        groups, leads, unplaced = _grow_alliances(county, params, rng)
        ids = [f"A{k + 1:03d}" for k in range(len(groups))]
        modes = [None] * len(groups)
    v = county.villages
    strength = (v["committee_capacity"] * v["collective_income_start"]).to_numpy()
    leads = [
        lead if lead is not None else int(g[np.argmax(strength[list(g)])])
        for g, lead in zip(groups, leads, strict=True)
    ]
    # The lead first, the others in village order: a stable, readable member tuple.
    groups = [
        (lead, *sorted(m for m in g if m != lead)) for g, lead in zip(groups, leads, strict=True)
    ]
    table = _table(groups, county, ids)
    table["mode"] = pd.Series(_assign_modes(table, county, params, modes), dtype=str)
    membership = np.full(len(v), -1, dtype=np.int64)
    # Backwards, so that a lead of several alliances keeps the first as its primary one.
    for row in range(len(table) - 1, -1, -1):
        membership[list(table["members"].iat[row])] = row
    return Alliances(table=table, membership=membership, unplaced=_unplaced_frame(unplaced))


def alliance_summary(alliances: Alliances) -> dict[str, object]:
    """Counts for tables and ``county --json``.

    Returns:
        alliances, allied_villages (distinct villages in any alliance), lead_villages
        (distinct leads), max_alliances_per_lead_used, memberships (villages summed over
        alliances: a lead counts once per alliance it leads), covered_besides_lead
        (villages other than the leads), modes (count per mode), alliance_size_min/max,
        alliance_population_min/max, alliance_diameter_max_km, unplaced,
        unplaced_reasons (count per reason kind).
    """
    t = alliances.table
    n = len(t)
    reasons = alliances.unplaced["reason"].map(_reason_kind).value_counts()
    allied = int((alliances.membership >= 0).sum())
    leads = t["lead"].nunique()
    return {
        "alliances": n,
        "allied_villages": allied,
        "lead_villages": int(leads),
        "max_alliances_per_lead_used": int(t["lead"].value_counts().max()) if n else 0,
        "memberships": int(t["n_villages"].sum()),
        "covered_besides_lead": allied - int(leads),
        "modes": {m: int((t["mode"] == m).sum()) for m in MODES},
        "alliance_size_min": int(t["n_villages"].min()) if n else 0,
        "alliance_size_max": int(t["n_villages"].max()) if n else 0,
        "alliance_population_min": int(t["population"].min()) if n else 0,
        "alliance_population_max": int(t["population"].max()) if n else 0,
        "alliance_diameter_max_km": round(float(t["diameter_km"].max()), 2) if n else 0.0,
        "unplaced": len(alliances.unplaced),
        "unplaced_reasons": {str(k): int(c) for k, c in reasons.items()},
    }


# --------------------------------------------------------------------------------------
# Formation


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


def _grow_alliances(
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


def _reason_kind(reason: str) -> str:
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


# --------------------------------------------------------------------------------------
# Modes


def _assign_modes(
    table: pd.DataFrame,
    county: County,
    params: AllianceParams,
    file_modes: list[str | None],
) -> list[str]:
    """One mode per alliance by ``params.mode_rule`` (deterministic)."""
    n = len(table)
    if n == 0:
        return []
    if params.mode_rule == "file":
        return [str(m) for m in file_modes]
    if params.mode_rule == "single":
        return [params.single_mode] * n
    v = county.villages
    capacity = v["committee_capacity"].to_numpy(float)
    strength = (v["committee_capacity"] * v["collective_income_start"]).to_numpy(float)
    industry = v["industry"].to_numpy()
    lead_capacity = np.array([capacity[lead] for lead in table["lead"]])
    ratio = np.array(
        [
            strength[m[0]] / max(float(np.mean(strength[list(m[1:])])), 1e-9) if len(m) > 1 else 1.0
            for m in table["members"]
        ]
    )
    shared = np.array(
        [
            _shares_specialty(industry[list(m)], params.industry_pull_min_share)
            for m in table["members"]
        ]
    )
    modes = np.where(shared, "industry_pull", "project_traction").astype(object)
    if params.mode_rule == "by_profile":
        modes[ratio >= params.profile_strong_ratio] = "strong_leads_weak"
        modes[lead_capacity >= params.profile_lead_goose_capacity] = "lead_goose"
        return [str(m) for m in modes]
    # anqiu_mix: the most capable lead committees get the mentor secretaries (lead-goose),
    # then the largest strength gaps get strong-leads-weak, the rest go by profile.
    scale = county.scale
    n_goose = min(n, round(params.lead_goose_count * scale))
    n_strong = min(n - n_goose, round(params.strong_leads_weak_count * scale))
    order = np.lexsort((np.arange(n), -lead_capacity))
    # One mentor secretary per lead-goose alliance: take each capable lead once (a lead of
    # several alliances mentors one of them), and only then a lead's further alliances.
    leads = table["lead"].to_numpy()
    seen: set[int] = set()
    first_of_lead = []
    for i in order:
        if int(leads[i]) not in seen:
            seen.add(int(leads[i]))
            first_of_lead.append(i)
    preference = first_of_lead + [i for i in order if i not in set(first_of_lead)]
    goose = np.array(preference[:n_goose], dtype=np.int64)
    modes[goose] = "lead_goose"
    rest = np.setdiff1d(np.arange(n), goose)
    strong = rest[np.lexsort((rest, -ratio[rest]))][:n_strong]
    modes[strong] = "strong_leads_weak"
    return [str(m) for m in modes]


def _shares_specialty(industries: np.ndarray, min_share: float) -> bool:
    """Whether one non-grain specialty covers at least ``min_share`` of the members."""
    special = industries[industries != "grain"]
    if len(special) == 0:
        return False
    _, counts = np.unique(special, return_counts=True)
    return counts.max() / len(industries) >= min_share


# --------------------------------------------------------------------------------------
# Tables


def _table(
    groups: list[tuple[int, ...]], county: County, ids: list[str] | None = None
) -> pd.DataFrame:
    v = county.villages
    xy = v[["x_km", "y_km"]].to_numpy(float)
    pop = v["population"].to_numpy(np.int64)
    towns = v["town"].to_numpy()
    rows = []
    for k, members in enumerate(groups):
        idx = list(members)
        pts = xy[idx]
        diam = float(np.max(np.linalg.norm(pts[:, None] - pts[None, :], axis=2))) if idx else 0.0
        member_towns = set(towns[idx])
        rows.append(
            {
                "alliance_id": ids[k] if ids is not None else f"A{k + 1:03d}",
                "town": member_towns.pop() if len(member_towns) == 1 else "mixed",
                "lead": int(members[0]),
                "mode": "",
                "members": tuple(int(m) for m in members),
                "n_villages": len(members),
                "population": int(pop[idx].sum()),
                "diameter_km": round(diam, 3),
            }
        )
    table = pd.DataFrame(rows, columns=list(ALLIANCE_COLUMNS))
    return table.astype(
        {
            "alliance_id": str,
            "town": str,
            "lead": np.int64,
            "mode": str,
            "members": object,
            "n_villages": np.int64,
            "population": np.int64,
            "diameter_km": np.float64,
        }
    )


def _unplaced_frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(UNPLACED_COLUMNS))
    return frame.astype({"village_id": str, "town": str, "population": np.int64, "reason": str})


# --------------------------------------------------------------------------------------
# Alliance files


def _read_alliance_file(
    path: Path, county: County, params: AllianceParams
) -> tuple[list[str], list[tuple[int, ...]], list[str | None], list[int | None]]:
    """Read and validate alliance groupings.

    Returns:
        Alliance ids, member rows, file modes (or None) and file leads (or None), in the
        order alliances first appear in the file.

    Raises:
        InputError: Naming the file, column, value, line and what is allowed.
    """
    raw = read_table(path, "alliance file")
    where = line_label(path)
    required = ("alliance_id", "village_id")
    missing = [c for c in required if c not in raw.columns]
    if missing:
        raise InputError(
            str(path),
            missing[0],
            None,
            f"required column missing (required: {', '.join(required)}; optional: mode, lead)",
            hint=f"found columns: {', '.join(map(str, raw.columns))}",
        )
    if raw.empty:
        raise InputError(str(path), allowed="the alliance file has no rows")
    text = {}
    for col in required:
        blank = blank_cells(raw[col])
        if blank.any():
            i = int(np.flatnonzero(blank)[0])
            raise InputError(str(path), col, "", "a non-empty value", hint=where(i))
        text[col] = raw[col].astype(str).str.strip().to_numpy()
    aid, vid = text["alliance_id"], text["village_id"]

    rows_of = pd.Series(np.arange(len(county.villages)), index=county.villages["village_id"])
    unknown = ~pd.Series(vid).isin(rows_of.index).to_numpy()
    if unknown.any():
        i = int(np.flatnonzero(unknown)[0])
        raise InputError(
            str(path),
            "village_id",
            vid[i],
            f"a village_id of the county ({county.source}, {len(rows_of)} villages)",
            hint=f"{where(i)}, alliance_id '{aid[i]}'; e.g. '{rows_of.index[0]}'",
        )
    village_row = rows_of.loc[vid].to_numpy()
    modes_col = _file_modes(raw, path, where)
    leads_col = _file_leads(raw, path, where)
    _check_repeats(path, aid, vid, leads_col, where, params.max_alliances_per_lead)

    ids = list(dict.fromkeys(aid))
    groups, modes, leads = [], [], []
    for alliance in ids:
        rows = np.flatnonzero(aid == alliance)
        groups.append(tuple(int(r) for r in village_row[rows]))
        given = {modes_col[r] for r in rows if modes_col[r] is not None}
        if len(given) > 1:
            raise InputError(
                str(path),
                "mode",
                sorted(given),
                "one mode per alliance",
                hint=f"alliance '{alliance}', {where(rows[0])}..{where(rows[-1])}",
            )
        mode = given.pop() if given else None
        if params.mode_rule == "file" and mode is None:
            raise InputError(
                str(path),
                "mode",
                "",
                f"a mode for every alliance when alliances.mode_rule = 'file'; "
                f"one of {', '.join(MODES)}",
                hint=f"alliance '{alliance}' ({where(rows[0])})",
            )
        modes.append(mode)
        flagged = [r for r in rows if leads_col[r]]
        if len(flagged) > 1:
            raise InputError(
                str(path),
                "lead",
                [vid[r] for r in flagged],
                "at most one lead village per alliance",
                hint=f"alliance '{alliance}'",
            )
        leads.append(int(village_row[flagged[0]]) if flagged else None)
    if params.check_file_bounds:
        _check_bounds(path, ids, groups, county, params)
    return ids, groups, modes, leads


def _check_repeats(
    path: Path,
    aid: np.ndarray,
    vid: np.ndarray,
    leads_col: list[bool],
    where: RowLabel,
    per_lead: int,
) -> None:
    """A village is in one alliance, unless it leads each (up to ``per_lead``) it is in."""
    seen: dict[str, list[int]] = {}
    for i, village in enumerate(vid):
        lines = seen.setdefault(village, [])
        for j in lines:
            if aid[j] == aid[i]:
                raise InputError(
                    str(path),
                    "village_id",
                    village,
                    "a village appears once in an alliance",
                    hint=f"{where(j)} and {where(i)}, alliance '{aid[i]}'",
                )
        lines.append(i)
        if len(lines) < 2:
            continue
        j = lines[0]
        both = f"{where(j)} (alliance '{aid[j]}') and {where(i)} (alliance '{aid[i]}')"
        if per_lead == 1 or not all(leads_col[k] for k in lines):
            allowed = (
                "a village belongs to at most one alliance"
                if per_lead == 1
                else "a member village belongs to at most one alliance; a lead village "
                f"(lead = true on each of its lines) may lead up to {per_lead}"
            )
            raise InputError(str(path), "village_id", village, allowed, hint=both)
        if len(lines) > per_lead:
            raise InputError(
                str(path),
                "village_id",
                village,
                f"a lead village leads at most {per_lead} alliances "
                "(alliances.max_alliances_per_lead)",
                hint=", ".join(f"{where(k)} (alliance '{aid[k]}')" for k in lines),
            )


def _file_modes(raw: pd.DataFrame, path: Path, where: RowLabel) -> list[str | None]:
    if "mode" not in raw.columns:
        return [None] * len(raw)
    values = raw["mode"].astype(object).map(lambda x: x.strip() if isinstance(x, str) else x)
    blank = blank_cells(values)
    bad = ~values.isin(MODES).to_numpy() & ~blank
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            str(path), "mode", values.iloc[i], f"one of {', '.join(MODES)}", hint=where(i)
        )
    return [None if b else str(m) for m, b in zip(values, blank, strict=True)]


def _file_leads(raw: pd.DataFrame, path: Path, where: RowLabel) -> list[bool]:
    if "lead" not in raw.columns:
        return [False] * len(raw)
    values = raw["lead"]
    blank = blank_cells(values)
    parsed = values.map(parse_bool)
    bad = parsed.isna().to_numpy() & ~blank
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            str(path),
            "lead",
            values.iloc[i],
            "true/false (also 1/0, yes/no) or empty",
            hint=where(i),
        )
    return [bool(p) if not b else False for p, b in zip(parsed, blank, strict=True)]


def _check_bounds(
    path: Path,
    ids: list[str],
    groups: list[tuple[int, ...]],
    county: County,
    params: AllianceParams,
) -> None:
    """File groupings must obey the same size, population and distance rules."""
    v = county.villages
    pop = v["population"].to_numpy(np.int64)
    xy = v[["x_km", "y_km"]].to_numpy(float)
    hint = "set alliances.check_file_bounds = false to accept it"
    for alliance, members in zip(ids, groups, strict=True):
        idx = list(members)
        size = len(idx)
        if not params.min_villages <= size <= params.max_villages:
            raise InputError(
                str(path),
                "n_villages",
                size,
                f"alliance '{alliance}': {params.min_villages}-{params.max_villages} villages",
                hint=hint,
            )
        total = int(pop[idx].sum())
        if not params.min_population <= total <= params.max_population:
            raise InputError(
                str(path),
                "population",
                total,
                f"alliance '{alliance}': {params.min_population}-{params.max_population} "
                "people in total",
                hint=hint,
            )
        pts = xy[idx]
        diam = float(np.max(np.linalg.norm(pts[:, None] - pts[None, :], axis=2)))
        if diam > params.max_distance_km + 1e-9:
            raise InputError(
                str(path),
                "distance_km",
                round(diam, 2),
                f"alliance '{alliance}': members at most {params.max_distance_km:g} km apart",
                hint=hint,
            )
