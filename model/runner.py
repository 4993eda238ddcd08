"""Run one scenario replicate and return its tables.

This is the single entry point that the CLI, the batch engine, the regression checks and
the notebooks call; the table and column names below are the contract.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from model.scenario import Scenario

#: Income sources of households (DESIGN section 5), per person per year in tables.
INCOME_SOURCES = ("wage", "farming", "property", "ecommerce", "transfer")

#: Measures of the county-level yearly table, besides the keys scenario/replicate/year.
COUNTY_MEASURES = (
    "per_capita_income",
    *(f"income_{s}" for s in INCOME_SOURCES),
    "collective_income_total",
    "collective_income_mean",
    "collective_income_median",
    "weak_villages",
    "gini_household",
    "gini_collective",
    "collective_income_allied_mean",
    "collective_income_nonallied_mean",
    "allied_gap",
    "land_pooled_mu",
    "land_pooled_share",
    "coop_members",
    "active_sellers",
    "public_spending",
    "public_spending_cum",
)


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
) -> RunResult:
    """Run one replicate of a scenario.

    Args:
        scenario: A validated scenario.
        replicate: Replicate number.
        progress: Show a progress bar (months).
        world: Optional pre-built ``(county, alliances)`` to skip building them again.

    Returns:
        The run's :class:`RunResult`.
    """
    from model.jointmodel import JointVillageModel

    start = time.perf_counter()
    model = JointVillageModel(scenario, replicate=replicate, world=world)
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
            "public_by_kind": dict(model.public_by_kind),
        },
    )


def final_summary(county_yearly: pd.DataFrame) -> dict[str, Any]:
    """The last simulated year's headline measures (the ``final`` object of ``run --json``)."""
    last = county_yearly.iloc[-1]
    return {
        "per_capita_income": float(last["per_capita_income"]),
        "income_by_source": {s: float(last[f"income_{s}"]) for s in INCOME_SOURCES},
        "collective_income_mean": float(last["collective_income_mean"]),
        "collective_income_median": float(last["collective_income_median"]),
        "weak_villages": int(last["weak_villages"]),
        "gini_household": float(last["gini_household"]),
        "gini_collective": float(last["gini_collective"]),
        "land_pooled_share": float(last["land_pooled_share"]),
        "active_sellers": int(last["active_sellers"]),
        "allied_villages": int(last["allied_villages"]),
    }
