"""The alliances' task cycle over every alliance at once: monthly progress, quarterly scores.

Governance (:mod:`model.mechanisms.governance`) tracks every alliance's tasks monthly from
village figures summed or averaged over its members, and scores them quarterly. One
alliance at a time that is a handful of numpy calls per alliance and month; here it is one
gather per figure for all of them (:class:`AllianceMembers`). The sums are accumulated member by
member, in member order, which is the order numpy itself adds up an array of fewer than 8
values: the results are bit-identical to ``values[members].sum()`` and ``.mean()``. An
alliance of 8 villages or more (numpy then sums pairwise) is summed by numpy itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from model.mechanisms.governance import ScoringParams
    from model.villages import VillageTable

#: Above this many members numpy sums pairwise, not one value after the other.
SEQUENTIAL_SUM_MAX = 7


class AllianceMembers:
    """Member villages of each alliance, as a padded index matrix.

    Args:
        members: Each alliance's member village rows, in alliance order.
        n_villages: Villages in the county (the padding points one past the last).

    Attributes:
        index: Alliance x member slot -> village row (``n_villages`` where the alliance has
            fewer members than the largest).
        count: Members of each alliance.
        alliance: Alliance of each (alliance, member) pair, alliance by alliance.
        village: Village of each pair, in the same order.
    """

    def __init__(self, members: Sequence[Sequence[int]], n_villages: int) -> None:
        self.n_villages = n_villages
        self.count = np.array([len(m) for m in members], dtype=np.int64)
        width = int(self.count.max()) if len(members) else 0
        self.index = np.full((len(members), width), n_villages, dtype=np.int64)
        for row, villages in enumerate(members):
            self.index[row, : len(villages)] = villages
        self.alliance = np.repeat(np.arange(len(members)), self.count)
        self.village = self.index[self.index < n_villages]
        self._large = [
            (row, list(villages))
            for row, villages in enumerate(members)
            if len(villages) > SEQUENTIAL_SUM_MAX
        ]

    def __len__(self) -> int:
        return len(self.count)

    def sum(self, values: np.ndarray) -> np.ndarray:
        """Each alliance's sum of a village figure (as ``values[members].sum()``)."""
        padded = np.append(np.asarray(values, dtype=float), 0.0)[self.index]
        if padded.shape[1] == 0:
            return np.zeros(len(self))
        total = padded[:, 0].copy()
        for slot in range(1, padded.shape[1]):
            total += padded[:, slot]  # adding the padding's 0.0 leaves a total unchanged
        for row, villages in self._large:
            total[row] = values[villages].sum()
        return total

    def mean(self, values: np.ndarray) -> np.ndarray:
        """Each alliance's mean of a village figure (as ``values[members].mean()``)."""
        return self.sum(values) / np.maximum(self.count, 1)


def track_progress(
    members: AllianceMembers,
    targets: dict[str, np.ndarray],
    villages: VillageTable,
    month: int,
) -> dict[str, np.ndarray]:
    """Progress of every alliance on each task (share of the target), pro rata to the month.

    Args:
        members: The alliances' members.
        targets: This year's target of each task, by alliance.
        villages: Village state with this month's ``pooled``, ``sellers``, ``collective_ytd``.
        month: Month of the year (1-12).
    """
    elapsed = month / 12.0
    progress: dict[str, np.ndarray] = {}
    for task, target in targets.items():
        if task == "collective_income":
            now = members.mean(villages.collective_ytd)
            progress[task] = now / np.maximum(target * elapsed, 1.0)
        elif task == "land_pooled_share":
            land = np.maximum(members.sum(villages.cultivated), 1e-9)
            progress[task] = members.sum(villages.pooled) / land / np.maximum(target, 1e-9)
        elif task == "sellers":
            progress[task] = members.sum(villages.sellers) / np.maximum(target, 1e-9)
    return progress


def score_alliances(
    progress: dict[str, np.ndarray],
    params: ScoringParams,
    rng: np.random.Generator,
    effort: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Quarterly evaluation (评单): every alliance's score, and its effort's response to pay.

    The score is the mean share of the targets reached (each capped at 1.2), out of 100,
    plus evaluation noise (one draw per alliance, in alliance order); effort moves towards
    ``incentive / (incentive + half)`` by ``effort_adjustment``.

    Args:
        progress: From :func:`track_progress` (at least one task).
        params: The scoring parameters.
        rng: The governance stream.
        effort: Each alliance's effort now.

    Returns:
        ``(score, effort)`` by alliance.
    """
    # The mean over tasks, added up task by task as numpy adds a short list.
    capped = [np.minimum(value, 1.2) / 1.2 for value in progress.values()]
    achieved = capped[0].copy()
    for value in capped[1:]:
        achieved += value
    achieved /= len(capped)
    noise = rng.normal(0.0, params.score_noise, size=len(effort))
    score = np.clip(100.0 * achieved + noise, 0.0, 100.0)
    incentive = params.pay_per_point
    target = incentive / (incentive + params.effort_half_incentive)
    return score, np.clip(effort + params.effort_adjustment * (target - effort), 0.0, 1.0)
