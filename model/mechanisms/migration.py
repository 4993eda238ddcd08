"""Migration: working-age members leave for work in the cities, and some come back.

Once a year (January from the second year, step ``migration``, after the labour
reallocation of :mod:`model.mechanisms.labour`), each household compares what a worker earns
away with what staying earns, as a log earnings gap

    gap = ln(urban / (local x (job + (1 - job) x home_value_share))),

where ``urban`` is the migrant's yearly pay (``labour.migrant_monthly_wage x
migrant_months``), ``local`` the local wage work's (``labour.local_monthly_wage x
local_months``), ``job`` the chance of finding local work at the workers' age with the jobs
operators and firms create (:meth:`~model.mechanisms.labour.LabourMarket.job_probability`,
:meth:`~model.mechanisms.labour.LabourMarket.local_job_boost`) and ``home_value_share`` what
a day at home without a job is worth against a day's local wage (own farm, care). With
``z = gap_weight x (gap - reference_gap)`` and ``a = age_weight x (age - 35) / 10``:

    out    = 2 x out_rate    x 1 / (1 + exp(-(z - a)))   (workers at home aged <= max age)
    return = 2 x return_rate x 1 / (1 + exp(z - a))       (migrants)

a logit as in land pooling (:mod:`model.mechanisms.pooling`): at the reference gap a
35-year-old leaves with chance ``out_rate`` and returns with ``return_rate``. A larger gap
never lowers out-migration and never raises returns; more local jobs raise ``job``, lower
the gap, and so never lower returns (tested). Leavers come off the family farm first, then
off local work; returners find local work with chance ``job`` and farm otherwise. Flows are
shares of labour units (expected values, as in :mod:`model.mechanisms.labour`), so this step
draws nothing. The workers' age is that of the household's youngest working-age generation
(:func:`model.mechanisms.age_groups.worker_age`).

The earnings are in the same year's money, so the gap is a ratio: wages that grow together
do not move it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from model.mechanisms.age_groups import worker_age
from model.params import Section, param

if TYPE_CHECKING:
    from model.jointmodel import JointVillageModel

#: Age at which the age term of the logits is zero (yr).
REFERENCE_AGE = 35.0


class MigrationParams(Section):
    """Out- and return-migration parameters (section ``migration``)."""

    enabled: bool = param(
        True,
        unit="-",
        source="model design: switch (off keeps who is away as the labour market leaves it)",
        description="Working-age members migrate out and return by the earnings gap",
    )
    out_rate: float = param(
        0.045,
        unit="1/yr",
        source="assumption: set so that out- and return flows about balance at the start "
        "(the county's 2023 migrant share steady at the 2023 wage gap); NBS Migrant Worker "
        "Monitoring Survey 2023: 297.53 million migrant workers, 176.58 million of them away "
        "from their home township, 0.4 % fewer than in 2022",
        description="Yearly chance that a worker at home aged 35 leaves, at the reference gap",
        ge=0,
        le=0.5,
    )
    return_rate: float = param(
        0.05,
        unit="1/yr",
        source="assumption: a migrant's stay away averages about 20 years (migrant workers' "
        "mean age 43.1 in 2023, NBS Migrant Worker Monitoring Survey), so ~5 % return a "
        "year",
        description="Yearly chance that a migrant aged 35 returns, at the reference gap",
        ge=0,
        le=0.5,
    )
    gap_weight: float = param(
        2.0,
        unit="1/log-point",
        source="assumption: a 10 % larger urban premium raises out-migration by ~10 %",
        description="Weight of the log earnings gap in the migration logits",
        ge=0,
        le=20,
    )
    reference_gap: float = param(
        1.0,
        unit="log-point",
        source="assumption: about the county's mean gap at the start (1.03 at the default "
        "wages, NBS migrant wage 4,780 yuan/month against local wage work's 2,600, the "
        "start's local job chances and home_value_share)",
        description="Log earnings gap at which the logits give out_rate and return_rate",
        ge=-2,
        le=3,
    )
    age_weight: float = param(
        0.5,
        unit="1/decade",
        source="assumption: the young leave and the older come back (NBS monitoring survey: "
        "the share of migrants over 50 rises every year)",
        description="Weight of the workers' age (per decade over 35) in the logits",
        ge=0,
        le=5,
    )
    home_value_share: float = param(
        0.4,
        unit="share",
        source="assumption: a day at home without wage work (own farm, care of children "
        "and parents) is worth less than half a day's local wage",
        description="Value of time at home without local work, against the local wage",
        ge=0.01,
        le=1,
    )


@dataclass
class MigrationYear:
    """This year's flows (labour units, county totals)."""

    left: float = 0.0
    returned: float = 0.0


def earnings_gap(
    urban: float, local: float, job_chance: np.ndarray, home_value_share: float
) -> np.ndarray:
    """Log of the urban yearly pay over what staying earns (module doc)."""
    staying = local * (job_chance + (1.0 - job_chance) * home_value_share)
    return np.log(max(urban, 1e-9) / np.maximum(staying, 1e-9))


def migration_rates(
    gap: np.ndarray, age: np.ndarray, params: MigrationParams, max_age: float
) -> tuple[np.ndarray, np.ndarray]:
    """Yearly chances to leave (workers at home) and to return (migrants).

    Args:
        gap: Log earnings gap per household.
        age: Workers' age per household (yr).
        params: The migration parameters.
        max_age: Age above which nobody leaves (``labour.migration_max_age``).

    Returns:
        ``(out, back)``: chance a worker at home leaves, chance a migrant returns.
    """
    z = params.gap_weight * (gap - params.reference_gap)
    a = params.age_weight * (age - REFERENCE_AGE) / 10.0
    pull = np.clip(z - a, -50.0, 50.0)
    out = 2.0 * params.out_rate / (1.0 + np.exp(-pull)) * (age <= max_age)
    back = 2.0 * params.return_rate / (1.0 + np.exp(pull))
    return out, back


class Migration:
    """Yearly out- and return migration of working-age members.

    Args:
        model: The model.

    Attributes:
        year: This year's flows (:class:`MigrationYear`).
    """

    def __init__(self, model: JointVillageModel) -> None:
        self.model = model
        self.params = model.config.migration
        self.year = MigrationYear()

    def rates(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """This year's chances to leave and to return, and of finding local work."""
        model = self.model
        hh = model.households
        labour = model.labour
        wages = labour.params
        factor = labour.wage_factor(model.year_index)
        urban = wages.migrant_monthly_wage * wages.migrant_months * factor
        local = wages.local_monthly_wage * wages.local_months * factor
        people = model.config.demography
        age = worker_age(hh.head_age, hh.labour, people.generation_gap, people.working_age)
        job = labour.job_probability(
            age, self.model.villages.per_household(labour.local_job_boost())
        )
        gap = earnings_gap(urban, local, job, self.params.home_value_share)
        out, back = migration_rates(gap, age, self.params, wages.migration_max_age)
        return out, back, job

    def new_year(self) -> None:
        """January from the second year: workers leave and migrants come back."""
        model = self.model
        if not self.params.enabled or model.year_index == 0:
            return
        hh = model.households
        out, back, job = self.rates()
        leaving = out * np.maximum(hh.labour - hh.migrant, 0.0)
        returning = back * hh.migrant
        off_farm = np.minimum(leaving, hh.farm_labour)
        hh.local_wage = np.maximum(hh.local_wage - (leaving - off_farm), 0.0)
        hh.migrant = hh.migrant + leaving - returning
        hh.local_wage = hh.local_wage + returning * job
        self.year = MigrationYear(float(leaving.sum()), float(returning.sum()))
        model.villages.update_labour_at_home(hh)
