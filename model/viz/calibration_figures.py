"""Pair plot of a calibration's posterior: histograms on the diagonal, pairs below it.

Every axis spans the parameter's prior range, so the plot shows how far the targets narrow
each parameter down (a histogram as wide as its panel: the targets say nothing about it);
the calibrated point is marked in red.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from model.viz.style import add_note, add_title, figure_builder, new_figure


def _short(name: str) -> str:
    return name.rsplit(".", 1)[-1]


@figure_builder
def pair_plot(
    posterior: pd.DataFrame,
    ranges: dict[str, tuple[float, float]],
    best: dict[str, float] | None = None,
    title: str = "Posterior sample",
    lang: str = "en",
) -> Figure:
    """The posterior's pair plot over the priors' ranges.

    Args:
        posterior: One row per draw, one column per parameter.
        ranges: Parameter -> prior ``(min, max)`` (the axes' limits).
        best: The calibrated point, marked on every panel.
        title: The figure's title.
        lang: Language of the labels (only English names are used: parameters are paths).
    """
    names = list(posterior.columns)
    size = len(names)
    fig, axes = new_figure(size, size, figsize=(2.3 * size + 1.0, 2.3 * size + 0.6))
    for i, row_name in enumerate(names):
        for j, col_name in enumerate(names):
            ax = axes[i, j]
            if j > i:
                ax.set_axis_off()
                continue
            x = posterior[col_name].to_numpy(float)
            if i == j:
                ax.hist(x, bins=30, range=ranges[col_name], color="#4477aa", alpha=0.8)
                ax.set_yticks([])
            else:
                ax.scatter(x, posterior[row_name].to_numpy(float), s=4, alpha=0.3, color="#4477aa")
                ax.set_ylim(*ranges[row_name])
                if best is not None:
                    ax.plot(best[col_name], best[row_name], "o", color="#cc3311", ms=5)
            ax.set_xlim(*ranges[col_name])
            if best is not None and i == j:
                ax.axvline(best[col_name], color="#cc3311", lw=1)
            if i == size - 1:
                ax.set_xlabel(_short(col_name), fontsize=8)
            if j == 0 and i > 0:
                ax.set_ylabel(_short(row_name), fontsize=8)
            ax.tick_params(labelsize=7)
    add_title(fig, title)
    add_note(
        fig,
        f"{len(posterior)} draws; axes span the priors; red: calibrated point. "
        + "; ".join(f"{_short(n)} = {n}" for n in names if _short(n) != n),
    )
    return fig
