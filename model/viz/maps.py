"""A map of the county: villages by industry, alliances outlined, lead villages marked.

A lead village that leads several alliances is in the outline of each, is joined to each
alliance's members by thin lines in the alliance's colour, and has a larger star.

Drawn with matplotlib's Agg backend (no display needed). Labels are ASCII (pinyin town
names), so the map needs no CJK font.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import Normalize, TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Polygon
from scipy.spatial import ConvexHull, QhullError, cKDTree

from model.viz.labels import mode_label, text
from model.viz.style import MODE_COLOURS as FIGURE_MODE_COLOURS
from model.viz.style import figure_builder, new_figure
from model.world.alliances import MODES, Alliances
from model.world.county import INDUSTRIES, County

#: Colour per industry (colour-blind-friendly where possible).
INDUSTRY_COLOURS = {
    "grain": "#e6c35c",
    "ginger": "#d95f02",
    "green_onion": "#1b9e77",
    "cherry": "#c2185b",
    "peach": "#f4a6c0",
    "vegetables": "#66a61e",
    "peanut": "#8c6d31",
    "millet": "#7570b3",
}
#: Outline colour per alliance mode.
MODE_COLOURS = {
    "lead_goose": "#1f3b73",
    "strong_leads_weak": "#b2182b",
    "industry_pull": "#2b7a2b",
    "project_traction": "#555555",
}


def draw_county_map(county: County, alliances: Alliances, path: Path) -> Path:
    """Draw the county map and save it as a PNG.

    Args:
        county: The county.
        alliances: Its alliances (may be empty).
        path: The PNG to write (folders are created).

    Returns:
        The path written.
    """
    v = county.villages
    xy = v[["x_km", "y_km"]].to_numpy(float)
    pop = v["population"].to_numpy(float)
    fig, ax = plt.subplots(figsize=(11.5, 8.2), dpi=130)

    # Town territories: each point within reach of a village takes its nearest village's
    # town, drawn as a faint tint (works for synthetic and file counties alike).
    _draw_territories(ax, xy, v["town"].to_numpy())

    sizes = 6 + 40 * np.sqrt(pop / max(pop.max(), 1.0))
    colours = [INDUSTRY_COLOURS.get(k, "#999999") for k in v["industry"]]
    ax.scatter(xy[:, 0], xy[:, 1], s=sizes, c=colours, lw=0.3, ec="#333333", zorder=3)

    table = alliances.table
    led = alliances.alliances_led() if len(table) else np.zeros(len(v), dtype=np.int64)
    for members, mode in zip(table["members"], table["mode"], strict=True):
        pts = xy[list(members)]
        colour = MODE_COLOURS.get(mode, "black")
        if led[members[0]] > 1:
            # A shared lead: spokes to this alliance's members.
            for p in pts[1:]:
                ax.plot(
                    [pts[0, 0], p[0]], [pts[0, 1], p[1]], color=colour, lw=0.6, alpha=0.8, zorder=4
                )
        hull = _hull(pts, pad=0.35)
        if hull is not None:
            ax.add_patch(Polygon(hull, closed=True, fc=colour, alpha=0.12, ec="none", zorder=2))
            ax.add_patch(Polygon(hull, closed=True, fill=False, ec=colour, lw=1.1, zorder=4))
        else:
            ax.plot(pts[:, 0], pts[:, 1], color=colour, lw=1.1, zorder=4)
    if len(table):
        lead_rows = np.flatnonzero(led)
        leads = xy[lead_rows]
        ax.scatter(
            leads[:, 0],
            leads[:, 1],
            marker="*",
            s=70 + 45 * (led[lead_rows] - 1),
            c="white",
            ec="black",
            lw=0.7,
            zorder=5,
        )

    present = [k for k in INDUSTRIES if (v["industry"] == k).any()]
    handles = [
        Line2D([], [], ls="", marker="o", ms=7, mfc=INDUSTRY_COLOURS[k], mec="#333333", label=k)
        for k in present
    ]
    if len(table):
        handles.append(Line2D([], [], ls="", marker="*", ms=10, mfc="white", mec="black"))
        handles[-1].set_label("lead village")
        if led.max() > 1:
            handles.append(Line2D([], [], ls="", marker="*", ms=14, mfc="white", mec="black"))
            handles[-1].set_label(f"leads several alliances ({int((led > 1).sum())})")
        for mode in MODES:
            count = int((table["mode"] == mode).sum())
            if count:
                handles.append(
                    Line2D([], [], color=MODE_COLOURS[mode], lw=2, label=f"{mode} ({count})")
                )
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=9,
        title="industry / alliance mode",
        title_fontsize=9,
        frameon=False,
    )

    allied = int((alliances.membership >= 0).sum())
    source = "synthetic Anqiu" if county.source == "synthetic" else Path(county.source).name
    ax.set_title(
        f"{source}: {len(v)} villages, {int(pop.sum()):,} people; "
        f"{len(table)} alliances over {allied} villages ({int((led > 0).sum())} leads)",
        fontsize=12,
    )
    ax.set_xlabel("x (km, east)")
    ax.set_ylabel("y (km, north)")
    ax.set_aspect("equal")
    ax.grid(True, lw=0.3, alpha=0.4)
    ax.text(
        1.01,
        0.0,
        "dot area ~ population\nshaded outline = alliance",
        transform=ax.transAxes,
        fontsize=8,
        color="#555555",
        va="bottom",
    )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)
    return path


def _draw_territories(ax: plt.Axes, xy: np.ndarray, towns: np.ndarray) -> None:
    """Tint each town's territory and label it with the town's name."""
    names, codes = np.unique(towns, return_inverse=True)
    low, high = xy.min(axis=0) - 2.0, xy.max(axis=0) + 2.0
    step = 0.25
    gx = np.arange(low[0], high[0] + step, step)
    gy = np.arange(low[1], high[1] + step, step)
    grid = np.stack(np.meshgrid(gx, gy), axis=-1).reshape(-1, 2)
    dist, nearest = cKDTree(xy).query(grid)
    label = codes[nearest].reshape(len(gy), len(gx))
    inside = (dist <= 2.0).reshape(len(gy), len(gx))
    palette = plt.get_cmap("Pastel1").colors + plt.get_cmap("Pastel2").colors
    rgba = np.zeros((len(gy), len(gx), 4))
    for k in range(len(names)):
        rgba[label == k] = (*palette[k % len(palette)][:3], 0.55)
    rgba[~inside] = 0.0
    ax.imshow(
        rgba,
        extent=(gx[0] - step / 2, gx[-1] + step / 2, gy[0] - step / 2, gy[-1] + step / 2),
        origin="lower",
        interpolation="nearest",
        zorder=0,
    )
    for k, name in enumerate(names):
        cx, cy = np.median(xy[codes == k], axis=0)
        ax.text(
            cx,
            cy,
            str(name),
            ha="center",
            va="center",
            fontsize=12,
            color="#555555",
            alpha=0.6,
            weight="bold",
            zorder=1,
        )


def _hull(points: np.ndarray, pad: float) -> np.ndarray | None:
    """Convex hull pushed out by ``pad`` km from its centre, or None if degenerate."""
    if len(points) < 3:
        return None
    try:
        hull = points[ConvexHull(points).vertices]
    except QhullError:
        return None  # collinear members: drawn as a line instead
    centre = hull.mean(axis=0)
    offset = hull - centre
    norm = np.linalg.norm(offset, axis=1, keepdims=True)
    return hull + pad * offset / np.maximum(norm, 1e-9)


def _figure_hull(points: np.ndarray, pad: float) -> np.ndarray | None:
    """Convex hull pushed out by ``pad`` km from its centre, or None if degenerate."""
    if len(points) < 3:
        return None
    try:
        hull = points[ConvexHull(points).vertices]
    except QhullError:
        return None
    centre = hull.mean(axis=0)
    offset = hull - centre
    norm = np.linalg.norm(offset, axis=1, keepdims=True)
    return hull + pad * offset / np.maximum(norm, 1e-9)


def alliance_outlines(
    xy: np.ndarray, members: Sequence[Sequence[int]], pad: float = 0.35
) -> list[np.ndarray]:
    """Outline of each alliance (a padded hull, or the members' polyline when degenerate)."""
    out = []
    for group in members:
        pts = xy[list(group)]
        hull = _figure_hull(pts, pad)
        out.append(hull if hull is not None else pts)
    return out


def draw_village_map(
    ax: Axes,
    villages: pd.DataFrame,
    alliances: pd.DataFrame | None = None,
    values: np.ndarray | None = None,
    *,
    cmap: str = "viridis",
    norm: Normalize | None = None,
    outlines: list[np.ndarray] | None = None,
    lang: str = "en",
    legend: bool = True,
) -> Any:
    """Draw villages (coloured by ``values``, else by alliance mode) and alliance outlines.

    Args:
        ax: The axes.
        villages: The county's village table (``x_km``, ``y_km``, ``population``).
        alliances: The alliance table (``members``, ``lead``, ``mode``), or None.
        values: A value per village row (None: colour by the village's alliance mode).
        cmap: Colour map of ``values``.
        norm: Normalisation of ``values``.
        outlines: Pre-computed :func:`alliance_outlines` (else computed here).
        lang: ``"en"`` or ``"zh"``.
        legend: Add the legend of modes and lead villages.

    Returns:
        The scatter of villages (for a colour bar).
    """
    xy = villages[["x_km", "y_km"]].to_numpy(float)
    pop = villages["population"].to_numpy(float)
    sizes = 8 + 60 * np.sqrt(pop / max(float(pop.max()), 1.0))
    table = alliances if alliances is not None else pd.DataFrame(columns=["members", "mode"])
    if values is None:
        colours = np.full(len(xy), "#d9d9d9", dtype=object)
        for members, mode in zip(table["members"], table["mode"], strict=True):
            colours[list(members)] = FIGURE_MODE_COLOURS.get(mode, "#333333")
        points = ax.scatter(xy[:, 0], xy[:, 1], s=sizes, c=list(colours), lw=0.3, ec="#333333")
    else:
        points = ax.scatter(
            xy[:, 0], xy[:, 1], s=sizes, c=values, cmap=cmap, norm=norm, lw=0.3, ec="#555555"
        )
    points.set_zorder(3)
    if len(table):
        shapes = outlines if outlines is not None else alliance_outlines(xy, table["members"])
        for shape, mode in zip(shapes, table["mode"], strict=True):
            colour = FIGURE_MODE_COLOURS.get(mode, "black")
            if len(shape) >= 3:
                ax.add_patch(Polygon(shape, closed=True, fc=colour, alpha=0.10, ec="none"))
                ax.add_patch(
                    Polygon(shape, closed=True, fill=False, ec=colour, lw=0.9, alpha=0.85, zorder=2)
                )
            else:
                ax.plot(shape[:, 0], shape[:, 1], color=colour, lw=0.9, alpha=0.85, zorder=2)
        if "lead" in table.columns:
            leads = table["lead"].to_numpy(int)
            if values is None:
                ax.scatter(
                    xy[leads, 0], xy[leads, 1], marker="*", s=46, c="white", ec="black", lw=0.6
                ).set_zorder(5)
            else:  # a ring, so that the lead village's own colour stays visible
                ax.scatter(
                    xy[leads, 0], xy[leads, 1], s=sizes[leads] * 2.2, fc="none", ec="black", lw=0.8
                ).set_zorder(5)
    ax.set_aspect("equal")
    ax.set_xlabel(text("x_km", lang))
    ax.set_ylabel(text("y_km", lang))
    ax.grid(True, lw=0.3, alpha=0.3)
    if legend and len(table):
        handles: list[Any] = [
            Line2D([], [], color=FIGURE_MODE_COLOURS[m], lw=2, label=mode_label(m, lang))
            for m in FIGURE_MODE_COLOURS
            if (table["mode"] == m).any()
        ]
        handles.append(
            Line2D([], [], ls="", marker="*", ms=9, mfc="white", mec="black")
            if values is None
            else Line2D([], [], ls="", marker="o", ms=9, mfc="none", mec="black")
        )
        handles[-1].set_label(text("lead_village", lang))
        if values is None:
            handles.append(Patch(fc="#d9d9d9", ec="#333333", label=text("not_allied", lang)))
        ax.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            title=text("alliance_outline", lang),
        )
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
        cmap: Colour map (default: ``RdBu`` diverging, ``viridis`` otherwise).
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
        cmap = cmap or ("RdBu" if diverging else "viridis")
    points = draw_village_map(
        ax,
        villages,
        alliances,
        values,
        cmap=cmap or "viridis",
        norm=norm,
        outlines=outlines,
        lang=lang,
    )
    if values is not None:
        bar = fig.colorbar(points, ax=ax, location="bottom", shrink=0.6, pad=0.02, extend="both")
        bar.set_label(value_label)
    ax.set_title(title or text("map_title", lang))
    return fig
