"""The figures of a run: collective income, weak villages, and gains by alliance mode.

Tables are the runner's (:mod:`model.runner`): ``county_yearly`` and ``village_yearly`` rows
of one or several scenarios and replicates. Several replicates are shown as their mean with
the range over replicates; several scenarios as one line (or panel) each. Each ``*_figure``
function returns the figure; each ``plot_*`` function draws one and saves it as a PNG. All
take a ``lang`` argument: ``"en"`` (default) or ``"zh"`` (see :mod:`model.viz.style`).
Income by source is drawn by :mod:`model.viz.income_figures`.

Example (a notebook)::

    from model.viz import figures, style
    fig = figures.weak_villages_figure(county_yearly, lang="zh")
    style.show(fig)                      # an inline PNG
    figures.plot_weak_villages(county_yearly, Path("results/weak.png"))
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from model.experiments.arms import with_keys
from model.experiments.price_basis import in_prices
from model.mechanisms.prices import PriceBasis
from model.viz.labels import mode_label, scenario_label, text
from model.viz.palettes import (
    MODE_COLOURS,
    NOT_ALLIED_COLOUR,
    OKABE_ITO,
    WEAK_BAR_COLOUR,
    scenario_colours,
)
from model.viz.style import (
    WAN,
    WEAK_BAR,
    add_note,
    add_title,
    figure_builder,
    finish_grid,
    grid_shape,
    integer_years,
    legend_right,
    new_figure,
    save_figure,
)

# --------------------------------------------------------------------------------------
# Helpers


def scenario_names(table: pd.DataFrame) -> list[str]:
    """The scenarios of a table in order of appearance (``[""]`` without the column)."""
    if "scenario" not in table.columns:
        return [""]
    return [str(s) for s in dict.fromkeys(table["scenario"])]


def _stats(table: pd.DataFrame, column: str) -> pd.DataFrame:
    """Mean, min, max and replicate count of a column per scenario and year."""
    frame = with_keys(table)
    grouped = frame.groupby(["scenario", "year"], sort=False)[column]
    out = grouped.agg(["mean", "min", "max"])
    out["n"] = frame.groupby(["scenario", "year"], sort=False)["replicate"].nunique()
    return out.reset_index()


def _line_style(name: str, reference: str | None = None) -> dict[str, Any]:
    """Dashed for the reference (the baseline when none is named), bold for the programme."""
    if name == (reference or "baseline"):
        return {"ls": "--", "lw": 1.8}
    if name in ("anqiu_2023", "anqiu"):
        return {"ls": "-", "lw": 2.6}
    return {"ls": "-", "lw": 1.6}


def lines_over_years(
    ax: Axes,
    table: pd.DataFrame,
    column: str,
    scale: float = 1.0,
    lang: str = "en",
    reference: str | None = None,
) -> int:
    """One line per scenario (mean over replicates) and a band (range) on one axis.

    Args:
        ax: The axes.
        table: ``county_yearly`` rows of one or several scenarios and replicates.
        column: The measure.
        scale: Values are divided by this (yuan to 10,000 yuan).
        lang: ``"en"`` or ``"zh"``.
        reference: The reference scenario: drawn dashed and named "(reference)".

    Returns:
        The largest number of replicates of a scenario.
    """
    stats = _stats(table, column)
    colours = scenario_colours(scenario_names(table))
    most = 1
    for name, part in stats.groupby("scenario", sort=False):
        colour = colours[str(name)]
        years = part["year"].to_numpy()
        label = scenario_label(str(name), lang)
        if reference is not None and str(name) == reference:
            label = text("reference_suffix", lang, name=label)
        ax.plot(
            years,
            part["mean"] / scale,
            color=colour,
            label=label,
            marker="o",
            ms=3,
            **_line_style(str(name), reference),
        )
        if part["n"].max() > 1:
            ax.fill_between(
                years, part["min"] / scale, part["max"] / scale, color=colour, alpha=0.12, lw=0
            )
        most = max(most, int(part["n"].max()))
    integer_years(ax)
    return most


# --------------------------------------------------------------------------------------
# Figures over the years (county_yearly)


def priced(county_yearly: pd.DataFrame, prices: PriceBasis, lang: str) -> tuple[pd.DataFrame, str]:
    """The rows in the chosen prices and what a title adds to say so (nothing for current)."""
    note = text("in_constant_prices", lang) if prices == "constant" else ""
    return in_prices(county_yearly, prices), note


@figure_builder
def collective_paths_figure(
    county_yearly: pd.DataFrame, lang: str = "en", prices: PriceBasis = "current"
) -> Figure:
    """Village collective income over the years: mean and median village, per scenario
    (``prices``: current or constant 2023 yuan; the weak bar is drawn at its nominal 100k)."""
    county_yearly, note = priced(county_yearly, prices, lang)
    fig, axes = new_figure(1, 2, (11.5, 4.2), lang, sharex=True)
    left, right = axes[0]
    n = lines_over_years(left, county_yearly, "collective_income_mean", WAN, lang)
    lines_over_years(right, county_yearly, "collective_income_median", WAN, lang)
    left.set_title(text("collective_mean", lang))
    right.set_title(text("collective_median", lang))
    for ax in (left, right):
        ax.set_xlabel(text("year", lang))
        ax.set_ylabel(text("wan_yr_village", lang))
        ax.axhline(WEAK_BAR / WAN, color=WEAK_BAR_COLOUR, lw=0.9, ls=":")
    right.text(
        right.get_xlim()[1],
        WEAK_BAR / WAN,
        text("weak_bar", lang) + " ",
        color=WEAK_BAR_COLOUR,
        fontsize=7.5,
        ha="right",
        va="top",
    )
    legend_right(fig, left)
    add_title(fig, text("collective_paths_title", lang) + note)
    if n > 1:
        add_note(fig, text("range_reps", lang, n=n))
    return fig


@figure_builder
def weak_villages_figure(
    county_yearly: pd.DataFrame, lang: str = "en", reference: str | None = None
) -> Figure:
    """Number of weak villages (collective income below 100k yuan) over the years.

    Every scenario (arm) is a line on the one axis, the reference dashed.

    Args:
        county_yearly: ``county_yearly`` rows of one or several scenarios and replicates.
        lang: ``"en"`` or ``"zh"``.
        reference: The reference scenario, named "(reference)" (default: none named; the
            baseline is dashed).
    """
    fig, axes = new_figure(1, 1, (8.6, 4.2), lang)
    ax = axes[0, 0]
    n = lines_over_years(ax, county_yearly, "weak_villages", 1.0, lang, reference)
    ax.set_xlabel(text("year", lang))
    ax.set_ylabel(text("weak_villages", lang) + f" ({text('villages', lang)})")
    ax.set_ylim(bottom=0)
    legend_right(fig, ax)
    add_title(fig, text("weak_villages_long", lang))
    if n > 1:
        add_note(fig, text("range_reps", lang, n=n))
    return fig


# --------------------------------------------------------------------------------------
# Distribution over villages (village_yearly)


@figure_builder
def collective_distribution_figure(village_yearly: pd.DataFrame, lang: str = "en") -> Figure:
    """Distribution of village collective income in year 0 and the last year.

    Year 0 is the county as built, before any step (the same in every scenario of a
    county), so the panels differ only in what the scenarios did. One panel per scenario
    (replicates pooled), log-spaced bins, share of villages per bin, and the 100,000-yuan
    weak-village bar.
    """
    frame = with_keys(village_yearly)
    names = scenario_names(frame)
    rows, cols = grid_shape(len(names))
    fig, axes = new_figure(
        rows, cols, (3.9 * cols + 2.2, 2.9 * rows + 0.7), lang, sharex=True, sharey=True
    )
    values = frame["collective_income"].to_numpy(float) / WAN
    # Lower values (down to zero or below) are drawn in the first bin.
    floor = max(0.1, float(np.nanpercentile(values, 0.5)) / 1.5) if len(values) else 0.1
    top = max(float(np.nanmax(values)) if len(values) else 1.0, floor * 10)
    bins = np.geomspace(floor, top * 1.01, 32)
    first_year, last_year = int(frame["year"].min()), int(frame["year"].max())
    shades = {first_year: OKABE_ITO[1], last_year: OKABE_ITO[4]}
    for ax, name in zip(axes.ravel(), names, strict=False):
        mine = frame[frame["scenario"] == name]
        for year in dict.fromkeys((first_year, last_year)):
            data = mine.loc[mine["year"] == year, "collective_income"].to_numpy(float)
            if not len(data):
                continue
            weights = np.full(len(data), 100.0 / len(data))
            share = 100.0 * float(np.mean(data < WEAK_BAR))
            ax.hist(
                np.clip(data / WAN, floor, None),
                bins=bins,
                weights=weights,
                histtype="stepfilled" if year == first_year else "step",
                color=shades[year],
                alpha=0.75 if year == first_year else 1.0,
                lw=1.8,
                label=text("weak_share", lang, year=year, share=share),
            )
        ax.axvline(
            WEAK_BAR / WAN, color=WEAK_BAR_COLOUR, lw=1.2, ls="--", label=text("weak_bar", lang)
        )
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:,.4g}"))
        ax.set_title(scenario_label(name, lang) if name else "")
        ax.legend(loc="best", fontsize=7.5)
    for ax in axes[:, 0]:
        ax.set_ylabel(text("share_villages", lang))
    finish_grid(axes, len(names), text("collective_income", lang) + f" ({text('wan_yr', lang)})")
    add_title(fig, text("distribution_title", lang))
    return fig


@figure_builder
def mode_gains_figure(
    gains: pd.DataFrame, value: str = "gain", lang: str = "en", year: int | None = None
) -> Figure:
    """Gain per village by alliance mode (box per mode, non-allied villages last).

    Args:
        gains: One row per village: ``mode`` ("" when not allied) and the ``value`` column
            (yuan per year).
        value: The column to draw.
        lang: ``"en"`` or ``"zh"``.
        year: The year, for the title.
    """
    groups = [m for m in MODE_COLOURS if (gains["mode"] == m).any()]
    data = [gains.loc[gains["mode"] == m, value].to_numpy(float) / WAN for m in groups]
    labels = [mode_label(m, lang) for m in groups]
    colours = [MODE_COLOURS[m] for m in groups]
    others = gains.loc[gains["mode"].fillna("") == "", value].to_numpy(float) / WAN
    if len(others):
        data.append(others)
        labels.append(text("non_allied", lang))
        colours.append(NOT_ALLIED_COLOUR)
    fig, axes = new_figure(1, 1, (8.8, 4.2), lang)
    ax = axes[0, 0]
    if data:
        parts = ax.boxplot(
            data,
            tick_labels=labels,
            patch_artist=True,
            showfliers=False,
            medianprops={"color": "black", "lw": 1.5},
        )
        for patch, colour in zip(parts["boxes"], colours, strict=True):
            patch.set_facecolor(colour)
            patch.set_alpha(0.55)
        for i, values in enumerate(data, start=1):
            ax.scatter(
                np.full(len(values), i) + np.linspace(-0.12, 0.12, len(values)),
                values,
                s=5,
                color="#333333",
                alpha=0.35,
                zorder=3,
            )
    ax.axhline(0, color="#555555", lw=0.8)
    ax.set_ylabel(text("gain_axis", lang))
    ax.grid(axis="x", visible=False)
    add_title(fig, text("mode_gain_title", lang, year=year if year is not None else ""))
    return fig


# --------------------------------------------------------------------------------------
# The figures of the ``run`` command


def plot_collective_distribution(
    village_yearly: pd.DataFrame, path: Path, lang: str = "en"
) -> Path:
    """Save :func:`collective_distribution_figure` (first vs last year, weak bar) as a PNG."""
    return save_figure(collective_distribution_figure(village_yearly, lang=lang), path)


def plot_weak_villages(county_yearly: pd.DataFrame, path: Path, lang: str = "en") -> Path:
    """Save :func:`weak_villages_figure` as a PNG."""
    return save_figure(weak_villages_figure(county_yearly, lang=lang), path)
