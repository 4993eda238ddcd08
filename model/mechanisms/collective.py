"""Village collective books: income by source, kept village by village, and own income.

"Five unchanged": each village keeps its own collective accounts; an alliance never merges
them, joint returns are split among members by agreed shares. The collective starts with
operating assets (leased buildings, ponds, shops) and its reserve (机动) land; its starting
operating income comes from those, and the programme's channels add to it. Each month the
collective earns its asset leases and the rent of reserve land not pooled, and spends a
share of the month's income on public services.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.params import Section, param
from model.registry import collective_source_names

if TYPE_CHECKING:
    from model.jointmodel import JointVillageModel


class CollectiveParams(Section):
    """Collective-economy parameters."""

    asset_return: float = param(
        0.06,
        unit="1/yr",
        source="assumption: leases of collective buildings and ponds; Zhejiang 'flying-land' "
        "fixed returns 8-10 % are the upper end (Zhejiang government releases 2018-2023)",
        description="Yearly return on the collective's operating assets",
        ge=0,
        le=0.3,
    )
    weak_threshold: float = param(
        100000.0,
        unit="yuan/yr",
        source="the usual Shandong bar for weak villages (薄弱村) "
        "in provincial collective-economy policy: collective income < 100k yuan/yr",
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

    Args:
        model: The model (its villages exist); the opening balance is set from them.

    Attributes:
        sources: Collective income sources, as registered when the model was built.
        month: Income this month by source, arrays over villages (yuan).
        year: Income this year by source (yuan).
        last_year: Total income last year (yuan), by village.
        cash: Cash held by each collective (yuan).
        assets: Operating assets (yuan).
        reserve_mu: Reserve land (mu); ``reserve_pooled`` of it is pooled.
    """

    def __init__(self, model: JointVillageModel) -> None:
        self.model = model
        n_villages = model.n_villages
        self.n = n_villages
        self.sources = collective_source_names()
        self.month = {s: np.zeros(n_villages) for s in self.sources}
        self.year = {s: np.zeros(n_villages) for s in self.sources}
        self.last_year = np.zeros(n_villages)
        self.cash = np.zeros(n_villages)
        self.assets, self.reserve_mu = self._opening_balance()
        self.reserve_pooled = np.zeros(n_villages)

    def _opening_balance(self) -> tuple[np.ndarray, np.ndarray]:
        """Operating assets and earning reserve land that give each start income.

        Where the start income is below what reserve land alone would rent for, part of
        the reserve land is in fact not earning (lent free, idle): income is kept as given.
        """
        config = self.model.config
        villages = self.model.villages
        reserve_mu = villages.cultivated * config.households.reserve_land_share
        start = villages.collective_start
        market_rent = config.policies.land_pooling.market_rent
        reserve_rent = reserve_mu * market_rent
        assets = np.maximum(start - reserve_rent, 0.0) / max(config.collective.asset_return, 1e-9)
        reserve_earning = np.minimum(reserve_mu, start / max(market_rent, 1e-9))
        return assets.astype(float).copy(), reserve_earning.astype(float).copy()

    def book(self, source: str, amounts: np.ndarray) -> None:
        """Add income of one source to every village's books."""
        self.month[source] += amounts
        self.year[source] += amounts
        self.cash += amounts

    def pay_own_income(self) -> None:
        """Monthly income of the collective's own assets and of reserve land not pooled."""
        model = self.model
        p = model.config.collective
        growth = model.prices.factor("cpi")
        pay = model.accounts.pay_collectives
        pay("assets", self.assets * p.asset_return * growth / 12.0, "market", "lease")
        market_rent = model.prices.nominal(
            model.config.policies.land_pooling.market_rent, "land_rent"
        )
        unpooled = np.maximum(self.reserve_mu - self.reserve_pooled, 0.0)
        pay("reserve_land", unpooled * market_rent / 12.0, "market", "reserve_rent")

    def spend_on_public_services(self) -> None:
        """Spend a share of this month's income on public services (roads, upkeep)."""
        income = sum(self.month.values())
        spend = np.maximum(income, 0.0) * self.model.config.collective.spending_share
        self.cash -= spend
        self.model.ledger.pay("collectives", "market", "public_services", float(spend.sum()))

    def reference(self) -> np.ndarray:
        """Last closed year's income (the start income before the first close)."""
        if self.model.year_index == 0:
            return self.model.villages.collective_start
        return self.last_year

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
