"""The ``county`` section of a scenario: how the county is built, and its vocabularies.

The parameters of the synthetic Anqiu (:mod:`model.world.synthetic_county`) and of the models
that fill the columns a village file leaves out (:mod:`model.world.village_traits`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import field_validator

from model.errors import InputError
from model.params import Section, param

#: Main specialties of a village; "grain" = wheat–maize double cropping.
INDUSTRIES = ("grain", "ginger", "green_onion", "cherry", "peach", "vegetables", "peanut", "millet")

#: Terrain classes (Anqiu is about 1/3 each).
TERRAINS = ("plain", "hill", "mountain")

_DEFAULT_SPECIALTY_MEAN = {
    "ginger": 0.6,
    "green_onion": 0.65,
    "cherry": 0.5,
    "peach": 0.5,
    "vegetables": 0.4,
    "peanut": 0.8,
    "millet": 0.45,
}


class CountyParams(Section):
    """How the county is built: synthetic Anqiu (default) or a village file."""

    source: Literal["synthetic", "file"] = param(
        "synthetic",
        unit="-",
        source="model design: a synthetic Anqiu is the default (docs/ODD.md sections 5-6)",
        description="Draw a synthetic county or read villages from villages_file",
    )
    villages_file: str = param(
        "",
        unit="-",
        source="user",
        description="Village file: CSV, Parquet, GeoPackage, GeoJSON or shapefile (used when "
        "source = 'file')",
    )
    villages_crs: str = param(
        "",
        unit="-",
        source="user",
        description="Projected CRS (metres) of x_km/y_km, e.g. EPSG:32650; empty = a GIS "
        "file's own (UTM for longitude/latitude), the local Anqiu frame otherwise",
    )
    towns_file: str = param(
        "",
        unit="-",
        source="user",
        description="Towns sheet; empty = the shipped data/towns.csv",
    )
    scale: float = param(
        1.0,
        unit="share",
        source="assumption: 1 = full Anqiu; smaller builds a proportionally smaller county "
        "for quick runs",
        description="Share of each town's villages to generate (totals and alliance targets "
        "scale with it; each town's territory shrinks with it, so villages keep the full "
        "county's density; synthetic county only)",
        gt=0,
        le=1,
    )
    village_size_sigma: float = param(
        0.85,
        unit="log",
        source="assumption: with town means of 700-1,900 gives median ~600 and ~40% of "
        "villages under 500 people (Anqiu programme report: 3-5 villages and 1,000-2,000 "
        "people per alliance, i.e. 250-500 each)",
        description="Log-sd of village population within a town",
        ge=0,
        le=2,
    )
    min_village_population: int = param(
        60,
        unit="persons",
        source="assumption: smallest administrative villages",
        description="Lower clip of village population",
        ge=1,
    )
    max_village_population: int = param(
        6000,
        unit="persons",
        source="assumption: largest rural administrative villages in Weifang",
        description="Upper clip of village population",
        ge=1,
    )
    household_size_sd: float = param(
        0.08,
        unit="log",
        source="assumption: registered household size 2.9-3.8 across villages",
        description="Log-sd of village household size around the town's",
        ge=0,
        le=1,
    )
    land_elasticity: float = param(
        0.9,
        unit="-",
        source="assumption: land per person slightly lower in big villages",
        description="Elasticity of village cultivated land to population",
        ge=0,
        le=2,
    )
    land_sigma: float = param(
        0.3,
        unit="log",
        source="assumption",
        description="Log-sd of cultivated land per person across villages of a town",
        ge=0,
        le=2,
    )
    min_village_spacing_km: float = param(
        0.6,
        unit="km",
        source="assumption: administrative villages 1-2 km apart (1,760 km2 / 864)",
        description="Minimum distance between two villages",
        ge=0,
        le=5,
    )
    terrain_mix: float = param(
        0.15,
        unit="share",
        source="assumption",
        description="Probability a village has the neighbouring terrain class of its town's",
        ge=0,
        le=1,
    )
    industry_cluster_km: float = param(
        4.0,
        unit="km",
        source="assumption: specialty areas span a few neighbouring villages",
        description="Length scale of the spatial fields that cluster industries",
        gt=0,
    )
    industry_cluster_strength: float = param(
        1.5,
        unit="-",
        source="assumption: visible clusters while keeping town shares",
        description="Weight of the spatial field in the industry choice (0 = no clustering)",
        ge=0,
        le=10,
    )
    specialty_share_mean: dict[str, float] = param(
        _DEFAULT_SPECIALTY_MEAN,
        unit="share",
        source="assumption: calibrated so that county totals approach ginger ~200,000 mu, "
        "green onion ~300,000 mu, Zheshan peanuts 80% of land (local agricultural press; "
        "EU-China GI listing; local pages 2019)",
        description="Mean share of a village's land under its specialty, by industry",
    )
    specialty_share_concentration: float = param(
        12.0,
        unit="-",
        source="assumption",
        description="Beta concentration of the specialty share (higher = less spread); "
        "below 0.1 the draws pile up at exactly 0 and 1",
        ge=0.1,
        le=1000,
    )
    resident_share_plain: float = param(
        0.74,
        unit="share",
        source="assumption: rural resident rates 60-80% (hollowing)",
        description="Typical resident share of a plain village of reference size",
        gt=0,
        lt=1,
    )
    resident_share_hill: float = param(
        0.68,
        unit="share",
        source="assumption",
        description="Typical resident share of a hill village of reference size",
        gt=0,
        lt=1,
    )
    resident_share_mountain: float = param(
        0.6,
        unit="share",
        source="assumption: remote mountain villages hollow out most",
        description="Typical resident share of a mountain village of reference size",
        gt=0,
        lt=1,
    )
    resident_street_shift: float = param(
        0.5,
        unit="logit",
        source="assumption: suburban villages keep residents",
        description="Logit shift of resident share for villages of streets (街道)",
        ge=-5,
        le=5,
    )
    resident_size_effect: float = param(
        0.3,
        unit="logit/log-person",
        source="assumption: small villages are the hollowed-out ones",
        description="Logit change of resident share per log of village size",
        ge=-2,
        le=2,
    )
    resident_noise: float = param(
        0.45,
        unit="logit",
        source="assumption",
        description="Sd of the village effect on resident share",
        ge=0,
        le=3,
    )
    hollowed_threshold: float = param(
        0.6,
        unit="share",
        source="assumption: 'hollowed-out' = fewer than 60% of registered people live there",
        description="Villages with a lower resident share are hollowed",
        ge=0,
        le=1,
    )
    income_sigma: float = param(
        1.0,
        unit="log",
        source="assumption: tiers of collective income persist (陈雪原 et al. 2023)",
        description="Log-sd of collective income within a town",
        ge=0,
        le=3,
    )
    income_size_elasticity: float = param(
        0.5,
        unit="-",
        source="assumption: bigger villages have more assets to rent out",
        description="Elasticity of collective income to village population",
        ge=0,
        le=2,
    )
    capacity_mean: float = param(
        0.5,
        unit="0-1",
        source="assumption",
        description="Committee capacity of a village with median income and reference size",
        gt=0,
        lt=1,
    )
    capacity_income_weight: float = param(
        0.7,
        unit="logit/sd",
        source="assumption: capable committees and collective income go together",
        description="Logit change of capacity per sd of log collective income",
        ge=0,
        le=5,
    )
    capacity_size_weight: float = param(
        0.3,
        unit="logit/log-person",
        source="assumption",
        description="Logit change of capacity per log of village size",
        ge=-2,
        le=2,
    )
    capacity_noise: float = param(
        0.6,
        unit="logit",
        source="assumption",
        description="Sd of the village effect on committee capacity",
        ge=0,
        le=3,
    )
    weak_income_yuan: float = param(
        100_000,
        unit="yuan/yr",
        source="the usual Shandong bar for weak villages (薄弱村) "
        "in provincial collective-economy policy: collective income < 100k yuan/yr",
        description="Collective income below which a village counts as weak",
        ge=0,
    )

    @field_validator("specialty_share_mean")
    @classmethod
    def _known_industries(cls, value: dict[str, float]) -> dict[str, float]:
        for key, share in value.items():
            if key not in INDUSTRIES or key == "grain":
                raise ValueError(f"unknown specialty '{key}'; allowed: {', '.join(INDUSTRIES[1:])}")
            if not 0 < share < 1:
                raise ValueError(f"share for '{key}' must be between 0 and 1 (exclusive)")
        return {**_DEFAULT_SPECIALTY_MEAN, **value}

    @field_validator("villages_crs")
    @classmethod
    def _projected_in_metres(cls, value: str) -> str:
        if not value.strip():
            return ""
        from model.world.crs import projected_crs  # pyproj only for a scenario that names one

        try:
            projected_crs(value.strip())
        except InputError as err:
            what = f"{err.hint} is not projected in metres" if err.hint else "unknown CRS"
            raise ValueError(f"{what}; allowed: {err.allowed}") from None
        return value.strip()
