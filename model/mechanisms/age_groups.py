"""A household's age groups: children, working-age labour and the elderly, as counts.

The household columns count members by group (``labour``, ``elderly``; children are the
rest) and keep one age, the head's. The ages of the other groups are read from it by
generation (:mod:`model.mechanisms.demography`), and labour that leaves a group takes its
migrant and local work with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from model.households import HouseholdTable
    from model.world.households import HouseholdParams

#: Age at which a member counts among the elderly (the household columns' definition).
ELDERLY_AGE = 60.0


def head_couple_labour(head_age: np.ndarray, labour: np.ndarray) -> np.ndarray:
    """Working-age members of the head's generation: head and spouse, while under 60."""
    return np.where(head_age < ELDERLY_AGE, np.minimum(labour, 2.0), 0.0)


def worker_age(
    head_age: np.ndarray, labour: np.ndarray, generation_gap: float, working_age: float
) -> np.ndarray:
    """Age of a household's younger working-age members.

    The youngest generation of working age, ``head_age - k x generation_gap`` with the
    largest ``k`` that leaves it at ``working_age`` or more, where there is labour beyond
    the head and spouse; the head's age otherwise.
    """
    generations = np.floor(np.maximum(head_age - working_age, 0.0) / generation_gap)
    youngest = head_age - generations * generation_gap
    # Labour beyond the head's couple (``labour > head_couple_labour``): beyond two under
    # 60, any at all from 60 on; compared with the bound, without the couple's count.
    beyond = labour > np.where(head_age < ELDERLY_AGE, 2.0, 0.0)
    return np.where(beyond, youngest, head_age)


def younger_generation(
    hh: HouseholdTable,
    rows: np.ndarray,
    gap: np.ndarray,
    config: HouseholdParams,
    cohort_attachment_slope: float,
    noise: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Schooling, earning ability and land attachment of the rows' younger generation.

    ``gap`` years younger than the rows' heads: more schooled by the cohort slope of
    ``households.education_age_slope`` (earning rises by its return), and less attached to
    land by ``cohort_attachment_slope`` per year, times a personal ``exp(noise)``.

    Returns:
        Education (years), earning ability and attachment (yuan/mu/yr), one per row.
    """
    education = hh.education[rows]
    more_school = np.clip(education - config.education_age_slope * gap, 0, 16)
    earning = hh.earning[rows] * np.exp(config.schooling_return * (more_school - education))
    attachment = hh.attachment[rows] * np.exp(-cohort_attachment_slope * gap + noise)
    return more_school, earning, attachment


def children_of(hh: HouseholdTable, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
    """Members under working age (what is neither labour nor elderly), of ``rows``."""
    # In place on the first difference: one household-sized array rather than three.
    children = hh.members[rows] - hh.labour[rows]
    children -= hh.elderly[rows]
    return np.maximum(children, 0.0, out=children)


def shrink_labour(hh: HouseholdTable, rows: np.ndarray, new_labour: np.ndarray) -> None:
    """Set the rows' working-age labour, shrinking migrant and local work in proportion."""
    labour = hh.labour[rows]
    ratio = np.divide(new_labour, labour, out=np.zeros_like(new_labour), where=labour > 0)
    ratio = np.minimum(ratio, 1.0)
    hh.migrant[rows] *= ratio
    hh.local_wage[rows] *= ratio
    hh.labour[rows] = new_labour


def retire_labour(hh: HouseholdTable, rows: np.ndarray, retiring: np.ndarray) -> None:
    """The rows' retiring labour leaves the family farm first, then local work, then
    migrant work.

    Retirees are the head's generation, who work at home; the young stay away.
    """
    from_farm = np.minimum(retiring, hh.farm_labour_at(rows))
    from_local = np.minimum(retiring - from_farm, hh.local_wage[rows])
    hh.local_wage[rows] -= from_local
    hh.migrant[rows] = np.maximum(hh.migrant[rows] - (retiring - from_farm - from_local), 0.0)
    hh.labour[rows] -= retiring
