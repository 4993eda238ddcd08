"""Village files: a county's villages read from a CSV, Parquet or GIS file.

``county.source = "file"`` reads villages from a CSV or Parquet file with one row per
village, or from a GeoPackage, GeoJSON or shapefile with one point or polygon per village
(:mod:`model.world.geofiles`: the geometry gives ``x_km`` and ``y_km``). Required columns:
``village_id, town, x_km, y_km, population, households, cultivated_mu, industry`` (from the
geometry for a GIS file: x_km, y_km). Optional columns, filled when absent (or for empty cells):

* ``name``: the village_id;
* ``terrain``: the town's terrain from the towns sheet, else ``plain``;
* ``specialty_share``: drawn from the industry's Beta distribution (0 for grain);
* ``resident_share``: drawn from the hollowing model;
* ``collective_income_start``: drawn from the income model (town median from the towns
  sheet, else the county median of the terrain);
* ``committee_capacity``: drawn from the capacity model;
* ``hollowed``: ``resident_share < county.hollowed_threshold``.

The models are those of the synthetic county (:mod:`model.world.village_traits`). Without a
generator (``load_villages(path)``), the optional numeric columns are filled with the models'
expected values instead of draws. Bad input raises :class:`~model.errors.InputError` naming
the file, the column, the value, the line and what is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.errors import InputError
from model.world.county_params import INDUSTRIES, TERRAINS, CountyParams
from model.world.table_files import (
    GIS_SUFFIXES,
    RowLabel,
    blank_cells,
    bool_column,
    category_column,
    line_label,
    numeric_column,
    read_table,
    require_columns,
    require_rows,
    stripped,
    text_column,
)
from model.world.towns import TOWNS_FILE, load_towns
from model.world.village_traits import (
    VILLAGE_COLUMNS,
    collective_income,
    committee_capacity,
    resident_share,
    specialty_share,
    typed_villages,
)

#: Columns a village file must have.
REQUIRED_COLUMNS = (
    "village_id",
    "town",
    "x_km",
    "y_km",
    "population",
    "households",
    "cultivated_mu",
    "industry",
)


@dataclass(frozen=True)
class VillageFile:
    """A village file as read and completed.

    Attributes:
        villages: The villages (:data:`VILLAGE_COLUMNS`, RangeIndex).
        shapes: A GIS file's geometries per village (a GeoSeries in :attr:`crs`, metres),
            else None.
        crs: The projected CRS of ``x_km``/``y_km``: a GIS file's (WKT), else
            ``county.villages_crs`` or None (the local frame,
            :func:`model.world.geofiles.anqiu_frame`).
    """

    villages: pd.DataFrame
    shapes: Any = None
    crs: str | None = None


def load_villages(
    path: Path,
    params: CountyParams | None = None,
    rng: np.random.Generator | None = None,
    towns: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Read, validate and complete a village file (CSV, Parquet or GIS): the villages.

    Args:
        path: The file (``.csv``, ``.parquet``, ``.pq``, ``.gpkg``, ``.geojson``, ``.shp``).
        params: Generation parameters for the optional columns (default: Anqiu defaults).
        rng: Draw missing optional columns from this generator; without one, they get the
            models' expected values.
        towns: Towns sheet used for town terrain and income medians (default: shipped).

    Returns:
        The villages with the columns of :data:`VILLAGE_COLUMNS` and a RangeIndex.

    Raises:
        InputError: Missing or unreadable file, unknown format, missing required column,
            duplicate village_id, bad values, bad geometry.
    """
    return read_village_file(path, params, rng, towns).villages


def read_village_file(
    path: Path,
    params: CountyParams | None = None,
    rng: np.random.Generator | None = None,
    towns: pd.DataFrame | None = None,
) -> VillageFile:
    """Read a village file like :func:`load_villages`, with a GIS file's shapes and CRS."""
    params = params or CountyParams()
    towns = towns if towns is not None else load_towns(TOWNS_FILE)
    path = Path(path)
    shapes, crs = None, params.villages_crs or None
    if path.suffix.lower() in GIS_SUFFIXES:
        from model.world.geofiles import read_geo_villages  # geopandas only when needed

        geo = read_geo_villages(path, params.villages_crs)
        raw, shapes, crs = geo.table, geo.shapes, geo.crs
    else:
        raw = read_table(path, "village file", GIS_SUFFIXES)
    require_columns(
        raw,
        path,
        REQUIRED_COLUMNS,
        "required column missing (missing: {missing}; required: {required})",
    )
    require_rows(raw, path, "village file")
    villages = _required_columns(raw, path)
    return VillageFile(_complete(villages, raw, params, towns, rng, path), shapes, crs)


def _village_label(raw: pd.DataFrame, where: RowLabel) -> RowLabel:
    """Row label naming the village too: "line 4, village_id 'zs-03'"."""
    ids = raw["village_id"]
    return lambda i: f"{where(i)}, village_id '{str(ids.iloc[i]).strip()}'"


def _required_columns(raw: pd.DataFrame, path: Path) -> pd.DataFrame:
    """The required columns, validated: unique ids, numbers in bounds, known industries."""
    where = line_label(path)
    at_village = _village_label(raw, where)
    df = pd.DataFrame(index=pd.RangeIndex(len(raw)))
    for col in ("village_id", "town"):
        df[col] = text_column(raw, col, path, where)
    dup = df["village_id"].duplicated(keep=False)
    if dup.any():
        rows = np.flatnonzero(dup.to_numpy())
        raise InputError(
            str(path),
            "village_id",
            df["village_id"].iloc[rows[0]],
            "unique village ids",
            hint=f"duplicated on {where(rows[0])} and {where(rows[1])}",
        )
    df["x_km"] = numeric_column(raw, "x_km", path, at_village)
    df["y_km"] = numeric_column(raw, "y_km", path, at_village)
    df["population"] = numeric_column(raw, "population", path, at_village, low=1, integer=True)
    df["households"] = numeric_column(raw, "households", path, at_village, low=1, integer=True)
    too_many = df["households"] > df["population"]
    if too_many.any():
        i = int(np.flatnonzero(too_many.to_numpy())[0])
        raise InputError(
            str(path),
            "households",
            int(df["households"].iloc[i]),
            f"at most the population ({int(df['population'].iloc[i])})",
            hint=at_village(i),
        )
    df["cultivated_mu"] = numeric_column(raw, "cultivated_mu", path, at_village, low=0)
    df["industry"] = category_column(raw, "industry", INDUSTRIES, path, at_village)
    return df


def _complete(
    df: pd.DataFrame,
    raw: pd.DataFrame,
    params: CountyParams,
    towns: pd.DataFrame,
    rng: np.random.Generator | None,
    path: Path,
) -> pd.DataFrame:
    """Validate the optional columns a file has and fill the ones it lacks."""
    at_village = _village_label(raw, line_label(path))
    by_town = towns.set_index("town")
    df["name"] = _names(df, raw)
    df["terrain"] = _terrain(df, raw, by_town, path, at_village)
    _fill_traits(df, raw, params, towns, rng, path, at_village)
    hollow = (df["resident_share"] < params.hollowed_threshold).to_numpy()
    if "hollowed" in raw.columns:
        hollow = bool_column(raw, "hollowed", path, at_village, default=hollow)
    df["hollowed"] = hollow
    return typed_villages(df[list(VILLAGE_COLUMNS)])


def _names(df: pd.DataFrame, raw: pd.DataFrame) -> np.ndarray:
    """The file's names; the village_id where it gives none."""
    if "name" in raw.columns:
        name = raw["name"].astype(object).map(stripped)
    else:
        name = pd.Series([None] * len(df))
    return np.where(blank_cells(name), df["village_id"], name.astype(str))


def _terrain(
    df: pd.DataFrame, raw: pd.DataFrame, by_town: pd.DataFrame, path: Path, where: RowLabel
) -> pd.Series:
    """The file's terrain; the town's (from the towns sheet, else plain) where it gives none."""
    town_terrain = df["town"].map(by_town["terrain"]).fillna("plain")
    if "terrain" not in raw.columns:
        return town_terrain.astype(str)
    terrain = category_column(raw, "terrain", TERRAINS, path, where, required=False)
    return terrain.where(terrain.notna(), town_terrain).astype(str)


def _fill_traits(
    df: pd.DataFrame,
    raw: pd.DataFrame,
    params: CountyParams,
    towns: pd.DataFrame,
    rng: np.random.Generator | None,
    path: Path,
    where: RowLabel,
) -> None:
    """Specialty share, resident share, collective income and committee capacity.

    Each trait is drawn for every village, in a fixed order whatever the file gives (so that
    the stream does not depend on it), and used where the file leaves the cell empty.
    """
    has = set(raw.columns)

    def given(col: str, low: float, high: float | None) -> pd.Series | None:
        if col not in has:
            return None
        return numeric_column(raw, col, path, where, low=low, high=high, required=False)

    by_town = towns.set_index("town")
    population = df["population"].to_numpy()
    street = df["town"].map(by_town["kind"]).fillna("town").to_numpy() == "street"
    industry = df["industry"].to_numpy()

    spec = given("specialty_share", 0.0, 1.0)
    drawn = specialty_share(params, industry, rng)
    df["specialty_share"] = _fill(spec, drawn)

    res = given("resident_share", 0.0, 1.0)
    drawn = resident_share(params, df["terrain"].to_numpy(), street, population, rng)
    df["resident_share"] = _fill(res, drawn)

    inc = given("collective_income_start", 0.0, None)
    terrain_median = towns.groupby("terrain")["income_median_yuan"].median()
    median = df["town"].map(by_town["income_median_yuan"])
    median = median.fillna(df["terrain"].map(terrain_median)).fillna(params.weak_income_yuan)
    town_codes = pd.factorize(df["town"])[0]
    drawn = collective_income(params, median.to_numpy(float), population, town_codes, rng)
    df["collective_income_start"] = _fill(inc, drawn)

    cap = given("committee_capacity", 0.0, 1.0)
    drawn = committee_capacity(params, df["collective_income_start"].to_numpy(), population, rng)
    df["committee_capacity"] = _fill(cap, drawn)


def _fill(given: pd.Series | None, drawn: np.ndarray) -> np.ndarray:
    """The given values, with the drawn ones where a cell is empty (or the column absent)."""
    if given is None:
        return np.asarray(drawn, dtype=float)
    values = given.to_numpy(dtype=float)
    return np.where(np.isnan(values), drawn, values)
