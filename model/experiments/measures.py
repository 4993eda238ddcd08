"""Measures: what a comparison or a sensitivity analysis reads off each run.

Every measure has a name (the ``--measure`` option and the table column), a unit, English
and Chinese labels and a description; ``jointvillage measures`` lists them and
``docs/measures.md`` is generated from this list. There are five kinds:

* **level**: a county output in the final year (weak villages, collective income mean and
  median, per-capita income by source, Ginis, land pooled, sellers);
* **change**: from year 0, the county as built before any step (:mod:`model.recorder`), to
  the final year: weak villages lifted, collective income growth;
* **cumulative**: a flow summed over the horizon and discounted to year 0 at the
  comparison's discount rate: ``Σ_t x_t / (1 + rate)^t`` with ``t`` years since year 0
  (public money spent when the county is built counts at ``t = 0``);
* **ratio**: the paired gain of one cumulative measure per yuan of the paired extra public
  money, against the reference arm (:class:`RatioMeasure`);
* **did**: a difference in differences against the reference arm: the allied villages'
  change from year 0 to the final year, minus the change of the same villages in the
  reference run with the same replicate (:class:`ReferenceMeasure`; needs the runs'
  ``village_yearly`` table).

The paired *effect* of every level, change and cumulative measure is its replicate-by-
replicate difference against the reference (:mod:`model.experiments.compare`); the effects
in every year are :func:`model.experiments.effects.yearly_effects`.

To add a measure to the package, append it to :data:`MEASURES`; to add one without editing
the package, declare it in an experiment file or register a function
(:mod:`model.experiments.user_measures`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from model.errors import InputError, did_you_mean
from model.registry import INCOME_SOURCES

if TYPE_CHECKING:
    from model.experiments.per_run import RunYears

Kind = Literal["level", "change", "cumulative", "ratio", "did", "user"]

#: Default discount rate of cumulative measures: the social discount rate of China's
#: "Methods and Parameters for Economic Evaluation of Construction Projects", 3rd edition
#: (National Development and Reform Commission and Ministry of Construction, 2006): 8 %.
DEFAULT_DISCOUNT_RATE = 0.08


class Labelled:
    """What every kind of measure shows: ``label`` is the English label (tables)."""

    en: str

    @property
    def label(self) -> str:
        """The English label (tables)."""
        return self.en


@dataclass(frozen=True)
class Measure(Labelled):
    """A per-run measure.

    Attributes:
        name: Column name in tables and the ``--measure`` option.
        unit: Unit of the values.
        en: English label.
        zh: Chinese label.
        description: How it is computed, in a sentence.
        kind: ``level``, ``change``, ``cumulative`` or ``user``.
        func: ``RunYears -> Series`` with one value per run.
    """

    name: str
    unit: str
    en: str
    zh: str
    description: str
    kind: Kind
    func: Callable[[RunYears], pd.Series]


@dataclass(frozen=True)
class RatioMeasure(Labelled):
    """A ratio of two paired differences against the reference arm.

    Attributes:
        name: Column name.
        unit: Unit.
        en: English label.
        zh: Chinese label.
        description: How it is computed.
        numerator: Name of the per-run measure whose paired difference is the gain.
        denominator: Name of the per-run measure whose paired difference is the cost.
        scale: The denominator is divided by this (e.g. per 10,000 yuan).
        min_denominator: Below this absolute mean difference the ratio is undefined.
        kind: Always ``ratio``.
    """

    name: str
    unit: str
    en: str
    zh: str
    description: str
    numerator: str
    denominator: str
    scale: float = 1.0
    min_denominator: float = 1.0
    kind: Kind = "ratio"


@dataclass(frozen=True)
class ReferenceMeasure(Labelled):
    """A difference in differences of a village-table column against the reference arm.

    Attributes:
        name: Column name.
        unit: Unit.
        en: English label.
        zh: Chinese label.
        description: How it is computed.
        column: The ``village_yearly`` column.
        group: The ``village_yearly`` boolean column choosing the villages (in the arm's
            final year).
        kind: Always ``did``.
    """

    name: str
    unit: str
    en: str
    zh: str
    description: str
    column: str
    group: str = "allied"
    kind: Kind = "did"


#: Any measure (user-defined ones are :class:`model.experiments.user_measures.UserMeasure`).
AnyMeasure = Any


def _last(column: str) -> Callable[[RunYears], pd.Series]:
    return lambda s: s.last[column]


def _discounted(column: str, with_start: bool) -> Callable[[RunYears], pd.Series]:
    return lambda s: s.discounted_sum(column, with_start)


def _growth(column: str) -> Callable[[RunYears], pd.Series]:
    return lambda s: safe_divide(s.last[column], s.start[column]) - 1.0


def safe_divide(numerator: pd.Series, denominator: pd.Series, tiny: float = 1e-9) -> pd.Series:
    """``numerator / denominator`` with NaN where the denominator is (almost) zero."""
    den = denominator.astype(float)
    return numerator.astype(float) / den.where(den.abs() > tiny)


def _level(name: str, unit: str, en: str, zh: str, what: str) -> Measure:
    return Measure(name, unit, en, zh, f"{what} in the final year.", "level", _last(name))


_LEVELS: list[Measure] = [
    _level(
        "weak_villages",
        "villages",
        "Weak villages, final year",
        "末年薄弱村数",
        "Villages whose collective income is below the weak-village bar",
    ),
    _level(
        "weak_villages_allied",
        "villages",
        "Weak allied villages, final year",
        "末年联建薄弱村数",
        "Allied villages whose collective income is below the weak-village bar",
    ),
    _level(
        "collective_income_mean",
        "yuan/village/yr",
        "Collective income per village, mean, final year",
        "末年村集体收入均值",
        "Mean collective income of all villages",
    ),
    _level(
        "collective_income_median",
        "yuan/village/yr",
        "Collective income per village, median, final year",
        "末年村集体收入中位数",
        "Median collective income of all villages",
    ),
    _level(
        "collective_income_allied_mean",
        "yuan/village/yr",
        "Collective income of allied villages, mean, final year",
        "末年联建村集体收入均值",
        "Mean collective income of the villages in an alliance",
    ),
    _level(
        "per_capita_income",
        "yuan/person/yr",
        "Per-capita disposable income, final year",
        "末年人均可支配收入",
        "Household income of all sources per resident",
    ),
    *(
        _level(
            f"income_{s.name}",
            "yuan/person/yr",
            f"Per-capita income from {s.en.lower()}, final year",
            f"末年人均{s.zh}",
            f"Household income from {s.en.lower()} per resident",
        )
        for s in INCOME_SOURCES
    ),
    _level(
        "gini_household",
        "-",
        "Gini of household income per person, final year",
        "末年农户人均收入基尼系数",
        "Gini coefficient of household income per member, weighted by members",
    ),
    _level(
        "gini_collective",
        "-",
        "Gini of collective income, final year",
        "末年村集体收入基尼系数",
        "Gini coefficient of the villages' collective incomes",
    ),
    _level(
        "land_pooled_mu",
        "mu",
        "Land pooled, final year",
        "末年入股流转土地",
        "Land pooled into joint cooperatives and operators",
    ),
    _level(
        "active_sellers",
        "households",
        "Active livestream sellers, final year",
        "末年活跃电商主播户数",
        "Households selling by livestream",
    ),
]

_CHANGES: list[Measure] = [
    Measure(
        "weak_villages_lifted",
        "villages",
        "Weak villages lifted since year 0",
        "较基年减少的薄弱村数",
        "Weak villages in year 0 (the county as built) minus weak villages in the final year.",
        "change",
        lambda s: s.start["weak_villages"] - s.last["weak_villages"],
    ),
    Measure(
        "collective_growth",
        "share",
        "Collective income growth since year 0, all villages",
        "村集体收入较基年增长",
        "Final-year over year-0 mean collective income, minus 1.",
        "change",
        _growth("collective_income_mean"),
    ),
    Measure(
        "collective_growth_allied",
        "share",
        "Collective income growth since year 0, allied villages",
        "联建村集体收入较基年增长",
        "Final-year over year-0 mean collective income of allied villages, minus 1.",
        "change",
        _growth("collective_income_allied_mean"),
    ),
    Measure(
        "collective_growth_nonallied",
        "share",
        "Collective income growth since year 0, other villages",
        "非联建村集体收入较基年增长",
        "Final-year over year-0 mean collective income of villages in no alliance, minus 1.",
        "change",
        _growth("collective_income_nonallied_mean"),
    ),
]

_CUMULATIVE: list[Measure] = [
    Measure(
        "collective_income_cum",
        "yuan",
        "Collective income of all villages, discounted sum over the years",
        "村集体收入累计(贴现)",
        "Collective income of all villages in years 1 to the final year, discounted to year 0.",
        "cumulative",
        _discounted("collective_income_total", with_start=False),
    ),
    Measure(
        "per_capita_income_cum",
        "yuan/person",
        "Per-capita disposable income, discounted sum over the years",
        "人均可支配收入累计(贴现)",
        "Per-capita disposable income in years 1 to the final year, discounted to year 0.",
        "cumulative",
        _discounted("per_capita_income", with_start=False),
    ),
    Measure(
        "public_spending_cum",
        "yuan",
        "Public money spent, discounted sum over the years",
        "财政投入累计(贴现)",
        "Subsidies and projects paid from year 0 (set-up) to the final year, discounted to year 0.",
        "cumulative",
        _discounted("public_spending", with_start=True),
    ),
]

#: Per-run measures, in display order. Append here to add one.
MEASURES: list[Measure] = [*_LEVELS, *_CHANGES, *_CUMULATIVE]

#: Measures defined only against the reference arm, as ratios. Append here to add one.
RATIO_MEASURES: list[RatioMeasure] = [
    RatioMeasure(
        "collective_income_per_yuan",
        "yuan/yuan",
        "Collective income gained per yuan of extra public money",
        "每元财政投入带来的村集体收入",
        "Paired gain in discounted cumulative collective income over the paired extra "
        "discounted public money.",
        numerator="collective_income_cum",
        denominator="public_spending_cum",
    ),
    RatioMeasure(
        "per_capita_income_per_10k_yuan",
        "yuan/person per 10k yuan",
        "Per-capita income gained per 10,000 yuan of extra public money",
        "每万元财政投入带来的人均收入",
        "Paired gain in discounted cumulative per-capita income per 10,000 yuan of paired "
        "extra discounted public money.",
        numerator="per_capita_income_cum",
        denominator="public_spending_cum",
        scale=1e4,
    ),
]

#: Differences in differences against the reference arm. Append here to add one.
REFERENCE_MEASURES: list[ReferenceMeasure] = [
    ReferenceMeasure(
        "allied_collective_did",
        "yuan/village/yr",
        "Collective income of allied villages against the same villages in the reference",
        "联建村集体收入双重差分(对照同村)",
        "Mean change of the allied villages' collective income from year 0 to the final "
        "year, minus the change of the same villages in the reference run with the same "
        "replicate.",
        column="collective_income",
    ),
]


def all_measures(extra: Sequence[AnyMeasure] = ()) -> list[AnyMeasure]:
    """Every measure: the package's, then ``extra`` (user-defined ones)."""
    return [*MEASURES, *RATIO_MEASURES, *REFERENCE_MEASURES, *extra]


def measure_names(extra: Sequence[AnyMeasure] = ()) -> list[str]:
    """Every measure name (per-run, ratio, difference in differences, then ``extra``)."""
    return [m.name for m in all_measures(extra)]


def find_measure(name: str, extra: Sequence[AnyMeasure] = ()) -> AnyMeasure | None:
    """The measure of a name, or None."""
    return next((m for m in all_measures(extra) if m.name == name), None)


@dataclass(frozen=True)
class Selection:
    """The measures a comparison computes and shows.

    Attributes:
        per_run: Per-run measures to compute (shown ones and those ratios need).
        ratios: Ratio measures.
        did: Differences in differences.
        user: User-defined measures (:mod:`model.experiments.user_measures`).
        shown: Names shown, in order.
    """

    per_run: list[Measure]
    ratios: list[RatioMeasure]
    did: list[ReferenceMeasure]
    user: list[Any]
    shown: list[str]


def check_measures(
    measures: Sequence[str] | None, extra: Sequence[AnyMeasure] = (), flag: str = "--measure"
) -> None:
    """Raise :class:`InputError` (with a did-you-mean) for an unknown measure name."""
    known = measure_names(extra)
    for name in measures or ():
        if name not in known:
            raise InputError(
                flag, "measure", name, "one of " + ", ".join(known), did_you_mean(name, known)
            )


def select_measures(measures: Sequence[str] | None, extra: Sequence[AnyMeasure] = ()) -> Selection:
    """The measures to compute for a list of names (``None``: all; an empty list: none).

    Raises:
        InputError: For an unknown name, with a did-you-mean.
    """
    check_measures(measures, extra)
    chosen = list(measures) if measures is not None else measure_names(extra)
    ratios = [m for m in RATIO_MEASURES if m.name in chosen]
    did = [m for m in REFERENCE_MEASURES if m.name in chosen]
    needed = set(chosen) | {m.numerator for m in ratios} | {m.denominator for m in ratios}
    per_run = [m for m in MEASURES if m.name in needed]
    user = [m for m in extra if m.name in needed]
    return Selection(per_run, ratios, did, user, chosen)


def measure_table(extra: Sequence[AnyMeasure] = ()) -> pd.DataFrame:
    """Every measure with its kind, unit, labels and description (``jointvillage measures``)."""
    return pd.DataFrame(
        [
            {
                "name": m.name,
                "kind": m.kind,
                "unit": m.unit,
                "en": m.en,
                "zh": m.zh,
                "description": m.description,
            }
            for m in all_measures(extra)
        ]
    )
