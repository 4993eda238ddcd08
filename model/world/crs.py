"""Coordinate reference systems of village positions (``x_km``, ``y_km``).

Positions are in km of a projected CRS in metres. A GIS village file brings its own
(:mod:`model.world.geofiles`); the synthetic county and CSV or Parquet village files are in
:func:`anqiu_frame` unless ``county.villages_crs`` names another. Only pyproj is needed here,
so that a scenario's ``county.villages_crs`` is checked without loading geopandas.
"""

from __future__ import annotations

import pyproj

from model.errors import InputError

#: Where the local frame of the synthetic county and of CSV files lies: its origin (x, y)
#: = (34, 35.5) km, between the Xingan and Xinan streets, is put at the approximate seat of
#: Anqiu (36.43 N, 119.19 E; an assumption: the synthetic county is not a surveyed map).
FRAME_ORIGIN_LAT, FRAME_ORIGIN_LON = 36.43, 119.19
FRAME_ORIGIN_KM = (34.0, 35.5)
#: The EPSG code of the UTM zone that holds Anqiu (for ``county.villages_crs``).
ANQIU_UTM = "EPSG:32650"


#: What ``county.villages_crs`` allows, in words.
ALLOWED_CRS = f"a projected CRS in metres, e.g. '{ANQIU_UTM}' (UTM zone 50N, which holds Anqiu)"


def anqiu_frame() -> pyproj.CRS:
    """The local frame of CSV village files and the synthetic county, as a projected CRS.

    A transverse Mercator on WGS 84 centred on the seat of Anqiu, in metres, with false
    easting and northing such that ``(x_km, y_km) * 1000`` are its coordinates.
    """
    from pyproj.crs import GeographicCRS, ProjectedCRS
    from pyproj.crs.coordinate_operation import TransverseMercatorConversion

    conversion = TransverseMercatorConversion(
        latitude_natural_origin=FRAME_ORIGIN_LAT,
        longitude_natural_origin=FRAME_ORIGIN_LON,
        false_easting=FRAME_ORIGIN_KM[0] * 1000,
        false_northing=FRAME_ORIGIN_KM[1] * 1000,
        scale_factor_natural_origin=1.0,
    )
    return ProjectedCRS(
        conversion, name="jointvillage local frame (Anqiu)", geodetic_crs=GeographicCRS()
    )


def projected_crs(given: str, source: str = "county.villages_crs") -> pyproj.CRS:
    """A user's CRS (``county.villages_crs``), checked to be projected in metres.

    Raises:
        InputError: An unknown CRS, or one that is geographic or not in metres.
    """
    try:
        crs = pyproj.CRS.from_user_input(given)
    except pyproj.exceptions.CRSError:
        raise InputError(source, "county.villages_crs", given, ALLOWED_CRS) from None
    if not in_metres(crs):
        raise InputError(source, "county.villages_crs", given, ALLOWED_CRS, hint=crs.name)
    return crs


def in_metres(crs: pyproj.CRS) -> bool:
    """The CRS is projected with metre axes."""
    return bool(crs.is_projected) and all(
        axis.unit_name in ("metre", "meter") for axis in crs.axis_info
    )
