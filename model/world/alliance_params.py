"""The ``alliances`` section of a scenario: size rules, targets, weights and the mode rule.

How formation uses them is told in :mod:`model.world.alliance_growth`; how modes are given in
:mod:`model.world.alliance_modes`; the alliance file in :mod:`model.world.alliance_files`.
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import model_validator

from model.params import PROGRAMME_REPORT, Section, param

#: The four modes of the programme (Anqiu programme report, 2023; see PROGRAMME_REPORT).
MODES = ("lead_goose", "strong_leads_weak", "industry_pull", "project_traction")


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
        3,
        unit="villages",
        source=PROGRAMME_REPORT,
        description="Fewest villages in an alliance",
        ge=2,
    )
    max_villages: int = param(
        5,
        unit="villages",
        source=PROGRAMME_REPORT,
        description="Most villages in an alliance",
        ge=2,
    )
    min_population: int = param(
        1000,
        unit="persons",
        source=PROGRAMME_REPORT,
        description="Smallest registered population of an alliance",
        ge=0,
    )
    max_population: int = param(
        2000,
        unit="persons",
        source=PROGRAMME_REPORT,
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
        source=PROGRAMME_REPORT,
        description="Number of alliances to form (0 = as many as the coverage target needs)",
        ge=0,
    )
    coverage_target: int = param(
        453,
        unit="villages",
        source=PROGRAMME_REPORT,
        description="Villages to cover, counted as coverage_counts says (0 = no target)",
        ge=0,
    )
    coverage_counts: Literal["all_members", "besides_lead"] = param(
        "all_members",
        unit="-",
        source="assumption: the report's 453 villages are read as all distinct villages in "
        "alliances, leads included (a lead may lead several; see model.world.alliance_growth)",
        description="Whether coverage_target counts all distinct villages in alliances or "
        "those besides the leads",
    )
    max_alliances_per_lead: int = param(
        3,
        unit="alliances",
        source=PROGRAMME_REPORT
        + ": 33 mentor secretaries + 50 strong lead villages for 181 alliances",
        description="Most alliances one lead village may lead; member villages join one "
        "alliance only (1 = every village in at most one alliance)",
        ge=1,
        le=10,
    )
    weight_lead_strength: float = param(
        3.0,
        unit="-",
        source=PROGRAMME_REPORT + ": strong (capable, well-off) villages lead weak ones "
        "(assumption: relative weight, set so that lead villages are mostly in the county's "
        "strongest half while staying close to their members)",
        description="Weight of how much stronger a possible lead is than the seed (strength "
        "rank gap) when a seed chooses its lead (max_alliances_per_lead > 1)",
        ge=0,
    )
    weight_shared_lead: float = param(
        4.0,
        unit="-",
        source="model calibration: 181 alliances over 453 villages (Anqiu programme report) need "
        "about half the alliances "
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
        source="assumption: allied villages hold 250-500 people each (Anqiu programme report: "
        "3-5 villages and 1,000-2,000 people per alliance)",
        description="Villages smaller than this are targeted (as are hollowed and weak ones)",
        ge=0,
    )
    need_weight_small: float = param(
        1.0,
        unit="-",
        source=PROGRAMME_REPORT + ": targeted at small villages",
        description="Weight of smallness in the seed order",
        ge=0,
    )
    need_weight_hollow: float = param(
        1.0,
        unit="-",
        source=PROGRAMME_REPORT + ": targeted at hollowed-out villages",
        description="Weight of hollowing in the seed order",
        ge=0,
    )
    need_weight_weak: float = param(
        1.0,
        unit="-",
        source=PROGRAMME_REPORT + ": heavy revitalisation tasks (weak collectives)",
        description="Weight of collective weakness in the seed order",
        ge=0,
    )
    weight_proximity: float = param(
        3.0,
        unit="-",
        source=PROGRAMME_REPORT + ": geographic proximity (assumption: relative weight, set so "
        "that alliances are compact, mean diameter ~2.5 km)",
        description="Weight of closeness to the group when growing an alliance",
        ge=0,
    )
    weight_industry: float = param(
        0.5,
        unit="-",
        source=PROGRAMME_REPORT + ": similar industry (assumption: relative weight)",
        description="Weight of sharing the members' industry",
        ge=0,
    )
    weight_complementarity: float = param(
        1.0,
        unit="-",
        source=PROGRAMME_REPORT + ": complementary resources, weak with strong "
        "(assumption: relative weight)",
        description="Weight of being stronger than every member so far",
        ge=0,
    )
    weight_weakness: float = param(
        0.5,
        unit="-",
        source=PROGRAMME_REPORT + ": targeted at weak villages (assumption: relative weight)",
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
        source=PROGRAMME_REPORT + ": 33 lead-goose mentors, 50 strong lead villages, the rest "
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
        source=PROGRAMME_REPORT + ": 33 mentor secretaries",
        description="anqiu_mix: alliances in lead-goose mode (most capable lead committees)",
        ge=0,
    )
    strong_leads_weak_count: int = param(
        50,
        unit="alliances",
        source=PROGRAMME_REPORT + ": 50 lead villages",
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
