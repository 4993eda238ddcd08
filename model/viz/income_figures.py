"""Household income by source: the sources come from :data:`model.registry.INCOME_SOURCES`.

The sources, their labels and their colours are read from the registry when a figure is
drawn, so that a mechanism that registers a new source sees it in every income figure (and
in the app) without touching this module. A source is drawn when the table has its
``income_<name>`` column.

:func:`reference_paths_figure` draws income (or any county measure) against the reference
scenario: the reference's path as a dashed line, every other scenario's beside it, and the
paired difference per year with its 95% interval (:func:`model.experiments.effects.yearly_effects`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from model.experiments.effects import yearly_effects
from model.mechanisms.prices import PriceBasis
from model.registry import INCOME_SOURCES, Source
from model.viz.figures import lines_over_years, priced, scenario_names, with_keys
from model.viz.labels import scenario_label, text
from model.viz.palettes import scenario_colours
from model.viz.style import (
    WAN,
    add_note,
    add_title,
    centre_and_half_width,
    figure_builder,
    finish_grid,
    grid_shape,
    integer_years,
    legend_right,
    measure_floor,
    new_figure,
    save_figure,
    set_span,
    thousands,
)


def income_sources(table: pd.DataFrame | Sequence[str]) -> list[Source]:
    """The registered household income sources that a table has an ``income_<name>`` column
    for, in stacking order (read at draw time, so that a newly registered source is drawn).
    """
    columns = set(table.columns if isinstance(table, pd.DataFrame) else table)
    return [s for s in INCOME_SOURCES if f"income_{s.name}" in columns]


def stack_sources(ax: Axes, x: np.ndarray, table: pd.DataFrame, lang: str = "en") -> np.ndarray:
    """Stack the income sources of ``table`` (a row per ``x``) on ``ax``; return the totals.

    Negative parts (a loss from farming) are drawn in grey below zero.
    """
    sources = income_sources(table)
    values = [table[f"income_{s.name}"].to_numpy(float) for s in sources]
    ax.stackplot(
        x,
        *[np.clip(v, 0, None) for v in values],
        colors=[s.colour for s in sources],
        labels=[s.label(lang) for s in sources],
        alpha=0.9,
    )
    negative = sum(np.clip(v, None, 0) for v in values)
    if np.any(negative < 0):
        ax.fill_between(x, negative, 0, color="#999999", alpha=0.6, lw=0)
    return np.asarray(sum(values), float)


@figure_builder
def income_paths_figure(
    county_yearly: pd.DataFrame, lang: str = "en", prices: PriceBasis = "current"
) -> Figure:
    """Per-capita disposable income by source over the years, stacked; a panel per scenario.

    Args:
        county_yearly: ``county_yearly`` rows of one or several scenarios and replicates.
        lang: ``"en"`` or ``"zh"``.
        prices: ``current`` or ``constant`` 2023 yuan (the title says which when constant).
    """
    county_yearly, note = priced(county_yearly, prices, lang)
    frame = with_keys(county_yearly)
    names = scenario_names(frame)
    rows, cols = grid_shape(len(names))
    fig, axes = new_figure(
        rows, cols, (3.9 * cols + 2.4, 3.0 * rows + 0.6), lang, sharex=True, sharey=True
    )
    columns = [f"income_{s.name}" for s in income_sources(frame)]
    means = frame.groupby(["scenario", "year"], sort=False)[columns].mean().reset_index()
    reps = frame.groupby("scenario", sort=False)["replicate"].nunique()
    for ax, name in zip(axes.ravel(), names, strict=False):
        part = means[means["scenario"] == name]
        years = part["year"].to_numpy()
        total = stack_sources(ax, years, part, lang)
        ax.plot(years, total, color="black", lw=1.4, label=text("total", lang))
        ax.set_title(scenario_label(name, lang) if name else "")
        integer_years(ax)
        thousands(ax)
    for ax in axes[:, 0]:
        ax.set_ylabel(text("yuan_pp", lang))
    finish_grid(axes, len(names), text("year", lang))
    legend_right(fig, axes.ravel()[0])
    add_title(fig, text("income_paths_title", lang) + note)
    n = int(reps.max()) if len(reps) else 1
    if n > 1:
        add_note(fig, text("mean_reps", lang, n=n))
    return fig


def _paired_source_differences(
    part: pd.DataFrame, names: list[str], reference: str, columns: list[str]
) -> pd.DataFrame:
    """Per scenario, the mean over replicates of its difference from the reference's."""
    ref_rows = part[part["scenario"] == reference][["replicate", *columns]]
    diffs = {}
    for name in names:
        mine = part[part["scenario"] == name][["replicate", *columns]]
        paired = mine.merge(ref_rows, on="replicate", suffixes=("", "__ref"))
        diffs[name] = pd.Series({c: (paired[c] - paired[f"{c}__ref"]).mean() for c in columns})
    return pd.DataFrame(diffs).T.reindex(names)


def _stacked_bars(ax: Axes, levels: pd.DataFrame, sources: list[Source], lang: str) -> None:
    """Horizontal bars of the sources' levels, one per scenario, with the total written."""
    y = np.arange(len(levels))
    start = np.zeros(len(levels))
    for source in sources:
        values = levels[f"income_{source.name}"].to_numpy(float)
        ax.barh(y, values, left=start, color=source.colour, label=source.label(lang))
        start = start + values
    for i, total in enumerate(start):
        ax.text(total, i, f" {total:,.0f}", va="center", fontsize=7.5)
    ax.set_xlim(0.0, float(np.nanmax(start)) * 1.13 if len(start) else 1.0)


def _difference_bars(ax: Axes, diff: pd.DataFrame, sources: list[Source], lang: str) -> None:
    """Gains stacked right of zero and losses left of it, with the net as a diamond."""
    y = np.arange(len(diff))
    pos = np.zeros(len(diff))
    neg = np.zeros(len(diff))
    for source in sources:
        values = np.nan_to_num(diff[f"income_{source.name}"].to_numpy(float))
        ax.barh(y, values, left=np.where(values >= 0, pos, neg), color=source.colour)
        pos = pos + np.clip(values, 0, None)
        neg = neg + np.clip(values, None, 0)
    net = np.nan_to_num(diff.sum(axis=1).to_numpy(float))
    ax.scatter(net, y, color="black", marker="D", s=18, zorder=3, label=text("total", lang))
    ax.axvline(0, color="#555555", lw=0.8)
    # Zero-width segments are sticky edges that defeat margins: set the limits directly.
    low = min(0.0, float(neg.min()), float(net.min()))
    high = max(0.0, float(pos.max()), float(net.max()))
    pad = 0.08 * (high - low or 1.0)
    ax.set_xlim(low - pad, high + pad)


@figure_builder
def income_sources_figure(
    county_yearly: pd.DataFrame,
    reference: str | None = None,
    year: int | None = None,
    lang: str = "en",
    prices: PriceBasis = "current",
) -> Figure:
    """Per-capita income by source in one year: levels (left) and difference from a reference.

    Args:
        county_yearly: Rows of several scenarios (replicates are averaged; differences are
            paired by replicate, then averaged).
        reference: The scenario to subtract (default: the first).
        year: The year (default: the last).
        lang: ``"en"`` or ``"zh"``.
        prices: ``current`` or ``constant`` 2023 yuan.
    """
    county_yearly, note = priced(county_yearly, prices, lang)
    frame = with_keys(county_yearly)
    names = scenario_names(frame)
    reference = reference if reference is not None else names[0]
    year = int(frame["year"].max()) if year is None else int(year)
    sources = income_sources(frame)
    columns = [f"income_{s.name}" for s in sources]
    part = frame[frame["year"] == year]
    levels = part.groupby("scenario", sort=False)[columns].mean().reindex(names)
    diff = _paired_source_differences(part, names, reference, columns)
    fig, axes = new_figure(1, 2, (12.5, max(3.0, 0.42 * len(names) + 1.4)), lang, sharey=True)
    left, right = axes[0]
    _stacked_bars(left, levels, sources, lang)
    _difference_bars(right, diff, sources, lang)
    left.set_yticks(np.arange(len(names)), [scenario_label(n, lang) for n in names])
    left.invert_yaxis()
    left.set_title(text("sources_title", lang, year=year) + note)
    right.set_title(text("sources_diff_title", lang, ref=scenario_label(reference, lang)))
    for ax in (left, right):
        ax.set_xlabel(text("yuan_pp", lang))
        thousands(ax, "x")
    handles, labels = left.get_legend_handles_labels()
    extra_h, extra_l = right.get_legend_handles_labels()
    fig.legend(handles + extra_h, labels + extra_l, loc="outside lower center", ncols=6)
    return fig


# --------------------------------------------------------------------------------------
# Paths against the reference scenario

#: How a county measure's path is labelled: (label key, unit key, display scale).
PATH_MEASURES: dict[str, tuple[str, str, float]] = {
    "per_capita_income": ("per_capita_income", "yuan_pp", 1.0),
    "collective_income_mean": ("collective_mean_long", "wan_yr_village", WAN),
    "collective_income_median": ("collective_median_long", "wan_yr_village", WAN),
    "weak_villages": ("weak_villages", "villages", 1.0),
}
#: The interval ends of a paired difference.
_ENDS = ("diff_low", "diff_high")


def _path_heading(name: str, lang: str) -> tuple[str, str, float]:
    label_key, unit_key, scale = PATH_MEASURES.get(name, ("", "", 1.0))
    label = text(label_key, lang) if label_key else name
    return label, text(unit_key, lang) if unit_key else "", scale


def _draw_differences(
    ax: Axes, diffs: pd.DataFrame, reference: str, scale: float, colours: dict[str, str]
) -> np.ndarray:
    """A line per scenario of its paired difference per year, its interval as a band."""
    shown = []
    for scenario, part in diffs.groupby("scenario", sort=False):
        if scenario == reference:
            continue
        years = part["year"].to_numpy()
        values = part[["diff", *_ENDS]].to_numpy(float) / scale
        colour = colours[str(scenario)]
        ax.plot(years, values[:, 0], color=colour, marker="o", ms=3, lw=1.8)
        if np.isfinite(values[:, 1:]).any():
            ax.fill_between(years, values[:, 1], values[:, 2], color=colour, alpha=0.2, lw=0)
        shown.append(values.ravel())
    return np.concatenate(shown) if shown else np.zeros(0)


@figure_builder
def reference_paths_figure(
    county_yearly: pd.DataFrame,
    measures: Sequence[str] = ("per_capita_income",),
    reference: str | None = None,
    difference: bool = True,
    lang: str = "en",
    prices: PriceBasis = "current",
) -> Figure:
    """Paths against the reference scenario: a row per measure.

    Left, the levels over the years: the reference's path dashed (named "(reference)"),
    every other scenario's as a line, the range over replicates as a band. Right (with
    ``difference``), the paired difference from the reference per year with its 95%
    interval, around a zero line that stands for the reference; its axis is centred on
    zero and at least :func:`~model.viz.style.measure_floor` of the levels wide.

    Args:
        county_yearly: ``county_yearly`` rows of several scenarios and replicates
            (``scenario, replicate, year`` and the measures).
        measures: County measures to draw (labels for those of :data:`PATH_MEASURES`).
        reference: The reference scenario (default: ``baseline`` when present, else the
            first).
        difference: Draw the paired differences too.
        lang: ``"en"`` or ``"zh"``.
        prices: ``current`` or ``constant`` 2023 yuan.
    """
    county_yearly, note = priced(county_yearly, prices, lang)
    frame = with_keys(county_yearly)
    names = scenario_names(frame)
    if reference is None:
        reference = "baseline" if "baseline" in names else names[0]
    colours = scenario_colours(names)
    cols = 2 if difference else 1
    fig, axes = new_figure(
        len(measures), cols, (5.6 * cols + 2.4, 3.3 * len(measures) + 0.6), lang, sharex=True
    )
    diffs = yearly_effects(frame, reference, measures) if difference else None
    ref_label = scenario_label(reference, lang)
    for row, name in enumerate(measures):
        label, unit, scale = _path_heading(name, lang)
        left = axes[row, 0]
        n = lines_over_years(left, frame, name, scale, lang, reference)
        left.set_title(label)
        left.set_ylabel(unit)
        if abs(float(np.nanmax(np.abs(left.get_ylim())))) >= 1000:
            thousands(left)
        if diffs is None:
            continue
        right = axes[row, 1]
        shown = _draw_differences(right, diffs[diffs["measure"] == name], reference, scale, colours)
        right.axhline(0, color=colours[reference], ls="--", lw=1.4)
        floor = measure_floor(frame[name].to_numpy(float) / scale)
        _, half = centre_and_half_width(shown, centre=0.0)
        set_span(right, 0.0, max(half, floor), "y")
        right.set_title(text("difference_per_year", lang, ref=text("reference", lang)))
        right.set_ylabel(unit)
    finish_grid(axes, axes.size, text("year", lang))
    legend_right(fig, axes[0, 0])
    add_title(fig, text("paths_vs_reference_title", lang, ref=ref_label) + note)
    add_note(fig, text("paired_band", lang, n=n) if n > 1 else text("one_replicate", lang))
    return fig


def plot_income_paths(county_yearly: pd.DataFrame, path: Path, lang: str = "en") -> Path:
    """Save :func:`income_paths_figure` (per-capita income by source, stacked) as a PNG."""
    return save_figure(income_paths_figure(county_yearly, lang=lang), path)
