"""Labels of the figures in English and Chinese.

Every title, axis, legend entry and note of a figure is a key of :data:`TEXT`; scenarios,
alliance modes, industries and measures have their display names here too. Household income
sources are named by :data:`model.registry.INCOME_SOURCES`, where a mechanism declares them.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from model.registry import INCOME_SOURCES
from model.viz.style import WAN

#: Label text by key: (English, Chinese).
TEXT: dict[str, tuple[str, str]] = {
    "year": ("Year", "年份"),
    "month": ("Month", "月份"),
    "per_capita_income": ("Per-capita disposable income", "农村居民人均可支配收入"),
    "yuan_pp": ("yuan per person per year", "元/人·年"),
    "in_constant_prices": (" (constant 2023 yuan)", "(2023年不变价)"),
    "total": ("Total", "合计"),
    "collective_income": ("Village collective income", "村集体经营性收入"),
    "collective_mean": ("Mean per village", "村均"),
    "collective_median": ("Median village", "中位村"),
    "collective_mean_long": (
        "Village collective income, mean per village",
        "村集体经营性收入(村均)",
    ),
    "collective_median_long": (
        "Village collective income, median village",
        "村集体经营性收入(中位村)",
    ),
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
        "Distribution of village collective income, year 0 (as built) and the last year",
        "村集体经营性收入分布:基年(建成时)与末年",
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
    "sobol_title": ("Sobol indices: first order and total", "Sobol指数:一阶与总效应"),
    "compare_title": (
        "Scenario comparison: mean and {level}% interval",
        "情景比较:均值及{level}%置信区间",
    ),
    "paired_difference": ("paired difference from {ref}", "与{ref}的配对差值"),
    "honest_axes_note": (
        "A measure's two panels have the same width in its units, at least {share}% of its "
        "largest mean either side: a small effect looks small.",
        "同一指标的两幅图在该指标单位下宽度相同,且每侧至少为其最大均值的{share}%:小的效果看起来就小。",
    ),
    "sweep_title": (
        "Sweep of {param}: mean and 95% interval over the swept value",
        "{param}参数扫描:各取值下的均值及95%置信区间",
    ),
    "sweep_note": (
        "bands: 95% intervals over {n} replicates; dashed: scenarios not swept",
        "阴影:{n}次重复的95%置信区间;虚线:未扫描的情景",
    ),
    "reference_suffix": ("{name}, reference", "{name}(参照)"),
    "reference": ("reference", "参照"),
    "paths_vs_reference_title": (
        "Against the reference: {ref}",
        "与参照情景对比:{ref}",
    ),
    "difference_per_year": (
        "paired difference per year (0 = {ref})",
        "逐年配对差值(0 = {ref})",
    ),
    "paired_band": (
        "lines: mean of {n} replicates; bands: range (levels) and 95% interval (differences)",
        "线:{n}次重复的均值;阴影:范围(水平值)与95%置信区间(差值)",
    ),
    "one_replicate": (
        "one replicate: no interval; run more replicates for one",
        "仅一次运行:无置信区间;多次重复后可得区间",
    ),
    "vs_reference": ("{what}, against {ref}", "{what}(相对{ref})"),
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
    "industry_mode": ("industry / alliance mode", "主导产业 / 联建模式"),
    "leads_several": ("leads several alliances ({n})", "牵头多个联建组织({n})"),
    "map_note": (
        "dot area ~ population\nshaded outline = alliance",
        "圆点面积 ~ 人口\n阴影轮廓 = 联建组织",
    ),
    "synthetic_county": ("synthetic Anqiu", "安丘(合成数据)"),
    "county_map_title": (
        "{source}: {villages} villages, {people:,} people; "
        "{alliances} alliances over {allied} villages ({leads} leads)",
        "{source}:{villages}个村,{people:,}人;"
        "{alliances}个联建组织,覆盖{allied}个村({leads}个牵头村)",
    ),
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

#: Display names of the villages' main industries: (English, Chinese).
INDUSTRY_NAMES: dict[str, tuple[str, str]] = {
    "grain": ("grain", "粮食"),
    "ginger": ("ginger", "生姜"),
    "green_onion": ("green onion", "大葱"),
    "cherry": ("cherry", "樱桃"),
    "peach": ("peach", "桃"),
    "vegetables": ("vegetables", "蔬菜"),
    "peanut": ("peanut", "花生"),
    "millet": ("millet", "小米"),
}


class MeasureLabel(NamedTuple):
    """How a measure of :mod:`model.experiments.compare` is shown.

    Attributes:
        en: English name.
        zh: Chinese name.
        unit: Unit of the shown values, a key of :data:`UNITS`.
        scale: Values are divided by this before they are shown (yuan to 10,000 yuan).
    """

    en: str
    zh: str
    unit: str
    scale: float = 1.0


#: Units of measures: (English, Chinese).
UNITS: dict[str, tuple[str, str]] = {
    "yuan/person/yr": ("yuan/person/yr", "元/人·年"),
    "yuan/person": ("yuan/person", "元/人"),
    "yuan": ("yuan", "元"),
    "10k yuan": ("10,000 yuan", "万元"),
    "villages": ("villages", "个"),
    "share": ("share", "比例"),
    "-": ("", ""),
    "yuan/yuan": ("yuan/yuan", "元/元"),
    "yuan/person per 10k yuan": ("yuan/person per 10k yuan", "元/人·每万元"),
    "yuan/village/yr": ("yuan/village/yr", "元/村·年"),
    "mu": ("mu", "亩"),
    "households": ("households", "户"),
}

#: Units shown in 10,000 yuan rather than yuan (cumulative county sums are millions).
SHOWN_IN_WAN = frozenset({"yuan"})


def _pick(names: dict[str, tuple[str, str]], key: object, lang: str) -> str:
    """The English or Chinese name of ``key`` in ``names`` (the key itself when absent)."""
    pair = names.get(str(key))
    if pair is None:
        return str(key)
    return pair[1] if lang == "zh" else pair[0]


def text(key: str, lang: str = "en", **values: Any) -> str:
    """A label in a language, formatted with ``values``."""
    en, zh = TEXT[key]
    chosen = zh if lang == "zh" else en
    return chosen.format(**values) if values else chosen


def scenario_label(name: str, lang: str = "en") -> str:
    """Display name of a scenario (the name itself when it is not a shipped one)."""
    return _pick(SCENARIO_NAMES, name, lang)


def mode_label(mode: str, lang: str = "en") -> str:
    """Display name of an alliance mode."""
    return _pick(MODE_NAMES, mode, lang)


def industry_label(industry: str, lang: str = "en") -> str:
    """Display name of a village's main industry."""
    return _pick(INDUSTRY_NAMES, industry, lang)


def source_label(name: str, lang: str = "en") -> str:
    """Label of a household income source, by name or column (``wage``, ``income_wage``).

    Read from :data:`model.registry.INCOME_SOURCES`; an unregistered name is returned as it is.
    """
    source = str(name).removeprefix("income_")
    return INCOME_SOURCES[source].label(lang) if source in INCOME_SOURCES else str(name)


def measure(name: str) -> MeasureLabel | None:
    """How a measure is shown: its labels and unit from :mod:`model.experiments.measures`.

    Returns:
        The entry, or None for a measure nobody has named (figures then show the label and
        unit of the comparison table).
    """
    from model.experiments.measures import find_measure

    found = find_measure(name)
    if found is None:
        return None
    if found.unit in SHOWN_IN_WAN:
        return MeasureLabel(found.en, found.zh, "10k yuan", WAN)
    return MeasureLabel(found.en, found.zh, found.unit)


def measure_label(name: str, lang: str = "en", fallback: str | None = None) -> str:
    """Display name of a measure (``fallback``, else the name, when it has none)."""
    entry = measure(name)
    if entry is None:
        return fallback or name
    return entry.zh if lang == "zh" else entry.en


def measure_unit(name: str, lang: str = "en", fallback: str = "") -> str:
    """Unit of a measure's shown values (after :func:`measure_scale`), in a language."""
    entry = measure(name)
    return unit_label(entry.unit if entry is not None else fallback, lang)


def measure_scale(name: str) -> float:
    """What a measure's values are divided by before they are shown."""
    entry = measure(name)
    return entry.scale if entry is not None else 1.0


def first_text(rows: Any, column: str) -> str:
    """The first value of a text column of a table's rows ("" when there is none)."""
    if column not in rows.columns or not rows[column].notna().any():
        return ""
    return str(rows[column].dropna().iloc[0])


def measure_heading(name: str, rows: Any, lang: str = "en") -> tuple[str, str, float]:
    """A measure's display name, the unit of its shown values and their scale.

    Args:
        name: The measure.
        rows: The measure's rows of a comparison table (their ``label`` and ``unit`` stand
            in for a measure nobody has named here).
        lang: ``"en"`` or ``"zh"``.
    """
    label = measure_label(name, lang, first_text(rows, "label") or name)
    return label, measure_unit(name, lang, first_text(rows, "unit")), measure_scale(name)


def unit_label(unit: str, lang: str = "en") -> str:
    """A unit of :data:`UNITS` in a language (an unknown unit as it is)."""
    return _pick(UNITS, unit, lang)
