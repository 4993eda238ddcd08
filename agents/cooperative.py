"""Cooperative agent: operates pooled land or a specialty at scale, and keeps its books."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from model.mechanisms.cooperatives import SurplusSplit, split_surplus

if TYPE_CHECKING:
    from model.jointmodel import JointVillageModel

BOOK_ITEMS = ("revenue", "costs", "wages", "overhead", "rent", "interest")


class Cooperative(mesa.Agent):
    """A cooperative or operating company.

    Attributes:
        kind: ``joint_cooperative`` (an alliance's), ``village_cooperative``,
            ``town_company`` or ``specialty_cooperative`` (industry-pull greenhouses).
        villages: Village rows it serves.
        alliance_id: Its alliance, if any.
        books: This year's books by item (yuan).
        reserves: Accumulated reserves; negative = losses carried (yuan).
        cash: Cash (yuan); negative = borrowing.
        loan: Outstanding loan (yuan).
        investment: Capital invested (specialty cooperatives; yuan).
        area_mu: Specialty area operated (mu).
        land_use: Land-use index of the specialty (-1 for pooled grain land).
        cost_factor: Cost per mu relative to the reference scale (economies of scale).
        collective_capital: Money the member collectives put in (yuan).
        last_split: Last year's surplus split.
        dividend_per_share_yuan: Last year's dividend per yuan of member shares.
    """

    model: JointVillageModel

    def __init__(
        self,
        model: JointVillageModel,
        kind: str,
        villages: tuple[int, ...],
        alliance_id: str = "",
    ) -> None:
        super().__init__(model)
        self.kind = kind
        self.villages: tuple[int, ...] = tuple(int(v) for v in villages)
        self.alliance_id = alliance_id
        self.books: dict[str, float] = dict.fromkeys(BOOK_ITEMS, 0.0)
        self.reserves = 0.0
        self.cash = 0.0
        self.loan = 0.0
        self.investment = 0.0
        self.area_mu = 0.0
        self.land_use = -1
        self.cost_factor = 1.0
        self.collective_capital = 0.0
        self.last_split = SurplusSplit(0.0, 0.0, 0.0, 0.0)
        self.dividend_per_share_yuan = 0.0
        self.last_surplus = 0.0

    @property
    def pays_dividends(self) -> bool:
        """Member households hold shares (cooperatives under the share policy)."""
        if self.kind == "specialty_cooperative":
            return True
        return self.kind != "town_company" and self.model.config.policies.coop_shares.enabled

    def book(self, item: str, amount: float) -> None:
        """Add to this year's books and move cash (revenue in, everything else out)."""
        self.books[item] += amount
        self.cash += amount if item == "revenue" else -amount

    def surplus(self) -> float:
        """This year's surplus: revenue less every cost (yuan)."""
        b = self.books
        return b["revenue"] - b["costs"] - b["wages"] - b["overhead"] - b["rent"] - b["interest"]

    def close_year(self, model: JointVillageModel, share_total: float) -> SurplusSplit:
        """Split the year's surplus: dividends to members, the collective share, reserves.

        The member dividends themselves are paid by the model, vectorised over households,
        in proportion to the share value each holds.

        Args:
            model: The model.
            share_total: Yuan value of all member shares in this cooperative.

        Returns:
            The split.
        """
        rules = model.config.policies.coop_shares
        surplus = self.surplus()
        if self.pays_dividends and share_total > 0:
            dividend_share = rules.dividend_share
            collective_share = rules.collective_share
        else:
            # No member shares: the collectives own the operation.
            dividend_share, collective_share = 0.0, rules.dividend_share + rules.collective_share
        split = split_surplus(
            surplus, self.reserves, dividend_share, collective_share, rules.reserve_share
        )
        self.dividend_per_share_yuan = split.dividends / share_total if share_total > 0 else 0.0
        if split.collective > 0:
            if self.alliance_id:
                weights = model.alliance_by_id[self.alliance_id].split_shares(model)
            else:
                weights = np.zeros(model.n_villages)
                members = list(self.villages)
                weights[members] = model.village_pooled[members] + 1e-9
                weights = weights / weights.sum()
            model.pay_collectives(
                "cooperative", weights * split.collective, "cooperatives", "collective_share"
            )
        self.cash -= split.dividends + split.collective
        self.reserves = split.reserves
        self.last_split = split
        self.last_surplus = surplus
        self.books = dict.fromkeys(BOOK_ITEMS, 0.0)
        return split
