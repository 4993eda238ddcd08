"""The shapes a map draws: alliance outlines (one padded hull) and town tints.

:func:`hull` is the one outline of an alliance: the convex hull of its members pushed out
by a pad. The county map draws it (:mod:`model.viz.maps`, in km) and the GIS layers write
it as a polygon (:func:`alliance_polygon`, in the map's CRS units, :mod:`model.viz.gis`).
"""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx
import numpy as np
import shapely
from scipy.spatial import ConvexHull, QhullError

from model.viz.palettes import TOL_PALE

#: Padding of an alliance's outline around its members (km).
OUTLINE_PAD_KM = 0.35


def hull(points: np.ndarray, pad: float) -> np.ndarray | None:
    """Convex hull pushed out by ``pad`` (in the points' units), or None if degenerate."""
    if len(points) < 3:
        return None
    try:
        corners = points[ConvexHull(points).vertices]
    except QhullError:
        return None  # collinear members: drawn as a line instead
    centre = corners.mean(axis=0)
    offset = corners - centre
    norm = np.linalg.norm(offset, axis=1, keepdims=True)
    return corners + pad * offset / np.maximum(norm, 1e-9)


def alliance_outlines(
    xy: np.ndarray, members: Sequence[Sequence[int]], pad: float = OUTLINE_PAD_KM
) -> list[np.ndarray]:
    """Outline of each alliance (a padded hull, or the members' polyline when degenerate)."""
    out = []
    for group in members:
        points = xy[list(group)]
        shape = hull(points, pad)
        out.append(shape if shape is not None else points)
    return out


def alliance_polygon(points: np.ndarray, pad: float) -> shapely.Polygon:
    """An alliance's outline as a polygon: :func:`hull`, or for fewer than three members
    (or members on a line) the members buffered by ``pad``."""
    corners = hull(points, pad)
    if corners is not None:
        return shapely.Polygon(corners)
    return shapely.MultiPoint(points).convex_hull.buffer(pad)


def town_tints(codes: np.ndarray, n_towns: int) -> np.ndarray:
    """A colour index into :data:`~model.viz.palettes.TOL_PALE` per town, neighbours apart.

    Towns are neighbours when their territories touch on the grid (``codes``, -1 outside);
    a greedy colouring of that graph (networkx) keeps neighbouring tints different.
    """
    edges = set()
    for first, second in ((codes[:-1, :], codes[1:, :]), (codes[:, :-1], codes[:, 1:])):
        touch = (first != second) & (first >= 0) & (second >= 0)
        edges.update(zip(first[touch].tolist(), second[touch].tolist(), strict=True))
    graph = nx.Graph()
    graph.add_nodes_from(range(n_towns))
    graph.add_edges_from(edges)
    colouring = nx.greedy_color(graph, strategy="largest_first")
    return np.array([colouring[k] % len(TOL_PALE) for k in range(n_towns)], dtype=np.int64)
