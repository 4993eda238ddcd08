"""Measures: what a comparison or a sensitivity analysis reads off each run.

Every measure is derived from a run's ``county_yearly`` table (one row per simulated year,
columns :data:`model.runner.COUNTY_MEASURES`) by a named function in :data:`MEASURES`; to
add one, append a :class:`Measure` (or a :class:`RatioMeasure`) there. Per-capita income
by source has one measure per registered household income source
(:data:`model.registry.INCOME_SOURCES`).

Ratio measures (income gained per yuan of public money) exist only against a reference
arm; :mod:`model.experiments.compare` computes them::

    collective_income_per_yuan =
        mean_r[ Σ_years collective_income_total(arm, r) - Σ_years ... (ref, r) ]
        / mean_r[ public_spending_cum(arm, r, last year) - public_spending_cum(ref, r, last) ]

i.e. extra collective income over the whole horizon per extra yuan of public money spent
(subsidies and projects, booked cumulatively by the model). ``per_capita_income_per_10k_yuan``
is the same with the per-capita disposable income summed over the years, per 10,000 yuan.
(Total household income would need the population, which the county table does not carry.)

An *arm* is a scenario, or one sweep point of it: :func:`run_measures` labels every run
with its arm (``scenario`` or ``scenario [rent=800]``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from model.errors import InputError, did_you_mean
from model.registry import INCOME_SOURCES
from model.runner import county_measures

#: Columns that identify one run of an arm.
RUN_KEYS = ("scenario", "variant", "replicate")


@dataclass(frozen=True)
class YearStats:
    """A run's yearly table reduced to what measures need (index: one row per run).

    Attributes:
        first: First simulated year's row.
        last: Last simulated year's row.
        total: Sum over the years.
    """

    first: pd.DataFrame
    last: pd.DataFrame
    total: pd.DataFrame


@dataclass(frozen=True)
class Measure:
    """A per-run measure.

    Attributes:
        name: Column name in tables and the ``--measure`` option.
        label: Human-readable name for tables and figures.
        unit: Unit.
        func: ``YearStats -> Series`` with one value per run.
    """

    name: str
    label: str
    unit: str
    func: Callable[[YearStats], pd.Series]


@dataclass(frozen=True)
class RatioMeasure:
    """A ratio of two paired differences against the reference arm.

    Attributes:
        name: Column name.
        label: Human-readable name.
        unit: Unit.
        numerator: Name of the per-run measure whose paired difference is the gain.
        denominator: Name of the per-run measure whose paired difference is the cost.
        scale: The denominator is divided by this (e.g. per 10,000 yuan).
        min_denominator: Below this absolute mean difference the ratio is undefined.
    """

    name: str
    label: str
    unit: str
    numerator: str
    denominator: str
    scale: float = 1.0
    min_denominator: float = 1.0


def _last(column: str) -> Callable[[YearStats], pd.Series]:
    return lambda s: s.last[column]


def _total(column: str) -> Callable[[YearStats], pd.Series]:
    return lambda s: s.total[column]


def _growth(column: str) -> Callable[[YearStats], pd.Series]:
    return lambda s: safe_divide(s.last[column], s.first[column]) - 1.0


def safe_divide(numerator: pd.Series, denominator: pd.Series, tiny: float = 1e-9) -> pd.Series:
    """``numerator / denominator`` with NaN where the denominator is (almost) zero."""
    den = denominator.astype(float)
    return numerator.astype(float) / den.where(den.abs() > tiny)


#: Per-run measures, in display order. Append here to add one.
MEASURES: list[Measure] = [
    Measure(
        "collective_growth_allied",
        "Collective income growth, allied villages (last/first year - 1)",
        "share",
        _growth("collective_income_allied_mean"),
    ),
    Measure(
        "collective_growth_nonallied",
        "Collective income growth, non-allied villages (last/first year - 1)",
        "share",
        _growth("collective_income_nonallied_mean"),
    ),
    Measure(
        "weak_villages_lifted",
        "Weak villages lifted above 100k yuan (first - last year)",
        "villages",
        lambda s: s.first["weak_villages"] - s.last["weak_villages"],
    ),
    Measure(
        "per_capita_income",
        "Per-capita disposable income, last year",
        "yuan/person/yr",
        _last("per_capita_income"),
    ),
    *(
        Measure(
            f"income_{source}",
            f"Per-capita income from {source}, last year",
            "yuan/person/yr",
            _last(f"income_{source}"),
        )
        for source in INCOME_SOURCES.names()
    ),
    Measure("gini_household", "Gini of household income, last year", "-", _last("gini_household")),
    Measure(
        "gini_collective", "Gini of collective income, last year", "-", _last("gini_collective")
    ),
    Measure(
        "collective_income_cum",
        "Collective income of all villages, summed over the years",
        "yuan",
        _total("collective_income_total"),
    ),
    Measure(
        "per_capita_income_cum",
        "Per-capita disposable income, summed over the years",
        "yuan/person",
        _total("per_capita_income"),
    ),
    Measure(
        "public_spending_cum",
        "Public money spent, cumulative to the last year",
        "yuan",
        _last("public_spending_cum"),
    ),
]

#: Measures defined only against the reference arm. Append here to add one.
RATIO_MEASURES: list[RatioMeasure] = [
    RatioMeasure(
        "collective_income_per_yuan",
        "Collective income gained per yuan of extra public money",
        "yuan/yuan",
        numerator="collective_income_cum",
        denominator="public_spending_cum",
    ),
    RatioMeasure(
        "per_capita_income_per_10k_yuan",
        "Per-capita income gained (summed over years) per 10,000 yuan of extra public money",
        "yuan/person per 10k yuan",
        numerator="per_capita_income_cum",
        denominator="public_spending_cum",
        scale=1e4,
    ),
]


def measure_names() -> list[str]:
    """Every measure name (per-run, then ratio)."""
    return [m.name for m in MEASURES] + [m.name for m in RATIO_MEASURES]


def select_measures(
    measures: Sequence[str] | None,
) -> tuple[list[Measure], list[RatioMeasure]]:
    """The per-run and ratio measures to compute for a list of names (default all).

    Raises:
        InputError: For an unknown name, with a did-you-mean.
    """
    if not measures:
        return list(MEASURES), list(RATIO_MEASURES)
    known = measure_names()
    for name in measures:
        if name not in known:
            raise InputError(
                "--measure",
                "measure",
                name,
                "one of " + ", ".join(known),
                did_you_mean(name, known),
            )
    ratios = [m for m in RATIO_MEASURES if m.name in measures]
    needed = set(measures) | {m.numerator for m in ratios} | {m.denominator for m in ratios}
    return [m for m in MEASURES if m.name in needed], ratios


# --------------------------------------------------------------------------------------
# Per-run measures


def run_measures(results: pd.DataFrame, measures: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per run with every per-run measure.

    Args:
        results: ``county_yearly`` rows of many runs (e.g.
            :func:`model.experiments.batch.load_results`);
            needs ``scenario``, ``replicate``, ``year`` and the county measures; ``variant``
            and ``param:*`` columns are used when present.
        measures: Names to compute (default all).

    Returns:
        Columns ``arm, scenario, variant, replicate``, any ``param:*``/``design:*``
        columns, then one column per measure.
    """
    per_run, _ = select_measures(measures)
    frame = _prepare(results)
    keys = list(RUN_KEYS)
    # Scenarios keep the order in which they come (the experiment's), not the alphabet's.
    rank = {name: i for i, name in enumerate(dict.fromkeys(frame["scenario"]))}
    ordered = frame.assign(_rank=frame["scenario"].map(rank))
    ordered = ordered.sort_values(["_rank", "variant", "replicate", "year"], kind="stable")
    ordered = ordered.drop(columns="_rank")
    columns = [c for c in county_measures() if c in ordered.columns]
    stats = YearStats(
        first=ordered.drop_duplicates(keys, keep="first").set_index(keys)[columns],
        last=ordered.drop_duplicates(keys, keep="last").set_index(keys)[columns],
        total=ordered.groupby(keys, sort=False)[columns].sum(min_count=1),
    )
    labels = [c for c in frame.columns if c.startswith(("param:", "design:"))]
    out = ordered.drop_duplicates(keys).set_index(keys)[labels].copy()
    for measure in per_run:
        try:
            out[measure.name] = measure.func(stats).astype(float)
        except KeyError as err:
            raise InputError(
                "results", "measure", measure.name, f"needs the column {err} of county_yearly"
            ) from None
    out = out.reset_index()
    out.insert(0, "arm", arm_labels(out))
    return out


def _prepare(results: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in ("scenario", "replicate", "year") if c not in results.columns]
    if missing:
        raise InputError(
            "results", "columns", missing, "county_yearly rows with scenario, replicate and year"
        )
    if results.empty:
        raise InputError("results", allowed="no runs to compare (the results are empty)")
    frame = results if "variant" in results.columns else results.assign(variant=0)
    return frame


def arm_labels(runs: pd.DataFrame) -> pd.Series:
    """``scenario``, or ``scenario [rent=800]`` when a scenario has several variants."""
    params = [c for c in runs.columns if c.startswith("param:")]
    short = _short_names([c.removeprefix("param:") for c in params])
    variants = runs.groupby("scenario", sort=False)["variant"].nunique()
    labels = []
    for row in runs[["scenario", "variant", *params]].itertuples(index=False):
        scenario, variant, *values = row
        if variants[scenario] <= 1:
            labels.append(str(scenario))
        elif params:
            shown = ", ".join(
                f"{name}={_fmt_value(value)}" for name, value in zip(short, values, strict=True)
            )
            labels.append(f"{scenario} [{shown}]")
        else:
            labels.append(f"{scenario} #{variant}")
    return pd.Series(labels, index=runs.index, dtype=object)


def _short_names(dotted: list[str]) -> list[str]:
    last = [d.rsplit(".", 1)[-1] for d in dotted]
    return [s if last.count(s) == 1 else d for s, d in zip(last, dotted, strict=True)]


def _fmt_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def first_arm(results: pd.DataFrame, scenario: str | None) -> str | None:
    """The first arm (sweep point) of a scenario: the default reference of a sweep."""
    if scenario is None or "scenario" not in results.columns:
        return None
    frame = results if "variant" in results.columns else results.assign(variant=0)
    params = [c for c in frame.columns if c.startswith("param:")]
    arms = frame[["scenario", "variant", *params]].drop_duplicates(["scenario", "variant"])
    arms = arms.reset_index(drop=True)
    labels = arm_labels(arms)
    matching = labels[arms["scenario"] == scenario]
    return str(matching.iloc[0]) if len(matching) else None
