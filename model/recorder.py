"""Collects the model's tidy output tables, month by month and year by year.

Per-household records use the household columns directly (docs/architecture.md), not Mesa's
per-agent DataCollector: a yearly table is a handful of vectorised reductions. The columns
follow the registries (:mod:`model.registry`) as they stood when the model was built: one
``income_<source>`` column per household income source, one ``collective_<source>`` column
per collective source, and the county outputs in their declared order.

The yearly tables open with a **year-0 row**: the county as built, before any step, dated the
year before the first simulated year. Its collective income is each village's income in that
year (``collective_income_start`` of the village data), so weak villages, collective means and
Ginis of year 0 are the pre-programme state every change is measured from. Household incomes
and collective income by source are flows that the model has not yet produced in year 0: they
are NaN there (missing, not zero). Stocks (pooled land, sellers, members, capacity) are as set
up, and public money spent is 0.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from model.metrics import gini
from model.registry import COUNTY_OUTPUTS, Output
from model.rng import stream

if TYPE_CHECKING:
    from model.jointmodel import JointVillageModel


@dataclass
class YearEnd:
    """What the built-in county outputs are computed from, at year end."""

    model: JointVillageModel

    @cached_property
    def members(self) -> np.ndarray:
        """Members of each household."""
        return self.model.households.members

    @cached_property
    def total_income(self) -> np.ndarray:
        """Each household's income this year, all sources (yuan).

        ``HouseholdTable.total_income`` added up in the same order, in place: one array
        rather than a fresh one per source.
        """
        total = np.zeros(self.model.households.n)
        for values in self.model.households.income.values():
            total += values
        return total

    @cached_property
    def collective(self) -> np.ndarray:
        """Each village's collective income this year (yuan)."""
        return self.model.collective.year_total()

    @cached_property
    def pooled(self) -> np.ndarray:
        """Pooled land per village (mu)."""
        return self.model.pooling.pooled_by_village()

    @property
    def allied(self) -> np.ndarray:
        """Villages in an alliance."""
        return self.model.villages.allied

    @property
    def threshold(self) -> float:
        """The weak-village bar (yuan/yr): nominal, or indexed (``prices.index_weak_bar``)."""
        return self.model.prices.weak_bar()

    @cached_property
    def allied_mean(self) -> float:
        """Mean collective income of allied villages (0 when none: see ``allied_villages``)."""
        allied = self.allied
        return float(self.collective[allied].mean()) if allied.any() else 0.0

    @cached_property
    def nonallied_mean(self) -> float:
        """Mean collective income of villages in no alliance (0 when none)."""
        other = ~self.allied
        return float(self.collective[other].mean()) if other.any() else 0.0

    @cached_property
    def allied_gap(self) -> float:
        """Allied minus other villages' mean collective income (0 unless both groups exist)."""
        both = self.allied.any() and (~self.allied).any()
        return self.allied_mean - self.nonallied_mean if both else 0.0

    @cached_property
    def pooled_share(self) -> float:
        """Pooled land over cultivated land (0 in a county without cultivated land)."""
        land = float(self.model.villages.cultivated.sum())
        return float(self.pooled.sum()) / land if land > 0 else 0.0


@dataclass
class YearStart(YearEnd):
    """The county as built (year 0): start-of-programme collective income, no household flows."""

    @cached_property
    def total_income(self) -> np.ndarray:
        """Household income is not observed before the first year (NaN)."""
        return np.full(self.model.households.n, np.nan)

    @cached_property
    def collective(self) -> np.ndarray:
        """Each village's collective income in the year before the first (yuan)."""
        return self.model.villages.collective_start.astype(float).copy()


#: Built-in county outputs that are flows of household income: NaN in year 0.
HOUSEHOLD_INCOME_OUTPUTS = frozenset({"gini_household"})


#: How the recorder computes the built-in county outputs (declared in the registry).
BUILT_IN_OUTPUTS: dict[str, Callable[[YearEnd], float]] = {
    "collective_income_total": lambda y: float(y.collective.sum()),
    "collective_income_mean": lambda y: float(y.collective.mean()),
    "collective_income_median": lambda y: float(np.median(y.collective)),
    "weak_villages": lambda y: int((y.collective < y.threshold).sum()),
    "gini_household": lambda y: gini(y.total_income / np.maximum(y.members, 1.0), y.members),
    "gini_collective": lambda y: gini(y.collective),
    "collective_income_allied_mean": lambda y: y.allied_mean,
    "collective_income_nonallied_mean": lambda y: y.nonallied_mean,
    "allied_gap": lambda y: y.allied_gap,
    "land_pooled_mu": lambda y: float(y.pooled.sum()),
    "land_pooled_share": lambda y: y.pooled_share,
    "coop_members": lambda y: int(
        ((y.model.households.pooled_mu > 0) | (y.model.households.cash_shares > 0)).sum()
    ),
    "active_sellers": lambda y: int(y.model.households.seller.sum()),
    "ecommerce_households_reached": lambda y: int(y.model.livestream.reached.sum()),
    "public_spending": lambda y: float(y.model.villages.public_spent_year.sum()),
    "public_spending_cum": lambda y: float(y.model.villages.public_spent.sum()),
    "allied_villages": lambda y: int(y.allied.sum()),
    "weak_villages_allied": lambda y: int((y.collective[y.allied] < y.threshold).sum()),
}


def _output_function(output: Output) -> Callable[[YearEnd], float]:
    """The function computing one registered output."""
    if output.value is not None:
        value = output.value
        return lambda y: value(y.model)
    if output.name not in BUILT_IN_OUTPUTS:
        raise ValueError(f"county output {output.name!r} is registered without a value function")
    return BUILT_IN_OUTPUTS[output.name]


class Recorder:
    """Rows of the output tables, turned into DataFrames by :meth:`tables`.

    Args:
        model: The model whose state is recorded.
    """

    def __init__(self, model: JointVillageModel) -> None:
        self.model = model
        self.monthly: list[dict[str, Any]] = []
        self.yearly: list[dict[str, Any]] = []
        self.village_years: list[pd.DataFrame] = []
        self.village_months: list[pd.DataFrame] = []
        self.alliance_rows: list[dict[str, Any]] = []
        self.household_years: list[pd.DataFrame] = []
        self.income_sources = tuple(model.households.income)
        self.collective_sources = model.collective.sources
        self.outputs = [(o.name, _output_function(o)) for o in COUNTY_OUTPUTS]
        outputs = model.config.outputs
        self.sample: np.ndarray | None = None
        if outputs.household_microdata:
            keep = stream_sample(model, model.households.n, outputs.household_sample)
            self.sample = np.flatnonzero(keep)
        villages = model.county.villages
        self.village_ids = villages["village_id"].astype(str).to_numpy()
        self.towns = villages["town"].to_numpy()
        alliance_ids = np.array([a.alliance_id for a in model.alliance_agents] + [""], dtype=object)
        self.alliance_of_village = alliance_ids[model.villages.membership]
        modes = np.array([a.mode for a in model.alliance_agents] + [""], dtype=object)
        self.mode_of_village = modes[model.villages.membership]

    def calendar_year(self) -> int:
        """Calendar year of the current step."""
        return self.model.config.start_year + self.model.year_index

    def record_start(self) -> None:
        """The year-0 rows: the county as built, before any step (see the module docstring).

        The flows of :func:`is_missing_in_year_zero` are NaN in them.
        """
        model = self.model
        year = model.config.start_year - 1
        start = YearStart(model)
        row: dict[str, Any] = {"year": year, "per_capita_income": np.nan}
        row.update({f"income_{s}": np.nan for s in self.income_sources})
        for name, value in self.outputs:
            missing = is_missing_in_year_zero("county_yearly", name)
            row[name] = np.nan if missing else value(start)
        self.yearly.append(row)
        self.village_years.append(_year_zero(self._village_year(year, start), "village_yearly"))
        for alliance in model.alliance_agents:
            self.alliance_rows.append({"year": year, **alliance.report(start.collective)})
        if self.sample is not None:
            frame = self._household_year(year, start)
            self.household_years.append(_year_zero(frame, "households"))

    def record_month(self) -> None:
        """One row of the county-by-month table (and village-by-month when asked)."""
        model = self.model
        hh = model.households
        row: dict[str, Any] = {"year": self.calendar_year(), "month": model.month}
        row["step"] = model.steps
        members = float(model.villages.population.sum())
        for source in self.income_sources:
            row[f"income_{source}"] = model.accounts.household_month_total[source] / members
        row["per_capita_income"] = sum(row[f"income_{s}"] for s in self.income_sources)
        row["collective_income_total"] = float(
            sum(v.sum() for v in model.collective.month.values())
        )
        row["land_pooled_mu"] = float(model.pooling.pooled_by_village().sum())
        row["active_sellers"] = int(hh.seller.sum())
        self.monthly.append(row)
        if model.config.outputs.village_monthly:
            frame = pd.DataFrame(
                {
                    "year": row["year"],
                    "month": model.month,
                    "village_id": self.village_ids,
                    **{
                        f"income_{s}": model.accounts.household_month[s]
                        for s in self.income_sources
                    },
                    "collective_income": sum(model.collective.month.values()),
                }
            )
            self.village_months.append(frame)

    def record_year(self) -> None:
        """Rows of the yearly tables; called at year end before the books close."""
        model = self.model
        year = self.calendar_year()
        end = YearEnd(model)
        person_total = float(end.members.sum())
        row: dict[str, Any] = {"year": year}
        row["per_capita_income"] = float(end.total_income.sum()) / person_total
        for source in self.income_sources:
            row[f"income_{source}"] = float(model.households.income[source].sum()) / person_total
        for name, value in self.outputs:
            row[name] = value(end)
        self.yearly.append(row)
        self.village_years.append(self._village_year(year, end))
        for alliance in model.alliance_agents:
            self.alliance_rows.append({"year": year, **alliance.report(end.collective)})
        if self.sample is not None:
            self.household_years.append(self._household_year(year, end))

    def _village_year(self, year: int, end: YearEnd) -> pd.DataFrame:
        """The village-by-year rows of one year."""
        model = self.model
        hh = model.households
        villages = model.villages
        population = villages.population
        collective = end.collective
        by_village = {s: villages.sum_by_village(hh.income[s]) for s in self.income_sources}
        per_person = np.maximum(population, 1.0)
        return pd.DataFrame(
            {
                "year": year,
                "village_id": self.village_ids,
                "town": self.towns,
                "alliance_id": self.alliance_of_village,
                "mode": self.mode_of_village,
                "allied": end.allied,
                "population": population,
                "migrants": villages.sum_by_village(hh.migrant),
                "collective_income": collective,
                **{
                    f"collective_{s}": model.collective.year[s].copy()
                    for s in self.collective_sources
                },
                "weak": collective < end.threshold,
                "per_capita_income": sum(by_village.values()) / per_person,
                **{f"income_{s}": by_village[s] / per_person for s in self.income_sources},
                "land_pooled_mu": end.pooled,
                "capacity": villages.capacity.copy(),
                "sellers": villages.sum_by_village(hh.seller.astype(float)),
                "public_spending_cum": villages.public_spent.copy(),
                "visitors": model.tourism.visitors_year.copy(),
                "tourism_income": model.tourism.income_year.copy(),
                "business_capital": model.businesses.capital(),
            }
        )

    def _household_year(self, year: int, end: YearEnd) -> pd.DataFrame:
        """The sampled households' rows of one year."""
        assert self.sample is not None
        frame = self.model.households.to_frame().iloc[self.sample]
        frame.insert(0, "household", self.sample)
        frame.insert(0, "year", year)
        frame["village_id"] = self.village_ids[frame["village"].to_numpy()]
        members = end.members[self.sample]
        frame["per_capita_income"] = end.total_income[self.sample] / np.maximum(members, 1)
        return frame.reset_index(drop=True)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The collected tables as DataFrames."""
        out = {
            "county_yearly": pd.DataFrame(self.yearly),
            "county_monthly": pd.DataFrame(self.monthly),
            "village_yearly": _concat(self.village_years),
            "alliance_yearly": pd.DataFrame(self.alliance_rows),
        }
        if self.village_months:
            out["village_monthly"] = _concat(self.village_months)
        if self.household_years:
            out["households"] = _concat(self.household_years)
        return out


def microdata_columns() -> int:
    """Columns of the stored household micro-data (see ``Recorder._household_year``)."""
    from dataclasses import fields

    from model.households import HouseholdTable
    from model.registry import INCOME_SOURCES

    # Every column of the table but the two income dicts, one per income source; year,
    # household, village_id and per_capita_income; the runner's scenario and replicate.
    kept = [f for f in fields(HouseholdTable) if f.name not in ("income", "last_year_income")]
    return len(kept) + len(INCOME_SOURCES.names()) + 6


def stream_sample(model: JointVillageModel, n: int, share: float) -> np.ndarray:
    """A fixed sample of households (from the county-level population stream)."""
    if share >= 1.0:
        return np.ones(n, dtype=bool)
    return stream(model.config.seed, "population").random(n) < share


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def is_missing_in_year_zero(table: str, column: str) -> bool:
    """Whether a column of a table is NaN in year 0 by design (a flow not yet produced)."""
    if column == "per_capita_income" or column.startswith("income_"):
        return True
    if table == "county_yearly":
        return column in HOUSEHOLD_INCOME_OUTPUTS
    return (
        table == "village_yearly"
        and column.startswith("collective_")
        and (column != "collective_income")
    )


def _year_zero(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """A table's year-0 rows with the flows not yet produced set to NaN."""
    missing = [c for c in frame.columns if is_missing_in_year_zero(table, c)]
    frame[missing] = np.nan
    return frame


def non_finite_columns(tables: dict[str, pd.DataFrame], start_year: int) -> dict[str, list[str]]:
    """Per table, the numeric columns holding NaN or infinity where a number belongs.

    Every row of a simulated year must be finite; year-0 rows (before ``start_year``) may
    be NaN only in the columns of :func:`is_missing_in_year_zero`.
    """
    out: dict[str, list[str]] = {}
    for name, frame in tables.items():
        numbers = frame.select_dtypes("number")
        if "year" in frame.columns:
            zero = (frame["year"] < start_year).to_numpy()
        else:
            zero = np.zeros(len(frame), dtype=bool)
        finite = np.isfinite(numbers.to_numpy(dtype=float))
        bad = [
            column
            for i, column in enumerate(numbers.columns)
            if not finite[~zero, i].all()
            or (not is_missing_in_year_zero(name, column) and not finite[zero, i].all())
        ]
        if bad:
            out[name] = bad
    return out
