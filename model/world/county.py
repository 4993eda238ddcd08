"""County builder: the villages of Anqiu, synthetic by default or read from a file.

A synthetic Anqiu is the default: 864 villages in 12 towns and streets (``data/towns.csv``)
over about 1,760 km². Town totals come from the towns sheet (number of villages, mean
village size, cultivated land, where public figures exist; the rest are marked
assumptions there) and the villages within a town are drawn around them:

* position: uniform in the town's territory (a weighted Voronoi cell around the town's
  position, sized by its area), with a minimum spacing between villages;
* terrain: the town's terrain, or with a small probability the neighbouring class;
* population: lognormal (many small villages, a long tail), rescaled so that the town total
  matches the towns sheet; households from a town household size with noise;
* cultivated land: the town total split in proportion to population^elasticity × noise;
* main industry: the town's industry weights tilted by smooth random fields, so that
  specialties cluster in space (ginger and green onion on the plain and hills, fruit in the
  hills, grain on the plain, peanuts in Zheshan, millet in Huiqu);
* resident share (hollowing): logistic in terrain, street/town and size; ``hollowed`` when
  below a threshold;
* collective income before the programme: lognormal around the town's median, rising with
  village size; committee capacity: logistic, correlated with income and size.

Every draw comes from the generator passed in (``model.rng.stream(seed, "county")``), in a
fixed order, so the same seed gives the identical county.

Village files
-------------
``county.source = "file"`` reads villages from a CSV or Parquet file with one row per
village. Required columns: ``village_id, town, x_km, y_km, population, households,
cultivated_mu, industry``. Optional columns, filled when absent (or for empty cells):

* ``name``: the village_id;
* ``terrain``: the town's terrain from the towns sheet, else ``plain``;
* ``specialty_share``: drawn from the industry's Beta distribution (0 for grain);
* ``resident_share``: drawn from the hollowing model above;
* ``collective_income_start``: drawn from the income model (town median from the towns
  sheet, else the county median of the terrain);
* ``committee_capacity``: drawn from the capacity model;
* ``hollowed``: ``resident_share < county.hollowed_threshold``.

Without a generator (``load_villages(path)``), the optional numeric columns are filled with
the models' expected values instead of draws. Bad input raises
:class:`~model.errors.InputError` naming the file, the column, the value, the line and what
is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import field_validator

from model.errors import InputError
from model.params import Section, param
from model.paths import DATA_DIR, find_file
from model.world.table_files import (
    RowLabel,
    blank_cells,
    line_label,
    parse_bool,
    read_table,
    stripped,
)

#: Main specialties of a village; "grain" = wheat–maize double cropping.
INDUSTRIES = ("grain", "ginger", "green_onion", "cherry", "peach", "vegetables", "peanut", "millet")
#: Terrain classes (Anqiu is about 1/3 each).
TERRAINS = ("plain", "hill", "mountain")

#: The shipped towns sheet.
TOWNS_FILE = DATA_DIR / "towns.csv"

#: Columns a village file must have.
REQUIRED_COLUMNS = (
    "village_id",
    "town",
    "x_km",
    "y_km",
    "population",
    "households",
    "cultivated_mu",
    "industry",
)
#: Columns filled when a village file leaves them out.
OPTIONAL_COLUMNS = (
    "name",
    "terrain",
    "resident_share",
    "specialty_share",
    "committee_capacity",
    "collective_income_start",
    "hollowed",
)
#: Column order of :attr:`County.villages`.
VILLAGE_COLUMNS = (
    "village_id",
    "name",
    "town",
    "x_km",
    "y_km",
    "terrain",
    "population",
    "households",
    "resident_share",
    "cultivated_mu",
    "industry",
    "specialty_share",
    "committee_capacity",
    "collective_income_start",
    "hollowed",
)
_TOWN_COLUMNS = (
    "town",
    "name_zh",
    "kind",
    "x_km",
    "y_km",
    "area_km2",
    "terrain",
    "villages",
    "mean_village_size",
    "household_size",
    "cultivated_mu",
    "income_median_yuan",
    *(f"w_{k}" for k in INDUSTRIES),
    "source",
)
#: Reference village size for the size effects (the calibration sheet's median hint).
_REFERENCE_SIZE = 600.0

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
        source="DESIGN section 6: a synthetic Anqiu is the default",
        description="Draw a synthetic county or read villages from villages_file",
    )
    villages_file: str = param(
        "",
        unit="-",
        source="user",
        description="Village CSV/Parquet file (used when source = 'file')",
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
        description="Share of each town's villages to generate (totals scale with it; synthetic "
        "county only)",
        gt=0,
        le=1,
    )
    village_size_sigma: float = param(
        0.85,
        unit="log",
        source="assumption: with town means of 700-1,900 gives median ~600 and ~40% of "
        "villages under 500 people (calibration sheet: allied villages 250-500 each)",
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
        "green onion ~300,000 mu, Zheshan peanuts 80% of land (calibration sheet)",
        description="Mean share of a village's land under its specialty, by industry",
    )
    specialty_share_concentration: float = param(
        12.0,
        unit="-",
        source="assumption",
        description="Beta concentration of the specialty share (higher = less spread)",
        gt=0,
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
        source="DESIGN glossary: weak village = collective income < 100k yuan/yr (Shandong)",
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


@dataclass
class County:
    """The built county.

    Attributes:
        villages: One row per village (RangeIndex 0..n-1), columns :data:`VILLAGE_COLUMNS`.
        towns: One row per town: ``town, name_zh, kind, x_km, y_km, area_km2, terrain,
            villages`` (generated or found), ``population``, ``households``,
            ``cultivated_mu`` (village totals) and the towns sheet's calibration columns.
        source: ``"synthetic"`` or the village file's path.
        scale: Share of the full county generated (``CountyParams.scale``); alliance
            targets scale with it.
        weak_income_yuan: The weak-village bar the county was built with.
    """

    villages: pd.DataFrame
    towns: pd.DataFrame
    source: str
    scale: float = 1.0
    weak_income_yuan: float = 100_000.0


# --------------------------------------------------------------------------------------
# Entry points


def build_county(
    params: CountyParams,
    rng: np.random.Generator,
    villages_path: Path | None = None,
    towns_path: Path | None = None,
) -> County:
    """Build the county: synthetic Anqiu or villages read from a file.

    Args:
        params: The scenario's ``county`` section.
        rng: The county stream (``model.rng.stream(seed, "county")``); the only source of
            randomness.
        villages_path: Resolved village file (``scenario.resolve_data_path(
            "county.villages_file")``); needed when ``params.source == "file"``.
        towns_path: Resolved towns sheet; default ``params.towns_file`` or the shipped one.

    Returns:
        The :class:`County`.

    Raises:
        InputError: A missing or bad village or towns file.
    """
    towns = load_towns(_towns_path(params, towns_path))
    if params.source == "file":
        path = villages_path
        if path is None and params.villages_file:
            path = find_file(params.villages_file)
        if path is None:
            raise InputError(
                "county.villages_file",
                "county.villages_file",
                params.villages_file,
                "data file not found"
                if params.villages_file
                else "a village CSV or Parquet file is needed when county.source = 'file'",
            )
        villages = load_villages(path, params=params, rng=rng, towns=towns)
        towns = _file_towns(villages, towns)
        return County(villages, towns, str(path), 1.0, params.weak_income_yuan)
    villages = _synthetic_villages(params, towns, rng)
    towns = _summarise_towns(villages, towns)
    return County(villages, towns, "synthetic", params.scale, params.weak_income_yuan)


def load_villages(
    path: Path,
    params: CountyParams | None = None,
    rng: np.random.Generator | None = None,
    towns: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Read, validate and complete a village file (CSV or Parquet).

    Args:
        path: The file (``.csv``, ``.parquet`` or ``.pq``).
        params: Generation parameters for the optional columns (default: Anqiu defaults).
        rng: Draw missing optional columns from this generator; without one, they get the
            models' expected values.
        towns: Towns sheet used for town terrain and income medians (default: shipped).

    Returns:
        The villages with the columns of :data:`VILLAGE_COLUMNS` and a RangeIndex.

    Raises:
        InputError: Missing or unreadable file, unknown format, missing required column,
            duplicate village_id, bad values.
    """
    params = params or CountyParams()
    towns = towns if towns is not None else load_towns(TOWNS_FILE)
    path = Path(path)
    raw = read_table(path, "village file")
    where = line_label(path)
    missing = [c for c in REQUIRED_COLUMNS if c not in raw.columns]
    if missing:
        raise InputError(
            str(path),
            missing[0],
            None,
            f"required column missing (missing: {', '.join(missing)}; "
            f"required: {', '.join(REQUIRED_COLUMNS)})",
            hint=f"found columns: {', '.join(map(str, raw.columns))}",
        )
    if raw.empty:
        raise InputError(str(path), allowed="the village file has no rows")
    df = pd.DataFrame(index=pd.RangeIndex(len(raw)))
    for col in ("village_id", "town"):
        df[col] = _text_column(raw, col, path, where)
    dup = df["village_id"].duplicated(keep=False)
    if dup.any():
        rows = np.flatnonzero(dup.to_numpy())
        raise InputError(
            str(path),
            "village_id",
            df["village_id"].iloc[rows[0]],
            "unique village ids",
            hint=f"duplicated on {where(rows[0])} and {where(rows[1])}",
        )
    df["x_km"] = _numeric(raw, "x_km", path, where)
    df["y_km"] = _numeric(raw, "y_km", path, where)
    df["population"] = _numeric(raw, "population", path, where, low=1, integer=True)
    df["households"] = _numeric(raw, "households", path, where, low=1, integer=True)
    too_many = df["households"] > df["population"]
    if too_many.any():
        i = int(np.flatnonzero(too_many.to_numpy())[0])
        raise InputError(
            str(path),
            "households",
            int(df["households"].iloc[i]),
            f"at most the population ({int(df['population'].iloc[i])})",
            hint=_row_hint(df, i, where),
        )
    df["cultivated_mu"] = _numeric(raw, "cultivated_mu", path, where, low=0)
    df["industry"] = _category(raw, "industry", INDUSTRIES, path, where, df)
    return _complete(df, raw, params, towns, rng, path, where)


def load_towns(path: Path) -> pd.DataFrame:
    """Read and validate a towns sheet (see ``data/towns.csv``).

    Args:
        path: The CSV file.

    Returns:
        One row per town with the sheet's columns.

    Raises:
        InputError: Missing file, missing column or bad value.
    """
    path = Path(path)
    raw = read_table(path, "towns sheet")
    where = line_label(path)
    missing = [c for c in _TOWN_COLUMNS if c not in raw.columns]
    if missing:
        raise InputError(
            str(path),
            missing[0],
            None,
            f"required column missing (required: {', '.join(_TOWN_COLUMNS)})",
        )
    towns = pd.DataFrame(index=pd.RangeIndex(len(raw)))
    for col in ("town", "name_zh", "kind", "source"):
        towns[col] = _text_column(raw, col, path, where)
    if towns["town"].duplicated().any():
        name = towns["town"][towns["town"].duplicated()].iloc[0]
        raise InputError(str(path), "town", name, "unique town names")
    towns["terrain"] = _category(raw, "terrain", TERRAINS, path, where, None)
    for col in ("x_km", "y_km"):
        towns[col] = _numeric(raw, col, path, where)
    for col in ("area_km2", "mean_village_size", "household_size", "income_median_yuan"):
        towns[col] = _numeric(raw, col, path, where, low=1e-9)
    towns["villages"] = _numeric(raw, "villages", path, where, low=1, integer=True)
    towns["cultivated_mu"] = _numeric(raw, "cultivated_mu", path, where, low=0)
    weights = [f"w_{k}" for k in INDUSTRIES]
    for col in weights:
        towns[col] = _numeric(raw, col, path, where, low=0)
    zero = towns[weights].sum(axis=1) <= 0
    if zero.any():
        i = int(np.flatnonzero(zero.to_numpy())[0])
        raise InputError(str(path), "w_*", 0, "industry weights with a positive sum", hint=where(i))
    return towns


def county_summary(county: County) -> dict[str, float | int]:
    """County totals for tables and ``county --json``.

    Args:
        county: The county.

    Returns:
        Plain numbers: villages, population, households, cultivated_mu, weak_villages_start,
        hollowed_villages, villages_under_500, median_village_population.
    """
    v = county.villages
    return {
        "villages": len(v),
        "towns": int(v["town"].nunique()),
        "population": int(v["population"].sum()),
        "households": int(v["households"].sum()),
        "cultivated_mu": round(float(v["cultivated_mu"].sum()), 1),
        "weak_villages_start": int((v["collective_income_start"] < county.weak_income_yuan).sum()),
        "hollowed_villages": int(v["hollowed"].sum()),
        "villages_under_500": int((v["population"] < 500).sum()),
        "median_village_population": float(v["population"].median()),
        "median_collective_income_start": float(v["collective_income_start"].median()),
    }


# --------------------------------------------------------------------------------------
# Synthetic county


def _synthetic_villages(
    params: CountyParams, towns: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """Draw all villages; the order of the draws is fixed (same seed, same county)."""
    counts = np.maximum(1, np.rint(towns["villages"].to_numpy() * params.scale)).astype(int)
    town_idx = np.repeat(np.arange(len(towns)), counts)
    n = len(town_idx)
    kind = towns["kind"].to_numpy()[town_idx]

    xy = _place_villages(towns, counts, params.min_village_spacing_km, rng)
    terrain = _draw_terrain(towns["terrain"].to_numpy()[town_idx], params.terrain_mix, rng)
    population = _draw_population(params, towns, counts, town_idx, rng)
    hh_size = towns["household_size"].to_numpy()[town_idx] * np.exp(
        params.household_size_sd * rng.standard_normal(n)
    )
    households = np.clip(np.rint(population / hh_size), 1, population).astype(np.int64)
    land = _draw_land(params, towns, counts, town_idx, population, rng)
    industry = _draw_industry(params, towns, town_idx, xy, rng)
    specialty = _specialty_share(params, industry, rng)
    resident = _resident_share(params, terrain, kind == "street", population, rng)
    income = _collective_income(
        params, towns["income_median_yuan"].to_numpy()[town_idx], population, town_idx, rng
    )
    capacity = _capacity(params, income, population, rng)

    names = towns["town"].to_numpy()
    order = np.concatenate([np.arange(1, c + 1) for c in counts])
    ids = [f"{names[t].lower()}-{k:03d}" for t, k in zip(town_idx, order, strict=True)]
    villages = pd.DataFrame(
        {
            "village_id": ids,
            "name": [f"{names[t]} {k:03d}" for t, k in zip(town_idx, order, strict=True)],
            "town": names[town_idx],
            "x_km": xy[:, 0],
            "y_km": xy[:, 1],
            "terrain": terrain,
            "population": population,
            "households": households,
            "resident_share": resident,
            "cultivated_mu": land,
            "industry": industry,
            "specialty_share": specialty,
            "committee_capacity": capacity,
            "collective_income_start": income,
            "hollowed": resident < params.hollowed_threshold,
        }
    )
    return _typed(villages)


def _place_villages(
    towns: pd.DataFrame, counts: np.ndarray, spacing: float, rng: np.random.Generator
) -> np.ndarray:
    """Uniform positions in each town's territory, at least ``spacing`` km apart.

    A town's territory is the set of points closer to it than to any other town in
    distance scaled by the town's radius (a multiplicatively weighted Voronoi cell), cut at
    1.4 radii: neighbouring towns tile the county without overlapping.
    """
    centres = towns[["x_km", "y_km"]].to_numpy(dtype=float)
    radii = np.sqrt(towns["area_km2"].to_numpy(dtype=float) / np.pi)
    out = []
    for t, n_t in enumerate(counts):
        accepted = np.empty((0, 2))
        gap = spacing
        # Batches of candidates; the spacing relaxes if a crowded town cannot be filled.
        for attempt in range(200):
            m = max(64, 4 * n_t)
            r = 1.4 * radii[t] * np.sqrt(rng.random(m))
            theta = 2 * np.pi * rng.random(m)
            cand = centres[t] + np.column_stack([r * np.cos(theta), r * np.sin(theta)])
            scaled = np.linalg.norm(cand[:, None, :] - centres[None, :, :], axis=2) / radii
            cand = cand[scaled.argmin(axis=1) == t]
            for point in cand:
                if len(accepted) >= n_t:
                    break
                if len(accepted) and np.min(np.sum((accepted - point) ** 2, axis=1)) < gap**2:
                    continue
                accepted = np.vstack([accepted, point])
            if len(accepted) >= n_t:
                break
            if attempt % 10 == 9:
                gap *= 0.8
        out.append(accepted[:n_t])
    return np.vstack(out)


def _draw_terrain(base: np.ndarray, mix: float, rng: np.random.Generator) -> np.ndarray:
    """The town's terrain, or with probability ``mix`` the neighbouring class."""
    level = np.array([TERRAINS.index(t) for t in base])
    switch = rng.random(len(base)) < mix
    # Plain can only go up, mountain only down; hill goes either way.
    step = np.where(level == 0, 1, np.where(level == 2, -1, rng.choice([-1, 1], len(base))))
    level = np.where(switch, level + step, level)
    return np.asarray(TERRAINS, dtype=object)[level]


def _draw_population(
    params: CountyParams,
    towns: pd.DataFrame,
    counts: np.ndarray,
    town_idx: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Lognormal village sizes, rescaled so each town's total matches the sheet."""
    raw = np.exp(params.village_size_sigma * rng.standard_normal(len(town_idx)))
    target = towns["mean_village_size"].to_numpy() * counts
    sums = np.bincount(town_idx, weights=raw, minlength=len(towns))
    pop = raw * (target / sums)[town_idx]
    # Clipping moves a town's total; a few rescale-and-clip rounds bring it back.
    for _ in range(5):
        pop = np.clip(pop, params.min_village_population, params.max_village_population)
        sums = np.bincount(town_idx, weights=pop, minlength=len(towns))
        pop = pop * (target / sums)[town_idx]
    pop = np.clip(pop, params.min_village_population, params.max_village_population)
    return np.maximum(1, np.rint(pop)).astype(np.int64)


def _draw_land(
    params: CountyParams,
    towns: pd.DataFrame,
    counts: np.ndarray,
    town_idx: np.ndarray,
    population: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Split each town's cultivated land over its villages."""
    noise = np.exp(params.land_sigma * rng.standard_normal(len(town_idx)))
    weight = population.astype(float) ** params.land_elasticity * noise
    total = towns["cultivated_mu"].to_numpy() * counts / towns["villages"].to_numpy()
    sums = np.bincount(town_idx, weights=weight, minlength=len(towns))
    return np.round(weight * (total / sums)[town_idx], 1)


def _draw_industry(
    params: CountyParams,
    towns: pd.DataFrame,
    town_idx: np.ndarray,
    xy: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Main industry: the town's shares, placed by smooth random fields (spatial clusters).

    Each town gets whole-number quotas from its industry weights, so town shares follow the
    towns sheet exactly. Each industry gets a Gaussian random field with length scale
    ``industry_cluster_km`` (random Fourier features, unit variance); villages are matched
    to quotas greedily by ``strength * field + Gumbel noise``, so neighbours tend to share a
    specialty. With strength 0 the placement within a town is random.
    """
    weights = towns[[f"w_{k}" for k in INDUSTRIES]].to_numpy(dtype=float)
    weights = weights / weights.sum(axis=1, keepdims=True)
    n_features = 48
    omega = rng.standard_normal((len(INDUSTRIES), n_features, 2)) / params.industry_cluster_km
    phase = rng.uniform(0, 2 * np.pi, (len(INDUSTRIES), n_features))
    arg = np.einsum("kfd,nd->nkf", omega, xy) + phase[None, :, :]
    field = np.sqrt(2.0 / n_features) * np.cos(arg).sum(axis=2)
    score = params.industry_cluster_strength * field + rng.gumbel(size=field.shape)
    choice = np.empty(len(town_idx), dtype=np.int64)
    for t in range(len(towns)):
        rows = np.flatnonzero(town_idx == t)
        quota = _quotas(weights[t], len(rows))
        choice[rows] = _assign_by_score(score[rows], quota)
    return np.asarray(INDUSTRIES, dtype=object)[choice]


def _quotas(weights: np.ndarray, n: int) -> np.ndarray:
    """Whole numbers proportional to ``weights`` summing to ``n`` (largest remainder)."""
    exact = weights * n
    quota = np.floor(exact).astype(np.int64)
    short = n - quota.sum()
    order = np.argsort(-(exact - quota), kind="stable")
    quota[order[:short]] += 1
    return quota


def _assign_by_score(score: np.ndarray, quota: np.ndarray) -> np.ndarray:
    """Greedy assignment of rows to columns by descending score, within column quotas."""
    n, k = score.shape
    flat = np.argsort(-score, axis=None, kind="stable")
    choice = np.full(n, -1, dtype=np.int64)
    left = quota.copy()
    placed = 0
    for cell in flat:
        row, col = divmod(int(cell), k)
        if choice[row] >= 0 or left[col] <= 0:
            continue
        choice[row] = col
        left[col] -= 1
        placed += 1
        if placed == n:
            break
    return choice


def _specialty_share(
    params: CountyParams, industry: np.ndarray, rng: np.random.Generator | None
) -> np.ndarray:
    """Share of land under the main specialty (0 for grain)."""
    mean = np.array([params.specialty_share_mean.get(k, 0.0) for k in industry])
    if rng is None:
        return mean
    c = params.specialty_share_concentration
    draw = rng.beta(np.maximum(mean, 1e-6) * c, np.maximum(1 - mean, 1e-6) * c)
    return np.where(industry == "grain", 0.0, np.round(draw, 4))


def _resident_share(
    params: CountyParams,
    terrain: np.ndarray,
    street: np.ndarray,
    population: np.ndarray,
    rng: np.random.Generator | None,
) -> np.ndarray:
    """Share of registered people living in the village (low = hollowed-out)."""
    base = {
        "plain": params.resident_share_plain,
        "hill": params.resident_share_hill,
        "mountain": params.resident_share_mountain,
    }
    logit = np.array([_logit(base[t]) for t in terrain])
    logit += params.resident_street_shift * street
    logit += params.resident_size_effect * np.log(population / _REFERENCE_SIZE)
    if rng is not None:
        logit += params.resident_noise * rng.standard_normal(len(terrain))
    return np.round(_sigmoid(logit), 4)


def _collective_income(
    params: CountyParams,
    median: np.ndarray,
    population: np.ndarray,
    town_idx: np.ndarray,
    rng: np.random.Generator | None,
) -> np.ndarray:
    """Collective operating income before the programme (yuan/yr), lognormal."""
    # Size effect relative to the town's median village, so the town median stays put.
    town_median = pd.Series(population).groupby(town_idx).transform("median").to_numpy()
    log_income = np.log(median) + params.income_size_elasticity * np.log(population / town_median)
    if rng is not None:
        log_income += params.income_sigma * rng.standard_normal(len(population))
    return np.round(np.exp(log_income), 0)


def _capacity(
    params: CountyParams,
    income: np.ndarray,
    population: np.ndarray,
    rng: np.random.Generator | None,
) -> np.ndarray:
    """Committee capacity (0–1), rising with collective income and size."""
    z_income = (np.log(np.maximum(income, 1.0)) - np.log(max(params.weak_income_yuan, 1.0))) / max(
        params.income_sigma, 0.1
    )
    logit = _logit(params.capacity_mean) + params.capacity_income_weight * z_income
    logit += params.capacity_size_weight * np.log(population / _REFERENCE_SIZE)
    if rng is not None:
        logit += params.capacity_noise * rng.standard_normal(len(population))
    return np.round(_sigmoid(logit), 4)


def _logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _summarise_towns(villages: pd.DataFrame, towns: pd.DataFrame) -> pd.DataFrame:
    """The towns sheet with the generated villages' counts and totals."""
    agg = villages.groupby("town", sort=False).agg(
        villages=("village_id", "size"),
        population=("population", "sum"),
        households=("households", "sum"),
        village_mu=("cultivated_mu", "sum"),
    )
    out = towns.rename(
        columns={"villages": "villages_sheet", "cultivated_mu": "cultivated_mu_sheet"}
    )
    out = out.merge(agg, left_on="town", right_index=True, how="left")
    out = out.rename(columns={"village_mu": "cultivated_mu"})
    return out.reset_index(drop=True)


def _file_towns(villages: pd.DataFrame, sheet: pd.DataFrame) -> pd.DataFrame:
    """Towns of a village file: centroid, main terrain and totals, plus sheet columns."""
    grouped = villages.groupby("town", sort=True)
    towns = grouped.agg(
        x_km=("x_km", "mean"),
        y_km=("y_km", "mean"),
        villages=("village_id", "size"),
        population=("population", "sum"),
        households=("households", "sum"),
        cultivated_mu=("cultivated_mu", "sum"),
    )
    towns["terrain"] = grouped["terrain"].agg(lambda s: s.mode().iloc[0])
    towns = towns.reset_index()
    extra = sheet[["town", "name_zh", "kind"]]
    towns = towns.merge(extra, on="town", how="left")
    towns["name_zh"] = towns["name_zh"].fillna("")
    towns["kind"] = towns["kind"].fillna("town")
    return towns


# --------------------------------------------------------------------------------------
# Reading and validating files


def _towns_path(params: CountyParams, given: Path | None) -> Path:
    if given is not None:
        return Path(given)
    if params.towns_file:
        found = find_file(params.towns_file)
        if found is None:
            raise InputError(
                "county.towns_file", "county.towns_file", params.towns_file, "data file not found"
            )
        return found
    return TOWNS_FILE


def _row_hint(df: pd.DataFrame, i: int, where: RowLabel) -> str:
    vid = df["village_id"].iloc[i] if "village_id" in df else None
    return where(i) + (f", village_id '{vid}'" if vid is not None else "")


def _text_column(raw: pd.DataFrame, col: str, path: Path, where: RowLabel) -> pd.Series:
    blank = blank_cells(raw[col])
    if blank.any():
        i = int(np.flatnonzero(blank)[0])
        raise InputError(str(path), col, "", "a non-empty value", hint=where(i))
    return raw[col].astype(str).str.strip().astype(str)


def _numeric(
    raw: pd.DataFrame,
    col: str,
    path: Path,
    where: RowLabel,
    low: float | None = None,
    high: float | None = None,
    integer: bool = False,
    required: bool = True,
) -> pd.Series:
    """Parse a numeric column; name the first bad cell (line, village id, value)."""
    series = raw[col]
    values = pd.to_numeric(series.astype(object).map(stripped), errors="coerce").astype(float)
    blank = blank_cells(series)
    bad = values.isna().to_numpy() & ~blank
    if required:
        bad |= blank
    kind = "a whole number" if integer else "a number"
    bounds = []
    if low is not None:
        bounds.append(f">= {low:g}" if not (integer and low == 1) else ">= 1")
    if high is not None:
        bounds.append(f"<= {high:g}")
    allowed = kind + (" " + " and ".join(bounds) if bounds else "")
    ctx = raw if "village_id" in raw.columns else None
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        shown = series.iloc[i]
        msg = "a value is required: " + allowed if blank[i] else allowed
        raise InputError(str(path), col, shown, msg, hint=_hint(ctx, i, where))
    finite = values.to_numpy()
    checks = ~np.isnan(finite)
    wrong = checks & ~np.isfinite(finite)
    if low is not None:
        wrong |= checks & (finite < low)
    if high is not None:
        wrong |= checks & (finite > high)
    if integer:
        wrong |= checks & np.isfinite(finite) & (finite != np.round(finite))
    if wrong.any():
        i = int(np.flatnonzero(wrong)[0])
        value = finite[i]
        shown = int(value) if np.isfinite(value) and value == int(value) else float(value)
        raise InputError(str(path), col, shown, allowed, hint=_hint(ctx, i, where))
    if integer and required:
        return values.astype(np.int64)
    return values


def _hint(ctx: pd.DataFrame | None, i: int, where: RowLabel) -> str:
    if ctx is None:
        return where(i)
    return f"{where(i)}, village_id '{str(ctx['village_id'].iloc[i]).strip()}'"


def _category(
    raw: pd.DataFrame,
    col: str,
    allowed: tuple[str, ...],
    path: Path,
    where: RowLabel,
    df: pd.DataFrame | None,
    required: bool = True,
) -> pd.Series:
    """Parse a categorical text column; unknown values list what is allowed."""
    series = raw[col].astype(object).map(stripped)
    blank = blank_cells(series)
    values = series.where(~blank, None)
    known = values.isin(allowed).to_numpy() | (blank & (not required))
    if not known.all():
        i = int(np.flatnonzero(~known)[0])
        ctx = raw if "village_id" in raw.columns else None
        raise InputError(
            str(path),
            col,
            "" if blank[i] else values.iloc[i],
            f"one of {', '.join(allowed)}",
            hint=_hint(ctx, i, where),
        )
    return values


def _complete(
    df: pd.DataFrame,
    raw: pd.DataFrame,
    params: CountyParams,
    towns: pd.DataFrame,
    rng: np.random.Generator | None,
    path: Path,
    where: RowLabel,
) -> pd.DataFrame:
    """Validate the optional columns a file has and fill the ones it lacks."""
    n = len(df)
    has = set(raw.columns)

    name = raw["name"].astype(object).map(stripped) if "name" in has else pd.Series([None] * n)
    blank = blank_cells(name)
    df["name"] = np.where(blank, df["village_id"], name.astype(str))

    by_town = towns.set_index("town")
    town_terrain = df["town"].map(by_town["terrain"]).fillna("plain")
    if "terrain" in has:
        terrain = _category(raw, "terrain", TERRAINS, path, where, df, required=False)
        df["terrain"] = terrain.where(terrain.notna(), town_terrain)
    else:
        df["terrain"] = town_terrain
    df["terrain"] = df["terrain"].astype(str)

    def given(col: str, low: float, high: float | None) -> pd.Series | None:
        if col not in has:
            return None
        return _numeric(raw, col, path, where, low=low, high=high, required=False)

    # Optional columns in a fixed order, each drawn only where the file leaves it empty.
    population = df["population"].to_numpy()
    street = df["town"].map(by_town["kind"]).fillna("town").to_numpy() == "street"
    industry = df["industry"].to_numpy()

    spec = given("specialty_share", 0.0, 1.0)
    drawn = _specialty_share(params, industry, rng)
    df["specialty_share"] = _fill(spec, drawn)

    res = given("resident_share", 0.0, 1.0)
    drawn = _resident_share(params, df["terrain"].to_numpy(), street, population, rng)
    df["resident_share"] = _fill(res, drawn)

    inc = given("collective_income_start", 0.0, None)
    terrain_median = towns.groupby("terrain")["income_median_yuan"].median()
    median = df["town"].map(by_town["income_median_yuan"])
    median = median.fillna(df["terrain"].map(terrain_median)).fillna(params.weak_income_yuan)
    town_codes = pd.factorize(df["town"])[0]
    drawn = _collective_income(params, median.to_numpy(float), population, town_codes, rng)
    df["collective_income_start"] = _fill(inc, drawn)

    cap = given("committee_capacity", 0.0, 1.0)
    drawn = _capacity(params, df["collective_income_start"].to_numpy(), population, rng)
    df["committee_capacity"] = _fill(cap, drawn)

    hollow = df["resident_share"] < params.hollowed_threshold
    if "hollowed" in has:
        flags = raw["hollowed"].astype(object).map(stripped)
        blank = blank_cells(flags)
        parsed = flags.map(parse_bool)
        bad = parsed.isna().to_numpy() & ~blank
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(
                str(path),
                "hollowed",
                flags.iloc[i],
                "true/false (also 1/0, yes/no) or empty",
                hint=_hint(raw, i, where),
            )
        hollow = pd.Series(np.where(blank, hollow, parsed.fillna(False).astype(bool)))
    df["hollowed"] = hollow.astype(bool).to_numpy()
    return _typed(df[list(VILLAGE_COLUMNS)])


def _fill(given: pd.Series | None, drawn: np.ndarray) -> np.ndarray:
    if given is None:
        return np.asarray(drawn, dtype=float)
    values = given.to_numpy(dtype=float)
    return np.where(np.isnan(values), drawn, values)


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    """The documented dtypes: str, float64, int64, bool."""
    out = df.reset_index(drop=True).copy()
    for col in ("village_id", "name", "town", "terrain", "industry"):
        out[col] = out[col].astype(str)
    for col in ("population", "households"):
        out[col] = out[col].astype(np.int64)
    for col in (
        "x_km",
        "y_km",
        "resident_share",
        "cultivated_mu",
        "specialty_share",
        "committee_capacity",
        "collective_income_start",
    ):
        out[col] = out[col].astype(np.float64)
    out["hollowed"] = out["hollowed"].astype(bool)
    return out
