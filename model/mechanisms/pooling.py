"""Land pooling: households' choice to pool land, and the rent the operators owe for it.

An operator (a joint cooperative of an alliance, a village cooperative, or a town
"common-prosperity" company working with an agri-service firm) offers a rent per mu. In
each transfer month a household compares, per mu of its grain land,

    U = (rent - collective cut) + freed labour value + expected dividend + trust
        - own net farming income - attachment,

where freed labour value = labour days per mu x local day wage x chance of finding work,
trust = capacity weight x (committee capacity - 0.5) + peer weight x village pooled share,
and switches with probability ``adoption_speed / (1 + exp(-U / logit_scale))``. Land rented
out privately or left idle is offered too (compared with the market rent, no attachment).
Where the village's operator runs, or may start, a base of the village's specialty
(:meth:`~model.mechanisms.operators.OperatorBases.takes_specialty_land`), a household may
pool its specialty land too, keeping its specialty use: the same logit on the rent, the
freed specialty labour, dividend and trust against its own net specialty income and
attachment; the land joins the base as bearing land (no investment, no ramp).
Operators farm pooled land at scale, as grain or specialty bases
(:mod:`model.mechanisms.operators`); rent accrues
monthly on what is pooled and is settled in December: households get the rent less the
collective's cut per mu, the collective gets the cut and the rent of its reserve land.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np

from model.mechanisms.operators import OperatorBaseParams
from model.params import PROGRAMME_REPORT, Section, param

if TYPE_CHECKING:
    from model.jointmodel import JointVillageModel


def skip_uniform_draws(rng: np.random.Generator, n: int) -> None:
    """Move ``rng`` on past ``n`` uniform draws without making them.

    A ``random()`` double takes one 64-bit output of PCG64 and leaves its buffered 32-bit
    half-word alone, so advancing the bit generator by ``n`` and putting the half-word back
    leaves it where ``rng.random(n)`` would, at a fraction of the cost. Another bit
    generator makes the draws.
    """
    bits = rng.bit_generator
    if not isinstance(bits, np.random.PCG64):
        rng.random(n)
        return
    before = bits.state
    bits.advance(n)
    after = bits.state
    after["has_uint32"], after["uinteger"] = before["has_uint32"], before["uinteger"]
    bits.state = after


class LandPoolingParams(Section):
    """Land-pooling parameters (policy ``land_pooling``)."""

    enabled: bool = param(
        False,
        unit="-",
        source="model design: policy switch (docs/ODD.md section 7.5)",
        description="Switch the policy on",
    )
    eligible: Literal["allied", "all"] = param(
        "allied",
        unit="-",
        source=PROGRAMME_REPORT + ": pooling runs through the joint organisations",
        description="Which villages get an operator",
    )
    operator: Literal["cooperative", "town_company"] = param(
        "cooperative",
        unit="-",
        source=PROGRAMME_REPORT + ": joint cooperatives, or a town common-prosperity company",
        description="Who operates pooled land",
    )
    rent: float = param(
        800.0,
        unit="yuan/mu/yr",
        source=PROGRAMME_REPORT + ": land rent doubled from 400 to 800",
        description="Rent the operator pays per pooled mu",
        ge=0,
        le=5000,
    )
    market_rent: float = param(
        400.0,
        unit="yuan/mu/yr",
        source="Economic Daily; land-transfer portals; Sustainability (2019): Shandong baseline "
        "land rent 400 yuan/mu",
        description="Rent of private land transfers (and of reserve land outside pooling)",
        ge=0,
        le=5000,
    )
    collective_cut: float = param(
        100.0,
        unit="yuan/mu/yr",
        source="Economic Daily (肥城): 800 yuan/mu of which the village keeps 100",
        description="Part of the rent kept by the village collective as service fee",
        ge=0,
        le=5000,
    )
    include_reserve_land: bool = param(
        True,
        unit="-",
        source="assumption: collectives pool their reserve land first",
        description="Collective reserve land is pooled at the operator's rent",
    )
    custody_yield_factor: float = param(
        1.05,
        unit="-",
        source="assumption: full-service custody (大田托管) claims 5-15 % higher yields; "
        "the low end, since operators also farm the poorer plots",
        description="Yield multiplier of operators over the family-farm mean",
        ge=0.5,
        le=1.5,
    )
    scale_cost_factor: float = param(
        0.95,
        unit="-",
        source="assumption: bulk inputs and own machinery cut cash cost 10-25 %, but operators "
        "also pay for drying, storage, transport and insurance that families do themselves",
        description="Operator cash cost per mu relative to the family farm",
        ge=0.3,
        le=1.5,
    )
    management_cost_per_mu: float = param(
        150.0,
        unit="yuan/mu/yr",
        source="assumption: managers, interest on working capital, field staff; leaves scale "
        "grain farms a thin margin at 800 yuan/mu rent, as the family net after imputed land "
        "and labour in the grain cost surveys (Linyi, Dongping, Lijin, Donghai; 100-550 "
        "yuan/mu) implies",
        description="Operator overhead per mu",
        ge=0,
        le=2000,
    )
    capacity_productivity: float = param(
        0.2,
        unit="1/capacity",
        source="assumption: capable committees run operations better",
        description="Operator yield gain per unit of committee capacity above 0.5",
        ge=0,
        le=2,
    )
    logit_scale: float = param(
        350.0,
        unit="yuan/mu/yr",
        source="assumption: heterogeneity of unobserved preferences",
        description="Scale of the logit choice",
        gt=0,
        le=10000,
    )
    peer_weight: float = param(
        300.0,
        unit="yuan/mu/yr",
        source="assumption: neighbours' pooling raises trust (peer effect)",
        description="Utility of pooling per unit of the village's pooled share",
        ge=0,
        le=5000,
    )
    capacity_weight: float = param(
        500.0,
        unit="yuan/mu/yr",
        source="assumption: a capable committee makes pooling trusted",
        description="Utility of pooling per unit of committee capacity above 0.5",
        ge=0,
        le=5000,
    )
    adoption_speed: float = param(
        0.4,
        unit="share/window",
        source="assumption: adoption spreads over several transfer windows",
        description="Largest share of willing households that switch in one window",
        gt=0,
        le=1,
    )
    transfer_months: list[int] = param(
        [6, 10],
        unit="month",
        source="assumption: land changes hands after the wheat (June) and maize (October) harvests",
        description="Months in which pooled land changes hands",
    )
    bases: OperatorBaseParams = OperatorBaseParams()


class LandPooling:
    """Pooling decisions and the pooled-rent settlement.

    Args:
        model: The model.

    Attributes:
        rent_due: Rent accrued per household since the last payment (yuan).
        reserve_rent_due: Reserve-land rent accrued per village (yuan).
        contracted_by_village: Contracted land per village (mu); it never changes hands.
    """

    def __init__(self, model: JointVillageModel) -> None:
        self.model = model
        self.params = model.config.policies.land_pooling
        self.rent_due = np.zeros(model.households.n)
        self.reserve_rent_due = np.zeros(model.n_villages)
        self.grain = model.crops.land_use("grain")
        self.contracted_by_village = model.villages.sum_by_village(model.households.contracted_mu)

    @property
    def village_has_operator(self) -> np.ndarray:
        """True where a village's land can be pooled: an operator, and pooling taken up."""
        model = self.model
        return (model.cooperatives.operator_of >= 0) & model.uptake.active("land_pooling")

    # ----------------------------------------------------------------------------------
    # Decisions

    def decide(self) -> None:
        """Households choose whether to pool, in transfer months."""
        p = self.params
        model = self.model
        hh = model.households
        # Draw for every household every month so that streams stay aligned across
        # scenarios (common random numbers), whatever the policy; the specialty-land draw
        # comes from its own stream (adding it shifts no other). Outside a window the
        # draws are not used: the streams only move on.
        if not p.enabled or model.month not in p.transfer_months:
            skip_uniform_draws(model.rng, 2 * hh.n)
            skip_uniform_draws(model.lease_back.rng, hh.n)
            return
        draw_farmed = model.rng.random(hh.n)
        draw_other = model.rng.random(hh.n)
        draw_specialty = model.lease_back.rng.random(hh.n)
        has_operator = self.village_has_operator
        if p.include_reserve_land:
            newly = model.collective.reserve_mu * has_operator
            model.collective.reserve_pooled = np.maximum(model.collective.reserve_pooled, newly)
        # Only the rows of villages with an operator are computed (about a quarter of the
        # households); the others neither choose nor move land.
        rows = model.villages.rows_of(np.flatnonzero(has_operator))
        if not len(rows):
            return
        trust_v = self.trust()
        trust = trust_v[hh.village[rows]]
        utility_gap = self.utility_gap(trust, rows)
        scale = model.prices.nominal(p.logit_scale)  # tastes are in 2023 yuan
        willing = 1.0 / (1.0 + np.exp(-np.clip(utility_gap / scale, -50, 50)))
        grain_mu, rented_out, idle = hh.grain_mu[rows], hh.rented_out_mu[rows], hh.idle_mu[rows]
        switch = (draw_farmed[rows] < willing * p.adoption_speed) & (grain_mu > 0)
        # Land not farmed by the household: compared with the private rent (or nothing).
        rent_h = self.household_rent()
        market_rent = model.prices.nominal(p.market_rent, "land_rent")
        other_gap = rent_h - market_rent * (rented_out > 0) + trust
        other_willing = 1.0 / (1.0 + np.exp(-np.clip(other_gap / scale, -50, 50)))
        offers = (draw_other[rows] < other_willing * p.adoption_speed) | switch
        moved_grain = np.where(switch, grain_mu, 0.0)
        moved_other = np.where(offers, rented_out + idle, 0.0)
        hh.pooled_mu[rows] += moved_grain + moved_other
        hh.grain_mu[rows] -= moved_grain
        # New arrays, as np.where made them, so that no one else's view of them changes.
        hh.rented_out_mu = hh.rented_out_mu.copy()
        hh.rented_out_mu[rows[offers]] = 0.0
        hh.idle_mu = hh.idle_mu.copy()
        hh.idle_mu[rows[offers]] = 0.0
        self._pool_specialty(trust_v, draw_specialty)

    def _pool_specialty(self, trust: np.ndarray, draw: np.ndarray) -> None:
        """Households pool specialty land into their operator's base of that specialty
        (``trust`` by village, as before this window's grain land moved)."""
        p = self.params
        model = self.model
        hh = model.households
        takes = model.operators.takes_specialty_land() & self.village_has_operator
        rows = model.villages.rows_of(np.flatnonzero(takes))
        rows = rows[hh.specialty_mu[rows] > 0]
        if not len(rows):
            return
        gap = self.specialty_gap(trust[hh.village[rows]], rows)
        willing = 1.0 / (1.0 + np.exp(-np.clip(gap / p.logit_scale, -50, 50)))
        moved = np.zeros(hh.n)
        moved[rows] = np.where(draw[rows] < willing * p.adoption_speed, hh.specialty_mu[rows], 0.0)
        hh.pooled_mu += moved
        hh.specialty_mu -= moved
        model.operators.absorb_specialty(model.villages.sum_by_village(moved))

    def specialty_gap(self, trust: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Utility of pooling minus keeping, per mu of own specialty land (yuan/mu/yr), for
        the households ``rows`` (``trust``: theirs)."""
        model = self.model
        hh = model.households
        crops = model.crops
        village = hh.village[rows]
        use = model.villages.land_use[village]
        gross = (
            crops.incidence @ (model.market.expected_yield_kg() * model.market.expected_price)
        )[use]
        access = model.modes.access[village]
        own_net = gross * hh.ability[rows] * access - model.market.cost_per_mu()[use]
        freed = crops.land_use_labour_days[use] * model.lease_back.day_value(rows)
        dividend = model.cooperatives.expected_dividend_per_mu()[village]
        return self.household_rent() + freed + dividend + trust - own_net - hh.attachment[rows]

    def household_rent(self) -> float:
        """Rent a household receives per pooled mu this year (after the collective's cut)."""
        p = self.params
        return self.model.prices.nominal(max(p.rent - p.collective_cut, 0.0), "land_rent")

    def trust(self) -> np.ndarray:
        """Trust term per village: committee capacity and peers (yuan/mu/yr)."""
        p = self.params
        model = self.model
        pooled_share = model.villages.sum_by_village(model.households.pooled_mu) / np.maximum(
            self.contracted_by_village, 1e-9
        )
        trust = p.capacity_weight * (model.villages.capacity - 0.5) + p.peer_weight * pooled_share
        return trust * model.prices.factor("cpi")

    def utility_gap(self, trust: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Utility of pooling minus keeping, per mu of farmed grain land (yuan/mu/yr).

        Args:
            trust: The households' village trust term (see :meth:`trust`).
            rows: The households (rows of the household table).
        """
        model = self.model
        hh = model.households
        crops = model.crops
        village = hh.village[rows]
        price = crops.price * model.prices.crop_price_factors()
        expected_kg = model.market.expected_yield_kg()
        expected_gross = (crops.incidence[self.grain] * expected_kg * price).sum()
        own_net = expected_gross * hh.ability[rows] - model.market.cost_per_mu()[self.grain]
        days = crops.land_use_labour_days[self.grain]
        boost = model.labour.local_job_boost()[village]
        freed_value = (
            days
            * model.labour.daily_local_wage(model.year_index)
            * hh.earning[rows]
            * model.labour.job_probability(hh.head_age[rows], boost)
        )
        dividend = model.cooperatives.expected_dividend_per_mu()[village]
        attachment = hh.attachment[rows] * model.prices.factor("cpi")
        return self.household_rent() + freed_value + dividend + trust - own_net - attachment

    def pooled_by_village(self) -> np.ndarray:
        """Pooled land per village: households' plus the collective's reserve land (mu)."""
        model = self.model
        return (
            model.villages.sum_by_village(model.households.pooled_mu)
            + model.collective.reserve_pooled
        )

    # ----------------------------------------------------------------------------------
    # Rent

    def accrue_rent(self) -> None:
        """Rent accrues monthly on what the operators farm now; it is paid in December."""
        p = self.params
        model = self.model
        if not (p.enabled and len(model.cooperatives)):
            return
        rent = model.prices.nominal(p.rent, "land_rent")
        self.rent_due += model.households.pooled_mu * (rent / 12.0)
        self.reserve_rent_due += model.collective.reserve_pooled * (rent / 12.0)

    def settle_rent(self) -> None:
        """December: the operators pay the year's rent to households and collectives."""
        p = self.params
        if not p.enabled:
            return
        model = self.model
        accounts = model.accounts
        due = self.rent_due
        to_households = due * (max(p.rent - p.collective_cut, 0.0) / max(p.rent, 1e-9))
        cut = model.villages.sum_by_village(due - to_households)
        accounts.pay_households("property", to_households, "cooperatives", "pooled_rent")
        accounts.pay_collectives("pooling_fee", cut, "cooperatives", "rent_cut")
        accounts.pay_collectives(
            "reserve_land", self.reserve_rent_due, "cooperatives", "pooled_rent"
        )
        model.cooperatives.book_rent(model.villages.sum_by_village(due) + self.reserve_rent_due)
        self.rent_due[:] = 0.0
        self.reserve_rent_due[:] = 0.0
