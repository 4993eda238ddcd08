"""Scenario discovery: where in a batch's sampled parameters an outcome of interest happens.

Over the runs of a batch with a sampled design (a sweep or a sensitivity design: the runs'
``param:`` columns), a run is *of interest* when its measure is below (or above) a
threshold, e.g. where the programme lifts fewer than 5 weak villages. EMA Workbench
(Kwakkel 2017, *Environmental Modelling & Software* 96: 239-250) then finds:

* PRIM boxes (Friedman and Fisher 1999, *Statistics and Computing* 9: 123-143): the
  peeling trajectory of boxes trading coverage (share of the cases of interest inside the
  box) against density (share of the box's runs that are cases of interest); the box
  chosen is the one of largest coverage whose density reaches ``density`` (0.8 by default,
  the threshold of Bryant and Lempert 2010, *Technological Forecasting and Social Change*
  77: 34-49), with its quasi-p-values per restricted parameter;
* CART boxes (the leaves of a classification tree) with their coverage and density;
* feature scores (extra trees, Geurts et al. 2006): how much each parameter drives the
  classification into cases of interest and the measure itself.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.atomic import atomic_write
from model.columns import PARAM_PREFIX
from model.errors import InputError, did_you_mean
from model.experiments.batch import load_results, manifest
from model.experiments.design import design_seed
from model.experiments.measures import check_measures
from model.experiments.per_run import run_measures

#: PRIM's default density threshold (Bryant and Lempert 2010).
DEFAULT_DENSITY = 0.8


@dataclass
class Discovery:
    """What scenario discovery found.

    Attributes:
        measure: The measure.
        rule: ``below X`` or ``above X``.
        cases: Runs of interest, of ``runs``.
        runs: Runs analysed.
        trajectory: PRIM's peeling trajectory (``coverage, density, mass, res_dim`` ...).
        chosen: Row of the chosen box in ``trajectory``.
        box: The chosen box: one row per restricted parameter with ``min, max``, the
            sampled range ``sampled_min, sampled_max`` and the ``qp_value``.
        cart: CART's boxes: ``box, parameter, min, max``, then ``coverage, density, mass``.
        scores: Feature scores, one row per parameter: ``of_interest`` (classification)
            and the measure (regression).
    """

    measure: str
    rule: str
    cases: int
    runs: int
    trajectory: pd.DataFrame
    chosen: int
    box: pd.DataFrame
    cart: pd.DataFrame
    scores: pd.DataFrame


def _analysis() -> Any:
    """EMA Workbench's analysis package, without its note about a missing optional package
    (ipyparallel, which only its own evaluators need)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="ipyparallel not installed", category=UserWarning)
        from ema_workbench import analysis

    return analysis


def sampled_runs(
    folder: str | Path, measure: str, scenario: str | None = None
) -> tuple[pd.DataFrame, pd.Series]:
    """The sampled parameters (one row per run) and the measure of a batch folder.

    Args:
        folder: The batch's results folder.
        measure: The measure.
        scenario: Only this scenario's runs (default: every run).

    Raises:
        InputError: An unknown measure or scenario, or a folder without sampled parameters.
    """
    check_measures([measure])
    per_run = run_measures(load_results(folder), [measure])
    if scenario is not None:
        names = list(dict.fromkeys(per_run["scenario"]))
        if scenario not in names:
            raise InputError(
                "--scenario",
                "scenario",
                scenario,
                "a scenario of the batch: " + ", ".join(names),
                did_you_mean(scenario, names),
            )
        per_run = per_run[per_run["scenario"] == scenario]
    params = [c for c in per_run.columns if c.startswith(PARAM_PREFIX)]
    varied = [c for c in params if per_run[c].nunique() > 1]
    if not varied:
        raise InputError(
            str(folder),
            "param:*",
            params,
            "a batch with a sampled design (a sweep or a sensitivity design) whose runs vary "
            "at least one parameter",
        )
    x = per_run[varied].astype(float)
    x.columns = [c.removeprefix(PARAM_PREFIX) for c in varied]
    return x.reset_index(drop=True), per_run[measure].astype(float).reset_index(drop=True)


def discover(
    folder: str | Path,
    measure: str,
    below: float | None = None,
    above: float | None = None,
    density: float = DEFAULT_DENSITY,
    scenario: str | None = None,
) -> Discovery:
    """PRIM, CART and feature scores of where ``measure`` is below (or above) a threshold,
    over the runs of a batch folder (of one of its scenarios, if given).

    Raises:
        InputError: Neither or both thresholds, a threshold no run or every run meets, a
            density outside (0, 1], or the errors of :func:`sampled_runs`.
    """
    _check_rule(below, above, density)
    x, values = sampled_runs(folder, measure, scenario)
    seed = design_seed(int(manifest(folder).get("experiment", {}).get("seed", 0) or 0))
    return discover_runs(x, values, measure, below, above, density, seed)


def discover_runs(
    x: pd.DataFrame,
    values: pd.Series,
    measure: str,
    below: float | None = None,
    above: float | None = None,
    density: float = DEFAULT_DENSITY,
    seed: int = 0,
) -> Discovery:
    """:func:`discover` on given runs: their parameters ``x`` (one row per run) and values.

    Args:
        x: Sampled parameters, one row per run.
        values: The measure of each run.
        measure: Its name.
        below: Runs of interest are those below this ...
        above: ... or above this.
        density: Least density of the chosen PRIM box.
        seed: Seed of the extra trees.

    Raises:
        InputError: Neither or both thresholds, a threshold no run or every run meets, or a
            density outside (0, 1].
    """
    _check_rule(below, above, density)
    rule = f"below {below:g}" if below is not None else f"above {above:g}"
    of_interest = (values < below) if below is not None else (values > above)
    of_interest = of_interest.to_numpy(bool)
    cases = int(of_interest.sum())
    if cases == 0 or cases == len(of_interest):
        raise InputError(
            "--below" if below is not None else "--above",
            "threshold",
            below if below is not None else above,
            f"a threshold that splits the runs: {cases} of {len(of_interest)} runs have "
            f"{measure} {rule} (range {values.min():,.4g} to {values.max():,.4g})",
        )
    return _analyse(x, values, of_interest, measure, rule, density, seed)


def _check_rule(below: float | None, above: float | None, density: float) -> None:
    if (below is None) == (above is None):
        raise InputError("--below/--above", "threshold", None, "exactly one of --below, --above")
    if not 0 < density <= 1:
        raise InputError("--density", "density", density, "a share in (0, 1]")


def _analyse(
    x: pd.DataFrame,
    values: pd.Series,
    of_interest: np.ndarray,
    measure: str,
    rule: str,
    density: float,
    seed: int,
) -> Discovery:
    analysis = _analysis()
    with warnings.catch_warnings():
        # EMA Workbench 3.0 itself calls a pandas method pandas 3 deprecates: not the user's.
        warnings.filterwarnings("ignore", message="The inplace keyword", module="ema_workbench")
        box = analysis.prim.Prim(x, of_interest, peel_alpha=0.1).find_box()
    trajectory = box.peeling_trajectory.reset_index(drop=True)
    dense = trajectory[trajectory["density"] >= density]
    chosen = int(dense["coverage"].idxmax()) if len(dense) else int(trajectory["density"].idxmax())
    box.select(chosen)
    return Discovery(
        measure,
        rule,
        int(of_interest.sum()),
        len(of_interest),
        trajectory,
        chosen,
        _box_table(box, x),
        _cart_table(analysis, x, of_interest),
        _scores(analysis, x, values, of_interest, measure, seed),
    )


def _box_table(box: Any, x: pd.DataFrame) -> pd.DataFrame:
    """The chosen PRIM box's restricted parameters with their sampled ranges."""
    _, limits = box.inspect(style="data")[0]
    qp = limits.iloc[:, 2:].min(axis=1)
    table = pd.DataFrame(
        {
            "parameter": limits.index,
            "min": limits.iloc[:, 0].to_numpy(float),
            "max": limits.iloc[:, 1].to_numpy(float),
            "sampled_min": x[limits.index].min().to_numpy(float),
            "sampled_max": x[limits.index].max().to_numpy(float),
            "qp_value": qp.to_numpy(float),
        }
    )
    return table.reset_index(drop=True)


def _cart_table(analysis: Any, x: pd.DataFrame, of_interest: np.ndarray) -> pd.DataFrame:
    """CART's leaves as boxes (only the parameters a leaf restricts), with their stats."""
    # A leaf holds at least 5% of the runs (EMA Workbench's default), and at least one.
    tree = analysis.cart.CART(x, of_interest, mass_min=max(0.05, 1.0 / len(x)))
    tree.build_tree()
    limits, stats = tree.boxes_to_dataframe(), tree.stats_to_dataframe()
    rows = []
    for name in stats.index:
        for parameter, (low, high) in limits[name].iterrows():
            if low > x[parameter].min() or high < x[parameter].max():
                rows.append({"box": name, "parameter": parameter, "min": low, "max": high})
    frame = pd.DataFrame(rows, columns=["box", "parameter", "min", "max"])
    stats = stats.rename(columns={"res dim": "res_dim"}).rename_axis("box").reset_index()
    return frame.merge(stats[["box", "coverage", "density", "mass"]], on="box", how="right")


def _scores(
    analysis: Any,
    x: pd.DataFrame,
    values: pd.Series,
    of_interest: np.ndarray,
    measure: str,
    seed: int,
) -> pd.DataFrame:
    """Extra-trees feature scores for the classification and for the measure itself."""
    scoring = analysis.feature_scoring
    mode = analysis.scenario_discovery_util.RuleInductionType
    classified, _ = scoring.get_ex_feature_scores(
        x, of_interest, mode=mode.CLASSIFICATION, random_state=seed % 2**31
    )
    regressed, _ = scoring.get_ex_feature_scores(
        x, values.to_numpy(float), mode=mode.REGRESSION, random_state=seed % 2**31
    )
    scores = pd.DataFrame(
        {"of_interest": classified.iloc[:, 0], measure: regressed.iloc[:, 0]}
    ).rename_axis("parameter")
    return scores.sort_values("of_interest", ascending=False)


def write_discovery(found: Discovery, folder: str | Path) -> list[Path]:
    """``discover_box.csv``/``.md``, ``discover_trajectory.csv``, ``discover_cart.csv`` and
    ``discover_scores.csv`` in ``folder``; returns the paths."""
    out = Path(folder)
    files = {
        "discover_box.csv": found.box.to_csv(index=False),
        "discover_trajectory.csv": found.trajectory.to_csv(index=False),
        "discover_cart.csv": found.cart.to_csv(index=False),
        "discover_scores.csv": found.scores.to_csv(),
        "discover_box.md": box_markdown(found),
    }
    return [atomic_write(out / name, text) for name, text in files.items()]


def box_markdown(found: Discovery) -> str:
    """The chosen PRIM box in words and as a table."""
    row = found.trajectory.iloc[found.chosen]
    lines = [
        f"Runs with {found.measure} {found.rule}: {found.cases} of {found.runs}.",
        "",
        f"PRIM box {found.chosen}: coverage {row['coverage']:.2f} (share of those runs "
        f"inside), density {row['density']:.2f} (share of the box's runs that are such runs), "
        f"mass {row['mass']:.2f}.",
        "",
        "| parameter | box min | box max | sampled min | sampled max | qp value |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in found.box.itertuples():
        lines.append(
            f"| {r.parameter} | {r.min:.4g} | {r.max:.4g} | {r.sampled_min:.4g} | "
            f"{r.sampled_max:.4g} | {r.qp_value:.2g} |"
        )
    return "\n".join(lines) + "\n"
