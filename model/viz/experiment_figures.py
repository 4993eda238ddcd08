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

from model.experiments.compare import LEVEL
from model.experiments.measures import RATIO_MEASURES


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
