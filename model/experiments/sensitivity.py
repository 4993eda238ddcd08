"""Global sensitivity analysis with SALib: Sobol (Saltelli) and Morris designs and indices.

An experiment with a ``[sensitivity]`` table makes every SALib sample point a scenario
variant (integer fields are rounded; the raw design value is kept in the plan's
``design:<field>`` column). After the batch, each point's output is the mean over its
replicates of a per-run measure (:data:`model.experiments.measures.MEASURES`), and SALib
computes per measure:

* Sobol: first-order ``S1`` and total ``ST`` indices with their confidence half-widths
  (``S1_conf``, ``ST_conf``, bootstrap, 95%), and ``S2`` when ``second_order = true``;
* Morris: ``mu``, ``mu_star`` (mean absolute elementary effect) with ``mu_star_conf``, and
  ``sigma`` (spread: non-linearity or interactions).

The design (:mod:`model.experiments.design`) and the bootstrap draw from the experiment
seed (:func:`model.experiments.design.design_seed`), so an analysis is reproducible. Every
design point must have a finished run: Sobol and Morris estimators need the complete
design, so an incomplete folder is an error that says how many points are missing.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.atomic import atomic_write
from model.errors import InputError
from model.experiments.batch import load_results, manifest
from model.experiments.design import design_seed
from model.experiments.measures import MEASURES, run_measures, select_measures
from model.experiments.store import ResultsStore

#: Confidence level of the bootstrap intervals.
LEVEL = 0.95


def _inputs(
    results: str | Path | pd.DataFrame, settings: dict[str, Any] | None, method: str
) -> tuple[pd.DataFrame, dict[str, Any], str]:
    """Results rows, the design settings and a name for messages."""
    if isinstance(results, pd.DataFrame):
        if settings is None or "problem" not in settings:
            raise InputError(
                "sensitivity",
                "problem",
                None,
                "pass problem= (SALib names and bounds) with a results DataFrame",
            )
        return results, settings, "results"
    store = ResultsStore.open(results)
    info = store.manifest.get("experiment", {})
    stored = info.get("sensitivity")
    if not stored:
        raise InputError(
            str(results),
            "experiment",
            info.get("name"),
            f"this folder holds a '{info.get('kind')}' experiment, not a sensitivity design",
            "use `jointvillage compare` for sweeps and replicate comparisons",
        )
    if stored["method"] != method:
        raise InputError(
            str(results),
            "sensitivity.method",
            stored["method"],
            f"these results are a {stored['method']} design, not {method}",
        )
    # The plan knows how many design points there are, also those without a finished run.
    points = store.plan().groupby("scenario", sort=False)["variant"].nunique().to_dict()
    merged = {**stored, **(settings or {}), "seed": info.get("seed"), "points": points}
    return load_results(results), merged, str(results)


def _outputs(
    results: pd.DataFrame,
    info: dict[str, Any],
    measures: Sequence[str] | None,
    source: str,
) -> list[tuple[str, np.ndarray, pd.DataFrame]]:
    """Per scenario: the design matrix and the mean output per design point and measure."""
    names = list(info["problem"]["names"])
    columns = [f"design:{n}" for n in names]
    missing = [c for c in columns if c not in results.columns]
    if missing:
        raise InputError(
            source, "columns", missing, "results of a sensitivity design (design:<field>)"
        )
    if results.empty:
        raise InputError(source, allowed="no finished runs to analyse", hint="run the batch first")
    runs = run_measures(results, measures)
    measure_cols = [
        c
        for c in runs.columns
        if c not in {"arm", "scenario", "variant", "replicate"}
        and not c.startswith(("param:", "design:"))
    ]
    out = []
    for scenario, part in runs.groupby("scenario", sort=False):
        points = part.groupby("variant")
        means = points[measure_cols].mean()
        design = points[columns].first()
        expected = int(info.get("points", {}).get(scenario) or part["variant"].max() + 1)
        if len(means) != expected or list(means.index) != list(range(expected)):
            raise InputError(
                source,
                allowed=f"scenario '{scenario}': {expected - len(means)} of {expected} design "
                "points have no finished run (failed or not run yet)",
                hint="run `jointvillage batch` on the experiment again (--retry-failed for "
                "failed runs); Sobol and Morris need the complete design",
            )
        out.append((str(scenario), design.to_numpy(float), means))
    return out


def sobol_indices(
    results: str | Path | pd.DataFrame,
    measures: Sequence[str] | None = None,
    problem: dict[str, Any] | None = None,
    second_order: bool | None = None,
    level: float = LEVEL,
    seed: int | None = None,
) -> pd.DataFrame:
    """Sobol indices per scenario, measure and parameter.

    Args:
        results: A results folder of a Sobol experiment, or its ``load_results`` frame
            (then ``problem`` is needed).
        measures: Measure names (default all per-run measures).
        problem: SALib problem (default: from the folder's manifest).
        second_order: Whether the design has second-order samples (default: manifest).
        level: Confidence level of the bootstrap intervals.
        seed: Bootstrap seed (default: the experiment's design seed).

    Returns:
        Columns ``scenario, measure, parameter, S1, S1_conf, ST, ST_conf, note`` (and
        ``S2, S2_conf`` rows with ``parameter = "a:b"`` for second order).
    """
    from SALib.analyze import sobol

    settings = {"problem": problem} if problem is not None else None
    if settings is not None and second_order is not None:
        settings["second_order"] = second_order
    frame, info, source = _inputs(results, settings, "sobol")
    problem = info["problem"]
    second = bool(info.get("second_order", False) if second_order is None else second_order)
    boot_seed = seed if seed is not None else _seed(info)
    rows = []
    for scenario, _design, means in _outputs(frame, info, _per_run(measures), source):
        for measure in means.columns:
            y = means[measure].to_numpy(float)
            note = _problem_with(y)
            result: dict[str, Any] = {}
            if not note:
                with warnings.catch_warnings():
                    # Near-constant outputs make SALib divide 0 by 0; the note covers it.
                    warnings.simplefilter("ignore")
                    result = sobol.analyze(
                        problem, y, calc_second_order=second, conf_level=level, seed=boot_seed
                    )
            rows += _sobol_rows(scenario, measure, problem["names"], result, note, second)
    return pd.DataFrame(rows)


def _sobol_rows(
    scenario: str,
    measure: str,
    names: list[str],
    result: dict[str, Any],
    note: str,
    second: bool,
) -> list[dict[str, Any]]:
    """One row per parameter (S1, ST), then one per pair of parameters (S2)."""
    head = {"scenario": scenario, "measure": measure}
    rows = [
        {
            **head,
            "parameter": name,
            "S1": _get(result, "S1", i),
            "S1_conf": _get(result, "S1_conf", i),
            "ST": _get(result, "ST", i),
            "ST_conf": _get(result, "ST_conf", i),
            "note": note,
        }
        for i, name in enumerate(names)
    ]
    if second and result:
        for i, j in itertools.combinations(range(len(names)), 2):
            rows.append(
                {
                    **head,
                    "parameter": f"{names[i]}:{names[j]}",
                    "S2": float(result["S2"][i, j]),
                    "S2_conf": float(result["S2_conf"][i, j]),
                    "note": note,
                }
            )
    return rows


def morris_indices(
    results: str | Path | pd.DataFrame,
    measures: Sequence[str] | None = None,
    problem: dict[str, Any] | None = None,
    levels: int | None = None,
    level: float = LEVEL,
    seed: int | None = None,
) -> pd.DataFrame:
    """Morris elementary-effect indices per scenario, measure and parameter.

    Args:
        results: A results folder of a Morris experiment, or its ``load_results`` frame
            (then ``problem`` is needed).
        measures: Measure names (default all per-run measures).
        problem: SALib problem (default: from the manifest).
        levels: Grid levels of the design (default: manifest, else 4).
        level: Confidence level of ``mu_star_conf``.
        seed: Bootstrap seed (default: the experiment's design seed).

    Returns:
        Columns ``scenario, measure, parameter, mu, mu_star, mu_star_conf, sigma, note``.
    """
    from SALib.analyze import morris

    settings = {"problem": problem} if problem is not None else None
    if settings is not None and levels is not None:
        settings["levels"] = levels
    frame, info, source = _inputs(results, settings, "morris")
    problem = info["problem"]
    grid = int(levels or info.get("levels") or 4)
    boot_seed = seed if seed is not None else _seed(info)
    rows = []
    for scenario, design, means in _outputs(frame, info, _per_run(measures), source):
        for measure in means.columns:
            y = means[measure].to_numpy(float)
            note = _problem_with(y)
            result: dict[str, Any] = {}
            if not note:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    result = morris.analyze(
                        problem, design, y, conf_level=level, num_levels=grid, seed=boot_seed
                    )
            for i, name in enumerate(problem["names"]):
                rows.append(
                    {
                        "scenario": scenario,
                        "measure": measure,
                        "parameter": name,
                        "mu": _get(result, "mu", i),
                        "mu_star": _get(result, "mu_star", i),
                        "mu_star_conf": _get(result, "mu_star_conf", i),
                        "sigma": _get(result, "sigma", i),
                        "note": note,
                    }
                )
    return pd.DataFrame(rows)


def sensitivity_indices(
    out: str | Path, measures: Sequence[str] | None = None, level: float = LEVEL
) -> pd.DataFrame:
    """Sobol or Morris indices of a results folder, whichever its design is."""
    info = manifest(out).get("experiment", {}).get("sensitivity") or {}
    if info.get("method") == "morris":
        return morris_indices(out, measures, level=level)
    return sobol_indices(out, measures, level=level)


def _per_run(measures: Sequence[str] | None) -> list[str] | None:
    """Ratio measures need a reference arm, which a design does not have."""
    if not measures:
        return [m.name for m in MEASURES]
    per_run, ratios = select_measures(measures)
    if ratios:
        raise InputError(
            "--measure",
            "measure",
            ratios[0].name,
            "a per-run measure (ratio measures are defined against a reference scenario)",
        )
    return [m.name for m in per_run]


def _seed(info: dict[str, Any]) -> int | None:
    return design_seed(info["seed"]) if info.get("seed") is not None else None


def _problem_with(y: np.ndarray) -> str:
    if np.isnan(y).any():
        return f"undefined in {int(np.isnan(y).sum())} of {y.size} design points"
    if np.ptp(y) == 0:
        return "constant over the design: no variance to attribute"
    return ""


def _get(result: dict[str, Any], name: str, index: int) -> float:
    if not result or name not in result:
        return math.nan
    value = result[name][index]
    return float(value) if value is not None else math.nan


# --------------------------------------------------------------------------------------
# Files


def write_sensitivity(table: pd.DataFrame, folder: str | Path) -> Path:
    """Write ``sensitivity.csv`` into a folder; returns its path (the figure is drawn by viz)."""
    path = Path(folder) / "sensitivity.csv"
    atomic_write(path, table.to_csv(index=False))
    return path
