"""The search space of alliance groupings: a pool of feasible alliances and its encoding.

A *grouping* is a set of alliances, each a lead village, its members and a mode. The
programme's rules (:class:`~model.world.alliance_params.AllianceParams`) bound each
alliance (``min_villages``-``max_villages`` villages, ``min_population``-``max_population``
people, members at most ``max_distance_km`` apart, one town when ``same_town``) and the
grouping (a member village is in one alliance; a lead may lead up to
``max_alliances_per_lead``).

The bounds of one alliance are met by construction: the pool holds only alliances that the
programme's own formation (:func:`~model.world.alliances.form_alliances`) grows, from the
scenario's own draw (the programme's grouping, always first) and from further draws of the
design stream. The bounds of the grouping are kept by :func:`repair`: a candidate is a
real vector (random keys, Bean 1994, *ORSA Journal on Computing* 6(2)): ``x[i] > 0.5``
switches pool alliance ``i`` on, its value ranks it, and ``x[P + i]`` picks its mode; the
repair accepts the switched-on alliances in rank order while they fit, and writes the
result back into the vector so that the genotype says what is evaluated.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.world.alliance_params import MODES, AllianceParams
from model.world.alliances import Alliances, FormationShortfallWarning, form_alliances
from model.world.county import County

#: Keys above this switch an alliance on.
ON = 0.5
#: Spread of the formation's score noise in the further draws of the pool: the default
#: draw's noise, and a noisier one that grows less greedy groups (assumption: doubling the
#: noise is enough to give groups the default draw does not make).
POOL_NOISE_FACTORS = (1.0, 2.0)


@dataclass(frozen=True)
class PoolAlliance:
    """One feasible alliance of the pool.

    Attributes:
        lead: Lead village row.
        members: Member rows, lead first.
        mode: The mode the programme's rule gives it.
    """

    lead: int
    members: tuple[int, ...]
    mode: str


@dataclass(frozen=True)
class Grouping:
    """A decoded candidate: pool indices of its alliances (pool order) and their modes."""

    alliances: tuple[int, ...]
    modes: tuple[str, ...]


@dataclass(frozen=True)
class GroupingSpace:
    """The pool of feasible alliances of a county under a scenario's rules.

    Attributes:
        pool: The alliances; the programme's grouping comes first, in its table order.
        programme: Pool indices of the programme's own grouping.
        max_per_lead: ``alliances.max_alliances_per_lead``.
        n_alliances: Alliances every candidate must hold (0 = as many as fit).
    """

    pool: tuple[PoolAlliance, ...]
    programme: tuple[int, ...]
    max_per_lead: int
    n_alliances: int = 0

    @property
    def n_var(self) -> int:
        """Length of a candidate vector: a key and a mode gene per pool alliance."""
        return 2 * len(self.pool)

    def programme_vector(self) -> np.ndarray:
        """The programme's grouping as a candidate (its alliances on, its modes)."""
        size = len(self.pool)
        x = np.full(self.n_var, ON / 2)
        x[list(self.programme)] = 1.0
        x[size:] = [mode_gene(alliance.mode) for alliance in self.pool]
        return x

    def decode(self, x: np.ndarray) -> Grouping:
        """The grouping a vector stands for, after the repair's acceptance rule."""
        accepted = self._accept(np.asarray(x, float))
        modes = tuple(self._mode(x, i) for i in accepted)
        return Grouping(tuple(accepted), modes)

    def _mode(self, x: np.ndarray, i: int) -> str:
        gene = float(x[len(self.pool) + i])
        return MODES[min(int(gene * len(MODES)), len(MODES) - 1)]

    def _accept(self, x: np.ndarray) -> list[int]:
        """Pool indices accepted: switched-on alliances in key order while they fit, then
        (with ``n_alliances``) the best-keyed others until there are enough; pool order."""
        keys = x[: len(self.pool)]
        order = np.lexsort((np.arange(len(keys)), -keys))
        taken = _Taken(self.max_per_lead)
        accepted = [int(i) for i in order if keys[i] > ON and taken.add(self.pool[i])]
        if self.n_alliances:
            accepted = accepted[: self.n_alliances]
            for i in order:
                if len(accepted) >= self.n_alliances:
                    break
                if keys[i] <= ON and taken.add(self.pool[int(i)]):
                    accepted.append(int(i))
        return sorted(accepted)

    def repair(self, x: np.ndarray) -> np.ndarray:
        """The vector whose switched-on alliances are exactly the accepted ones.

        Rejected alliances are switched off and accepted ones on, each keeping its rank
        among its kind, so that decoding the repaired vector gives the same grouping.
        """
        out = np.clip(np.asarray(x, float).copy(), 0.0, 1.0)
        keys = out[: len(self.pool)]
        accepted = np.zeros(len(keys), dtype=bool)
        accepted[list(self.decode(out).alliances)] = True
        switch_on, switch_off = accepted & (keys <= ON), ~accepted & (keys > ON)
        # [0, 0.5] -> (0.5, 0.625] and (0.5, 1] -> (0.25, 0.5]: order kept within each kind.
        keys[switch_on] = ON + (1 - ON) * keys[switch_on] / 2 + 1e-6
        keys[switch_off] = ON * keys[switch_off]
        out[: len(self.pool)] = np.clip(keys, 0.0, 1.0)
        return out

    def table(self, grouping: Grouping, county: County) -> pd.DataFrame:
        """The grouping as alliance-file lines: ``alliance_id, village_id, mode, lead``."""
        ids = county.villages["village_id"].to_numpy()
        rows = []
        for k, (i, mode) in enumerate(zip(grouping.alliances, grouping.modes, strict=True)):
            alliance = self.pool[i]
            for member in alliance.members:
                rows.append(
                    {
                        "alliance_id": f"A{k + 1:03d}",
                        "village_id": str(ids[member]),
                        "mode": mode,
                        "lead": member == alliance.lead,
                    }
                )
        return pd.DataFrame(rows, columns=["alliance_id", "village_id", "mode", "lead"])


def mode_gene(mode: str) -> float:
    """The mode gene (middle of its interval) of a mode."""
    return (MODES.index(mode) + 0.5) / len(MODES)


class _Taken:
    """Villages used so far: members once, leads up to ``max_per_lead`` alliances."""

    def __init__(self, max_per_lead: int) -> None:
        self.max_per_lead = max_per_lead
        self.members: set[int] = set()
        self.led: dict[int, int] = {}

    def add(self, alliance: PoolAlliance) -> bool:
        """Take the alliance's villages if they are free; whether it was taken."""
        others = set(alliance.members) - {alliance.lead}
        if others & self.members or others & set(self.led):
            return False
        if alliance.lead in self.members or self.led.get(alliance.lead, 0) >= self.max_per_lead:
            return False
        self.members |= others
        self.led[alliance.lead] = self.led.get(alliance.lead, 0) + 1
        return True


def build_space(
    county: County,
    params: AllianceParams,
    programme: Alliances,
    seed: int,
    draws: int = 4,
    n_alliances: int = 0,
) -> GroupingSpace:
    """The pool of a county: the programme's grouping, then further formation draws.

    Args:
        county: The built county.
        params: The scenario's ``alliances`` section (its bounds are the pool's).
        programme: The programme's own grouping (the scenario's formation).
        seed: Seed of the further draws (the design stream of the scenario seed).
        draws: Further formation draws per noise factor.
        n_alliances: Alliances each candidate must hold (0 = as many as fit).
    """
    pool: list[PoolAlliance] = []
    index_of: dict[tuple[int, ...], int] = {}

    def add(alliances: Alliances) -> list[int]:
        indices = []
        for row in alliances.table.itertuples():
            members = tuple(int(m) for m in row.members)
            if members not in index_of:
                index_of[members] = len(pool)
                pool.append(PoolAlliance(int(row.lead), members, str(row.mode)))
            indices.append(index_of[members])
        return indices

    programme_rows = add(programme)
    sequence = np.random.SeedSequence(seed)
    for factor, child in zip(
        np.repeat(POOL_NOISE_FACTORS, draws),
        sequence.spawn(draws * len(POOL_NOISE_FACTORS)),
        strict=True,
    ):
        varied = params.model_copy(
            update={"score_noise": params.score_noise * factor, "source": "formed"}
        )
        with warnings.catch_warnings():
            # The programme's own formation has warned of a shortfall already.
            warnings.simplefilter("ignore", FormationShortfallWarning)
            add(form_alliances(county, varied, np.random.default_rng(child)))
    return GroupingSpace(
        tuple(pool), tuple(programme_rows), params.max_alliances_per_lead, n_alliances
    )
