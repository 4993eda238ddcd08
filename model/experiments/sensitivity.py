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

A design too small to trust raises one :class:`SmallDesignWarning` per analysis that says
how large it should be, and each row's ``note`` names the checks it failed.
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
from model.experiments.measures import MEASURES, select_measures
from model.experiments.per_run import run_measures
from model.experiments.store import ResultsStore

#: Confidence level of the bootstrap intervals.
LEVEL = 0.95

#: Base samples N for stable Sobol indices: SALib's examples and docs use N = 512-1024 and
#: want a power of 2 (the Sobol' sequence's balance holds only then).
SOBOL_ADVISED_SAMPLES = 1024

#: Morris trajectories r for a trustworthy ranking (Campolongo et al. 2007: r = 10-50).
MORRIS_ADVISED_TRAJECTORIES = 10


class SmallDesignWarning(UserWarning):
    """A Sobol or Morris design too small for its indices to be trusted; says how large."""


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
    samples = 0
    for scenario, design, means in _outputs(frame, info, _per_run(measures), source):
        samples = len(design) // (problem["num_vars"] * (2 if second else 1) + 2)
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
    return check_sobol(pd.DataFrame(rows), samples)


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
    trajectories = 0
    for scenario, design, means in _outputs(frame, info, _per_run(measures), source):
        trajectories = len(design) // (problem["num_vars"] + 1)
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
    return check_morris(pd.DataFrame(rows), trajectories, grid)


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
    selection = select_measures(measures)
    against = [*selection.ratios, *selection.did]
    if against:
        raise InputError(
            "--measure",
            "measure",
            against[0].name,
            "a per-run measure (ratio and difference-in-differences measures are defined "
            "against a reference scenario)",
        )
    return [m.name for m in selection.per_run]


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
# Is the design large enough?


def check_sobol(table: pd.DataFrame, samples: int) -> pd.DataFrame:
    """Note failed size checks on each row of a Sobol table; warn once if the design is small.

    Checks: N a power of 2 and >= :data:`SOBOL_ADVISED_SAMPLES`; S1 not above ST beyond
    the intervals; S1's interval not wider than S1 (for most parameters).

    Args:
        table: The rows of :func:`sobol_indices` (or SALib results in its columns).
        samples: The design's base samples N.

    Returns:
        The table with the failed checks added to each estimated row's ``note``.
    """
    if table.empty:
        return table
    first = ~table["parameter"].astype(str).str.contains(":")
    above = table["S1"] - table["ST"] > table["S1_conf"] + table["ST_conf"]
    faults = {
        "S1 > ST beyond the intervals": (first & above, first),
        "S1 interval wider than S1": (first & (table["S1_conf"] > table["S1"].abs()), first),
    }
    small = samples < SOBOL_ADVISED_SAMPLES or samples & (samples - 1) != 0
    # Intervals shrink as 1/sqrt(N): a design of the advised size that still fails needs 4 N.
    advised = _power_of_two(max(SOBOL_ADVISED_SAMPLES, samples if small else 4 * samples))
    design = f"N = {samples} below SALib's advice (a power of 2, >= {SOBOL_ADVISED_SAMPLES})"
    advice = f"use samples >= {advised} (now {samples})"
    return _judge(table, design if small else "", faults, "Sobol", advice)


def check_morris(table: pd.DataFrame, trajectories: int, levels: int) -> pd.DataFrame:
    """Note failed size checks on each row of a Morris table; warn once if the design is small.

    Checks: r >= :data:`MORRIS_ADVISED_TRAJECTORIES`; even levels; mu*'s interval not wider
    than mu* (for most parameters).

    Args:
        table: The rows of :func:`morris_indices`.
        trajectories: The design's trajectories r.
        levels: The design's grid levels.

    Returns:
        The table with the failed checks added to each estimated row's ``note``.
    """
    if table.empty:
        return table
    wide = table["mu_star_conf"] > table["mu_star"].abs()
    faults = {"mu* interval wider than mu*": (wide, wide | True)}
    design, advice = [], []
    if trajectories < MORRIS_ADVISED_TRAJECTORIES:
        design.append(f"r = {trajectories} trajectories < {MORRIS_ADVISED_TRAJECTORIES}")
        advice.append(f"use samples >= {MORRIS_ADVISED_TRAJECTORIES} (now {trajectories})")
    if levels % 2:
        design.append(f"{levels} levels (odd: the grid steps are unbalanced)")
        advice.append(f"use an even number of levels (now {levels})")
    trajectories_ok = max(trajectories, MORRIS_ADVISED_TRAJECTORIES)
    advice = advice or [f"use samples >= {2 * trajectories_ok} (now {trajectories})"]
    return _judge(table, "; ".join(design), faults, "Morris", " and ".join(advice))


def _judge(
    table: pd.DataFrame,
    design: str,
    faults: dict[str, tuple[pd.Series, pd.Series]],
    method: str,
    advice: str,
) -> pd.DataFrame:
    """Add the failed checks to the notes of estimated rows and warn once if any matter.

    ``faults`` maps a label to (the rows failing it, the rows it applies to). The design's
    own fault (``design``) applies to every estimated row. A row fault matters when it says
    the estimates are inconsistent (any row) or, for wide intervals, when it holds for most
    parameters (a near-zero index has a wide interval in any design).
    """
    estimated = table["note"].fillna("").eq("")
    notes = {i: ([design] if design and estimated[i] else []) for i in table.index}
    found = [design] if design else []
    for label, (mask, scope) in faults.items():
        hits, checked = mask & estimated, int((scope & estimated).sum())
        for i in table.index[hits]:
            notes[i].append(label)
        inconsistent = "interval wider" not in label
        if hits.any() and (inconsistent or hits.sum() > checked / 2):
            found.append(f"{label} in {int(hits.sum())} of {checked} estimates")
    table = table.copy()
    table["note"] = [
        "; ".join(notes[i]) if notes[i] else (table.at[i, "note"] or "") for i in table.index
    ]
    if found:
        message = f"{method} design too small for trustworthy indices: {'; '.join(found)}"
        warnings.warn(f"{message}; {advice}", SmallDesignWarning, stacklevel=3)
    return table


def _power_of_two(n: int) -> int:
    """The smallest power of 2 at or above ``n``."""
    return 1 << max(int(n) - 1, 0).bit_length()


# --------------------------------------------------------------------------------------
# Files


def write_sensitivity(table: pd.DataFrame, folder: str | Path) -> Path:
    """Write ``sensitivity.csv`` into a folder; returns its path (the figure is drawn by viz)."""
    path = Path(folder) / "sensitivity.csv"
    atomic_write(path, table.to_csv(index=False))
    return path
