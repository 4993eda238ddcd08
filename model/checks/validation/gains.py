"""Gains: a case against its comparison run (the programme or one policy switched off)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from model.checks.validation.runner import Runner
from model.registry import collective_source_names
from model.runner import RunResult
from model.scenario import Scenario

#: Everything the programme adds, switched off: the comparison run of a case.
OFF: tuple[str, ...] = (
    "alliances.enabled=false",
    "policies.land_pooling.enabled=false",
    "policies.coop_shares.enabled=false",
    "policies.enterprise_contracts.enabled=false",
    "policies.livestream_training.enabled=false",
)


#: Only the branded-millet contract switched off (the rest of the programme stays on).
CONTRACT_OFF: tuple[str, ...] = (
    "modes.project_traction.branded_contract=false",
    "policies.enterprise_contracts.enabled=false",
)


#: Only land pooling switched off.
POOLING_OFF: tuple[str, ...] = ("policies.land_pooling.enabled=false",)


def villages(result: RunResult) -> pd.DataFrame:
    """The simulated years of the village-by-year table, indexed by (year, village_id).

    Year 0 (the county as built) is left out: a case's gains are per programme year.
    """
    table = result.tables["village_yearly"]
    simulated = table[table["year"] >= result.scenario.start_year]
    return simulated.set_index(["year", "village_id"]).sort_index()


def collective_gain(treat: RunResult, base: RunResult) -> pd.DataFrame:
    """Collective income (total and by source) of treat minus base, by year and village."""
    cols = ["collective_income", *(f"collective_{s}" for s in collective_source_names())]
    return villages(treat)[cols] - villages(base)[cols]


def gain_by_source(gain: pd.DataFrame) -> dict[str, float]:
    """Mean gain per village and year by source."""
    return {s: float(gain[f"collective_{s}"].mean()) for s in collective_source_names()}


def mean_dicts(items: list[dict[str, float]]) -> dict[str, float]:
    return {k: float(np.mean([d[k] for d in items])) for k in items[0]} if items else {}


def year_at(result: RunResult, index: int) -> int:
    """Calendar year of a year index, clipped to the run's horizon."""
    years = sorted(villages(result).index.get_level_values("year").unique())
    return int(years[min(index, len(years) - 1)])


def case_gains(
    runner: Runner, name: str, replicates: int, off: Sequence[str] = OFF
) -> tuple[list[pd.DataFrame], Scenario, Scenario]:
    treat_s = runner.load(name)
    base_s = runner.load(name, off)
    gains = [
        collective_gain(runner.run(treat_s, r), runner.run(base_s, r)) for r in range(replicates)
    ]
    return gains, treat_s, base_s


def per_village_gain(gains: list[pd.DataFrame], column: str = "collective_income") -> pd.DataFrame:
    """Mean yearly gain per village, mean over replicates."""
    frames = [g[column].groupby(level="village_id").mean() for g in gains]
    return pd.concat(frames, axis=1).mean(axis=1).to_frame("gain")


def load_villages_start(scenario: Scenario) -> dict[str, float]:
    """Starting collective income of each village of a scenario's county (yuan/yr)."""
    from model.jointmodel import build_world

    county, _ = build_world(scenario)
    v = county.villages
    return dict(zip(v["village_id"], v["collective_income_start"].astype(float), strict=True))


def village_levels(
    runner: Runner, scenario: Scenario, base: Scenario, village: str, index: int, replicates: int
) -> tuple[list[float], pd.Series, pd.Series, dict[str, float]]:
    """One village's collective income in a year, by replicate; its mean path with and
    without the programme; and its gain in that year by source (mean over replicates)."""
    levels, paths, base_paths, sources = [], [], [], []
    for r in range(replicates):
        result, off = runner.run(scenario, r), runner.run(base, r)
        year = year_at(result, index)
        income = villages(result)["collective_income"].xs(village, level="village_id")
        paths.append(income)
        base_paths.append(villages(off)["collective_income"].xs(village, level="village_id"))
        levels.append(float(income.loc[year]))
        gain = collective_gain(result, off).xs(village, level="village_id")
        sources.append(
            {s: float(gain.loc[year, f"collective_{s}"]) for s in collective_source_names()}
        )
    mean_path = pd.concat(paths, axis=1).mean(axis=1)
    mean_base = pd.concat(base_paths, axis=1).mean(axis=1)
    return levels, mean_path, mean_base, mean_dicts(sources)
