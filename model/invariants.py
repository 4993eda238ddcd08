"""Runtime invariants: money and land are conserved and every state stays finite.

Checked in every run, not only in tests. A violation raises :class:`InvariantError`, which
names the month, the mechanism, the village and the quantity; the CLI turns it into exit
status 3 and writes no result.

Money: household income, household savings and debt, collective and cooperative cash and
public money each move exactly as the ledger books; households never owe more than their
credit line allows (``savings - debt >= -credit_limit``). Payments kept for the year
(:mod:`model.yearly_amounts`) are checked there, in December, against amounts worked out
afresh (invariant ``yearly amounts unchanged``).

Cost. Full checks of every household column after every mechanism would cost more than the
model itself, so the default level, ``"month"``, checks cheap aggregates every month (sums
of the income and land columns, which a NaN or an inf also turns non-finite; collective and
cooperative cash against the ledger; the smallest value of each land column) and every
column in full at the year's end. When a monthly check fails, the run is deterministic, so
:func:`model.runner.run_scenario` runs it again from the start at level ``"step"`` (every
check after every mechanism) to name the mechanism that broke it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from model.ledger import (
    CAPITAL_KINDS,
    HOUSEHOLD_LOAN,
    HOUSEHOLD_REPAYMENT,
    INFORMAL_LOAN,
    INFORMAL_REPAYMENT,
    SECTORS,
    SPENDING_KINDS,
)

if TYPE_CHECKING:
    from model.jointmodel import JointVillageModel

#: Exit status of a command whose run broke an invariant.
EXIT_INVARIANT = 3

Level = Literal["off", "month", "step"]
LEVELS: tuple[str, ...] = ("off", "month", "step")

#: Relative and absolute tolerance of the money and land balances (floating-point sums).
RTOL = 1e-9
ATOL_YUAN = 1e-2
ATOL_MU = 1e-6
#: Transfers paid by the government that are not programme money (public_spent excludes them).
GOVERNMENT_TRANSFERS = frozenset({"pension", "farmland_subsidy"})

#: The schedule step that moves the year's household income into ``last_year_income``.
YEAR_CLOSE_STEP = "household year closed"
#: The schedule step after which no household is overdrawn beyond its credit line.
FINANCE_STEP = "household spending and debt"
LAND_COLUMNS = (
    "grain_mu",
    "specialty_mu",
    "pooled_mu",
    "rented_out_mu",
    "idle_mu",
    "leased_mu",
    "converted_mu",
)
#: Household flows that do not move income: capital and spending out of savings.
NOT_INCOME = CAPITAL_KINDS | SPENDING_KINDS
#: Household stocks that cannot be negative.
NON_NEGATIVE = (
    *LAND_COLUMNS,
    "contracted_mu",
    "members",
    "elderly",
    "labour",
    "migrant",
    "local_wage",
    "cash_shares",
    "specialty_shares",
    "debt",
    "informal_debt",
    "credit_limit",
    "productive_assets",
)


class InvariantError(RuntimeError):
    """A run broke one of the model's invariants.

    Attributes:
        invariant: Which invariant (``money conserved``, ``land conserved``, ``finite``,
            ``non-negative``).
        when: The month, as ``YYYY-MM``.
        mechanism: The mechanism that broke it, when known.
        village: The village id where it shows, when it is local.
        quantity: The quantity that is wrong.
        detail: Numbers.
    """

    def __init__(
        self,
        invariant: str,
        when: str,
        mechanism: str | None,
        village: str | None,
        quantity: str,
        detail: str,
    ) -> None:
        self.invariant = invariant
        self.when = when
        self.mechanism = mechanism
        self.village = village
        self.quantity = quantity
        self.detail = detail
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """One line for the user."""
        by = f"mechanism '{self.mechanism}'" if self.mechanism else "an unidentified mechanism"
        where = f", village {self.village}" if self.village else ""
        return (
            f"invariant broken ({self.invariant}) in {self.when} by {by}{where}: "
            f"{self.quantity}: {self.detail}"
        )


@dataclass
class _Balances:
    households: float
    savings: float
    debt: float
    informal_debt: float
    collectives: float
    cooperatives: float
    public: float
    land: float


class Invariants:
    """Checks the model's invariants at the chosen level.

    Args:
        model: The model whose state is checked.
        level: ``"month"`` (default), ``"step"`` (after every mechanism) or ``"off"``.
    """

    def __init__(self, model: JointVillageModel, level: Level = "month") -> None:
        if level not in LEVELS:
            raise ValueError(f"invariant level {level!r}: one of {LEVELS}")
        self.model = model
        self.level = level
        self.contracted_total = float(model.households.contracted_mu.sum())
        self._start: _Balances | None = None
        #: Whether the household year has been closed this month (December).
        self.year_closed = False

    # -- the hooks the schedule calls ---------------------------------------------------

    def start_month(self) -> None:
        """Remember the balances at the start of the month.

        Opening a month moves no money or land, so the balances at the end of the last
        month serve (but not after December, whose close moves the year's income).
        """
        if self.level != "off" and (self._start is None or self.year_closed):
            self._start = self._balances(year_closed=False)
        self.year_closed = False

    def after_step(self, mechanism: str) -> None:
        """After one mechanism's step: every check, at level ``"step"`` only."""
        if mechanism == YEAR_CLOSE_STEP:
            self.year_closed = True
        if self.level == "step":
            self._check_month(mechanism)
            self.check_full(mechanism)
            if mechanism == FINANCE_STEP:
                self.check_credit(mechanism)

    def check_payment(self, total: float, kind: str) -> None:
        """A payment's total must be a finite number (called by every payment)."""
        if self.level != "off" and not math.isfinite(total):
            self._raise(
                "finite", self.model.current_step, None, f"payment '{kind}'", f"total {total}"
            )

    def end_month(self) -> None:
        """At the end of the month: the cheap checks (and the full ones in December)."""
        if self.level == "off":
            return
        self._start = self._check_month(None)
        self.check_credit(None)
        if self.model.month == 12:
            self.check_full(None)

    # -- the checks ---------------------------------------------------------------------

    def _balances(self, year_closed: bool) -> _Balances:
        model = self.model
        hh = model.households
        return _Balances(
            households=_household_income_level(model, year_closed),
            savings=float(hh.savings.sum()),
            debt=float(hh.debt.sum()),
            informal_debt=float(hh.informal_debt.sum()),
            collectives=float(model.collective.cash.sum()),
            cooperatives=float(sum(c.cash for c in model.cooperatives)),
            public=float(model.villages.public_spent.sum()),
            land=float(sum(getattr(hh, c).sum() for c in LAND_COLUMNS)),
        )

    def _check_month(self, mechanism: str | None) -> _Balances | None:
        """Money against the ledger and the county's land; returns the balances now."""
        start = self._start
        if start is None:
            return None
        now = self._balances(self.year_closed)
        flows = self.model.ledger.month
        self._money(
            "household income", now.households - start.households, _income_flows(flows), mechanism
        )
        ledger = self.model.ledger
        moved = now.savings - start.savings
        self._money("household savings", moved, ledger.net("households"), mechanism)
        borrowed = ledger.flow("market", "households", HOUSEHOLD_LOAN)
        repaid = ledger.flow("households", "market", HOUSEHOLD_REPAYMENT)
        self._money("household debt", now.debt - start.debt, borrowed - repaid, mechanism)
        borrowed = ledger.flow("market", "households", INFORMAL_LOAN)
        repaid = ledger.flow("households", "market", INFORMAL_REPAYMENT)
        moved = now.informal_debt - start.informal_debt
        self._money("household informal debt", moved, borrowed - repaid, mechanism)
        self._money(
            "collective cash",
            now.collectives - start.collectives,
            self.model.ledger.net("collectives"),
            mechanism,
        )
        self._money(
            "cooperative cash",
            now.cooperatives - start.cooperatives,
            self.model.ledger.net("cooperatives"),
            mechanism,
        )
        self._money(
            "public money spent", now.public - start.public, _programme_flows(flows), mechanism
        )
        closing = sum(self.model.ledger.net(sector) for sector in SECTORS)
        if not math.isclose(closing, 0.0, abs_tol=ATOL_YUAN):
            self._raise("money conserved", mechanism, None, "the ledger", f"sectors net {closing}")
        if not math.isfinite(now.land) or not math.isclose(
            now.land, self.contracted_total, rel_tol=RTOL, abs_tol=ATOL_MU
        ):
            self._raise_land(mechanism, now.land)
        return now

    def _money(
        self, quantity: str, moved: float, booked: float, mechanism: str | None = None
    ) -> None:
        if not (math.isfinite(moved) and math.isfinite(booked)):
            self._raise("finite", mechanism, None, quantity, f"moved {moved}, booked {booked}")
        if not math.isclose(moved, booked, rel_tol=RTOL, abs_tol=ATOL_YUAN):
            self._raise(
                "money conserved",
                mechanism,
                None,
                quantity,
                f"the state moved by {moved:,.2f} yuan but the ledger booked {booked:,.2f}",
            )

    def check_credit(self, mechanism: str | None) -> None:
        """Savings never fall below minus the credit limit: ``savings - debt >= -limit``.

        Checked at the end of every month and after the households' monthly settlement
        (within a month, a cost paid before the settlement may overdraw savings).
        """
        hh = self.model.households
        headroom = hh.savings - hh.debt + hh.credit_limit
        if len(headroom) and headroom.min() < -ATOL_YUAN:
            self._raise_household("credit limit", mechanism, "savings", headroom < -ATOL_YUAN)

    def check_full(self, mechanism: str | None) -> None:
        """Every household column finite, stocks non-negative, land identity per household.

        Each column is first reduced to one number (a sum is non-finite when any entry is,
        a minimum negative when any entry is): the element-wise search for the household to
        name runs only when that number shows a problem.
        """
        hh = self.model.households
        for name, values in _float_columns(hh):
            if not math.isfinite(float(values.sum())):
                self._raise_household("finite", mechanism, name, ~np.isfinite(values))
        for name in NON_NEGATIVE:
            values = getattr(hh, name)
            if len(values) and values.min() < -ATOL_MU:
                self._raise_household("non-negative", mechanism, name, values < -ATOL_MU)
        gap = hh.land_total - hh.contracted_mu
        if len(gap) and np.abs(gap).max() > ATOL_MU + RTOL * float(hh.contracted_mu.max()):
            bad = np.abs(gap) > ATOL_MU + RTOL * hh.contracted_mu
            self._raise_household("land conserved", mechanism, "land of a household", bad)
        unnamed = (hh.converted_mu > ATOL_MU) & (hh.converted_use < 0)
        if unnamed.any():
            self._raise_household("land conserved", mechanism, "converted land's use", unnamed)
        collective = self.model.collective
        for name in ("cash", "assets", "reserve_mu", "reserve_pooled"):
            values = getattr(collective, name)
            bad = ~np.isfinite(values)
            if bad.any():
                self._raise_village("finite", mechanism, f"collective {name}", bad)
        bad = collective.reserve_pooled > collective.reserve_mu + ATOL_MU
        if bad.any():
            self._raise_village("land conserved", mechanism, "pooled reserve land", bad)
        bases = self.model.operators.base_mu
        bad = bases > self.model.pooling.pooled_by_village() * (1 + RTOL) + ATOL_MU
        if bad.any():
            self._raise_village("land conserved", mechanism, "specialty bases on pooled land", bad)
        leased = self.model.villages.sum_by_village(self.model.households.lease_back_mu)
        bad = leased > bases * (1 + RTOL) + ATOL_MU
        if bad.any():
            self._raise_village("land conserved", mechanism, "lease-back plots within bases", bad)

    # -- messages -----------------------------------------------------------------------

    def _when(self) -> str:
        model = self.model
        return f"{model.config.start_year + model.year_index}-{model.month:02d}"

    def _village_id(self, row: int) -> str:
        return str(self.model.county.villages["village_id"].iloc[int(row)])

    def _raise(self, invariant, mechanism, village, quantity, detail) -> None:
        raise InvariantError(invariant, self._when(), mechanism, village, quantity, detail)

    def broken_at(self, invariant: str, row: int, quantity: str, detail: str) -> None:
        """Raise :class:`InvariantError` for household ``row``, found in the current step
        (for checks kept beside what they check, such as :mod:`model.yearly_amounts`)."""
        village = self._village_id(self.model.households.village[row])
        self._raise(invariant, self.model.current_step, village, quantity, detail)

    def _raise_household(self, invariant, mechanism, column, bad: np.ndarray) -> None:
        hh = self.model.households
        row = int(np.flatnonzero(bad)[0])
        values = getattr(hh, column, None)
        shown = f"{values[row]!r}" if isinstance(values, np.ndarray) else "see the household"
        self._raise(
            invariant,
            mechanism,
            self._village_id(hh.village[row]),
            f"household {row} {column}",
            f"{shown} ({int(bad.sum())} household(s))",
        )

    def _raise_village(self, invariant, mechanism, quantity, bad: np.ndarray) -> None:
        row = int(np.flatnonzero(bad)[0])
        self._raise(
            invariant, mechanism, self._village_id(row), quantity, f"{int(bad.sum())} village(s)"
        )

    def _raise_land(self, mechanism, total: float) -> None:
        hh = self.model.households
        gap = hh.land_total - hh.contracted_mu
        bad = ~np.isfinite(gap) | (np.abs(gap) > ATOL_MU + RTOL * np.abs(hh.contracted_mu))
        if bad.any():
            self._raise_household("land conserved", mechanism, "land of a household", bad)
        self._raise(
            "land conserved",
            mechanism,
            None,
            "county land",
            f"{total:,.3f} mu held against {self.contracted_total:,.3f} mu contracted",
        )


def _float_columns(hh: Any) -> list[tuple[str, np.ndarray]]:
    out = []
    for name, values in vars(hh).items():
        if isinstance(values, np.ndarray) and values.dtype.kind == "f":
            out.append((name, values))
    for source, values in hh.income.items():
        out.append((f"income {source}", values))
    return out


def _household_income_level(model: JointVillageModel, year_closed: bool) -> float:
    hh = model.households
    level = float(sum(values.sum() for values in hh.income.values()))
    # December's close moves the year's income into last_year_income.
    if year_closed:
        level += float(hh.last_year_income.sum())
    return level


def _income_flows(flows: dict[tuple[str, str, str], float]) -> float:
    inflow = sum(v for (_, q, k), v in flows.items() if q == "households" and k not in NOT_INCOME)
    outflow = sum(v for (p, _, k), v in flows.items() if p == "households" and k not in NOT_INCOME)
    return inflow - outflow


def _programme_flows(flows: dict[tuple[str, str, str], float]) -> float:
    return sum(
        v for (p, _, k), v in flows.items() if p == "government" and k not in GOVERNMENT_TRANSFERS
    )
