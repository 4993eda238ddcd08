"""Exit from loss-making farming: households stop farming own land that does not pay.

Each December (step ``farm exit``) every household values a mu of its own-farmed land at
this year's prices, yields and costs (:class:`~model.mechanisms.crops.CropMarket`)::

    margin = gross x ability x village yield noise (x market access for the specialty)
             - cash cost - labour days x local day wage x earning x chance of local work

averaged over its own grain and specialty land (a household farming none values grain,
the land it would take back). The labour term values the family's days at what they could
earn locally, as in the pooling choice (:mod:`model.mechanisms.pooling`). Its expected
margin follows the year's margin adaptively (Nerlove)::

    E <- E + expectation_weight x (margin - E).

A household is losing in a year when ``E + attachment`` (its attachment to its land, in
yuan/mu/yr) is below what leaving the land brings, ``rental_chance_v x market rent``
(``policies.land_pooling.market_rent``). After ``loss_years_to_exit`` losing years in a row
it stops farming its own grain and specialty land: the land is rented out to a neighbour or
an operator at the market rent when a tenant is found (yearly chance ``rental_chance``,
``rental_chance_hollowed`` in hollowed-out villages), and is left idle otherwise; idle land
left this way is offered again every year. The rent is paid through the ledger with the
other private rent (:meth:`model.mechanisms.farming.Farming.pay_side_income`), and pooling
may take the land on (:mod:`model.mechanisms.pooling`). A household that left land re-enters
(takes it back into grain, idle land first) when ``E + attachment`` exceeds what leaving
brings by ``reentry_hurdle`` (the cost of restarting) and it has ``reentry_min_labour`` at
home. Land moves between the household's own columns only, so the land identity holds
(:mod:`model.invariants`). Converted land and land leased to cooperatives are not affected.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.params import Section, param

if TYPE_CHECKING:
    from model.jointmodel import JointVillageModel


class FarmExitParams(Section):
    """Exit from loss-making farming (``farming.exit``)."""

    enabled: bool = param(
        True,
        unit="-",
        source="model design: households stop farming land that does not pay (docs/ODD.md)",
        description="Households may stop farming own land at a loss",
    )
    expectation_weight: float = param(
        0.5,
        unit="share/yr",
        source="assumption: adaptive (Nerlove) expectations, as for prices; estimated "
        "adjustment coefficients of farm supply response are mostly 0.3-0.8 (Askari and "
        "Cummings, Agricultural Supply Response, 1976)",
        description="Weight of this year's margin in the yearly update of the expected margin",
        gt=0,
        le=1,
    )
    loss_years_to_exit: int = param(
        3,
        unit="yr",
        source="assumption: households give up their land after several bad years in a row, "
        "not after one (a ginger bust lasts one to two years)",
        description="Losing years in a row after which a household stops farming its land",
        ge=1,
        le=50,
    )
    rental_chance: float = param(
        0.7,
        unit="share/yr",
        source="assumption: on Shandong's plain most land offered finds a neighbour, a large "
        "grower or an operator within a year (about a third of contracted land is "
        "transferred nationally, MARA)",
        description="Yearly chance that land a household leaves finds a tenant",
        ge=0,
        le=1,
    )
    rental_chance_hollowed: float = param(
        0.3,
        unit="share/yr",
        source="assumption: few tenants where the young have left; cropland abandonment "
        "reaches about 14 % in China's sampled mountainous villages (Li S., Li X. et al. "
        "2018, Land Degradation & Development 29(5), 2014-15 survey), a benchmark this "
        "rate should leave hollowed villages below",
        description="Yearly chance of finding a tenant in hollowed-out villages",
        ge=0,
        le=1,
    )
    reentry_hurdle: float = param(
        150.0,
        unit="yuan/mu/yr",
        source="assumption: taking land back costs tools, seed and clearing, and a tenant's "
        "lease must run out",
        description="Margin above what leaving brings at which a household farms its land again",
        ge=0,
        le=10_000,
    )
    reentry_min_labour: float = param(
        0.3,
        unit="labour units",
        source="assumption: as in the household draw, below 0.3 units at home a household "
        "does not farm its grain land",
        description="Labour at home a household needs to take its land back",
        ge=0,
        le=10,
    )


def adaptive(expected: np.ndarray, observed: np.ndarray, weight: float) -> np.ndarray:
    """Adaptive expectation: ``expected + weight x (observed - expected)``."""
    return expected + weight * (observed - expected)


def losing_streak(streak: np.ndarray, losing: np.ndarray) -> np.ndarray:
    """Consecutive losing years: one more where losing, zero where not."""
    return np.where(losing, streak + 1.0, 0.0)


class FarmExit:
    """Households' exit from, and re-entry into, farming their own land.

    Args:
        model: The model (set up after the labour market, modes, operators and contracts,
            whose state the margin reads).
    """

    def __init__(self, model: JointVillageModel) -> None:
        self.model = model
        self.params = model.config.farming.exit
        hollowed = model.county.villages["hollowed"].to_numpy(bool)
        p = self.params
        self.rental_chance = np.where(hollowed, p.rental_chance_hollowed, p.rental_chance)
        self.grain = model.crops.land_use("grain")
        # The start: expectations formed on the crop sheet's mean prices, yields and costs.
        model.households.expected_margin[:] = self.margin_per_mu()

    def margin_per_mu(self) -> np.ndarray:
        """Each household's margin per mu of its own land this year (yuan/mu/yr)."""
        model = self.model
        hh = model.households
        each = model.villages.per_household
        use = each(model.villages.land_use)
        gross = model.market.gross_per_mu()
        cost = model.market.cost_per_mu()
        days = model.crops.land_use_labour_days
        boost = each(model.labour.local_job_boost())
        day_value = (
            model.labour.daily_local_wage(model.year_index)
            * hh.earning
            * model.labour.job_probability(hh.head_age, boost)
        )
        yield_factor = each(model.villages.yield_noise) * hh.ability
        access = each(model.modes.access)
        grain = gross[self.grain] * yield_factor - cost[self.grain] - days[self.grain] * day_value
        specialty = gross[use] * yield_factor * access - cost[use] - days[use] * day_value
        farmed = hh.grain_mu + hh.specialty_mu
        weight = np.divide(hh.specialty_mu, farmed, out=np.zeros(hh.n), where=farmed > 0)
        return grain + weight * (specialty - grain)

    def leaving_value(self) -> np.ndarray:
        """What a mu left brings a household: the chance of a tenant times the market rent."""
        model = self.model
        rent = model.config.policies.land_pooling.market_rent
        return model.villages.per_household(self.rental_chance) * rent

    def decide(self) -> None:
        """December: update expectations; exit, re-enter, and let idle left land."""
        model = self.model
        hh = model.households
        # Drawn every year whatever the switch, so that streams stay aligned across scenarios.
        tenant_draw = model.rng.random(hh.n)
        if not self.params.enabled:
            return
        hh.expected_margin[:] = adaptive(
            hh.expected_margin, self.margin_per_mu(), self.params.expectation_weight
        )
        # Pooling may have taken left land on: only what is still rented out or idle counts.
        left = np.flatnonzero(hh.exited_mu > 0)
        hh.exited_mu[left] = np.minimum(
            hh.exited_mu[left], hh.rented_out_mu[left] + hh.idle_mu[left]
        )
        surplus = hh.expected_margin + hh.attachment - self.leaving_value()
        hh.loss_years[:] = losing_streak(hh.loss_years, surplus < 0.0)
        self._reenter(surplus)
        self._exit(tenant_draw)
        self._let_idle(tenant_draw)

    def _exit(self, tenant_draw: np.ndarray) -> None:
        """Households losing long enough leave their own grain and specialty land."""
        hh = self.model.households
        leaving = (hh.loss_years >= self.params.loss_years_to_exit) & (
            hh.grain_mu + hh.specialty_mu > 0
        )
        rows = np.flatnonzero(leaving)
        moved = hh.grain_mu[rows] + hh.specialty_mu[rows]
        tenant = tenant_draw[rows] < self.rental_chance[hh.village[rows]]
        hh.grain_mu[rows] = 0.0
        hh.specialty_mu[rows] = 0.0
        hh.rented_out_mu[rows] += np.where(tenant, moved, 0.0)
        hh.idle_mu[rows] += np.where(tenant, 0.0, moved)
        hh.exited_mu[rows] += moved

    def _let_idle(self, tenant_draw: np.ndarray) -> None:
        """Idle land left at a loss finds a tenant with the yearly chance."""
        hh = self.model.households
        left = np.flatnonzero(hh.exited_mu > 0)  # only land left at a loss can lie idle so
        idle_left = np.minimum(hh.idle_mu[left], hh.exited_mu[left])
        tenant = tenant_draw[left] < self.rental_chance[hh.village[left]]
        found = (idle_left > 0) & tenant
        rows, idle_left = left[found], idle_left[found]
        hh.idle_mu[rows] -= idle_left
        hh.rented_out_mu[rows] += idle_left

    def _reenter(self, surplus: np.ndarray) -> None:
        """Households whose land pays again take it back into grain, idle land first."""
        p = self.params
        hh = self.model.households
        left = np.flatnonzero(hh.exited_mu > 0)
        back = (surplus[left] > p.reentry_hurdle) & (
            hh.farm_labour_at(left) >= p.reentry_min_labour
        )
        rows = left[back]
        from_idle = np.minimum(hh.idle_mu[rows], hh.exited_mu[rows])
        from_rented = np.minimum(hh.rented_out_mu[rows], hh.exited_mu[rows] - from_idle)
        hh.idle_mu[rows] -= from_idle
        hh.rented_out_mu[rows] -= from_rented
        hh.grain_mu[rows] += from_idle + from_rented
        hh.exited_mu[rows] -= from_idle + from_rented

    def exits(self) -> int:
        """Households that have left land at a loss and not taken it back."""
        return int((self.model.households.exited_mu > 0).sum())
