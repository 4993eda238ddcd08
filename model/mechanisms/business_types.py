"""The table of collective business types (``data/collective_businesses.csv``).

One row per type: ``business, label_zh, investment, return_mean, return_sd, ramp_years,
failure_probability, source``. ``investment`` is the cost of one business (yuan); its yearly
net income at full operation is ``investment × r`` with ``r`` drawn once per business from
a normal distribution (``return_mean``, ``return_sd``); it reaches full operation linearly
over ``ramp_years``; each year it fails with ``failure_probability`` (its capital is then
lost). Every row names its source. Bad input raises :class:`~model.errors.InputError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.errors import InputError
from model.world.table_files import (
    line_label,
    numeric_column,
    read_table,
    require_columns,
    require_rows,
    text_column,
)

BUSINESS_COLUMNS = (
    "business",
    "label_zh",
    "investment",
    "return_mean",
    "return_sd",
    "ramp_years",
    "failure_probability",
    "source",
)


@dataclass(frozen=True)
class BusinessTypes:
    """Business types as arrays, one entry per type.

    Attributes:
        names: Type names.
        investment: Cost of one business (yuan).
        return_mean: Mean yearly net income at full operation over the investment.
        return_sd: Sd of that rate across businesses of the type.
        ramp_years: Years to full operation (income rises linearly to it).
        failure_probability: Yearly chance that a business fails.
    """

    names: tuple[str, ...]
    investment: np.ndarray
    return_mean: np.ndarray
    return_sd: np.ndarray
    ramp_years: np.ndarray
    failure_probability: np.ndarray

    def __len__(self) -> int:
        return len(self.names)


def read_business_types(path: Path) -> BusinessTypes:
    """Read and check the business types table.

    Raises:
        InputError: A missing column, an empty table, a repeated type or a bad number.
    """
    raw = read_table(path, "business types file")
    require_columns(raw, path, BUSINESS_COLUMNS)
    require_rows(raw, path, "business types file")
    where = line_label(path)
    names = text_column(raw, "business", path, where)
    text_column(raw, "source", path, where)
    repeated = names[names.duplicated()]
    if len(repeated):
        raise InputError(str(path), "business", repeated.iloc[0], "each business type once")

    def column(name: str, low: float, high: float | None = None) -> np.ndarray:
        return numeric_column(raw, name, path, where, low, high).to_numpy(float)

    return BusinessTypes(
        names=tuple(names),
        investment=column("investment", 1.0),
        return_mean=column("return_mean", -1.0, 1.0),
        return_sd=column("return_sd", 0.0, 1.0),
        ramp_years=column("ramp_years", 1.0, 50.0),
        failure_probability=column("failure_probability", 0.0, 1.0),
    )
