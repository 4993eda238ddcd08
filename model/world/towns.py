"""The towns: the towns sheet (``data/towns.csv``) and the town table of a built county.

The sheet gives each town and street its position, area, main terrain and calibration totals
(villages, mean village size, household size, cultivated land, median collective income,
industry weights), each with its source. A built county's town table adds the totals of its
villages.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from model.errors import InputError
from model.paths import DATA_DIR, find_file
from model.world.county_params import INDUSTRIES, TERRAINS, CountyParams
from model.world.table_files import (
    category_column,
    line_label,
    numeric_column,
    read_table,
    require_columns,
    text_column,
)

#: The shipped towns sheet.
TOWNS_FILE = DATA_DIR / "towns.csv"

#: Columns a towns sheet must have.
TOWN_COLUMNS = (
    "town",
    "name_zh",
    "kind",
    "x_km",
    "y_km",
    "area_km2",
    "terrain",
    "villages",
    "mean_village_size",
    "household_size",
    "cultivated_mu",
    "income_median_yuan",
    *(f"w_{k}" for k in INDUSTRIES),
    "source",
)


def load_towns(path: Path) -> pd.DataFrame:
    """Read and validate a towns sheet (see ``data/towns.csv``).

    Args:
        path: The CSV file.

    Returns:
        One row per town with the sheet's columns.

    Raises:
        InputError: Missing file, missing column or bad value.
    """
    path = Path(path)
    raw = read_table(path, "towns sheet")
    where = line_label(path)
    require_columns(raw, path, TOWN_COLUMNS, show_found=False)
    towns = pd.DataFrame(index=pd.RangeIndex(len(raw)))
    for col in ("town", "name_zh", "kind", "source"):
        towns[col] = text_column(raw, col, path, where)
    if towns["town"].duplicated().any():
        name = towns["town"][towns["town"].duplicated()].iloc[0]
        raise InputError(str(path), "town", name, "unique town names")
    towns["terrain"] = category_column(raw, "terrain", TERRAINS, path, where)
    for col in ("x_km", "y_km"):
        towns[col] = numeric_column(raw, col, path, where)
    for col in ("area_km2", "mean_village_size", "household_size", "income_median_yuan"):
        towns[col] = numeric_column(raw, col, path, where, low=1e-9)
    towns["villages"] = numeric_column(raw, "villages", path, where, low=1, integer=True)
    towns["cultivated_mu"] = numeric_column(raw, "cultivated_mu", path, where, low=0)
    weights = [f"w_{k}" for k in INDUSTRIES]
    for col in weights:
        towns[col] = numeric_column(raw, col, path, where, low=0)
    zero = towns[weights].sum(axis=1) <= 0
    if zero.any():
        i = int(np.flatnonzero(zero.to_numpy())[0])
        raise InputError(str(path), "w_*", 0, "industry weights with a positive sum", hint=where(i))
    return towns


def resolve_towns_file(params: CountyParams, given: Path | None) -> Path:
    """The towns sheet to read: the one given, ``county.towns_file`` or the shipped one.

    Raises:
        InputError: ``county.towns_file`` names a file that is not found.
    """
    if given is not None:
        return Path(given)
    if params.towns_file:
        found = find_file(params.towns_file)
        if found is None:
            raise InputError(
                "county.towns_file", "county.towns_file", params.towns_file, "data file not found"
            )
        return found
    return TOWNS_FILE


def summarise_towns(villages: pd.DataFrame, towns: pd.DataFrame) -> pd.DataFrame:
    """The towns sheet with the generated villages' counts and totals."""
    agg = villages.groupby("town", sort=False).agg(
        villages=("village_id", "size"),
        population=("population", "sum"),
        households=("households", "sum"),
        village_mu=("cultivated_mu", "sum"),
    )
    out = towns.rename(
        columns={"villages": "villages_sheet", "cultivated_mu": "cultivated_mu_sheet"}
    )
    out = out.merge(agg, left_on="town", right_index=True, how="left")
    out = out.rename(columns={"village_mu": "cultivated_mu"})
    return out.reset_index(drop=True)


def file_towns(villages: pd.DataFrame, sheet: pd.DataFrame) -> pd.DataFrame:
    """Towns of a village file: centroid, main terrain and totals, plus sheet columns."""
    grouped = villages.groupby("town", sort=True)
    towns = grouped.agg(
        x_km=("x_km", "mean"),
        y_km=("y_km", "mean"),
        villages=("village_id", "size"),
        population=("population", "sum"),
        households=("households", "sum"),
        cultivated_mu=("cultivated_mu", "sum"),
    )
    towns["terrain"] = grouped["terrain"].agg(lambda s: s.mode().iloc[0])
    towns = towns.reset_index()
    extra = sheet[["town", "name_zh", "kind"]]
    towns = towns.merge(extra, on="town", how="left")
    towns["name_zh"] = towns["name_zh"].fillna("")
    towns["kind"] = towns["kind"].fillna("town")
    return towns
