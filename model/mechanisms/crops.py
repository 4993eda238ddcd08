"""Crops and their market: the crop sheet, yearly yield and price shocks, the ginger cycle.

Per-mu economics come from the crop sheet ``data/crops.csv`` (yield, price, cash cost,
labour days, harvest and cost calendars, with a source on every row). A *land use* is the
set of crops grown on one mu in a year (``grain`` = wheat then maize). Each year the
:class:`CropMarket` draws county-wide yield shocks (weather) and prices; ginger follows its
own boom-bust cycle (:func:`ginger_cycle_step`), which the county's own ginger area moves
(:meth:`CropMarket.respond_to_supply`). Farmers expect prices adaptively
(:attr:`CropMarket.expected_price`). Revenue lands in harvest months and cash
costs when incurred, so monthly farm income is lumpy as it is in the field. Households,
operators and cooperatives all price their land with this market
(:mod:`model.mechanisms.farming` farms the households' own land).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from model.errors import InputError

if TYPE_CHECKING:
    from model.mechanisms.farming import FarmingParams

#: Columns of the crop sheet that hold numbers >= 0.
NUMERIC_COLUMNS = (
    "yield_kg_per_mu",
    "yield_cv",
    "price_yuan_per_kg",
    "price_cv",
    "cash_cost_per_mu",
    "labour_days_per_mu",
    "scale_labour_days_per_mu",
)
#: Columns the crop sheet must have.
CROP_COLUMNS = ("crop", *NUMERIC_COLUMNS, "harvest_months", "cost_months", "source")


@dataclass
class CropSheet:
    """Per-crop economics as arrays indexed by crop.

    Attributes:
        names: Crop names.
        yield_kg: Mean yield (kg/mu).
        yield_cv: Yearly yield shock CV.
        price: Mean farm-gate price (yuan/kg).
        price_cv: Yearly price shock CV.
        cost: Cash cost (yuan/mu/yr).
        labour_days: Family labour days per mu per year.
        scale_labour_days: Hired labour days per mu at operator scale.
        harvest: Share of revenue landing in each month, shape (crops, 12).
        costs: Share of cash cost incurred in each month, shape (crops, 12).
        land_uses: Land-use names.
        incidence: 1 where a land use grows a crop, shape (land uses, crops).
    """

    names: tuple[str, ...]
    yield_kg: np.ndarray
    yield_cv: np.ndarray
    price: np.ndarray
    price_cv: np.ndarray
    cost: np.ndarray
    labour_days: np.ndarray
    scale_labour_days: np.ndarray
    harvest: np.ndarray
    costs: np.ndarray
    land_uses: tuple[str, ...]
    incidence: np.ndarray

    def crop(self, name: str) -> int:
        """Index of a crop."""
        return self.names.index(name)

    def land_use(self, name: str) -> int:
        """Index of a land use."""
        if name not in self.land_uses:
            raise KeyError(f"unknown land use {name!r}; known: {', '.join(self.land_uses)}")
        return self.land_uses.index(name)

    @property
    def land_use_labour_days(self) -> np.ndarray:
        """Family labour days per mu per year for each land use."""
        return self.incidence @ self.labour_days

    @property
    def land_use_scale_labour_days(self) -> np.ndarray:
        """Hired labour days per mu per year at operator scale, per land use."""
        return self.incidence @ self.scale_labour_days


def _calendar(text: str, where: str, column: str) -> np.ndarray:
    shares = np.zeros(12)
    try:
        for item in str(text).split(";"):
            month, share = item.split(":")
            shares[int(month) - 1] += float(share)
    except (ValueError, IndexError):
        raise InputError(
            where, column, text, "month:share pairs separated by ';', e.g. '10:0.5;11:0.5'"
        ) from None
    if not np.isclose(shares.sum(), 1.0, atol=1e-6):
        raise InputError(where, column, text, "the shares must add up to 1")
    return shares


def load_crop_sheet(crops_path: Path, land_uses_path: Path) -> CropSheet:
    """Read and validate the crop and land-use sheets.

    Raises:
        InputError: Naming the file, the row's crop, the column and the value.
    """
    frame = _read_crops(crops_path)
    names = tuple(frame["crop"].astype(str))
    where = str(crops_path)
    harvest = np.vstack([_calendar(t, where, "harvest_months") for t in frame["harvest_months"]])
    costs = np.vstack([_calendar(t, where, "cost_months") for t in frame["cost_months"]])
    uses = _read_sheet(land_uses_path, ("land_use", "crops", "source"))
    return CropSheet(
        names=names,
        yield_kg=frame["yield_kg_per_mu"].to_numpy(float),
        yield_cv=frame["yield_cv"].to_numpy(float),
        price=frame["price_yuan_per_kg"].to_numpy(float),
        price_cv=frame["price_cv"].to_numpy(float),
        cost=frame["cash_cost_per_mu"].to_numpy(float),
        labour_days=frame["labour_days_per_mu"].to_numpy(float),
        scale_labour_days=frame["scale_labour_days_per_mu"].to_numpy(float),
        harvest=harvest,
        costs=costs,
        land_uses=tuple(uses["land_use"].astype(str)),
        incidence=_incidence(uses, names, land_uses_path),
    )


def _read_crops(path: Path) -> pd.DataFrame:
    """The crop sheet with its numeric columns checked (>= 0) and every row sourced."""
    frame = _read_sheet(path, CROP_COLUMNS)
    for column in NUMERIC_COLUMNS:
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = values.isna() | (values < 0)
        if bad.any():
            row = frame.loc[bad.idxmax()]
            raise InputError(
                str(path), f"{column} (crop {row['crop']})", row[column], "a number >= 0"
            )
        frame[column] = values
    sourced = frame["source"].astype(str).str.strip().astype(bool)
    if not sourced.all():
        crop = frame.loc[~sourced, "crop"].iloc[0]
        raise InputError(str(path), f"source (crop {crop})", "", "every row needs a source")
    return frame


def _incidence(uses: pd.DataFrame, names: tuple[str, ...], path: Path) -> np.ndarray:
    """1 where a land use grows a crop, shape (land uses, crops)."""
    incidence = np.zeros((len(uses), len(names)))
    for i, text in enumerate(uses["crops"].astype(str)):
        for crop in text.split(";"):
            if crop not in names:
                raise InputError(
                    str(path),
                    f"crops (land use {uses['land_use'].iloc[i]})",
                    crop,
                    "crops named in the crop sheet: " + ", ".join(names),
                )
            incidence[i, names.index(crop)] = 1.0
    return incidence


def _read_sheet(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path)
    except FileNotFoundError:
        raise InputError(str(path), allowed="data file not found") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        raise InputError(str(path), allowed=f"not a readable CSV file: {err}") from None
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputError(
            str(path),
            missing[0],
            None,
            "required column missing; required columns: " + ", ".join(required),
        )
    return frame


def ginger_cycle_step(x_prev: float, x_prev2: float, params: FarmingParams, shock: float) -> float:
    """One year of the ginger boom-bust cycle.

    The log price deviation follows an AR(2) process whose characteristic roots have
    modulus ``r`` (damping) and angle ``2*pi/period``: a high price brings planting that
    depresses prices a couple of years later, and the reverse.

    Args:
        x_prev: Last year's log-price deviation.
        x_prev2: The year before's.
        params: Farming parameters.
        shock: A standard normal draw.

    Returns:
        This year's log-price deviation from the long-run mean.
    """
    r = params.ginger_cycle_damping
    angle = 2.0 * np.pi / params.ginger_cycle_years
    a1 = 2.0 * r * np.cos(angle)
    a2 = -(r**2)
    return a1 * x_prev + a2 * x_prev2 + params.ginger_price_shock_sd * shock


class CropMarket:
    """County-wide yields and prices, drawn once a year from the weather stream.

    Expected prices adapt (Nerlove's adaptive expectations): each January, before the year's
    prices are drawn, ``E[p]_t = E[p]_{t-1} + weight x (p_{t-1} - E[p]_{t-1})``; they start
    from the sheet's long-run means (ginger: the year before the first's price).

    Attributes:
        sheet: The crop sheet.
        price: This year's farm-gate prices (yuan/kg), by crop.
        expected_price: Prices farmers expect this year (yuan/kg), by crop.
        yield_factor: This year's yield multiplier, by crop: the trend yield's level
            (:mod:`model.mechanisms.productivity`) times the weather's shock.
        yield_level: This year's trend yield relative to the sheet's 2023 mean, by crop.
        cost: This year's cash costs (yuan/mu), by crop.
    """

    def __init__(self, sheet: CropSheet, params: FarmingParams, rng: np.random.Generator):
        self.sheet = sheet
        self.params = params
        self.rng = rng
        self.year_index = -1
        self.ginger_history = [params.ginger_log_price_previous, params.ginger_log_price_start]
        self.price = sheet.price.copy()
        self.yield_factor = np.ones(len(sheet.names))
        self.yield_level = np.ones(len(sheet.names))
        self.cost = sheet.cost.copy()
        self._ginger = sheet.names.index("ginger") if "ginger" in sheet.names else None
        self.expected_price = sheet.price.copy()
        if self._ginger is not None:
            self.expected_price[self._ginger] *= np.exp(params.ginger_log_price_previous)

    def new_year(
        self,
        price_level: np.ndarray | float = 1.0,
        cost_level: float = 1.0,
        yield_level: np.ndarray | float = 1.0,
    ) -> None:
        """Update expected prices from last year's, then draw this year's prices, weather
        and costs.

        Args:
            price_level: This year's producer price level of each crop (2023 = 1).
            cost_level: This year's level of farm cash costs (2023 = 1).
            yield_level: This year's trend yield of each crop (2023 = 1).
        """
        if self.year_index >= 0:
            weight = self.params.price_expectation_weight
            self.expected_price += weight * (self.price - self.expected_price)
        self.year_index += 1
        n = len(self.sheet.names)
        # Draw every variate every year, whether used or not, so that the stream stays
        # aligned across scenarios (common random numbers).
        yield_z = self.rng.standard_normal(n)
        price_z = self.rng.standard_normal(n)
        ginger_z = float(self.rng.standard_normal())
        trend = np.broadcast_to(np.asarray(price_level, float), (n,))
        self.yield_level = np.broadcast_to(np.asarray(yield_level, float), (n,)).copy()
        self.yield_factor = self.yield_level * _lognormal_factor(self.sheet.yield_cv, yield_z)
        self.price = self.sheet.price * trend * _lognormal_factor(self.sheet.price_cv, price_z)
        if self._ginger is not None:
            if self.year_index == 0:
                x = self.ginger_history[-1]
            else:
                x = ginger_cycle_step(
                    self.ginger_history[-1], self.ginger_history[-2], self.params, ginger_z
                )
                self.ginger_history.append(x)
            self.price[self._ginger] = (
                self.sheet.price[self._ginger] * trend[self._ginger] * np.exp(x)
            )
        self.cost = self.sheet.cost * cost_level

    def respond_to_supply(self, ginger_area_ratio: float) -> None:
        """The county's ginger area moves this year's ginger price.

        ``x -= ginger_price_flexibility x log(area / area at the start)``, and the cycle
        remembers the moved deviation, so a planting boom depresses prices this year and
        feeds the cycle after it (the cycle becomes partly endogenous).

        Args:
            ginger_area_ratio: Ginger area planted this year over the area at the start.
        """
        if self._ginger is None or ginger_area_ratio <= 0 or ginger_area_ratio == 1.0:
            return
        shift = -self.params.ginger_price_flexibility * float(np.log(ginger_area_ratio))
        self.ginger_history[-1] += shift
        self.price[self._ginger] *= np.exp(shift)

    def expected_yield_kg(self) -> np.ndarray:
        """The yield per mu farmers expect this year (kg/mu): the trend yield, no weather."""
        return self.sheet.yield_kg * self.yield_level

    def gross_per_mu(
        self, yield_multiplier: float = 1.0, price_multiplier: np.ndarray | None = None
    ):
        """Expected gross revenue per mu for each land use this year (yuan/mu/yr)."""
        price = self.price if price_multiplier is None else self.price * price_multiplier
        per_crop = self.sheet.yield_kg * self.yield_factor * yield_multiplier * price
        return self.sheet.incidence @ per_crop

    def cost_per_mu(self, cost_multiplier: float = 1.0) -> np.ndarray:
        """Cash cost per mu for each land use this year (yuan/mu/yr)."""
        return self.sheet.incidence @ (self.cost * cost_multiplier)

    def monthly_gross_per_mu(self, month: int, yield_multiplier: float = 1.0) -> np.ndarray:
        """Revenue per mu landing in ``month`` (1-12), per land use."""
        per_crop = (
            self.sheet.yield_kg
            * self.yield_factor
            * yield_multiplier
            * self.price
            * self.sheet.harvest[:, month - 1]
        )
        return self.sheet.incidence @ per_crop

    def monthly_cost_per_mu(self, month: int, cost_multiplier: float = 1.0) -> np.ndarray:
        """Cash cost per mu incurred in ``month`` (1-12), per land use."""
        return self.sheet.incidence @ (self.cost * cost_multiplier * self.sheet.costs[:, month - 1])


def _lognormal_factor(cv: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Mean-one lognormal multipliers with the given coefficients of variation."""
    sigma = np.sqrt(np.log1p(np.asarray(cv) ** 2))
    return np.exp(sigma * z - 0.5 * sigma**2)
