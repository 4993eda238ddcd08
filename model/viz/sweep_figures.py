"""Sweeps drawn over the swept value: a line with its interval as a band, per measure.

A comparison table (:func:`model.experiments.compare.compare`) is a *sweep* when the arms of
its scenarios differ in exactly one numeric ``param:<name>`` column (e.g. the pooled-land
rent at 400, 600, 800 and 1,000 yuan/mu): :func:`swept_parameter` finds that column and
:func:`sweep_figure` draws, per measure, the mean with its interval over the swept value
(left) and the paired difference from the reference with its interval (right). Scenarios
that are not swept (a baseline run beside the sweep) are drawn as a dashed horizontal line
with their band. Both panels of a measure share the honest half-width of
:func:`model.viz.style.level_and_effect_spans`, and every panel shares the swept axis.
:func:`model.viz.experiment_figures.compare_figure` hands sweeps to this module.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from model.viz.labels import measure_heading, scenario_label, text
from model.viz.palettes import scenario_colours
from model.viz.style import (
    add_note,
    add_title,
    figure_builder,
    finish_grid,
    legend_right,
    level_and_effect_spans,
    new_figure,
    set_span,
)

#: Prefix of the columns that carry a sweep point's parameter values.
PARAM_PREFIX = "param:"
#: Swept values are written as ticks when there are at most this many.
MAX_VALUE_TICKS = 10


def swept_parameter(table: pd.DataFrame) -> str | None:
    """The one numeric ``param:*`` column in which the arms of a scenario differ, or None.

    None when no column varies, when several do (a grid over two parameters, a Latin
    hypercube) or when the varying one is not numeric: those are drawn as separate arms.
    """
    params = [c for c in table.columns if str(c).startswith(PARAM_PREFIX)]
    if not params or "scenario" not in table.columns or "arm" not in table.columns:
        return None
    arms = table.drop_duplicates("arm")
    varying = {
        column
        for _, rows in arms.groupby("scenario", sort=False)
        for column in params
        if rows[column].nunique(dropna=True) > 1
    }
    if len(varying) != 1:
        return None
    column = varying.pop()
    given = arms[column].notna()
    values = pd.to_numeric(arms.loc[given, column], errors="coerce")
    return column if values.notna().all() and values.nunique() >= 2 else None


def parameter_label(column: str) -> str:
    """A swept column by its parameter's last two parts (``land_pooling.rent``)."""
    parts = column.removeprefix(PARAM_PREFIX).split(".")
    return ".".join(parts[-2:])


def _draw_scenario(
    ax: Axes, rows: pd.DataFrame, column: str, keys: tuple[str, str, str], style: dict
) -> None:
    """One scenario's line and band over the swept value, or its level as a dashed line."""
    mid, low, high = keys
    x = pd.to_numeric(rows[column], errors="coerce")
    if x.notna().sum() >= 2:
        order = np.argsort(x.to_numpy(float), kind="stable")
        xs = x.to_numpy(float)[order]
        ax.plot(xs, rows[mid].to_numpy(float)[order], marker="o", ms=4, **style)
        band = rows[[low, high]].to_numpy(float)[order]
        if np.isfinite(band).any():
            ax.fill_between(xs, band[:, 0], band[:, 1], color=style["color"], alpha=0.18, lw=0)
        return
    value = float(rows[mid].iloc[0])
    if np.isfinite(value):
        ax.axhline(value, ls="--", lw=1.4, **style)
        band = rows[[low, high]].iloc[0].to_numpy(float)
        if np.isfinite(band).all():
            ax.axhspan(band[0], band[1], color=style["color"], alpha=0.12, lw=0)


def _draw_measure(
    left: Axes, right: Axes, part: pd.DataFrame, column: str, reference: str, lang: str
) -> None:
    """The two panels of one measure: levels and paired differences over the swept value."""
    name = str(part["measure"].iloc[0])
    label, unit, scale = measure_heading(name, part, lang)
    shown = part.copy()
    value_columns = ["mean", "ci_low", "ci_high", "diff", "diff_low", "diff_high"]
    shown[value_columns] = shown[value_columns].astype(float) / scale
    colours = scenario_colours([str(s) for s in dict.fromkeys(shown["scenario"])])
    for scenario, rows in shown.groupby("scenario", sort=False):
        style = {"color": colours[str(scenario)], "label": scenario_label(str(scenario), lang)}
        _draw_scenario(left, rows, column, ("mean", "ci_low", "ci_high"), style)
        _draw_scenario(right, rows, column, ("diff", "diff_low", "diff_high"), style)
    levels = shown[["mean", "ci_low", "ci_high"]].to_numpy(float).ravel()
    effects = shown[["diff", "diff_low", "diff_high"]].to_numpy(float).ravel()
    centre, half, _ = level_and_effect_spans(levels, effects, shown["mean"].to_numpy(float))
    set_span(left, centre, half, "y")
    left.set_title(f"{label} [{unit}]" if unit else label, fontsize=9.5)
    if not np.isfinite(effects).any():
        right.set_visible(False)  # a ratio measure: defined against the reference only
        return
    set_span(right, 0.0, half, "y")
    right.axhline(0, color="#555555", lw=0.8)
    right.set_title(text("paired_difference", lang, ref=reference), fontsize=9.5)


@figure_builder
def sweep_figure(
    table: pd.DataFrame, measures: Sequence[str] | None = None, lang: str = "en"
) -> Figure:
    """Levels and paired differences over the swept value, a row per measure.

    Args:
        table: From :func:`model.experiments.compare.compare`, a sweep
            (:func:`swept_parameter` is not None).
        measures: Which measures to draw (default: all in the table).
        lang: ``"en"`` or ``"zh"``.

    Raises:
        ValueError: When the table is not a sweep.
    """
    column = swept_parameter(table)
    if column is None:
        raise ValueError("not a sweep: the arms do not differ in exactly one numeric param:*")
    names = list(dict.fromkeys(measures or table["measure"]))
    reference = scenario_label(str(table["reference"].iloc[0]), lang) if len(table) else ""
    fig, axes = new_figure(len(names), 2, (11.5, 2.6 * len(names) + 0.9), lang, sharex=True)
    for row, name in enumerate(names):
        left, right = axes[row]
        _draw_measure(left, right, table[table["measure"] == name], column, reference, lang)
    values = sorted(pd.to_numeric(table[column], errors="coerce").dropna().unique())
    if len(values) <= MAX_VALUE_TICKS:
        axes[0, 0].set_xticks(values)
    finish_grid(axes, axes.size, parameter_label(column))
    legend_right(fig, axes[0, 0])
    n = int(table["n"].max()) if "n" in table.columns and len(table) else 0
    add_title(fig, text("sweep_title", lang, param=parameter_label(column)))
    add_note(fig, text("sweep_note", lang, n=n))
    return fig
