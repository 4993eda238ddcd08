"""Household payments that are the same every month of a year, worked out once a year.

Wages, transfers and the steady side incomes are a household column times this year's price
level: migrants times their earning power times the migrant wage, the elderly times the
pension, members times the interest on savings. Their household inputs change only in
January's steps (births and deaths, migration, labour reallocation, household division, the
price levels), before the first payment of the year, so each month of a year pays the same
amounts; so does the households' spending rule with its savings buffer (months of expected
income) and consumption floor (per member). :class:`YearlyAmounts` works each one out at its
first use in the year and keeps it, with its total, for the other eleven months: on the full
county that saves about a third of the passes over the household columns those steps made
each month.

The rule that makes it safe is checked, not assumed. In December every kept amount is worked
out afresh, as it was every month before, and compared, element by element, with the year's:
a step that changed an input during the year (a new mechanism, say) would have made the kept
amounts stale, and the run stops with an :class:`~model.invariants.InvariantError` naming the
payment and its inputs; such a step calls :meth:`YearlyAmounts.forget` after the change, and
the amounts are worked out afresh at their next use. With the invariants checked after
every step (level ``"step"``) nothing is kept: every month works its amounts out afresh, as
the model did before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from model.jointmodel import JointVillageModel

#: The December month, when the kept amounts are checked against fresh ones.
DECEMBER = 12


class YearlyAmounts:
    """This year's monthly household payments, each worked out once (see the module doc).

    Args:
        model: The model (its invariants exist).
    """

    def __init__(self, model: JointVillageModel) -> None:
        self.model = model
        self._year: int | None = None
        self._kept: dict[str, tuple[np.ndarray, float]] = {}

    def get(
        self, name: str, inputs: str, work_out: Callable[[], np.ndarray]
    ) -> tuple[np.ndarray, float]:
        """This month's amounts of payment ``name`` per household, and their total.

        Args:
            name: What is kept: a payment's ledger kind, or another quantity of the year
                (the households' savings buffer and consumption floor).
            inputs: What it is worked out from, for the message of a stale amount.
            work_out: Works the amounts out from this year's state.

        Raises:
            InvariantError: In December, the amounts worked out afresh differ from the
                year's: an input changed during the year.
        """
        model = self.model
        level = model.invariants.level
        if level == "step":
            amounts = work_out()
            return amounts, float(amounts.sum())
        if self._year != model.year_index:
            self._year = model.year_index
            self._kept.clear()
        kept = self._kept.get(name)
        if kept is None:
            amounts = work_out()
            amounts.flags.writeable = False  # kept for the year: a payment only reads it
            kept = self._kept[name] = (amounts, float(amounts.sum()))
        elif model.month == DECEMBER and level != "off":
            self._check(name, inputs, kept[0], work_out())
        return kept

    def forget(self) -> None:
        """Drop the year's amounts: each is worked out afresh at its next use.

        For a step that changes their inputs during the year (a mechanism of one's own that
        moves people mid-year, say): it calls this after the change.
        """
        self._kept.clear()

    def _check(self, name: str, inputs: str, kept: np.ndarray, fresh: np.ndarray) -> None:
        if np.array_equal(kept, fresh):
            return
        row = int(np.flatnonzero(kept != fresh)[0])
        self.model.invariants.broken_at(
            "yearly amounts unchanged",
            row,
            f"monthly '{name}' of household {row}",
            f"{kept[row]!r} worked out at its first use this year, {fresh[row]!r} now: a "
            f"step changed {inputs} during the year; they may change only in January's "
            "steps, before the month's payments, or the step that changes them calls "
            "model.yearly.forget() (model/yearly_amounts.py)",
        )
