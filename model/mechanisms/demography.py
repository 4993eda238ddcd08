"""Demography: heads age; members are born, die and leave; households dissolve and merge.

Members are counted in three age groups per household: children (under ``working_age``),
working-age labour (``labour``) and the elderly (``elderly``, 60+); children are the rest,
``members - labour - elderly``. The ages the rates need are read from the head's age: the
head's generation is the head's age, the parents' generation ``generation_gap`` years older
and the children's ``generation_gap`` years younger (a stated assumption, as the columns
keep counts, not persons).

Once a year, in January from the second year on (step ``births, deaths and ageing``):

1. **Ageing.** Heads age one year; a head who turns 60 moves with the spouse from labour
   to the elderly. Each child reaches working age with chance ``1 / working_age`` (ages
   spread evenly); of those, ``school_city_share`` leave the household for school or the
   city (their registration moves with them).
2. **Births.** Members of childbearing age bear children at one rate per member, set so
   that the county's crude birth rate at the start is ``crude_birth_rate``.
3. **Deaths.** Each member dies with the Gompertz chance ``1 - exp(-m(age))``,
   ``m(x) = max(mortality_floor, mortality_at_60 x exp(mortality_slope x (x - 60)))``.
4. **Succession.** A dead head's spouse takes over (same age); if none is left, a child
   does (``generation_gap`` years younger, more schooled by the cohort slope of
   ``households.education_age_slope``, and less attached to land by
   ``cohort_attachment_slope``); if only children are left the household dissolves. A
   living head of ``handover_age`` or more hands over to a working-age child with chance
   ``handover_rate`` a year.
5. **Dissolution and merger.** A household with nobody left, or with children only,
   dissolves into an heir household of the same village (drawn among the village's other
   households: a child's or a relative's); a single elder of ``merger_age`` or more moves
   in with a household of working-age members of the same village with chance
   ``merger_rate`` a year. Members, land, shares, savings and debts pass to the heir
   (:mod:`model.mechanisms.estates`); the row stays, empty (``members`` 0), so that row is
   household id in every output. Empty households earn nothing.
6. **Division (分家).** A second working couple at home sets up its own household on a
   vacant homestead of the village (:mod:`model.mechanisms.household_division`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from model.mechanisms.age_groups import (
    ELDERLY_AGE,
    children_of,
    head_couple_labour,
    retire_labour,
    shrink_labour,
    worker_age,
    younger_generation,
)
from model.mechanisms.estates import fold_into_heirs, pick_heirs
from model.mechanisms.household_division import DivisionParams, HouseholdDivision
from model.params import Section, param
from model.rng import stream

if TYPE_CHECKING:
    from model.households import HouseholdTable
    from model.jointmodel import JointVillageModel


class DemographyParams(Section):
    """Demography parameters (section ``demography``)."""

    enabled: bool = param(
        True,
        unit="-",
        source="model design: switch (off keeps the households as built)",
        description="Households age, bear children, die, leave, dissolve and merge",
    )
    crude_birth_rate: float = param(
        0.0075,
        unit="1/person/yr",
        source="NBS statistical communiques: China's crude birth rate 8.52 per mille in 2020 "
        "(census year) and 6.39 in 2023; assumption: 7.5 per mille for rural Anqiu",
        description="Births per registered member a year at the start",
        ge=0,
        le=0.05,
    )
    fertility_max_age: float = param(
        45.0,
        unit="yr",
        source="assumption: births after 45 are negligible (2020 census age-specific fertility)",
        description="Age above which members bear no children",
        ge=30,
        le=55,
    )
    generation_gap: float = param(
        28.0,
        unit="yr",
        source="assumption: mean age of mothers at birth about 27-29 (2020 census fertility "
        "by age)",
        description="Years between a household's generations",
        ge=15,
        le=40,
    )
    working_age: float = param(
        16.0,
        unit="yr",
        source="Labour Law of the PRC art. 15: minimum working age 16",
        description="Age at which a child becomes working-age labour",
        ge=12,
        le=20,
    )
    school_city_share: float = param(
        0.3,
        unit="share",
        source="assumption: gross tertiary enrolment 60.2 % in 2023 (Ministry of Education "
        "statistical bulletin), lower for rural youth, and many keep their rural hukou",
        description="Share of young people reaching working age who leave for school or city",
        ge=0,
        le=1,
    )
    mortality_at_60: float = param(
        0.0075,
        unit="1/yr",
        source="assumption: Gompertz hazard fitted by eye to the 2020 census death rates by "
        "age (Tabulation on the 2020 Population Census of China): ~0.75 % a year at 60",
        description="Mortality at age 60 (Gompertz level)",
        ge=0,
        le=0.1,
    )
    mortality_slope: float = param(
        0.095,
        unit="1/yr",
        source="assumption: human mortality doubles every ~7 years of adult age (Gompertz "
        "slope 0.08-0.11); with the level gives ~5 % a year at 80 and ~13 % at 90",
        description="Gompertz slope of mortality in age",
        ge=0,
        le=0.2,
    )
    mortality_floor: float = param(
        0.0008,
        unit="1/yr",
        source="assumption: death rates of children and young adults below 1 per mille "
        "(2020 census)",
        description="Mortality of the young (the Gompertz hazard never falls below it)",
        ge=0,
        le=0.05,
    )
    cohort_attachment_slope: float = param(
        0.015,
        unit="1/yr of birth",
        source="assumption: the post-1980 generation of rural people is less attached to "
        "farming than its parents (new-generation migrant literature); one generation "
        "(28 years) lowers attachment by about a third",
        description="Fall of a successor's attachment to land per year they are younger",
        ge=0,
        le=0.1,
    )
    successor_attachment_sigma: float = param(
        0.3,
        unit="log-sd",
        source="assumption: successors differ from their parents",
        description="Spread of a successor's attachment around the cohort's",
        ge=0,
        le=2,
    )
    handover_age: float = param(
        70.0,
        unit="yr",
        source="assumption: old heads hand the household over to a working-age child",
        description="Age from which a living head may hand over to a child",
        ge=60,
        le=100,
    )
    handover_rate: float = param(
        0.1,
        unit="1/yr",
        source="assumption: heads of 70+ living with a working-age child hand over within "
        "about ten years",
        description="Yearly chance that such a head hands over to the child",
        ge=0,
        le=1,
    )
    merger_age: float = param(
        75.0,
        unit="yr",
        source="assumption: the old-old move in with a child",
        description="Age from which a single elder may move in with a child's household",
        ge=60,
        le=100,
    )
    merger_rate: float = param(
        0.1,
        unit="1/yr",
        source="assumption: about a third of rural elders live alone or as couples (2020 "
        "census); a tenth of single old-old elders move in with a child each year",
        description="Yearly chance that a single elder moves in with a child's household",
        ge=0,
        le=1,
    )
    division: DivisionParams = DivisionParams()


@dataclass
class YearCounts:
    """What demography did this year (persons or households, county totals)."""

    births: int = 0
    deaths: int = 0
    school_city: int = 0
    dissolved: int = 0
    merged: int = 0
    divided: int = 0


def gompertz_mortality(age: np.ndarray, params: DemographyParams) -> np.ndarray:
    """Yearly chance of dying at ``age``: ``1 - exp(-m(age))`` (module doc)."""
    hazard = params.mortality_at_60 * np.exp(params.mortality_slope * (age - ELDERLY_AGE))
    return 1.0 - np.exp(-np.maximum(hazard, params.mortality_floor))


def _counts(values: np.ndarray) -> np.ndarray:
    """Whole-person counts for the binomial draws (``values`` is a temporary: reused)."""
    np.maximum(values, 0.0, out=values)
    return np.rint(values, out=values).astype(np.int64)


def _binomial(
    rng: np.random.Generator, counts: np.ndarray, chance: Callable[[np.ndarray], Any]
) -> np.ndarray:
    """``rng.binomial(counts, chance)``, drawn and priced on the rows with a count only.

    numpy draws nothing for a count of 0, so the draws and the stream are those of one draw
    over every row; ``chance(rows)`` gives the rows' chances (or one for all). Counts are
    never negative (:func:`_counts`, or drawn), so the rows are those with a positive count:
    found from a mask, several times faster than ``flatnonzero`` of integers.
    """
    rows = np.flatnonzero(counts > 0)
    drawn = np.zeros(len(counts), dtype=np.int64)
    drawn[rows] = rng.binomial(counts[rows], chance(rows))
    return drawn


class Demography:
    """Births, deaths, ageing, succession, dissolution and merger, once a year.

    Args:
        model: The model.

    Attributes:
        birth_rate: Births per member of childbearing age a year (set at the start).
        year: What happened this year (:class:`YearCounts`).
    """

    def __init__(self, model: JointVillageModel) -> None:
        self.model = model
        self.params = model.config.demography
        self.rng = stream(model.config.seed, "demography", model.replicate)
        self.division = HouseholdDivision(model)
        hh = model.households
        fertile = float(self.fertile_members(hh).sum())
        self.birth_rate = self.params.crude_birth_rate * float(hh.members.sum()) / max(fertile, 1)
        self.year = YearCounts()

    def fertile_members(self, hh: HouseholdTable) -> np.ndarray:
        """Working-age members of childbearing age.

        Under a head younger than ``fertility_max_age``, all labour; otherwise the labour
        beyond the head and spouse (a younger generation: see
        :func:`~model.mechanisms.age_groups.worker_age`, always under 45 at the defaults).
        """
        young_head = hh.head_age < self.params.fertility_max_age
        return np.where(
            young_head, hh.labour, hh.labour - head_couple_labour(hh.head_age, hh.labour)
        )

    def new_year(self) -> None:
        """January from the second year: the past year's ageing, births and deaths."""
        model = self.model
        if not self.params.enabled or model.year_index == 0:
            return
        self.year = YearCounts()
        occupied = model.households.members > 0
        self.age()
        self.births()
        dies = self.deaths()
        orphaned = self.succeed(dies)
        self.hand_over(dies)
        self.dissolve(occupied & ((model.households.members <= 0) | orphaned))
        self.merge()
        self.division.new_year()
        self.year.divided = self.division.divided
        model.villages.population = model.villages.sum_by_village(model.households.members)
        model.villages.update_labour_at_home(model.households)

    def age(self) -> None:
        """Heads age a year; 60-year-old heads retire; children grow up or leave."""
        p = self.params
        hh = self.model.households
        occupied = hh.members > 0
        turning_60 = occupied & (hh.head_age < ELDERLY_AGE) & (hh.head_age + 1 >= ELDERLY_AGE)
        hh.head_age += occupied
        rows = np.flatnonzero(turning_60)
        head_generation = np.where(hh.members[rows] >= 2, 2.0, 1.0)
        retiring = np.minimum(hh.labour[rows], head_generation)
        retire_labour(hh, rows, retiring)
        hh.elderly[rows] += retiring
        grown = _binomial(self.rng, _counts(children_of(hh)), lambda _: 1.0 / p.working_age)
        leaving = _binomial(self.rng, grown, lambda _: p.school_city_share)
        hh.labour += grown - leaving
        hh.members -= leaving
        self.year.school_city = int(leaving.sum())

    def births(self) -> None:
        """Births to members of childbearing age (the children's count rises)."""
        hh = self.model.households
        fertile = self.fertile_members(hh)
        # Drawn on the rows with members of childbearing age: numpy draws nothing for a
        # mean of 0, so the draws are those over every row (the others gain nobody).
        rows = np.flatnonzero(fertile > 0)
        born = self.rng.poisson(self.birth_rate * fertile[rows])
        hh.members[rows] += born
        self.year.births = int(born.sum())

    def deaths(self) -> np.ndarray:
        """Deaths by age group; returns which heads died."""
        p = self.params
        hh = self.model.households
        rng = self.rng
        occupied = hh.members > 0
        head_old = (hh.head_age >= ELDERLY_AGE) & (hh.elderly >= 1)
        head_working = ~head_old & (hh.labour >= 1)
        draw = rng.random(hh.n)
        heads = np.flatnonzero(occupied & (head_old | head_working))
        head_dies = np.zeros(hh.n, dtype=bool)
        head_dies[heads] = draw[heads] < gompertz_mortality(hh.head_age[heads], p)
        head_age, labour = hh.head_age, hh.labour

        def elder_chance(rows: np.ndarray) -> np.ndarray:
            age = head_age[rows]
            return gompertz_mortality(np.where(head_old[rows], age, age + p.generation_gap), p)

        def worker_chance(rows: np.ndarray) -> np.ndarray:
            age = worker_age(head_age[rows], labour[rows], p.generation_gap, p.working_age)
            return gompertz_mortality(age, p)

        elderly_dead = _binomial(rng, _counts(hh.elderly - head_old), elder_chance)
        workers_dead = _binomial(rng, _counts(labour - head_working), worker_chance)
        children_dead = _binomial(rng, _counts(children_of(hh)), lambda _: p.mortality_floor)
        elderly_dead = elderly_dead + (head_dies & head_old)
        workers_dead = workers_dead + (head_dies & head_working)
        # Elsewhere labour stays, and so its work (a ratio of one), but where there is no
        # labour left its work goes too, as when every row is shrunk.
        shrinking = np.flatnonzero((workers_dead > 0) | (hh.labour <= 0))
        shrink_labour(hh, shrinking, hh.labour[shrinking] - workers_dead[shrinking])
        hh.elderly -= elderly_dead
        dead = elderly_dead + workers_dead + children_dead
        hh.members -= dead
        self.year.deaths = int(dead.sum())
        return head_dies

    def succeed(self, head_died: np.ndarray) -> np.ndarray:
        """A new head where the head died; returns the households with children only.

        The spouse (the head's age group still has members) keeps age and attachment; else
        a child of working age takes over, a generation younger (module doc); else a parent.
        """
        p = self.params
        hh = self.model.households
        # Worked out on the few rows whose head died.
        died = np.flatnonzero(head_died)
        head_old = hh.head_age[died] >= ELDERLY_AGE
        labour, elderly = hh.labour[died], hh.elderly[died]
        spouse = np.where(head_old, elderly >= 1, labour >= 1)
        child = ~spouse & head_old & (labour >= 1)
        parent = ~spouse & ~head_old & (elderly >= 1)
        hh.head_age[died[parent]] += p.generation_gap
        self._younger_heads(died[child])
        orphaned = np.zeros(hh.n, dtype=bool)
        orphaned[died] = ~spouse & ~child & ~parent & (hh.members[died] > 0)
        return orphaned

    def hand_over(self, head_died: np.ndarray) -> None:
        """Living heads of ``handover_age`` or more hand over to a working-age child."""
        p = self.params
        hh = self.model.households
        draw = self.rng.random(hh.n)
        able = ~head_died & (hh.head_age >= p.handover_age) & (hh.labour >= 1)
        self._younger_heads(np.flatnonzero(able & (draw < p.handover_rate)))

    def _younger_heads(self, rows: np.ndarray) -> None:
        """A child succeeds: younger, more schooled, less attached to land (module doc)."""
        p = self.params
        config = self.model.config.households
        hh = self.model.households
        gap = np.minimum(p.generation_gap, hh.head_age[rows] - p.working_age - 2.0)
        hh.head_age[rows] = np.clip(hh.head_age[rows] - gap, p.working_age + 2.0, ELDERLY_AGE - 1)
        noise = self.rng.normal(0.0, p.successor_attachment_sigma, len(rows))
        education, earning, attachment = younger_generation(
            hh, rows, gap, config, p.cohort_attachment_slope, noise
        )
        hh.education[rows], hh.earning[rows], hh.attachment[rows] = education, earning, attachment

    def dissolve(self, ending: np.ndarray) -> None:
        """Households with nobody left (or children only) pass everything to an heir.

        Args:
            ending: The households that were occupied and end this year.
        """
        model = self.model
        hh = model.households
        rows = np.flatnonzero(ending)
        candidates = (hh.members > 0) & ~ending
        heirs = pick_heirs(hh.village, rows, candidates, self.rng)
        fold_into_heirs(model, rows, heirs)
        self.year.dissolved = len(rows)

    def merge(self) -> None:
        """Single old-old elders move in with a working-age household of their village."""
        p = self.params
        model = self.model
        hh = model.households
        single = (hh.members == 1) & (hh.elderly == 1) & (hh.head_age >= p.merger_age)
        moving = single & (self.rng.random(hh.n) < p.merger_rate)
        rows = np.flatnonzero(moving)
        candidates = (hh.labour >= 1) & ~moving
        heirs = pick_heirs(hh.village, rows, candidates, self.rng)
        found = heirs >= 0
        fold_into_heirs(model, rows[found], heirs[found])
        self.year.merged = int(found.sum())
