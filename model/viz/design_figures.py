"""Figures of the policy design tools: a proposed grouping on the map, the Pareto front,
and scenario discovery's coverage-density trade-off and feature scores."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from model.viz.maps import draw_village_map
from model.viz.style import figure_builder, new_figure


@figure_builder
def grouping_map_figure(
    villages: pd.DataFrame,
    programme: pd.DataFrame,
    proposed: pd.DataFrame,
    *,
    proposed_title: str = "Proposed grouping",
    lang: str = "en",
) -> Figure:
    """The programme's grouping and a proposed one side by side, villages by mode.

    Args:
        villages: The county's village table.
        programme: The programme's alliance table.
        proposed: The proposed alliance table.
        proposed_title: Title of the right panel.
        lang: ``"en"`` or ``"zh"``.
    """
    fig, axes = new_figure(1, 2, (16.0, 7.2), lang)
    panels = (
        (programme, f"Programme's grouping: {len(programme)} alliances"),
        (proposed, f"{proposed_title}: {len(proposed)} alliances"),
    )
    for k, (ax, (table, title)) in enumerate(zip(axes[0], panels, strict=True)):
        draw_village_map(ax, villages, table, lang=lang, legend=k == 1)
        allied = len({int(m) for members in table["members"] for m in members})
        ax.set_title(f"{title}, {allied} villages")
    return fig


@figure_builder
def pareto_figure(
    evaluations: pd.DataFrame,
    front: pd.DataFrame,
    objectives: Sequence[str],
    programme: Sequence[float] | None = None,
    *,
    lang: str = "en",
) -> Figure:
    """Screened groupings on two objectives, the Pareto front joined, the programme marked.

    Args:
        evaluations: Every screening evaluation (one column per objective measure).
        front: The non-dominated groupings.
        objectives: The two objective measures (x, then y).
        programme: The programme's grouping's values, if known.
        lang: ``"en"`` or ``"zh"``.
    """
    x, y = objectives
    fig, axes = new_figure(1, 1, (8.0, 5.5), lang)
    ax = axes[0, 0]
    ax.scatter(evaluations[x], evaluations[y], s=14, c="#9e9e9e", label="screened groupings")
    line = front.sort_values(x)
    ax.plot(line[x], line[y], "o-", c="#1565c0", label="Pareto front")
    if programme is not None:
        ax.scatter(*programme, marker="*", s=220, c="#c62828", label="programme's grouping")
    ax.set(xlabel=x, ylabel=y, title="Groupings screened on two objectives")
    ax.legend()
    return fig


@figure_builder
def tradeoff_figure(trajectory: pd.DataFrame, chosen: int, *, lang: str = "en") -> Figure:
    """PRIM's peeling trajectory: coverage against density, the chosen box marked.

    Args:
        trajectory: Columns ``coverage``, ``density`` and ``res_dim`` (restricted
            dimensions), one row per box of the trajectory.
        chosen: Row of the chosen box.
        lang: ``"en"`` or ``"zh"``.
    """
    fig, axes = new_figure(1, 1, (7.5, 5.5), lang)
    ax = axes[0, 0]
    points = ax.scatter(
        trajectory["coverage"], trajectory["density"], c=trajectory["res_dim"], cmap="viridis"
    )
    ax.scatter(
        trajectory["coverage"].iat[chosen],
        trajectory["density"].iat[chosen],
        s=200,
        facecolors="none",
        edgecolors="#c62828",
        lw=2,
        label="chosen box",
    )
    fig.colorbar(points, ax=ax, label="restricted dimensions")
    ax.set(xlabel="coverage", ylabel="density", xlim=(0, 1.05), ylim=(0, 1.05))
    ax.set_title("PRIM: coverage-density trade-off")
    ax.legend(loc="lower left")
    return fig


@figure_builder
def feature_scores_figure(scores: pd.DataFrame, *, lang: str = "en") -> Figure:
    """Extra-trees feature scores of the sampled parameters (largest on top).

    Args:
        scores: Index: parameters; one column of scores per outcome.
        lang: ``"en"`` or ``"zh"``.
    """
    ordered = scores.sort_values(scores.columns[0])
    fig, axes = new_figure(1, 1, (8.0, 0.5 * len(ordered) + 2.0), lang)
    ax = axes[0, 0]
    height = 0.8 / max(len(ordered.columns), 1)
    rows = np.arange(len(ordered))
    for k, column in enumerate(ordered.columns):
        ax.barh(rows + k * height, ordered[column], height=height, label=str(column))
    ax.set_yticks(rows + height * (len(ordered.columns) - 1) / 2, ordered.index)
    ax.set(xlabel="feature score (extra trees)", title="Which parameters drive the outcome")
    ax.legend()
    return fig


@figure_builder
def gains_figure(gains: pd.DataFrame, measure: str, *, lang: str = "en") -> Figure:
    """Each finalist's gain over the programme's grouping on one measure, with its 95%
    interval (paired, common random numbers); the chosen grouping in colour.

    Args:
        gains: ``gains.csv`` rows (:func:`model.experiments.grouping.output.gains_table`).
        measure: The measure shown.
        lang: ``"en"`` or ``"zh"``.
    """
    rows = gains[gains["measure"] == measure].reset_index(drop=True)
    fig, axes = new_figure(1, 1, (8.0, 0.6 * len(rows) + 2.0), lang)
    ax = axes[0, 0]
    low = (rows["gain"] - rows["gain_low"]).fillna(0.0).clip(lower=0.0)
    high = (rows["gain_high"] - rows["gain"]).fillna(0.0).clip(lower=0.0)
    colours = ["#1565c0" if chosen else "#9e9e9e" for chosen in rows["chosen"]]
    ax.barh(rows["arm"], rows["gain"], xerr=[low, high], color=colours, capsize=4)
    ax.axvline(0.0, color="#333333", lw=0.8)
    ax.set(xlabel=f"gain in {measure} over the programme's grouping (95% interval)")
    ax.set_title("Proposed groupings against the programme's own (chosen in blue)")
    return fig
