"""Seller dynamics: livestream sellers enter every year, learn by selling, and quit.

Three rules, each a pure function of arrays over the households concerned (only the
sellers, or the few households that look into selling this year), so that the yearly
seller computation stays on index arrays rather than on the whole household table:

* **Entry.** Each year a share ``considering_share`` of working households without a seller
  looks into selling online (every trained household that is not selling does). One that
  does starts selling with the participation logit's probability
  (:func:`model.mechanisms.participation.willingness`) on its expected gain, a novice's
  expected yearly sales in its product market less the wages of ``selling_days`` at its
  own earning ability; the peers are the village's households already selling.
* **Learning.** A seller's sales grow with the years it has sold (a saturating learning
  curve): ``learning(e) = novice_share + (1 - novice_share) x (1 - exp(-e / learning_years))``
  multiplies the seller's fixed skill. At the defaults a novice sells 40 % of what it will
  sell once experienced, 62 % after one year and 78 % after two.
* **Quitting.** Each January a seller with a year of sales behind it quits with the hazard
  ``h = 1 / (1 + (1 / dropout_rate - 1) x ratio^quit_sales_elasticity)``, where ``ratio``
  is last year's sales over the wages the selling days could have earned: ``dropout_rate``
  at a ratio of one, higher for lower sales, lower for higher ones.

Crowding is per product market (:func:`product_capacity`): a market's saturation scale, in
sellers, is proportional to the county's output of that product (the village land uses of
the crop sheet), so a small product is crowded by few sellers and a large one absorbs many.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.mechanisms.participation import LogitParams, draw_tastes, willingness
from model.params import Section, param

if TYPE_CHECKING:
    from model.mechanisms.ecommerce import Livestream


class SellerEntryParams(LogitParams):
    """The entry logit: a seller's income is uncertain and heavy-tailed, so the scale, the
    tastes and the peer effect are wider than for a contract."""

    logit_scale: float = param(
        5000.0,
        unit="yuan/yr",
        source="assumption: a gain of about 5,000 yuan a year (a third of the wages the "
        "selling days could earn) moves the odds of starting by e",
        description="Scale of the entry logit",
        gt=0,
        le=1_000_000,
    )
    taste_sd: float = param(
        5000.0,
        unit="yuan/yr",
        source="assumption: households differ in their taste for selling (being on camera, "
        "contacts, a phone and a parcel point) as much as in the gain",
        description="Spread of the households' fixed taste for selling",
        ge=0,
        le=1_000_000,
    )
    peer_weight: float = param(
        200_000.0,
        unit="yuan/yr",
        source="assumption: neighbours who sell show how (Taobao villages grow by imitation, "
        "AliResearch); a village with 1 % of its households selling adds 2,000 yuan a year",
        description="Utility of selling per unit of the village's households selling",
        ge=0,
        le=10_000_000,
    )


class SellerDynamicsParams(Section):
    """Entry, learning and quitting of livestream sellers
    (``policies.livestream_training.dynamics``)."""

    considering_share: float = param(
        0.004,
        unit="share/yr",
        source="assumption: a few in a thousand working households look into selling online "
        "in a year; with the entry logit and the quit hazard this keeps the county's sellers "
        "near the start density of 0.2 % of households without the programme (under 1 %, "
        "as in China's rural e-commerce outside Taobao villages; MOFCOM 2023: rural online "
        "retail 2.49 trillion yuan)",
        description="Yearly share of working households without a seller that look into selling",
        ge=0,
        le=1,
    )
    selling_days: float = param(
        120.0,
        unit="days/yr",
        source="assumption: rural livestreaming is part-time, a few evenings a week beside "
        "farm work",
        description="Working days a seller gives to selling in a year",
        ge=0,
        le=365,
    )
    novice_share: float = param(
        0.4,
        unit="share",
        source="assumption: a first-year seller sells well under half of what it sells once "
        "it has an audience and suppliers",
        description="A novice's sales as a share of an experienced seller's",
        gt=0,
        le=1,
    )
    learning_years: float = param(
        2.0,
        unit="yr",
        source="assumption: audiences and supply chains are built over two to three years",
        description="Time scale of the learning curve",
        gt=0,
        le=20,
    )
    quit_sales_elasticity: float = param(
        1.0,
        unit="-",
        source="assumption: the odds of quitting fall in proportion to sales over the wages "
        "given up",
        description="Elasticity of the quit odds to sales over wages given up",
        ge=0,
        le=5,
    )
    sellers_per_100m_output: float = param(
        12.0,
        unit="sellers per 100 million yuan/yr",
        source="assumption: a product's online market halves each seller's sales at about a "
        "dozen sellers per 100 million yuan of the county's output of it (about 120 sellers "
        "for a mid-sized product of one billion yuan)",
        description="Crowding scale of a product market per unit of the county's output",
        gt=0,
        le=10_000,
    )
    entry: SellerEntryParams = SellerEntryParams()


def learning(experience: np.ndarray, params: SellerDynamicsParams) -> np.ndarray:
    """Sales multiplier after ``experience`` years of selling (the learning curve)."""
    grown = 1.0 - np.exp(-np.asarray(experience, float) / params.learning_years)
    return params.novice_share + (1.0 - params.novice_share) * grown


def quit_hazard(
    sales: np.ndarray, wages_given_up: np.ndarray, dropout_rate: float, elasticity: float
) -> np.ndarray:
    """Chance a seller quits this year, from last year's sales over the wages given up.

    ``dropout_rate`` at sales equal to the wages given up; falls towards 0 as sales grow and
    rises towards 1 as they vanish.
    """
    if dropout_rate <= 0.0:
        return np.zeros(np.shape(sales))
    if dropout_rate >= 1.0:
        return np.ones(np.shape(sales))
    ratio = np.asarray(sales, float) / np.maximum(wages_given_up, 1e-9)
    odds = (1.0 / dropout_rate - 1.0) * np.maximum(ratio, 0.0) ** elasticity
    return 1.0 / (1.0 + odds)


def crowding_factor(sellers: np.ndarray, capacity: np.ndarray, exponent: float) -> np.ndarray:
    """Sales multiplier of each market's sellers: ``1 / (1 + (sellers / capacity)^exponent)``."""
    return 1.0 / (1.0 + (np.asarray(sellers, float) / capacity) ** exponent)


def product_capacity(
    output_by_market: np.ndarray, params: SellerDynamicsParams, floor: float = 1.0
) -> np.ndarray:
    """Crowding scale of each product market (sellers), from the county's output of it.

    Args:
        output_by_market: The county's yearly output value of each product (yuan/yr).
        params: The seller dynamics.
        floor: Smallest scale (sellers), so that a product grown on little land still has one.
    """
    scale = params.sellers_per_100m_output * np.asarray(output_by_market, float) / 1e8
    return np.maximum(scale, floor)


class SellerDynamics:
    """Entry, learning and quitting of one county's sellers (the rules of the module doc).

    Args:
        livestream: The e-commerce mechanism whose sellers these are (its crowding, its
            sellers' sales this year and its trained households).

    Attributes:
        capacity: Crowding scale of each product market (sellers), by land use.
        taste: The households' fixed tastes for selling (yuan/yr).
    """

    def __init__(self, livestream: Livestream) -> None:
        self.livestream = livestream
        self.model = livestream.model
        self.params = livestream.params.dynamics
        self.taste = draw_tastes(
            self.model.ecommerce_rng, self.model.households.n, self.params.entry
        )
        self.capacity = product_capacity(self.output_by_market(), self.params)

    def output_by_market(self) -> np.ndarray:
        """The county's yearly output value of each product market at the start (yuan/yr).

        A market is a land use of the crop sheet: grain land everywhere sells into the grain
        market, specialty land into its village's specialty.
        """
        model = self.model
        hh = model.households
        crops = model.crops
        gross = crops.incidence @ (crops.yield_kg * crops.price)
        use = model.villages.land_use[hh.village]
        area = np.bincount(use, hh.specialty_mu, minlength=len(crops.land_uses))
        area[model.farming.grain] += hh.grain_mu.sum()
        return area * gross

    def wages_given_up(self, rows: np.ndarray, year_index: int | None = None) -> np.ndarray:
        """Wages the selling days would earn in local work, for households ``rows`` (yuan/yr)."""
        model = self.model
        year = model.year_index if year_index is None else year_index
        day_wage = model.labour.daily_local_wage(year)
        return self.params.selling_days * day_wage * model.households.earning[rows]

    def learn_and_quit(self, quit_draw: np.ndarray) -> None:
        """Sellers gain a year of experience; some quit, more often after low sales.

        Last year's sales are weighed against last year's wages.
        """
        livestream = self.livestream
        hh = self.model.households
        sellers = np.flatnonzero(hh.seller)
        hh.seller_years[sellers] += 1.0
        wages = self.wages_given_up(sellers, max(self.model.year_index - 1, 0))
        hazard = quit_hazard(
            livestream.sales[sellers],
            wages,
            livestream.params.dropout_rate,
            self.params.quit_sales_elasticity,
        )
        quit = sellers[quit_draw[sellers] < hazard]
        hh.seller[quit] = False
        hh.seller_skill[quit] = 0.0
        hh.seller_years[quit] = 0.0

    def expected_novice_sales(self, rows: np.ndarray) -> np.ndarray:
        """What a new seller of households ``rows`` expects to sell in its first year (yuan/yr).

        A seller does not know its skill before it starts: the mean skill, at a novice's
        learning, in its product market as crowded now.
        """
        p = self.livestream.params
        model = self.model
        level = model.labour.wage_factor(model.year_index)
        mean_skill = np.exp(p.income_sigma**2 / 2.0)
        novice = self.params.novice_share
        crowd = self.livestream.crowding()[model.households.village[rows]]
        return 12.0 * p.income_median * level * mean_skill * novice * crowd

    def entry_gain(self, rows: np.ndarray) -> np.ndarray:
        """Expected yearly gain of starting to sell, for households ``rows`` (yuan/yr)."""
        return self.expected_novice_sales(rows) - self.wages_given_up(rows)

    def enter(self, consider_draw: np.ndarray, enter_draw: np.ndarray, skill: np.ndarray) -> None:
        """Households that look into selling start by the entry logit (organic and trained)."""
        model = self.model
        hh = model.households
        looking = (consider_draw < self.params.considering_share) | self.livestream.trained
        rows = np.flatnonzero(looking & ~hh.seller & (hh.labour > 0) & (hh.head_age < 60))
        if not len(rows):
            return
        sellers_v = np.bincount(hh.village[hh.seller], minlength=model.n_villages)
        peers = sellers_v / np.maximum(self.livestream.households_v, 1.0)
        village = hh.village[rows]
        willing = willingness(
            self.entry_gain(rows), self.taste[rows], peers[village], self.params.entry
        )
        new = rows[enter_draw[rows] < willing]
        self.start_selling(new, skill[new])

    def start_selling(self, rows: np.ndarray, skill: np.ndarray) -> None:
        """Households ``rows`` start selling with the given skills and no experience."""
        hh = self.model.households
        hh.seller[rows] = True
        hh.seller_skill[rows] = skill
        hh.seller_years[rows] = 0.0
