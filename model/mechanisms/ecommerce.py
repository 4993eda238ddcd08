"""Livestream e-commerce: training, selection, crowding, and sellers carrying neighbours.

A yearly quota of farmers is trained (policy ``livestream_training``). Trainees are chosen
among working-age members of eligible villages by a score rising with youth, schooling and
the village's readiness (committee capacity); a trainee becomes an active seller with a
probability driven by the same. A seller's monthly net income is heavy-tailed (lognormal
skill), grows with the seller's experience (the learning curve of
:mod:`model.mechanisms.seller_dynamics`) and falls as sellers crowd its product market:

    income = median x skill x learning(years selling) x wage level
             / (1 + (sellers in market / market's crowding scale)^gamma),

where a market is a land use of the crop sheet and its crowding scale is proportional to the
county's output of that product (:func:`~model.mechanisms.seller_dynamics.product_capacity`),

and the sellers of one market together never earn more than the market's net income cap
(``market_income_cap``): beyond it every seller's income is scaled down alike.

An invited farmer takes the training by the participation logit
(:mod:`model.mechanisms.participation`) on its expected gain: the chance of becoming a
seller times an uncrowded seller's expected yearly income in its market now, less the wages
lost to ``training_days``; the peers are the village's sellers.

Sellers carry their neighbours' produce (Anqiu programme report 2023: 896 sellers, 15,000+
households): each active seller links to ``neighbours_per_seller`` households of the
village, who sell part of their specialty crop online at a premium. Sellers enter every
year, trained or self-taught, and quit with a hazard that rises as their sales fall
(:mod:`model.mechanisms.seller_dynamics`); the seller computations run on the sellers'
rows only (under 1 % of households).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np

from model.mechanisms.participation import (
    LogitParams,
    draw_tastes,
    village_peer_share,
    willingness,
)
from model.mechanisms.seller_dynamics import (
    SellerDynamics,
    SellerDynamicsParams,
    crowding_factor,
    learning,
)
from model.params import PROGRAMME_REPORT, Section, param

if TYPE_CHECKING:
    from model.jointmodel import JointVillageModel


class LivestreamParams(Section):
    """Livestream-training parameters (policy ``livestream_training``)."""

    enabled: bool = param(
        False,
        unit="-",
        source="model design: policy switch (docs/ODD.md section 7.8)",
        description="Switch the policy on",
    )
    eligible: Literal["allied", "all"] = param(
        "allied",
        unit="-",
        source=PROGRAMME_REPORT,
        description="Where trainees are drawn",
    )
    trainees_per_year: int = param(
        300,
        unit="persons/yr",
        source=PROGRAMME_REPORT + ": 896 farmers trained as "
        "sellers (over ~3 years); at most "
        "about ten times that pace (assumption)",
        description="Yearly training quota",
        ge=0,
        le=10000,
    )
    training_years: int = param(
        3,
        unit="yr",
        source="assumption: the programme's first three years",
        description="Years in which the quota is trained",
        ge=0,
        le=50,
    )
    cost_per_trainee: float = param(
        3000.0,
        unit="yuan",
        source="assumption: short courses, equipment subsidy",
        description="Public cost of training one seller",
        ge=0,
        le=100000,
    )
    success_base: float = param(
        0.0,
        unit="logit",
        source="assumption: about half of trainees become active sellers",
        description="Intercept of the success logit",
        ge=-10,
        le=10,
    )
    success_age_weight: float = param(
        0.6,
        unit="logit/10yr",
        source="adopters younger (Li et al. 2021, Food Policy; Luo & Niu 2019, World Bank)",
        description="Success gain per 10 years younger than 45",
        ge=0,
        le=5,
    )
    success_education_weight: float = param(
        0.5,
        unit="logit/3yr",
        source="adopters better educated (Li et al. 2021, Food Policy)",
        description="Success gain per 3 years of schooling above 9",
        ge=0,
        le=5,
    )
    success_readiness_weight: float = param(
        1.5,
        unit="logit",
        source="model design: success depends on village readiness (docs/ODD.md section 7.8)",
        description="Success gain per unit of committee capacity above 0.5",
        ge=0,
        le=10,
    )
    income_median: float = param(
        1500.0,
        unit="yuan/month",
        source="assumption: most rural livestreamers earn little, a few earn a lot; a median "
        "above a good local monthly wage (~10,000 yuan) is implausible",
        description="Median monthly net income of an uncrowded seller",
        ge=0,
        le=10_000,
    )
    income_sigma: float = param(
        1.1,
        unit="log-sd",
        source="assumption: heavy-tailed seller income; at 1.5 the "
        "mean is 3 times the median and the top 1 % earn 33 times it",
        description="Spread of seller skill",
        ge=0,
        le=1.5,
    )
    crowding_exponent: float = param(
        1.0, unit="-", source="assumption", description="Steepness of crowding", ge=0, le=5
    )
    neighbours_per_seller: float = param(
        17.0,
        unit="households",
        source=PROGRAMME_REPORT + ": 896 sellers carry 15,000+ households (~17 each)",
        description="Households whose produce a seller carries",
        ge=0,
        le=1000,
    )
    online_share: float = param(
        0.3,
        unit="share",
        source="assumption: part of a carried household's specialty sold online",
        description="Share of a carried household's specialty crop sold through sellers",
        ge=0,
        le=1,
    )
    online_premium: float = param(
        0.08,
        unit="share",
        source="little gain for producers in an RCT (Couture et al. 2021, AER: Insights)",
        description="Price premium on produce sold online",
        ge=0,
        le=2,
    )
    dropout_rate: float = param(
        0.2,
        unit="1/yr",
        source="assumption: many trained sellers stop within a few years",
        description="Yearly chance an active seller quits when its sales equal the wages its "
        "selling days could earn (higher for lower sales; see dynamics)",
        ge=0,
        le=1,
    )
    market_income_cap: float = param(
        200_000_000.0,
        unit="yuan/market/yr",
        source="assumption: each of the county's specialty products sells some billions of "
        "yuan a year; sellers' net margin on the part sold online is at most a few hundred "
        "million (at 2023 wages; scaled with the county and the wage level)",
        description="Largest yearly net income all sellers of one product earn together",
        gt=0,
        le=2_000_000_000,
    )
    training_days: float = param(
        15.0,
        unit="days",
        source="assumption: county livestream courses run one to three weeks",
        description="Working days a trainee gives up to the training",
        ge=0,
        le=365,
    )
    choice: LogitParams = LogitParams()
    organic_seller_share: float = param(
        0.002,
        unit="share",
        source="assumption: a few self-taught sellers exist without training; at most a "
        "Taobao village's density (AliResearch: active shops in 10 % of households)",
        description="Share of households selling online without the programme",
        ge=0,
        le=0.1,
    )
    dynamics: SellerDynamicsParams = SellerDynamicsParams()


class Livestream:
    """Training, seller entry, learning and quitting, seller incomes and carried neighbours.

    Args:
        model: The model; a few self-taught sellers are drawn here.

    Attributes:
        trained: Households trained by the programme so far.
        reached: Households whose produce an active seller carries.
        sales: Each household's seller income since the last January (yuan).
        dynamics: The sellers' entry, learning and quitting.
        households_v: Households per village.
    """

    def __init__(self, model: JointVillageModel) -> None:
        self.model = model
        self.params = model.config.policies.livestream_training
        hh = model.households
        rng = model.ecommerce_rng
        self.trained = np.zeros(hh.n, dtype=bool)
        self.reached = np.zeros(hh.n, dtype=bool)
        self.sales = np.zeros(hh.n)
        organic = rng.random(hh.n) < self.params.organic_seller_share * (hh.labour > 0)
        hh.seller[:] = organic
        hh.seller_skill[:] = np.where(organic, self._skill(rng, hh.n), 0.0)
        hh.seller_years[:] = 0.0
        self.taste = draw_tastes(rng, hh.n, self.params.choice)
        self.households_v = np.bincount(hh.village, minlength=model.n_villages).astype(float)
        self.dynamics = SellerDynamics(self)

    def _skill(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.exp(rng.normal(0.0, self.params.income_sigma, n))

    def eligible_villages(self) -> np.ndarray:
        """Villages whose households may be trained."""
        if self.params.eligible == "all":
            return np.ones(self.model.n_villages, dtype=bool)
        return self.model.villages.allied

    def new_year(self) -> None:
        """Learn and quit, enter, train this year's quota, and relink neighbours."""
        p = self.params
        model = self.model
        hh = model.households
        rng = model.ecommerce_rng
        quit_draw = rng.random(hh.n)
        noise = rng.gumbel(size=hh.n)
        success_draw = rng.random(hh.n)
        skill = self._skill(rng, hh.n)
        reach_draw = rng.random(hh.n)
        accept_draw = rng.random(hh.n)
        consider_draw = rng.random(hh.n)
        enter_draw = rng.random(hh.n)
        if model.year_index > 0:
            self.dynamics.learn_and_quit(quit_draw)
        self.dynamics.enter(consider_draw, enter_draw, skill)
        quota = p.trainees_per_year if model.year_index < p.training_years else 0
        quota = round(quota * model.budget_scale)
        if p.enabled and quota > 0:
            self._train(quota, noise, success_draw, skill, accept_draw)
        self.sales[:] = 0.0
        self._link_neighbours(reach_draw)

    def _link_neighbours(self, reach_draw: np.ndarray) -> None:
        """Each active seller carries neighbours of its village with specialty land."""
        model = self.model
        hh = model.households
        sellers_v = np.bincount(hh.village[hh.seller], minlength=model.n_villages)
        households_v = np.maximum(self.households_v, 1.0)
        chance = np.clip(sellers_v * self.params.neighbours_per_seller / households_v, 0, 1)
        reach = model.villages.per_household(chance)
        self.reached = (reach_draw < reach) & ~hh.seller & (hh.specialty_mu > 0)

    def success_logit(self, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """Logit of a trainee becoming an active seller, per household (of ``rows``)."""
        p = self.params
        hh = self.model.households
        readiness = self.model.villages.capacity[hh.village[rows]]
        return (
            p.success_base
            + p.success_age_weight * (45.0 - hh.head_age[rows]) / 10.0
            + p.success_education_weight * (hh.education[rows] - 9.0) / 3.0
            + p.success_readiness_weight * (readiness - 0.5)
        )

    def training_gain(
        self, logit: np.ndarray, rows: np.ndarray | slice = slice(None)
    ) -> np.ndarray:
        """Expected yearly gain of taking the training, per household (of ``rows``, whose
        ``logit`` it is) (yuan/yr)."""
        p = self.params
        model = self.model
        hh = model.households
        level = model.labour.wage_factor(model.year_index)
        mean_skill = np.exp(p.income_sigma**2 / 2.0)
        crowding = self.crowding()[hh.village[rows]]
        seller_income = 12.0 * p.income_median * level * mean_skill * crowding
        day_wage = model.labour.daily_local_wage(model.year_index)
        lost_wages = p.training_days * day_wage * hh.earning[rows]
        return seller_income / (1.0 + np.exp(-logit)) - lost_wages

    def _train(
        self,
        quota: int,
        noise: np.ndarray,
        success_draw: np.ndarray,
        skill: np.ndarray,
        accept_draw: np.ndarray,
    ) -> None:
        """Train this year's quota: the best-placed candidates who take the offer, some of
        whom start selling."""
        p = self.params
        model = self.model
        hh = model.households
        candidate = (
            model.villages.per_household(self.eligible_villages())
            & (hh.labour > 0)
            & (hh.head_age < 60)
            & ~self.trained
        )
        # Priced on the candidates' rows only; the others are never chosen.
        rows = np.flatnonzero(candidate)
        sellers = village_peer_share(hh.seller, candidate | hh.seller, hh.village, model.n_villages)
        logit = self.success_logit(rows)
        gain = self.training_gain(logit, rows)
        willing = willingness(gain, self.taste[rows], sellers[hh.village[rows]], p.choice)
        accepted = accept_draw[rows] < willing
        rows, logit = rows[accepted], logit[accepted]
        k = int(min(quota, len(rows)))
        if k <= 0:
            return
        # The k best scores (their order does not matter: every use below is by row).
        best = np.argpartition(-(logit + noise[rows]), k - 1)[:k]
        chosen = rows[best]
        self.trained[chosen] = True
        succeed = success_draw[chosen] < 1.0 / (1.0 + np.exp(-logit[best]))
        new = chosen[succeed & ~hh.seller[chosen]]
        self.dynamics.start_selling(new, skill[new])
        per_village = np.bincount(hh.village[chosen], minlength=model.n_villages)
        model.accounts.spend_public(
            "livestream_training",
            per_village * model.prices.nominal(p.cost_per_trainee),
            payee="market",
        )

    def crowding(self) -> np.ndarray:
        """Income multiplier of sellers per village from crowding of its product market."""
        model = self.model
        hh = model.households
        market = model.villages.land_use[hh.village[hh.seller]]
        sellers = np.bincount(market, minlength=len(self.dynamics.capacity))
        factor = crowding_factor(sellers, self.dynamics.capacity, self.params.crowding_exponent)
        return factor[model.villages.land_use]

    def market_cap_factor(self, market: np.ndarray, income: np.ndarray, level: float) -> np.ndarray:
        """Share of sellers' income each product market can pay this month (at most 1).

        Args:
            market: Each seller's product market (land use).
            income: Each seller's uncapped income this month (yuan).
            level: Wage level of the year (the cap grows with it).

        Returns:
            The factor of each seller.
        """
        model = self.model
        total = np.bincount(market, income, minlength=len(self.dynamics.capacity))
        cap = self.params.market_income_cap * model.budget_scale * level / 12.0
        factor = np.divide(cap, total, out=np.ones(len(total)), where=total > cap)
        return factor[market]

    def pay(self) -> None:
        """Pay sellers' monthly income and carried households' online premium.

        Computed and paid on the sellers' and carried households' rows only.
        """
        p = self.params
        model = self.model
        hh = model.households
        level = model.labour.wage_factor(model.year_index)
        sellers = np.flatnonzero(hh.seller)
        village = hh.village[sellers]
        crowd = self.crowding()[village]
        experience = learning(hh.seller_years[sellers], p.dynamics)
        earned = hh.seller_skill[sellers] * experience * (p.income_median * level) * crowd
        earned *= self.market_cap_factor(model.villages.land_use[village], earned, level)
        self.sales[sellers] += earned
        model.accounts.pay_households_at("ecommerce", sellers, earned, "market", "livestream_sales")
        carried = np.flatnonzero(self.reached)
        premium = model.farming.specialty_gross[carried] * (p.online_share * p.online_premium)
        model.accounts.pay_households_at("farming", carried, premium, "market", "online_premium")
