"""Payments: every yuan a mechanism moves goes through here.

Each payment is booked twice: in the ledger (payer sector, payee sector, kind; see
:mod:`model.ledger`) and in the state of whoever is paid (the household income columns,
the collective books, the villages' public money). That is what keeps money conserved and
traceable, and what the conservation tests check.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from model.jointmodel import JointVillageModel

#: Above ``1 / DENSE_SHARE`` of the households, a payment to some villages' households is
#: made on whole columns: indexed updates cost several times a whole-column pass per row.
DENSE_SHARE = 4


class Accounts:
    """The model's payments and the monthly income totals they feed.

    Args:
        model: The model (its households, villages, collective books and ledger exist).

    Attributes:
        income_sources: Household income sources, as registered when the model was built.
        household_month: This month's household income by source, summed by village
            (kept only when the village-by-month table is recorded).
        household_month_total: This month's household income by source, county total.
        public_by_kind: Programme money spent since the start, by kind (yuan).
    """

    def __init__(self, model: JointVillageModel) -> None:
        self.model = model
        self.income_sources = tuple(model.households.income)
        self.track_villages = model.config.outputs.village_monthly
        self.household_month = {s: np.zeros(model.n_villages) for s in self.income_sources}
        self.household_month_total = dict.fromkeys(self.income_sources, 0.0)
        self.public_by_kind: dict[str, float] = {}

    def new_month(self) -> None:
        """Zero this month's income totals."""
        for values in self.household_month.values():
            values[:] = 0.0
        self.household_month_total = dict.fromkeys(self.income_sources, 0.0)

    def new_year(self) -> None:
        """Start the year's count of public money."""
        self.model.villages.public_spent_year = np.zeros(self.model.n_villages)

    def pay_households(
        self,
        source: str,
        amounts: np.ndarray,
        payer: str,
        kind: str,
        total: float | None = None,
    ) -> None:
        """Pay households (negative amounts are payments by households) and book it.

        The amounts are income of ``source`` and move the households' savings; a household
        whose savings turn negative draws on its credit line at the month's settlement
        (:mod:`model.mechanisms.household_finance`).

        Args:
            source: Household income source (a registered name).
            amounts: Yuan per household.
            payer: Paying sector (see :data:`model.ledger.SECTORS`).
            kind: What the payment is for.
            total: ``amounts.sum()``, when the caller has it already
                (:mod:`model.yearly_amounts`).
        """
        model = self.model
        model.households.income[source] += amounts
        # Income is cash: it lands in (or, paid out, leaves) the household's savings.
        model.households.savings += amounts
        by_village = model.villages.sum_by_village(amounts) if self.track_villages else None
        self._book(
            source, float(amounts.sum()) if total is None else total, by_village, payer, kind
        )

    def pay_households_yearly(
        self, source: str, kind: str, payer: str, inputs: str, work_out: Callable[[], np.ndarray]
    ) -> None:
        """Pay households an amount that is the same every month of a year.

        :meth:`pay_households` with the amounts worked out at the year's first payment and
        kept (:class:`~model.yearly_amounts.YearlyAmounts`, which checks in December that
        they are still what ``work_out`` gives).

        Args:
            source: Household income source (a registered name).
            kind: What the payment is for (also the kept amount's name).
            payer: Paying sector (see :data:`model.ledger.SECTORS`).
            inputs: The household columns ``work_out`` reads, for the message when stale.
            work_out: This year's yuan per household, from this year's state.
        """
        amounts, total = self.model.yearly.get(kind, inputs, work_out)
        self.pay_households(source, amounts, payer, kind, total=total)

    def pay_households_at(
        self, source: str, rows: np.ndarray, amounts: np.ndarray, payer: str, kind: str
    ) -> None:
        """Pay some households: ``amounts[i]`` to household row ``rows[i]``, and book it.

        The same payment as :meth:`pay_households` with zeros for every other household,
        at the cost of the rows paid: most programmes pay a few per cent of households.

        Args:
            source: Household income source (a registered name).
            rows: Household rows paid, each at most once.
            amounts: Yuan to each of ``rows``.
            payer: Paying sector (see :data:`model.ledger.SECTORS`).
            kind: What the payment is for.
        """
        model = self.model
        model.households.income[source][rows] += amounts
        model.households.savings[rows] += amounts
        by_village = None
        if self.track_villages:
            village = model.households.village[rows]
            by_village = np.bincount(village, amounts, minlength=model.n_villages)
        self._book(source, float(amounts.sum()), by_village, payer, kind)

    def _book(
        self, source: str, total: float, by_village: np.ndarray | None, payer: str, kind: str
    ) -> None:
        """Book a household payment's total in the month's totals and the ledger."""
        model = self.model
        model.invariants.check_payment(total, kind)
        self.household_month_total[source] += total
        if by_village is not None:
            self.household_month[source] += by_village
        if total >= 0:
            model.ledger.pay(payer, "households", kind, total)
        else:
            model.ledger.pay("households", payer, kind, -total)

    def pay_collectives(self, source: str, amounts: np.ndarray, payer: str, kind: str) -> None:
        """Book collective income by village (negative amounts: the collective pays)."""
        self.model.collective.book(source, amounts)
        total = float(amounts.sum())
        self.model.invariants.check_payment(total, kind)
        if total >= 0:
            self.model.ledger.pay(payer, "collectives", kind, total)
        else:
            self.model.ledger.pay("collectives", payer, kind, -total)

    def pay_village_workers(self, wage_bill: np.ndarray, payer: str, kind: str) -> None:
        """Pay a village's wage bill to its households in proportion to labour at home.

        Labour at home is counted once a year, when labour moves
        (:meth:`~model.villages.VillageTable.update_labour_at_home`), not at every payment.
        Only the households of villages with a bill are touched: most bills (contract and
        greenhouse wages) fall on a few villages.
        """
        villages = self.model.villages
        per_village = villages.labour_at_home
        paid = np.flatnonzero((wage_bill != 0) & (per_village > 0))
        rate = wage_bill[paid] / per_village[paid]
        at_home = villages.household_labour_at_home
        if villages.household_counts[paid].sum() * DENSE_SHARE < len(at_home):
            rows = villages.rows_of(paid)
            amounts = at_home[rows] * np.repeat(rate, villages.household_counts[paid])
            self.pay_households_at("wage", rows, amounts, payer, kind)
        else:  # most households are paid: whole columns cost less than their rows
            every = np.zeros(villages.n)
            every[paid] = rate
            self.pay_households("wage", at_home * villages.per_household(every), payer, kind)
        unpaid = float(wage_bill[per_village <= 0].sum())
        if unpaid > 0:  # no one at home: the work is done by outsiders
            self.model.ledger.pay(payer, "market", kind, unpaid)

    def spend_public(self, kind: str, per_village: np.ndarray, payee: str | None = None) -> None:
        """Record programme money spent on each village (and book it when ``payee``).

        Args:
            kind: Programme item (``project_fund``, ``livestream_training`` ...).
            per_village: Yuan spent on each village.
            payee: Sector paid; ``None`` when another payment books the flow itself.
        """
        villages = self.model.villages
        per_village = np.asarray(per_village, dtype=float)
        villages.public_spent += per_village
        villages.public_spent_year += per_village
        self.public_by_kind[kind] = self.public_by_kind.get(kind, 0.0) + float(per_village.sum())
        if payee is not None:
            self.model.ledger.pay("government", payee, kind, float(per_village.sum()))
