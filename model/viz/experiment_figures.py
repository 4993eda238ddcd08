"""Figures of experiments: scenario comparisons and sensitivity indices.

They take the tables of :func:`model.experiments.compare.compare` and
:func:`model.experiments.sensitivity.sensitivity_indices`; the experiments package itself
draws nothing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from model.experiments.compare import LEVEL, RATIO_MEASURES
from model.viz.labels import MEASURE_NAMES, measure_label, scenario_label, text, unit_label
from model.viz.style import (
    WAN,
    add_note,
    add_title,
    figure_builder,
    finish_grid,
    grid_shape,
    legend_right,
    new_figure,
    scenario_colours,
    thousands,
)


def compare_figure(table: pd.DataFrame, measures: Sequence[str] | None = None) -> Any:
    """One row per measure: means with intervals (left), paired differences (right).

    Args:
        table: From :func:`compare`.
        measures: Which measures to draw (default: all in the table).

    Returns:
        A ``matplotlib.figure.Figure`` (shown inline in a notebook; ``.savefig`` to save).
    """
    from matplotlib.figure import Figure

    names = list(dict.fromkeys(measures or table["measure"]))
    arms = list(dict.fromkeys(table["arm"]))
    ref = table["reference"].iloc[0] if len(table) else ""
    height = 0.35 * len(arms) + 0.9
    fig = Figure(figsize=(11, max(2.5, height * len(names))), layout="constrained")
    axes = fig.subplots(len(names), 2, squeeze=False)
    y = np.arange(len(arms))
    for row, name in enumerate(names):
        part = table[table["measure"] == name].set_index("arm").reindex(arms)
        label = f"{part['label'].dropna().iloc[0]} [{part['unit'].dropna().iloc[0]}]"
        left, right = axes[row]
        _errorbars(left, y, part["mean"], part["ci_low"], part["ci_high"], "tab:blue")
        left.set_title(label, fontsize=9, loc="left")
        is_ratio = part["diff"].isna().all() and name in {m.name for m in RATIO_MEASURES}
        if not is_ratio:
            _errorbars(right, y, part["diff"], part["diff_low"], part["diff_high"], "tab:red")
            right.set_title(f"difference vs {ref} (paired)", fontsize=9, loc="left")
        else:
            left.set_title(f"{label}, vs {ref}", fontsize=9, loc="left")
            right.set_visible(False)
        right.axvline(0, color="grey", lw=0.8)
        for ax in (left, right):
            ax.set_yticks(y, arms if ax is left else [""] * len(arms), fontsize=8)
            ax.invert_yaxis()
            ax.tick_params(axis="x", labelsize=8)
            ax.grid(axis="x", alpha=0.3)
    fig.suptitle(f"Scenario comparison: mean and {int(LEVEL * 100)}% interval", fontsize=11)
    return fig


def _errorbars(
    ax: Any, y: np.ndarray, mid: pd.Series, low: pd.Series, high: pd.Series, color: str
) -> None:
    mid = mid.to_numpy(float)
    err = np.vstack([mid - low.to_numpy(float), high.to_numpy(float) - mid])
    err = np.nan_to_num(err, nan=0.0)
    ax.errorbar(mid, y, xerr=err, fmt="o", color=color, capsize=3, ms=4)


def sensitivity_figure(table: pd.DataFrame) -> Any:
    """Bars of S1 and ST with intervals (Sobol) or mu* against sigma (Morris), per measure.

    Args:
        table: From :func:`sobol_indices` or :func:`morris_indices`.

    Returns:
        A ``matplotlib.figure.Figure``.
    """
    from matplotlib.figure import Figure

    panels = list(table[["scenario", "measure"]].drop_duplicates().itertuples(index=False))
    cols = min(3, max(1, len(panels)))
    rows = math.ceil(len(panels) / cols) if panels else 1
    fig = Figure(figsize=(4.2 * cols, 3.2 * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    sobol = "S1" in table.columns
    for ax, (scenario, measure) in zip(axes, panels, strict=False):
        part = table[(table["scenario"] == scenario) & (table["measure"] == measure)]
        if sobol:
            part = part[~part["parameter"].str.contains(":", regex=False)]
            x = np.arange(len(part))
            for offset, key, color in ((-0.2, "S1", "tab:blue"), (0.2, "ST", "tab:orange")):
                ax.bar(
                    x + offset,
                    part[key].fillna(0),
                    0.4,
                    yerr=part[f"{key}_conf"].fillna(0),
                    label=key,
                    color=color,
                    capsize=3,
                )
            ax.set_xticks(x, [p.rsplit(".", 1)[-1] for p in part["parameter"]], fontsize=8)
            ax.axhline(0, color="grey", lw=0.8)
            ax.legend(fontsize=7)
        else:
            ax.scatter(part["mu_star"], part["sigma"], color="tab:blue")
            for _, row in part.iterrows():
                ax.annotate(
                    row["parameter"].rsplit(".", 1)[-1], (row["mu_star"], row["sigma"]), fontsize=7
                )
            ax.set_xlabel("mu*", fontsize=8)
            ax.set_ylabel("sigma", fontsize=8)
        title = measure if table["scenario"].nunique() == 1 else f"{scenario}: {measure}"
        note = part["note"].iloc[0] if len(part) else ""
        ax.set_title(title + (f"\n({note})" if note else ""), fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in axes[len(panels) :]:
        ax.set_visible(False)
    return fig


@figure_builder
def effects_figure(
    table: pd.DataFrame,
    measures: Sequence[str] | None = None,
    lang: str = "en",
) -> Figure:
    """Paired differences against the reference arm with 95% intervals, a panel per measure.

    Args:
        table: From :func:`model.experiments.compare.compare`.
        measures: Measures to draw (default: per-capita income, collective income summed,
            weak villages lifted, household Gini).
        lang: ``"en"`` or ``"zh"``.
    """
    names = list(
        measures
        or [
            m
            for m in (
                "per_capita_income",
                "collective_income_cum",
                "weak_villages_lifted",
                "gini_household",
            )
            if m in set(table["measure"])
        ]
    )
    reference = str(table["reference"].iloc[0]) if len(table) else ""
    arms = [a for a in dict.fromkeys(table["arm"]) if a != reference]
    rows, cols = grid_shape(len(names), 2)
    height = max(2.6, 0.34 * len(arms) + 1.2)
    fig, axes = new_figure(rows, cols, (6.4 * cols, height * rows + 0.6), lang)
    colours = scenario_colours(arms)
    y = np.arange(len(arms))
    for index, (ax, name) in enumerate(zip(axes.ravel(), names, strict=False)):
        part = table[table["measure"] == name].set_index("arm").reindex(arms)
        mid = part["diff"].to_numpy(float)
        low = part["diff_low"].to_numpy(float)
        high = part["diff_high"].to_numpy(float)
        err = np.nan_to_num(np.vstack([mid - low, high - mid]), nan=0.0)
        scale = WAN if name == "collective_income_cum" else 1.0
        for i, arm in enumerate(arms):
            ax.errorbar(
                mid[i] / scale,
                y[i],
                xerr=err[:, i : i + 1] / scale,
                fmt="o",
                color=colours[arm],
                capsize=3,
                ms=5,
            )
        ax.axvline(0, color="#555555", lw=0.8)
        fallback = part["label"].dropna().iloc[0] if part["label"].notna().any() else name
        unit = part["unit"].dropna().iloc[0] if part["unit"].notna().any() else ""
        unit = unit_label(unit, lang)
        if scale == WAN:
            unit = "万元" if lang == "zh" else "10,000 yuan"
        ax.set_title(measure_label(name, lang, fallback), fontsize=9.5)
        ax.set_xlabel("" if unit == "-" else unit)
        if np.nanmax(np.abs(np.r_[low, high, mid, 0.0]) / scale) >= 1000:
            thousands(ax, "x")
        labels = [scenario_label(a, lang) for a in arms]
        ax.set_yticks(y, labels if index % cols == 0 else [""] * len(arms))
        ax.invert_yaxis()
    for ax in axes.ravel()[len(names) :]:
        ax.set_visible(False)
    add_title(fig, text("effects_title", lang, ref=scenario_label(reference, lang)))
    return fig


def _short(parameter: str) -> str:
    parts = parameter.split(".")
    return ".".join(parts[-2:]) if len(parts) > 1 else parameter


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
    names = list(measures or dict.fromkeys(table["measure"]))
    rows, cols = grid_shape(len(names), 2)
    fig, axes = new_figure(rows, cols, (6.2 * cols, 4.0 * rows + 0.5), lang)
    parameters = list(dict.fromkeys(table["parameter"]))
    palette = scenario_colours([f"_p{i}" for i in range(len(parameters))])
    colour = {p: palette[f"_p{i}"] for i, p in enumerate(parameters)}
    for ax, name in zip(axes.ravel(), names, strict=False):
        part = table[table["measure"] == name]
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
        note = str(part["note"].iloc[0]) if len(part) and part["note"].iloc[0] else ""
        unit = MEASURE_NAMES.get(name)
        title = measure_label(name, lang) if unit else name
        ax.set_title(title + (f"\n({note})" if note else ""), fontsize=9.5)
        ax.set_xlabel(text("mu_star", lang))
        ax.set_ylabel(text("sigma", lang))
        ax.set_xlim(left=0)
        ax.set_ylim(bottom=0)
    for ax in axes.ravel()[len(names) :]:
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
    colours = scenario_colours([f"_m{i}" for i in range(len(measures))])
    for i, measure in enumerate(measures):
        ax.barh(
            y + (i - (len(measures) - 1) / 2) * width,
            ranking[measure].fillna(0).to_numpy(float),
            height=width,
            color=colours[f"_m{i}"],
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

    Args:
        table: From :func:`model.experiments.sensitivity.sobol_indices`.
        measures: Measures to draw (default: all in the table).
        lang: ``"en"`` or ``"zh"``.
    """
    frame = table[~table["parameter"].astype(str).str.contains(":", regex=False)]
    names = list(measures or dict.fromkeys(frame["measure"]))
    parameters = list(dict.fromkeys(frame["parameter"]))
    rows, cols = grid_shape(len(names), 2)
    height = 0.5 * len(parameters) + 1.3
    fig, axes = new_figure(rows, cols, (6.4 * cols, height * rows + 0.6), lang, sharex=True)
    y = np.arange(len(parameters))
    for index, (ax, name) in enumerate(zip(axes.ravel(), names, strict=False)):
        part = frame[frame["measure"] == name].set_index("parameter").reindex(parameters)
        for offset, key, colour, label in (
            (-0.2, "S1", "#4c72b0", text("s1", lang)),
            (0.2, "ST", "#dd8452", text("st", lang)),
        ):
            ax.barh(
                y + offset,
                part[key].fillna(0).to_numpy(float),
                0.4,
                xerr=part[f"{key}_conf"].fillna(0).to_numpy(float),
                color=colour,
                capsize=3,
                label=label,
            )
        labels = [_short(p) for p in parameters]
        ax.set_yticks(y, labels if index % cols == 0 else [""] * len(parameters))
        ax.invert_yaxis()
        ax.axvline(0, color="#555555", lw=0.8)
        ax.axvline(1, color="#999999", lw=0.6, ls=":")
        notes = part["note"].dropna()
        note = str(notes.iloc[0]) if len(notes) and notes.iloc[0] else ""
        ax.set_title(measure_label(name, lang) + (f"\n({note})" if note else ""), fontsize=9.5)
    finish_grid(axes, len(names), text("sobol_axis", lang))
    legend_right(fig, axes.ravel()[0])
    add_title(fig, text("sobol_title", lang))
    return fig
