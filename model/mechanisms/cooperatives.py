"""Cooperatives: who operates pooled land, the specialty cooperatives, running them, their year.

Where the pooling policy applies, each eligible village's pooled land is operated by a
cooperative: the joint cooperative of its alliance, its own village cooperative, or its
town's common-prosperity company (``policies.land_pooling.operator``). Operators farm pooled
grain land at scale: custody-level yields, lower cash cost per mu, hired labour at the local
wage and a management cost; their yield rises with the committees' capacity.

Industry-pull alliances build a joint specialty cooperative (greenhouses) on grain land it
leases from member households and pays rent for, financed by household cash shares (capped
per household), collective money and a loan (``modes.industry_pull``).

In January member households of share cooperatives choose whether to buy a cash share
(the participation logit, :mod:`model.mechanisms.participation`). In December each
cooperative closes its year (:meth:`agents.cooperative.Cooperative.close_year`) and the
member dividends are paid, vectorised over households, by the share value each holds
(:mod:`model.mechanisms.coop_shares`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from agents.cooperative import Cooperative
from model.mechanisms.participation import (
    draw_tastes,
    revise,
    village_peer_share,
    willingness,
)

if TYPE_CHECKING:
    from agents.alliance import Alliance
    from model.jointmodel import JointVillageModel

#: Items of an operator's books that its pooled-land operation books each month.
OPERATION_ITEMS = ("revenue", "costs", "wages", "overhead")


class Cooperatives:
    """The county's cooperatives; iterating gives the agents in creation order.

    Args:
        model: The model; the operators of pooled land are created here, the specialty
            cooperatives by :meth:`build_specialty_cooperatives`.

    Attributes:
        all: Every cooperative, operators of pooled land first.
        specialty: The specialty cooperatives (industry-pull greenhouses).
        operator_of: Index in :attr:`all` of each village's operator (-1 for none).
        specialty_of: Index in :attr:`all` of the specialty cooperative of each village's
            primary alliance (-1 for none).
        cash_share_taste: Each household's fixed taste for cash shares (yuan/yr).
    """

    def __init__(self, model: JointVillageModel) -> None:
        self.model = model
        self.all: list[Cooperative] = []
        self.specialty: list[Cooperative] = []
        self.operator_of = np.full(model.n_villages, -1, dtype=np.int64)
        self.specialty_of = np.full(model.n_villages, -1, dtype=np.int64)
        self.grain = model.crops.land_use("grain")
        choice = model.config.policies.coop_shares.cash_share_choice
        self.cash_share_taste = draw_tastes(model.rng, model.households.n, choice)
        self._create_operators()

    def __iter__(self) -> Iterator[Cooperative]:
        return iter(self.all)

    def __len__(self) -> int:
        return len(self.all)

    # ----------------------------------------------------------------------------------
    # Set-up

    def _create_operators(self) -> None:
        """Create the operators of pooled land where the pooling policy applies."""
        model = self.model
        p = model.config.policies.land_pooling
        if not p.enabled:
            return
        villages = model.villages
        everywhere = np.ones(model.n_villages, bool)
        eligible = villages.allied if p.eligible == "allied" else everywhere
        towns = model.county.villages["town"]
        groups: dict[tuple[str, Any], list[int]] = {}
        for v in np.flatnonzero(eligible):
            if p.operator == "town_company":
                key: tuple[str, Any] = ("town_company", towns.iloc[v])
            elif villages.membership[v] >= 0:
                key = ("joint_cooperative", int(villages.membership[v]))
            else:
                key = ("village_cooperative", int(v))
            groups.setdefault(key, []).append(int(v))
        for (kind, ident), members in groups.items():
            alliance = model.alliance_agents[ident] if kind == "joint_cooperative" else None
            self.operator_of[members] = len(self.all)
            self.all.append(Cooperative(model, kind, tuple(members), alliance))

    def build_specialty_cooperatives(self) -> None:
        """Industry-pull alliances build their joint specialty cooperative.

        The greenhouses stand on land the cooperative leases from its member households
        (:meth:`_lease_greenhouse_land`), so the area built is at most what they farm.
        """
        model = self.model
        ip = model.config.modes.industry_pull
        if ip.mu_per_alliance <= 0:
            return
        use = model.crops.land_use(ip.crop_land_use)
        built = []
        for index, alliance in enumerate(model.alliance_agents):
            if alliance.mode != "industry_pull":
                continue
            coop = Cooperative(model, "specialty_cooperative", alliance.members, alliance)
            # The households of the alliance's primary villages: whole village blocks.
            rows = self._primary_rows(index)
            coop.area_mu = self._lease_greenhouse_land(rows)
            scale = (max(coop.area_mu, 1e-9) / ip.reference_mu) ** (-ip.scale_elasticity)
            coop.investment = coop.area_mu * ip.investment_per_mu * scale
            coop.land_use = use
            coop.cost_factor = scale
            built.append((coop, rows, alliance))
            primary = [v for v in alliance.members if model.villages.membership[v] == index]
            self.specialty_of[primary] = len(self.all)
            self.specialty.append(coop)
            self.all.append(coop)
        self._finance_specialty(built)

    def _lease_greenhouse_land(self, rows: np.ndarray) -> float:
        """Lease the greenhouse area from the alliance's households (``rows``); return it (mu).

        The households of the alliance's (primary) member villages lease the same share of
        their own-farmed grain land, at most ``max_converted_share`` of it; the leased land
        leaves their farming (``grain_mu``) for ``leased_mu``.
        """
        model = self.model
        ip = model.config.modes.industry_pull
        hh = model.households
        grain = hh.grain_mu[rows]
        grain_total = _total(grain, rows, hh.n)
        area = min(ip.mu_per_alliance, ip.max_converted_share * grain_total)
        if area <= 0:
            return 0.0
        leased = grain * (area / grain_total)
        hh.grain_mu[rows] -= leased
        hh.leased_mu[rows] += leased
        return area

    def _primary_rows(self, index: int) -> np.ndarray:
        """The household rows of the villages whose primary alliance is ``index``."""
        villages = self.model.villages
        return villages.rows_of(np.flatnonzero(villages.membership == index))

    def lease_rent_per_mu(self) -> float:
        """Yearly rent the specialty cooperatives pay per leased mu (yuan/mu/yr)."""
        config = self.model.config
        pooling = config.policies.land_pooling
        rent = (
            pooling.market_rent
            if config.modes.industry_pull.lease_rent == "market"
            else pooling.rent
        )
        return self.model.prices.nominal(rent, "land_rent")

    def _finance_specialty(self, built: list[tuple[Cooperative, np.ndarray, Alliance]]) -> None:
        """Household cash shares, collective money and a loan pay for the greenhouses.

        Household shares are subscribed by the households whose (primary) alliance this is
        (the rows built with each cooperative), where someone works at home, in proportion
        to labour at home; no household puts in more than ``max_household_subscription``,
        and the loan finances what they do not. The households of all the cooperatives pay
        at once: each household belongs to one alliance, so it pays what it would alone.
        """
        model = self.model
        ip = model.config.modes.industry_pull
        hh = model.households
        ledger = model.ledger
        wanted = np.zeros(hh.n)
        for coop, rows, _ in built:
            at_home = hh.labour[rows] - hh.migrant[rows]
            money = coop.investment * ip.household_share_fraction
            if (at_home > 0).any() and money > 0:
                weights = (at_home > 0) * at_home
                share = money * weights / _total(weights, rows, hh.n)
                wanted[rows] = np.minimum(share, ip.max_household_subscription)
        subscribed = np.zeros(hh.n)
        if wanted.any():
            # Limited by what each household has: savings plus unused credit.
            subscribed = model.finance.pay_from_balance(wanted, "cooperatives", "share_capital")
            hh.specialty_shares += subscribed
        for coop, rows, alliance in built:
            household_money = _total(subscribed[rows], rows, hh.n)
            collective_money = coop.investment * ip.collective_fraction
            model.collective.cash -= alliance.split_shares() * collective_money
            ledger.pay("collectives", "cooperatives", "share_capital", collective_money)
            coop.collective_capital = collective_money
            coop.loan = coop.investment - household_money - collective_money
            ledger.pay("market", "cooperatives", "loan", coop.loan)
            ledger.pay("cooperatives", "market", "investment", coop.investment)

    # ----------------------------------------------------------------------------------
    # Quantities other mechanisms read

    def operator_productivity(self) -> np.ndarray:
        """Operators' yield multiplier from committee capacity, by village."""
        weight = self.model.config.policies.land_pooling.capacity_productivity
        return 1.0 + weight * (self.model.villages.capacity - 0.5)

    def expected_dividend_per_mu(self) -> np.ndarray:
        """Dividend per pooled mu last year, by village (what households expect)."""
        value = self.model.config.policies.coop_shares.land_share_value_per_mu
        # One entry per cooperative (0 for a specialty one) and a last for no operator.
        per_mu = [
            coop.dividend_per_share_yuan * value if coop.kind != "specialty_cooperative" else 0.0
            for coop in self.all
        ]
        slot = np.where(self.operator_of >= 0, self.operator_of, len(self.all))
        return np.array([*per_mu, 0.0])[slot]

    # ----------------------------------------------------------------------------------
    # The month

    def operate_greenhouses(self) -> None:
        """Specialty cooperatives run their greenhouses and pay member workers."""
        if not self.specialty:
            return
        model = self.model
        gross = model.market.monthly_gross_per_mu(model.month)
        cost = model.market.monthly_cost_per_mu(model.month)
        productivity = self.operator_productivity()
        bill = np.zeros(model.n_villages)
        for coop in self.specialty:
            members = coop.village_rows
            bill[members] += coop.farm_greenhouses(gross, cost, productivity) / len(members)
        model.accounts.pay_village_workers(bill, "cooperatives", "greenhouse_wage")
        self._pay_lease_rent()

    def _pay_lease_rent(self) -> None:
        """The specialty cooperatives pay this month's rent on the land they lease."""
        model = self.model
        hh = model.households
        # Only the lessors' rows (a few per cent of households) are computed and paid.
        lessors = np.flatnonzero(hh.leased_mu != 0)
        rent = hh.leased_mu[lessors] * (self.lease_rent_per_mu() / 12.0)
        coop = self.specialty_of[hh.village[lessors]]
        leased = coop >= 0
        per_coop = np.bincount(coop[leased], rent[leased], minlength=len(self.all))
        for index in np.flatnonzero(per_coop):
            self.all[index].book("rent", float(per_coop[index]))
        model.accounts.pay_households_at(
            "property", lessors, rent, "cooperatives", "greenhouse_land_rent"
        )

    # ----------------------------------------------------------------------------------
    # The year

    def subscribe_cash_shares(self) -> None:
        """January: member households of share cooperatives choose to buy a cash share (the
        participation logit on last year's dividend against the deposit rate, trust in the
        committee and peers), as far as their savings plus unused credit allow."""
        model = self.model
        rules = model.config.policies.coop_shares
        hh = model.households
        # Drawn whatever the policy (common random numbers).
        revise_draw = model.rng.random(hh.n)
        choice_draw = model.rng.random(hh.n)
        if not rules.enabled or not self.all or rules.cash_share_amount <= 0:
            return
        each = model.villages.per_household
        member = (each(self.operator_of) >= 0) & (hh.pooled_mu > 0)
        member &= each(model.uptake.active("coop_shares"))
        rows = np.flatnonzero(member)  # only members choose: the others buy nothing
        village = hh.village[rows]
        choice = rules.cash_share_choice
        yield_now = np.array([c.dividend_per_share_yuan for c in self.all] + [0.0])
        gain = rules.cash_share_amount * (yield_now[self.operator_of[village]] - rules.deposit_rate)
        trust = rules.trust_weight * (model.villages.capacity[village] - 0.5)
        holders = village_peer_share(hh.cash_shares > 0, member, hh.village, model.n_villages)
        taste = self.cash_share_taste[rows]
        willing = willingness(gain + trust, taste, holders[village], choice)
        every = np.ones(len(rows), dtype=bool)
        draws = revise_draw[rows], choice_draw[rows]
        wants = revise(~every, every, willing, *draws, choice)
        # A household buys only what its savings plus unused credit can pay for.
        buy = np.zeros(hh.n, dtype=bool)
        buy[rows] = wants & (hh.spendable()[rows] >= rules.cash_share_amount)
        amount = model.finance.pay_from_balance(
            buy * rules.cash_share_amount, "cooperatives", "share_capital"
        )
        hh.cash_shares += amount
        if amount.any():
            paid_in = np.bincount(self.operator_of[hh.village[buy]], amount[buy], len(self.all))
            for coop, paid in zip(self.all, paid_in, strict=False):
                coop.cash += float(paid)

    def book_rent(self, rent_by_village: np.ndarray) -> None:
        """Book the year's pooled rent (paid by the pooling settlement) in the operators."""
        for i, coop in enumerate(self.all):
            if coop.kind != "specialty_cooperative":
                coop.book("rent", float(rent_by_village[self.operator_of == i].sum()))

    def close_year(self) -> None:
        """December: every cooperative closes its year; members get their dividends.

        Pooling cooperatives' members hold land shares (pooled mu x value per mu) and cash
        shares; a specialty cooperative's members hold its specialty shares.
        """
        if not self.all:
            return
        model = self.model
        hh = model.households
        value = model.config.policies.coop_shares.land_share_value_per_mu
        n_coops = len(self.all)
        each = model.villages.per_household
        # By village, each household's cooperative of either kind (the last slot: none).
        operator = np.where(self.operator_of >= 0, self.operator_of, n_coops)
        specialty = np.where(self.specialty_of >= 0, self.specialty_of, n_coops)
        holders = [
            (operator, (hh.pooled_mu * value + hh.cash_shares) * each(self.operator_of >= 0)),
            (specialty, hh.specialty_shares * each(self.specialty_of >= 0)),
        ]
        totals = np.zeros(n_coops)
        for slot, shares in holders:
            totals += np.bincount(each(slot), shares, n_coops + 1)[:n_coops]
        for coop, total in zip(self.all, totals, strict=True):
            coop.member_shares = float(total)
        model.agents_of(Cooperative).do("close_year")
        per_share = np.array([coop.dividend_per_share_yuan for coop in self.all] + [0.0])
        dividends = np.zeros(hh.n)
        for slot, shares in holders:
            dividends += shares * each(per_share[slot])
        model.accounts.pay_households("property", dividends, "cooperatives", "dividend")


def _total(values: np.ndarray, rows: np.ndarray, n: int) -> float:
    """The sum of ``values`` (of the households ``rows``) as numpy adds a column of ``n``
    households that is zero elsewhere: the same to the last bit as the whole-column sum."""
    column = np.zeros(n)
    column[rows] = values
    return float(column.sum())
