"""Household state in columns, and its generation from village totals.

Full scale is ~240,000 households (DESIGN section 7), so household state is one numpy array
per attribute, rows sorted by village so that village totals are a single
``np.add.reduceat``. :class:`agents.household.Household` objects are thin views on a row,
made on demand.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np
import pandas as pd

from model.params import Section, param
from model.registry import income_source_names


class HouseholdParams(Section):
    """Household generation parameters (drawn per village from its totals)."""

    head_age_mean: float = param(
        56.0,
        unit="yr",
        source="assumption: ageing rural heads (2020 census: 23.8 % of rural residents 60+)",
        description="Mean age of household heads",
        ge=30,
        le=80,
    )
    head_age_sd: float = param(
        12.0, unit="yr", source="assumption", description="Spread of head age", ge=0, le=30
    )
    hollowing_age_shift: float = param(
        6.0,
        unit="yr",
        source="assumption: hollowed-out villages keep the old",
        description="Extra head age in hollowed-out villages",
        ge=0,
        le=20,
    )
    education_years_mean: float = param(
        8.0,
        unit="yr",
        source="assumption: rural adults ~ junior-middle school (2020 census)",
        description="Mean years of schooling of the head at age 50",
        ge=0,
        le=16,
    )
    education_age_slope: float = param(
        -0.08,
        unit="yr/yr",
        source="assumption: younger cohorts schooled longer",
        description="Change of schooling per year of head age",
        ge=-0.5,
        le=0.5,
    )
    child_probability: float = param(
        0.5,
        unit="share",
        source="assumption: gives ~15-17 % of members under working age (2020 census: "
        "rural under-16 share ~17 %)",
        description="Chance that each member beyond the first two (head under 60) is a child",
        ge=0,
        le=1,
    )
    reserve_land_share: float = param(
        0.05,
        unit="share",
        source="Rural Land Contract Law art. 67: reserved (机动) land at most 5 % of arable land",
        description="Share of cultivated land kept by the collective",
        ge=0,
        le=0.2,
    )
    land_share_noise: float = param(
        0.25,
        unit="log-sd",
        source="assumption: land was allotted per person with later changes",
        description="Spread of contracted land per member across households",
        ge=0,
        le=1.5,
    )
    private_rental_share: float = param(
        0.25,
        unit="share",
        source="assumption: ~1/3 of contracted land transferred nationally (MARA); less in "
        "Anqiu's cash-crop villages",
        description="Share of grain land rented out privately at the start, where no labour",
        ge=0,
        le=1,
    )
    idle_share_hollowed: float = param(
        0.03,
        unit="share",
        source="assumption: some abandoned land in hollowed-out villages",
        description="Share of land idle in hollowed-out villages at the start",
        ge=0,
        le=0.5,
    )
    attachment_median: float = param(
        250.0,
        unit="yuan/mu/yr",
        source="assumption: non-monetary value of farming own land (security, habit)",
        description="Median attachment to own land",
        ge=0,
        le=5000,
    )
    attachment_sigma: float = param(
        0.8,
        unit="log-sd",
        source="assumption: heterogeneous attachment",
        description="Spread of attachment",
        ge=0,
        le=3,
    )
    attachment_age_slope: float = param(
        0.03,
        unit="1/yr",
        source="assumption: older heads are more attached to farming",
        description="Relative increase of attachment per year of age over 50",
        ge=0,
        le=0.2,
    )
    business_share: float = param(
        0.22,
        unit="share",
        source="assumption: calibrated to Shandong's operating-income share (30 %, Q1 2025)",
        description="Share of households running a non-farm sideline business",
        ge=0,
        le=1,
    )
    business_income_median: float = param(
        20000.0,
        unit="yuan/yr",
        source="assumption: small shops, transport, processing",
        description="Median net income of a sideline business",
        ge=0,
        le=500000,
    )
    savings_income_per_person: float = param(
        250.0,
        unit="yuan/person/yr",
        source="assumption: interest and other property income; property is 2.3 % of "
        "Shandong rural income (Q1 2025)",
        description="Property income other than land rent and cooperative dividends",
        ge=0,
        le=100000,
    )
    schooling_return: float = param(
        0.05,
        unit="1/yr of schooling",
        source="assumption: Mincer returns to schooling in rural China ~4-7 % per year",
        description="Wage premium per year of the head's schooling above 8",
        ge=0,
        le=0.3,
    )
    earning_sigma: float = param(
        0.35,
        unit="log-sd",
        source="assumption: dispersion of rural wages within a county",
        description="Spread of earning ability (wage multiplier) across households",
        ge=0,
        le=2,
    )
    business_income_sigma: float = param(
        0.7, unit="log-sd", source="assumption", description="Spread of business income", ge=0
    )


@dataclass
class HouseholdTable:
    """Column store of all households, sorted by village.

    Land identity (conserved per household):
    ``contracted_mu = grain_mu + specialty_mu + pooled_mu + rented_out_mu + idle_mu``.

    Attributes:
        village: Village row of each household.
        members: Registered members.
        elderly: Members aged 60+.
        head_age: Age of the head (yr).
        education: Head's years of schooling.
        labour: Working-age labour units.
        migrant: Labour units working outside the county.
        local_wage: Labour units in local wage work.
        contracted_mu: Contracted land (mu).
        grain_mu: Own-farmed grain land (mu).
        specialty_mu: Own-farmed land under the village specialty (mu).
        pooled_mu: Land pooled to an operator (mu).
        rented_out_mu: Land rented out privately (mu).
        idle_mu: Idle land (mu).
        attachment: Attachment to own land (yuan/mu/yr).
        ability: Farming ability (yield multiplier).
        earning: Earning ability (wage multiplier; schooling and luck).
        business_income: Yearly net income of a sideline business (yuan).
        cash_shares: Cash shares held in the pooling cooperative (yuan).
        specialty_shares: Shares held in the alliance's specialty cooperative (yuan).
        seller: Trained livestream seller.
        seller_skill: Seller's skill (multiplier of sales).
        income: Income this year by source (yuan).
        last_year_income: Total income last year (yuan).
    """

    village: np.ndarray
    members: np.ndarray
    elderly: np.ndarray
    head_age: np.ndarray
    education: np.ndarray
    labour: np.ndarray
    migrant: np.ndarray
    local_wage: np.ndarray
    contracted_mu: np.ndarray
    grain_mu: np.ndarray
    specialty_mu: np.ndarray
    pooled_mu: np.ndarray
    rented_out_mu: np.ndarray
    idle_mu: np.ndarray
    attachment: np.ndarray
    ability: np.ndarray
    earning: np.ndarray
    business_income: np.ndarray
    cash_shares: np.ndarray
    specialty_shares: np.ndarray
    seller: np.ndarray
    seller_skill: np.ndarray
    income: dict[str, np.ndarray] = field(default_factory=dict)
    last_year_income: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def __post_init__(self) -> None:
        n = len(self.village)
        if not self.income:
            self.income = {s: np.zeros(n) for s in income_source_names()}
        if len(self.last_year_income) != n:
            self.last_year_income = np.zeros(n)
        order_ok = n == 0 or bool(np.all(np.diff(self.village) >= 0))
        if not order_ok:
            raise ValueError("households must be sorted by village")

    def __len__(self) -> int:
        return len(self.village)

    @property
    def n(self) -> int:
        """Number of households."""
        return len(self.village)

    @property
    def farm_labour(self) -> np.ndarray:
        """Labour units left for the family farm."""
        return np.maximum(self.labour - self.migrant - self.local_wage, 0.0)

    @property
    def land_total(self) -> np.ndarray:
        """Sum of land by status; equals ``contracted_mu`` when land is conserved."""
        return (
            self.grain_mu + self.specialty_mu + self.pooled_mu + self.rented_out_mu + self.idle_mu
        )

    def total_income(self) -> np.ndarray:
        """This year's income so far, all sources (yuan)."""
        return sum(self.income.values())  # type: ignore[return-value]

    def reset_year(self) -> None:
        """Close the household year: remember the total and zero the accumulators."""
        self.last_year_income = self.total_income()
        for values in self.income.values():
            values[:] = 0.0

    def row(self, i: int) -> dict[str, float]:
        """One household as a dict (used by the agent view and micro-data)."""
        out: dict[str, float] = {}
        for f in fields(self):
            if f.name in ("income", "last_year_income"):
                continue
            out[f.name] = getattr(self, f.name)[i].item()
        for source, values in self.income.items():
            out[f"income_{source}"] = float(values[i])
        return out

    def to_frame(self) -> pd.DataFrame:
        """All households as a DataFrame (micro-data)."""
        data = {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name not in ("income", "last_year_income")
        }
        for source, values in self.income.items():
            data[f"income_{source}"] = values
        return pd.DataFrame(data)


def village_offsets(village: np.ndarray, n_villages: int) -> np.ndarray:
    """Start row of each village's block (every village has at least one household)."""
    starts = np.searchsorted(village, np.arange(n_villages))
    return starts


def generate_households(
    villages: pd.DataFrame,
    params: HouseholdParams,
    rng: np.random.Generator,
    ability_sigma: float = 0.15,
) -> HouseholdTable:
    """Draw households for every village from the village's totals.

    Args:
        villages: The county's village table (population, households, cultivated_mu,
            resident_share, specialty_share, hollowed).
        params: Household generation parameters.
        rng: The county stream (households belong to the county, not to a replicate).
        ability_sigma: Log-spread of farming ability (mean-one multiplier).

    Returns:
        The household column store, sorted by village.
    """
    n_per_village = villages["households"].to_numpy(int)
    n_villages = len(villages)
    village = np.repeat(np.arange(n_villages), n_per_village)
    n = len(village)
    pop = villages["population"].to_numpy(float)
    avg_size = (pop / n_per_village)[village]
    # Members: 1 + Poisson around the village's average, so that village totals come close
    # to the registered population without forcing every household to one size.
    members = 1 + rng.poisson(np.maximum(avg_size - 1.0, 0.05))
    hollowed = villages["hollowed"].to_numpy(bool)[village]
    head_age = np.clip(
        rng.normal(
            params.head_age_mean + params.hollowing_age_shift * hollowed, params.head_age_sd
        ),
        22,
        90,
    )
    # Elderly members: the head when 60+, often a spouse, and sometimes a parent.
    head_old = head_age >= 60
    spouse_old = head_old & (members >= 2) & (rng.random(n) < 0.8)
    parent = (~head_old) & (members >= 3) & (rng.random(n) < 0.25)
    elderly = head_old.astype(float) + spouse_old + parent
    children = np.minimum(
        rng.binomial(np.maximum(members - 2, 0), params.child_probability).astype(float),
        np.maximum(members - elderly - 1, 0),
    )
    children *= (head_age < 60) * 1.0
    labour = np.maximum(members - elderly - children, 0.0)
    education = np.clip(
        rng.normal(params.education_years_mean + params.education_age_slope * (head_age - 50), 2.5),
        0,
        16,
    )
    # Migrants: the village's non-resident people are its migrant workers, spread over
    # working-age members, younger households more likely.
    resident_share = villages["resident_share"].to_numpy(float)
    village_labour = np.bincount(village, labour, minlength=n_villages)
    migrants_needed = (1.0 - resident_share) * pop
    rate = np.clip(migrants_needed / np.maximum(village_labour, 1e-9), 0.0, 0.9)[village]
    youth = np.clip(1.3 - 0.015 * (head_age - 40), 0.3, 1.5)
    migrant = np.minimum(labour * np.clip(rate * youth, 0, 0.95), labour)
    at_home = labour - migrant
    local_share = np.clip(0.65 - 0.012 * (head_age - 45), 0.15, 0.75)
    local_wage = at_home * local_share
    # Land: contracted land per registered member, village total net of reserve land.
    land = villages["cultivated_mu"].to_numpy(float) * (1.0 - params.reserve_land_share)
    weight = members * np.exp(rng.normal(0.0, params.land_share_noise, n))
    village_weight = np.bincount(village, weight, minlength=n_villages)
    contracted = weight / np.maximum(village_weight[village], 1e-9) * land[village]
    spec_share = villages["specialty_share"].to_numpy(float)[village]
    specialty = contracted * np.clip(spec_share * np.exp(rng.normal(0, 0.4, n)), 0, 1)
    grain = contracted - specialty
    # Households with little labour at home rent their grain land out privately or leave it.
    no_hands = at_home - local_wage < 0.3
    rent_out = np.where(no_hands, grain * np.clip(params.private_rental_share * 3, 0, 1), 0.0)
    rent_out += np.where(~no_hands, grain * params.private_rental_share * 0.5, 0.0)
    rent_out = np.minimum(rent_out, grain)
    grain = grain - rent_out
    idle = np.where(hollowed, grain * params.idle_share_hollowed, 0.0)
    grain = grain - idle
    attachment = (
        params.attachment_median
        * np.exp(rng.normal(0, params.attachment_sigma, n))
        * (1 + params.attachment_age_slope * np.maximum(head_age - 50, 0))
    )
    ability = np.exp(rng.normal(-0.5 * ability_sigma**2, ability_sigma, n))
    earning = np.exp(
        params.schooling_return * (education - 8.0)
        + rng.normal(-0.5 * params.earning_sigma**2, params.earning_sigma, n)
    )
    has_business = rng.random(n) < params.business_share
    business = (
        has_business
        * params.business_income_median
        * np.exp(rng.normal(0, params.business_income_sigma, n))
    )
    return HouseholdTable(
        village=village.astype(np.int64),
        members=members.astype(float),
        elderly=elderly.astype(float),
        head_age=head_age,
        education=education,
        labour=labour,
        migrant=migrant,
        local_wage=local_wage,
        contracted_mu=contracted,
        grain_mu=grain,
        specialty_mu=specialty,
        pooled_mu=np.zeros(n),
        rented_out_mu=rent_out,
        idle_mu=idle,
        attachment=attachment,
        ability=ability,
        earning=earning,
        business_income=business,
        cash_shares=np.zeros(n),
        specialty_shares=np.zeros(n),
        seller=np.zeros(n, dtype=bool),
        seller_skill=np.zeros(n),
    )
