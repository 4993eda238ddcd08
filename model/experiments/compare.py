"""Comparing scenarios: per-run measures, means with 95% intervals, paired differences.

Every measure is derived from a run's ``county_yearly`` table (one row per simulated year,
columns :data:`model.runner.COUNTY_MEASURES`) by a named function in :data:`MEASURES`; to
add one, append a :class:`Measure` (or a :class:`RatioMeasure`) there. Then, per scenario
(an *arm*: a scenario, or one sweep point of it) and measure:

* **mean and 95% interval across replicates**: ``mean ± t(0.975, n-1) · sd / sqrt(n)``;
* **paired difference against the reference arm**: replicate ``r`` of an arm minus
  replicate ``r`` of the reference (they share county, weather and prices: common random
  numbers), mean and t-interval of those differences. Pairing removes the noise the two
  arms share, so the interval of the difference is usually much narrower than the two
  intervals of the means suggest.

Ratio measures (income gained per yuan of public money) exist only against the reference::

    collective_income_per_yuan =
        mean_r[ Σ_years collective_income_total(arm, r) - Σ_years ... (ref, r) ]
        / mean_r[ public_spending_cum(arm, r, last year) - public_spending_cum(ref, r, last) ]

i.e. extra collective income over the whole horizon per extra yuan of public money spent
(subsidies and projects, booked cumulatively by the model). ``per_capita_income_per_10k_yuan``
is the same with the per-capita disposable income summed over the years, per 10,000 yuan.
(Total household income would need the population, which the county table does not carry.)
Its interval comes from the delta method for a ratio of paired means. When the arm spends
less than 1 yuan more (or less) than the reference, the ratio is undefined and reported as
NaN with a note, not as a huge number.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.atomic import atomic_write
from model.errors import InputError, did_you_mean
from model.runner import COUNTY_MEASURES, INCOME_SOURCES

#: Confidence level of every interval.
LEVEL = 0.95
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
        for source in INCOME_SOURCES
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
    columns = [c for c in COUNTY_MEASURES if c in ordered.columns]
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
    out.insert(0, "arm", _arm_labels(out))
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


def _arm_labels(runs: pd.DataFrame) -> pd.Series:
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


# --------------------------------------------------------------------------------------
# Statistics


def mean_ci(
    values: Sequence[float] | np.ndarray, level: float = LEVEL
) -> tuple[int, float, float, float]:
    """Mean and t-based confidence interval (NaN values are left out).

    Returns:
        ``(n, mean, low, high)``; the interval is NaN for fewer than 2 values.
    """
    from scipy import stats

    data = np.asarray(values, dtype=float)
    data = data[~np.isnan(data)]
    n = int(data.size)
    if n == 0:
        return 0, math.nan, math.nan, math.nan
    mean = float(data.mean())
    if n < 2:
        return n, mean, math.nan, math.nan
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * data.std(ddof=1) / math.sqrt(n))
    return n, mean, mean - half, mean + half


def ratio_ci(
    gains: np.ndarray, costs: np.ndarray, level: float = LEVEL, min_cost: float = 1.0
) -> tuple[int, float, float, float, str]:
    """Ratio of mean paired differences with a delta-method t-interval.

    Args:
        gains: Paired differences of the numerator, one per replicate.
        costs: Paired differences of the denominator (same replicates).
        level: Confidence level.
        min_cost: Smallest absolute mean cost for which the ratio is defined.

    Returns:
        ``(n, ratio, low, high, note)``.
    """
    from scipy import stats

    keep = ~(np.isnan(gains) | np.isnan(costs))
    gains, costs = gains[keep], costs[keep]
    n = int(gains.size)
    if n == 0:
        return 0, math.nan, math.nan, math.nan, "no paired replicates"
    mean_cost = float(costs.mean())
    if abs(mean_cost) < min_cost:
        return n, math.nan, math.nan, math.nan, "public money differs by < 1 yuan: undefined"
    ratio = float(gains.mean()) / mean_cost
    if n < 2:
        return n, ratio, math.nan, math.nan, ""
    cov = np.cov(gains, costs, ddof=1)
    var = (cov[0, 0] - 2 * ratio * cov[0, 1] + ratio**2 * cov[1, 1]) / (n * mean_cost**2)
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * math.sqrt(max(var, 0.0)))
    return n, ratio, ratio - half, ratio + half, ""


def compare(
    results: pd.DataFrame,
    reference: str | None = None,
    measures: Sequence[str] | None = None,
    level: float = LEVEL,
) -> pd.DataFrame:
    """Means with intervals per arm and measure, and paired differences against a reference.

    Args:
        results: ``county_yearly`` rows (from
            :func:`model.experiments.batch.load_results`, or any frame
            with ``scenario``, ``replicate``, ``year`` and the county measures).
        reference: Arm label or scenario name of the reference (default: the first arm).
        measures: Measure names (default: all of :data:`MEASURES` and :data:`RATIO_MEASURES`).
        level: Confidence level.

    Returns:
        A tidy frame, one row per (arm, measure): ``arm, scenario, variant, measure, label,
        unit, n, mean, ci_low, ci_high, pairs, diff, diff_low, diff_high, reference, note``
        and any ``param:*`` columns. For ratio measures ``mean``/``ci_*`` hold the ratio and
        the ``diff`` columns are empty; the reference arm has no ratio.
    """
    per_run, ratios = select_measures(measures)
    runs = run_measures(results, [m.name for m in per_run])
    arms = list(dict.fromkeys(runs["arm"]))
    ref = _reference_arm(runs, arms, reference)
    params = [c for c in runs.columns if c.startswith("param:")]
    shown = [m for m in per_run if not measures or m.name in measures]
    ref_runs = runs[runs["arm"] == ref]
    rows = []
    for arm in arms:
        mine = runs[runs["arm"] == arm]
        head = mine.iloc[0]
        base = {"arm": arm, "scenario": head["scenario"], "variant": int(head["variant"])}
        base.update({p: head[p] for p in params})
        paired = mine.merge(ref_runs, on="replicate", how="inner", suffixes=("", "__ref"))
        for measure in shown:
            n, mean, low, high = mean_ci(mine[measure.name].to_numpy(), level)
            diffs = (paired[measure.name] - paired[f"{measure.name}__ref"]).to_numpy(float)
            pairs, diff, diff_low, diff_high = mean_ci(diffs, level)
            rows.append(
                {
                    **base,
                    "measure": measure.name,
                    "label": measure.label,
                    "unit": measure.unit,
                    "n": n,
                    "mean": mean,
                    "ci_low": low,
                    "ci_high": high,
                    "pairs": pairs,
                    "diff": diff,
                    "diff_low": diff_low,
                    "diff_high": diff_high,
                    "reference": ref,
                    "note": "",
                }
            )
        for ratio in ratios:
            if arm == ref:
                result = (0, math.nan, math.nan, math.nan, "reference")
            else:
                gains = paired[ratio.numerator] - paired[f"{ratio.numerator}__ref"]
                costs = (paired[ratio.denominator] - paired[f"{ratio.denominator}__ref"]) / (
                    ratio.scale
                )
                result = ratio_ci(
                    gains.to_numpy(float),
                    costs.to_numpy(float),
                    level,
                    ratio.min_denominator / ratio.scale,
                )
            pairs, value, low, high, note = result
            rows.append(
                {
                    **base,
                    "measure": ratio.name,
                    "label": ratio.label,
                    "unit": ratio.unit,
                    "n": pairs,
                    "mean": value,
                    "ci_low": low,
                    "ci_high": high,
                    "pairs": pairs,
                    "diff": math.nan,
                    "diff_low": math.nan,
                    "diff_high": math.nan,
                    "reference": ref,
                    "note": note,
                }
            )
    table = pd.DataFrame(rows)
    order = [*table.columns.drop(params), *params]
    return table[order]


def first_arm(results: pd.DataFrame, scenario: str | None) -> str | None:
    """The first arm (sweep point) of a scenario: the default reference of a sweep."""
    if scenario is None or "scenario" not in results.columns:
        return None
    frame = results if "variant" in results.columns else results.assign(variant=0)
    params = [c for c in frame.columns if c.startswith("param:")]
    arms = frame[["scenario", "variant", *params]].drop_duplicates(["scenario", "variant"])
    arms = arms.reset_index(drop=True)
    labels = _arm_labels(arms)
    matching = labels[arms["scenario"] == scenario]
    return str(matching.iloc[0]) if len(matching) else None


def _reference_arm(runs: pd.DataFrame, arms: list[str], reference: str | None) -> str:
    if reference is None:
        return arms[0]
    if reference in arms:
        return reference
    matching = list(dict.fromkeys(runs.loc[runs["scenario"] == reference, "arm"]))
    if len(matching) == 1:
        return matching[0]
    if len(matching) > 1:
        raise InputError(
            "--reference",
            "reference",
            reference,
            "scenario has several sweep points; name one: " + "; ".join(matching),
        )
    names = list(dict.fromkeys([*runs["scenario"].astype(str), *arms]))
    raise InputError(
        "--reference",
        "reference",
        reference,
        "one of the compared scenarios: " + ", ".join(names),
        did_you_mean(reference, names),
    )


# --------------------------------------------------------------------------------------
# Running a comparison from scenario files


def comparison_experiment(
    scenarios: Sequence[Any],
    replicates: int = 5,
    reference: str | None = None,
    seed: int | None = None,
    overrides: Sequence[str] = (),
) -> Any:
    """An experiment running scenarios on common random numbers.

    Args:
        scenarios: Scenario files (paths or shipped names) or :class:`~model.scenario.Scenario`
            objects.
        replicates: Replicates per scenario.
        reference: Reference scenario name (default: the first).
        seed: Common seed (default: the reference scenario's own seed).
        overrides: ``section.key=value`` strings applied to every scenario.

    Returns:
        A validated :class:`~model.experiment.Experiment`.
    """
    from model.experiments.experiment import validate_experiment
    from model.scenario import Scenario, load_scenario, resolve_path

    if not scenarios:
        raise InputError("compare", "scenarios", [], "at least one scenario")
    entries = []
    loaded = []
    names: list[str] = []
    for item in scenarios:
        if isinstance(item, Scenario):
            scenario, path = item, None
        else:
            path = resolve_path(item)
            scenario = load_scenario(path, list(overrides))
        name = scenario.name
        if name == "unnamed" or name in names:
            name = path.stem if path is not None else f"scenario{len(names) + 1}"
        while name in names:
            name += "'"
        names.append(name)
        loaded.append(scenario)
        entries.append((name, path, scenario))
    ref_name = reference or names[0]
    if ref_name not in names:
        raise InputError(
            "--reference",
            "reference",
            ref_name,
            "one of the compared scenarios: " + ", ".join(names),
            did_you_mean(ref_name, names),
        )
    if seed is None:
        seed = loaded[names.index(ref_name)].seed
    data = {
        "name": "compare",
        "description": "scenarios compared on common random numbers",
        "seed": seed,
        "replicates": replicates,
        "reference": ref_name,
        "scenarios": [
            {"name": name, "set": list(overrides), **({"file": str(path)} if path else {})}
            for name, path, _ in entries
        ],
    }
    experiment = validate_experiment(data, "compare")
    for entry, (_, path, scenario) in zip(experiment.scenarios, entries, strict=True):
        if path is None:
            # A Scenario object from Python: its data stands in for a file.
            entry._data = scenario.to_dict()
            entry._data_origins = dict(scenario._origins)
    return experiment


def compare_scenarios(
    scenarios: Sequence[Any],
    replicates: int = 5,
    reference: str | None = None,
    seed: int | None = None,
    overrides: Sequence[str] = (),
    measures: Sequence[str] | None = None,
    out: str | Path | None = None,
    workers: int | None = 0,
    scheduler: str | None = None,
    progress: bool = False,
    runner: Any = None,
) -> pd.DataFrame:
    """Run scenarios on common random numbers and compare them (the ``compare`` command).

    Example (a notebook)::

        from model.experiments.compare import compare_scenarios
        table = compare_scenarios(["baseline.toml", "anqiu.toml"], replicates=10)
        table[table.measure == "per_capita_income"]

    Args:
        scenarios: Scenario files or ``Scenario`` objects.
        replicates: Replicates per scenario.
        reference: Reference scenario (default: the first).
        seed: Common seed (default: the reference scenario's seed).
        overrides: ``section.key=value`` applied to every scenario.
        measures: Measures to report (default: all).
        out: Results folder to keep the runs in (resumable); default: a temporary folder.
        workers: 0 = in this process (default); N = local Dask cluster.
        scheduler: Address of a running Dask scheduler.
        progress: Show a progress bar.
        runner: Run function (default :func:`model.runner.run_scenario`).

    Returns:
        The tidy table of :func:`compare`.
    """
    from model.experiments.batch import execute, load_results, plan_runs

    experiment = comparison_experiment(scenarios, replicates, reference, seed, overrides)
    plan = plan_runs(experiment)
    with tempfile.TemporaryDirectory(prefix="jointvillage-compare-") as tmp:
        target = Path(out) if out is not None else Path(tmp) / "runs"
        execute(plan, target, workers, scheduler, progress, runner=runner)
        results = load_results(target)
    return compare(results, experiment.reference_name, measures)


# --------------------------------------------------------------------------------------
# Files


def write_comparison(table: pd.DataFrame, folder: str | Path) -> Path:
    """Write ``compare.csv`` into a folder; returns its path (the figure is drawn by viz)."""
    path = Path(folder) / "compare.csv"
    atomic_write(path, table.to_csv(index=False))
    return path
