"""The project's one figure style, and the figures of the notebooks, the app and ``run``.

Every figure here is a :class:`matplotlib.figure.Figure` drawn on an Agg canvas: no pyplot
state, no display needed, safe to draw from the app's threads. Each ``*_figure`` function
returns the figure; each ``plot_*`` function draws one and saves it as a PNG. All take a
``lang`` argument: ``"en"`` (default) or ``"zh"`` for Chinese titles, axes and legends.

Chinese labels need a CJK font. :func:`find_cjk_font` looks for one among the installed
fonts (matplotlib's font cache may predate the font: the system font folders are searched
too); ``scripts/setup_system.sh`` installs ``fonts-noto-cjk``. Without one, ``lang="zh"``
warns once and draws English labels rather than empty boxes.

Tables are the runner's (:mod:`model.runner`): ``county_yearly`` and ``village_yearly`` rows
of one or several scenarios and replicates. Several replicates are shown as their mean with
the range over replicates; several scenarios as one line (or panel) each.

Example (a notebook)::

    from model.viz import figures as plots
    fig = plots.weak_villages_figure(county_yearly, lang="zh")
    plots.show(fig)                      # an inline PNG
    plots.plot_weak_villages(county_yearly, Path("results/weak.png"))
"""

from __future__ import annotations

import contextlib
import functools
import io
import math
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import font_manager, rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import Normalize, TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Polygon
from matplotlib.ticker import FuncFormatter, MaxNLocator

#: Languages of the labels.
LANGS = ("en", "zh")
#: Income sources of households, in stacking order (bottom first).
SOURCES = ("wage", "farming", "property", "ecommerce", "transfer")
#: The usual Shandong bar of a weak village (collective income per year, yuan).
WEAK_BAR = 100_000.0
#: Yuan per display unit of collective income (万元 = 10,000 yuan).
WAN = 10_000.0

#: The shared style (matplotlib rcParams), applied while a figure is built and drawn.
STYLE: dict[str, Any] = {
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

#: Colour per income source.
SOURCE_COLOURS = {
    "wage": "#4c72b0",
    "farming": "#dd8452",
    "property": "#55a868",
    "ecommerce": "#c44e52",
    "transfer": "#8172b3",
}
#: Colour per alliance mode (as in :mod:`model.viz.maps`).
MODE_COLOURS = {
    "lead_goose": "#1f3b73",
    "strong_leads_weak": "#b2182b",
    "industry_pull": "#2b7a2b",
    "project_traction": "#8c510a",
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

# --------------------------------------------------------------------------------------
# Labels

#: Label text by key: (English, Chinese).
TEXT: dict[str, tuple[str, str]] = {
    "year": ("Year", "年份"),
    "month": ("Month", "月份"),
    "per_capita_income": ("Per-capita disposable income", "农村居民人均可支配收入"),
    "yuan_pp": ("yuan per person per year", "元/人·年"),
    "income_wage": ("Wages", "工资性收入"),
    "income_farming": ("Farming and business", "经营性收入"),
    "income_property": ("Property (rent, dividends)", "财产性收入(租金、分红)"),
    "income_ecommerce": ("Livestream e-commerce", "直播电商收入"),
    "income_transfer": ("Transfers", "转移性收入"),
    "total": ("Total", "合计"),
    "collective_income": ("Village collective income", "村集体经营性收入"),
    "collective_mean": ("Mean per village", "村均"),
    "collective_median": ("Median village", "中位村"),
    "wan_yr": ("10,000 yuan per year", "万元/年"),
    "wan_yr_village": ("10,000 yuan per village per year", "万元/村·年"),
    "weak_villages": ("Weak villages", "薄弱村数量"),
    "weak_villages_long": (
        "Weak villages (collective income below 100,000 yuan)",
        "薄弱村(村集体收入低于10万元)",
    ),
    "villages": ("villages", "个"),
    "weak_bar": ("weak-village bar (100,000 yuan)", "薄弱村线(10万元)"),
    "share_villages": ("Share of villages (%)", "村庄占比(%)"),
    "weak_share": ("{year}: {share:.0f}% weak", "{year}年:薄弱村占{share:.0f}%"),
    "range_reps": ("band: range over {n} replicates", "阴影:{n}次重复的范围"),
    "mean_reps": ("mean of {n} replicates", "{n}次重复的均值"),
    "income_paths_title": (
        "Per-capita disposable income by source",
        "农村居民人均可支配收入构成",
    ),
    "collective_paths_title": ("Village collective income", "村集体经营性收入"),
    "distribution_title": (
        "Distribution of village collective income, first and last year",
        "村集体经营性收入分布:首年与末年",
    ),
    "weak_title": ("Weak villages over time", "薄弱村数量变化"),
    "sources_title": (
        "Per-capita income by source, {year}",
        "{year}年人均可支配收入构成",
    ),
    "sources_diff_title": ("Difference from {ref}", "与{ref}相比的差额"),
    "effects_title": (
        "Effect against {ref}: paired difference and 95% interval",
        "相对{ref}的效果:配对差值及95%置信区间",
    ),
    "morris_note": (
        "Unlabelled points: mu* and sigma below 10% of the largest (small effects).",
        "未标注的点:mu*与sigma均低于最大值的10%(影响很小)。",
    ),
    "morris_title": (
        "Morris screening: which parameters move the outcomes",
        "Morris筛选:哪些参数影响结果",
    ),
    "sobol_title": ("Sobol indices of the top parameters", "主要参数的Sobol指数"),
    "mu_star": ("mu* (mean absolute elementary effect)", "mu*(基本效应绝对值的均值)"),
    "sigma": ("sigma (non-linearity, interactions)", "sigma(非线性与交互作用)"),
    "s1": ("first order S1", "一阶指数 S1"),
    "st": ("total ST", "总效应指数 ST"),
    "sobol_axis": ("share of output variance", "占输出方差的比例"),
    "normalised_mu_star": ("mu* / largest mu* of the measure", "mu*/该指标最大mu*"),
    "map_title": ("Villages and alliances", "村庄与联建组织"),
    "x_km": ("x (km, east)", "东西向 (km)"),
    "y_km": ("y (km, north)", "南北向 (km)"),
    "lead_village": ("lead village", "牵头村"),
    "not_allied": ("not in an alliance", "未参加联建"),
    "alliance_outline": ("alliance outline, by mode", "联建组织(按模式)"),
    "gain_title": (
        "Where the gains land: {what}, {ref} to {arm}",
        "收益落在哪里:{what}({ref}→{arm})",
    ),
    "gain_collective": ("collective income gain", "村集体收入增量"),
    "gain_income": ("per-capita income gain", "人均收入增量"),
    "yuan": ("yuan", "元"),
    "mode_gain_title": (
        "Gain in collective income by alliance mode, {year}",
        "{year}年各联建模式的村集体收入增量",
    ),
    "gain_axis": ("gain per village (10,000 yuan per year)", "村均增量(万元/年)"),
    "allied": ("allied", "联建村"),
    "non_allied": ("not allied", "非联建村"),
    "start_collective": (
        "collective income in the first year (10,000 yuan)",
        "首年村集体收入(万元)",
    ),
}

#: Display names of the shipped scenarios: (English, Chinese).
SCENARIO_NAMES: dict[str, tuple[str, str]] = {
    "baseline": ("Baseline (no joint building)", "基线(无联建)"),
    "anqiu_2023": ("Anqiu programme 2023", "安丘联建方案(2023)"),
    "anqiu": ("Anqiu programme 2023", "安丘联建方案(2023)"),
    "mode_lead_goose": ("Mode: lead goose", "模式:头雁领航"),
    "mode_strong_leads_weak": ("Mode: strong leads weak", "模式:强村带弱"),
    "mode_industry_pull": ("Mode: industry pull", "模式:产业拉动"),
    "mode_project_traction": ("Mode: project traction", "模式:项目牵引"),
    "policy_land_pooling": ("Only land pooling", "仅土地流转"),
    "policy_coop_shares": ("Only cooperative shares", "仅合作社入股"),
    "policy_enterprise_contracts": ("Only enterprise contracts", "仅企业订单"),
    "policy_livestream_training": ("Only livestream training", "仅直播电商培训"),
}

#: Display names of the alliance modes: (English, Chinese).
MODE_NAMES: dict[str, tuple[str, str]] = {
    "lead_goose": ("lead goose", "头雁领航"),
    "strong_leads_weak": ("strong leads weak", "强村带弱"),
    "industry_pull": ("industry pull", "产业拉动"),
    "project_traction": ("project traction", "项目牵引"),
}

#: Display names of comparison measures (:mod:`model.experiments.compare`):
#: (English, Chinese, unit zh).
MEASURE_NAMES: dict[str, tuple[str, str]] = {
    "per_capita_income": ("Per-capita disposable income, last year", "末年人均可支配收入"),
    "income_wage": ("Per-capita wage income, last year", "末年人均工资性收入"),
    "income_farming": ("Per-capita farming income, last year", "末年人均经营性收入"),
    "income_property": ("Per-capita property income, last year", "末年人均财产性收入"),
    "income_ecommerce": ("Per-capita e-commerce income, last year", "末年人均电商收入"),
    "income_transfer": ("Per-capita transfers, last year", "末年人均转移性收入"),
    "weak_villages_lifted": ("Weak villages lifted (first - last year)", "脱离薄弱村的村数"),
    "collective_income_cum": ("Collective income of all villages, summed", "村集体收入累计"),
    "per_capita_income_cum": ("Per-capita income, summed over the years", "人均收入累计"),
    "gini_household": ("Gini of household income, last year", "末年农户收入基尼系数"),
    "gini_collective": ("Gini of collective income, last year", "末年村集体收入基尼系数"),
    "collective_growth_allied": ("Collective income growth, allied villages", "联建村集体收入增长"),
    "collective_growth_nonallied": (
        "Collective income growth, other villages",
        "非联建村集体收入增长",
    ),
    "public_spending_cum": ("Public money spent, cumulative", "财政投入累计"),
    "collective_income_per_yuan": (
        "Collective income gained per yuan of public money",
        "每元财政投入带来的村集体收入",
    ),
    "per_capita_income_per_10k_yuan": (
        "Per-capita income gained per 10,000 yuan of public money",
        "每万元财政投入带来的人均收入",
    ),
}
#: Units of the measures in Chinese (the English ones come from the comparison table).
MEASURE_UNITS_ZH = {
    "yuan/person/yr": "元/人·年",
    "yuan/person": "元/人",
    "yuan": "元",
    "villages": "个",
    "share": "比例",
    "-": "-",
    "yuan/yuan": "元/元",
    "yuan/person per 10k yuan": "元/人·每万元",
}


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
    warnings.warn(
        "No CJK font found, so Chinese labels cannot be drawn; drawing English labels instead. "
        "Install one with scripts/setup_system.sh (Debian: apt-get install fonts-noto-cjk).",
        UserWarning,
        stacklevel=4,
    )


def text(key: str, lang: str = "en", **values: Any) -> str:
    """A label in a language, formatted with ``values``."""
    en, zh = TEXT[key]
    chosen = zh if lang == "zh" else en
    return chosen.format(**values) if values else chosen


def scenario_label(name: str, lang: str = "en") -> str:
    """Display name of a scenario (the name itself when it is not a shipped one)."""
    names = SCENARIO_NAMES.get(str(name))
    if names is None:
        return str(name)
    return names[1] if lang == "zh" else names[0]


def mode_label(mode: str, lang: str = "en") -> str:
    """Display name of an alliance mode."""
    names = MODE_NAMES.get(str(mode))
    if names is None:
        return str(mode)
    return names[1] if lang == "zh" else names[0]


def measure_label(name: str, lang: str = "en", fallback: str | None = None) -> str:
    """Display name of a comparison measure."""
    names = MEASURE_NAMES.get(name)
    if names is None:
        return fallback or name
    return names[1] if lang == "zh" else names[0]


def unit_label(unit: str, lang: str = "en") -> str:
    """A unit of :mod:`model.experiments.compare` in a language."""
    return MEASURE_UNITS_ZH.get(unit, unit) if lang == "zh" else unit


def scenario_colours(names: Sequence[str]) -> dict[str, str]:
    """A colour per scenario: the shipped ones keep theirs, the others take the next free."""
    out: dict[str, str] = {}
    extra = iter(EXTRA_COLOURS * (1 + len(names) // len(EXTRA_COLOURS)))
    for name in names:
        out[name] = SCENARIO_COLOURS.get(str(name)) or next(extra)
    return out


# --------------------------------------------------------------------------------------
# Fonts and style


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


def style(lang: str = "en") -> dict[str, Any]:
    """The rcParams of the shared style for a language (the CJK font first for ``zh``)."""
    params = dict(STYLE)
    if lang == "zh":
        family = find_cjk_font()
        if family is not None:
            # A concrete family (not "sans-serif"), so that texts keep it wherever drawn.
            params["font.family"] = [family, "DejaVu Sans"]
    return params


@contextlib.contextmanager
def styled(lang: str = "en") -> Iterator[None]:
    """Apply the shared style (for figures made outside this module)."""
    with rc_context(style(lang)):
        yield


def new_figure(
    nrows: int = 1,
    ncols: int = 1,
    figsize: tuple[float, float] = (8.0, 4.5),
    lang: str = "en",
    **subplot_kw: Any,
) -> tuple[Figure, np.ndarray]:
    """A styled figure on an Agg canvas and its axes (always a 2-D array)."""
    with rc_context(style(lang)):
        fig = Figure(figsize=figsize, layout="constrained")
        FigureCanvasAgg(fig)
        axes = fig.subplots(nrows, ncols, squeeze=False, **subplot_kw)
    fig.jointvillage_lang = lang  # type: ignore[attr-defined]
    return fig, axes


def _builder(func: Callable[..., Figure]) -> Callable[..., Figure]:
    """Build a figure under the style of its (resolved) language."""

    @functools.wraps(func)
    def wrapper(*args: Any, lang: str = "en", **kwargs: Any) -> Figure:
        lang = resolve_lang(lang)
        with rc_context(style(lang)):
            fig = func(*args, lang=lang, **kwargs)
        fig.jointvillage_lang = lang  # type: ignore[attr-defined]
        return fig

    return wrapper


def figure_png(fig: Figure, dpi: int | None = None) -> bytes:
    """Render a figure to PNG bytes (under its style)."""
    buffer = io.BytesIO()
    with rc_context(style(getattr(fig, "jointvillage_lang", "en"))):
        fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def save_figure(fig: Figure, path: str | Path, dpi: int | None = None) -> Path:
    """Save a figure as a PNG (folders are created) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(figure_png(fig, dpi))
    return path


def show(fig: Figure, dpi: int | None = None) -> Any:
    """An inline image of a figure for a notebook (works under any matplotlib backend)."""
    from IPython.display import Image

    return Image(data=figure_png(fig, dpi), format="png")


# --------------------------------------------------------------------------------------
# Helpers


def _scenarios(table: pd.DataFrame) -> list[str]:
    if "scenario" not in table.columns:
        return [""]
    return [str(s) for s in dict.fromkeys(table["scenario"])]


def _with_keys(table: pd.DataFrame) -> pd.DataFrame:
    frame = table
    if "scenario" not in frame.columns:
        frame = frame.assign(scenario="")
    if "replicate" not in frame.columns:
        frame = frame.assign(replicate=0)
    return frame


def _stats(table: pd.DataFrame, column: str) -> pd.DataFrame:
    """Mean, min, max and replicate count of a column per scenario and year."""
    frame = _with_keys(table)
    grouped = frame.groupby(["scenario", "year"], sort=False)[column]
    out = grouped.agg(["mean", "min", "max"])
    out["n"] = frame.groupby(["scenario", "year"], sort=False)["replicate"].nunique()
    return out.reset_index()


def _integer_years(ax: Axes) -> None:
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def _thousands(ax: Axes, axis: str = "y") -> None:
    fmt = FuncFormatter(lambda v, _pos: f"{v:,.0f}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def _grid_shape(n: int, max_cols: int = 3) -> tuple[int, int]:
    cols = min(max_cols, max(1, n))
    return math.ceil(max(n, 1) / cols), cols


def _finish_grid(axes: np.ndarray, used: int, xlabel: str) -> None:
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


def _note(fig: Figure, message: str) -> None:
    fig.text(0.0, -0.01, message, fontsize=7.5, color="#555555", ha="left", va="top")


def _line_style(name: str) -> dict[str, Any]:
    if name == "baseline":
        return {"ls": "--", "lw": 1.8}
    if name in ("anqiu_2023", "anqiu"):
        return {"ls": "-", "lw": 2.6}
    return {"ls": "-", "lw": 1.6}


def _lines_over_years(
    ax: Axes, table: pd.DataFrame, column: str, scale: float = 1.0, lang: str = "en"
) -> int:
    """One line per scenario (mean over replicates) and a band (range); returns max n."""
    stats = _stats(table, column)
    colours = scenario_colours(_scenarios(table))
    most = 1
    for name, part in stats.groupby("scenario", sort=False):
        colour = colours[str(name)]
        years = part["year"].to_numpy()
        ax.plot(
            years,
            part["mean"] / scale,
            color=colour,
            label=scenario_label(str(name), lang),
            marker="o",
            ms=3,
            **_line_style(str(name)),
        )
        if part["n"].max() > 1:
            ax.fill_between(
                years, part["min"] / scale, part["max"] / scale, color=colour, alpha=0.12, lw=0
            )
        most = max(most, int(part["n"].max()))
    _integer_years(ax)
    return most


def _legend_right(fig: Figure, ax: Axes, title: str | None = None) -> None:
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside right upper", title=title)


def _title(fig: Figure, title: str) -> None:
    """The figure's title, left-aligned (clear of a legend on the right)."""
    fig.suptitle(title, x=0.01, ha="left")


# --------------------------------------------------------------------------------------
# Figures over the years (county_yearly)


@_builder
def income_paths_figure(county_yearly: pd.DataFrame, lang: str = "en") -> Figure:
    """Per-capita disposable income by source over the years, stacked; a panel per scenario.

    Args:
        county_yearly: ``county_yearly`` rows of one or several scenarios and replicates.
        lang: ``"en"`` or ``"zh"``.
    """
    frame = _with_keys(county_yearly)
    names = _scenarios(frame)
    rows, cols = _grid_shape(len(names))
    fig, axes = new_figure(
        rows, cols, (3.9 * cols + 2.4, 3.0 * rows + 0.6), lang, sharex=True, sharey=True
    )
    columns = [f"income_{s}" for s in SOURCES]
    means = frame.groupby(["scenario", "year"], sort=False)[columns].mean().reset_index()
    reps = frame.groupby("scenario", sort=False)["replicate"].nunique()
    for ax, name in zip(axes.ravel(), names, strict=False):
        part = means[means["scenario"] == name]
        years = part["year"].to_numpy()
        values = [part[c].to_numpy(float) for c in columns]
        ax.stackplot(
            years,
            *[np.clip(v, 0, None) for v in values],
            colors=[SOURCE_COLOURS[s] for s in SOURCES],
            labels=[text(c, lang) for c in columns],
            alpha=0.9,
        )
        negative = sum(np.clip(v, None, 0) for v in values)
        if np.any(negative < 0):
            ax.fill_between(years, negative, 0, color="#999999", alpha=0.6, lw=0)
        ax.plot(years, sum(values), color="black", lw=1.4, label=text("total", lang))
        ax.set_title(scenario_label(name, lang) if name else "")
        _integer_years(ax)
        _thousands(ax)
    for ax in axes[:, 0]:
        ax.set_ylabel(text("yuan_pp", lang))
    _finish_grid(axes, len(names), text("year", lang))
    _legend_right(fig, axes.ravel()[0])
    _title(fig, text("income_paths_title", lang))
    n = int(reps.max()) if len(reps) else 1
    if n > 1:
        _note(fig, text("mean_reps", lang, n=n))
    return fig


@_builder
def collective_paths_figure(county_yearly: pd.DataFrame, lang: str = "en") -> Figure:
    """Village collective income over the years: mean and median village, per scenario."""
    fig, axes = new_figure(1, 2, (11.5, 4.2), lang, sharex=True)
    left, right = axes[0]
    n = _lines_over_years(left, county_yearly, "collective_income_mean", WAN, lang)
    _lines_over_years(right, county_yearly, "collective_income_median", WAN, lang)
    left.set_title(text("collective_mean", lang))
    right.set_title(text("collective_median", lang))
    for ax in (left, right):
        ax.set_xlabel(text("year", lang))
        ax.set_ylabel(text("wan_yr_village", lang))
        ax.axhline(WEAK_BAR / WAN, color="#b2182b", lw=0.9, ls=":")
    right.text(
        right.get_xlim()[1],
        WEAK_BAR / WAN,
        text("weak_bar", lang) + " ",
        color="#b2182b",
        fontsize=7.5,
        ha="right",
        va="top",
    )
    _legend_right(fig, left)
    _title(fig, text("collective_paths_title", lang))
    if n > 1:
        _note(fig, text("range_reps", lang, n=n))
    return fig


@_builder
def weak_villages_figure(county_yearly: pd.DataFrame, lang: str = "en") -> Figure:
    """Number of weak villages (collective income below 100k yuan) over the years."""
    fig, axes = new_figure(1, 1, (8.6, 4.2), lang)
    ax = axes[0, 0]
    n = _lines_over_years(ax, county_yearly, "weak_villages", 1.0, lang)
    ax.set_xlabel(text("year", lang))
    ax.set_ylabel(text("weak_villages", lang) + f" ({text('villages', lang)})")
    ax.set_ylim(bottom=0)
    _legend_right(fig, ax)
    _title(fig, text("weak_villages_long", lang))
    if n > 1:
        _note(fig, text("range_reps", lang, n=n))
    return fig


@_builder
def income_sources_figure(
    county_yearly: pd.DataFrame,
    reference: str | None = None,
    year: int | None = None,
    lang: str = "en",
) -> Figure:
    """Per-capita income by source in one year: levels (left) and difference from a reference.

    Args:
        county_yearly: Rows of several scenarios (replicates are averaged; differences are
            paired by replicate, then averaged).
        reference: The scenario to subtract (default: the first).
        year: The year (default: the last).
        lang: ``"en"`` or ``"zh"``.
    """
    frame = _with_keys(county_yearly)
    names = _scenarios(frame)
    reference = reference if reference is not None else names[0]
    year = int(frame["year"].max()) if year is None else int(year)
    columns = [f"income_{s}" for s in SOURCES]
    part = frame[frame["year"] == year]
    levels = part.groupby("scenario", sort=False)[columns].mean().reindex(names)
    ref_rows = part[part["scenario"] == reference][["replicate", *columns]]
    diffs = {}
    for name in names:
        mine = part[part["scenario"] == name][["replicate", *columns]]
        paired = mine.merge(ref_rows, on="replicate", suffixes=("", "__ref"))
        diffs[name] = pd.Series(
            {c: (paired[c] - paired[f"{c}__ref"]).mean() for c in columns}, name=name
        )
    diff = pd.DataFrame(diffs).T.reindex(names)
    height = max(3.0, 0.42 * len(names) + 1.4)
    fig, axes = new_figure(1, 2, (12.5, height), lang, sharey=True)
    left, right = axes[0]
    y = np.arange(len(names))
    start = np.zeros(len(names))
    for source, column in zip(SOURCES, columns, strict=True):
        values = levels[column].to_numpy(float)
        left.barh(y, values, left=start, color=SOURCE_COLOURS[source], label=text(column, lang))
        start = start + values
    for i, total in enumerate(start):
        left.text(total, i, f" {total:,.0f}", va="center", fontsize=7.5)
    pos = np.zeros(len(names))
    neg = np.zeros(len(names))
    for source, column in zip(SOURCES, columns, strict=True):
        values = np.nan_to_num(diff[column].to_numpy(float))
        base = np.where(values >= 0, pos, neg)
        right.barh(y, values, left=base, color=SOURCE_COLOURS[source])
        pos = pos + np.clip(values, 0, None)
        neg = neg + np.clip(values, None, 0)
    net = np.nan_to_num(diff[columns].sum(axis=1).to_numpy(float))
    right.scatter(net, y, color="black", marker="D", s=18, zorder=3, label=text("total", lang))
    right.axvline(0, color="#555555", lw=0.8)
    # Zero-width segments are sticky edges that defeat margins: set the limits directly.
    low = min(0.0, float(neg.min()), float(net.min()))
    high = max(0.0, float(pos.max()), float(net.max()))
    pad = 0.08 * (high - low or 1.0)
    right.set_xlim(low - pad, high + pad)
    left.set_xlim(0.0, float(np.nanmax(start)) * 1.13 if len(start) else 1.0)
    left.set_yticks(y, [scenario_label(n, lang) for n in names])
    left.invert_yaxis()
    left.set_xlabel(text("yuan_pp", lang))
    right.set_xlabel(text("yuan_pp", lang))
    left.set_title(text("sources_title", lang, year=year))
    right.set_title(text("sources_diff_title", lang, ref=scenario_label(reference, lang)))
    _thousands(left, "x")
    _thousands(right, "x")
    handles, labels = left.get_legend_handles_labels()
    extra_h, extra_l = right.get_legend_handles_labels()
    fig.legend(handles + extra_h, labels + extra_l, loc="outside lower center", ncols=6)
    return fig


# --------------------------------------------------------------------------------------
# Distribution over villages (village_yearly)


@_builder
def collective_distribution_figure(village_yearly: pd.DataFrame, lang: str = "en") -> Figure:
    """Distribution of village collective income in the first and the last year.

    One panel per scenario (replicates pooled), log-spaced bins, share of villages per bin,
    and the 100,000-yuan weak-village bar.
    """
    frame = _with_keys(village_yearly)
    names = _scenarios(frame)
    rows, cols = _grid_shape(len(names))
    fig, axes = new_figure(
        rows, cols, (3.9 * cols + 2.2, 2.9 * rows + 0.7), lang, sharex=True, sharey=True
    )
    values = frame["collective_income"].to_numpy(float) / WAN
    # Lower values (down to zero or below) are drawn in the first bin.
    floor = max(0.1, float(np.nanpercentile(values, 0.5)) / 1.5) if len(values) else 0.1
    top = max(float(np.nanmax(values)) if len(values) else 1.0, floor * 10)
    bins = np.geomspace(floor, top * 1.01, 32)
    first_year, last_year = int(frame["year"].min()), int(frame["year"].max())
    shades = {first_year: "#9ecae1", last_year: "#08519c"}
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
        ax.axvline(WEAK_BAR / WAN, color="#b2182b", lw=1.2, ls="--", label=text("weak_bar", lang))
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:,.4g}"))
        ax.set_title(scenario_label(name, lang) if name else "")
        ax.legend(loc="best", fontsize=7.5)
    for ax in axes[:, 0]:
        ax.set_ylabel(text("share_villages", lang))
    _finish_grid(axes, len(names), text("collective_income", lang) + f" ({text('wan_yr', lang)})")
    _title(fig, text("distribution_title", lang))
    return fig


# --------------------------------------------------------------------------------------
# Comparison and sensitivity tables (model.compare, model.sensitivity)


@_builder
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
    rows, cols = _grid_shape(len(names), 2)
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
            _thousands(ax, "x")
        labels = [scenario_label(a, lang) for a in arms]
        ax.set_yticks(y, labels if index % cols == 0 else [""] * len(arms))
        ax.invert_yaxis()
    for ax in axes.ravel()[len(names) :]:
        ax.set_visible(False)
    _title(fig, text("effects_title", lang, ref=scenario_label(reference, lang)))
    return fig


def _short(parameter: str) -> str:
    parts = parameter.split(".")
    return ".".join(parts[-2:]) if len(parts) > 1 else parameter


@_builder
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
    rows, cols = _grid_shape(len(names), 2)
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
    _note(fig, text("morris_note", lang))
    _title(fig, text("morris_title", lang))
    return fig


@_builder
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
    _legend_right(fig, ax)
    _title(fig, text("morris_title", lang))
    return fig


@_builder
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
    rows, cols = _grid_shape(len(names), 2)
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
    _finish_grid(axes, len(names), text("sobol_axis", lang))
    _legend_right(fig, axes.ravel()[0])
    _title(fig, text("sobol_title", lang))
    return fig


# --------------------------------------------------------------------------------------
# Maps


def _hull(points: np.ndarray, pad: float) -> np.ndarray | None:
    """Convex hull pushed out by ``pad`` km from its centre, or None if degenerate."""
    from scipy.spatial import ConvexHull, QhullError

    if len(points) < 3:
        return None
    try:
        hull = points[ConvexHull(points).vertices]
    except QhullError:
        return None
    centre = hull.mean(axis=0)
    offset = hull - centre
    norm = np.linalg.norm(offset, axis=1, keepdims=True)
    return hull + pad * offset / np.maximum(norm, 1e-9)


def alliance_outlines(
    xy: np.ndarray, members: Sequence[Sequence[int]], pad: float = 0.35
) -> list[np.ndarray]:
    """Outline of each alliance (a padded hull, or the members' polyline when degenerate)."""
    out = []
    for group in members:
        pts = xy[list(group)]
        hull = _hull(pts, pad)
        out.append(hull if hull is not None else pts)
    return out


def draw_village_map(
    ax: Axes,
    villages: pd.DataFrame,
    alliances: pd.DataFrame | None = None,
    values: np.ndarray | None = None,
    *,
    cmap: str = "viridis",
    norm: Normalize | None = None,
    outlines: list[np.ndarray] | None = None,
    lang: str = "en",
    legend: bool = True,
) -> Any:
    """Draw villages (coloured by ``values``, else by alliance mode) and alliance outlines.

    Args:
        ax: The axes.
        villages: The county's village table (``x_km``, ``y_km``, ``population``).
        alliances: The alliance table (``members``, ``lead``, ``mode``), or None.
        values: A value per village row (None: colour by the village's alliance mode).
        cmap: Colour map of ``values``.
        norm: Normalisation of ``values``.
        outlines: Pre-computed :func:`alliance_outlines` (else computed here).
        lang: ``"en"`` or ``"zh"``.
        legend: Add the legend of modes and lead villages.

    Returns:
        The scatter of villages (for a colour bar).
    """
    xy = villages[["x_km", "y_km"]].to_numpy(float)
    pop = villages["population"].to_numpy(float)
    sizes = 8 + 60 * np.sqrt(pop / max(float(pop.max()), 1.0))
    table = alliances if alliances is not None else pd.DataFrame(columns=["members", "mode"])
    if values is None:
        colours = np.full(len(xy), "#d9d9d9", dtype=object)
        for members, mode in zip(table["members"], table["mode"], strict=True):
            colours[list(members)] = MODE_COLOURS.get(mode, "#333333")
        points = ax.scatter(xy[:, 0], xy[:, 1], s=sizes, c=list(colours), lw=0.3, ec="#333333")
    else:
        points = ax.scatter(
            xy[:, 0], xy[:, 1], s=sizes, c=values, cmap=cmap, norm=norm, lw=0.3, ec="#555555"
        )
    points.set_zorder(3)
    if len(table):
        shapes = outlines if outlines is not None else alliance_outlines(xy, table["members"])
        for shape, mode in zip(shapes, table["mode"], strict=True):
            colour = MODE_COLOURS.get(mode, "black")
            if len(shape) >= 3:
                ax.add_patch(Polygon(shape, closed=True, fc=colour, alpha=0.10, ec="none"))
                ax.add_patch(
                    Polygon(shape, closed=True, fill=False, ec=colour, lw=0.9, alpha=0.85, zorder=2)
                )
            else:
                ax.plot(shape[:, 0], shape[:, 1], color=colour, lw=0.9, alpha=0.85, zorder=2)
        if "lead" in table.columns:
            leads = table["lead"].to_numpy(int)
            if values is None:
                ax.scatter(
                    xy[leads, 0], xy[leads, 1], marker="*", s=46, c="white", ec="black", lw=0.6
                ).set_zorder(5)
            else:  # a ring, so that the lead village's own colour stays visible
                ax.scatter(
                    xy[leads, 0], xy[leads, 1], s=sizes[leads] * 2.2, fc="none", ec="black", lw=0.8
                ).set_zorder(5)
    ax.set_aspect("equal")
    ax.set_xlabel(text("x_km", lang))
    ax.set_ylabel(text("y_km", lang))
    ax.grid(True, lw=0.3, alpha=0.3)
    if legend and len(table):
        handles: list[Any] = [
            Line2D([], [], color=MODE_COLOURS[m], lw=2, label=mode_label(m, lang))
            for m in MODE_COLOURS
            if (table["mode"] == m).any()
        ]
        handles.append(
            Line2D([], [], ls="", marker="*", ms=9, mfc="white", mec="black")
            if values is None
            else Line2D([], [], ls="", marker="o", ms=9, mfc="none", mec="black")
        )
        handles[-1].set_label(text("lead_village", lang))
        if values is None:
            handles.append(Patch(fc="#d9d9d9", ec="#333333", label=text("not_allied", lang)))
        ax.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            title=text("alliance_outline", lang),
        )
    return points


@_builder
def village_map_figure(
    villages: pd.DataFrame,
    alliances: pd.DataFrame | None = None,
    values: np.ndarray | None = None,
    *,
    title: str = "",
    value_label: str = "",
    diverging: bool = False,
    cmap: str | None = None,
    norm: Normalize | None = None,
    outlines: list[np.ndarray] | None = None,
    figsize: tuple[float, float] = (10.5, 7.6),
    lang: str = "en",
) -> Figure:
    """A county map: villages coloured by a value (or by mode) with alliances outlined.

    Args:
        villages: The county's village table.
        alliances: The alliance table, or None.
        values: A value per village row; None colours allied villages by mode.
        title: Figure title (default: villages and alliances).
        value_label: Colour-bar label (with its unit).
        diverging: Centre the colours at 0 (gains and losses).
        cmap: Colour map (default: ``RdBu`` diverging, ``viridis`` otherwise).
        norm: Normalisation of the colours (default: from the values).
        outlines: Pre-computed :func:`alliance_outlines`.
        figsize: Figure size (inches).
        lang: ``"en"`` or ``"zh"``.
    """
    fig, axes = new_figure(1, 1, figsize, lang)
    ax = axes[0, 0]
    if values is not None:
        finite = np.asarray(values, float)[np.isfinite(values)]
        if norm is None and diverging and len(finite):
            bound = float(np.nanpercentile(np.abs(finite), 98)) or 1.0
            norm = TwoSlopeNorm(vcenter=0.0, vmin=-bound, vmax=bound)
        cmap = cmap or ("RdBu" if diverging else "viridis")
    points = draw_village_map(
        ax,
        villages,
        alliances,
        values,
        cmap=cmap or "viridis",
        norm=norm,
        outlines=outlines,
        lang=lang,
    )
    if values is not None:
        bar = fig.colorbar(points, ax=ax, location="bottom", shrink=0.6, pad=0.02, extend="both")
        bar.set_label(value_label)
    ax.set_title(title or text("map_title", lang))
    return fig


@_builder
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
        colours.append("#bdbdbd")
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
    _title(fig, text("mode_gain_title", lang, year=year if year is not None else ""))
    return fig


# --------------------------------------------------------------------------------------
# The figures of the ``run`` command


def plot_income_paths(county_yearly: pd.DataFrame, path: Path, lang: str = "en") -> Path:
    """Save :func:`income_paths_figure` (per-capita income by source, stacked) as a PNG."""
    return save_figure(income_paths_figure(county_yearly, lang=lang), path)


def plot_collective_distribution(
    village_yearly: pd.DataFrame, path: Path, lang: str = "en"
) -> Path:
    """Save :func:`collective_distribution_figure` (first vs last year, weak bar) as a PNG."""
    return save_figure(collective_distribution_figure(village_yearly, lang=lang), path)


def plot_weak_villages(county_yearly: pd.DataFrame, path: Path, lang: str = "en") -> Path:
    """Save :func:`weak_villages_figure` as a PNG."""
    return save_figure(weak_villages_figure(county_yearly, lang=lang), path)
