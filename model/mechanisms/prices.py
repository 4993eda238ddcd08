"""Prices: the consumer price level, wages, transfers, input costs and producer prices.

Money in the model is nominal (current yuan). Each price index starts at 1 in the first
simulated year (2023 = 1) and compounds once a year, in January, at its own trend:

    I_y = I_{y-1} x (1 + g_index) x exp(sd x z_y - sd^2 / 2),   I_0 = 1,

where ``z_y`` is one standard normal draw a year from the ``prices`` stream, shared by every
index (an inflation surprise moves all nominal prices alike, so relative prices and real
values do not depend on it; ``shock_sd = 0`` by default). The indices:

* ``cpi`` — consumer prices: collective asset leases, savings interest, coordination costs,
  joint-venture returns, training costs, the project fund and its projects, prizes, the
  consumption floor and the weak-village bar when it is indexed;
* ``wage`` — migrant and local wages, sideline business, seller income;
* ``transfer`` — pensions, the farmland subsidy and other transfers;
* ``input_cost`` — farm cash costs (seed, fertiliser, machinery services);
* ``grain``, ``vegetable``, ``fruit``, ``oilseed`` — farm-gate prices by crop group (crops
  named in no group follow the CPI); contract and brand prices follow them, being the market
  price plus a premium;
* ``land_rent`` — market rent and the pooled rent (with the collective's cut): rent in kind,
  a fixed weight of grain paid at the year's price (实物计租、货币兑现), by default.

Every mechanism asks :meth:`PriceLevel.nominal` (or :meth:`PriceLevel.factor`) for this
year's value of a 2023-yuan parameter; the factors are computed once a year, not per
household. :func:`to_constant_prices` turns output tables into constant 2023 yuan.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

import numpy as np

from model.errors import InputError
from model.params import Section, param
from model.rng import stream

if TYPE_CHECKING:
    import pandas as pd

    from model.jointmodel import JointVillageModel

#: Producer price groups of the crop sheet.
CROP_GROUPS = ("grain", "vegetable", "fruit", "oilseed")
#: Every price index, in the order the ODD lists them.
INDICES = ("cpi", "wage", "transfer", "input_cost", *CROP_GROUPS, "land_rent")
#: What the current-yuan outputs are divided by to give constant 2023 yuan.
CPI_COLUMN = "cpi_factor"
#: Current yuan, or constant 2023 yuan.
PriceBasis = Literal["current", "constant"]

NBS_CPI = (
    "NBS, China Statistical Yearbook 2024 and Shandong Statistical Yearbook 2024 (price "
    "chapter): rural residents' consumer price index averaged about 2 %/yr over 2014-2023 "
    "(2.9 % in 2019, 0.2-0.3 % in 2023); the State Council's CPI target is 'around 3 %'"
)
NBS_PRODUCER = (
    "NBS agricultural producer price index (农产品生产者价格指数, yearly statistical "
    "communiqués 2014-2023)"
)


class PriceParams(Section):
    """Price trends (section ``prices``): one index per kind of money."""

    cpi_inflation: float = param(
        0.02,
        unit="1/yr",
        source=NBS_CPI,
        description="Consumer price inflation (the CPI index's yearly growth)",
        ge=-0.1,
        le=0.3,
    )
    wage_growth: float = param(
        0.055,
        unit="1/yr",
        source="rural income growth ~6 % (Anqiu work reports 2022-2023; Shandong provincial "
        "statistics releases: 2019-2022 ~7.5 %/yr); migrant wages grew 3.6 % (NBS migrant "
        "worker monitoring report 2023)",
        description="Nominal wage growth (migrant and local wages, sideline business, sellers)",
        ge=-0.1,
        le=0.3,
    )
    transfer_growth: float = param(
        0.05,
        unit="1/yr",
        source="State Council: the national minimum basic pension of urban and rural "
        "residents rose from 88 (2018) to 103 yuan/month (2023), then by 20 in 2024 and in "
        "2025; assumption: pensions and other transfers rise about 5 %/yr, below wages",
        description="Nominal growth of pensions, the farmland subsidy and other transfers",
        ge=-0.1,
        le=0.3,
    )
    input_cost_trend: float = param(
        0.025,
        unit="1/yr",
        source="NDRC/NBS Compilation of National Agricultural Product Cost and Income Data "
        "(全国农产品成本收益资料汇编): material and service cost per mu of the three grains rose "
        "about 2-3 %/yr 2014-2022; NBS price index of agricultural means of production",
        description="Nominal trend of farm cash costs",
        ge=-0.1,
        le=0.3,
    )
    grain_price_trend: float = param(
        0.01,
        unit="1/yr",
        source="NDRC wheat minimum purchase price 2.24-2.36 yuan/kg 2014-2024 (flat); "
        + NBS_PRODUCER
        + ": grain about +1 %/yr over the decade (assumption from the yearly releases)",
        description="Nominal trend of grain farm-gate prices (crops in grain_crops)",
        ge=-0.1,
        le=0.3,
    )
    vegetable_price_trend: float = param(
        0.03,
        unit="1/yr",
        source=NBS_PRODUCER + " and NBS CPI for fresh vegetables: about +3 %/yr compounded "
        "over 2014-2023 (+7 % in 2020, -2.6 % in 2023)",
        description="Nominal trend of vegetable and ginger farm-gate prices",
        ge=-0.1,
        le=0.3,
    )
    fruit_price_trend: float = param(
        0.03,
        unit="1/yr",
        source=NBS_PRODUCER
        + " and CPI fresh fruit: about +3 %/yr 2014-2023 (assumption from the releases)",
        description="Nominal trend of fruit farm-gate prices",
        ge=-0.1,
        le=0.3,
    )
    oilseed_price_trend: float = param(
        0.02,
        unit="1/yr",
        source=NBS_PRODUCER + ": oil crops about +2 %/yr (assumption from the releases)",
        description="Nominal trend of oilseed (peanut) farm-gate prices",
        ge=-0.1,
        le=0.3,
    )
    grain_crops: list[str] = param(
        ["wheat", "maize", "millet"],
        unit="-",
        source="NBS product classification (谷物)",
        description="Crops priced on the grain trend (crops in no group follow the CPI)",
    )
    vegetable_crops: list[str] = param(
        ["ginger", "red_bud_ginger", "green_onion", "vegetables"],
        unit="-",
        source="NBS product classification (蔬菜)",
        description="Crops priced on the vegetable trend",
    )
    fruit_crops: list[str] = param(
        ["cherry", "peach"],
        unit="-",
        source="NBS product classification (水果)",
        description="Crops priced on the fruit trend",
    )
    oilseed_crops: list[str] = param(
        ["peanut"],
        unit="-",
        source="NBS product classification (油料)",
        description="Crops priced on the oilseed trend",
    )
    land_rent_index: Literal["grain", "cpi", "fixed"] = param(
        "grain",
        unit="-",
        source="rent in kind paid at the year's grain price (实物计租、货币兑现), common in "
        "Shandong land-transfer contracts (Ministry of Agriculture guidance on land transfer, "
        "2014, and local transfer contracts)",
        description="Index of market rent and pooled rent: grain price, CPI, or fixed",
    )
    index_weak_bar: bool = param(
        False,
        unit="-",
        source="policy uses a nominal 100k yuan bar (薄弱村: collective income < 100k yuan/yr)",
        description="Raise the weak-village bar with the CPI",
    )
    shock_sd: float = param(
        0.0,
        unit="log-points/yr",
        source="assumption: off by default; China's rural CPI inflation varied with a "
        "standard deviation of about 1 point over 2014-2023 (NBS)",
        description="Yearly common shock to every index (drawn from the 'prices' stream)",
        ge=0.0,
        le=0.5,
    )

    def trend(self, index: str) -> float:
        """The yearly growth of one index (``land_rent`` follows its chosen index)."""
        if index == "land_rent":
            return 0.0 if self.land_rent_index == "fixed" else self.trend(self.land_rent_index)
        return float(getattr(self, TREND_FIELDS[index]))


#: The field holding each index's trend (``land_rent`` borrows another index's).
TREND_FIELDS = {
    "cpi": "cpi_inflation",
    "wage": "wage_growth",
    "transfer": "transfer_growth",
    "input_cost": "input_cost_trend",
    **{group: f"{group}_price_trend" for group in CROP_GROUPS},
}


def crop_groups(
    params: PriceParams, crops: tuple[str, ...], origin: Callable[[str], str] = lambda _: "scenario"
) -> list[str]:
    """Each crop's price index: its group, or ``cpi`` for a crop in no group.

    Args:
        params: The ``prices`` section.
        crops: The crop sheet's crops.
        origin: The file (or ``--set``) that set a dotted field, for the error.

    Raises:
        InputError: For a crop named in a group but not in the crop sheet, or in two groups.
    """
    group_of: dict[str, str] = {}
    for group in CROP_GROUPS:
        field = f"{group}_crops"
        for crop in getattr(params, field):
            if crop not in crops:
                raise InputError(
                    origin(f"prices.{field}"),
                    f"prices.{field}",
                    crop,
                    "crops of the crop sheet: " + ", ".join(crops),
                )
            if crop in group_of:
                raise InputError(
                    origin(f"prices.{field}"),
                    f"prices.{field}",
                    crop,
                    f"a crop in one group only (it is also in {group_of[crop]}_crops)",
                )
            group_of[crop] = group
    return [group_of.get(crop, "cpi") for crop in crops]


class PriceLevel:
    """The year's price indices, compounded each January (2023 = 1).

    Args:
        model: The model (its crop sheet is loaded).

    Attributes:
        params: The ``prices`` section.
        levels: Each index's level this year (2023 = 1).
        history: ``levels`` of every simulated year so far, by year index.
        crop_index: The price index of each crop of the sheet.
    """

    def __init__(self, model: JointVillageModel) -> None:
        self.model = model
        self.params: PriceParams = model.config.prices
        self.rng = stream(model.config.seed, "prices", model.replicate)
        self.levels = dict.fromkeys(INDICES, 1.0)
        self.history: list[dict[str, float]] = [dict(self.levels)]
        self.crop_index = crop_groups(self.params, model.crops.names, model.config.origin_of)

    def new_year(self) -> None:
        """January: compound every index by its trend and the year's common shock.

        The first simulated year is the base (every index 1); one shock is drawn every
        year, so the stream's draws keep their places whatever the parameters.
        """
        z = float(self.rng.standard_normal())
        year = self.model.year_index
        if year == 0:
            return
        sd = self.params.shock_sd
        shock = float(np.exp(sd * z - 0.5 * sd**2))
        for index in INDICES:
            self.levels[index] *= (1.0 + self.params.trend(index)) * shock
        del self.history[year:]
        self.history.append(dict(self.levels))

    def factor(self, index: str = "cpi") -> float:
        """This year's level of an index relative to 2023."""
        return self.levels[index]

    def level_in(self, index: str, year_index: int) -> float:
        """The level of an index in a simulated year already reached (0 = the first)."""
        return self.history[min(year_index, len(self.history) - 1)][index]

    def nominal(self, value: float, index: str = "cpi") -> float:
        """This year's current-yuan value of an amount given in 2023 yuan."""
        return value * self.levels[index]

    def crop_price_factors(self) -> np.ndarray:
        """This year's producer price level of each crop of the sheet."""
        return np.array([self.levels[index] for index in self.crop_index])

    def weak_bar(self) -> float:
        """The weak-village bar this year: nominal 100k, or indexed to the CPI."""
        bar = self.model.config.collective.weak_threshold
        return self.nominal(bar) if self.params.index_weak_bar else bar


def price_basis_columns(columns: pd.Index, units: dict[str, str]) -> list[str]:
    """The money columns of a table: units in yuan (not ratios such as yuan per yuan)."""
    return [
        c
        for c in columns
        if units.get(c, "").startswith("yuan") and not units[c].startswith("yuan/yuan")
    ]


def to_constant_prices(
    table: pd.DataFrame, units: dict[str, str], cpi: pd.Series | None = None
) -> pd.DataFrame:
    """A table in constant 2023 yuan: every money column divided by the year's CPI factor.

    Args:
        table: A table in current yuan with a ``year`` column (and ``cpi_factor``, unless
            ``cpi`` is given).
        units: Unit of each column (``model.columns``); money columns are those in yuan.
        cpi: The CPI factor by calendar year, when the table does not carry it.

    Returns:
        A copy with the money columns deflated (other columns unchanged).

    Raises:
        KeyError: When there is no CPI factor for the table's years.
    """
    if cpi is None:
        if CPI_COLUMN not in table.columns:
            raise KeyError(f"the table has no {CPI_COLUMN} column to deflate by")
        factor = table[CPI_COLUMN].to_numpy(float)
    else:
        factor = table["year"].map(cpi).to_numpy(float)
        if np.isnan(factor).any():
            raise KeyError("the CPI factor is missing for some of the table's years")
    out = table.copy()
    for column in price_basis_columns(table.columns, units):
        out[column] = table[column].to_numpy(float) / factor
    return out
