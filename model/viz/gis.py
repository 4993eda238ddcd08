"""Villages and alliances as GIS layers: a GeoPackage or GeoParquet that QGIS opens.

Layers (GeoDataFrames in the county's CRS, :func:`map_crs`):

* ``villages``: one feature per village, its point (or its polygon when the village file
  had polygons), with the county's village columns, its primary alliance (``alliance_id``,
  ``mode``), ``is_lead`` and ``alliances_led``; for a run also the last year's
  ``village_yearly`` measures (and their ``year``);
* ``alliances``: one polygon per alliance: the dissolved polygons of its member villages
  when the villages are polygons, else the padded convex hull of its members
  (:func:`model.viz.outlines.alliance_polygon`, the map's outline); with ``town``, ``mode``,
  ``lead_village``, ``members`` (village ids), ``n_villages``, ``population``,
  ``diameter_km``; for a run also the last year's ``alliance_yearly`` measures;
* for a run, ``village_yearly`` and ``alliance_yearly``: every year's rows with the same
  geometries (QGIS' temporal controller can step through ``year``).

:func:`write_layers` writes them into one GeoPackage (``.gpkg``), or one GeoParquet file per
layer (``NAME.parquet`` gives ``NAME_villages.parquet``, ...), atomically. A GeoPackage
written from ``jointvillage county`` can be read back as a village file (its ``villages``
layer; ``county.source = "file"``) and gives the same county.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import geopandas
import numpy as np
import pandas as pd
import pyproj
import shapely

from model.atomic import atomic_write
from model.errors import InputError
from model.viz.outlines import OUTLINE_PAD_KM, alliance_polygon
from model.world.alliances import Alliances
from model.world.county import County
from model.world.crs import anqiu_frame

#: Formats :func:`write_layers` writes, by suffix.
GIS_FORMATS = {".gpkg": "GeoPackage", ".parquet": "GeoParquet"}
#: Columns of the alliance table written as attributes.
ALLIANCE_COLUMNS = ("alliance_id", "town", "mode", "n_villages", "population", "diameter_km")


def map_crs(county: County) -> pyproj.CRS:
    """The CRS of the county's positions: its own, else the local Anqiu frame."""
    return pyproj.CRS.from_user_input(county.crs) if county.crs else anqiu_frame()


def village_geometry(county: County) -> geopandas.GeoSeries:
    """Each village's geometry: its shape from a GIS file, else its point (in metres)."""
    crs = map_crs(county)
    if county.shapes is not None:
        return geopandas.GeoSeries(np.asarray(county.shapes), crs=crs)
    v = county.villages
    points = geopandas.points_from_xy(v["x_km"] * 1000.0, v["y_km"] * 1000.0)
    return geopandas.GeoSeries(points, crs=crs)


def village_layer(county: County, alliances: Alliances) -> geopandas.GeoDataFrame:
    """The ``villages`` layer of a built county: its columns and alliance membership."""
    v = county.villages
    table = alliances.table
    primary = alliances.membership
    ids = np.array([*table["alliance_id"].astype(str), ""], dtype=object)
    modes = np.array([*table["mode"].astype(str), ""], dtype=object)
    led = alliances.alliances_led() if len(table) else np.zeros(len(v), dtype=np.int64)
    frame = v.assign(
        alliance_id=ids[primary],
        mode=modes[primary],
        is_lead=led > 0,
        alliances_led=led.astype(np.int64),
    )
    return geopandas.GeoDataFrame(frame, geometry=village_geometry(county))


def alliance_layer(county: County, alliances: Alliances) -> geopandas.GeoDataFrame:
    """The ``alliances`` layer: a polygon per alliance (dissolved villages or their hull)."""
    table = alliances.table
    shapes = village_geometry(county)
    polygons = shapes.geom_type.isin(["Polygon", "MultiPolygon"]).all()
    xy = shapes.representative_point().get_coordinates().to_numpy()
    village_ids = county.villages["village_id"].astype(str).to_numpy()
    geometry = []
    for members in table["members"]:
        rows = list(members)
        if polygons:
            geometry.append(shapely.union_all(shapes.iloc[rows].to_numpy()))
        else:
            geometry.append(alliance_polygon(xy[rows], OUTLINE_PAD_KM * 1000.0))
    frame = pd.DataFrame({c: table[c].to_numpy() for c in ALLIANCE_COLUMNS if c in table})
    frame["lead_village"] = village_ids[table["lead"].to_numpy(np.int64)] if len(table) else []
    frame["members"] = [",".join(village_ids[list(m)]) for m in table["members"]]
    return geopandas.GeoDataFrame(frame, geometry=geometry, crs=shapes.crs)


def county_layers(county: County, alliances: Alliances) -> dict[str, geopandas.GeoDataFrame]:
    """The layers of ``jointvillage county --gis``: villages and alliances."""
    return {
        "villages": village_layer(county, alliances),
        "alliances": alliance_layer(county, alliances),
    }


def run_layers(
    county: County, alliances: Alliances, tables: Mapping[str, pd.DataFrame]
) -> dict[str, geopandas.GeoDataFrame]:
    """The layers of ``jointvillage run --gis``: the county's, with the run's measures.

    Args:
        county: The county the run was built on.
        alliances: Its alliances.
        tables: The run's tables (``village_yearly``, ``alliance_yearly``).
    """
    layers = county_layers(county, alliances)
    for name, key in (("villages", "village_id"), ("alliances", "alliance_id")):
        yearly = tables.get(f"{name.removesuffix('s')}_yearly")
        if yearly is None or not len(yearly):
            continue
        yearly = yearly.drop(columns=["scenario", "replicate"], errors="ignore")
        shapes = layers[name].set_index(layers[name][key].astype(str)).geometry
        geometry = shapes.reindex(yearly[key].astype(str)).to_numpy()
        layers[f"{name.removesuffix('s')}_yearly"] = geopandas.GeoDataFrame(
            yearly.reset_index(drop=True), geometry=geometry, crs=shapes.crs
        )
        last = yearly[yearly["year"] == yearly["year"].max()]
        extra = [c for c in last.columns if c == key or c not in layers[name].columns]
        layers[name] = layers[name].merge(last[extra], on=key, how="left")
    return layers


def check_gis_path(path: str | Path) -> Path:
    """A GIS output file: one ending in a suffix of :data:`GIS_FORMATS`.

    Raises:
        InputError: Another suffix (for ``--gis``, before anything is run).
    """
    path = Path(path)
    if path.suffix.lower() not in GIS_FORMATS:
        allowed = "a file ending in " + " or ".join(f"{s} ({k})" for s, k in GIS_FORMATS.items())
        raise InputError("--gis", "gis", str(path), allowed)
    return path


def write_layers(layers: Mapping[str, geopandas.GeoDataFrame], path: str | Path) -> list[Path]:
    """Write layers as one GeoPackage (``.gpkg``) or a GeoParquet per layer (``.parquet``).

    Returns:
        The files written.

    Raises:
        InputError: Another suffix (:func:`check_gis_path`).
    """
    path = check_gis_path(path)
    if path.suffix.lower() == ".gpkg":

        def write(tmp: Path) -> None:
            # GDAL creates the GeoPackage itself, under a name that ends in .gpkg.
            tmp.unlink()
            named = tmp.with_name(tmp.name + ".gpkg")
            for name, layer in layers.items():
                kind = None if len(layer) else "Polygon"  # an empty layer of alliances
                layer.to_file(named, layer=name, driver="GPKG", geometry_type=kind)
            os.replace(named, tmp)

        return [atomic_write(path, write)]
    out = []
    for name, layer in layers.items():
        target = path.with_name(f"{path.stem}_{name}.parquet")
        out.append(atomic_write(target, lambda tmp, layer=layer: layer.to_parquet(tmp)))
    return out
