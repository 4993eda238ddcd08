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

import numpy as np

from model.mechanisms.participation import LogitParams
from model.params import Section, param


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
    entry: LogitParams = LogitParams()


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
