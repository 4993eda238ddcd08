"""What operators farm on pooled land: two-season grain, or specialty bases.

An operator of pooled land (:mod:`model.mechanisms.cooperatives`) may turn part of a
village's pooled land into a specialty base (orchard, open-field specialty, greenhouses: the
land uses of ``data/land_uses.csv`` with their investment, yield ramp, learning and reversal
costs). Every January (step ``operators choose what to farm``) it compares per mu, for each
village plot, the same expected margin as the households (:mod:`.land_use`, adaptive price
expectations) at operator scale: custody yields raised by committee capacity, scale cash
costs, hired labour at the local day wage, the management cost, risk; and turns
``base_step_share`` of the village's pooled grain land into the best base whose gap is
positive (an organisation, not a taste draw: no logit) among the uses on offer
(``farming.land_use.choice_set``), within the use's cap and
``farming.land_use.convertible_share`` of the pooled land (permanent basic farmland stays
in grain). An operator may run a base in one of two ways: with hired labour at the local day
wage (the margin above), or by leasing its plots back to member households who farm them
with family labour and pay a rent (返租倒包, :mod:`model.mechanisms.lease_back`); it takes
the way whose gap over grain is larger, and a lease-back base is as large as the plots the
households take. A base whose keeping (investment sunk, reversal cost saved) is worth less
than grain in ``revert_after_years`` Januaries running goes back to grain (and its leases
end). Households may also pool their specialty land into a base of the village's specialty
(:mod:`model.mechanisms.pooling`) where the operator would keep a bearing base of it. The
investment is financed by a loan from the bank, within ``credit_per_mu`` of the operator's
pooled land; in December the operator pays interest (a cost in its books) and repays
``1 / loan_term_years`` of the loan from its cash.

Each month (step ``operators farm pooled land``) operators farm the pooled land that is not
in bases as grain and the bases as their land use; revenue, costs, wages and overhead go to
the operator's books. Land is conserved: a village's bases never exceed its pooled land.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.mechanisms.base_finance import (
    borrow_and_invest,
    coop_totals,
    loan_share,
    pay_by_operator,
    service_loans,
)
from model.mechanisms.labour import WORKING_DAYS_PER_YEAR
from model.mechanisms.land_use import (
    annuity_factor,
    gross_sd_share,
    horizon_means,
    on_offer,
    yield_ramp,
)
from model.mechanisms.lease_back import LeaseBackParams
from model.params import Section, param

if TYPE_CHECKING:
    from model.jointmodel import JointVillageModel

#: Items of an operator's books that farming pooled land books each month.
OPERATION_ITEMS = ("revenue", "costs", "wages", "overhead")


class OperatorBaseParams(Section):
    """Specialty bases on pooled land (``policies.land_pooling.bases``)."""

    enabled: bool = param(
        True,
        unit="-",
        source="Anqiu programme report (大众新媒体 party-building case, 2023): joint "
        "cooperatives consolidate pooled land into peach, cherry and vegetable bases",
        description="Operators may farm pooled land as specialty bases",
    )
    base_step_share: float = param(
        0.25,
        unit="share/yr",
        source="assumption: bases are built in phases over several years",
        description="Share of a village's pooled grain land an operator turns into a base "
        "in a year",
        gt=0,
        le=1,
    )
    credit_per_mu: float = param(
        5000.0,
        unit="yuan/mu",
        source="assumption: Shandong agricultural credit guarantee loans to new agricultural "
        "operators of 0.1-3 million yuan, i.e. a few thousand yuan per operated mu",
        description="Largest loan of an operator per mu of its pooled land",
        ge=0,
        le=200_000,
    )
    loan_rate: float = param(
        0.0485,
        unit="1/yr",
        source="assumption: one-year loan prime rate 3.85 % (PBoC, 2021) plus 1 point for "
        "guaranteed loans to agricultural operators",
        description="Interest on operators' base loans",
        ge=0,
        le=0.5,
    )
    loan_term_years: float = param(
        5.0,
        unit="yr",
        source="assumption: facility loans of agricultural operators run about five years",
        description="Term over which the base loans are repaid (yearly share of the loan)",
        gt=0,
        le=30,
    )
    take_specialty_land: bool = param(
        True,
        unit="-",
        source="Anqiu programme report (大众新媒体 party-building case, 2023): lead-goose "
        "villages consolidate their peach, cherry and vegetable land into bases",
        description="Households may pool specialty land into a base of the village's specialty",
    )
    revert_after_years: int = param(
        2,
        unit="yr",
        source="assumption: orchards and greenhouses are long-lived; an operator grubs out or "
        "demolishes a base only after it has been worth less than grain in two Januaries "
        "running, not on one year's dip in expected prices",
        description="Consecutive Januaries a base must lose against grain before it reverts",
        ge=1,
        le=20,
    )
    lease_back: LeaseBackParams = LeaseBackParams()


class OperatorBases:
    """The operators' specialty bases on pooled land, one plot per village.

    Args:
        model: The model.

    Attributes:
        base_mu: Pooled land farmed as a base, by village (mu).
        base_use: Land-use index of each village's base (-1 for none).
        base_age: Years since the base was planted (area-weighted when expanded).
        leased_back: Where the base is leased back to member households (not hired labour).
        absorbed_mu: Part of each village's base that households pooled as specialty land
            (already bearing: no investment, outside the conversion cap) (mu).
        losing_years: Consecutive Januaries each village's base has been worth less than grain.
        bearing_gap: Gain over grain of keeping a bearing base of the village's specialty,
            as of the last January (yuan/mu/yr; the operators take specialty land if > 0).
        invested: Investment in bases so far (yuan).
    """

    def __init__(self, model: JointVillageModel) -> None:
        self.model = model
        self.params = model.config.policies.land_pooling.bases
        self.grain = model.crops.land_use("grain")
        n = model.n_villages
        self.base_mu = np.zeros(n)
        self.base_use = np.full(n, -1, dtype=np.int64)
        self.base_age = np.zeros(n)
        self.leased_back = np.zeros(n, dtype=bool)
        self.bearing_gap = np.full(n, -np.inf)
        self.losing_years = np.zeros(n, dtype=np.int64)
        self.absorbed_mu = np.zeros(n)
        self.invested = 0.0

    @property
    def sheet(self):
        """The conversion economics (shared with the households' land-use change)."""
        return self.model.conversions.sheet

    def use_by_village(self) -> np.ndarray:
        """Land-use index of each village's base (0 where there is none)."""
        return np.maximum(self.base_use, 0)

    def hired_base_mu(self) -> np.ndarray:
        """Base land the operators farm with hired labour, by village (mu)."""
        return np.maximum(self.base_mu - self.model.lease_back.leased_by_village, 0.0)

    def grain_by_village(self) -> np.ndarray:
        """Pooled land farmed as grain, by village (mu)."""
        return np.maximum(self.model.pooling.pooled_by_village() - self.base_mu, 0.0)

    def jobs(self) -> np.ndarray:
        """Full-time local jobs the operators create, by village: pooled grain land and the
        bases, each at its own labour days at scale."""
        days = self.model.crops.land_use_scale_labour_days
        grain = self.model.cooperatives.grain
        base = self.hired_base_mu() * days[self.use_by_village()]
        work = self.grain_by_village() * days[grain] + base
        return work / WORKING_DAYS_PER_YEAR

    def base_total(self) -> float:
        """Pooled land farmed as specialty bases (mu)."""
        return float(self.base_mu.sum())

    # -- specialty land pooled into the bases ------------------------------------------------

    def takes_specialty_land(self) -> np.ndarray:
        """Villages whose operator takes pooled specialty land into a base of the village's
        specialty: bases on, a non-grain specialty, and no base of another use."""
        model = self.model
        specialty = model.villages.land_use
        p = self.params
        ok = p.enabled & p.take_specialty_land & (specialty != self.grain) & (self.bearing_gap > 0)
        ok &= (self.base_use < 0) | (self.base_use == specialty)
        return ok & (model.cooperatives.operator_of >= 0)

    def absorb_specialty(self, mu: np.ndarray) -> None:
        """Pooled specialty land joins the village's base as bearing land (age = full yield);
        a new base is leased back to members where lease-back is open, else hired."""
        take = mu > 0
        if not take.any():
            return
        use = self.model.villages.land_use
        bearing = self.sheet.full_yield[use]
        total = self.base_mu + mu
        weighted = self.base_mu * self.base_age + mu * bearing
        self.base_age = np.divide(weighted, total, out=self.base_age.copy(), where=take)
        new = take & (self.base_mu <= 0)
        self.leased_back |= new & self.model.lease_back.on
        self.base_use = np.where(take, use, self.base_use)
        self.base_mu = total
        self.absorbed_mu += mu

    # -- the January choice ----------------------------------------------------------------

    def decide(self) -> None:
        """January: bases age; operators revert losing bases and build new ones."""
        model = self.model
        model.lease_back.new_year()
        pooling = model.config.policies.land_pooling
        if not (self.params.enabled and pooling.enabled and len(model.cooperatives)):
            return
        if model.year_index > 0:
            self.base_age += self.base_mu > 0
        hired, leased, keep_gap = self.gaps()
        self.losing_years = np.where((keep_gap < 0) & (self.base_mu > 0), self.losing_years + 1, 0)
        self._revert(self.losing_years >= self.params.revert_after_years)
        self._build(hired, leased)
        self._lease_out_rest()

    def _lease_out_rest(self) -> None:
        """Lease-back bases offer their plots not yet leased (pooled specialty land)."""
        rest = np.where(self.leased_back, self.hired_base_mu(), 0.0)
        if not (rest > 1e-9).any():
            return
        use = self.use_by_village()
        ramp, cost_factor = self._horizon(self.base_age, use)
        self.model.lease_back.take_plots(rest, use, ramp, cost_factor)

    def _horizon(self, start_age: np.ndarray | float = 0.0, use: np.ndarray | None = None):
        """Horizon means of the yield ramp and cost factor (all uses, or ``use`` by village)."""
        choice, sheet = self.model.config.farming.land_use, self.sheet
        first = sheet.first_yield if use is None else sheet.first_yield[use]
        full = sheet.full_yield if use is None else sheet.full_yield[use]
        return horizon_means(
            first, full, choice.planning_years, choice.discount_rate,
            choice.immature_cost_share, start_age,
        )  # fmt: skip

    def gaps(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per-mu gain over grain of each base, by village: run with hired labour, and
        leased back to member households; and the gain of keeping the current base."""
        model = self.model
        pooling = model.config.policies.land_pooling
        choice = model.config.farming.land_use
        crops, sheet = model.crops, self.sheet
        uses = np.arange(len(crops.land_uses))
        expected = crops.incidence @ (
            model.market.expected_yield_kg() * model.market.expected_price
        )
        own = model.villages.land_use[:, None] == uses
        access = np.where(own, model.modes.access[:, None], 1.0)
        productivity = model.cooperatives.operator_productivity()[:, None]
        gross = expected * pooling.custody_yield_factor * productivity * access
        cost = model.market.cost_per_mu(pooling.scale_cost_factor)
        days = crops.land_use_scale_labour_days
        wage = model.labour.daily_local_wage(model.year_index)
        risk = choice.risk_aversion * gross * gross_sd_share(model)
        # What the land earns as grain at scale, with hired labour (the operator's default).
        grain = gross[:, [self.grain]] - cost[self.grain] - days[self.grain] * wage
        grain -= risk[:, [self.grain]]
        annuity = annuity_factor(choice.discount_rate, choice.planning_years)
        newcomer = ~own & (self.base_use[:, None] != uses)
        conversions = self.model.conversions
        upfront = annuity * (
            conversions.investment_per_mu() + conversions.learning_cost_per_mu() * newcomer
        )
        ramp, cost_factor = self._horizon()
        hired_margin = ramp * gross - cost_factor * cost - days * wage - risk
        hired = hired_margin - grain - upfront
        leasing = model.lease_back
        leased = np.full_like(hired, -np.inf)
        lessees = leasing.lessee_terms() if leasing.on else None
        if leasing.on:
            leased = leasing.village_margins(ramp, cost_factor, lessees=lessees) - grain - upfront
        terms = (gross, cost, days * wage, risk, grain[:, 0], annuity, lessees)
        keep = self._keeping(self.use_by_village(), self.base_age, terms)
        # What a base of the village's specialty would be worth kept, at full yield: an
        # operator takes pooled specialty land only into a base it would keep.
        specialty = model.villages.land_use
        self.bearing_gap = self._keeping(specialty, sheet.full_yield[specialty], terms)
        return hired, leased, np.where(self.base_mu > 0, keep, 0.0)

    def _keeping(self, use: np.ndarray, age: np.ndarray, terms: tuple) -> np.ndarray:
        """Gain over grain of keeping a base of ``use`` (by village) from ``age`` on: the
        better of hired labour and lease-back, the investment sunk and the reversal saved.

        Args:
            use: Land use by village.
            age: Base age by village (yr).
            terms: Gross, cost, hired labour cost and risk per mu (by village and use, or by
                use), the grain margin at scale by village, the annuity factor, and the
                households' lessee terms (``LeaseBack.lessee_terms``; ``None``: no lease-back).
        """
        gross, cost, labour, risk, grain, annuity, lessees = terms
        rows = np.arange(self.model.n_villages)
        ramp, cost_factor = self._horizon(age, use)
        keep = ramp * gross[rows, use] - cost_factor * cost[use] - labour[use] - risk[rows, use]
        if lessees is not None:
            lessee = self.model.lease_back.village_margins(ramp, cost_factor, use, lessees)
            keep = np.maximum(keep, lessee)
        return keep - grain + annuity * self.model.conversions.reversal_cost_per_mu()[use]

    def _revert(self, losing: np.ndarray) -> None:
        """Bases worth less than grain go back to grain; the operator pays the reversal and
        the leases of the base end."""
        losing &= self.base_mu > 0
        if not losing.any():
            return
        reversal = self.model.conversions.reversal_cost_per_mu()
        cost = self.base_mu * reversal[self.use_by_village()] * losing
        pay_by_operator(self.model, cost, "base_reversal")
        self.model.lease_back.end_leases(losing)
        self.base_mu = np.where(losing, 0.0, self.base_mu)
        self.base_use = np.where(losing, -1, self.base_use)
        self.base_age = np.where(losing, 0.0, self.base_age)
        self.absorbed_mu = np.where(losing, 0.0, self.absorbed_mu)
        self.leased_back &= ~losing

    def _room(self) -> np.ndarray:
        """Pooled land each village's operator may still turn into each base, (villages, uses)."""
        model = self.model
        uses = np.arange(len(self.sheet.investment))
        pooled = model.pooling.pooled_by_village()
        cap = np.minimum(self.sheet.max_share, model.config.farming.land_use.convertible_share)
        converted = self.base_mu - self.absorbed_mu  # pooled specialty land is not converted
        held = (self.base_use[:, None] == uses) * converted[:, None]
        room = np.clip(cap * pooled[:, None] - held, 0.0, None)
        return np.minimum(room, np.maximum(pooled - self.base_mu, 0.0)[:, None])

    def _build(self, hired: np.ndarray, leased: np.ndarray) -> None:
        """Operators build the best paying base where it beats grain, as loans allow; a
        lease-back base is as large as the plots member households take."""
        model = self.model
        uses = np.arange(hired.shape[1])
        # A standing base keeps its way of running; a new one takes the better way.
        lease_way = np.where(self.base_mu[:, None] > 0, self.leased_back[:, None], leased > hired)
        gaps = np.where(lease_way, leased, hired)
        room = self._room()
        has_operator = model.cooperatives.operator_of >= 0
        choice_set = model.config.farming.land_use.choice_set
        allowed = (gaps > 0) & (room > 1e-9) & has_operator[:, None]
        allowed &= on_offer(model.villages.land_use, gaps.shape[1], choice_set)
        allowed[:, self.grain] = False
        allowed &= (self.base_use[:, None] < 0) | (self.base_use[:, None] == uses)
        best = np.where(allowed, gaps, -np.inf).argmax(axis=1)
        rows = np.arange(model.n_villages)
        step = self.params.base_step_share * self.grain_by_village()
        area = np.where(allowed.any(axis=1), np.minimum(step, room[rows, best]), 0.0)
        investment = self.model.conversions.investment_per_mu()[best]
        area *= loan_share(self.model, self.params, area * investment)
        lease = lease_way[rows, best] & (area > 0)
        if lease.any():
            ramp, cost_factor = self._horizon(self.base_age, best)
            taken = model.lease_back.take_plots(area * lease, best, ramp, cost_factor)
            area = np.where(lease, taken, area)
        self.invested += borrow_and_invest(self.model, area * investment)
        self.leased_back |= lease & (area > 0)
        total = self.base_mu + area
        self.base_age = np.divide(
            self.base_mu * self.base_age, total, out=np.zeros_like(total), where=total > 0
        )
        self.base_use = np.where(area > 0, best, self.base_use)
        self.base_mu = total

    # -- the month and the year --------------------------------------------------------------

    def farm(self) -> None:
        """Operators farm pooled land this month: grain outside the bases, the bases as
        their land use; they pay their workers."""
        model = self.model
        p = model.config.policies.land_pooling
        coops = model.cooperatives
        if not (coops.all and p.enabled):
            return
        month = model.month
        gross = model.market.monthly_gross_per_mu(month, p.custody_yield_factor)
        cost = model.market.monthly_cost_per_mu(month, p.scale_cost_factor)
        days = model.crops.land_use_scale_labour_days
        use = self.use_by_village()
        own = model.villages.land_use == use
        ramp = yield_ramp(self.base_age, self.sheet.first_yield[use], self.sheet.full_yield[use])
        ramp_cost = np.maximum(ramp, model.config.farming.land_use.immature_cost_share)
        # Leased-back plots are farmed by their lessees (model.mechanisms.lease_back).
        grain, base = self.grain_by_village(), self.hired_base_mu()
        field = model.villages.yield_noise * coops.operator_productivity()
        access = np.where(own, model.modes.access, 1.0)
        wage = model.labour.daily_local_wage(model.year_index) / 12.0
        flows = {
            "revenue": (grain * gross[self.grain] + base * gross[use] * ramp * access) * field,
            "costs": grain * cost[self.grain] + base * cost[use] * ramp_cost,
            "wages": (grain * days[self.grain] + base * days[use]) * wage,
            "overhead": (grain + self.base_mu)
            * model.prices.nominal(p.management_cost_per_mu)
            / 12.0,
        }
        operating = ~np.array([coop.is_specialty for coop in coops], dtype=bool)
        # Item by item, each operator books the items it has in the order of the items.
        for item in OPERATION_ITEMS:
            per_coop = coop_totals(self.model, flows[item])
            booking = np.flatnonzero(operating & (per_coop != 0))
            # As Python numbers: some 500 operators book every month.
            for i, amount in zip(booking.tolist(), per_coop[booking].tolist(), strict=True):
                coops.all[i].book(item, amount)
        ledger = model.ledger
        ledger.pay("market", "cooperatives", "produce_sales", float(flows["revenue"].sum()))
        ledger.pay("cooperatives", "market", "inputs", float(flows["costs"].sum()))
        ledger.pay("cooperatives", "market", "overhead", float(flows["overhead"].sum()))
        model.accounts.pay_village_workers(flows["wages"], "cooperatives", "operator_wage")

    def service_loans(self) -> None:
        """December: operators pay interest on their base loans and repay part of them."""
        service_loans(self.model, self.params)
