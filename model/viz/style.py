"""The project's one figure style: rcParams, fonts, the figure helpers and honest axes.

Every figure is a :class:`matplotlib.figure.Figure` drawn on an Agg canvas: no pyplot
state, no display needed, safe to draw from the app's threads. Figure functions decorated
with :func:`figure_builder` take a ``lang`` argument: ``"en"`` (default) or ``"zh"``.

Chinese labels need a CJK font. :func:`find_cjk_font` looks for one among the installed
fonts (matplotlib's font cache may predate the font: the system font folders are searched
too); ``scripts/setup_system.sh`` installs ``fonts-noto-cjk``. Without one, ``lang="zh"``
warns once and draws English labels rather than empty boxes.

Colours are declared in :mod:`model.viz.palettes`. Axes never show an offset ("+1e9") or a
scientific multiplier; values are drawn in display units (10,000 yuan), and an effect's axis
is never zoomed below :data:`EFFECT_FLOOR_SHARE` of its measure's own scale
(:func:`measure_floor`, :func:`centre_and_half_width`, :func:`set_span`), so that a
difference of -0.0002 yuan does not look like an effect.
"""

from __future__ import annotations

import contextlib
import functools
import io
import math
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib import font_manager, rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from model.atomic import atomic_write
from model.viz.languages import LANGS

#: The usual Shandong bar of a weak village (collective income per year, yuan).
WEAK_BAR = 100_000.0
#: Yuan per display unit of collective income (万元 = 10,000 yuan).
WAN = 10_000.0
#: An axis of a measure's levels or effects spans at least this share of the measure's own
#: scale (the largest absolute mean of any arm) either side of its centre.
EFFECT_FLOOR_SHARE = 0.05

#: The shared style (matplotlib rcParams), applied while a figure is built and drawn.
RC_PARAMS: dict[str, Any] = {
    "figure.dpi": 100,
    "savefig.dpi": 130,
    "savefig.bbox": "tight",
    "savefig.facecolor": "white",
    "figure.facecolor": "white",
    "font.size": 9.5,
    "axes.titlesize": 10.5,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 9.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.alpha": 0.35,
    "grid.color": "#BBBBBB",  # a declared neutral (model.viz.palettes)
    "grid.linewidth": 0.6,
    "xtick.labelsize": 8.5,
    "ytick.labelsize": 8.5,
    "legend.fontsize": 8.5,
    "legend.frameon": False,
    "legend.title_fontsize": 8.5,
    "figure.titlesize": 12.5,
    "figure.titleweight": "bold",
    "lines.linewidth": 1.8,
    "axes.unicode_minus": False,  # CJK fonts often lack U+2212
    # No offset text ("+1e9") and no scientific multipliers ("1e-5") on the axes: values are
    # shown in display units (10,000 yuan) on honest limits instead.
    "axes.formatter.useoffset": False,
    "axes.formatter.limits": (-9, 12),
}

# --------------------------------------------------------------------------------------
# Fonts and languages

#: Fonts that cover Chinese, in order of preference (family names).
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Noto Sans CJK JP",
    "Noto Sans CJK TC",
    "Noto Serif CJK SC",
    "Noto Serif CJK JP",
    "Droid Sans Fallback",
    "AR PL UMing CN",
    "AR PL UKai CN",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
)
#: Pieces of font file names that hint at CJK coverage (lower case, no separators).
_CJK_FILE_HINTS = (
    "notosanscjk",
    "notoserifcjk",
    "notosanssc",
    "sourcehansans",
    "wqy",
    "droidsansfallback",
    "uming",
    "ukai",
    "simhei",
    "msyh",
    "pingfang",
)


@functools.cache
def find_cjk_font() -> str | None:
    """The family name of an installed font that covers Chinese, or ``None``.

    Looks in matplotlib's font list first; since that list is cached and may predate the
    font's installation, then adds the system fonts whose file names hint at CJK coverage.
    """
    known = {entry.name for entry in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in known:
            return family
    for path in font_manager.findSystemFonts():
        squashed = Path(path).name.lower().replace("-", "").replace("_", "").replace(" ", "")
        if any(hint in squashed for hint in _CJK_FILE_HINTS):
            with contextlib.suppress(Exception):  # an unreadable font file is skipped
                font_manager.fontManager.addfont(path)
    known = {entry.name for entry in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in known:
            return family
    loose = sorted(name for name in known if "CJK" in name or "Hei" in name)
    return loose[0] if loose else None


def resolve_lang(lang: str) -> str:
    """The language to draw in: ``lang``, or ``"en"`` (with a warning) without a CJK font.

    Raises:
        ValueError: For a language other than ``"en"`` and ``"zh"``.
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    if lang == "zh" and find_cjk_font() is None:
        _warn_no_cjk()
        return "en"
    return lang


@functools.cache
def _warn_no_cjk() -> None:
    """Warn once per process that Chinese labels fall back to English."""
    warnings.warn(
        "No CJK font found, so Chinese labels cannot be drawn; drawing English labels instead. "
        "Install one with scripts/setup_system.sh (Debian: apt-get install fonts-noto-cjk).",
        UserWarning,
        stacklevel=4,
    )


# --------------------------------------------------------------------------------------
# Figures


def rc_params(lang: str = "en") -> dict[str, Any]:
    """The rcParams of the shared style for a language (the CJK font first for ``zh``)."""
    params = dict(RC_PARAMS)
    if lang == "zh":
        family = find_cjk_font()
        if family is not None:
            # A concrete family (not "sans-serif"), so that texts keep it wherever drawn.
            params["font.family"] = [family, "DejaVu Sans"]
    return params


def new_figure(
    nrows: int = 1,
    ncols: int = 1,
    figsize: tuple[float, float] = (8.0, 4.5),
    lang: str = "en",
    **subplot_kw: Any,
) -> tuple[Figure, np.ndarray]:
    """A styled figure on an Agg canvas and its axes (always a 2-D array)."""
    with rc_context(rc_params(lang)):
        fig = Figure(figsize=figsize, layout="constrained")
        FigureCanvasAgg(fig)
        axes = fig.subplots(nrows, ncols, squeeze=False, **subplot_kw)
    fig.jointvillage_lang = lang  # type: ignore[attr-defined]
    return fig, axes


def figure_builder(func: Callable[..., Figure]) -> Callable[..., Figure]:
    """Build a figure under the style of its (resolved) language."""

    @functools.wraps(func)
    def wrapper(*args: Any, lang: str = "en", **kwargs: Any) -> Figure:
        lang = resolve_lang(lang)
        with rc_context(rc_params(lang)):
            fig = func(*args, lang=lang, **kwargs)
        fig.jointvillage_lang = lang  # type: ignore[attr-defined]
        return fig

    return wrapper


def figure_png(fig: Figure, dpi: int | None = None) -> bytes:
    """Render a figure to PNG bytes (under its style)."""
    buffer = io.BytesIO()
    with rc_context(rc_params(getattr(fig, "jointvillage_lang", "en"))):
        fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def save_figure(fig: Figure, path: str | Path, dpi: int | None = None) -> Path:
    """Save a figure as a PNG, atomically (folders are created); return the path."""
    return atomic_write(path, figure_png(fig, dpi))


def show(fig: Figure, dpi: int | None = None) -> Any:
    """An inline image of a figure for a notebook (works under any matplotlib backend)."""
    from IPython.display import Image

    return Image(data=figure_png(fig, dpi), format="png")


# --------------------------------------------------------------------------------------
# Axes and panels


def integer_years(ax: Axes) -> None:
    """Year ticks on whole years only."""
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def thousands(ax: Axes, axis: str = "y") -> None:
    """Tick labels with thousands separators (``12,500``) on the ``"x"`` or ``"y"`` axis."""
    fmt = FuncFormatter(lambda v, _pos: f"{v:,.0f}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def grid_shape(n: int, max_cols: int = 3) -> tuple[int, int]:
    """(rows, columns) of a grid of ``n`` panels at most ``max_cols`` wide."""
    cols = min(max_cols, max(1, n))
    return math.ceil(max(n, 1) / cols), cols


def finish_grid(axes: np.ndarray, used: int, xlabel: str) -> None:
    """Hide unused panels; label the x axis of the lowest visible panel of each column."""
    rows, cols = axes.shape
    flat = axes.ravel()
    for ax in flat[used:]:
        ax.set_visible(False)
    for col in range(cols):
        shown = (i for i in range(col, min(used, rows * cols), cols) if flat[i].get_visible())
        index = max(shown, default=None)
        if index is None:
            continue
        ax = flat[index]
        ax.xaxis.set_tick_params(labelbottom=True)
        ax.set_xlabel(xlabel)


def add_note(fig: Figure, message: str) -> None:
    """A small grey note under the figure (replicates, what unlabelled points are)."""
    fig.text(0.0, -0.01, message, fontsize=7.5, color="#555555", ha="left", va="top")


def legend_right(fig: Figure, ax: Axes, title: str | None = None) -> None:
    """The legend of ``ax`` as the figure's, right of the panels."""
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside right upper", title=title)


def add_title(fig: Figure, title: str) -> None:
    """The figure's title, left-aligned (clear of a legend on the right)."""
    fig.suptitle(title, x=0.01, ha="left")


# --------------------------------------------------------------------------------------
# Honest axes


def measure_floor(levels: Sequence[float] | np.ndarray, share: float = EFFECT_FLOOR_SHARE) -> float:
    """The smallest half-width of a measure's axis: ``share`` of its largest absolute level.

    Args:
        levels: The measure's levels (e.g. the mean of every arm), in display units.
        share: The share of the largest level.

    Returns:
        The half-width (1 display unit when every level is zero or missing).
    """
    values = np.abs(np.asarray(levels, dtype=float))
    values = values[np.isfinite(values)]
    top = float(values.max()) if values.size else 0.0
    return share * top if top > 0 else 1.0


def centre_and_half_width(
    values: Sequence[float] | np.ndarray, centre: float | None = None, margin: float = 0.08
) -> tuple[float, float]:
    """A centre and a half-width that hold every finite value, with a margin.

    Args:
        values: The values to hold (means, interval ends).
        centre: The centre (e.g. 0 for effects); default the middle of the values.
        margin: Extra room as a share of the half-width.

    Returns:
        ``(centre, half_width)``; ``(centre or 0, 0)`` without finite values.
    """
    data = np.asarray(values, dtype=float)
    data = data[np.isfinite(data)]
    if not data.size:
        return (0.0 if centre is None else float(centre)), 0.0
    if centre is None:
        centre = (float(data.min()) + float(data.max())) / 2
    return float(centre), float(np.abs(data - centre).max()) * (1 + margin)


def set_span(ax: Axes, centre: float, half_width: float, axis: str = "x") -> None:
    """Limits ``centre ± half_width`` on the ``"x"`` or ``"y"`` axis, thousands separated."""
    low, high = centre - half_width, centre + half_width
    (ax.set_xlim if axis == "x" else ax.set_ylim)(low, high)
    if max(abs(low), abs(high)) >= 1000:
        thousands(ax, axis)


def level_and_effect_spans(
    levels: np.ndarray, effects: np.ndarray, means: np.ndarray
) -> tuple[float, float, float]:
    """The honest axes of a measure: the centre of its levels and one shared half-width.

    The levels (means and intervals) are drawn around their middle and the paired
    differences around zero, both with the same half-width, so that an effect is drawn at
    the scale of the levels; and never narrower than :func:`measure_floor` of the means, so
    that a difference that is tiny against the measure looks tiny.

    Args:
        levels: Means and interval ends of every arm, in display units.
        effects: Paired differences and their interval ends, in display units.
        means: The means of every arm (the measure's own scale), in display units.

    Returns:
        ``(centre of the levels, half-width of both axes, the floor)``.
    """
    floor = measure_floor(means)
    centre, level_half = centre_and_half_width(levels)
    _, effect_half = centre_and_half_width(effects, centre=0.0)
    return centre, max(level_half, effect_half, floor), floor
