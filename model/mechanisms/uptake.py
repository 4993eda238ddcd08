"""Staggered, selective uptake: an alliance takes up its projects one by one.

An allied village does not switch on every policy in the first month. Each alliance holds a
take-up budget, in projects. Every January it grows by

    projects_per_capacity x (mean committee capacity of the members)
    + projects_per_fund_project x (fund projects the alliance received last year),

(capable committees and funded alliances start more), and while the budget holds a whole
project the alliance takes up the next project of its list and spends one from the budget.
The list is ``order`` restricted to what the scenario switches on: land pooling, cash shares
in the pooling cooperative, an enterprise contract, and the yearly dynamics of its mode
(mentoring, market access, the project-traction contract). A project once taken up stays.
The budget starts at ``initial_projects`` (work the alliance brings to its founding).

Since the budget only ever grows faster with more capacity or more fund money, more of
either never delays a project (tested). With ``enabled = false`` every allied village has
every policy from month one, as before this mechanism.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import field_validator

from model.params import PROGRAMME_REPORT, Section, param

if TYPE_CHECKING:
    from model.jointmodel import JointVillageModel

Project = Literal["land_pooling", "mode", "coop_shares", "enterprise_contracts"]
PROJECTS: tuple[str, ...] = ("land_pooling", "mode", "coop_shares", "enterprise_contracts")


class UptakeParams(Section):
    """Staggered uptake of projects by alliances (``governance.uptake``)."""

    enabled: bool = param(
        True,
        unit="-",
        source="issue: allied villages do not switch on every policy at once; "
        + PROGRAMME_REPORT
        + ": the joint council sets its yearly task list and claims tasks in turn",
        description="Alliances take up their projects one by one (false: all in month one)",
    )
    initial_projects: float = param(
        1.0,
        unit="projects",
        source="assumption: an alliance is founded around one first project",
        description="Take-up budget of an alliance at its founding",
        ge=0,
        le=10,
    )
    projects_per_capacity: float = param(
        1.5,
        unit="projects/yr per capacity",
        source="assumption: a committee of capacity 0.5 starts about one project every 1-2 "
        "years, so the four projects reach most alliances within the programme's first "
        "three to four years",
        description="Projects a year an alliance starts per unit of mean committee capacity",
        ge=0,
        le=20,
    )
    projects_per_fund_project: float = param(
        0.5,
        unit="projects per fund project",
        source="assumption: a funded project brings staff and money that start the next one sooner",
        description="Take-up budget added per county fund project received the year before",
        ge=0,
        le=10,
    )
    order: list[Project] = param(
        ["land_pooling", "mode", "coop_shares", "enterprise_contracts"],
        unit="-",
        source="assumption: by expected return and prerequisites: pooling first (the "
        "programme's first task; rent above the family grain net), the mode's own work, "
        "then cash shares (which need pooled land) and a contract (which needs volume)",
        description="Order in which an alliance takes up its projects",
    )

    @field_validator("order")
    @classmethod
    def _each_once(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError(f"each project at most once (got {value})")
        return value


def budget_gain(capacity: float, fund_projects: float, params: UptakeParams) -> float:
    """Take-up budget an alliance gains in a year (projects); rises with both arguments.

    Args:
        capacity: Mean committee capacity of the members (0-1).
        fund_projects: County fund projects the alliance received the year before.
        params: The uptake parameters.
    """
    return params.projects_per_capacity * capacity + params.projects_per_fund_project * max(
        fund_projects, 0.0
    )


def take_up(budget: float, taken: int, available: list[str]) -> tuple[float, int]:
    """Spend a take-up budget on the next projects of the list.

    Args:
        budget: Take-up budget (projects).
        taken: Projects of ``available`` already taken up.
        available: The alliance's project list, in order.

    Returns:
        The budget left and the number of projects taken up so far.
    """
    while budget >= 1.0 - 1e-12 and taken < len(available):
        budget -= 1.0
        taken += 1
    return budget, taken


class Uptake:
    """Which projects each alliance has taken up.

    Args:
        model: The model (its alliances exist).

    Attributes:
        budget: Take-up budget of each alliance (projects).
        taken: Projects each alliance has taken up.
        started: Year index in which each alliance took up each project (-1: not yet).
        available: The scenario's projects in take-up order.
    """

    def __init__(self, model: JointVillageModel) -> None:
        self.model = model
        self.params = model.config.governance.uptake
        n_a = len(model.alliance_agents)
        self.available = [p for p in self.params.order if self._switched_on(p)]
        self.budget = np.full(n_a, self.params.initial_projects)
        self.taken = np.zeros(n_a, dtype=np.int64)
        self.started = {p: np.full(n_a, -1, dtype=np.int64) for p in PROJECTS}
        self._funding_seen = np.zeros(n_a)
        self._active = {p: np.ones(model.n_villages, dtype=bool) for p in PROJECTS}
        if self.params.enabled:
            self._take_up()

    def _switched_on(self, project: str) -> bool:
        policies = self.model.config.policies
        if project == "mode":
            return True
        return bool(getattr(policies, project).enabled)

    def new_year(self) -> None:
        """January (from the second year): budgets grow with capacity and fund; take up."""
        model = self.model
        if not self.params.enabled or model.year_index == 0 or not model.alliance_agents:
            return
        p = self.params
        capacity = model.villages.capacity
        funding = model.governance.alliance_funding
        fund_projects = (
            funding - self._funding_seen
        ) / model.config.governance.project_fund.project_size
        self._funding_seen = funding.copy()
        for i, alliance in enumerate(model.alliance_agents):
            cap = float(capacity[list(alliance.members)].mean())
            self.budget[i] += budget_gain(cap, float(fund_projects[i]), p)
        self._take_up()

    def _take_up(self) -> None:
        model = self.model
        year = model.year_index
        for i in range(len(model.alliance_agents)):
            before = int(self.taken[i])
            self.budget[i], self.taken[i] = take_up(self.budget[i], before, self.available)
            for project in self.available[before : self.taken[i]]:
                self.started[project][i] = year
        for project in PROJECTS:
            self._active[project] = self._villages_with(project)

    def _villages_with(self, project: str) -> np.ndarray:
        """Villages whose (primary) alliance has taken up ``project``; all others True."""
        model = self.model
        membership = model.villages.membership
        taken = self.started[project] >= 0
        return np.where(membership >= 0, np.append(taken, True)[membership], True)

    def active(self, project: str) -> np.ndarray:
        """Per village: whether ``project`` runs there (villages in no alliance: True)."""
        return self._active[project]

    def alliance_active(self, project: str, index: int) -> bool:
        """Whether the alliance at ``index`` has taken up ``project``."""
        return not self.params.enabled or bool(self.started[project][index] >= 0)
