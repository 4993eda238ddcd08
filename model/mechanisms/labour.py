"""Labour: local wage work, migration, and where labour freed by pooling goes.

Each household's working-age labour units are split between migrant work, local wage work
and the family farm. Wages are paid monthly. Once a year, labour no longer needed on the
family farm (because land was pooled or rented out) looks for local work, which it finds
with a probability that falls with age and rises with the local jobs operators and firms
create; what finds none migrates (if young enough) or stays idle. That is what makes pooling
pay, and what it costs a village when it does not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.params import Section, param

if TYPE_CHECKING:
    from model.jointmodel import JointVillageModel

WORKING_DAYS_PER_YEAR = 250.0


class LabourParams(Section):
    """Labour-market parameters."""

    migrant_monthly_wage: float = param(
        4780.0,
        unit="yuan/month",
        source="NBS migrant worker monitoring report 2023 (~4,780)",
        description="Average monthly income of a migrant worker",
        ge=0,
        le=50000,
    )
    migrant_months: float = param(
        10.0,
        unit="month/yr",
        source="assumption: ~10 months away a year (Spring Festival, busy seasons at home)",
        description="Months a year a migrant works",
        ge=0,
        le=12,
    )
    migrant_remittance_share: float = param(
        0.45,
        unit="share",
        source="assumption: migrants remit or bring home ~30-60 % of earnings (remittance "
        "surveys); the rest is spent where they work",
        description="Share of a migrant's earnings counted as household income",
        ge=0,
        le=1,
    )
    local_monthly_wage: float = param(
        2600.0,
        unit="yuan/month",
        source="assumption: county-town and farm wage work ~100-130 yuan/day, ~22 days",
        description="Monthly pay of full-time local wage work",
        ge=0,
        le=50000,
    )
    local_months: float = param(
        10.0,
        unit="month/yr",
        source="assumption: local work is seasonal",
        description="Months a year of local wage work",
        ge=0,
        le=12,
    )
    local_job_probability: float = param(
        0.55,
        unit="share",
        source="assumption: part of freed labour finds local work in a year",
        description="Chance that freed labour of a 40-year-old finds local work",
        ge=0,
        le=1,
    )
    job_probability_age_slope: float = param(
        0.015,
        unit="1/yr",
        source="assumption: older workers find less work",
        description="Fall of the local-job chance per year of age over 40",
        ge=0,
        le=0.1,
    )
    migration_max_age: float = param(
        55.0,
        unit="yr",
        source="assumption: migrant workers are mostly under 55 (NBS monitoring report)",
        description="Head age above which freed labour does not migrate",
        ge=20,
        le=80,
    )
    migration_probability: float = param(
        0.3,
        unit="share",
        source="assumption",
        description="Chance that freed labour with no local job migrates within a year",
        ge=0,
        le=1,
    )
    return_migration_rate: float = param(
        0.25,
        unit="share",
        source="assumption: some migrants return when local jobs appear",
        description="Share of new local jobs taken by returning migrants",
        ge=0,
        le=1,
    )


class LabourMarket:
    """Monthly wages and the yearly reallocation of labour.

    Args:
        model: The model.
    """

    def __init__(self, model: JointVillageModel) -> None:
        self.model = model
        self.params = model.config.labour

    def wage_factor(self, year_index: int) -> float:
        """Nominal wage level relative to the first year (the ``wage`` price index)."""
        return self.model.prices.level_in("wage", year_index)

    def daily_local_wage(self, year_index: int) -> float:
        """Local wage per working day (yuan), used to value freed labour."""
        p = self.params
        return p.local_monthly_wage * 12.0 / WORKING_DAYS_PER_YEAR * self.wage_factor(year_index)

    def job_probability(self, head_age: np.ndarray, boost: np.ndarray | float = 0.0) -> np.ndarray:
        """Chance that a unit of freed labour finds local work within a year."""
        p = self.params
        base = p.local_job_probability - p.job_probability_age_slope * np.maximum(head_age - 40, 0)
        return np.clip(base + boost, 0.0, 1.0)

    def local_job_boost(self) -> np.ndarray:
        """Extra chance of local work, by village, from jobs created by operators and firms."""
        model = self.model
        jobs = model.operators.jobs() + model.contracts.jobs_per_village()
        return np.clip(jobs / np.maximum(model.villages.labour_at_home, 1.0), 0.0, 0.3)

    def pay_wages(self) -> None:
        """Pay this month's migrant and local wages to households."""
        p = self.params
        model = self.model
        hh = model.households
        factor = self.wage_factor(model.year_index)
        migrant_wage = (
            p.migrant_monthly_wage * p.migrant_months / 12.0 * p.migrant_remittance_share * factor
        )
        local_wage = p.local_monthly_wage * p.local_months / 12.0 * factor
        # The same every month of a year: worked out once (model/yearly_amounts.py).
        yearly = model.accounts.pay_households_yearly
        yearly(
            "wage",
            "migrant_wage",
            "market",
            "migrants and earning",
            lambda: (hh.migrant * hh.earning) * migrant_wage,
        )
        yearly(
            "wage",
            "local_wage",
            "market",
            "local workers and earning",
            lambda: (hh.local_wage * hh.earning) * local_wage,
        )

    def new_year(self) -> None:
        """January after the first year: labour the family farm no longer needs moves."""
        model = self.model
        if model.year_index == 0:
            return
        self.reallocate(model.farming.labour_needed())
        model.villages.update_labour_at_home(model.households)

    def reallocate(self, labour_needed: np.ndarray) -> None:
        """Move labour the family farm no longer needs into local work or migration.

        Args:
            labour_needed: Labour units each household's own land now needs.
        """
        p = self.params
        hh = self.model.households
        freed = np.maximum(hh.farm_labour - labour_needed, 0.0)
        boost = self.model.villages.per_household(self.local_job_boost())
        found = freed * self.job_probability(hh.head_age, boost)
        young = hh.head_age <= p.migration_max_age
        leave = (freed - found) * p.migration_probability * young
        hh.local_wage += found
        hh.migrant += leave
        # Returning migrants take part of the new local jobs created by operators and firms.
        returning = np.minimum(hh.migrant, found * p.return_migration_rate * boost)
        hh.migrant -= returning
        hh.local_wage += returning
