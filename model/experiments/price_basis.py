"""Results in current or in constant 2023 yuan (``compare --prices``, the figures).

Runs record money in current yuan and the year's consumer price level (``cpi_factor`` of
``county_yearly``, :mod:`model.mechanisms.prices`). Constant 2023 yuan are current yuan
divided by that factor, year by year and run by run (a run with price shocks has its own
factors). Money columns are those whose declared unit (:mod:`model.columns`) is in yuan.
"""

from __future__ import annotations

from typing import get_args

import pandas as pd

from model.columns import describer
from model.errors import InputError
from model.mechanisms.prices import CPI_COLUMN, PriceBasis, to_constant_prices

#: The two price bases a comparison or a figure can be in.
PRICE_BASES: tuple[str, ...] = get_args(PriceBasis)
#: What a money unit says in constant prices.
CONSTANT_NOTE = " (2023 prices)"


def check_prices(prices: str, where: str = "--prices") -> PriceBasis:
    """The price basis, or an input error naming the allowed ones."""
    if prices not in PRICE_BASES:
        raise InputError(where, "prices", prices, "one of " + ", ".join(PRICE_BASES))
    return prices  # type: ignore[return-value]


def units_of(table: pd.DataFrame, name: str) -> dict[str, str]:
    """Declared unit of each column of a stored table (``-`` when undeclared)."""
    units = {}
    describe = describer(name)
    for column in table.columns:
        declared = describe(column)
        units[column] = declared.unit if declared is not None else "-"
    return units


def in_prices(
    table: pd.DataFrame,
    prices: PriceBasis,
    name: str = "county_yearly",
    county: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """A stored table in the chosen prices (current: unchanged).

    Args:
        table: Rows of one stored table (one or several runs).
        prices: ``current`` or ``constant`` (2023 yuan).
        name: Which table it is (for the units of its columns).
        county: The runs' ``county_yearly`` rows, for a table without ``cpi_factor``.

    Raises:
        InputError: When the runs have no CPI factor (results older than the prices).
    """
    if check_prices(prices) == "current" or table.empty:
        return table
    units = units_of(table, name)
    source = table if CPI_COLUMN in table.columns else county
    if source is None or CPI_COLUMN not in source.columns:
        raise InputError(
            name, CPI_COLUMN, None, "results with the consumer price level (run them again)"
        )
    if source is table:
        return to_constant_prices(table, units)
    keys = [k for k in ("run_key", "scenario", "replicate", "year") if k in table.columns]
    keys = [k for k in keys if k in source.columns]
    factors = source[[*keys, CPI_COLUMN]].drop_duplicates(keys)
    merged = table.merge(factors, on=keys, how="left", validate="many_to_one")
    return to_constant_prices(merged, units).drop(columns=CPI_COLUMN)[table.columns]


def price_note(prices: PriceBasis) -> str:
    """One line saying which prices a report uses."""
    if prices == "constant":
        return "prices: constant 2023 yuan (current yuan / cpi_factor)"
    return "prices: current yuan"
