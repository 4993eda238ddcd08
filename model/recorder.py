"""Collects the model's tidy output tables, month by month and year by year.

Per-household records use the household columns directly (DESIGN section 7), not Mesa's
per-agent DataCollector: a yearly table is a handful of vectorised reductions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from model.mechanisms.collective import COLLECTIVE_SOURCES
from model.metrics import gini
from model.world.households import INCOME_SOURCES

if TYPE_CHECKING:
    from model.jointmodel import JointVillageModel


class Recorder:
    """Rows of the output tables, turned into DataFrames by :meth:`tables`."""

    def __init__(self, model: JointVillageModel) -> None:
        self.monthly: list[dict[str, Any]] = []
        self.yearly: list[dict[str, Any]] = []
        self.village_years: list[pd.DataFrame] = []
        self.village_months: list[pd.DataFrame] = []
        self.alliance_rows: list[dict[str, Any]] = []
        self.household_years: list[pd.DataFrame] = []
        outputs = model.config.outputs
        n = model.households.n
        self.sample: np.ndarray | None = None
        if outputs.household_microdata:
            keep = stream_sample(model, n, outputs.household_sample)
            self.sample = np.flatnonzero(keep)
        villages = model.villages
        self.village_ids = villages["village_id"].astype(str).to_numpy()
        alliance_ids = np.array([a.alliance_id for a in model.alliance_agents] + [""], dtype=object)
        self.alliance_of_village = alliance_ids[model.membership]
        modes = np.array([a.mode for a in model.alliance_agents] + [""], dtype=object)
        self.mode_of_village = modes[model.membership]
        self.cultivated = villages["cultivated_mu"].to_numpy(float)

    def calendar_year(self, model: JointVillageModel) -> int:
        """Calendar year of the current step."""
        return model.config.start_year + model.year_index

    def record_month(self, model: JointVillageModel) -> None:
        """One row of the county-by-month table (and village-by-month when asked)."""
        hh = model.households
        row: dict[str, Any] = {
            "year": self.calendar_year(model),
            "month": model.month,
            "step": model.steps,
        }
        members = float(model.village_population.sum())
        for source in INCOME_SOURCES:
            row[f"income_{source}"] = model.hh_month_total[source] / members
        row["per_capita_income"] = sum(row[f"income_{s}"] for s in INCOME_SOURCES)
        row["collective_income_total"] = float(
            sum(v.sum() for v in model.collective.month.values())
        )
        row["land_pooled_mu"] = float(model.pooling.pooled_by_village(model).sum())
        row["active_sellers"] = int(hh.seller.sum())
        self.monthly.append(row)
        if model.config.outputs.village_monthly:
            frame = pd.DataFrame(
                {
                    "year": row["year"],
                    "month": model.month,
                    "village_id": self.village_ids,
                    **{f"income_{s}": model.hh_month[s] for s in INCOME_SOURCES},
                    "collective_income": sum(model.collective.month.values()),
                }
            )
            self.village_months.append(frame)

    def record_year(self, model: JointVillageModel) -> None:
        """Rows of the yearly tables; called at year end before the books close."""
        hh = model.households
        year = self.calendar_year(model)
        total = hh.total_income()
        members = hh.members
        population = model.village_population
        collective = model.collective.year_total()
        threshold = model.config.collective.weak_threshold
        allied = model.allied
        pooled = model.pooling.pooled_by_village(model)
        row: dict[str, Any] = {"year": year}
        person_total = float(members.sum())
        row["per_capita_income"] = float(total.sum()) / person_total
        for source in INCOME_SOURCES:
            row[f"income_{source}"] = float(hh.income[source].sum()) / person_total
        row["collective_income_total"] = float(collective.sum())
        row["collective_income_mean"] = float(collective.mean())
        row["collective_income_median"] = float(np.median(collective))
        row["weak_villages"] = int((collective < threshold).sum())
        row["gini_household"] = gini(total / np.maximum(members, 1.0), members)
        row["gini_collective"] = gini(collective)
        row["collective_income_allied_mean"] = (
            float(collective[allied].mean()) if allied.any() else float("nan")
        )
        row["collective_income_nonallied_mean"] = (
            float(collective[~allied].mean()) if (~allied).any() else float("nan")
        )
        row["allied_gap"] = (
            row["collective_income_allied_mean"] - row["collective_income_nonallied_mean"]
        )
        row["land_pooled_mu"] = float(pooled.sum())
        row["land_pooled_share"] = float(pooled.sum() / self.cultivated.sum())
        row["coop_members"] = int(((hh.pooled_mu > 0) | (hh.cash_shares > 0)).sum())
        row["active_sellers"] = int(hh.seller.sum())
        row["ecommerce_households_reached"] = int(model.livestream.reached.sum())
        row["public_spending"] = float(model.public_spent_year.sum())
        row["public_spending_cum"] = float(model.public_spent.sum())
        row["allied_villages"] = int(allied.sum())
        row["weak_villages_allied"] = int((collective[allied] < threshold).sum())
        self.yearly.append(row)

        by_village = {s: model.village_sum(hh.income[s]) for s in INCOME_SOURCES}
        village = pd.DataFrame(
            {
                "year": year,
                "village_id": self.village_ids,
                "town": model.villages["town"].to_numpy(),
                "alliance_id": self.alliance_of_village,
                "mode": self.mode_of_village,
                "allied": allied,
                "population": population,
                "collective_income": collective,
                **{f"collective_{s}": model.collective.year[s].copy() for s in COLLECTIVE_SOURCES},
                "weak": collective < threshold,
                "per_capita_income": sum(by_village.values()) / np.maximum(population, 1.0),
                **{
                    f"income_{s}": by_village[s] / np.maximum(population, 1.0)
                    for s in INCOME_SOURCES
                },
                "land_pooled_mu": pooled,
                "capacity": model.capacity.copy(),
                "sellers": model.village_sellers(),
                "public_spending_cum": model.public_spent.copy(),
            }
        )
        self.village_years.append(village)
        for alliance in model.alliance_agents:
            self.alliance_rows.append({"year": year, **alliance.report(model)})
        if self.sample is not None:
            frame = hh.to_frame().iloc[self.sample]
            frame.insert(0, "household", self.sample)
            frame.insert(0, "year", year)
            frame["village_id"] = self.village_ids[frame["village"].to_numpy()]
            frame["per_capita_income"] = total[self.sample] / np.maximum(members[self.sample], 1)
            self.household_years.append(frame.reset_index(drop=True))

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


def stream_sample(model: JointVillageModel, n: int, share: float) -> np.ndarray:
    """A fixed sample of households (from the county-level population stream)."""
    if share >= 1.0:
        return np.ones(n, dtype=bool)
    from model.rng import stream

    return stream(model.config.seed, "population").random(n) < share


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
