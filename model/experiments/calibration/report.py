"""A calibration's output files: posterior, parameter table, fit, identifiability, scenario.

Written into the calibration's ``--out`` folder by :func:`write_outputs`:

* ``posterior.parquet``, ``posterior.csv``, ``posterior.json``: the posterior file
  (:mod:`.posterior_file`);
* ``parameters.csv``: each parameter's prior, posterior median and 90 % interval and its
  contraction;
* ``fit.csv``: every target with its reported value and its posterior predictive interval,
  from the emulators over the whole sample and from the predictive runs of the model;
* ``identifiability.csv``: which targets pin which parameters (:mod:`.identifiability`);
* ``waves.csv``: runs and the non-implausible share of each wave;
* ``calibrated.toml``: the first scenario at the calibrated point (the candidate of
  largest likelihood), a complete scenario file at the scenario's own county size and
  horizon (the calibration's ``county.scale`` and ``years`` overrides are left out);
* ``summary.json``: all of it in one file (``docs/calibration_results.md`` is made from it).

The predictive interval of a target is that of the *reported figure*: the model's value
plus the target's uncertainty (a normal error of its ``sd``), 5 % to 95 %.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import model
from model.atomic import atomic_write
from model.experiments.calibration.history_matching import to_unit
from model.experiments.calibration.identifiability import identifiability
from model.experiments.calibration.posterior_file import summary_rows, write_posterior
from model.experiments.calibration.waves import CalibrationResult, stream_seed
from model.experiments.experiment import flatten_table
from model.experiments.provenance import code_fingerprint
from model.experiments.variants import build_scenario, resolve_scenarios
from model.scenario import is_integer_field, parse_override
from model.toml_files import toml_text

#: Overrides that only size the calibration's runs (a smaller county, a shorter horizon).
RUN_SIZE_FIELDS = frozenset({"county.scale", "years"})

#: Draws of the target's error per predictive value (for the interval of the figure).
ERROR_DRAWS = 200


def parameter_table(result: CalibrationResult) -> pd.DataFrame:
    """Prior, posterior median and 90 % interval, contraction and reason per parameter."""
    cal = result.calibration
    rows = pd.DataFrame(summary_rows(result.posterior.rows, cal.ranges))
    rows["calibrated"] = [result.posterior.best[n] for n in cal.names]
    unit = to_unit(result.posterior.rows[cal.names].to_numpy(float), *result.prior)
    rows["contraction"] = 1.0 - np.var(unit, axis=0) * 12.0
    rows["reason"] = [cal.parameters[n].reason for n in cal.names]
    return rows


def fit_table(result: CalibrationResult) -> pd.DataFrame:
    """Every target: reported value, sd, source; emulated and run predictive intervals."""
    cal = result.calibration
    rng = np.random.default_rng(stream_seed(cal.seed, 10_000))
    unit = to_unit(result.posterior.rows[cal.names].to_numpy(float), *result.prior)
    rows = []
    for target, label, emulator in zip(
        cal.targets, result.labels, result.waves[-1].emulators, strict=True
    ):
        mean, variance = emulator.predict(unit)
        run_var = emulator.noise_variance / cal.replicates
        emulated = mean + rng.normal(0, 1, len(mean)) * np.sqrt(
            variance + run_var + target.sigma**2
        )
        ran = result.predictive[label].dropna().to_numpy(float) if len(result.predictive) else []
        predicted = np.repeat(ran, ERROR_DRAWS) + rng.normal(
            0, target.sigma, len(ran) * ERROR_DRAWS
        )
        row = {
            "target": label,
            "reported": target.value,
            "sd": target.sigma,
            "emulator_q05": float(np.quantile(emulated, 0.05)),
            "emulator_median": float(np.median(emulated)),
            "emulator_q95": float(np.quantile(emulated, 0.95)),
            "runs": len(ran),
            "model_min": float(np.min(ran)) if len(ran) else np.nan,
            "model_max": float(np.max(ran)) if len(ran) else np.nan,
            "predictive_q05": float(np.quantile(predicted, 0.05)) if len(ran) else np.nan,
            "predictive_q95": float(np.quantile(predicted, 0.95)) if len(ran) else np.nan,
            "source": target.source,
            "note": target.note,
        }
        low, high = row["predictive_q05"], row["predictive_q95"]
        row["inside"] = bool(low <= target.value <= high) if len(ran) else None
        rows.append(row)
    return pd.DataFrame(rows)


def wave_table(result: CalibrationResult) -> pd.DataFrame:
    """Per wave: runs and the non-implausible share of the candidates it was drawn from."""
    shares = [1.0, *(s.share for s in result.spaces[:-1])]
    rows = [
        {
            "wave": wave.number,
            "runs": int((result.runs["wave"] == wave.number).sum()),
            "non_implausible_share_of_candidates": share,
            "seconds": result.seconds.get(f"wave_{wave.number}", 0.0),
        }
        for wave, share in zip(result.waves, shares, strict=True)
    ]
    rows.append(
        {
            "wave": "final",
            "runs": len(result.predictive),
            "non_implausible_share_of_candidates": result.spaces[-1].share,
            "seconds": result.seconds.get("predictive", 0.0),
        }
    )
    return pd.DataFrame(rows)


def calibrated_scenario(result: CalibrationResult) -> str:
    """The first scenario at the calibrated point, as a complete scenario file.

    Its overrides of :data:`RUN_SIZE_FIELDS` are left out: they say how small and short
    the calibration ran it, and the calibrated point is for the scenario at its own size.
    """
    from model.experiments.calibration.runs import points_experiment

    cal = result.calibration
    best = np.array([[result.posterior.best[n] for n in cal.names]])
    experiment = points_experiment(cal, best, "calibrated")
    first = experiment.scenarios[0]
    first.set = _without_run_size(first.set)
    base = resolve_scenarios(experiment)[cal.scenarios[0].name]
    values = {
        n: round(v) if is_integer_field(n) else float(v)
        for n, v in zip(cal.names, best[0], strict=True)
    }
    name = f"{cal.scenarios[0].name}_calibrated"
    scenario = build_scenario(base, name, cal.seed, values, cal.source)
    head = (
        f"# Scenario '{cal.scenarios[0].name}' at the calibrated point of calibration "
        f"'{cal.name}' ({cal.source}):\n# the posterior candidate of largest likelihood. "
        "Written by `jointvillage calibrate`; the posterior is in posterior.json.\n"
    )
    return head + toml_text(scenario.to_dict())


def _without_run_size(overrides: list[str] | dict[str, Any]) -> list[str] | dict[str, Any]:
    """A scenario entry's overrides less those of the county's size and the horizon."""
    if isinstance(overrides, list):
        return [t for t in overrides if ".".join(parse_override(t)[0]) not in RUN_SIZE_FIELDS]
    return {k: v for k, v in flatten_table(overrides).items() if k not in RUN_SIZE_FIELDS}


def provenance(result: CalibrationResult) -> dict[str, Any]:
    """The calibration, method and waves behind a posterior (``posterior.json``)."""
    cal = result.calibration
    return {
        "calibration": {
            "name": cal.name,
            "file": cal.source,
            "seed": cal.seed,
            "replicates": cal.replicates,
            "scenarios": [e.model_dump(exclude_defaults=True) for e in cal.scenarios],
            "targets": [t.model_dump(exclude_none=True) for t in cal.targets],
        },
        "method": {
            **cal.method.model_dump(),
            "emulator": "scikit-learn GaussianProcessRegressor, constant x ARD Matern-5/2 "
            "+ white noise",
            "posterior": "importance sampling on the emulators within the non-implausible "
            "space, Gaussian likelihood of the targets, multinomial resampling",
        },
        "waves": wave_table(result).to_dict(orient="records"),
        "effective_sample_size": result.posterior.effective_size,
        "candidates": result.posterior.candidates,
        "no_non_implausible_point": result.posterior.empty,
        "calibrated_point": result.posterior.best,
        "model_version": model.__version__,
        "code": code_fingerprint(),
    }


def write_outputs(result: CalibrationResult, out: Path) -> dict[str, Path]:
    """Write every output file (see the module docstring); returns them by name."""
    cal = result.calibration
    meta = provenance(result)
    params = parameter_table(result)
    meta["parameters"] = params.to_dict(orient="records")
    paths = {"posterior": write_posterior(out, result.posterior.rows, meta)}
    fit = fit_table(result)
    ident = identifiability(
        result.waves[-1],
        result.prior,
        cal.names,
        result.posterior.rows,
        result.labels,
        stream_seed(cal.seed, 20_000),
    )
    tables = {
        "parameters": params,
        "fit": fit,
        "identifiability": ident,
        "waves": wave_table(result),
    }
    for name, table in tables.items():
        paths[name] = atomic_write(out / f"{name}.csv", table.to_csv(index=False))
    paths["scenario"] = atomic_write(out / "calibrated.toml", calibrated_scenario(result))
    summary = {**meta, **{k: v.to_dict(orient="records") for k, v in tables.items()}}
    paths["summary"] = atomic_write(
        out / "summary.json", json.dumps(summary, indent=1, ensure_ascii=False, default=str)
    )
    return paths
