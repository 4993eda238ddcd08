"""Lease-back (返租倒包) of specialty bases on pooled land to member households.

An operator of pooled land (:mod:`model.mechanisms.operators`) that builds a specialty base
(orchard, greenhouses) may, instead of farming it with hired labour, lease plots of it back
to member households, who farm them with family labour and pay the cooperative a rent. This
is the arrangement of the Shandong vegetable-greenhouse parks (the collective or cooperative
consolidates transferred land, builds the greenhouses and rents them back to growers, as in
Shouguang's greenhouse parks; also the 返租倒包 practice described in the agricultural
economics literature on land transfer): the operator carries the investment and the loan,
the household the cash costs, the work and the crop's risk.

What makes the route differ from a hired-labour base is the value of a day of work. A
hired worker costs the local day wage; a household's own spare day is worth what it could
earn otherwise, the local day wage times its earning ability times its chance of finding
local work (:meth:`model.mechanisms.labour.LabourMarket.job_probability`, falling with the
head's age), as in the pooling choice. A household's margin per mu of a lease-back plot::

    m = ramp x E[gross] x ability x access - cost factor x cash cost - family days x day value
        - risk_aversion x sd of gross

and its gain is ``m - lease rent``. The rent of use ``k`` is the pooled land rent plus
``facility_recovery_share`` of the yearly cost (annuity at the operators' loan rate over the
asset's life) of the base's investment, plus ``rent_markup``. The operator builds a
lease-back base where the joint gain (the village's mean lessee margin, less the annuity of
the investment, less the grain margin at scale the land would otherwise earn) is positive;
the rent only divides that gain. Each January, households with spare family labour take a
plot with probability ``take_up_speed / (1 + exp(-gain / logit_scale))``; a plot is what
its spare days can work, at most ``max_plot_mu``. Leases run while the base stands
(multi-year contracts); the plots go back to the operator when the base reverts to grain.
Land is conserved: the plots are part of the base, which is part of the pooled land.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from model.mechanisms.base_finance import coop_totals
from model.mechanisms.labour import WORKING_DAYS_PER_YEAR
from model.mechanisms.land_use import annuity_factor, gross_sd_share, yield_ramp
from model.params import Section, param
from model.rng import stream

if TYPE_CHECKING:
    from model.jointmodel import JointVillageModel


class LeaseBackParams(Section):
    """Lease-back of bases to member households (``policies.land_pooling.bases.lease_back``)."""

    enabled: bool = param(
        True,
        unit="-",
        source="返租倒包: collectives or cooperatives build greenhouse or orchard bases on "
        "transferred land and lease them back to growers (Shouguang vegetable-greenhouse "
        "parks, Shandong; Ministry of Agriculture and Rural Affairs notes on land-transfer "
        "forms)",
        description="Operators may lease base plots back to member households",
    )
    facility_recovery_share: float = param(
        1.0,
        unit="share",
        source="assumption: greenhouse-park rents are set to recover the facility over its "
        "life (park operators lend or build, growers repay through the rent); below 1 when "
        "project money subsidises the facility",
        description="Share of the base investment's yearly cost (annuity) charged in the rent",
        ge=0,
        le=2,
    )
    rent_markup: float = param(
        0.0,
        unit="yuan/mu/yr",
        source="assumption: no margin beyond the land rent and the facility's cost (a "
        "members' cooperative leases at cost)",
        description="Rent per mu charged on top of the land rent and the facility's cost",
        ge=0,
        le=50_000,
    )
    max_plot_mu: float = param(
        5.0,
        unit="mu",
        source="assumption: a family runs two to four sunlit greenhouses of about one mu each "
        "(Shouguang press reports), or a few mu of orchard",
        description="Largest plot a household leases back",
        gt=0,
        le=100,
    )
    min_plot_mu: float = param(
        0.5,
        unit="mu",
        source="assumption: half a greenhouse is the smallest unit a park leases",
        description="Smallest plot a household leases back (less spare labour: no plot)",
        ge=0,
        le=100,
    )
    logit_scale: float = param(
        1000.0,
        unit="yuan/mu/yr",
        source="assumption: spread of unobserved tastes for farming a leased plot, about a "
        "tenth of a greenhouse's net margin",
        description="Scale of the take-up logit",
        gt=0,
        le=100_000,
    )
    take_up_speed: float = param(
        0.5,
        unit="share/yr",
        source="assumption: a park's plots fill over two to three seasons",
        description="Largest share of willing households that take a plot in a year",
        gt=0,
        le=1,
    )


# -- the economics (pure functions, hand-checkable) ----------------------------------------


def lease_rent(
    land_rent: float,
    investment: np.ndarray,
    rate: float,
    asset_life: np.ndarray,
    recovery_share: float,
    markup: float,
) -> np.ndarray:
    """Yearly rent per mu of a lease-back plot, by land use (yuan/mu/yr).

    ``land_rent + recovery_share x annuity(rate, life) x investment + markup``; a use with no
    asset life (no facility) is charged no facility cost.
    """
    life = np.asarray(asset_life, float)
    annuity = np.array([annuity_factor(rate, y) if y > 0 else 0.0 for y in life])
    return land_rent + recovery_share * annuity * np.asarray(investment, float) + markup


def lessee_margin(
    gross: np.ndarray,
    cost: np.ndarray,
    days: np.ndarray,
    day_value: np.ndarray,
    ramp: np.ndarray | float = 1.0,
    cost_factor: np.ndarray | float = 1.0,
    risk: np.ndarray | float = 0.0,
) -> np.ndarray:
    """Margin per mu of a household farming a plot with family labour, before rent.

    Args:
        gross: Expected gross per mu at full yield (yuan/mu/yr).
        cost: Cash cost per mu of a bearing plot (yuan/mu/yr).
        days: Family labour days per mu (days/mu/yr).
        day_value: What a spare family day is worth to the household (yuan/day).
        ramp: Share of full yield (mean over the horizon).
        cost_factor: Cost of the plot relative to a bearing one (mean over the horizon).
        risk: Certainty-equivalent discount for the crop's risk (yuan/mu/yr).
    """
    return ramp * gross - cost_factor * cost - days * day_value - risk


def plot_demand(
    gain: np.ndarray,
    spare_days: np.ndarray,
    days_per_mu: np.ndarray | float,
    draw: np.ndarray,
    params: LeaseBackParams,
) -> np.ndarray:
    """Plot each household asks for (mu): the take-up logit on its gain over the rent.

    Args:
        gain: Margin less rent, per mu, by household (yuan/mu/yr).
        spare_days: Family labour days the household's own farm leaves (days/yr).
        days_per_mu: Family labour days a mu of the plot takes.
        draw: One uniform draw per household.
        params: The lease-back parameters.
    """
    willing = 1.0 / (1.0 + np.exp(-np.clip(gain / params.logit_scale, -50, 50)))
    takes = draw < willing * params.take_up_speed
    workable = np.maximum(spare_days, 0.0) / np.maximum(days_per_mu, 1e-9)
    plot = np.minimum(workable, params.max_plot_mu)
    return np.where(takes & (plot >= max(params.min_plot_mu, 1e-9)), plot, 0.0)


class Lessees(NamedTuple):
    """The households that may lease a plot (spare days), for one January's margins."""

    village: np.ndarray
    day_value: np.ndarray
    spare: np.ndarray


class LeaseBack:
    """Plots of the operators' bases leased back to member households.

    Args:
        model: The model (its operators, labour market and households exist).

    Attributes:
        leased_by_village: Base land leased back, by village (mu); equals the sum of the
            village households' ``lease_back_mu``.
        rent_paid: Lease rent paid to the operators since the start (yuan).
        january_draw: This year's uniform take-up draw per household.
    """

    def __init__(self, model: JointVillageModel) -> None:
        self.model = model
        self.params = model.config.policies.land_pooling.bases.lease_back
        self.rng = stream(model.config.seed, "lease_back", model.replicate)
        self.leased_by_village = np.zeros(model.n_villages)
        self.rent_paid = 0.0
        self.january_draw = np.ones(model.households.n)

    def new_year(self) -> None:
        """January: the year's take-up draws, one per household whatever happens (so that
        the stream stays aligned across scenarios: common random numbers)."""
        self.january_draw = self.rng.random(self.model.households.n)

    @property
    def on(self) -> bool:
        """Lease-back is open (bases and pooling on)."""
        bases = self.model.config.policies.land_pooling.bases
        return bool(self.params.enabled and bases.enabled)

    def rent_per_mu(self) -> np.ndarray:
        """Rent of a lease-back plot, by land use (yuan/mu/yr)."""
        model = self.model
        p, bases = self.params, model.config.policies.land_pooling.bases
        sheet = model.conversions.sheet
        return lease_rent(
            model.config.policies.land_pooling.rent,
            model.conversions.investment_per_mu(),
            bases.loan_rate,
            sheet.asset_life,
            p.facility_recovery_share,
            p.rent_markup,
        )

    def day_value(self, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """What a spare family day is worth to each household (or to those of ``rows``):
        the local day wage times its earning ability times its chance of local work
        (yuan/day)."""
        model = self.model
        hh = model.households
        boost = model.labour.local_job_boost()[hh.village[rows]]
        wage = model.labour.daily_local_wage(model.year_index)
        return wage * hh.earning[rows] * model.labour.job_probability(hh.head_age[rows], boost)

    def spare_days(self, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """Days of family farm labour that each household's own land and plot leave idle
        (days/yr), or those of ``rows``; its value is what it would earn if it looked for
        work (:meth:`day_value`). Labour in wage work stays there: a sure wage is worth more
        than the day value."""
        hh = self.model.households
        need = self.model.farming.labour_needed(rows)
        return np.maximum(hh.farm_labour_at(rows) - need, 0.0) * WORKING_DAYS_PER_YEAR

    def labour_days(self, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """Family labour days each household's lease-back plot needs (days/yr), or those
        of ``rows``."""
        model = self.model
        days = model.crops.land_use_labour_days[model.operators.use_by_village()]
        hh = model.households
        if isinstance(rows, slice):
            return hh.lease_back_mu[rows] * model.villages.per_household(days)[rows]
        return hh.lease_back_mu[rows] * days[hh.village[rows]]

    def _village_gross(self) -> tuple[np.ndarray, np.ndarray]:
        """Expected gross per mu at full yield and its risk discount, (villages, uses): the
        same for every household of a village (yuan/mu/yr)."""
        model = self.model
        crops = model.crops
        gross = crops.incidence @ (model.market.expected_yield_kg() * model.market.expected_price)
        own = model.villages.land_use[:, None] == np.arange(len(gross))
        access = np.where(own, model.modes.access[:, None], 1.0)
        gross = gross * access
        risk = model.config.farming.land_use.risk_aversion * gross * gross_sd_share(model)
        return gross, risk

    def _use_terms(
        self, ramp: np.ndarray, cost_factor: np.ndarray, use: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """The village terms of the lessee margin of ``use`` (a land use by village), at
        ability 1 under expected prices: ramped gross less the cost, and the risk discount,
        by village (yuan/mu/yr); ``ramp`` and ``cost_factor`` are by village."""
        model = self.model
        gross, risk = self._village_gross()
        rows = np.arange(model.n_villages)
        cost = model.market.cost_per_mu()
        return ramp * gross[rows, use] - cost_factor * cost[use], risk[rows, use]

    def lessee_terms(self) -> Lessees:
        """The households with spare days, their villages, day values and spare days
        (:meth:`day_value`, :meth:`spare_days`): once for the several margins of one January
        choice. Without spare days a household cannot work the smallest plot (when there is
        one), so the margins' means skip it."""
        hh = self.model.households
        spare = self.spare_days()
        rows = np.flatnonzero(spare > 0) if self.params.min_plot_mu > 0 else np.arange(hh.n)
        return Lessees(hh.village[rows], self.day_value(rows), spare[rows])

    def village_margins(
        self,
        ramp: np.ndarray,
        cost_factor: np.ndarray,
        use: np.ndarray | None = None,
        lessees: Lessees | None = None,
    ) -> np.ndarray:
        """Mean lessee margin per mu, (villages, uses), or (villages,) for ``use`` (a land
        use by village), over the households whose spare labour could work a plot
        (``-inf`` where there are none).

        Args:
            ramp: Horizon-mean yield ramp, by use, or by village given ``use``.
            cost_factor: Horizon-mean cost factor, shaped as ``ramp``.
            use: A land use by village, or ``None`` for every use.
            lessees: :meth:`lessee_terms`, when the caller has them already.
        """
        model = self.model
        lessees = self.lessee_terms() if lessees is None else lessees
        days = model.crops.land_use_labour_days
        if use is None:
            # The village terms of the margin once per village, as lessee_margin groups them.
            gross, risk = self._village_gross()
            base = ramp * gross - cost_factor * model.market.cost_per_mu()
            columns = [(base[:, u], days[u], risk[:, u]) for u in range(len(days))]
            return np.stack([self._mean_margin(*c, lessees) for c in columns], axis=1)
        base, risk = self._use_terms(ramp, cost_factor, use)
        return self._mean_margin(base, days[use][lessees.village], risk, lessees)

    def _mean_margin(
        self, base: np.ndarray, days: np.ndarray | float, risk: np.ndarray, lessees: Lessees
    ) -> np.ndarray:
        """Mean by village of ``base - days x day value - risk`` over the households whose
        spare days could work a plot (``-inf`` where there are none).

        Args:
            base: Ramped gross less the cost, by village (yuan/mu/yr).
            days: Family labour days per mu, by household of ``lessees`` or one for all.
            risk: Risk discount by village (yuan/mu/yr).
            lessees: The households that may lease (:meth:`lessee_terms`).
        """
        n = self.model.n_villages
        could = np.flatnonzero(lessees.spare / np.maximum(days, 1e-9) >= self.params.min_plot_mu)
        v = lessees.village[could]
        days = days[could] if np.ndim(days) else days
        margin = base[v] - days * lessees.day_value[could] - risk[v]
        # np.bincount adds in household order, so the sums are those over all households
        # with the others' zeros to the last bit.
        total = np.bincount(v, margin, n)
        count = np.bincount(v, minlength=n)
        return np.where(count > 0, total / np.maximum(count, 1.0), -np.inf)

    def take_plots(
        self, room: np.ndarray, use: np.ndarray, ramp: np.ndarray, cost_factor: np.ndarray
    ) -> np.ndarray:
        """January: households take plots of the lease-back bases; return the area (mu).

        Args:
            room: Base area each village's operator may lease out this year (mu).
            use: Land use of each village's base.
            ramp: Horizon-mean yield ramp of each village's base (what a lessee weighs).
            cost_factor: Horizon-mean cost factor of each village's base.
        """
        model = self.model
        hh = model.households
        offering = room > 0
        if not offering.any():
            return np.zeros(model.n_villages)
        # The households of the offering villages only (a few per cent), in whole village
        # blocks, so that the village sums add what the sums over all households add.
        rows = np.flatnonzero(model.villages.per_household(offering))
        counts = np.where(offering, model.villages.household_counts, 0)
        starts = (np.cumsum(counts) - counts)[offering]
        v = hh.village[rows]
        base, risk = self._use_terms(ramp, cost_factor, use)
        home_use = use[v]
        days = model.crops.land_use_labour_days[home_use]
        margin = lessee_margin(base[v], 0.0, days, self.day_value(rows), risk=risk[v])
        gain = margin - self.rent_per_mu()[home_use]
        spare = self.spare_days(rows)
        wanted = plot_demand(gain, spare, days, self.january_draw[rows], self.params)
        wanted *= hh.lease_back_mu[rows] <= 0
        asked = np.zeros(model.n_villages)
        asked[offering] = np.add.reduceat(wanted, starts)
        scale = np.divide(room, asked, out=np.zeros_like(room), where=asked > 0)
        plots = wanted * np.minimum(scale, 1.0)[v]
        hh.lease_back_mu[rows] += plots
        area = np.zeros(model.n_villages)
        area[offering] = np.add.reduceat(plots, starts)
        self.leased_by_village += area
        return area

    def end_leases(self, villages: np.ndarray) -> None:
        """The plots of reverted bases go back to the operator (villages: a mask)."""
        hh = self.model.households
        hh.lease_back_mu = np.where(villages[hh.village], 0.0, hh.lease_back_mu)
        self.leased_by_village = np.where(villages, 0.0, self.leased_by_village)

    # -- the month ---------------------------------------------------------------------------

    def farm(self) -> None:
        """Lessees farm their plots this month: sales, cash costs, and the rent to the
        operator (a twelfth of the year's each month)."""
        model = self.model
        hh = model.households
        if not (self.leased_by_village.any() and len(model.cooperatives)):
            return
        # Only the lessees' rows are computed (under a few per cent of households); the
        # village terms once per village; the others pay and earn nothing.
        lessee = np.flatnonzero(hh.lease_back_mu > 0)
        v = hh.village[lessee]
        ops = model.operators
        use_v = ops.use_by_village()
        sheet = ops.sheet
        ramp_v = yield_ramp(ops.base_age, sheet.first_yield[use_v], sheet.full_yield[use_v])
        ramp_cost_v = np.maximum(ramp_v, model.config.farming.land_use.immature_cost_share)
        use, ramp, ramp_cost = use_v[v], ramp_v[v], ramp_cost_v[v]
        gross = model.market.monthly_gross_per_mu(model.month)[use]
        cost = model.market.monthly_cost_per_mu(model.month)[use]
        own = model.villages.land_use[v] == use
        access = np.where(own, model.modes.access[v], 1.0)
        field = model.villages.yield_noise[v] * hh.ability[lessee] * access
        plot = hh.lease_back_mu[lessee]
        pay = model.accounts.pay_households_at
        pay("farming", lessee, plot * gross * ramp * field, "market", "lease_back_sales")
        pay("farming", lessee, -plot * cost * ramp_cost, "market", "lease_back_inputs")
        rent = plot * self.rent_per_mu()[use] / 12.0
        pay("farming", lessee, -rent, "cooperatives", "lease_back_rent")
        self._book_rent(np.bincount(v, rent, minlength=model.n_villages))

    def _book_rent(self, by_village: np.ndarray) -> None:
        """The operators book the lease rent as revenue (cash in)."""
        per_coop = coop_totals(self.model, by_village)
        for coop, amount in zip(self.model.cooperatives, per_coop, strict=False):
            if amount > 0:
                coop.book("revenue", float(amount))
        self.rent_paid += float(per_coop.sum())
