"""Village files in GIS formats: GeoPackage, GeoJSON or shapefile, read through geopandas.

A county office keeps its villages as points or polygons in a GIS file. Such a file is read
like a CSV village file (:mod:`model.world.village_files`), with the same attribute columns
and checks, except that the geometry gives ``x_km`` and ``y_km``:

* a point is the village's position; a polygon (or multipolygon) gives its representative
  point (a point inside the polygon, :meth:`shapely.Geometry.representative_point`), and
  the polygons are kept for maps (:attr:`GeoVillages.shapes`);
* coordinates are in km of a projected CRS in metres: ``county.villages_crs`` when given
  (an EPSG code such as ``"EPSG:32650"``, UTM zone 50N, which holds Anqiu); else the file's
  own CRS when it is projected in metres; else (longitude/latitude, or other units) the UTM
  zone of the villages' centre, from geopandas' :meth:`~geopandas.GeoDataFrame.estimate_utm_crs`;
* a file with several layers is read at its ``villages`` layer (as written by
  ``jointvillage county --gis``); with one layer, that one;
* ``x_km``/``y_km`` attribute columns, if the file has them, must agree with the geometry
  (within 1 m); a shapefile's names cut to 10 characters (``cultivated``) are read as the
  full column names (``cultivated_mu``).

CSV and Parquet village files and the synthetic county have no CRS of their own: their
``x_km``/``y_km`` are taken to be in :func:`model.world.crs.anqiu_frame` unless
``county.villages_crs`` says otherwise. Every bad input is an
:class:`~model.errors.InputError` naming the file, the field, the value and what is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas
import numpy as np
import pandas as pd
import pyogrio
import pyproj

from model.errors import InputError
from model.world.crs import in_metres, projected_crs
from model.world.table_files import line_label
from model.world.village_traits import VILLAGE_COLUMNS

#: The layer read from a GIS file with several layers.
VILLAGE_LAYER = "villages"
#: Geometry types a village may have.
VILLAGE_GEOMETRIES = ("Point", "Polygon", "MultiPolygon")
#: Given x_km/y_km columns may differ from the geometry by this much (km).
COORDINATE_TOLERANCE_KM = 0.001
#: Shapefiles cut field names to this many characters.
SHAPEFILE_NAME_LENGTH = 10


@dataclass(frozen=True)
class GeoVillages:
    """A GIS village file as read.

    Attributes:
        table: The attribute columns, with ``x_km`` and ``y_km`` from the geometry.
        shapes: Each village's geometry in :attr:`crs` (metres), index as ``table``.
        crs: The projected CRS (WKT) in which ``x_km``/``y_km`` are measured.
    """

    table: pd.DataFrame
    shapes: geopandas.GeoSeries
    crs: str


def read_geo_villages(path: Path, crs: str = "") -> GeoVillages:
    """Read a GIS village file: attributes, ``x_km``/``y_km`` from the geometry, shapes.

    Args:
        path: A ``.gpkg``, ``.geojson`` or ``.shp`` file.
        crs: ``county.villages_crs`` (empty: the file's CRS if projected in metres, else
            the UTM zone of the villages' centre).

    Raises:
        InputError: An unreadable file, several layers without a ``villages`` one, no CRS,
            a missing, empty, invalid or non-village geometry, given coordinates that do not
            agree with the geometry.
    """
    frame = _read(path)
    if frame.crs is None:
        raise InputError(
            str(path),
            "crs",
            None,
            "a coordinate reference system (a shapefile needs its .prj file beside it)",
        )
    _check_geometries(frame, path)
    target = projected_crs(crs) if crs else _default_crs(frame)
    projected = frame.to_crs(target)
    geometry = projected.geometry
    points = geometry.representative_point()  # a point's is the point itself
    table = pd.DataFrame(projected.drop(columns=projected.geometry.name))
    if path.suffix.lower() == ".shp":
        table = table.rename(columns=_full_names(table.columns))
    x_km, y_km = points.x.to_numpy() / 1000, points.y.to_numpy() / 1000
    _check_given(table, "x_km", x_km, path, target)
    _check_given(table, "y_km", y_km, path, target)
    table["x_km"], table["y_km"] = x_km, y_km
    shapes = geopandas.GeoSeries(geometry.to_numpy(), crs=target)
    return GeoVillages(table.reset_index(drop=True), shapes, target.to_wkt())


def _read(path: Path) -> geopandas.GeoDataFrame:
    """The village layer of a GIS file, every failure an InputError."""
    if not path.exists():
        raise InputError(str(path), allowed="village file not found")
    kind = {".gpkg": "GeoPackage", ".geojson": "GeoJSON", ".shp": "shapefile"}.get(
        path.suffix.lower(), "GIS file"
    )
    try:
        layers = [str(name) for name in pyogrio.list_layers(path)[:, 0]]
        layer = _village_layer(path, layers)
        return geopandas.read_file(path, layer=layer, engine="pyogrio")
    except InputError:
        raise
    except Exception as err:  # GDAL's errors come in many classes; all mean "unreadable"
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise InputError(str(path), allowed=f"cannot be read as a {kind}: {first}") from None


def _village_layer(path: Path, layers: list[str]) -> str | None:
    """The layer to read: the only one, or the one named ``villages``."""
    if len(layers) <= 1:
        return layers[0] if layers else None
    if VILLAGE_LAYER in layers:
        return VILLAGE_LAYER
    raise InputError(
        str(path),
        "layer",
        None,
        f"one layer, or a layer named '{VILLAGE_LAYER}' (found layers: {', '.join(layers)})",
    )


def _check_geometries(frame: geopandas.GeoDataFrame, path: Path) -> None:
    """Every village has a non-empty, valid point or polygon."""
    where = line_label(path)
    geometry = frame.geometry
    missing = (geometry.isna() | geometry.is_empty).to_numpy()
    if missing.any():
        i = int(np.flatnonzero(missing)[0])
        allowed = "a point or polygon for every village (found an empty geometry)"
        raise InputError(str(path), "geometry", None, allowed, hint=_at(frame, where, i))
    kinds = geometry.geom_type.to_numpy()
    wrong = ~np.isin(kinds, VILLAGE_GEOMETRIES)
    if wrong.any():
        i = int(np.flatnonzero(wrong)[0])
        allowed = "one of " + ", ".join(VILLAGE_GEOMETRIES)
        raise InputError(str(path), "geometry", kinds[i], allowed, hint=_at(frame, where, i))
    invalid = ~geometry.is_valid.to_numpy()
    if invalid.any():
        i = int(np.flatnonzero(invalid)[0])
        reason = geometry.iloc[i : i + 1].is_valid_reason().iloc[0]
        raise InputError(
            str(path),
            "geometry",
            reason,
            "a valid polygon (QGIS: Vector > Geometry Tools > Fix Geometries)",
            hint=_at(frame, where, i),
        )


def _at(frame: pd.DataFrame, where: Any, i: int) -> str:
    """'feature 3, village_id 'v3'' (the id when the file has one)."""
    if "village_id" in frame.columns:
        return f"{where(i)}, village_id '{str(frame['village_id'].iloc[i]).strip()}'"
    return where(i)


def _default_crs(frame: geopandas.GeoDataFrame) -> pyproj.CRS:
    """The file's CRS if projected in metres, else the UTM zone of the villages' centre."""
    crs = pyproj.CRS.from_user_input(frame.crs)
    return crs if in_metres(crs) else frame.estimate_utm_crs()


def _full_names(columns: pd.Index) -> dict[str, str]:
    """A shapefile's cut names (``cultivated``) mapped to the full ones (``cultivated_mu``)."""
    present = {str(c) for c in columns}
    cut = {}
    for name in VILLAGE_COLUMNS:
        short = name[:SHAPEFILE_NAME_LENGTH]
        if short != name and short in present and name not in present:
            cut[short] = name
    return cut


def _check_given(
    table: pd.DataFrame, column: str, values: np.ndarray, path: Path, crs: pyproj.CRS
) -> None:
    """An ``x_km``/``y_km`` attribute of a GIS file must agree with its geometry."""
    if column not in table.columns:
        return
    given = pd.to_numeric(table[column], errors="coerce").to_numpy(float)
    wrong = ~(np.abs(given - values) <= COORDINATE_TOLERANCE_KM)
    if wrong.any():
        i = int(np.flatnonzero(wrong)[0])
        raise InputError(
            str(path),
            column,
            table[column].iloc[i],
            f"the geometry's value in {crs.name} ({values[i]:.3f} km) or no {column} column: "
            "a GIS file's coordinates come from its geometry",
            hint=_at(table, line_label(path), i),
        )
