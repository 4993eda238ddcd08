"""Parameter uncertainty in comparisons and batches: each replicate draws a posterior row.

``compare --posterior FILE`` and ``batch --posterior FILE`` plan their runs as usual
(:func:`model.experiments.plan.plan_runs`), then :func:`with_posterior` gives replicate
``r`` of *every* arm the parameters of one posterior row. The row is drawn from the
*posterior stream* of the experiment seed and ``r`` (:func:`draw_index`), so it is the same
in every arm of the replicate (common random numbers extend to the parameters: a paired
difference compares the arms at the same parameter values) and the same in every rerun.
Replicate intervals then hold both the model's noise and the parameters' uncertainty.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from model.errors import InputError
from model.experiments.calibration.posterior_file import Posterior
from model.experiments.plan import Plan, RunSpec
from model.experiments.variants import ScenarioBase, build_scenario
from model.scenario import Scenario, is_integer_field

#: Spawn key of the posterior stream under the experiment seed (the design stream is
#: 1000, :mod:`model.experiments.design`; the model's streams are below 100).
POSTERIOR_STREAM = 1001

#: The plan column naming each run's posterior row.
DRAW_COLUMN = "posterior_draw"


def draw_index(seed: int, replicate: int, rows: int) -> int:
    """The posterior row of a replicate, from the posterior stream of the seed."""
    sequence = np.random.SeedSequence(entropy=int(seed), spawn_key=(POSTERIOR_STREAM, replicate))
    return int(np.random.default_rng(sequence).integers(rows))


def draw_values(posterior: Posterior, index: int) -> dict[str, Any]:
    """A posterior row as scenario values (integer fields rounded)."""
    row = posterior.rows.iloc[index]
    return {n: round(float(row[n])) if is_integer_field(n) else float(row[n]) for n in row.index}


def with_posterior(plan: Plan, posterior: Posterior, seed: int) -> Plan:
    """The plan with every run's parameters drawn from the posterior by its replicate.

    Raises:
        InputError: When the arms set a posterior parameter to different values (the
            posterior would overwrite what tells them apart).
    """
    _check_arms_agree(plan.runs, posterior)
    draws = {r: draw_index(seed, r, len(posterior.rows)) for r in {s.replicate for s in plan.runs}}
    keys: dict[str, str] = {}
    runs: dict[str, RunSpec] = {}
    for spec in plan.runs:
        scenario = _drawn(spec.scenario, draw_values(posterior, draws[spec.replicate]), posterior)
        new = RunSpec.of(scenario, spec.replicate)
        keys[spec.key] = new.key
        runs.setdefault(new.key, new)
    table = plan.table.assign(
        run_key=plan.table["run_key"].map(keys),
        **{DRAW_COLUMN: plan.table["replicate"].map(draws).astype("int64")},
    )
    manifest = {**plan.manifest, "posterior": _provenance(posterior, draws)}
    return dataclasses.replace(plan, runs=list(runs.values()), table=table, manifest=manifest)


def _drawn(scenario: Scenario, values: dict[str, Any], posterior: Posterior) -> Scenario:
    blame = f"{posterior.path} (a posterior row)"
    base = ScenarioBase(scenario.to_dict(), {}, blame)
    return build_scenario(base, scenario.name, scenario.seed, values, blame)


def _check_arms_agree(runs: list[RunSpec], posterior: Posterior) -> None:
    for name in posterior.names:
        seen = {}
        for spec in runs:
            seen.setdefault(repr(_value_of(spec.scenario, name)), spec.scenario.name)
        if len(seen) > 1:
            raise InputError(
                str(posterior.path),
                "parameters",
                name,
                "a parameter the compared arms leave alone: arms "
                + ", ".join(sorted(set(seen.values())))
                + " set it differently, and the posterior would overwrite that",
            )


def _value_of(scenario: Scenario, dotted: str) -> Any:
    value: Any = scenario
    for part in dotted.split("."):
        value = getattr(value, part)
    return value


def _provenance(posterior: Posterior, draws: dict[int, int]) -> dict[str, Any]:
    return {
        "file": str(posterior.path),
        "calibration": posterior.meta.get("calibration", {}).get("name"),
        "parameters": posterior.names,
        "rows": len(posterior.rows),
        "draws": {str(r): i for r, i in sorted(draws.items())},
        "note": posterior.describe(),
    }
