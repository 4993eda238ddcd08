"""Running and reading comparisons: scenarios on common random numbers, results folders.

:func:`compare_scenarios` runs scenario files (or ``Scenario`` objects) into a results
folder and compares them; :func:`compare_folder` compares the runs of any results folder with
the experiment stored in it. The statistics are :func:`model.experiments.compare.compare`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from model.atomic import atomic_write
from model.errors import InputError, did_you_mean
from model.experiments.arms import first_arm
from model.experiments.batch import load_results, manifest
from model.experiments.compare import compare
from model.experiments.execute import execute
from model.experiments.experiment import Experiment, validate_experiment
from model.experiments.measures import DEFAULT_DISCOUNT_RATE, check_measures, measure_names
from model.experiments.plan import plan_runs
from model.experiments.price_basis import CONSTANT_NOTE, in_prices
from model.experiments.user_measures import MeasureSpec, UserMeasure, build_measures
from model.mechanisms.prices import PriceBasis
from model.scenario import Scenario, load_scenario, resolve_path
from model.schema_errors import input_error


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
        # The village table is kept for the differences in differences.
        "outputs": {"tables": ["county_yearly", "village_yearly"]},
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
    discount_rate: float = DEFAULT_DISCOUNT_RATE,
    prices: PriceBasis = "current",
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
        discount_rate: Discount rate per year of the cumulative measures.
        prices: Money in ``current`` or ``constant`` 2023 yuan.

    Returns:
        The tidy table of :func:`compare`.
    """
    check_measures(measures)
    experiment = comparison_experiment(scenarios, replicates, reference, seed, overrides)
    plan = plan_runs(experiment)
    with tempfile.TemporaryDirectory(prefix="jointvillage-compare-") as tmp:
        target = Path(out) if out is not None else Path(tmp) / "runs"
        execute(plan, target, workers, scheduler, progress, runner=runner)
        return compare_folder(
            target, experiment.reference_name, measures, discount_rate, prices=prices
        )


def stored_measures(spec: dict[str, Any], source: str) -> list[UserMeasure]:
    """The user-defined measures of an experiment as stored in a results folder's manifest."""
    try:
        specs = [MeasureSpec.model_validate(m) for m in spec.get("measures", [])]
    except ValidationError as exc:
        raise input_error(exc, MeasureSpec, f"{source} (manifest.json measures)") from None
    return build_measures(specs, source, measure_names())


def compare_folder(
    folder: str | Path,
    reference: str | None = None,
    measures: Sequence[str] | None = None,
    discount_rate: float | None = None,
    results: pd.DataFrame | None = None,
    prices: PriceBasis = "current",
) -> pd.DataFrame:
    """The comparison of a results folder (a batch's, or a comparison's).

    The experiment stored in the folder's manifest gives the default reference (its first
    sweep point, for a sweep), the user-defined measures and the discount rate; the
    differences in differences use the runs' ``village_yearly`` table when it was kept.

    Args:
        folder: The results folder.
        reference: Reference arm or scenario (default: the experiment's).
        measures: Measure names (default: all, the experiment's own included).
        discount_rate: Discount rate per year (default: the experiment's).
        results: The folder's ``county_yearly`` rows when the caller has read them already.
        prices: Money in ``current`` or ``constant`` 2023 yuan (units then say so).
    """
    results = load_results(folder) if results is None else results
    entry = manifest(folder).get("experiment") or {}
    spec = entry.get("spec") or {}
    user = stored_measures(spec, str(folder))
    check_measures(measures, user)
    kept = entry.get("tables") or ["county_yearly"]
    # Only what the measures read: the village table (differences in differences) and
    # the tables of the user measures shown.
    wanted = {"village_yearly"} | {
        t for m in user if not measures or m.name in measures for t in m.tables
    }
    tables = {
        t: in_prices(load_results(folder, t), prices, t, county=results)
        for t in kept
        if t != "county_yearly" and t in wanted
    }
    results = in_prices(results, prices)
    if discount_rate is None:
        discount_rate = float(spec.get("discount_rate", DEFAULT_DISCOUNT_RATE))
    if reference is None:
        reference = first_arm(results, entry.get("reference"))
    table = compare(
        results,
        reference,
        measures,
        villages=tables.get("village_yearly"),
        user=user,
        tables=tables,
        discount_rate=discount_rate,
    )
    if prices == "constant":
        money = table["unit"].str.startswith("yuan") & ~table["unit"].str.startswith("yuan/yuan")
        table.loc[money, "unit"] = table.loc[money, "unit"] + CONSTANT_NOTE
    return table


# --------------------------------------------------------------------------------------
# Files


def write_comparison(table: pd.DataFrame, folder: str | Path) -> Path:
    """Write ``compare.csv`` into a folder; returns its path (the figure is drawn by viz)."""
    path = Path(folder) / "compare.csv"
    atomic_write(path, table.to_csv(index=False))
    return path
