"""Cooperative agent: operates pooled land or a specialty at scale, and keeps its books."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from model.mechanisms.coop_shares import SurplusSplit, split_surplus

if TYPE_CHECKING:
    from agents.alliance import Alliance
    from model.jointmodel import JointVillageModel

BOOK_ITEMS = ("revenue", "costs", "wages", "overhead", "rent", "interest")


def _mean(values: np.ndarray) -> float:
    """``values.mean()`` (the same sum, then the same division) without the Python layer
    of ``ndarray.mean``: it is called for every greenhouse cooperative every month."""
    return float(np.add.reduce(values)) / len(values)


class Cooperative(mesa.Agent):
    """A cooperative or operating company.

    Args:
        model: The model.
        kind: See :attr:`kind`.
        villages: Village rows it serves.
        alliance: Its alliance, if any.

    Attributes:
        kind: ``joint_cooperative`` (an alliance's), ``village_cooperative``,
            ``town_company`` or ``specialty_cooperative`` (industry-pull greenhouses).
        villages: Village rows it serves.
        village_rows: The same rows as an index array (for numpy lookups).
        alliance: Its alliance, if any.
        books: This year's books by item (yuan).
        reserves: Accumulated reserves; negative = losses carried (yuan).
        cash: Cash (yuan); negative = borrowing.
        loan: Outstanding loan (yuan).
        investment: Capital invested (specialty cooperatives; yuan).
        area_mu: Specialty area operated (mu).
        land_use: Land-use index of the specialty (-1 for pooled grain land).
        cost_factor: Cost per mu relative to the reference scale (economies of scale).
        collective_capital: Money the member collectives put in (yuan).
        member_shares: Yuan value of all member households' shares, counted at year end.
        last_split: Last year's surplus split.
        dividend_per_share_yuan: Last year's dividend per yuan of member shares.
    """

    model: JointVillageModel

    def __init__(
        self,
        model: JointVillageModel,
        kind: str,
        villages: tuple[int, ...],
        alliance: Alliance | None = None,
    ) -> None:
        super().__init__(model)
        self.kind = kind
        self.villages: tuple[int, ...] = tuple(int(v) for v in villages)
        self.village_rows = np.array(self.villages, dtype=np.int64)
        self.alliance = alliance
        self.books: dict[str, float] = dict.fromkeys(BOOK_ITEMS, 0.0)
        self.reserves = 0.0
        self.cash = 0.0
        self.loan = 0.0
        self.investment = 0.0
        self.area_mu = 0.0
        self.land_use = -1
        self.cost_factor = 1.0
        self.collective_capital = 0.0
        self.member_shares = 0.0
        self.last_split = SurplusSplit(0.0, 0.0, 0.0, 0.0)
        self.dividend_per_share_yuan = 0.0
        self.last_surplus = 0.0

    @property
    def alliance_id(self) -> str:
        """Identifier of its alliance ("" for none)."""
        return self.alliance.alliance_id if self.alliance is not None else ""

    @property
    def is_specialty(self) -> bool:
        """An industry-pull specialty cooperative (greenhouses, financed by a loan)."""
        return self.kind == "specialty_cooperative"

    @property
    def pays_dividends(self) -> bool:
        """Member households get a return: every cooperative, not a town company.

        A cooperative returns at least 60 % of its distributable surplus to its members in
        proportion to their transactions with it (Farmers' Professional Cooperatives Law of
        the PRC, 2017 revision, art. 44), with or without the share policy: the members'
        transaction with a pooling cooperative is the land they pooled (counted as land
        shares, ``land_share_value_per_mu`` a mu). A town company is a company: without
        household shares its surplus goes to the villages that own it.
        """
        return self.is_specialty or self.kind != "town_company"

    def book(self, item: str, amount: float) -> None:
        """Add to this year's books and move cash (revenue in, everything else out)."""
        self.books[item] += amount
        self.cash += amount if item == "revenue" else -amount

    def surplus(self) -> float:
        """This year's surplus: revenue less every cost (yuan)."""
        b = self.books
        return b["revenue"] - b["costs"] - b["wages"] - b["overhead"] - b["rent"] - b["interest"]

    def farm_greenhouses(
        self, gross_per_mu: np.ndarray, cost_per_mu: np.ndarray, productivity: np.ndarray
    ) -> float:
        """Run the specialty greenhouses this month; return the wages paid to members.

        Yields follow the members' weather and committee capacity; part of the cash cost is
        paid as wages to member households (paid out by the cooperatives' mechanism).

        Args:
            gross_per_mu: Revenue per mu landing this month, by land use (yuan).
            cost_per_mu: Cash cost per mu incurred this month, by land use (yuan).
            productivity: Operators' yield multiplier, by village.
        """
        model = self.model
        members = self.village_rows
        noise = _mean(model.villages.yield_noise[members])
        revenue = self.area_mu * gross_per_mu[self.land_use] * noise * _mean(productivity[members])
        cost = self.area_mu * cost_per_mu[self.land_use] * self.cost_factor
        wages = cost * model.config.modes.industry_pull.hired_labour_share
        self.book("revenue", revenue)
        self.book("costs", cost - wages)
        self.book("wages", wages)
        model.ledger.pay("market", "cooperatives", "produce_sales", revenue)
        model.ledger.pay("cooperatives", "market", "inputs", cost - wages)
        return wages

    def close_year(self) -> None:
        """December: interest on the loan, the surplus split, and the loan repayment.

        The split pays the collective share to the member collectives and fixes the
        dividend per yuan of member shares (:attr:`member_shares`, counted beforehand);
        the member dividends themselves are paid by the cooperatives' mechanism,
        vectorised over households.
        """
        ip = self.model.config.modes.industry_pull
        if self.is_specialty:
            interest = self.loan * ip.loan_rate
            self.book("interest", interest)
            self.model.ledger.pay("cooperatives", "market", "interest", interest)
        self._split_surplus()
        if self.is_specialty:
            repay = min(self.loan, self.investment / ip.depreciation_years)
            self.loan -= repay
            self.cash -= repay
            self.model.ledger.pay("cooperatives", "market", "loan_repayment", repay)

    def _split_surplus(self) -> None:
        """Split the year's surplus: dividends to members, the collective share, reserves."""
        model = self.model
        rules = model.config.policies.coop_shares
        share_total = self.member_shares
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
            model.accounts.pay_collectives(
                "cooperative",
                self.collective_weights() * split.collective,
                "cooperatives",
                "collective_share",
            )
        self.cash -= split.dividends + split.collective
        self.reserves = split.reserves
        self.last_split = split
        self.last_surplus = surplus
        self.books = dict.fromkeys(BOOK_ITEMS, 0.0)

    def collective_weights(self) -> np.ndarray:
        """How the collective share is split among member villages (zeros elsewhere).

        An alliance's cooperative splits by the alliance's rule; others by pooled land.
        """
        if self.alliance is not None:
            return self.alliance.split_shares()
        weights = np.zeros(self.model.n_villages)
        members = list(self.villages)
        weights[members] = self.model.villages.pooled[members] + 1e-9
        return weights / weights.sum()
