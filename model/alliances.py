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

Counting coverage
-----------------
The programme reports 181 alliances covering 453 villages, each alliance of 3–5 villages and
1,000–2,000 people. These cannot all hold at once: 181 alliances of at least 3 villages
need at least 543 villages. The default keeps the programme's rules and the 453 villages
(``coverage_counts = "all_members"``), which forms about 145 alliances; ``target_alliances
= 181`` is then a cap that is not reached. Alternatives: ``coverage_counts =
"besides_lead"`` reads 453 as the villages joined to 181 lead villages (634 in all), which
the synthetic county's village sizes fit only with ``max_population`` ≈ 2,500; or
``min_villages = 2`` with all members. Formation stops at whichever target comes first.

Groupings can also be read from a CSV/Parquet file with columns ``alliance_id, village_id``
and optional ``mode`` (one of :data:`MODES`) and ``lead`` (true/false; at most one per
alliance, default: the strongest member). Randomness comes only from the generator passed
in (``model.rng.stream(seed, "alliances")``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Self

import numpy as np
import pandas as pd
from pydantic import model_validator
from scipy.spatial import cKDTree

from model.county import County, RowLabel, blank_cells, line_label, parse_bool, read_table
from model.errors import InputError
from model.params import Section, param

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
        source="assumption: the report's 453 villages are read as all members; 181 alliances "
        "of 3-5 villages cannot cover only 453 (see the module docstring)",
        description="Whether coverage_target counts all members or the members besides the lead",
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
            ``population``, ``diameter_km`` (largest distance between two members).
        membership: Per village row, the alliance's row in ``table``, or -1.
        unplaced: Targeted villages left out, and why: ``village_id, town, population,
            reason``.
    """

    table: pd.DataFrame
    membership: np.ndarray
    unplaced: pd.DataFrame


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
        path = file_path if file_path is not None else _find(params.file)
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
        groups, unplaced = _grow_alliances(county, params, rng)
        ids = [f"A{k + 1:03d}" for k in range(len(groups))]
        modes, leads = [None] * len(groups), [None] * len(groups)
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
    for row, members in enumerate(table["members"]):
        membership[list(members)] = row
    return Alliances(table=table, membership=membership, unplaced=_unplaced_frame(unplaced))


def alliance_summary(alliances: Alliances) -> dict[str, object]:
    """Counts for tables and ``county --json``.

    Returns:
        alliances, allied_villages, covered_besides_lead, modes (count per mode),
        alliance_size_min/max, alliance_population_min/max, alliance_diameter_max_km,
        unplaced, unplaced_reasons (count per reason kind).
    """
    t = alliances.table
    n = len(t)
    reasons = alliances.unplaced["reason"].map(_reason_kind).value_counts()
    return {
        "alliances": n,
        "allied_villages": int(t["n_villages"].sum()),
        "covered_besides_lead": int((t["n_villages"] - 1).sum()),
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


def _grow_alliances(
    county: County, params: AllianceParams, rng: np.random.Generator
) -> tuple[list[tuple[int, ...]], list[dict[str, object]]]:
    """Greedy seed-and-grow (see the module docstring). Returns groups and unplaced rows."""
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
        group, why = _grow(s, cand, desired, xy, pop, industry, strength, need, params, rng)
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
    return groups, unplaced


def _desired_size(
    params: AllianceParams,
    target_a: int,
    target_c: int,
    formed: int,
    covered: int,
    rng: np.random.Generator,
) -> int:
    """Villages this alliance should have so the targets are met together.

    Each alliance takes the remaining coverage divided by the remaining alliances (plus
    its lead when coverage counts members besides the lead), rounded up or down at random
    so that the average comes out right.
    """
    # Always one draw, so that the stream does not depend on which branch is taken.
    u = rng.random()
    if not (target_a and target_c):
        return params.min_villages
    per = max(target_c - covered, 0) / max(target_a - formed, 1)
    if params.coverage_counts == "besides_lead":
        per += 1.0
    size = int(np.floor(per)) + int(u < per - np.floor(per))
    return int(np.clip(size, params.min_villages, params.max_villages))


def _grow(
    seed: int,
    cand: np.ndarray,
    desired: int,
    xy: np.ndarray,
    pop: np.ndarray,
    industry: np.ndarray,
    strength: np.ndarray,
    need: np.ndarray,
    params: AllianceParams,
    rng: np.random.Generator,
) -> tuple[tuple[int, ...] | None, str]:
    """Grow one alliance from a seed; return the members or ``None`` and the reason."""
    d_max = params.max_distance_km
    if len(cand) == 0:
        return None, f"no unallied village of its town within {d_max:g} km"
    members = [seed]
    total = int(pop[seed])
    # Candidates' distance to every member so far (columns added as members join).
    dist = np.linalg.norm(xy[cand] - xy[seed], axis=1)[:, None]
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
        return None, (
            f"only {len(members)} villages fit together (within {d_max:g} km of each other "
            f"and {params.max_population} people, same town); needs {params.min_villages}"
        )
    if total < params.min_population:
        return None, (
            f"the best group of {len(members)} villages has {total} people; needs "
            f"{params.min_population}"
        )
    return tuple(members), ""


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
    goose = order[:n_goose]
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
    seen: dict[str, int] = {}
    for i, village in enumerate(vid):
        if village in seen:
            j = seen[village]
            raise InputError(
                str(path),
                "village_id",
                village,
                "a village belongs to at most one alliance",
                hint=f"{where(j)} (alliance '{aid[j]}') and {where(i)} (alliance '{aid[i]}')",
            )
        seen[village] = i

    modes_col = _file_modes(raw, path, where)
    leads_col = _file_leads(raw, path, where)

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


def _find(name: str) -> Path | None:
    """Find a data file as given, in the working directory or in the project root."""
    if not name:
        return None
    root = Path(__file__).resolve().parent.parent
    for option in (Path(name), Path.cwd() / name, root / name):
        if option.is_file():
            return option
    return None
