"""Land-use change: households convert grain land to specialty crops, greenhouses or orchards.

Each land use of ``data/land_uses.csv`` has a category (``grain``, ``open_field``,
``greenhouse``, ``orchard``) and conversion economics: an investment per mu (greenhouse
structure, orchard establishment, ginger cellar), the years to first and to full yield (the
yield ramp; orchards bear after years), a learning cost for a household new to the crop
(time and mistakes, a decision cost), a cost to reverse (demolition, grubbing) and the life
of the investment; ``max_land_share`` caps the share of a household's land under one use
(ginger: rotation against soil-borne disease), and ``convertible_share`` the share it may
convert at all (permanent basic farmland stays in grain).

Every January (step ``land-use change``, after the credit lines are re-assessed) a
household compares, per mu, each use ``k`` against keeping grain under *expected* prices
(:attr:`~model.mechanisms.crops.CropMarket.expected_price`, adaptive expectations)::

    gap_k = ramp_k x E[gross_k] - cost factor_k x cost_k - E[grain margin]
            - (labour days_k - grain days) x day value - annuity x (investment_k + learning)
            - risk_aversion x (sd of gross_k - sd of grain gross)

``ramp_k`` and the cost factor are the discounted means over ``planning_years`` of the
yield ramp and of the costs (immature plantings cost ``immature_cost_share`` of a bearing
one); the day value is the local wage the household could earn (as in the pooling choice).
The uses on offer are the village's specialty (``choice_set = "village_specialty"``, one
village one product) or every use (``"any"``). A share ``deciding_share`` of households
reconsiders each year; one that does picks a use by a multinomial logit over the uses on
offer and keeping grain (taste draws of scale ``logit_scale``),
and converts ``plot_share`` of its grain land, as far as the cap, and its savings plus
unused credit for the investment and a year's cash costs (``pay_from_balance``), allow. A
household grows one converted use at a time: it may expand it, or revert it to grain when
keeping it (investment sunk, the reversal cost saved) is worth less than grain, paying the
reversal cost. Land is conserved: converted land comes from the household's grain land and
goes back to it. The county's ginger area moves the ginger price
(:meth:`~model.mechanisms.crops.CropMarket.respond_to_supply`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from model.errors import InputError
from model.params import Section, param

if TYPE_CHECKING:
    from model.jointmodel import JointVillageModel

#: Categories of land use.
CATEGORIES = ("grain", "open_field", "greenhouse", "orchard")
#: Numeric conversion columns of the land-use sheet (all >= 0).
CONVERSION_NUMBERS = (
    "investment_per_mu",
    "first_yield_year",
    "full_yield_year",
    "learning_cost_per_mu",
    "reversal_cost_per_mu",
    "asset_life_years",
    "max_land_share",
)
#: Conversion columns the land-use sheet must have.
CONVERSION_COLUMNS = ("category", *CONVERSION_NUMBERS, "conversion_source")


class LandUseParams(Section):
    """Land-use change parameters (``farming.land_use``)."""

    enabled: bool = param(
        True,
        unit="-",
        source="model design: households may change what they grow (docs/ODD.md)",
        description="Households may convert grain land to other land uses",
    )
    choice_set: Literal["village_specialty", "any"] = param(
        "village_specialty",
        unit="-",
        source="assumption: one village, one product (一村一品, Ministry of Agriculture "
        "demonstration villages): traders, know-how and cold chains gather where a crop is "
        "grown, so land converts to the village's specialty; 'any' lets every use compete",
        description="Land uses a household or operator may convert grain land to",
    )
    planning_years: float = param(
        10.0,
        unit="yr",
        source="assumption: the second-round land contracts run to 2027-2057, but farmers "
        "plan over about a decade (greenhouse film and frames last 10-15 years)",
        description="Horizon over which a conversion is weighed",
        ge=1,
        le=50,
    )
    discount_rate: float = param(
        0.10,
        unit="1/yr",
        source="assumption: above the 5.85 % micro-loan rate, as the risk of a new crop adds",
        description="Rate at which households discount future margins",
        ge=0,
        le=1,
    )
    logit_scale: float = param(
        2000.0,
        unit="yuan/mu/yr",
        source="assumption: spread of unobserved tastes and plot qualities, about a tenth of a "
        "greenhouse's gross per mu",
        description="Scale of the taste draws of the conversion logit",
        gt=0,
        le=100_000,
    )
    deciding_share: float = param(
        0.2,
        unit="share/yr",
        source="assumption: a household reconsiders its crops every five years or so",
        description="Share of households that reconsider their land use in a year",
        gt=0,
        le=1,
    )
    plot_share: float = param(
        0.3,
        unit="share",
        source="assumption: households try a new crop on part of their grain land first",
        description="Share of its grain land a household converts at once",
        gt=0,
        le=1,
    )
    risk_aversion: float = param(
        0.5,
        unit="yuan/yuan of sd",
        source="assumption: a certainty-equivalent discount of half a standard deviation of "
        "gross revenue, within the range of farm risk-premium studies",
        description="Margin given up per yuan of standard deviation of gross revenue",
        ge=0,
        le=5,
    )
    immature_cost_share: float = param(
        0.5,
        unit="share",
        source="assumption: young orchards and new greenhouses need pruning, fertiliser and "
        "pest control at about half the cost of bearing ones",
        description="Cash cost of a planting before full yield, as a share of a bearing one",
        ge=0,
        le=1,
    )
    convertible_share: float = param(
        0.2,
        unit="share",
        source="State Council General Office 2020, Opinions on preventing the non-grain use "
        "of cultivated land (国办发〔2020〕44号): permanent basic farmland, 1.546 of 1.918 "
        "billion mu of cultivated land (Third National Land Survey), is kept for grain",
        description="Largest share of a household's contracted land it may convert",
        ge=0,
        le=1,
    )
    min_farm_labour: float = param(
        0.3,
        unit="labour units",
        source="assumption: as in the household draw, below 0.3 units at home a household "
        "rents its grain land out",
        description="Labour at home a household needs to convert land",
        ge=0,
        le=10,
    )


@dataclass(frozen=True)
class ConversionSheet:
    """Conversion economics per land use (arrays indexed like the crop sheet's land uses).

    Attributes:
        category: Category of each land use (one of :data:`CATEGORIES`).
        investment: Investment per mu converted (yuan/mu).
        first_yield: Years after planting of the first yield.
        full_yield: Years after planting of full yield.
        learning_cost: One-off learning cost of a newcomer (yuan/mu, a decision cost).
        reversal_cost: Cost of turning the land back to grain (yuan/mu).
        asset_life: Life of the investment (yr) over which it depreciates.
        max_share: Largest share of a household's contracted land under the use.
    """

    category: tuple[str, ...]
    investment: np.ndarray
    first_yield: np.ndarray
    full_yield: np.ndarray
    learning_cost: np.ndarray
    reversal_cost: np.ndarray
    asset_life: np.ndarray
    max_share: np.ndarray


def load_conversion_sheet(path: Path, land_uses: tuple[str, ...]) -> ConversionSheet:
    """Read the conversion columns of the land-use sheet, in the order of ``land_uses``.

    Raises:
        InputError: Naming the file, the land use, the column, the value and what is allowed.
    """
    import pandas as pd  # here, not at the top: the scenario schema imports this module

    frame = pd.read_csv(path)
    where = str(path)
    missing = [c for c in CONVERSION_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(where, missing[0], None, "required column missing (land-use change)")
    frame = frame.set_index(frame["land_use"].astype(str)).loc[list(land_uses)]
    for name, row in frame.iterrows():
        if row["category"] not in CATEGORIES:
            allowed = "one of " + ", ".join(CATEGORIES)
            raise InputError(where, f"category (land use {name})", row["category"], allowed)
        if not str(row["conversion_source"]).strip() or pd.isna(row["conversion_source"]):
            raise InputError(where, f"conversion_source (land use {name})", "", "a source")
    numbers = {}
    for column in CONVERSION_NUMBERS:
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = values.isna() | (values < 0)
        if column == "max_land_share":
            bad |= values > 1
        if bad.any():
            name = values.index[bad.to_numpy().argmax()]
            allowed = "a number in [0, 1]" if column == "max_land_share" else "a number >= 0"
            raise InputError(where, f"{column} (land use {name})", frame.loc[name, column], allowed)
        numbers[column] = values.to_numpy(float)
    early = numbers["full_yield_year"] < numbers["first_yield_year"]
    if early.any():
        name = land_uses[int(early.argmax())]
        value = frame.loc[name, "full_yield_year"]
        raise InputError(where, f"full_yield_year (land use {name})", value, ">= first_yield_year")
    return ConversionSheet(
        category=tuple(frame["category"].astype(str)),
        investment=numbers["investment_per_mu"],
        first_yield=numbers["first_yield_year"],
        full_yield=numbers["full_yield_year"],
        learning_cost=numbers["learning_cost_per_mu"],
        reversal_cost=numbers["reversal_cost_per_mu"],
        asset_life=numbers["asset_life_years"],
        max_share=numbers["max_land_share"],
    )


# -- the economics of one conversion (pure functions, hand-checkable) ----------------------


def yield_ramp(age: np.ndarray, first: np.ndarray, full: np.ndarray) -> np.ndarray:
    """Share of full yield at ``age`` years after planting.

    Nothing before ``first``; then a linear rise reaching one at ``full``: e.g. first 3,
    full 5 gives 0, 0, 0, 1/3, 2/3, 1, 1, ...
    """
    age = np.asarray(age, float)
    rising = (age - first + 1.0) / (np.asarray(full, float) - first + 1.0)
    return np.where(age < first, 0.0, np.clip(rising, 0.0, 1.0))


def annuity_factor(rate: float, years: float) -> float:
    """Yearly payment per yuan paid now, over ``years`` at ``rate``."""
    if rate <= 0:
        return 1.0 / years
    return rate / (1.0 - (1.0 + rate) ** (-years))


def horizon_means(
    first: np.ndarray,
    full: np.ndarray,
    years: float,
    rate: float,
    immature_cost_share: float,
    start_age: np.ndarray | float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Discounted means over the horizon of the yield ramp and of the cost factor.

    Returns:
        ``(mean ramp, mean cost factor)``, where a year's cost factor is
        ``max(ramp, immature_cost_share)``.
    """
    ages = np.asarray(start_age, float)[..., None] + np.arange(int(np.ceil(years)))
    weights = (1.0 + rate) ** -np.arange(ages.shape[-1])
    weights = weights / weights.sum()
    ramp = yield_ramp(ages, np.asarray(first)[..., None], np.asarray(full)[..., None])
    cost = np.maximum(ramp, immature_cost_share)
    return ramp @ weights, cost @ weights


def on_offer(village_use: np.ndarray, n_uses: int, choice_set: str) -> np.ndarray:
    """Which uses each village's households (or operator) may convert to, (villages, uses)."""
    if choice_set == "any":
        return np.ones((len(village_use), n_uses), bool)
    return village_use[:, None] == np.arange(n_uses)


def choose_use(
    gaps: np.ndarray, allowed: np.ndarray, scale: float, draw: np.ndarray, share: float
) -> np.ndarray:
    """Multinomial-logit choice among the allowed uses and keeping grain (utility 0).

    Args:
        gaps: Utility of each use over grain, shape (households, uses) (yuan/mu/yr).
        allowed: Where a use may be chosen, same shape.
        scale: Logit scale (yuan/mu/yr).
        draw: One uniform draw per household.
        share: Share of households that reconsider (scales every choice probability).

    Returns:
        The chosen use of each household, -1 for keeping grain.
    """
    utility = np.where(allowed, gaps / scale, -np.inf)
    top = np.maximum(utility.max(axis=1, initial=-np.inf), 0.0)
    weight = np.exp(utility - top[:, None])
    probability = weight / (np.exp(-top) + weight.sum(axis=1))[:, None]
    cumulative = np.cumsum(probability * share, axis=1)
    chosen = draw[:, None] < cumulative
    return np.where(chosen.any(axis=1), chosen.argmax(axis=1), -1)


def gross_sd_share(model: JointVillageModel) -> np.ndarray:
    """Standard deviation of each land use's gross revenue per yuan of it.

    Crops are independent; a crop's yearly yield and price shocks combine; ginger's price
    follows its cycle, whose stationary spread replaces ``price_cv``.
    """
    sheet = model.crops
    params = model.config.farming
    price_cv = sheet.price_cv.copy()
    if "ginger" in sheet.names:
        price_cv[sheet.crop("ginger")] = ginger_cycle_sd(params)
    gross = sheet.yield_kg * sheet.price
    crop_sd = gross * np.sqrt(price_cv**2 + sheet.yield_cv**2)
    use_gross = sheet.incidence @ gross
    use_sd = np.sqrt(sheet.incidence @ crop_sd**2)
    return np.divide(use_sd, use_gross, out=np.zeros_like(use_sd), where=use_gross > 0)


def ginger_cycle_sd(params) -> float:
    """Stationary standard deviation of the ginger log-price cycle (AR(2))."""
    r = params.ginger_cycle_damping
    a1 = 2.0 * r * np.cos(2.0 * np.pi / params.ginger_cycle_years)
    a2 = -(r**2)
    variance = (1.0 - a2) / ((1.0 + a2) * ((1.0 - a2) ** 2 - a1**2))
    return float(params.ginger_price_shock_sd * np.sqrt(max(variance, 0.0)))
