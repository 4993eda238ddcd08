"""Comparing scenarios: means with 95% intervals, paired differences, income per yuan.

Per scenario (an *arm*: a scenario, or one sweep point of it, see
:mod:`model.experiments.measures`) and measure:

* **mean and 95% interval across replicates**: ``mean ± t(0.975, n-1) · sd / sqrt(n)``;
* **paired difference against the reference arm**: replicate ``r`` of an arm minus
  replicate ``r`` of the reference (they share county, weather and prices: common random
  numbers), mean and t-interval of those differences. Pairing removes the noise the two
  arms share, so the interval of the difference is usually much narrower than the two
  intervals of the means suggest.

Ratio measures (income gained per yuan of public money, :data:`RATIO_MEASURES`) are the
ratio of two mean paired differences; their interval comes from the delta method for a
ratio of paired means. When the arm spends less than 1 yuan more (or less) than the
reference, the ratio is undefined and reported as NaN with a note, not as a huge number.

Every row says from how many runs it comes (``n``). When the arms do not all have the
planned number of runs (an incomplete or partly failed results folder), :func:`compare`
warns with an :class:`IncompleteComparisonWarning` naming each arm's n: means from n=2
and n=1 are not comparable as if they were from n=5.
"""

from __future__ import annotations

import math
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.atomic import atomic_write
from model.errors import InputError, did_you_mean
from model.experiments.batch import load_results
from model.experiments.execute import execute
from model.experiments.experiment import Experiment, validate_experiment
from model.experiments.measures import Measure, RatioMeasure, run_measures, select_measures
from model.experiments.plan import plan_runs
from model.scenario import Scenario, load_scenario, resolve_path

#: Confidence level of every interval.
LEVEL = 0.95


class IncompleteComparisonWarning(UserWarning):
    """Some arms of a comparison have fewer runs than others, or than were planned."""


def warn_if_incomplete(runs: pd.DataFrame, planned: int | None = None) -> None:
    """Warn (:class:`IncompleteComparisonWarning`) when the arms' run counts are uneven.

    Args:
        runs: One row per run, with an ``arm`` column (from :func:`run_measures`).
        planned: Runs planned per arm (``None``: the largest count found).
    """
    counts = runs.groupby("arm", sort=False).size()
    expected = max(int(counts.max()) if len(counts) else 0, planned or 0)
    if (counts == expected).all():
        return
    arms = ", ".join(f"{arm} n={n}" for arm, n in counts.items())
    warnings.warn(
        f"incomplete comparison: runs per arm differ ({arms}; {expected} planned per arm)",
        IncompleteComparisonWarning,
        stacklevel=3,
    )


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
            ``results.attrs["planned_replicates"]`` (set by ``load_results``) is the number
            of runs planned per arm.
        reference: Arm label or scenario name of the reference (default: the first arm).
        measures: Measure names (default: all of :data:`MEASURES` and :data:`RATIO_MEASURES`).
        level: Confidence level.

    Returns:
        A tidy frame, one row per (arm, measure): ``arm, scenario, variant, measure, label,
        unit, n, mean, ci_low, ci_high, pairs, diff, diff_low, diff_high, reference, note``
        and any ``param:*`` columns. For ratio measures ``mean``/``ci_*`` hold the ratio and
        the ``diff`` columns are empty; the reference arm has no ratio.

    Warns:
        IncompleteComparisonWarning: When the arms do not all have the same number of
            runs, or fewer than planned.
    """
    per_run, ratios = select_measures(measures)
    runs = run_measures(results, [m.name for m in per_run])
    warn_if_incomplete(runs, results.attrs.get("planned_replicates"))
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
            stats = _measure_stats(mine[measure.name], _paired_diff(paired, measure.name), level)
            rows.append({**base, **_labels(measure), **stats, "reference": ref, "note": ""})
        for ratio in ratios:
            stats, note = _ratio_stats(ratio, paired, arm == ref, level)
            rows.append({**base, **_labels(ratio), **stats, "reference": ref, "note": note})
    table = pd.DataFrame(rows)
    order = [*table.columns.drop(params), *params]
    return table[order]


def _labels(measure: Measure | RatioMeasure) -> dict[str, str]:
    return {"measure": measure.name, "label": measure.label, "unit": measure.unit}


def _paired_diff(paired: pd.DataFrame, name: str) -> pd.Series:
    """Replicate-by-replicate difference of a measure against the reference arm."""
    return paired[name] - paired[f"{name}__ref"]


def _measure_stats(values: pd.Series, diffs: pd.Series, level: float) -> dict[str, Any]:
    """Mean and interval of an arm's runs, and of their paired differences."""
    n, mean, low, high = mean_ci(values.to_numpy(), level)
    pairs, diff, diff_low, diff_high = mean_ci(diffs.to_numpy(float), level)
    return {
        "n": n,
        "mean": mean,
        "ci_low": low,
        "ci_high": high,
        "pairs": pairs,
        "diff": diff,
        "diff_low": diff_low,
        "diff_high": diff_high,
    }


def _ratio_stats(
    ratio: RatioMeasure, paired: pd.DataFrame, is_reference: bool, level: float
) -> tuple[dict[str, Any], str]:
    """A ratio measure's value and interval in the ``mean``/``ci_*`` columns, and a note."""
    if is_reference:
        pairs, value, low, high, note = 0, math.nan, math.nan, math.nan, "reference"
    else:
        gains = _paired_diff(paired, ratio.numerator)
        costs = _paired_diff(paired, ratio.denominator) / ratio.scale
        pairs, value, low, high, note = ratio_ci(
            gains.to_numpy(float), costs.to_numpy(float), level, ratio.min_denominator / ratio.scale
        )
    stats = {
        "n": pairs,
        "mean": value,
        "ci_low": low,
        "ci_high": high,
        "pairs": pairs,
        "diff": math.nan,
        "diff_low": math.nan,
        "diff_high": math.nan,
    }
    return stats, note


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
) -> Experiment:
    """An experiment running scenarios on common random numbers.

    Args:
        scenarios: Scenario files (paths or shipped names) or :class:`~model.scenario.Scenario`
            objects.
        replicates: Replicates per scenario.
        reference: Reference scenario name (default: the first).
        seed: Common seed (default: the reference scenario's own seed).
        overrides: ``section.key=value`` strings applied to every scenario.

    Returns:
        A validated :class:`~model.experiments.experiment.Experiment`.
    """
    if not scenarios:
        raise InputError("compare", "scenarios", [], "at least one scenario")
    entries = _named_entries(scenarios, overrides)
    names = [name for name, _, _ in entries]
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
        seed = entries[names.index(ref_name)][2].seed
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


def _named_entries(
    scenarios: Sequence[Any], overrides: Sequence[str]
) -> list[tuple[str, Path | None, Scenario]]:
    """``(name, file or None, scenario)`` per scenario, the names made unique."""
    entries: list[tuple[str, Path | None, Scenario]] = []
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
        entries.append((name, path, scenario))
    return entries


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
