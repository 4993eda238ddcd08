"""Estates: what a dissolving household leaves, and the heir household that takes it.

A household that dissolves (nobody left) or folds into another (a single elder moving in
with a child) passes to its heir, a household of the same village
(:mod:`model.mechanisms.demography`): its members, its land by status, its pooled rent due,
its savings and debts, its credit line, its productive assets and its cooperative shares.
The row stays, empty, so that a row is a household id in every output. The savings move
through the ledger (``bequest``, households to households, so money is conserved); land
moves with the contracted land it belongs to, so every household's land identity holds.

Converted land (an orchard, a greenhouse) keeps its use when the heir has none or the same
use; otherwise the heir rents it out privately (assumption: a household runs one converted
land use, :mod:`model.mechanisms.conversions`). Without an heir (nobody left in the
village), the land stays with the empty row: what it farmed lies idle, what it pooled, rented
out or leased stays so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.households import HouseholdTable
from model.invariants import LAND_COLUMNS
from model.ledger import BEQUEST

if TYPE_CHECKING:
    from model.jointmodel import JointVillageModel

#: Household columns that pass whole to the heir (added to the heir's, zeroed in the row);
#: converted land is passed first, by its own rule.
PASSED_ON = (
    "members",
    "elderly",
    "labour",
    "migrant",
    "local_wage",
    "contracted_mu",
    *LAND_COLUMNS,
    "savings",
    "debt",
    "informal_debt",
    "credit_limit",
    "productive_assets",
    "cash_shares",
    "specialty_shares",
)


def pick_heirs(
    village: np.ndarray, rows: np.ndarray, candidates: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """An heir for each row: a candidate household of the same village, drawn uniformly.

    Args:
        village: Village of every household (sorted).
        rows: The households that need an heir.
        candidates: Which households may inherit.
        rng: The draws (one per row, whatever the candidates).

    Returns:
        The heir's row for each of ``rows``; -1 where the village has no candidate.
    """
    draw = rng.random(len(rows))
    pool = np.flatnonzero(candidates)
    if not len(pool):
        return np.full(len(rows), -1, dtype=np.int64)
    pool_village = village[pool]
    first = np.searchsorted(pool_village, village[rows], side="left")
    count = np.searchsorted(pool_village, village[rows], side="right") - first
    pick = np.minimum(first + np.floor(draw * count).astype(np.int64), len(pool) - 1)
    return np.where(count > 0, pool[pick], -1).astype(np.int64)


def fold_into_heirs(model: JointVillageModel, rows: np.ndarray, heirs: np.ndarray) -> None:
    """Pass each row's household to its heir (module doc); rows without an heir stay.

    Args:
        model: The model (households, pooling rent due, ledger).
        rows: Households that end.
        heirs: Their heirs (-1 for none).
    """
    hh = model.households
    lone = rows[(heirs < 0) & (hh.members[rows] <= 0)]
    _leave_idle(hh, lone)
    has_heir = heirs >= 0
    rows, heirs = rows[has_heir], heirs[has_heir]
    if not len(rows):
        return
    bequest = float(hh.savings[rows].sum())
    _pass_converted_land(hh, rows, heirs)
    for name in PASSED_ON:
        _pass(getattr(hh, name), rows, heirs)
    for values in hh.income.values():
        _pass(values, rows, heirs)
    _pass(model.pooling.rent_due, rows, heirs)
    _close(hh, rows)
    model.ledger.pay("households", "households", BEQUEST, bequest)


def _pass(values: np.ndarray, rows: np.ndarray, heirs: np.ndarray) -> None:
    """Add the rows' values to their heirs' (several rows may share an heir) and zero them."""
    np.add.at(values, heirs, values[rows])
    values[rows] = 0.0


def _pass_converted_land(hh: HouseholdTable, rows: np.ndarray, heirs: np.ndarray) -> None:
    """Converted land keeps its use with an heir of no or the same use; else it is rented out.

    One row at a time: heirs may share, and an heir's use is set by the first it takes.
    """
    holds = hh.converted_mu[rows] > 0
    for row, heir in zip(rows[holds], heirs[holds], strict=True):
        area, use = hh.converted_mu[row], hh.converted_use[row]
        held = hh.converted_mu[heir]
        if hh.converted_use[heir] in (-1, use) or held <= 0:
            total = held + area
            hh.converted_age[heir] = hh.converted_age[heir] * held + hh.converted_age[row] * area
            hh.converted_age[heir] /= total
            hh.converted_mu[heir] = total
            hh.converted_use[heir] = use
        else:
            hh.rented_out_mu[heir] += area
        hh.contracted_mu[heir] += area
        hh.contracted_mu[row] -= area
        _clear_converted(hh, np.array([row]))


def _clear_converted(hh: HouseholdTable, rows: np.ndarray) -> None:
    hh.converted_mu[rows] = 0.0
    hh.converted_use[rows] = -1
    hh.converted_age[rows] = 0.0


def _leave_idle(hh: HouseholdTable, rows: np.ndarray) -> None:
    """No heir: the land the household farmed lies idle; contracts on the rest stay."""
    hh.idle_mu[rows] += hh.grain_mu[rows] + hh.specialty_mu[rows] + hh.converted_mu[rows]
    hh.grain_mu[rows] = 0.0
    hh.specialty_mu[rows] = 0.0
    _clear_converted(hh, rows)
    _close(hh, rows)


def _close(hh: HouseholdTable, rows: np.ndarray) -> None:
    """What ends with the household: its business, its seller, its memberships, its plans."""
    hh.business_income[rows] = 0.0
    hh.seller[rows] = False
    hh.seller_skill[rows] = 0.0
    hh.contract_member[rows] = False
    hh.marketing_member[rows] = False
    hh.expected_income[rows] = 0.0
    hh.last_year_income[rows] = 0.0
