"""Run one scenario replicate and return its tables.

This is the single entry point that the CLI, the batch engine, the regression checks and
the notebooks call. (STUB: produces placeholder numbers of the right shape until the model
lands; the table and column names below are the contract.)
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from model.rng import stream
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


def run_scenario(scenario: Scenario, replicate: int = 0, progress: bool = False) -> RunResult:
    """Run one replicate of a scenario (STUB).

    Args:
        scenario: A validated scenario.
        replicate: Replicate number.
        progress: Show a progress bar.

    Returns:
        The run's :class:`RunResult`.
    """
    start = time.perf_counter()
    rng = stream(scenario.seed, "weather", replicate)
    years = np.arange(scenario.start_year, scenario.start_year + scenario.years)
    rows = []
    for year in years:
        row = {"scenario": scenario.name, "replicate": replicate, "year": int(year)}
        for name in COUNTY_MEASURES:
            row[name] = float(rng.normal(20000, 1000))
        rows.append(row)
    county_yearly = pd.DataFrame(rows)
    last = county_yearly.iloc[-1]
    final = {
        "per_capita_income": float(last["per_capita_income"]),
        "income_by_source": {s: float(last[f"income_{s}"]) for s in INCOME_SOURCES},
        "collective_income_mean": float(last["collective_income_mean"]),
        "collective_income_median": float(last["collective_income_median"]),
        "weak_villages": int(last["weak_villages"]),
        "gini_household": float(last["gini_household"]),
        "gini_collective": float(last["gini_collective"]),
        "land_pooled_share": float(last["land_pooled_share"]),
        "active_sellers": int(last["active_sellers"]),
        "allied_villages": 0,
    }
    return RunResult(
        scenario=scenario,
        replicate=replicate,
        tables={"county_yearly": county_yearly},
        final=final,
        wall_seconds=time.perf_counter() - start,
    )
