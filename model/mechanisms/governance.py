"""Governance: task lists, scores, pay and effort, competitions, first secretaries, the fund.

The joint council of each alliance sets a yearly task list (订单), assigns it (领单) and is
scored (评单): tracked monthly, scored quarterly, reported yearly. Scores feed members' pay;
effort responds to the pay at stake (``effort -> incentive / (incentive + half)``) and to
honours from the half-yearly competition, and effort adds to committee capacity, which the
mechanisms use. First secretaries add capacity and project access. The county project fund
is allocated by a selectable rule; every yuan is booked as public money.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np

from model.mechanisms.alliance_tasks import AllianceMembers, score_alliances, track_progress
from model.mechanisms.uptake import UptakeParams
from model.params import PROGRAMME_REPORT, Section, param

# The agent class (and so Mesa) only for the type: the scenario schema imports this module.
if TYPE_CHECKING:
    from agents.alliance import Alliance
    from model.jointmodel import JointVillageModel


class ScoringParams(Section):
    """Task lists, scores, pay and effort."""

    enabled: bool = param(
        True,
        unit="-",
        source=PROGRAMME_REPORT + ": order/claim/evaluate cycle",
        description="Run the task/score cycle in alliances",
    )
    pooling_target: float = param(
        0.5,
        unit="share",
        source="assumption",
        description="Target share of members' land pooled (when pooling is on)",
        ge=0,
        le=1,
    )
    income_growth_target: float = param(
        0.1,
        unit="1/yr",
        source="assumption: typical yearly target for collective income",
        description="Target growth of members' collective income",
        ge=-1,
        le=5,
    )
    score_noise: float = param(
        5.0, unit="points", source="assumption", description="Evaluation noise", ge=0, le=50
    )
    pay_per_point: float = param(
        100.0,
        unit="yuan/point/yr",
        source="assumption: cadre performance pay tied to scores (Anqiu programme report)",
        description="Yearly performance pay per score point per member village",
        ge=0,
        le=100000,
    )
    effort_half_incentive: float = param(
        100.0,
        unit="yuan/point/yr",
        source="assumption",
        description="Pay per point at which effort reaches half its maximum",
        gt=0,
        le=100000,
    )
    effort_adjustment: float = param(
        0.25,
        unit="1/quarter",
        source="assumption",
        description="Speed at which effort moves to its incentive level",
        ge=0,
        le=1,
    )
    effort_capacity_gain: float = param(
        0.1,
        unit="capacity",
        source="assumption",
        description="Committee capacity added at full effort",
        ge=0,
        le=1,
    )


class CompetitionParams(Section):
    """Half-yearly on-site competition (擂台比武)."""

    winners: int = param(
        18,
        unit="alliances",
        source="assumption: about a tenth of 181 alliances honoured",
        description="Alliances rewarded each half-year",
        ge=0,
        le=10000,
    )
    prize: float = param(
        50000.0,
        unit="yuan",
        source="assumption",
        description="Prize money per winning alliance (to member collectives)",
        ge=0,
        le=100_000_000,
    )
    honour_effort_gain: float = param(
        0.05,
        unit="effort",
        source="assumption: honours lift effort when there is a prize",
        description="Effort gained by winners (only when the prize is positive)",
        ge=0,
        le=1,
    )


class SecretaryParams(Section):
    """First secretaries (第一书记)."""

    count: int = param(
        81,
        unit="persons",
        source=PROGRAMME_REPORT + ": 81 first secretaries",
        description="First secretaries, each assigned to one alliance",
        ge=0,
        le=10000,
    )
    rule: Literal["weakest", "random", "largest"] = param(
        "weakest",
        unit="-",
        source=PROGRAMME_REPORT + ": targeted at weak, hollowed-out villages",
        description="Which alliances get a first secretary",
    )
    capacity_gain: float = param(
        0.1,
        unit="capacity",
        source="assumption",
        description="Capacity a first secretary adds to each member committee",
        ge=0,
        le=1,
    )
    project_priority: float = param(
        10.0,
        unit="points",
        source="assumption: secretaries bring project access",
        description="Bonus in the fund's ranking for alliances with a first secretary",
        ge=0,
        le=100,
    )


class ProjectFundParams(Section):
    """County project fund."""

    total: float = param(
        20_000_000.0,
        unit="yuan",
        source=PROGRAMME_REPORT + ": 36 projects, > 20 million yuan",
        description="Fund over the programme's first years",
        ge=0,
        le=1e11,
    )
    years: int = param(
        3,
        unit="yr",
        source="assumption: the programme's first years",
        description="Years over which the fund is spent",
        ge=1,
        le=50,
    )
    project_size: float = param(
        555_000.0,
        unit="yuan",
        source=PROGRAMME_REPORT + ": 20 million over 36 projects",
        description="Money per project",
        gt=0,
        le=1e9,
    )
    rule: Literal["competitive", "needs", "equal"] = param(
        "competitive",
        unit="-",
        source="model design: rules to compare (docs/ODD.md section 7.10)",
        description="Allocation rule: by score, weakest first, or equal shares",
    )
    project_return: float = param(
        0.1,
        unit="1/yr",
        source="assumption: rural collective projects (cold stores, workshops) ~8-12 %",
        description="Yearly income per yuan of a successful project",
        ge=0,
        le=1,
    )
    success_base: float = param(
        0.6,
        unit="share",
        source="assumption",
        description="Chance a project succeeds at committee capacity 0.5",
        ge=0,
        le=1,
    )
    success_capacity_weight: float = param(
        0.6,
        unit="share/capacity",
        source="assumption: capable committees run projects better",
        description="Success chance per unit of capacity above 0.5",
        ge=0,
        le=2,
    )


class GovernanceParams(Section):
    """Governance parameters."""

    scoring: ScoringParams = ScoringParams()
    competition: CompetitionParams = CompetitionParams()
    first_secretaries: SecretaryParams = SecretaryParams()
    project_fund: ProjectFundParams = ProjectFundParams()
    uptake: UptakeParams = UptakeParams()


class Governance:
    """Governance: the alliances' task cycle, capacity, secretaries, competition, the fund.

    Args:
        model: The model (its alliances exist).

    Attributes:
        secretary: Whether each alliance has a first secretary.
        project_income: Yearly income of each village's successful projects (yuan/yr).
        funded: Project money received by each village so far (yuan).
        alliance_funding: Project money received by each alliance so far (yuan).
        projects: Projects funded so far.
    """

    def __init__(self, model: JointVillageModel) -> None:
        self.model = model
        self.params = model.config.governance
        n_a = len(model.alliance_agents)
        n_v = model.n_villages
        self.secretary = np.zeros(n_a, dtype=bool)
        self.project_income = np.zeros(n_v)
        self.funded = np.zeros(n_v)
        self.alliance_funding = np.zeros(n_a)
        self.projects = 0
        self.members = AllianceMembers([a.members for a in model.alliance_agents], n_v)
        self.targets: dict[str, np.ndarray] = {}
        self.progress: dict[str, np.ndarray] = {}

    @property
    def alliances(self) -> list[Alliance]:
        """The alliances, by alliance identifier (the order of every per-alliance array)."""
        return self.model.alliance_agents

    # ----------------------------------------------------------------------------------
    # The task cycle and capacity

    def set_tasks(self) -> None:
        """January: every alliance sets its year's task list (kept as one array per task)."""
        alliances = self.alliances
        for alliance in alliances:  # identifier order, as ``agents_by_type[Alliance]``
            alliance.set_tasks()
        tasks = alliances[0].tasks if alliances else {}
        self.targets = {task: np.array([a.tasks[task] for a in alliances]) for task in tasks}

    def track_tasks(self) -> None:
        """Monthly tracking: progress on each task, pro rata to the month, every alliance.

        Snapshots the village figures the tasks read (``model.villages``: ``pooled``,
        ``sellers``, ``collective_ytd``) and sums them over each alliance's members.
        """
        model = self.model
        villages = model.villages
        villages.pooled = model.pooling.pooled_by_village()
        villages.sellers = villages.sum_by_village(model.households.seller.astype(float))
        villages.collective_ytd = model.collective.year_total()
        self.progress = track_progress(self.members, self.targets, villages, model.month)

    def evaluate(self) -> None:
        """Quarterly evaluation (评单): scores, and effort's response to the pay at stake.

        In alliance order, one draw of the governance stream each (as many as alliances).
        """
        params = self.params.scoring
        alliances = self.alliances
        if not params.enabled or not self.progress or not alliances:
            return
        effort = np.array([a.effort for a in alliances])
        rng = self.model.governance_rng
        score, effort = score_alliances(self.progress, params, rng, effort)
        for alliance, new_score, new_effort in zip(alliances, score, effort, strict=True):
            alliance.score = float(new_score)
            alliance.effort = float(new_effort)

    def update_capacity(self) -> None:
        """Effective capacity: base (mentored) + first secretary + effort."""
        model = self.model
        effort = np.zeros(model.n_villages)
        of_alliance = np.array([a.effort for a in self.alliances])
        # A lead of several alliances puts in the most any of them asks of it.
        np.maximum.at(effort, self.members.village, of_alliance[self.members.alliance])
        gain = self.params.scoring.effort_capacity_gain * effort
        villages = model.villages
        villages.capacity = np.clip(
            villages.base_capacity + self.secretary_capacity() + gain, 0.0, 1.0
        )

    def performance_pay(self) -> None:
        """December: performance pay of member cadres, tied to the alliance's score."""
        params = self.params.scoring
        if not params.enabled or params.pay_per_point <= 0 or not self.alliances:
            return
        bill = np.zeros(self.model.n_villages)
        for alliance in self.alliances:
            bill[list(alliance.members)] = alliance.score * params.pay_per_point
        self.model.accounts.spend_public("performance_pay", bill)
        self.model.accounts.pay_village_workers(bill, "government", "performance_pay")

    # ----------------------------------------------------------------------------------
    # First secretaries and the competition

    def assign_secretaries(self) -> None:
        """Assign first secretaries to alliances by the configured rule."""
        p = self.params.first_secretaries
        model = self.model
        alliances = self.alliances
        if not alliances or p.count == 0:
            return
        k = min(round(p.count * model.budget_scale), len(alliances))
        if p.rule == "weakest":
            key = np.array([a.collective_income_mean() for a in alliances])
            chosen = np.argsort(key, kind="stable")[:k]
        elif p.rule == "largest":
            key = np.array([-a.population() for a in alliances])
            chosen = np.argsort(key, kind="stable")[:k]
        else:
            chosen = model.governance_rng.permutation(len(alliances))[:k]
        self.secretary[chosen] = True
        for i in chosen:
            alliances[i].first_secretary = True

    def secretary_capacity(self) -> np.ndarray:
        """Capacity added to each village by its alliance's first secretary."""
        gain = np.zeros(self.model.n_villages)
        for i, alliance in enumerate(self.alliances):
            if self.secretary[i]:
                gain[list(alliance.members)] = self.params.first_secretaries.capacity_gain
        return gain

    def competition(self) -> None:
        """Half-yearly competition: prizes and honours to the best-scored alliances."""
        p = self.params.competition
        model = self.model
        alliances = self.alliances
        n_winners = round(p.winners * model.budget_scale)
        if not alliances or n_winners == 0 or p.prize <= 0:
            return
        scores = np.array([a.score for a in alliances])
        winners = np.argsort(-scores, kind="stable")[:n_winners]
        prize = np.zeros(model.n_villages)
        for i in winners:
            alliance = alliances[i]
            prize += alliance.split_shares(rule="equal") * model.prices.nominal(p.prize)
            alliance.effort = min(1.0, alliance.effort + p.honour_effort_gain)
            alliance.honours += 1
        model.accounts.spend_public("competition_prizes", prize)
        model.accounts.pay_collectives("prizes", prize, "government", "prize")

    # ----------------------------------------------------------------------------------
    # The project fund

    def fund_round(self) -> None:
        """January: allocate this year's project money by the configured rule."""
        p = self.params.project_fund
        model = self.model
        alliances = self.alliances
        if not alliances or model.year_index >= p.years or p.total <= 0:
            return
        # Counted in 2023 yuan: the fund and its projects follow the same index.
        n_projects = int(p.total * model.budget_scale / p.years // p.project_size)
        budget = model.prices.nominal(p.total) * model.budget_scale / p.years
        project_size = model.prices.nominal(p.project_size)
        per_village = np.zeros(model.n_villages)
        if p.rule == "equal":
            for i, alliance in enumerate(alliances):
                per_village += alliance.split_shares(rule="equal") * (budget / len(alliances))
                self.alliance_funding[i] += budget / len(alliances)
        else:
            if p.rule == "competitive":
                bonus = self.secretary * self.params.first_secretaries.project_priority
                key = -(np.array([a.score for a in alliances]) + bonus)
            else:  # needs: weakest collective income first
                key = np.array([a.collective_income_mean() for a in alliances])
            order = np.argsort(key, kind="stable")
            for j in range(n_projects):
                i = order[j % len(alliances)]
                per_village += alliances[i].split_shares(rule="equal") * project_size
                self.alliance_funding[i] += project_size
        self.projects += n_projects if p.rule != "equal" else len(alliances)
        # Success depends on the capacity that runs the project.
        capacity = model.modes.project_capacity()
        chance = np.clip(p.success_base + p.success_capacity_weight * (capacity - 0.5), 0, 1)
        success = model.governance_rng.random(model.n_villages) < chance
        self.funded += per_village
        self.project_income += per_village * p.project_return * success
        model.accounts.spend_public("project_fund", per_village, payee="market")

    def pay_project_income(self) -> None:
        """Monthly income of successful projects to their collectives."""
        self.model.accounts.pay_collectives(
            "projects", self.project_income / 12.0, "market", "project_income"
        )
