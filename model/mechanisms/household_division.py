"""Household division (分家): a married child's couple sets up a household of its own.

A household with a second working couple at home (working-age members beyond the head and
spouse: a married child and spouse, counted as labour) divides with chance
``demography.division.rate`` a year. The young couple, with the children when the head is
past childbearing age (they are the couple's), moves to a homestead of its own village.

* **Homesteads.** One rural household, one homestead (宅基地; Land Administration Law of the
  PRC, art. 62), and new homestead land is scarce, so a couple divides only where its
  village has a vacant homestead: the row of a household that dissolved or merged
  (:mod:`model.mechanisms.estates`) and holds no land. Couples of a village are housed in a
  random order while vacant homesteads last; the others stay a stem family this year.
* **Land.** The new household contracts no land: contract land is not redivided for new
  members during the contract term (增人不增地, Rural Land Contract Law of the PRC, 2018,
  art. 21 and 28), so it lives on wages until it inherits, pools in or rents land.
* **Work.** The couple takes its share of the household's migrant and local work
  (two labour units of the household's labour, in proportion).
* **Traits.** The head is the younger generation
  (:func:`~model.mechanisms.age_groups.worker_age`): more schooled and less attached to land
  by the cohort slopes, as a successor is (:func:`~model.mechanisms.age_groups.younger_generation`);
  it keeps the family's farming ability.
* **Property.** Family savings are divided per head (the couple and its children take
  their share of the positive deposits), through the ledger (``household_division``,
  households to households); debts, land, shares and assets stay with the parents.

The draws come from the ``household_division`` stream, one per household a year, so that
``rate = 0`` leaves every other stream, and the model, as without division.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from model.invariants import LAND_COLUMNS
from model.ledger import HOUSEHOLD_DIVISION
from model.mechanisms.age_groups import (
    children_of,
    head_couple_labour,
    worker_age,
    younger_generation,
)
from model.params import Section, param
from model.rng import stream

if TYPE_CHECKING:
    from model.jointmodel import JointVillageModel

#: Labour units of the couple that divides.
COUPLE = 2.0


class DivisionParams(Section):
    """Household division parameters (section ``demography.division``)."""

    rate: float = param(
        0.15,
        unit="1/yr",
        source="assumption: married sons mostly divide from their parents within a few years "
        "of marriage in north China's villages (Yan, Private Life under Socialism, 2003: "
        "Xiajia village); 0.15 a year is a stem family of about seven years",
        description="Yearly chance that a second working couple at home sets up its own "
        "household (where a homestead is vacant)",
        ge=0,
        le=1,
    )


@dataclass
class Division:
    """Rows of the households that divide this year and of the homesteads they take."""

    parents: np.ndarray
    homes: np.ndarray


class HouseholdDivision:
    """Household division, once a year in January (step ``births, deaths and ageing``).

    Args:
        model: The model.

    Attributes:
        divided: Households that divided this year.
    """

    def __init__(self, model: JointVillageModel) -> None:
        self.model = model
        self.params: DivisionParams = model.config.demography.division
        self.rng = stream(model.config.seed, "household_division", model.replicate)
        self.divided = 0

    def new_year(self) -> None:
        """Dividing couples move to vacant homesteads of their village."""
        hh = self.model.households
        draw = self.rng.random(hh.n)
        noise = self.rng.normal(0.0, self.model.config.demography.successor_attachment_sigma, hh.n)
        division = self.pair(draw)
        self.divided = len(division.parents)
        if self.divided:
            self.move(division, noise[division.parents])

    def couples_at_home(self, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """Which households (of ``rows``, default all) have a second working couple at home
        (and keep a member)."""
        hh = self.model.households
        labour, members = hh.labour[rows], hh.members[rows]
        young = labour - head_couple_labour(hh.head_age[rows], labour)
        return (members > 0) & (young >= COUPLE) & (members - self.moving(rows) >= 1)

    def moving(self, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """Members who would move with the couple (of the households ``rows``, default all):
        the couple and, past childbearing, the children."""
        hh = self.model.households
        past = hh.head_age[rows] >= self.model.config.demography.fertility_max_age
        return COUPLE + np.where(past, children_of(hh, rows), 0.0)

    def vacant_homesteads(self) -> np.ndarray:
        """Rows of dissolved or merged households that hold no land."""
        hh = self.model.households
        empty = np.flatnonzero(hh.members <= 0)  # few rows: the land is checked on them
        landless = hh.contracted_mu[empty] <= 0
        for name in LAND_COLUMNS:
            landless &= getattr(hh, name)[empty] <= 0
        vacant = np.zeros(hh.n, dtype=bool)
        vacant[empty[landless]] = True
        return vacant

    def pair(self, draw: np.ndarray) -> Division:
        """Dividing couples, in a random order within each village, and their homesteads."""
        hh = self.model.households
        drawn = np.flatnonzero(draw < self.params.rate)
        movers = drawn[self.couples_at_home(drawn)]
        movers = movers[np.lexsort((draw[movers], hh.village[movers]))]
        homes = np.flatnonzero(self.vacant_homesteads())
        mover_village, home_village = hh.village[movers], hh.village[homes]
        rank = np.arange(len(movers)) - np.searchsorted(mover_village, mover_village, "left")
        first = np.searchsorted(home_village, mover_village, "left")
        count = np.searchsorted(home_village, mover_village, "right") - first
        housed = rank < count
        return Division(movers[housed], homes[first[housed] + rank[housed]])

    def move(self, division: Division, noise: np.ndarray) -> None:
        """The couple (and children) leave the parents' row for the homestead's row."""
        model = self.model
        hh = model.households
        demography = model.config.demography
        parents, homes = division.parents, division.homes
        members = self.moving(parents)
        share = COUPLE / hh.labour[parents]
        head_age = worker_age(
            hh.head_age[parents], hh.labour[parents], demography.generation_gap,
            demography.working_age,
        )  # fmt: skip
        gap = hh.head_age[parents] - head_age
        education, earning, attachment = younger_generation(
            hh, parents, gap, model.config.households, demography.cohort_attachment_slope, noise
        )
        savings = np.maximum(hh.savings[parents], 0.0) * members / hh.members[parents]
        for name in ("migrant", "local_wage"):
            values = getattr(hh, name)
            taken = values[parents] * share
            values[homes] = taken
            values[parents] -= taken
        hh.members[homes], hh.labour[homes], hh.elderly[homes] = members, COUPLE, 0.0
        hh.members[parents] -= members
        hh.labour[parents] -= COUPLE
        hh.head_age[homes] = head_age
        hh.education[homes], hh.earning[homes], hh.attachment[homes] = (
            education,
            earning,
            attachment,
        )
        hh.ability[homes] = hh.ability[parents]
        hh.savings[parents] -= savings
        hh.savings[homes] += savings
        model.ledger.pay("households", "households", HOUSEHOLD_DIVISION, float(savings.sum()))
