"""Households farming their own land: harvest, cash costs, sideline income and the weather.

Each January the county's crop market draws the year's prices and weather
(:class:`~model.mechanisms.crops.CropMarket`) and every village draws its own yield noise
(local weather and soil). Month by month, households sell what their own grain and
specialty land yields in that month (a household's ability and its village's noise scale
the yield; the village's market access scales the specialty price), and what their
converted land yields (:mod:`model.mechanisms.conversions`), pay the cash costs incurred
that month, and receive the income of sideline businesses, private land rent and
savings, spread evenly over the year.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from model.accounts import DENSE_SHARE
from model.mechanisms.farm_exit import FarmExitParams
from model.mechanisms.labour import WORKING_DAYS_PER_YEAR
from model.mechanisms.land_use import LandUseParams
from model.mechanisms.productivity import yield_levels
from model.params import Section, param

if TYPE_CHECKING:
    from model.jointmodel import JointVillageModel

#: Index of every household (a whole-column view), where a step books them all.
EVERY = slice(None)


class FarmingParams(Section):
    """Farm economics parameters (per-crop figures live in the crop sheet)."""

    crops_file: str = param(
        "data/crops.csv",
        unit="path",
        source="per-mu crop surveys, named in each row of data/crops.csv",
        description="Crop sheet: yields, prices, costs, calendars, sources",
    )
    land_uses_file: str = param(
        "data/land_uses.csv",
        unit="path",
        source="model design; sources named in each row of data/land_uses.csv",
        description="Land uses (crops grown on one mu in a year)",
    )
    ginger_cycle_years: float = param(
        4.0,
        unit="yr",
        source="assumption: Chinese ginger prices boom and bust over 3-5 years (local "
        "press; People's Daily 2024-01-18: 5.6-6.0 yuan/kg in 2023 after 0.7-1.2 in slump years)",
        description="Period of the ginger price cycle",
        ge=2.0,
        le=10.0,
    )
    ginger_cycle_damping: float = param(
        0.8,
        unit="-",
        source="assumption: cycles persist but fade without new shocks",
        description="Damping r of the AR(2) log-price cycle (modulus of its roots)",
        ge=0.0,
        lt=1.0,
    )
    ginger_price_shock_sd: float = param(
        0.45,
        unit="log-points",
        source="assumption: gives a stationary spread close to the observed 0.7-6.0 yuan/kg",
        description="Yearly innovation of the ginger log price",
        ge=0.0,
        le=2.0,
    )
    ginger_log_price_start: float = param(
        0.80,
        unit="log-points",
        source="People's Daily 2024-01-18: 2023 farm-gate 5.6-6.0 vs long-run mean 2.6 yuan/kg "
        "(assumption)",
        description="Ginger log-price deviation in the first year",
        ge=-3.0,
        le=3.0,
    )
    ginger_log_price_previous: float = param(
        0.40,
        unit="log-points",
        source="assumption: 2022 prices already above the long-run mean",
        description="Ginger log-price deviation in the year before the first",
        ge=-3.0,
        le=3.0,
    )
    village_yield_cv: float = param(
        0.06,
        unit="share",
        source="assumption: local weather and soil differences",
        description="Yearly village-level yield noise (coefficient of variation)",
        ge=0.0,
        le=0.5,
    )
    household_ability_sigma: float = param(
        0.15,
        unit="log-sd",
        source="assumption: spread of family-farm yields (yield ranges of the cost surveys in "
        "data/crops.csv)",
        description="Spread of household farming ability (yield multiplier)",
        ge=0.0,
        le=1.0,
    )
    price_expectation_weight: float = param(
        0.5,
        unit="share/yr",
        source="assumption: adaptive (Nerlove) price expectations; estimated adjustment "
        "coefficients of farm supply response are mostly 0.3-0.8 (Askari and Cummings, "
        "Agricultural Supply Response, 1976)",
        description="Weight of last year's price in the yearly update of expected prices",
        ge=0.0,
        le=1.0,
    )
    ginger_price_flexibility: float = param(
        0.1,
        unit="log-points per log-area",
        source="assumption: Anqiu grows about a twentieth to a tenth of China's ginger and demand "
        "for vegetables is price-inelastic (own-price elasticity about -0.6), so 1 % more "
        "county area lowers the price by about 0.06/0.6 = 0.1 %",
        description="Fall of the ginger log price per log-point of county ginger area above "
        "the start",
        ge=0.0,
        le=2.0,
    )
    land_use: LandUseParams = LandUseParams()
    exit: FarmExitParams = FarmExitParams()


class Farming:
    """Own-land farming of every household.

    Args:
        model: The model.

    Attributes:
        grain: Land-use index of grain.
        specialty_gross: Each household's specialty revenue this month (yuan), which
            contract and online sales add to.
    """

    def __init__(self, model: JointVillageModel) -> None:
        self.model = model
        self.params = model.config.farming
        self.grain = model.crops.land_use("grain")
        self.specialty_gross = np.zeros(model.households.n)
        self._converting_rows = np.zeros(0, dtype=np.int64)
        self._converting_month = -1

    def new_year(self) -> None:
        """January: the year's prices and weather, and each village's yield noise."""
        model = self.model
        model.market.new_year(
            model.prices.crop_price_factors(),
            model.prices.factor("input_cost"),
            yield_levels(model.config.productivity, model.prices.crop_index, model.year_index),
        )
        cv = self.params.village_yield_cv
        sigma = np.sqrt(np.log1p(cv**2))
        z = model.weather_rng.standard_normal(model.n_villages)
        model.villages.yield_noise = np.exp(sigma * z - 0.5 * sigma**2)

    def harvest(self) -> None:
        """Book households' crop sales from their own land this month."""
        model = self.model
        hh = model.households
        villages = model.villages
        gross = model.market.monthly_gross_per_mu(model.month)
        at = self._rows_with(gross)
        each = self._per_household(at)
        # The products are taken in the same order as element by element.
        yield_factor = each(villages.yield_noise) * hh.ability[at]
        grain = hh.grain_mu[at] * gross[self.grain] * yield_factor
        access = each(model.modes.access)
        specialty = hh.specialty_mu[at] * each(gross[villages.land_use])
        specialty *= yield_factor
        specialty_gross = specialty * access
        sales = grain + specialty_gross
        # Converted land under the village specialty sells through the village's channels
        # (market access, contracts, online sales); other converted land at the farm gate.
        # Only the converting households' rows (a few per cent) have converted land.
        converting, rows = self._converting_in(at)
        if len(converting):
            converted = model.conversions.monthly_gross_at(rows, gross, yield_factor[converting])
            same_use = hh.converted_use[rows] == villages.land_use[hh.village[rows]]
            own = (specialty[converting] + converted * same_use) * access[converting]
            specialty_gross[converting] = own
            sales[converting] = grain[converting] + own + converted * ~same_use
        if at is EVERY:
            self.specialty_gross = specialty_gross
        else:
            self.specialty_gross = np.zeros(hh.n)
            self.specialty_gross[at] = specialty_gross
        self._pay(at, sales, "crop_sales")

    def pay_costs(self) -> None:
        """Households pay the cash costs of their own land incurred this month."""
        model = self.model
        hh = model.households
        villages = model.villages
        cost = model.market.monthly_cost_per_mu(model.month)
        at = self._rows_with(cost)
        total = hh.grain_mu[at] * cost[self.grain]
        total += hh.specialty_mu[at] * self._per_household(at)(cost[villages.land_use])
        converting, rows = self._converting_in(at)
        total[converting] += model.conversions.monthly_cost_at(rows, cost)
        self._pay(at, -total, "farm_inputs")

    def _pay(self, at: np.ndarray | slice, amounts: np.ndarray, kind: str) -> None:
        """Book own-land farming income of the households ``at`` (every one, or some rows)."""
        accounts = self.model.accounts
        if at is EVERY:
            accounts.pay_households("farming", amounts, "market", kind)
        else:
            accounts.pay_households_at("farming", at, amounts, "market", kind)

    def _rows_with(self, per_mu: np.ndarray) -> np.ndarray | slice:
        """The households whose own land has a value this month at ``per_mu`` (yuan per mu
        of each land use), or :data:`EVERY` household when whole columns cost less.

        Outside grain's harvest and sowing months, only the villages whose specialty sells
        (or costs) this month, and the households with converted land under such a use,
        have anything to book: often a tenth of the county. Every other household's value
        is exactly zero, so booking only these rows changes no household's number.
        """
        model = self.model
        hh = model.households
        villages = model.villages
        if per_mu[self.grain] != 0:
            return EVERY
        active = np.flatnonzero(per_mu[villages.land_use] != 0)
        if villages.household_counts[active].sum() * DENSE_SHARE >= hh.n:
            return EVERY
        rows = villages.rows_of(active)
        converting = self._converting()
        converting = converting[per_mu[np.maximum(hh.converted_use[converting], 0)] != 0]
        # Those outside the active villages join the (ascending) rows in order.
        outside = converting[per_mu[villages.land_use[hh.village[converting]]] == 0]
        return np.insert(rows, np.searchsorted(rows, outside), outside)

    def _converting(self) -> np.ndarray:
        """The households with converted land (ascending rows), counted once a month.

        Converted land changes only in January's land-use change and inheritances (before
        the harvest) and at December's farm exit (after the month's own-land steps), so the
        count made at the month's harvest holds for its costs too.
        """
        if self._converting_month != self.model.steps:
            self._converting_rows = np.flatnonzero(self.model.households.converted_mu != 0)
            self._converting_month = self.model.steps
        return self._converting_rows

    def _converting_in(self, at: np.ndarray | slice) -> tuple[np.ndarray, np.ndarray]:
        """Positions within ``at`` of the households with converted land, and their rows."""
        rows = self._converting()
        if at is EVERY:
            return rows, rows
        position = np.searchsorted(at, rows)
        inside = at[np.minimum(position, len(at) - 1)] == rows if len(at) else rows < 0
        return position[inside], rows[inside]

    def _per_household(self, at: np.ndarray | slice) -> Callable[[np.ndarray], np.ndarray]:
        """Each of the households ``at``'s entry of a per-village array."""
        if at is EVERY:
            return self.model.villages.per_household
        village = self.model.households.village[at]
        return lambda values: values[village]

    def pay_side_income(self) -> None:
        """Sideline business, private land rent and savings, spread over the months."""
        model = self.model
        hh = model.households
        pay = model.accounts.pay_households
        # Business and interest are the same every month of a year: worked out once
        # (model/yearly_amounts.py); land rented out moves with the pooling decisions.
        yearly = model.accounts.pay_households_yearly
        factor = model.labour.wage_factor(model.year_index)
        yearly(
            "farming",
            "business",
            "market",
            "business income",
            lambda: hh.business_income * (factor / 12.0),
        )
        market_rent = model.prices.nominal(
            model.config.policies.land_pooling.market_rent, "land_rent"
        )
        pay("property", hh.rented_out_mu * (market_rent / 12.0), "market", "private_rent")
        interest = model.prices.nominal(model.config.households.savings_income_per_person)
        yearly("property", "interest", "market", "members", lambda: hh.members * (interest / 12.0))

    def labour_needed(self, rows: np.ndarray | slice = EVERY) -> np.ndarray:
        """Labour units each household's own land needs (or those of ``rows``)."""
        model = self.model
        hh = model.households
        days = model.crops.land_use_labour_days
        need = (
            hh.grain_mu[rows] * days[self.grain]
            + hh.specialty_mu[rows] * days[model.villages.land_use[hh.village[rows]]]
            + model.conversions.labour_days(rows)
            + model.lease_back.labour_days(rows)
        )
        return need / WORKING_DAYS_PER_YEAR
