"""Alliance agent: a joint party organisation of 3-5 villages and its governance cycle."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

if TYPE_CHECKING:
    from model.jointmodel import JointVillageModel


class Alliance(mesa.Agent):
    """A joint organisation (联建) of neighbouring villages.

    It runs the order/claim/evaluate cycle: a yearly task list, monthly tracking,
    quarterly scores, a yearly report. Scores set the performance pay at stake and so the
    members' effort, which adds to committee capacity. Tracking and scoring are done for
    every alliance at once by governance (:mod:`model.mechanisms.alliance_tasks`).

    Attributes:
        alliance_id: Identifier.
        members: Village rows, lead included.
        lead: Row of the lead village.
        mode: One of the four modes.
        first_secretary: Whether a first secretary is assigned.
        effort: Members' effort (0-1).
        score: Latest quarterly score (0-100).
        honours: Competitions won.
        tasks: This year's targets by task.
    """

    model: JointVillageModel

    def __init__(
        self,
        model: JointVillageModel,
        alliance_id: str,
        members: tuple[int, ...],
        lead: int,
        mode: str,
    ) -> None:
        super().__init__(model)
        self.alliance_id = alliance_id
        self.members: tuple[int, ...] = tuple(int(m) for m in members)
        self.lead = int(lead)
        self.mode = mode
        self.first_secretary = False
        self.effort = 0.0
        self.score = 50.0
        self.honours = 0
        self.tasks: dict[str, float] = {}
        self.baseline_income = 0.0

    def population(self) -> float:
        """Registered people in member villages."""
        return float(self.model.villages.population[list(self.members)].sum())

    def collective_income_mean(self) -> float:
        """Members' mean collective income last year (start income before the first)."""
        return float(self.model.collective.reference()[list(self.members)].mean())

    def split_shares(self, rule: str | None = None) -> np.ndarray:
        """Each village's share of a joint return (zeros outside the alliance).

        Args:
            rule: ``land``, ``equal`` or ``population``; default the scenario's
                ``policies.coop_shares.collective_split``.
        """
        model = self.model
        rule = rule or model.config.policies.coop_shares.collective_split
        members = list(self.members)
        weights = np.zeros(model.n_villages)
        if rule == "equal":
            weights[members] = 1.0
        elif rule == "population":
            weights[members] = model.villages.population[members]
        else:
            weights[members] = model.villages.cultivated[members]
        total = weights.sum()
        return weights / total if total > 0 else weights

    # -- governance cycle -------------------------------------------------------------

    def set_tasks(self) -> None:
        """Yearly task list (订单) from the mode and the members' situation."""
        model = self.model
        params = model.config.governance.scoring
        self.baseline_income = self.collective_income_mean()
        self.tasks = {"collective_income": self.baseline_income * (1 + params.income_growth_target)}
        if model.pooling.params.enabled:
            self.tasks["land_pooled_share"] = params.pooling_target
        if model.livestream.params.enabled:
            self.tasks["sellers"] = max(1.0, 0.01 * self.population() / 3.3)

    def report(
        self, collective_income: np.ndarray | None = None
    ) -> dict[str, float | str | int | bool]:
        """Annual report: one row of the alliance table.

        Args:
            collective_income: Every village's collective income for the year reported
                (default: this year's so far); the year-0 report passes the pre-programme one.
        """
        model = self.model
        members = list(self.members)
        income = model.collective.year_total() if collective_income is None else collective_income
        collective = income[members]
        return {
            "alliance_id": self.alliance_id,
            "mode": self.mode,
            "n_villages": len(members),
            "first_secretary": self.first_secretary,
            "score": self.score,
            "effort": self.effort,
            "honours": self.honours,
            "capacity_mean": float(model.villages.capacity[members].mean()),
            "collective_income_total": float(collective.sum()),
            "weak_members": int((collective < model.prices.weak_bar()).sum()),
        }
