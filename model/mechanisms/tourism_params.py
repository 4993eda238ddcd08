"""Parameters of rural tourism (:mod:`model.mechanisms.tourism`): demand, capacity, spending
and its split, each with its unit and source."""

from __future__ import annotations

from typing import Literal

from pydantic import field_validator

from model.params import PROGRAMME_REPORT, Section, param

MODES = Literal["lead_goose", "strong_leads_weak", "industry_pull", "project_traction"]
#: Season profile: share of a year's visitors in each month (January first).
SEASON = [0.04, 0.05, 0.07, 0.11, 0.12, 0.09, 0.10, 0.10, 0.08, 0.12, 0.07, 0.05]
NATIONAL_2019 = (
    "Ministry of Culture and Tourism via Xinhua, 2020-09-12: 3.09 billion rural tourism "
    "visits and 1.81 trillion yuan in 2019, 586 yuan a visit"
)


class TourismParams(Section):
    """Rural tourism: demand, capacity, spending and its split."""

    enabled: bool = param(
        False,
        unit="-",
        source="model design: on where a scenario gives tourism sites",
        description="Villages with attractions receive visitors",
    )
    sites_file: str = param(
        "",
        unit="-",
        source="user",
        description="Tourism sites: village_id, attractions, homestay_beds, parking_spaces, "
        "joint, source (CSV or Parquet; empty: no sites)",
    )
    festivals_file: str = param(
        "",
        unit="-",
        source="user",
        description="Yearly festivals: village_id, festival, month, cost, visitors, source "
        "(empty: none)",
    )
    city_x_km: float = param(
        34.0,
        unit="km",
        source="model.world.crs: the seat of Anqiu at (34, 35.5) km of the local frame",
        description="Position of the city visitors come from (east)",
        ge=-1000,
        le=1000,
    )
    city_y_km: float = param(
        35.5,
        unit="km",
        source="model.world.crs: the seat of Anqiu at (34, 35.5) km of the local frame",
        description="Position of the city visitors come from (north)",
        ge=-1000,
        le=1000,
    )
    visits_per_attraction: float = param(
        20000.0,
        unit="persons/yr",
        source="assumption: national key rural-tourism villages received 61,500 visits a "
        "village in 2021 Q1, 1.8 times the average tourism village (Ministry of Culture and "
        "Tourism via 光明网, 2021-09-03); an ordinary suburban attraction (a picking park, a "
        "scenic spot) draws a fraction of an average village's ~34,000 a quarter",
        description="Yearly visitors one attraction draws at the city's edge",
        ge=0,
        le=10_000_000,
    )
    distance_decay_km: float = param(
        25.0,
        unit="km",
        source="assumption: suburban rural tourism is mostly day trips within an hour's "
        "drive (the Ministry's 2020 note that near-city rural trips recovered first); "
        "demand falls by e every 25 km",
        description="Distance over which demand falls by a factor e",
        gt=0,
        le=1000,
    )
    demand_sigma: float = param(
        0.15,
        unit="-",
        source="assumption: weather, holidays and fashion move a site's year",
        description="Sd of the yearly log demand shock (mean 1)",
        ge=0,
        le=2,
    )
    season: list[float] = param(
        SEASON,
        unit="share",
        source="assumption: spring blossom and Qingming/May Day (Apr-May), summer holidays, "
        "the October golden week; low in winter",
        description="Share of a year's visitors in each month, January first (sums to 1)",
    )
    cars_per_space_per_day: float = param(
        2.0,
        unit="cars/space/day",
        source="assumption: day visits of about half a day",
        description="Cars one parking space takes in a day",
        ge=0,
        le=20,
    )
    persons_per_car: float = param(
        3.0,
        unit="persons",
        source="assumption: family trips",
        description="Visitors per car",
        gt=0,
        le=10,
    )
    car_share: float = param(
        0.8,
        unit="share",
        source="assumption: most suburban visitors drive; the rest come by bus or tour coach",
        description="Share of visitors who come by car (and need parking)",
        gt=0,
        le=1,
    )
    overnight_share: float = param(
        0.15,
        unit="share",
        source="assumption: near-city rural tourism is mostly day trips",
        description="Share of visitors who stay a night (when a bed is free)",
        ge=0,
        le=1,
    )
    spend_per_visit: float = param(
        150.0,
        unit="yuan/person",
        source="assumption below the national means, which include lodging and transport: "
        + NATIONAL_2019
        + "; 371 yuan a visit at key villages in 2021 Q1 (光明网, 2021-09-03)",
        description="Spending of a visitor in the village besides lodging",
        ge=0,
        le=10000,
    )
    produce_share: float = param(
        0.4,
        unit="share",
        source="assumption: picking and farm-shop produce is the main purchase at a "
        "picking village",
        description="Share of a visitor's spending on produce (picking, farm shops)",
        ge=0,
        le=1,
    )
    produce_margin: float = param(
        0.5,
        unit="share",
        source="assumption: picking prices about twice the farm-gate price",
        description="Share of produce spending that is income above the farm-gate value",
        ge=0,
        le=1,
    )
    collective_share: float = param(
        0.05,
        unit="share",
        source="assumption: parking about 10 yuan a car of three, stall and venue rents",
        description="Share of a visitor's spending that goes to the collective",
        ge=0,
        le=1,
    )
    homestay_price: float = param(
        120.0,
        unit="yuan/person/night",
        source="assumption: a Shandong rural homestay room of two at 200-300 yuan a night",
        description="Price of a night in a homestay, per person",
        ge=0,
        le=10000,
    )
    homestay_cost_share: float = param(
        0.4,
        unit="share",
        source="assumption: cleaning, food, utilities and platform fees",
        description="Share of homestay takings that is running cost",
        ge=0,
        le=1,
    )
    beds_per_homestay: float = param(
        6.0,
        unit="beds",
        source="assumption: three guest rooms in a farm house",
        description="Beds one household's homestay holds",
        gt=0,
        le=100,
    )
    joint_venture_modes: list[MODES] = param(
        ["strong_leads_weak"],
        unit="-",
        source=PROGRAMME_REPORT + ": the strong village runs the joint tourism business with "
        "its weaker neighbours",
        description="Modes whose alliances pool the members' tourism fees and split them",
    )

    @field_validator("season")
    @classmethod
    def _twelve_shares(cls, value: list[float]) -> list[float]:
        if len(value) != 12 or min(value) < 0 or abs(sum(value) - 1.0) > 1e-6:
            raise ValueError("12 non-negative monthly shares that sum to 1")
        return value
