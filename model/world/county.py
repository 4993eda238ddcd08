"""The county: the villages of Anqiu, synthetic by default or read from a file.

This is the county's public face; its parts live in their own modules:

* :mod:`model.world.county_params`: the ``county`` section of a scenario (``CountyParams``)
  and the vocabularies (``INDUSTRIES``, ``TERRAINS``);
* :mod:`model.world.synthetic_county`: the synthetic Anqiu drawn around the towns sheet;
* :mod:`model.world.village_files`: villages read from a CSV, Parquet or GIS file, the
  optional columns completed (:mod:`model.world.geofiles` reads GeoPackage, GeoJSON and
  shapefiles; :mod:`model.world.crs` says in which CRS ``x_km``/``y_km`` are);
* :mod:`model.world.village_traits`: a village's columns and the models of its drawn traits;
* :mod:`model.world.towns`: the towns sheet and a built county's town table.

Every draw comes from the generator passed in (``model.rng.stream(seed, "county")``), in a
fixed order, so the same seed gives the identical county.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.errors import InputError
from model.paths import find_file
from model.world.county_params import INDUSTRIES, TERRAINS, CountyParams
from model.world.synthetic_county import synthetic_villages
from model.world.towns import (
    TOWNS_FILE,
    file_towns,
    load_towns,
    resolve_towns_file,
    summarise_towns,
)
from model.world.village_files import REQUIRED_COLUMNS, load_villages, read_village_file
from model.world.village_traits import VILLAGE_COLUMNS

__all__ = [
    "INDUSTRIES",
    "REQUIRED_COLUMNS",
    "TERRAINS",
    "TOWNS_FILE",
    "VILLAGE_COLUMNS",
    "County",
    "CountyParams",
    "build_county",
    "county_summary",
    "load_towns",
    "load_villages",
]


@dataclass
class County:
    """The built county.

    Attributes:
        villages: One row per village (RangeIndex 0..n-1), columns :data:`VILLAGE_COLUMNS`.
        towns: One row per town: ``town, name_zh, kind, x_km, y_km, area_km2, terrain,
            villages`` (generated or found), ``population``, ``households``,
            ``cultivated_mu`` (village totals) and the towns sheet's calibration columns.
        source: ``"synthetic"`` or the village file's path.
        scale: Share of the full county generated (``CountyParams.scale``); alliance
            targets scale with it.
        weak_income_yuan: The weak-village bar the county was built with.
        crs: The projected CRS (metres) in which ``x_km``/``y_km`` are measured: a GIS
            village file's (WKT), or ``county.villages_crs``; None for the local Anqiu frame
            (:func:`model.world.crs.anqiu_frame`).
        shapes: A GIS village file's geometries (points or polygons, a GeoSeries in
            ``crs``, one per village row), else None.
    """

    villages: pd.DataFrame
    towns: pd.DataFrame
    source: str
    scale: float = 1.0
    weak_income_yuan: float = 100_000.0
    crs: str | None = None
    shapes: Any = None

    @cached_property
    def village_labels(self) -> list[tuple[str, str, str]]:
        """Each village's ``(village_id, town, industry)`` as text, by row: read from the
        frame once, not row by row for every village agent (a tenth of the set-up)."""
        columns = (self.villages[name].tolist() for name in ("village_id", "town", "industry"))
        return [tuple(str(value) for value in row) for row in zip(*columns, strict=True)]


def build_county(
    params: CountyParams,
    rng: np.random.Generator,
    villages_path: Path | None = None,
    towns_path: Path | None = None,
) -> County:
    """Build the county: synthetic Anqiu or villages read from a file.

    Args:
        params: The scenario's ``county`` section.
        rng: The county stream (``model.rng.stream(seed, "county")``); the only source of
            randomness.
        villages_path: Resolved village file (``scenario.resolve_data_path(
            "county.villages_file")``); needed when ``params.source == "file"``.
        towns_path: Resolved towns sheet; default ``params.towns_file`` or the shipped one.

    Returns:
        The :class:`County`.

    Raises:
        InputError: A missing or bad village or towns file.
    """
    towns = load_towns(resolve_towns_file(params, towns_path))
    if params.source == "file":
        path = villages_path
        if path is None and params.villages_file:
            path = find_file(params.villages_file)
        if path is None:
            raise InputError(
                "county.villages_file",
                "county.villages_file",
                params.villages_file,
                "data file not found"
                if params.villages_file
                else "a village file (CSV, Parquet, GeoPackage, GeoJSON or shapefile) is needed "
                "when county.source = 'file'",
            )
        read = read_village_file(path, params=params, rng=rng, towns=towns)
        towns = file_towns(read.villages, towns)
        weak = params.weak_income_yuan
        return County(read.villages, towns, str(path), 1.0, weak, read.crs, read.shapes)
    villages = synthetic_villages(params, towns, rng)
    towns = summarise_towns(villages, towns)
    crs = params.villages_crs or None
    return County(villages, towns, "synthetic", params.scale, params.weak_income_yuan, crs)


def county_summary(county: County) -> dict[str, float | int]:
    """County totals for tables and ``county --json``.

    Args:
        county: The county.

    Returns:
        Plain numbers: villages, population, households, cultivated_mu, weak_villages_start,
        hollowed_villages, villages_under_500, median_village_population.
    """
    v = county.villages
    return {
        "villages": len(v),
        "towns": int(v["town"].nunique()),
        "population": int(v["population"].sum()),
        "households": int(v["households"].sum()),
        "cultivated_mu": round(float(v["cultivated_mu"].sum()), 1),
        "weak_villages_start": int((v["collective_income_start"] < county.weak_income_yuan).sum()),
        "hollowed_villages": int(v["hollowed"].sum()),
        "villages_under_500": int((v["population"] < 500).sum()),
        "median_village_population": float(v["population"].median()),
        "median_collective_income_start": float(v["collective_income_start"].median()),
    }
