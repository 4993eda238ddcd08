"""Alliance formation's progress towards its targets, and what they ask of the next alliance.

The targets are ``target_alliances`` alliances covering ``coverage_target`` villages (both
scaled with the county). Each alliance's desired size takes the remaining coverage divided by
the remaining alliances; with shared leads, the targets also steer whether a seed's lead
should be one that already leads.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from model.world.alliance_params import AllianceParams


@dataclass
class FormationProgress:
    """The alliances formed so far, and the targets they are formed towards.

    Attributes:
        member: In an alliance, not as its lead.
        led: Alliances each village leads (the first village of a group, during growth).
        target_alliances: Alliances to form (0 = no target).
        target_coverage: Villages to cover (0 = no target).
        besides_lead: Coverage counts the villages besides the leads (else all villages).
        groups: The groups formed, their first village first.
        leads: Their leads as the strategy records them (``None``: the strongest member).
        reasons: Why a seed formed no alliance, by village row.
        covered: Villages covered, counted as ``coverage_counts`` says.
        n_shared: Alliances whose lead already led one when they formed.
    """

    member: np.ndarray
    led: np.ndarray
    target_alliances: int
    target_coverage: int
    besides_lead: bool = False
    groups: list[tuple[int, ...]] = field(default_factory=list)
    leads: list[int | None] = field(default_factory=list)
    reasons: dict[int, str] = field(default_factory=dict)
    covered: int = 0
    n_shared: int = 0

    def in_alliance(self, rows: np.ndarray | int | slice = slice(None)) -> np.ndarray | bool:
        """Whether villages (all by default) are in an alliance already, as member or lead."""
        return self.member[rows] | (self.led[rows] > 0)

    def target_reached(self) -> str:
        """Why formation stops here, or ``""`` while neither target is reached."""
        if self.target_alliances and len(self.groups) >= self.target_alliances:
            return f"alliance target reached ({self.target_alliances} alliances)"
        if self.target_coverage and self.covered >= self.target_coverage:
            return f"coverage target reached ({self.target_coverage} villages)"
        return ""

    def both_targets(self) -> bool:
        """Whether formation aims at a number of alliances and a coverage together."""
        return bool(self.target_alliances and self.target_coverage)

    def coverage_per_alliance(self) -> float:
        """Coverage still to reach per alliance still to form."""
        left = max(self.target_alliances - len(self.groups), 1)
        return max(self.target_coverage - self.covered, 0) / left

    def shared_share(self) -> float:
        """Share of the alliances so far whose lead already led another."""
        return self.n_shared / len(self.groups) if self.groups else 0.0

    def add(self, group: tuple[int, ...], lead: int | None) -> None:
        """Record a new alliance: its first village leads it, the others are members.

        An alliance under a lead that already leads adds its members only to the coverage.
        """
        first = group[0]
        self.member[list(group[1:])] = True
        added = len(group) - 1 if self.besides_lead or self.led[first] else len(group)
        self.n_shared += int(self.led[first] > 0)
        self.led[first] += 1
        self.groups.append(group)
        self.leads.append(lead)
        self.covered += added


def sharing_need(params: AllianceParams, progress: FormationProgress) -> float:
    """How much the targets call for a lead that already leads, in [-1, 1].

    An alliance under a new lead adds all its villages to the coverage, one under a lead
    that already leads one village fewer. While the remaining coverage per remaining
    alliance is below ``min_villages``, new leads would overshoot it and shared leads are
    favoured (up to 1 when it is a village or more below); above it they are avoided.
    Without both targets, or when coverage counts the villages besides the leads (which a
    shared lead does not change), shared leads are simply favoured (1).
    """
    if not progress.both_targets() or progress.besides_lead:
        return 1.0
    per = progress.coverage_per_alliance()
    return float(np.clip(params.min_villages - per, -1.0, 1.0))


def desired_size(
    params: AllianceParams, progress: FormationProgress, rng: np.random.Generator
) -> int:
    """Villages this alliance should have so the targets are met together.

    Each alliance takes the remaining coverage divided by the remaining alliances, plus
    its lead when coverage counts members besides the lead, or else plus the share of
    alliances whose lead already leads another (and so is covered already); rounded up or
    down at random so that the average comes out right.
    """
    # Always one draw, so that the stream does not depend on which branch is taken.
    u = rng.random()
    if not progress.both_targets():
        return params.min_villages
    per = progress.coverage_per_alliance()
    per += 1.0 if progress.besides_lead else progress.shared_share()
    size = int(np.floor(per)) + int(u < per - np.floor(per))
    return int(np.clip(size, params.min_villages, params.max_villages))
