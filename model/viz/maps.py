"""Maps of the county: villages as dots, alliances outlined by mode, lead villages marked.

One drawer, :func:`draw_village_map`, colours the villages by their main industry, by their
alliance's mode or by a value per village (for a colour bar), and can tint each town's
territory. The map of ``jointvillage county`` and ``demo`` (:func:`county_map_figure`), the
maps of the notebooks and the app (:func:`village_map_figure`) all go through it.

A lead village that leads several alliances is in the outline of each, is joined to each
alliance's members by thin lines in the alliance's colour, and has a larger marker.

Colours (:mod:`model.viz.palettes`) are colour-blind safe and do not clash: modes are
outlined in Okabe-Ito colours with a line style each, industries are pale fills from Tol's
light scheme, town territories are tinted from Tol's pale scheme (neighbours apart), values
use viridis or the diverging RdBu. Town names sit above every layer, with a white halo.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.colors import Normalize, TwoSlopeNorm, to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Polygon
from scipy.spatial import cKDTree

from model.viz.labels import industry_label, mode_label, text
from model.viz.outlines import alliance_outlines, town_tints
from model.viz.palettes import (
    DIVERGING_CMAP,
    INDUSTRY_COLOURS,
    MODE_COLOURS,
    MODE_LINESTYLES,
    NOT_ALLIED_COLOUR,
    SEQUENTIAL_CMAP,
    TOL_PALE,
)
from model.viz.style import figure_builder, new_figure
from model.world.alliances import Alliances
from model.world.county import INDUSTRIES, County

#: What a map colours its villages by, when no values are given.
COLOUR_BY = ("mode", "industry")
#: Towns' territories reach this far from their villages (km).
TERRITORY_REACH_KM = 2.0
#: Town names are drawn above territories, outlines, villages and lead markers.
TOWN_LABEL_ZORDER = 6
TOWN_LABEL_COLOUR = "#333333"


# --------------------------------------------------------------------------------------
# Geometry


def alliances_led(table: pd.DataFrame, n_villages: int) -> np.ndarray:
    """Per village row, the number of alliances it leads (zero without a ``lead`` column)."""
    if "lead" not in table.columns or not len(table):
        return np.zeros(n_villages, dtype=np.int64)
    return np.bincount(table["lead"].to_numpy(np.int64), minlength=n_villages)


def _dot_sizes(population: np.ndarray) -> np.ndarray:
    """Marker areas: proportional to population, with a floor so small villages show."""
    return 8 + 52 * np.sqrt(population / max(float(population.max()), 1.0))


# --------------------------------------------------------------------------------------
# Layers


def _draw_territories(ax: Axes, xy: np.ndarray, towns: np.ndarray) -> None:
    """Tint each town's territory and label it with the town's name, above everything.

    Each point within reach of a village takes its nearest village's town, so that the
    territories work for synthetic and file counties alike.
    """
    names, codes = np.unique(towns, return_inverse=True)
    low, high = xy.min(axis=0) - TERRITORY_REACH_KM, xy.max(axis=0) + TERRITORY_REACH_KM
    step = 0.25
    gx = np.arange(low[0], high[0] + step, step)
    gy = np.arange(low[1], high[1] + step, step)
    grid = np.stack(np.meshgrid(gx, gy), axis=-1).reshape(-1, 2)
    dist, nearest = cKDTree(xy).query(grid)
    inside = (dist <= TERRITORY_REACH_KM).reshape(len(gy), len(gx))
    label = np.where(inside, codes[nearest].reshape(len(gy), len(gx)), -1)
    tints = town_tints(label, len(names))
    rgba = np.zeros((len(gy), len(gx), 4))
    for k in range(len(names)):
        rgba[label == k] = (*to_rgb(TOL_PALE[tints[k]]), 0.6)
    extent = (gx[0] - step / 2, gx[-1] + step / 2, gy[0] - step / 2, gy[-1] + step / 2)
    ax.imshow(rgba, extent=extent, origin="lower", interpolation="nearest", zorder=0)
    ax.set_aspect("equal")  # imshow's own aspect would stretch the map otherwise
    halo = [patheffects.withStroke(linewidth=2.6, foreground="white", alpha=0.85)]
    for k, name in enumerate(names):
        cx, cy = np.median(xy[codes == k], axis=0)
        ax.text(
            cx,
            cy,
            str(name),
            ha="center",
            va="center",
            fontsize=10.5,
            color=TOWN_LABEL_COLOUR,
            weight="bold",
            zorder=TOWN_LABEL_ZORDER,
            path_effects=halo,
        )


def _draw_outlines(
    ax: Axes, xy: np.ndarray, table: pd.DataFrame, shapes: list[np.ndarray], led: np.ndarray
) -> None:
    """Shaded outline per alliance; spokes from a lead that leads several to its members."""
    leads = table["lead"].to_numpy(int) if "lead" in table.columns else None
    for index, (shape, mode, members) in enumerate(
        zip(shapes, table["mode"], table["members"], strict=True)
    ):
        colour = MODE_COLOURS.get(mode, "#000000")
        dashes = MODE_LINESTYLES.get(mode, "-")
        if len(shape) >= 3:
            ax.add_patch(Polygon(shape, closed=True, fc=colour, alpha=0.10, ec="none"))
            ax.add_patch(
                Polygon(
                    shape,
                    closed=True,
                    fill=False,
                    ec=colour,
                    ls=dashes,
                    lw=1.1,
                    alpha=0.9,
                    zorder=2,
                )
            )
        else:
            ax.plot(shape[:, 0], shape[:, 1], color=colour, ls=dashes, lw=1.1, alpha=0.9, zorder=2)
        if leads is not None and led[leads[index]] > 1:
            lead = xy[leads[index]]
            for member in xy[list(members)]:
                ax.plot(*zip(lead, member, strict=True), color=colour, lw=0.6, alpha=0.8, zorder=4)


def _draw_village_shapes(ax: Axes, shapes: Any) -> None:
    """A GIS village file's polygons (outer rings, in km) under the village dots."""
    rings = [
        np.asarray(part.exterior.coords) / 1000.0
        for shape in shapes
        if shape.geom_type in ("Polygon", "MultiPolygon")
        for part in getattr(shape, "geoms", [shape])
    ]
    if rings:
        ax.add_collection(PolyCollection(rings, fc="none", ec="#777777", lw=0.4, zorder=1))


def _village_colours(villages: pd.DataFrame, table: pd.DataFrame, colour_by: str) -> list[str]:
    """A colour per village: its industry's, or its alliance's mode's (grey outside)."""
    if colour_by == "industry":
        return [INDUSTRY_COLOURS.get(k, "#999999") for k in villages["industry"]]
    colours = np.full(len(villages), NOT_ALLIED_COLOUR, dtype=object)
    for members, mode in zip(table["members"], table["mode"], strict=True):
        colours[list(members)] = MODE_COLOURS.get(mode, "#333333")
    return list(colours)


def _draw_leads(ax: Axes, xy: np.ndarray, sizes: np.ndarray, led: np.ndarray, ring: bool) -> None:
    """Lead villages: a white star, or a ring that keeps the village's own colour visible."""
    rows = np.flatnonzero(led)
    if not len(rows):
        return
    extra = led[rows] - 1  # more alliances led, a larger marker
    if ring:
        marks = ax.scatter(
            xy[rows, 0], xy[rows, 1], s=sizes[rows] * (2.2 + extra), fc="none", ec="black", lw=0.8
        )
    else:
        marks = ax.scatter(
            xy[rows, 0], xy[rows, 1], marker="*", s=60 + 45 * extra, c="white", ec="black", lw=0.6
        )
    marks.set_zorder(5)


# --------------------------------------------------------------------------------------
# Legend


def _legend_handles(
    villages: pd.DataFrame, table: pd.DataFrame, led: np.ndarray, colour_by: str | None, lang: str
) -> list[Any]:
    """Entries: industries (if coloured by them), lead markers, modes with counts, others."""
    handles: list[Any] = []
    if colour_by == "industry":
        for k in INDUSTRIES:
            if (villages["industry"] == k).any():
                colour = INDUSTRY_COLOURS[k]
                handles.append(_dot(colour, "#333333", industry_label(k, lang), marker="o", ms=7))
    if len(table):
        ring = colour_by is None
        handles.append(_dot("none" if ring else "white", "black", text("lead_village", lang), ring))
        if led.max() > 1:
            several = text("leads_several", lang, n=int((led > 1).sum()))
            handles.append(_dot("none" if ring else "white", "black", several, ring, ms=13))
    for mode in MODE_COLOURS:
        count = int((table["mode"] == mode).sum()) if len(table) else 0
        if count:
            label = f"{mode_label(mode, lang)} ({count})"
            dashes = MODE_LINESTYLES[mode]
            handles.append(Line2D([], [], color=MODE_COLOURS[mode], ls=dashes, lw=2, label=label))
    if colour_by == "mode" and len(table):
        handles.append(Patch(fc=NOT_ALLIED_COLOUR, ec="#333333", label=text("not_allied", lang)))
    return handles


def _dot(
    face: str, edge: str, label: str, ring: bool = False, marker: str = "*", ms: float = 9
) -> Line2D:
    return Line2D(
        [], [], ls="", marker="o" if ring else marker, ms=ms, mfc=face, mec=edge, label=label
    )


# --------------------------------------------------------------------------------------
# The drawer and the figures


def draw_village_map(
    ax: Axes,
    villages: pd.DataFrame,
    alliances: pd.DataFrame | None = None,
    values: np.ndarray | None = None,
    *,
    colour_by: str = "mode",
    towns: bool = False,
    cmap: str = SEQUENTIAL_CMAP,
    norm: Normalize | None = None,
    outlines: list[np.ndarray] | None = None,
    lang: str = "en",
    legend: bool = True,
) -> Any:
    """Draw villages, alliance outlines and lead villages on ``ax``.

    Args:
        ax: The axes.
        villages: The county's village table (``x_km``, ``y_km``, ``population``, and
            ``industry`` / ``town`` when coloured by industry / drawn with towns).
        alliances: The alliance table (``members``, ``mode``, ``lead``), or None.
        values: A value per village row; None colours villages by ``colour_by``.
        colour_by: Without values: ``"mode"`` (allied villages by their alliance's mode,
            the others grey) or ``"industry"``.
        towns: Tint each town's territory and write its name.
        cmap: Colour map of ``values``.
        norm: Normalisation of ``values``.
        outlines: Pre-computed :func:`alliance_outlines` (else computed here).
        lang: ``"en"`` or ``"zh"``.
        legend: Add the legend (industries, lead villages, modes) right of the map.

    Returns:
        The scatter of villages (for a colour bar).
    """
    if colour_by not in COLOUR_BY:
        raise ValueError(f"colour_by must be one of {COLOUR_BY}, not {colour_by!r}")
    xy = villages[["x_km", "y_km"]].to_numpy(float)
    sizes = _dot_sizes(villages["population"].to_numpy(float))
    table = alliances if alliances is not None else pd.DataFrame(columns=["members", "mode"])
    led = alliances_led(table, len(xy))
    if towns:
        _draw_territories(ax, xy, villages["town"].to_numpy())
    if len(table):
        shapes = outlines if outlines is not None else alliance_outlines(xy, table["members"])
        _draw_outlines(ax, xy, table, shapes, led)
    if values is None:
        colours = _village_colours(villages, table, colour_by)
        points = ax.scatter(xy[:, 0], xy[:, 1], s=sizes, c=colours, lw=0.3, ec="#333333")
    else:
        points = ax.scatter(xy[:, 0], xy[:, 1], s=sizes, c=values, cmap=cmap, norm=norm)
        points.set(lw=0.3, ec="#555555")
    points.set_zorder(3)
    _draw_leads(ax, xy, sizes, led, ring=values is not None)
    ax.set(aspect="equal", xlabel=text("x_km", lang), ylabel=text("y_km", lang))
    ax.grid(True, lw=0.3, alpha=0.3)
    if legend and (len(table) or colour_by == "industry"):
        handles = _legend_handles(
            villages, table, led, None if values is not None else colour_by, lang
        )
        title = text("industry_mode" if colour_by == "industry" else "alliance_outline", lang)
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), title=title)
    return points


@figure_builder
def village_map_figure(
    villages: pd.DataFrame,
    alliances: pd.DataFrame | None = None,
    values: np.ndarray | None = None,
    *,
    title: str = "",
    value_label: str = "",
    diverging: bool = False,
    cmap: str | None = None,
    norm: Normalize | None = None,
    outlines: list[np.ndarray] | None = None,
    figsize: tuple[float, float] = (10.5, 7.6),
    lang: str = "en",
) -> Figure:
    """A county map: villages coloured by a value (or by mode) with alliances outlined.

    Args:
        villages: The county's village table.
        alliances: The alliance table, or None.
        values: A value per village row; None colours allied villages by mode.
        title: Figure title (default: villages and alliances).
        value_label: Colour-bar label (with its unit).
        diverging: Centre the colours at 0 (gains and losses).
        cmap: Colour map (default: :data:`~model.viz.palettes.DIVERGING_CMAP` when
            diverging, :data:`~model.viz.palettes.SEQUENTIAL_CMAP` otherwise).
        norm: Normalisation of the colours (default: from the values).
        outlines: Pre-computed :func:`alliance_outlines`.
        figsize: Figure size (inches).
        lang: ``"en"`` or ``"zh"``.
    """
    fig, axes = new_figure(1, 1, figsize, lang)
    ax = axes[0, 0]
    if values is not None:
        finite = np.asarray(values, float)[np.isfinite(values)]
        if norm is None and diverging and len(finite):
            bound = float(np.nanpercentile(np.abs(finite), 98)) or 1.0
            norm = TwoSlopeNorm(vcenter=0.0, vmin=-bound, vmax=bound)
        cmap = cmap or (DIVERGING_CMAP if diverging else SEQUENTIAL_CMAP)
    points = draw_village_map(
        ax,
        villages,
        alliances,
        values,
        cmap=cmap or SEQUENTIAL_CMAP,
        norm=norm,
        outlines=outlines,
        lang=lang,
    )
    if values is not None:
        bar = fig.colorbar(points, ax=ax, location="bottom", shrink=0.6, pad=0.02, extend="both")
        bar.set_label(value_label)
    ax.set_title(title or text("map_title", lang))
    return fig


@figure_builder
def county_map_figure(county: County, alliances: Alliances, lang: str = "en") -> Figure:
    """The map of ``jointvillage county``: villages by industry, towns tinted, alliances.

    Args:
        county: The county.
        alliances: Its alliances (may be empty).
        lang: ``"en"`` or ``"zh"``.
    """
    villages = county.villages
    table = alliances.table
    fig, axes = new_figure(1, 1, (11.5, 8.2), lang)
    ax = axes[0, 0]
    draw_village_map(ax, villages, table, colour_by="industry", towns=True, lang=lang)
    if county.shapes is not None:
        _draw_village_shapes(ax, county.shapes)
    synthetic = county.source == "synthetic"
    led = alliances_led(table, len(villages))
    ax.set_title(
        text(
            "county_map_title",
            lang,
            source=text("synthetic_county", lang) if synthetic else Path(county.source).name,
            villages=len(villages),
            people=int(villages["population"].sum()),
            alliances=len(table),
            allied=int((alliances.membership >= 0).sum()),
            leads=int((led > 0).sum()),
        )
    )
    note = text("map_note", lang)
    ax.text(1.01, 0.0, note, transform=ax.transAxes, fontsize=8, color="#555555", va="bottom")
    return fig
