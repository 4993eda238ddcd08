"""Run one scenario replicate and return its tables.

This is the single entry point that the CLI, the batch engine, the regression checks and
the notebooks call; the table and column names below are the contract.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from model.frames import column_arrays
from model.invariants import InvariantError, Level
from model.registry import COUNTY_OUTPUTS, income_source_names
from model.scenario import Scenario


def county_measures() -> tuple[str, ...]:
    """Measures of the county-by-year table that comparisons read, as registered now.

    Per-capita income, then one column per household income source, then the registered
    county outputs marked ``compared`` (:data:`model.registry.COUNTY_OUTPUTS`).
    """
    return (
        "per_capita_income",
        *(f"income_{s}" for s in income_source_names()),
        *(output.name for output in COUNTY_OUTPUTS if output.compared),
    )


def __getattr__(name: str) -> tuple[str, ...]:
    """``COUNTY_MEASURES``, read from the registries when asked for.

    Callers outside the model (comparisons, figures, tests) import these names; they are
    computed on access so that a source registered for a test is seen too.
    """
    if name == "COUNTY_MEASURES":
        return county_measures()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass
class RunResult:
    """Everything one run produced.

    Attributes:
        scenario: The resolved scenario that was run.
        replicate: Replicate number (selects the per-replicate random streams).
        tables: Tidy tables by name: ``county_yearly``, ``county_monthly``,
            ``village_yearly``, ``alliance_yearly`` and, on request, ``households``.
        final: Final-year summary (the ``final`` object of ``run --json``).
        wall_seconds: Wall time of the run.
    """

    scenario: Scenario
    replicate: int
    tables: dict[str, pd.DataFrame]
    final: dict[str, Any]
    wall_seconds: float
    meta: dict[str, Any] = field(default_factory=dict)


def run_scenario(
    scenario: Scenario,
    replicate: int = 0,
    progress: bool = False,
    world: Any = None,
    invariants: Level = "month",
) -> RunResult:
    """Run one replicate of a scenario.

    Args:
        scenario: A validated scenario.
        replicate: Replicate number.
        progress: Show a progress bar (months).
        world: Optional pre-built ``(county, alliances)`` to skip building them again.
        invariants: Level of the runtime invariant checks (:mod:`model.invariants`).

    Returns:
        The run's :class:`RunResult`.

    Raises:
        InvariantError: The run broke an invariant. When the monthly check found it, the
            run is repeated from the start with checks after every step (runs are
            deterministic), so that the error names the step that broke it.
    """
    try:
        return _run(scenario, replicate, progress, world, invariants)
    except InvariantError as err:
        if err.mechanism is not None or invariants != "month":
            raise
        found = err
    try:
        _run(scenario, replicate, False, world, "step")
    except InvariantError as pinpointed:
        raise pinpointed from None
    raise found


def _run(
    scenario: Scenario, replicate: int, progress: bool, world: Any, invariants: Level
) -> RunResult:
    from model.jointmodel import JointVillageModel

    start = time.perf_counter()
    model = JointVillageModel(scenario, replicate=replicate, world=world, invariants=invariants)
    if progress:
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task(
                f"{scenario.name} (replicate {replicate})", total=12 * scenario.years
            )
            model.run(progress=lambda: bar.advance(task))
    else:
        model.run()
    tables = model.recorder.tables()
    for frame in tables.values():
        if len(frame):
            frame.insert(0, "replicate", replicate)
            frame.insert(0, "scenario", scenario.name)
    wall = time.perf_counter() - start
    return RunResult(
        scenario=scenario,
        replicate=replicate,
        tables=tables,
        final=final_summary(tables["county_yearly"]),
        wall_seconds=wall,
        meta={
            "villages": model.n_villages,
            "households": model.households.n,
            "public_by_kind": dict(model.accounts.public_by_kind),
            "formation": _formation(model),
            # Cumulative ledger flows, "payer|payee|kind" -> yuan: the validation report's
            # gains by route (model.checks.validation.routes) read them.
            "flows": {"|".join(key): float(v) for key, v in model.ledger.total.items()},
        },
    )


def _formation(model: Any) -> dict[str, int]:
    """What alliance formation aimed at and reached (a small county may fall short)."""
    targets = model.alliance_table.targets
    return {
        "target_alliances": targets.target_alliances,
        "target_coverage": targets.target_coverage,
        "alliances": len(model.alliance_agents),
        "allied_villages": int(model.villages.allied.sum()),
        "coverage_shortfall": targets.coverage_shortfall,
    }


def final_summary(county_yearly: pd.DataFrame) -> dict[str, Any]:
    """The last simulated year's headline measures (the ``final`` object of ``run --json``).

    Per-capita income, its split by source, then the county outputs marked ``final``.
    """

    # Each column's last value and its dtype's kind, read from the column arrays: this runs
    # once per run of a batch, on a frame just made (0.03 ms against 0.25 ms for a Series
    # per measure, or for the last row, which consolidates the frame first).
    last_values = {
        name: (values[-1], values.dtype.kind)
        for name, values in zip(
            county_yearly.columns.tolist(), column_arrays(county_yearly), strict=True
        )
    }

    def last(name: str) -> Any:
        value, kind = last_values[name]
        return int(value) if kind in "iu" else float(value)

    summary: dict[str, Any] = {
        "per_capita_income": float(last("per_capita_income")),
        "income_by_source": {s: float(last(f"income_{s}")) for s in income_source_names()},
    }
    for output in COUNTY_OUTPUTS:
        if output.final:
            summary[output.name] = last(output.name)
    return summary
