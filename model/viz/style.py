"""The project's one figure style: rcParams, colours, fonts and the figure helpers.

Every figure is a :class:`matplotlib.figure.Figure` drawn on an Agg canvas: no pyplot
state, no display needed, safe to draw from the app's threads. Figure functions decorated
with :func:`figure_builder` take a ``lang`` argument: ``"en"`` (default) or ``"zh"``.

Chinese labels need a CJK font. :func:`find_cjk_font` looks for one among the installed
fonts (matplotlib's font cache may predate the font: the system font folders are searched
too); ``scripts/setup_system.sh`` installs ``fonts-noto-cjk``. Without one, ``lang="zh"``
warns once and draws English labels rather than empty boxes.
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

#: Languages of the labels (:mod:`model.viz.labels`).
LANGS = ("en", "zh")
#: The usual Shandong bar of a weak village (collective income per year, yuan).
WEAK_BAR = 100_000.0
#: Yuan per display unit of collective income (万元 = 10,000 yuan).
WAN = 10_000.0

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
}

#: Colour per alliance mode (outlines on maps, boxes and lines elsewhere).
MODE_COLOURS = {
    "lead_goose": "#1f3b73",
    "strong_leads_weak": "#b2182b",
    "industry_pull": "#2b7a2b",
    "project_traction": "#8c510a",
}
#: Colour of villages outside every alliance.
NOT_ALLIED_COLOUR = "#d9d9d9"
#: Colour per main industry of a village (colour-blind-friendly where possible).
INDUSTRY_COLOURS = {
    "grain": "#e6c35c",
    "ginger": "#d95f02",
    "green_onion": "#1b9e77",
    "cherry": "#c2185b",
    "peach": "#f4a6c0",
    "vegetables": "#66a61e",
    "peanut": "#8c6d31",
    "millet": "#7570b3",
}
#: Colour of each shipped scenario; others get colours from :data:`EXTRA_COLOURS`.
SCENARIO_COLOURS = {
    "baseline": "#7f7f7f",
    "anqiu_2023": "#111111",
    "anqiu": "#111111",
    **{f"mode_{mode}": colour for mode, colour in MODE_COLOURS.items()},
    "policy_land_pooling": "#e08214",
    "policy_coop_shares": "#35978f",
    "policy_enterprise_contracts": "#8073ac",
    "policy_livestream_training": "#c51b7d",
}
EXTRA_COLOURS = (
    "#1b9e77",
    "#d95f02",
    "#7570b3",
    "#e7298a",
    "#66a61e",
    "#e6ab02",
    "#a6761d",
    "#1f78b4",
    "#b15928",
    "#6a3d9a",
)


def palette(n: int) -> list[str]:
    """``n`` distinct colours (repeating after :data:`EXTRA_COLOURS` runs out)."""
    return [EXTRA_COLOURS[i % len(EXTRA_COLOURS)] for i in range(n)]


def scenario_colours(names: Sequence[str]) -> dict[str, str]:
    """A colour per scenario: the shipped ones keep theirs, the others take the next free."""
    extra = iter(palette(len(names)))
    return {name: SCENARIO_COLOURS.get(str(name)) or next(extra) for name in names}


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
    """Hide unused panels; label the x axis of the lowest used panel of each column."""
    rows, cols = axes.shape
    flat = axes.ravel()
    for ax in flat[used:]:
        ax.set_visible(False)
    for col in range(cols):
        index = max((i for i in range(col, min(used, rows * cols), cols)), default=None)
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
