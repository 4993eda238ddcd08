"""Households drawn from village totals: people, work, land and traits.

Each village's registered population, households, cultivated land, resident share,
specialty share and hollowing give its households (:func:`generate_households`); the
result is the column store :class:`~model.households.HouseholdTable`. Households belong to
the county, not to a replicate: they are drawn from the county-level ``population`` stream.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.households import HouseholdTable
from model.mechanisms.household_finance import HouseholdFinanceParams, initial_balance_sheet
from model.params import Section, param

if TYPE_CHECKING:  # the scenario schema imports this module: pandas is for the builders
    import pandas as pd


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
        0.7,
        unit="log-sd",
        source="assumption; above 2 the top tenth would earn over 13 times the median business "
        "income, beyond any household survey's spread",
        description="Spread of business income",
        ge=0,
        le=2,
    )
    finance: HouseholdFinanceParams = HouseholdFinanceParams()


def generate_households(
    villages: pd.DataFrame,
    params: HouseholdParams,
    rng: np.random.Generator,
    ability_sigma: float = 0.15,
) -> HouseholdTable:
    """Draw households for every village from the village's totals.

    The draws come in a fixed order (people, land, traits), so that a seed always gives
    the same households.

    Args:
        villages: The county's village table (population, households, cultivated_mu,
            resident_share, specialty_share, hollowed).
        params: Household generation parameters.
        rng: The county stream (households belong to the county, not to a replicate).
        ability_sigma: Log-spread of farming ability (mean-one multiplier).

    Returns:
        The household column store, sorted by village.
    """
    village = np.repeat(np.arange(len(villages)), villages["households"].to_numpy(int))
    n = len(village)
    hollowed = villages["hollowed"].to_numpy(bool)[village]
    people = _people(villages, village, hollowed, params, rng)
    work = _work(villages, village, people)
    land = _land(villages, village, hollowed, people, work, params, rng)
    traits = _traits(people, params, rng, ability_sigma)
    balance_sheet = initial_balance_sheet(
        people["members"].astype(float),
        traits["earning"],
        land["contracted_mu"],
        traits["business_income"],
        params.finance,
    )
    return HouseholdTable(
        village=village.astype(np.int64),
        members=people["members"].astype(float),
        elderly=people["elderly"].astype(float),
        head_age=people["head_age"],
        education=people["education"],
        labour=people["labour"],
        **work,
        **land,
        **traits,
        pooled_mu=np.zeros(n),
        leased_mu=np.zeros(n),
        cash_shares=np.zeros(n),
        specialty_shares=np.zeros(n),
        seller=np.zeros(n, dtype=bool),
        seller_skill=np.zeros(n),
        **balance_sheet,
    )


def _people(
    villages: pd.DataFrame,
    village: np.ndarray,
    hollowed: np.ndarray,
    params: HouseholdParams,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Members, the head's age and schooling, elderly members, children and labour units."""
    n = len(village)
    pop = villages["population"].to_numpy(float)
    avg_size = (pop / villages["households"].to_numpy(int))[village]
    # Members: 1 + Poisson around the village's average, so that village totals come close
    # to the registered population without forcing every household to one size.
    members = 1 + rng.poisson(np.maximum(avg_size - 1.0, 0.05))
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
    return {
        "members": members,
        "elderly": elderly,
        "head_age": head_age,
        "education": education,
        "labour": labour,
    }


def _work(
    villages: pd.DataFrame, village: np.ndarray, people: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Migrant and local wage labour units.

    The village's non-resident people are its migrant workers, spread over working-age
    members, younger households more likely.
    """
    labour, head_age = people["labour"], people["head_age"]
    pop = villages["population"].to_numpy(float)
    resident_share = villages["resident_share"].to_numpy(float)
    village_labour = np.bincount(village, labour, minlength=len(villages))
    migrants_needed = (1.0 - resident_share) * pop
    rate = np.clip(migrants_needed / np.maximum(village_labour, 1e-9), 0.0, 0.9)[village]
    youth = np.clip(1.3 - 0.015 * (head_age - 40), 0.3, 1.5)
    migrant = np.minimum(labour * np.clip(rate * youth, 0, 0.95), labour)
    local_share = np.clip(0.65 - 0.012 * (head_age - 45), 0.15, 0.75)
    return {"migrant": migrant, "local_wage": (labour - migrant) * local_share}


def _land(
    villages: pd.DataFrame,
    village: np.ndarray,
    hollowed: np.ndarray,
    people: dict[str, np.ndarray],
    work: dict[str, np.ndarray],
    params: HouseholdParams,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Contracted land and its split: specialty, grain, rented out privately, idle.

    Contracted land is allotted per registered member, the village total net of reserve
    land; households with little labour at home rent their grain land out or leave it.
    """
    n = len(village)
    land = villages["cultivated_mu"].to_numpy(float) * (1.0 - params.reserve_land_share)
    weight = people["members"] * np.exp(rng.normal(0.0, params.land_share_noise, n))
    village_weight = np.bincount(village, weight, minlength=len(villages))
    contracted = weight / np.maximum(village_weight[village], 1e-9) * land[village]
    spec_share = villages["specialty_share"].to_numpy(float)[village]
    specialty = contracted * np.clip(spec_share * np.exp(rng.normal(0, 0.4, n)), 0, 1)
    grain = contracted - specialty
    at_home = people["labour"] - work["migrant"]
    no_hands = at_home - work["local_wage"] < 0.3
    rent_out = np.where(no_hands, grain * np.clip(params.private_rental_share * 3, 0, 1), 0.0)
    rent_out += np.where(~no_hands, grain * params.private_rental_share * 0.5, 0.0)
    rent_out = np.minimum(rent_out, grain)
    grain = grain - rent_out
    idle = np.where(hollowed, grain * params.idle_share_hollowed, 0.0)
    return {
        "contracted_mu": contracted,
        "specialty_mu": specialty,
        "grain_mu": grain - idle,
        "rented_out_mu": rent_out,
        "idle_mu": idle,
    }


def _traits(
    people: dict[str, np.ndarray],
    params: HouseholdParams,
    rng: np.random.Generator,
    ability_sigma: float,
) -> dict[str, np.ndarray]:
    """Attachment to own land, farming and earning ability, sideline business income."""
    n = len(people["members"])
    head_age = people["head_age"]
    attachment = (
        params.attachment_median
        * np.exp(rng.normal(0, params.attachment_sigma, n))
        * (1 + params.attachment_age_slope * np.maximum(head_age - 50, 0))
    )
    ability = np.exp(rng.normal(-0.5 * ability_sigma**2, ability_sigma, n))
    earning = np.exp(
        params.schooling_return * (people["education"] - 8.0)
        + rng.normal(-0.5 * params.earning_sigma**2, params.earning_sigma, n)
    )
    has_business = rng.random(n) < params.business_share
    business = (
        has_business
        * params.business_income_median
        * np.exp(rng.normal(0, params.business_income_sigma, n))
    )
    return {
        "attachment": attachment,
        "ability": ability,
        "earning": earning,
        "business_income": business,
    }
