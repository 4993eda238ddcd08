"""Alliance modes: which of the programme's four modes each alliance works in.

``mode_rule`` chooses: ``anqiu_mix`` (the Anqiu counts: the most capable lead committees get
the mentor secretaries, the largest strength gaps strong-leads-weak, the rest go by profile),
``single`` (one mode for all), ``by_profile`` (each alliance's lead capacity, strength gap and
shared specialty) or ``file`` (the alliance file's modes). Deterministic: no draws.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.world.alliance_params import AllianceParams
from model.world.county import County


def assign_modes(
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
    lead_capacity, ratio, shared = _profiles(table, county, params)
    modes = np.where(shared, "industry_pull", "project_traction").astype(object)
    if params.mode_rule == "by_profile":
        modes[ratio >= params.profile_strong_ratio] = "strong_leads_weak"
        modes[lead_capacity >= params.profile_lead_goose_capacity] = "lead_goose"
        return [str(m) for m in modes]
    # anqiu_mix: the most capable lead committees get the mentor secretaries (lead-goose),
    # then the largest strength gaps get strong-leads-weak, the rest go by profile.
    n_goose = min(n, round(params.lead_goose_count * county.scale))
    n_strong = min(n - n_goose, round(params.strong_leads_weak_count * county.scale))
    order = np.lexsort((np.arange(n), -lead_capacity))
    goose = np.array(_one_per_lead(order, table["lead"].to_numpy())[:n_goose], dtype=np.int64)
    modes[goose] = "lead_goose"
    rest = np.setdiff1d(np.arange(n), goose)
    strong = rest[np.lexsort((rest, -ratio[rest]))][:n_strong]
    modes[strong] = "strong_leads_weak"
    return [str(m) for m in modes]


def _profiles(
    table: pd.DataFrame, county: County, params: AllianceParams
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per alliance: its lead's committee capacity, the lead's strength over the members'
    mean strength, and whether one specialty is shared widely enough for industry-pull."""
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
    return lead_capacity, ratio, shared


def _one_per_lead(order: np.ndarray, leads: np.ndarray) -> list[int]:
    """``order`` with each lead's first alliance first, then the leads' further alliances.

    One mentor secretary per lead-goose alliance: each capable lead is taken once (a lead of
    several alliances mentors one of them), and only then a lead's further alliances.
    """
    seen: set[int] = set()
    first, further = [], []
    for i in order:
        (further if int(leads[i]) in seen else first).append(int(i))
        seen.add(int(leads[i]))
    return first + further


def _shares_specialty(industries: np.ndarray, min_share: float) -> bool:
    """Whether one non-grain specialty covers at least ``min_share`` of the members."""
    special = industries[industries != "grain"]
    if len(special) == 0:
        return False
    _, counts = np.unique(special, return_counts=True)
    return counts.max() / len(industries) >= min_share
