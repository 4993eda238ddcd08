"""Figures of experiments: scenario comparisons and sensitivity indices, in the shared style.

They take the tables of :func:`model.experiments.compare.compare` and of
:mod:`model.experiments.sensitivity` (the experiments package itself draws nothing); names
and units of measures come from :mod:`model.experiments.measures`, and every figure takes
``lang="en"`` or ``"zh"``.

- :func:`compare_figure`: means with intervals and paired differences, a row per measure
  (``jointvillage compare`` writes it as ``compare.png``).
- :func:`effects_figure`: the paired differences alone, a panel per measure.
- :func:`sensitivity_figure`: :func:`sobol_figure` or :func:`morris_figure`, whichever the
  table holds (``jointvillage sensitivity`` writes it as ``sensitivity.png``);
  :func:`morris_ranking_figure` ranks the parameters over several measures.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from model.experiments.intervals import LEVEL
from model.experiments.measures import RATIO_MEASURES, REFERENCE_MEASURES
from model.viz.labels import first_text, measure_heading, measure_label, scenario_label, text
from model.viz.palettes import OKABE_ITO, palette, scenario_colours
from model.viz.style import (
    EFFECT_FLOOR_SHARE,
    add_note,
    add_title,
    centre_and_half_width,
    figure_builder,
    finish_grid,
    grid_shape,
    legend_right,
    level_and_effect_spans,
    measure_floor,
    new_figure,
    set_span,
)
from model.viz.sweep_figures import sweep_figure, swept_parameter

#: Measures drawn by :func:`effects_figure` unless told otherwise (those in the table).
EFFECT_MEASURES = (
    "per_capita_income",
    "collective_income_cum",
    "weak_villages_lifted",
    "gini_household",
)
#: Columns of a comparison table that hold levels, and paired differences.
LEVEL_COLUMNS = ("mean", "ci_low", "ci_high")
DIFF_COLUMNS = ("diff", "diff_low", "diff_high")
#: Colours of the Sobol indices (Okabe-Ito blue and orange).
S1_COLOUR, ST_COLOUR = OKABE_ITO[4], OKABE_ITO[0]


# --------------------------------------------------------------------------------------
# Comparisons


def _arm_intervals(
    ax: Axes, part: pd.DataFrame, arms: Sequence[str], columns: Sequence[str], scale: float
) -> None:
    """A point with its interval per arm, in the arm's colour (NaN intervals are left out)."""
    mid, low, high = (part[c].to_numpy(float) / scale for c in columns)
    err = np.nan_to_num(np.vstack([mid - low, high - mid]), nan=0.0)
    colours = scenario_colours(arms)
    for i, arm in enumerate(arms):
        ax.errorbar(mid[i], i, xerr=err[:, i : i + 1], fmt="o", color=colours[arm], capsize=3, ms=5)


def _arm_ticks(ax: Axes, arms: Sequence[str], lang: str, labelled: bool = True) -> None:
    labels = [scenario_label(a, lang) for a in arms] if labelled else [""] * len(arms)
    ax.set_yticks(np.arange(len(arms)), labels)
    ax.set_ylim(len(arms) - 0.5, -0.5)  # the first arm on top


def _shown(part: pd.DataFrame, columns: Sequence[str], scale: float) -> np.ndarray:
    """The values of some columns of a measure's rows, in display units."""
    return np.concatenate([part[c].to_numpy(float) / scale for c in columns])


def measure_spans(part: pd.DataFrame, scale: float) -> tuple[float, float, float]:
    """The honest axes of one measure's rows of a comparison table (see
    :func:`~model.viz.style.level_and_effect_spans`)."""
    return level_and_effect_spans(
        _shown(part, LEVEL_COLUMNS, scale),
        _shown(part, DIFF_COLUMNS, scale),
        part["mean"].to_numpy(float) / scale,
    )


@figure_builder
def compare_figure(
    table: pd.DataFrame, measures: Sequence[str] | None = None, lang: str = "en"
) -> Figure:
    """One row per measure: means with intervals (left), paired differences (right).

    The two panels of a measure share their width in the measure's units (see
    :func:`measure_spans`). A sweep (the arms of a scenario differ in one ``param:*``
    column) is drawn over the swept value instead
    (:func:`model.viz.sweep_figures.sweep_figure`).

    Args:
        table: From :func:`model.experiments.compare.compare`.
        measures: Which measures to draw (default: all in the table).
        lang: ``"en"`` or ``"zh"``.
    """
    if swept_parameter(table) is not None:
        return sweep_figure(table, measures, lang=lang)
    names = list(dict.fromkeys(measures or table["measure"]))
    arms = [str(a) for a in dict.fromkeys(table["arm"])]
    reference = scenario_label(str(table["reference"].iloc[0]) if len(table) else "", lang)
    against = {m.name for m in [*RATIO_MEASURES, *REFERENCE_MEASURES]}
    height = max(2.4, (0.3 * len(arms) + 1.0) * len(names) + 0.6)
    fig, axes = new_figure(len(names), 2, (12.0, height), lang)
    for row, name in enumerate(names):
        part = table[table["measure"] == name].set_index("arm").reindex(arms)
        label, unit, scale = measure_heading(name, part, lang)
        left, right = axes[row]
        _arm_intervals(left, part, arms, LEVEL_COLUMNS, scale)
        centre, half, _ = measure_spans(part, scale)
        set_span(left, centre, half)
        heading = f"{label} [{unit}]" if unit else label
        if part["diff"].isna().all() and name in against:
            left.set_title(text("vs_reference", lang, what=heading, ref=reference))
            right.set_visible(False)
        else:
            _arm_intervals(right, part, arms, DIFF_COLUMNS, scale)
            set_span(right, 0.0, half)
            left.set_title(heading)
            right.set_title(text("paired_difference", lang, ref=reference))
        right.axvline(0, color="#555555", lw=0.8)
        _arm_ticks(left, arms, lang)
        _arm_ticks(right, arms, lang, labelled=False)
    add_title(fig, text("compare_title", lang, level=round(LEVEL * 100)))
    add_note(fig, text("honest_axes_note", lang, share=round(100 * EFFECT_FLOOR_SHARE)))
    return fig


@figure_builder
def effects_figure(
    table: pd.DataFrame, measures: Sequence[str] | None = None, lang: str = "en"
) -> Figure:
    """Paired differences against the reference arm with 95% intervals, a panel per measure.

    Every arm's effect on a measure is on the one axis of that measure's panel, centred on
    zero and never narrower than :func:`~model.viz.style.measure_floor` of the measure's
    levels (all arms, the reference included).

    Args:
        table: From :func:`model.experiments.compare.compare`.
        measures: Measures to draw (default: those of :data:`EFFECT_MEASURES` in the table).
        lang: ``"en"`` or ``"zh"``.
    """
    present = set(table["measure"])
    names = list(measures or [m for m in EFFECT_MEASURES if m in present])
    reference = str(table["reference"].iloc[0]) if len(table) else ""
    arms = [str(a) for a in dict.fromkeys(table["arm"]) if a != reference]
    rows, cols = grid_shape(len(names), 2)
    height = max(2.6, 0.34 * len(arms) + 1.2)
    fig, axes = new_figure(rows, cols, (6.4 * cols, height * rows + 0.6), lang)
    for index, (ax, name) in enumerate(zip(axes.ravel(), names, strict=False)):
        every_arm = table[table["measure"] == name]
        part = every_arm.set_index("arm").reindex(arms)
        label, unit, scale = measure_heading(name, part, lang)
        _arm_intervals(ax, part, arms, DIFF_COLUMNS, scale)
        floor = measure_floor(every_arm["mean"].to_numpy(float) / scale)
        _, half = centre_and_half_width(_shown(part, DIFF_COLUMNS, scale), centre=0.0)
        set_span(ax, 0.0, max(half, floor))
        ax.axvline(0, color="#555555", lw=0.8)
        ax.set_title(label, fontsize=9.5)
        ax.set_xlabel(unit)
        _arm_ticks(ax, arms, lang, labelled=index % cols == 0)
    for ax in axes.ravel()[len(names) :]:
        ax.set_visible(False)
    add_title(fig, text("effects_title", lang, ref=scenario_label(reference, lang)))
    add_note(fig, text("honest_axes_note", lang, share=round(100 * EFFECT_FLOOR_SHARE)))
    return fig


# --------------------------------------------------------------------------------------
# Sensitivity


def _short(parameter: str) -> str:
    """A dotted parameter by its last two parts (``land_pooling.rent``)."""
    parts = str(parameter).split(".")
    return ".".join(parts[-2:]) if len(parts) > 1 else str(parameter)


def _panels(
    table: pd.DataFrame, measures: Sequence[str] | None
) -> list[tuple[str, str, pd.DataFrame]]:
    """(scenario, measure, rows) per panel: a panel per measure, per scenario if several."""
    names = list(measures or dict.fromkeys(table["measure"]))
    if "scenario" in table.columns:
        groups = [(str(s), part) for s, part in table.groupby("scenario", sort=False)]
    else:
        groups = [("", table)]
    return [(s, name, part[part["measure"] == name]) for s, part in groups for name in names]


def _panel_title(scenario: str, name: str, part: pd.DataFrame, several: bool, lang: str) -> str:
    title = measure_label(name, lang)
    if several:
        title = f"{scenario_label(scenario, lang)}: {title}"
    note = first_text(part, "note")
    return title + (f"\n({note})" if note else "")


def sensitivity_figure(
    table: pd.DataFrame, measures: Sequence[str] | None = None, lang: str = "en"
) -> Figure:
    """Sobol indices (:func:`sobol_figure`) or Morris screening (:func:`morris_figure`).

    Args:
        table: From :func:`model.experiments.sensitivity.sobol_indices` or
            :func:`~model.experiments.sensitivity.morris_indices`.
        measures: Measures to draw (default: all in the table).
        lang: ``"en"`` or ``"zh"``.
    """
    draw = sobol_figure if "S1" in table.columns else morris_figure
    return draw(table, measures, lang=lang)


@figure_builder
def morris_figure(
    table: pd.DataFrame, measures: Sequence[str] | None = None, lang: str = "en"
) -> Figure:
    """Morris screening: mu* against sigma per measure (top right = important, non-linear).

    Args:
        table: From :func:`model.experiments.sensitivity.morris_indices`.
        measures: Measures to draw (default: all in the table).
        lang: ``"en"`` or ``"zh"``.
    """
    panels = _panels(table, measures)
    several = len({scenario for scenario, _, _ in panels}) > 1
    rows, cols = grid_shape(len(panels), 2)
    fig, axes = new_figure(rows, cols, (6.2 * cols, 4.0 * rows + 0.5), lang)
    parameters = list(dict.fromkeys(table["parameter"]))
    colour = dict(zip(parameters, palette(len(parameters)), strict=True))
    for ax, (scenario, name, part) in zip(axes.ravel(), panels, strict=False):
        top_mu = float(part["mu_star"].max()) if part["mu_star"].notna().any() else 0.0
        top_sigma = float(part["sigma"].max()) if part["sigma"].notna().any() else 0.0
        for row in part.itertuples(index=False):
            ax.scatter(row.mu_star, row.sigma, color=colour[row.parameter], s=36, zorder=3)
            notable = row.mu_star >= 0.1 * top_mu or row.sigma >= 0.1 * top_sigma
            if notable and not (math.isnan(row.mu_star) or math.isnan(row.sigma)):
                ax.annotate(
                    _short(row.parameter),
                    (row.mu_star, row.sigma),
                    fontsize=7,
                    xytext=(3, 3),
                    textcoords="offset points",
                )
        ax.set_title(_panel_title(scenario, name, part, several, lang), fontsize=9.5)
        ax.set_xlabel(text("mu_star", lang))
        ax.set_ylabel(text("sigma", lang))
        ax.set_xlim(left=0)
        ax.set_ylim(bottom=0)
    for ax in axes.ravel()[len(panels) :]:
        ax.set_visible(False)
    add_note(fig, text("morris_note", lang))
    add_title(fig, text("morris_title", lang))
    return fig


@figure_builder
def morris_ranking_figure(ranking: pd.DataFrame, lang: str = "en") -> Figure:
    """Bars of normalised mu* per parameter, a colour per measure, sorted by their mean.

    Args:
        ranking: One row per parameter, one column per measure (mu* / largest mu* of the
            measure), index = parameter; sorted as it should be drawn (most important first).
        lang: ``"en"`` or ``"zh"``.
    """
    measures = list(ranking.columns)
    fig, axes = new_figure(1, 1, (9.5, 0.45 * len(ranking) + 1.6), lang)
    ax = axes[0, 0]
    y = np.arange(len(ranking))
    width = 0.8 / max(len(measures), 1)
    for i, (measure, colour) in enumerate(zip(measures, palette(len(measures)), strict=True)):
        ax.barh(
            y + (i - (len(measures) - 1) / 2) * width,
            ranking[measure].fillna(0).to_numpy(float),
            height=width,
            color=colour,
            label=measure_label(measure, lang),
        )
    ax.set_yticks(y, [_short(p) for p in ranking.index])
    ax.invert_yaxis()
    ax.set_xlabel(text("normalised_mu_star", lang))
    ax.set_xlim(0, 1.05)
    legend_right(fig, ax)
    add_title(fig, text("morris_title", lang))
    return fig


@figure_builder
def sobol_figure(
    table: pd.DataFrame, measures: Sequence[str] | None = None, lang: str = "en"
) -> Figure:
    """Sobol first-order and total indices with 95% intervals, a panel per measure.

    Second-order rows (parameter ``a:b``) are left out.

    Args:
        table: From :func:`model.experiments.sensitivity.sobol_indices`.
        measures: Measures to draw (default: all in the table).
        lang: ``"en"`` or ``"zh"``.
    """
    frame = table[~table["parameter"].astype(str).str.contains(":", regex=False)]
    panels = _panels(frame, measures)
    several = len({scenario for scenario, _, _ in panels}) > 1
    parameters = list(dict.fromkeys(frame["parameter"]))
    rows, cols = grid_shape(len(panels), 2)
    height = 0.5 * len(parameters) + 1.3
    fig, axes = new_figure(rows, cols, (6.4 * cols, height * rows + 0.6), lang, sharex=True)
    y = np.arange(len(parameters))
    for index, (ax, (scenario, name, found)) in enumerate(zip(axes.ravel(), panels, strict=False)):
        part = found.set_index("parameter").reindex(parameters)
        for offset, key, colour in ((-0.2, "S1", S1_COLOUR), (0.2, "ST", ST_COLOUR)):
            ax.barh(
                y + offset,
                part[key].fillna(0).to_numpy(float),
                0.4,
                xerr=part[f"{key}_conf"].fillna(0).to_numpy(float),
                color=colour,
                capsize=3,
                label=text(key.lower(), lang),
            )
        labels = [_short(p) for p in parameters]
        ax.set_yticks(y, labels if index % cols == 0 else [""] * len(parameters))
        ax.invert_yaxis()
        ax.axvline(0, color="#555555", lw=0.8)
        ax.axvline(1, color="#999999", lw=0.6, ls=":")
        ax.set_title(_panel_title(scenario, name, found, several, lang), fontsize=9.5)
    finish_grid(axes, len(panels), text("sobol_axis", lang))
    legend_right(fig, axes.ravel()[0])
    add_title(fig, text("sobol_title", lang))
    return fig
