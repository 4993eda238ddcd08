"""Enterprise contracts: who holds them, who joins them, deliveries by kg and payment.

Under ``enterprise_contracts`` a processor or brand firm (an
:class:`~agents.enterprise.Enterprise`) signs a contract with a holder: an alliance, a
village or the village's pooling cooperative (``holder``). The contract's terms are a
:class:`~model.mechanisms.contracts.ContractTerms` row: the holder's specialty crop, a price
per kg (the market price plus ``price_premium``), a volume in tonnes, a quality cost per
kg, a payment delay and the firm's default risk. Contracts run for a term and are renewed
with a probability; each January a firm defaults with ``default_probability`` (drawn from
the enterprises stream), leaving ``arrears_share`` of the year's payments, wages and fees
unpaid. A contract is offered only where the holder's alliance has taken it up
(:mod:`model.mechanisms.uptake`).

Households decide (:mod:`model.mechanisms.participation`): each January a household of a
village under contract that farms the specialty compares the contract's expected net
price with the market price (:func:`~model.mechanisms.contracts.expected_gain`), and joins,
stays or leaves. Each month a member delivers ``volume_share`` of the specialty it harvests,
instead of selling it at market; when members want to deliver more than the contract's
volume left this year, every member's delivery is cut in the same proportion. Members pay
the quality cost at delivery and are paid the contract price ``payment_delay_months``
later. The firm employs local workers and pays the holder's collectives a fee on what it
buys, and sells the branded product for what it pays out plus a margin.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from agents.enterprise import Enterprise
from model.mechanisms.contracts import ContractTerms, capacity_factor, expected_gain
from model.mechanisms.participation import draw_tastes, expected_specialty, rechoose

#: A month with no contract payment due: no rows, no yuan.
_NO_PAYMENT: tuple[np.ndarray, np.ndarray] = (np.zeros(0, dtype=np.int64), np.zeros(0))

if TYPE_CHECKING:
    from model.jointmodel import JointVillageModel


class EnterpriseContracts:
    """Contracts held by alliances, villages or cooperatives; the firms are Enterprise agents.

    Args:
        model: The model.

    Attributes:
        active: Contract active per village.
        years_left: Years left in the current term, per village.
        defaulted: The contract's firm defaulted this year, per village.
        arrears: Unpaid obligations accumulated, per village (yuan).
        forced: Villages whose alliance mode brings a contract whatever the policy.
        firms: The firm behind each holder's contract, by holder unit.
        taste: Each household's fixed taste for contracts (yuan/yr).
        delivered_kg: Delivered this year under each holder unit's contract (kg).
        pending: Contract payments due in 0, 1, ... months: the paid households' rows and
            the yuan due to each (a few per cent of households deliver).
        delivered_value: Market value each household delivered this month (yuan).
    """

    def __init__(self, model: JointVillageModel) -> None:
        self.model = model
        self.params = model.config.policies.enterprise_contracts
        n_v = model.n_villages
        n_h = model.households.n
        self.active = np.zeros(n_v, dtype=bool)
        self.years_left = np.zeros(n_v, dtype=np.int64)
        self.defaulted = np.zeros(n_v, dtype=bool)
        self.arrears = np.zeros(n_v)
        self.forced = np.zeros(n_v, dtype=bool)
        self.firms: dict[int, Enterprise] = {}
        self.taste = draw_tastes(model.enterprise_rng, n_h, self.params.choice)
        self.n_units = len(model.alliance_agents) + 2 * n_v
        self.delivered_kg = np.zeros(self.n_units)
        self.pending = [_NO_PAYMENT] * (self.params.payment_delay_months + 1)
        self.delivered_value = np.zeros(n_h)

    # ----------------------------------------------------------------------------------
    # Holders and terms

    def groups(self) -> np.ndarray:
        """Holder unit per village (-1: none): alliances, then villages, then cooperatives."""
        model = self.model
        p = self.params
        membership = model.villages.membership
        n_a = len(model.alliance_agents)
        village_unit = n_a + np.arange(model.n_villages)
        eligible = membership >= 0 if p.eligible == "allied" else np.ones(model.n_villages, bool)
        if p.holder == "alliance":
            unit = np.where(membership >= 0, membership, village_unit)
        elif p.holder == "village":
            unit = village_unit
        else:
            operator = model.cooperatives.operator_of
            unit = np.where(operator >= 0, n_a + model.n_villages + operator, -1)
        return np.where(eligible, unit, -1)

    def terms(self, unit: int) -> ContractTerms:
        """The terms of a holder unit's contract (its crop: the first village's specialty)."""
        model = self.model
        n_a = len(model.alliance_agents)
        if unit < n_a:
            holder, index = "alliance", unit
        elif unit < n_a + model.n_villages:
            holder, index = "village", unit - n_a
        else:
            holder, index = "cooperative", unit - n_a - model.n_villages
        first = int(np.flatnonzero(self.groups() == unit)[0])
        return self.offer_terms(int(model.villages.land_use[first]), holder, index)

    def offer_terms(
        self, land_use: int, holder: str = "alliance", index: int = -1
    ) -> ContractTerms:
        """The scenario's contract terms for a crop (land use) and holder."""
        p = self.params
        return ContractTerms(
            holder=holder,
            holder_index=index,
            buyer="processor_brand",
            land_use=land_use,
            price_premium=p.price_premium,
            volume_t=p.volume_tonnes,
            quality_cost_share=p.quality_cost_share,
            payment_delay_months=p.payment_delay_months,
            default_probability=p.default_probability,
            arrears_share=p.arrears_share,
        )

    # ----------------------------------------------------------------------------------
    # The year

    def new_year(self) -> None:
        """End, renew, default and sign contracts for the year; households choose."""
        p = self.params
        model = self.model
        rng = model.enterprise_rng
        unit = self.groups()
        offer_draw = rng.random(self.n_units)
        renew_draw = rng.random(self.n_units)
        default_draw = rng.random(self.n_units)
        revise_draw = rng.random(model.households.n)
        choice_draw = rng.random(model.households.n)
        self.defaulted[:] = False
        self.delivered_kg[:] = 0.0
        if p.enabled or self.forced.any():
            has_unit = unit >= 0
            u = np.where(has_unit, unit, 0)
            allowed = (has_unit & p.enabled) | self.forced
            self.years_left = np.where(self.active, self.years_left - 1, 0)
            ended = self.active & (self.years_left <= 0)
            renewed = ended & (renew_draw[u] < p.renewal_probability)
            self.active = (self.active & ~ended) | renewed
            self.years_left = np.where(renewed, p.term_years, self.years_left)
            offer = allowed & ~self.active & ((offer_draw[u] < p.contract_share) | self.forced)
            # A mode's contract comes with the mode; any other once the alliance takes it up.
            uptake = model.uptake
            forced_on = uptake.active("mode")
            offer &= np.where(self.forced, forced_on, uptake.active("enterprise_contracts"))
            self.active |= offer
            self.years_left = np.where(offer, p.term_years, self.years_left)
            self.defaulted = self.active & (default_draw[u] < p.default_probability)
        self.choose(revise_draw, choice_draw)

    def expected_gains(self, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """Each household's (of ``rows``, default all) expected yearly gain from joining its
        village's contract (yuan)."""
        p = self.params
        model = self.model
        kg, price = expected_specialty(model, rows)
        delivered = p.volume_share * kg
        # The terms other than the crop are the same for every contract.
        terms = self.offer_terms(-1)
        rate = model.finance.params.loan_rate
        cost = model.prices.nominal(p.participation_cost)
        return expected_gain(delivered, price, terms, rate, cost)

    def choose(self, revise_draw: np.ndarray, choice_draw: np.ndarray) -> None:
        """January: households of villages under contract join, stay or leave."""
        model = self.model
        hh = model.households
        offered = model.villages.per_household(self.active) & (hh.specialty_mu > 0)
        hh.contract_member = rechoose(
            hh.contract_member,
            offered,
            self.expected_gains,
            self.taste,
            hh.village,
            (revise_draw, choice_draw),
            self.params.choice,
        )

    def sync_firms(self) -> None:
        """Create the firms behind new contracts; every firm reads this year's state."""
        model = self.model
        unit = self.groups()
        for u in np.unique(unit[self.active & (unit >= 0)]):
            if int(u) not in self.firms:
                villages = tuple(int(v) for v in np.flatnonzero(unit == u))
                self.firms[int(u)] = Enterprise(model, self.terms(int(u)), villages)
        model.agents_of(Enterprise).do("sync")

    # ----------------------------------------------------------------------------------
    # The month

    def pay(self) -> None:
        """Members deliver this month's contracted produce; the firm pays what is due."""
        if self.active.any():
            self._deliver()  # makes this month's delivered_value
        else:
            self.delivered_value[:] = 0.0
        self._settle_payments()

    def _deliver(self) -> None:
        """Deliveries (up to the volume left), quality costs, the collectives' fee, wages."""
        p = self.params
        model = self.model
        hh = model.households
        accounts = model.accounts
        unit = self.groups()
        village_unit = np.where(self.active & (unit >= 0), unit, -1)
        # Only the members' rows are computed (a few per cent of households); np.bincount
        # over the members alone adds in the same order as over all households.
        member = np.flatnonzero(hh.contract_member)
        member_unit = village_unit[hh.village[member]]
        member, member_unit = member[member_unit >= 0], member_unit[member_unit >= 0]
        # What the member would have sold at market, and its weight in kg.
        wanted_value = p.volume_share * model.farming.specialty_gross[member]
        price = self._market_price_per_kg()[hh.village[member]]
        wanted_kg = np.divide(wanted_value, price, out=np.zeros(len(member)), where=price > 0)
        per_unit = np.bincount(member_unit, wanted_kg, self.n_units)
        factor = capacity_factor(
            per_unit, self.delivered_kg, np.full(self.n_units, p.volume_tonnes * 1000.0)
        )
        self.delivered_kg += per_unit * factor
        market_value = wanted_value * factor[member_unit]
        self.delivered_value = np.zeros(hh.n)  # new zeros: last month's are not zeroed first
        self.delivered_value[member] = market_value
        contract_value = market_value * (1.0 + p.price_premium)
        # Produce delivered to the firm is not sold at market; the quality cost is paid now.
        accounts.pay_households_at("farming", member, -market_value, "market", "contract_delivery")
        quality = market_value * p.quality_cost_share
        accounts.pay_households_at("farming", member, -quality, "market", "contract_quality_cost")
        # Each month's deliveries are paid once, ``payment_delay_months`` later.
        self.pending[-1] = (member, contract_value)
        paid_share = np.where(self.defaulted, 1.0 - p.arrears_share, 1.0)
        village_paid = paid_share * self.active
        member_village = hh.village[member]
        fee = np.bincount(member_village, contract_value, model.n_villages) * p.collective_fee_share
        accounts.pay_collectives("enterprise", fee * village_paid, "enterprises", "contract_fee")
        wage_bill = (
            self.jobs_per_village()
            * model.labour.params.local_monthly_wage
            * model.labour.wage_factor(model.year_index)
        )
        accounts.pay_village_workers(wage_bill * village_paid, "enterprises", "contract_wage")
        self.arrears += (fee + wage_bill) * self.active * (1.0 - paid_share)
        # The firm's own trade: it sells the branded product for what it owes for it plus a
        # margin (a defaulting firm keeps what it does not pay).
        owed = float(contract_value.sum() + fee.sum() + wage_bill.sum())
        model.ledger.pay("market", "enterprises", "branded_sales", owed * (1.0 + p.margin))

    def _settle_payments(self) -> None:
        """Pay the contract payments falling due this month (less a defaulting firm's arrears)."""
        model = self.model
        rows, due = self.pending[0]
        self.pending = [*self.pending[1:], _NO_PAYMENT]
        if not due.any():
            return
        village = model.households.village[rows]
        paid_share = np.where(self.defaulted, 1.0 - self.params.arrears_share, 1.0)[village]
        model.accounts.pay_households_at(
            "farming", rows, due * paid_share, "enterprises", "contract_payment"
        )
        self.arrears += np.bincount(village, due * (1.0 - paid_share), model.n_villages)

    def _market_price_per_kg(self) -> np.ndarray:
        """This year's market price per kg of each village's specialty, with its access."""
        model = self.model
        market = model.market
        kg = market.sheet.incidence @ (market.sheet.yield_kg * market.yield_factor)
        value = market.gross_per_mu()
        price = np.divide(value, kg, out=np.zeros_like(value), where=kg > 0)
        return price[model.villages.land_use] * model.modes.access

    def jobs_per_village(self) -> np.ndarray:
        """Contract jobs spread over the members of each holder unit (labour units)."""
        unit = self.groups()
        counts = np.bincount(np.where(unit >= 0, unit, 0), minlength=1)
        size = np.where(unit >= 0, counts[np.where(unit >= 0, unit, 0)], 1)
        return self.active * self.params.jobs_per_contract / np.maximum(size, 1)

    # ----------------------------------------------------------------------------------
    # Outputs

    def participants(self) -> int:
        """Households in a contract now."""
        return int(self.model.households.contract_member.sum())

    def delivered_tonnes(self) -> float:
        """Delivered under all contracts so far this year (t)."""
        return float(self.delivered_kg.sum() / 1000.0)
