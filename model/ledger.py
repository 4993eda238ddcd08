"""Double-entry money accounting between the sectors of the county economy.

Every yuan paid is a yuan received (docs/ODD.md section 8): each payment names a payer
sector, a payee sector and a kind, and the ledger keeps flows by (payer, payee, kind) for
the month and cumulatively. The ``market`` sector is everything outside the county's books
(buyers of produce, input suppliers, employers elsewhere). Conservation tests compare the
ledger with the state each mechanism keeps (household income columns, collective books,
cooperative and enterprise cash, public money spent).
"""

from __future__ import annotations

from collections import defaultdict

#: Kinds of the households' credit line: principal drawn and principal repaid.
HOUSEHOLD_LOAN = "household_loan"
HOUSEHOLD_REPAYMENT = "household_loan_repayment"
#: Kinds of households' borrowing from relatives and friends beyond the line.
INFORMAL_LOAN = "informal_loan"
INFORMAL_REPAYMENT = "informal_loan_repayment"
#: Kind of what a dissolving household leaves to its heir (households to households).
BEQUEST = "bequest"
#: Kind of the savings a dividing couple takes to its new household (households to households).
HOUSEHOLD_DIVISION = "household_division"

SECTORS = ("households", "collectives", "cooperatives", "enterprises", "government", "market")

#: Kinds that move capital (shares, loans, investment), not income.
CAPITAL_KINDS = frozenset(
    {
        "share_capital",
        "loan",
        "loan_repayment",
        "investment",
        "project_fund",
        "project_traction_capital",
        "placed_capital",
        HOUSEHOLD_LOAN,
        HOUSEHOLD_REPAYMENT,
        INFORMAL_LOAN,
        INFORMAL_REPAYMENT,
        BEQUEST,
        HOUSEHOLD_DIVISION,
    }
)

#: Kinds that households spend out of savings without lowering their income.
SPENDING_KINDS = frozenset({"consumption", "loan_interest"})


class Ledger:
    """Flows of money between sectors.

    Attributes:
        month: Flows booked this month, keyed by (payer, payee, kind).
        total: Flows booked since the start, keyed the same way.
    """

    def __init__(self) -> None:
        self.month: defaultdict[tuple[str, str, str], float] = defaultdict(float)
        self.total: defaultdict[tuple[str, str, str], float] = defaultdict(float)

    def pay(self, payer: str, payee: str, kind: str, amount: float) -> None:
        """Book one payment.

        Args:
            payer: Paying sector.
            payee: Receiving sector.
            kind: What the payment is for (``rent``, ``wage``, ``dividend`` ...).
            amount: Yuan, >= 0 (a negative flow is a payment the other way).
        """
        if payer not in SECTORS or payee not in SECTORS:
            raise ValueError(f"unknown sector in {payer!r} -> {payee!r}")
        amount = float(amount)
        if amount < 0:
            payer, payee, amount = payee, payer, -amount
        if amount == 0.0:
            return
        key = (payer, payee, kind)
        self.month[key] += amount
        self.total[key] += amount

    def new_month(self) -> None:
        """Start a new month's flows."""
        self.month = defaultdict(float)

    def net(self, sector: str, flows: dict[tuple[str, str, str], float] | None = None) -> float:
        """Inflows minus outflows of a sector (this month's flows unless given)."""
        flows = self.month if flows is None else flows
        inflow = sum(v for (_, payee, _), v in flows.items() if payee == sector)
        outflow = sum(v for (payer, _, _), v in flows.items() if payer == sector)
        return inflow - outflow

    def flow(
        self,
        payer: str | None = None,
        payee: str | None = None,
        kind: str | None = None,
        cumulative: bool = False,
    ) -> float:
        """Sum of flows matching the given payer, payee and kind (None matches any)."""
        flows = self.total if cumulative else self.month
        return sum(
            v
            for (p, q, k), v in flows.items()
            if (payer is None or p == payer)
            and (payee is None or q == payee)
            and (kind is None or k == kind)
        )
