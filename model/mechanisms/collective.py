"""Village collective books: income by source, kept village by village.

"Five unchanged": each village keeps its own collective accounts; an alliance never merges
them, joint returns are split among members by agreed shares. The collective starts with
operating assets (leased buildings, ponds, shops) and its reserve (机动) land; its starting
operating income comes from those, and the programme's channels add to it.
"""

from __future__ import annotations

import numpy as np

from model.ledger import Ledger
from model.params import Section, param
from model.registry import collective_source_names


class CollectiveParams(Section):
    """Collective-economy parameters."""

    asset_return: float = param(
        0.06,
        unit="1/yr",
        source="assumption: leases of collective buildings and ponds; Zhejiang 'flying-land' "
        "fixed returns 8-10 % are the upper end (calibration sheet)",
        description="Yearly return on the collective's operating assets",
        ge=0,
        le=0.3,
    )
    asset_growth: float = param(
        0.02,
        unit="1/yr",
        source="assumption: lease income rises slowly",
        description="Nominal growth of income from existing assets",
        ge=-0.1,
        le=0.2,
    )
    weak_threshold: float = param(
        100000.0,
        unit="yuan/yr",
        source="DESIGN glossary: weak village = collective income < 100k yuan/yr (Shandong bar)",
        description="Collective income below which a village counts as weak",
        ge=0,
        le=10_000_000,
    )
    spending_share: float = param(
        0.5,
        unit="share",
        source="assumption: half of operating income goes to public services and upkeep",
        description="Share of each month's collective income spent on public services",
        ge=0,
        le=1,
    )


class CollectiveBooks:
    """Collective income of every village by source, monthly and yearly.

    Attributes:
        month: Income this month by source, arrays over villages (yuan).
        year: Income this year by source (yuan).
        last_year: Total income last year (yuan), by village.
        cash: Cash held by each collective (yuan).
        assets: Operating assets (yuan).
        reserve_mu: Reserve land (mu); ``reserve_pooled`` of it is pooled.
    """

    def __init__(self, n_villages: int, assets: np.ndarray, reserve_mu: np.ndarray) -> None:
        self.n = n_villages
        self.sources = collective_source_names()
        self.month = {s: np.zeros(n_villages) for s in self.sources}
        self.year = {s: np.zeros(n_villages) for s in self.sources}
        self.last_year = np.zeros(n_villages)
        self.cash = np.zeros(n_villages)
        self.assets = assets.astype(float).copy()
        self.reserve_mu = reserve_mu.astype(float).copy()
        self.reserve_pooled = np.zeros(n_villages)

    def book(self, source: str, amounts: np.ndarray) -> None:
        """Add income of one source to every village's books."""
        self.month[source] += amounts
        self.year[source] += amounts
        self.cash += amounts

    def spend_on_public_services(self, ledger: Ledger, share: float) -> None:
        """Spend a share of this month's income on public services (roads, upkeep)."""
        income = sum(self.month.values())
        spend = np.maximum(income, 0.0) * share
        self.cash -= spend
        ledger.pay("collectives", "market", "public_services", float(spend.sum()))

    def new_month(self) -> None:
        """Zero the monthly accumulators."""
        for values in self.month.values():
            values[:] = 0.0

    def year_total(self) -> np.ndarray:
        """This year's income, all sources."""
        return sum(self.year.values())  # type: ignore[return-value]

    def close_year(self) -> np.ndarray:
        """Close the year's books; return the year's total income by village."""
        total = self.year_total()
        self.last_year = total
        for values in self.year.values():
            values[:] = 0.0
        return total
