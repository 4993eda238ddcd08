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
    members' effort, which adds to committee capacity.

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
        progress: Latest tracked progress by task (share of target).
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
        self.progress: dict[str, float] = {}
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

    def track(self) -> None:
        """Monthly tracking: progress on each task, pro rata to the month.

        Reads the village figures snapshotted for the month (``model.villages``: ``pooled``,
        ``sellers``, ``collective_ytd``).
        """
        villages = self.model.villages
        members = list(self.members)
        elapsed = self.model.month / 12.0
        progress: dict[str, float] = {}
        for task, target in self.tasks.items():
            if task == "collective_income":
                now = villages.collective_ytd[members].mean()
                progress[task] = now / max(target * elapsed, 1.0)
            elif task == "land_pooled_share":
                pooled = villages.pooled[members].sum()
                land = villages.cultivated[members].sum()
                progress[task] = pooled / max(land, 1e-9) / max(target, 1e-9)
            elif task == "sellers":
                progress[task] = villages.sellers[members].sum() / max(target, 1e-9)
        self.progress = progress

    def evaluate(self) -> None:
        """Quarterly evaluation (评单): score, and effort's response to the pay at stake."""
        model = self.model
        params = model.config.governance.scoring
        if not params.enabled or not self.progress:
            return
        achieved = np.mean([min(v, 1.2) / 1.2 for v in self.progress.values()])
        noise = model.governance_rng.normal(0.0, params.score_noise)
        self.score = float(np.clip(100.0 * achieved + noise, 0.0, 100.0))
        incentive = params.pay_per_point
        target = incentive / (incentive + params.effort_half_incentive)
        self.effort += params.effort_adjustment * (target - self.effort)
        self.effort = float(np.clip(self.effort, 0.0, 1.0))

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
