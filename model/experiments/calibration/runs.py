"""The model runs of a calibration: design points through the one executor, read as targets.

A set of design points (free parameter -> value) becomes an experiment with a ``list``
sweep over the calibration's scenarios (:mod:`model.experiments.experiment`), so that every
point is run in every scenario with the calibration's seed and replicates (common random
numbers across scenarios: a target read ``against`` another scenario is a paired
difference). The plan is executed by :func:`model.experiments.execute.execute` into its
own results folder: Dask, the progress bar and resuming after an interruption come from
there. A target's value at a point is its measure averaged over the point's replicates.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.errors import InputError
from model.experiments.arms import RUN_KEYS
from model.experiments.batch import load_results
from model.experiments.calibration.spec import Calibration
from model.experiments.execute import BatchSummary, execute
from model.experiments.experiment import Experiment, validate_experiment
from model.experiments.per_run import run_measures
from model.experiments.plan import plan_runs
from model.scenario import is_integer_field


def points_experiment(cal: Calibration, points: np.ndarray, name: str) -> Experiment:
    """The experiment running ``points`` (one row per point, columns = free parameters)."""
    sweep = {
        n: [round(v) if is_integer_field(n) else float(v) for v in points[:, j]]
        for j, n in enumerate(cal.names)
    }
    data: dict[str, Any] = {
        "name": f"{cal.name}-{name}",
        "description": f"calibration {cal.name}: {name}",
        "seed": cal.seed,
        "replicates": cal.replicates,
        "outputs": {"tables": list(cal.tables)},
        "scenarios": [entry.model_dump(exclude_defaults=True) for entry in cal.scenarios],
        "sweep": {"method": "list", "parameters": sweep},
        "measures": [m.model_dump(exclude_none=True) for m in cal.measures],
    }
    experiment = validate_experiment(data, cal.source)
    # Scenario files are found relative to the calibration file, as in experiment files.
    for mine, entry in zip(experiment.scenarios, cal.scenarios, strict=True):
        mine._data, mine._data_origins = entry._data, dict(entry._data_origins)
    experiment._source = cal.source
    return experiment


def check_priors(cal: Calibration) -> None:
    """Refuse a prior whose ends make an invalid scenario, before any run.

    Each parameter is set to its prior's minimum and maximum, the others at their prior's
    middle, in every scenario: a cross-field rule of the schema (shares that must sum to
    1, bounds between two fields) is then reported against the calibration's prior.

    Raises:
        InputError: Naming the calibration file, the parameter and the scenario's rule.
    """
    ranges = cal.ranges
    middle = np.array([(ranges[n][0] + ranges[n][1]) / 2 for n in cal.names])
    for j, name in enumerate(cal.names):
        ends = np.tile(middle, (2, 1))
        ends[:, j] = ranges[name]
        try:
            plan_runs(points_experiment(cal, ends, "prior-check"))
        except InputError as err:
            raise InputError(
                cal.source,
                f"parameters.{name}",
                {"min": ranges[name][0], "max": ranges[name][1]},
                "a prior whose values make valid scenarios",
                f"{err.source}: {err.field} {err.allowed}",
            ) from None


def run_points(
    cal: Calibration,
    points: np.ndarray,
    out: Path,
    name: str,
    execution: dict[str, Any],
) -> tuple[pd.DataFrame, BatchSummary]:
    """Run the points into ``out`` and read every target per run.

    Args:
        cal: The calibration.
        points: Design points, one row each.
        out: The results folder (resumed when it holds these runs already).
        name: What the runs are (``wave_1``, ``predictive``).
        execution: ``workers``, ``scheduler``, ``progress`` (and ``runner``) of the executor.

    Returns:
        One row per (point, replicate): ``variant, replicate``, the free parameters and one
        column per target label; and the executor's summary.
    """
    plan = plan_runs(points_experiment(cal, points, name))
    summary = execute(plan, out, label=f"{cal.name} {name}", **execution)
    return target_values(cal, out, points), summary


def target_values(cal: Calibration, out: Path, points: np.ndarray) -> pd.DataFrame:
    """Every target per run of a results folder of :func:`run_points`."""
    results = load_results(out)
    if results.empty:
        raise InputError(str(out), allowed="no run of the calibration succeeded (see failed/)")
    measures = sorted({t.measure for t in cal.targets})
    user = [m for m in cal.user_measures() if m.name in measures]
    builtin = [m for m in measures if m not in {u.name for u in user}]
    runs = run_measures(results, builtin).set_index(list(RUN_KEYS))
    if user:
        tables = {"county_yearly": results}
        tables.update({t: load_results(out, t) for t in cal.tables if t != "county_yearly"})
        for measure in user:
            runs[measure.name] = measure.values(tables).reindex(runs.index).astype(float)
    frame = _targets_per_run(cal, runs.reset_index())
    for j, name in enumerate(cal.names):
        frame[name] = points[frame["variant"].to_numpy(int), j]
    return frame


def _targets_per_run(cal: Calibration, runs: pd.DataFrame) -> pd.DataFrame:
    """One row per (variant, replicate), one column per target (a difference for ``against``)."""
    by_scenario = {
        name: part.set_index(["variant", "replicate"])
        for name, part in runs.groupby("scenario", sort=False)
    }
    index = None
    columns = {}
    for target in cal.targets:
        own = by_scenario.get(cal.target_scenario(target))
        if own is None:
            continue
        values = own[target.measure].astype(float)
        if target.against is not None and target.against in by_scenario:
            values = values - by_scenario[target.against][target.measure].reindex(values.index)
        columns[target.label(cal.scenarios[0].name)] = values
        index = values.index if index is None else index.union(values.index)
    frame = pd.DataFrame(columns, index=index)
    frame.index.names = ["variant", "replicate"]
    return frame.reset_index()


def point_means(frame: pd.DataFrame, labels: list[str]) -> pd.DataFrame:
    """Targets averaged over each point's replicates (index: variant)."""
    return frame.groupby("variant")[labels].mean()
