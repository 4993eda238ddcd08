"""County builder: synthetic Anqiu totals, clustering, determinism, village files."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.spatial import cKDTree

from model.errors import InputError
from model.rng import stream
from model.world.county import (
    INDUSTRIES,
    REQUIRED_COLUMNS,
    TERRAINS,
    TOWNS_FILE,
    VILLAGE_COLUMNS,
    CountyParams,
    build_county,
    county_summary,
    load_towns,
    load_villages,
)

EXAMPLE = Path(__file__).resolve().parent.parent / "data" / "example_villages.csv"


@pytest.fixture(scope="module")
def county():
    return build_county(CountyParams(), stream(20231, "county"))


def test_totals_match_calibration_targets(county):
    s = county_summary(county)
    assert s["villages"] == 864
    assert s["towns"] == 12
    assert 750_000 <= s["population"] <= 850_000
    assert 220_000 <= s["households"] <= 260_000
    assert abs(s["cultivated_mu"] - 1_440_000) <= 144_000
    # Skewed sizes: median ~600, ~40% of villages under 500 people.
    assert 500 <= s["median_village_population"] <= 700
    assert 0.33 <= s["villages_under_500"] / 864 <= 0.47
    # Weak villages (collective income < 100k): ~40-50%; many hollowed-out villages.
    assert 0.38 <= s["weak_villages_start"] / 864 <= 0.52
    assert 0.12 <= s["hollowed_villages"] / 864 <= 0.4


def test_columns_dtypes_and_ranges(county):
    v = county.villages
    assert tuple(v.columns) == VILLAGE_COLUMNS
    assert isinstance(v.index, pd.RangeIndex) and v.index[0] == 0
    assert v["village_id"].is_unique
    assert v["population"].dtype == np.int64 and v["households"].dtype == np.int64
    assert v["hollowed"].dtype == bool
    for col in ("x_km", "y_km", "resident_share", "cultivated_mu", "specialty_share"):
        assert v[col].dtype == np.float64, col
    assert isinstance(v["village_id"].iloc[0], str) and isinstance(v["town"].iloc[0], str)
    assert (v["population"] >= 1).all() and (v["households"] >= 1).all()
    assert (v["households"] <= v["population"]).all()
    for col in ("resident_share", "specialty_share", "committee_capacity"):
        assert v[col].between(0, 1).all(), col
    assert (v["cultivated_mu"] >= 0).all() and (v["collective_income_start"] > 0).all()
    assert set(v["industry"]) <= set(INDUSTRIES) and set(v["terrain"]) == set(TERRAINS)
    assert (v.loc[v["industry"] == "grain", "specialty_share"] == 0).all()
    assert (v["hollowed"] == (v["resident_share"] < 0.6)).all()
    # Household size ~3.3 (registered).
    assert 3.0 <= v["population"].sum() / v["households"].sum() <= 3.6


def test_area_and_town_villages_follow_the_sheet(county):
    v = county.villages
    span = (v["x_km"].max() - v["x_km"].min()) * (v["y_km"].max() - v["y_km"].min())
    assert 1_500 <= span <= 4_000  # bounding box of a ~1,760 km2 county
    counts = v["town"].value_counts()
    assert counts["Jingzhi"] == 135 and counts["Zheshan"] == 41
    assert counts["Xinan"] == 25 and counts["Xingan"] == 59
    # Sourced town totals are matched: Jingzhi 127,733 people, Zheshan 32,289.
    pop = v.groupby("town")["population"].sum()
    assert abs(pop["Jingzhi"] - 127_733) < 1_500 and abs(pop["Zheshan"] - 32_289) < 500
    # Villages are not stacked on top of each other.
    d, _ = cKDTree(v[["x_km", "y_km"]].to_numpy()).query(v[["x_km", "y_km"]].to_numpy(), k=2)
    assert d[:, 1].min() >= 0.3


def test_industries_follow_geography(county):
    v = county.villages
    share = pd.crosstab(v["town"], v["industry"], normalize="index")
    assert share.loc["Zheshan", "peanut"] >= 0.7
    assert share.loc["Huiqu", "millet"] >= 0.3
    assert share.loc["Shibuzi"].idxmax() == "cherry"
    by_terrain = pd.crosstab(v["terrain"], v["industry"], normalize="index")
    assert by_terrain.loc["plain", "grain"] > by_terrain.loc["mountain", "grain"]
    fruit = by_terrain[["cherry", "peach"]].sum(axis=1)
    assert fruit["hill"] > fruit["plain"] and fruit["mountain"] > fruit["plain"]
    ginger_onion = by_terrain[["ginger", "green_onion"]].sum(axis=1)
    assert ginger_onion["plain"] > ginger_onion["mountain"]


def _neighbour_agreement(villages: pd.DataFrame) -> float:
    """Share of (village, 4 nearest same-town villages) pairs with the same industry."""
    agree = []
    for _, g in villages.groupby("town"):
        xy = g[["x_km", "y_km"]].to_numpy()
        _, idx = cKDTree(xy).query(xy, k=5)
        ind = g["industry"].to_numpy()
        agree.append((ind[idx[:, 1:]] == ind[:, None]).ravel())
    return float(np.concatenate(agree).mean())


def test_industries_cluster_in_space(county):
    flat = build_county(CountyParams(industry_cluster_strength=0), stream(20231, "county"))
    assert _neighbour_agreement(county.villages) > _neighbour_agreement(flat.villages) + 0.08


def test_xingan_starts_rich_and_capacity_tracks_income(county):
    v = county.villages
    xingan = v[v["town"] == "Xingan"]
    assert (xingan["collective_income_start"] < 100_000).mean() <= 0.2
    assert 12 <= (xingan["collective_income_start"] >= 500_000).sum() <= 40
    cap = v["committee_capacity"]
    assert np.corrcoef(np.log(v["collective_income_start"]), cap)[0, 1] > 0.5
    assert np.corrcoef(np.log(v["population"]), cap)[0, 1] > 0.2


def test_same_seed_same_county_other_seed_differs(county):
    np.random.seed(1)  # global numpy state must not matter
    again = build_county(CountyParams(), stream(20231, "county"))
    np.random.seed(2)
    pd.testing.assert_frame_equal(county.villages, again.villages)
    other = build_county(CountyParams(), stream(20232, "county"))
    cols = ["x_km", "population", "industry"]
    assert not county.villages[cols].equals(other.villages[cols])


def test_build_is_fast():
    start = time.perf_counter()
    build_county(CountyParams(), stream(5, "county"))
    assert time.perf_counter() - start < 2.0


def test_scale_builds_a_smaller_county(county):
    small = build_county(CountyParams(scale=0.25), stream(20231, "county"))
    assert 200 <= len(small.villages) <= 230 and small.scale == 0.25
    ratio = small.villages["population"].sum() / county.villages["population"].sum()
    assert 0.22 <= ratio <= 0.28


def test_towns_sheet_is_complete():
    towns = load_towns(TOWNS_FILE)
    assert len(towns) == 12 and towns["villages"].sum() == 864
    assert abs(towns["area_km2"].sum() - 1_760) <= 20
    assert (towns["kind"] == "street").sum() == 3
    streets = set(towns.loc[towns["kind"] == "street", "name_zh"])
    assert streets == {"兴安街道", "新安街道", "凌河街道"}
    assert towns["source"].str.len().min() > 20
    unsourced = towns[~towns["town"].isin(["Jingzhi", "Zheshan", "Xinan", "Xingan"])]
    assert unsourced["source"].str.contains("assumption").all()


# --------------------------------------------------------------------------------------
# Village files


def test_example_file_loads_and_fills_defaults():
    v = load_villages(EXAMPLE)
    assert tuple(v.columns) == VILLAGE_COLUMNS and len(v) == 20
    assert not v.isna().any().any()
    assert (v.loc[v["town"] == "Zheshan", "terrain"] == "mountain").all()  # from the towns sheet
    row = v.set_index("village_id")
    assert row.loc["zs-01", "resident_share"] == 0.55  # given values are kept
    assert row.loc["zs-04", "collective_income_start"] == 260_000
    assert row.loc["zs-06", "specialty_share"] == 0  # grain
    assert row.loc["zs-01", "hollowed"] and not row.loc["zs-04", "hollowed"]
    pd.testing.assert_frame_equal(v, load_villages(EXAMPLE))  # no generator: deterministic


def test_file_county_draws_missing_values_from_the_generator():
    params = CountyParams(source="file")
    a = build_county(params, stream(1, "county"), EXAMPLE)
    b = build_county(params, stream(2, "county"), EXAMPLE)
    assert a.source == str(EXAMPLE) and set(a.towns["town"]) == {"Zheshan", "Huiqu"}
    blank = pd.read_csv(EXAMPLE)["collective_income_start"].isna().to_numpy()
    inc_a = a.villages["collective_income_start"].to_numpy()
    inc_b = b.villages["collective_income_start"].to_numpy()
    assert (inc_a[~blank] == inc_b[~blank]).all() and (inc_a[blank] != inc_b[blank]).all()


def test_parquet_file_loads(tmp_path):
    path = tmp_path / "villages.parquet"
    pd.read_csv(EXAMPLE).to_parquet(path)
    pd.testing.assert_frame_equal(load_villages(path), load_villages(EXAMPLE))


def test_file_source_without_file_is_an_error():
    with pytest.raises(InputError) as err:
        build_county(CountyParams(source="file"), stream(1, "county"))
    assert "county.villages_file" in err.value.message


def _write(tmp_path: Path, frame: pd.DataFrame, name: str = "v.csv") -> Path:
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def _base() -> pd.DataFrame:
    return pd.read_csv(EXAMPLE, dtype=str, keep_default_na=False)


def test_missing_file_names_it(tmp_path):
    path = tmp_path / "nope.csv"
    with pytest.raises(InputError) as err:
        load_villages(path)
    assert str(path) in err.value.message and "not found" in err.value.message


def test_unknown_format_lists_allowed(tmp_path):
    path = tmp_path / "villages.xlsx"
    path.write_text("x")
    with pytest.raises(InputError) as err:
        load_villages(path)
    assert ".xlsx" in err.value.message and ".csv" in err.value.message


def test_unreadable_parquet(tmp_path):
    path = tmp_path / "villages.parquet"
    path.write_bytes(b"this is not parquet")
    with pytest.raises(InputError) as err:
        load_villages(path)
    assert str(path) in err.value.message and "cannot be read as Parquet" in err.value.message


def test_missing_required_column_names_it_and_lists_required(tmp_path):
    path = _write(tmp_path, _base().drop(columns=["industry"]))
    with pytest.raises(InputError) as err:
        load_villages(path)
    text = err.value.message
    assert str(path) in text and "'industry'" in text
    assert all(col in text for col in REQUIRED_COLUMNS)


def test_duplicate_village_id_is_named(tmp_path):
    frame = _base()
    frame.loc[3, "village_id"] = "zs-01"
    path = _write(tmp_path, frame)
    with pytest.raises(InputError) as err:
        load_villages(path)
    text = err.value.message
    assert str(path) in text and "village_id" in text and "'zs-01'" in text
    assert "unique" in text and "line 2" in text and "line 5" in text


@pytest.mark.parametrize("value", ["0", "-12"])
def test_population_must_be_positive(tmp_path, value):
    frame = _base()
    frame.loc[2, "population"] = value
    path = _write(tmp_path, frame)
    with pytest.raises(InputError) as err:
        load_villages(path)
    text = err.value.message
    assert str(path) in text and "'population'" in text and value in text
    assert ">= 1" in text and "line 4" in text and "zs-03" in text


def test_unknown_industry_lists_allowed(tmp_path):
    frame = _base()
    frame.loc[0, "industry"] = "rice"
    path = _write(tmp_path, frame)
    with pytest.raises(InputError) as err:
        load_villages(path)
    text = err.value.message
    assert str(path) in text and "'industry'" in text and "'rice'" in text
    assert "grain, ginger, green_onion" in text


@pytest.mark.parametrize(("column", "value"), [("x_km", "abc"), ("cultivated_mu", "lots")])
def test_non_numeric_values_are_named(tmp_path, column, value):
    frame = _base()
    frame.loc[1, column] = value
    path = _write(tmp_path, frame)
    with pytest.raises(InputError) as err:
        load_villages(path)
    text = err.value.message
    assert str(path) in text and f"'{column}'" in text and f"'{value}'" in text
    assert "a number" in text and "line 3" in text


def test_bad_optional_values_are_named(tmp_path):
    frame = _base()
    frame.loc[0, "resident_share"] = "1.5"
    path = _write(tmp_path, frame)
    with pytest.raises(InputError) as err:
        load_villages(path)
    assert "'resident_share'" in err.value.message and "<= 1" in err.value.message


def test_more_households_than_people_is_an_error(tmp_path):
    frame = _base()
    frame.loc[0, "households"] = "5000"
    path = _write(tmp_path, frame)
    with pytest.raises(InputError) as err:
        load_villages(path)
    assert "'households'" in err.value.message and "at most the population" in err.value.message


def test_given_terrain_names_and_hollowed_flags_are_kept_blanks_filled(tmp_path):
    frame = _base()
    frame["terrain"] = ""
    frame.loc[0, "terrain"] = "plain"  # Zheshan is mountain on the towns sheet
    frame["hollowed"] = ""
    frame.loc[0, "hollowed"] = "no"  # resident share 0.55 would make it hollowed
    frame.loc[1, "hollowed"] = "yes"
    frame.loc[2, "name"] = ""
    v = load_villages(_write(tmp_path, frame)).set_index("village_id")
    expected = load_villages(EXAMPLE).set_index("village_id")
    assert v.loc["zs-01", "terrain"] == "plain" and v.loc["zs-02", "terrain"] == "mountain"
    assert not v.loc["zs-01", "hollowed"] and v.loc["zs-02", "hollowed"]
    assert (v["hollowed"].iloc[2:] == expected["hollowed"].iloc[2:]).all()
    assert v.loc["zs-03", "name"] == "zs-03"


def test_bad_hollowed_flag_names_the_village(tmp_path):
    frame = _base()
    frame["hollowed"] = ""
    frame.loc[3, "hollowed"] = "perhaps"
    with pytest.raises(InputError) as err:
        load_villages(_write(tmp_path, frame))
    text = err.value.message
    assert "'hollowed'" in text and "'perhaps'" in text and "line 5, village_id 'zs-04'" in text
