"""GIS village files (model.world.geofiles) and GIS result layers (model.viz.gis)."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import pytest
import shapely
from typer.testing import CliRunner

from model.cli import app
from model.errors import InputError
from model.jointmodel import build_world
from model.scenario import load_scenario
from model.viz import gis
from model.world.county import load_villages
from model.world.crs import anqiu_frame

EXAMPLE = Path(__file__).resolve().parent.parent / "data" / "example_villages.csv"
runner = CliRunner()
#: GDAL's notes when a test writes a shapefile (names cut to 10 characters) or a file
#: without a CRS on purpose.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Column names longer than 10 characters",
    "ignore:Normalized/laundered field name",
    "ignore:'crs' was not provided",
)


def example_frame(polygons: bool = False, half_side_m: float = 150.0) -> geopandas.GeoDataFrame:
    """The example villages as points (or squares around the points) in the local frame."""
    raw = pd.read_csv(EXAMPLE)
    x, y = raw["x_km"].to_numpy() * 1000, raw["y_km"].to_numpy() * 1000
    if polygons:
        geometry = shapely.box(x - half_side_m, y - half_side_m, x + half_side_m, y + half_side_m)
    else:
        geometry = geopandas.points_from_xy(x, y)
    attributes = raw.drop(columns=["x_km", "y_km"])
    return geopandas.GeoDataFrame(attributes, geometry=geometry, crs=anqiu_frame())


def file_world(path: Path, *extra: str):
    """The county and alliances of the programme scenario on a village file."""
    overrides = ["county.source=file", f"county.villages_file={path}", *extra]
    return build_world(load_scenario("anqiu_2023", overrides))


@pytest.fixture(scope="module")
def csv_world():
    return file_world(EXAMPLE)


def assert_same_world(world, expected, atol: float = 0.0) -> None:
    (county, alliances), (county_e, alliances_e) = world, expected
    pd.testing.assert_frame_equal(
        county.villages.drop(columns=["x_km", "y_km"]),
        county_e.villages.drop(columns=["x_km", "y_km"]),
    )
    for col in ("x_km", "y_km"):
        assert np.allclose(county.villages[col], county_e.villages[col], rtol=0, atol=atol)
    columns = ["alliance_id", "town", "lead", "mode", "members", "n_villages", "population"]
    pd.testing.assert_frame_equal(alliances.table[columns], alliances_e.table[columns])


# --------------------------------------------------------------------------------------
# Reading


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".shp"])
def test_gis_points_give_the_same_county_as_the_csv(tmp_path, csv_world, suffix) -> None:
    path = tmp_path / f"villages{suffix}"
    frame = example_frame()
    if suffix == ".geojson":
        frame = frame.to_crs("EPSG:4326")  # GeoJSON is longitude/latitude
    frame.to_file(path)  # a shapefile cuts cultivated_mu to 'cultivated'
    if suffix == ".geojson":
        # Given the local frame as the CRS, the county is the CSV's (to a micrometre) ...
        world = file_world(path, f"county.villages_crs={anqiu_frame().to_wkt()!r}")
        assert_same_world(world, csv_world, atol=1e-9)
        # ... and by default longitude/latitude go to the UTM zone of the villages (50N).
        county, _ = file_world(path)
        assert pyproj.CRS(county.crs).to_epsg() == 32650
        xy, xy_csv = (c.villages[["x_km", "y_km"]].to_numpy() for c in (county, csv_world[0]))
        distances = np.linalg.norm(xy[:, None] - xy[None], axis=-1)
        expected = np.linalg.norm(xy_csv[:, None] - xy_csv[None], axis=-1)
        assert np.abs(distances - expected).max() < 0.002  # km: the two projections' scales
        return
    world = file_world(path)
    assert_same_world(world, csv_world)
    county = world[0]
    assert pyproj.CRS(county.crs) == anqiu_frame()
    assert (county.shapes.geom_type == "Point").all()


def test_gis_polygons_give_their_representative_points(tmp_path, csv_world) -> None:
    path = tmp_path / "villages.gpkg"
    example_frame(polygons=True).to_file(path, layer="villages")
    world = file_world(path)
    assert_same_world(world, csv_world, atol=1e-9)  # a square's representative point: its centre
    assert (world[0].shapes.geom_type == "Polygon").all()
    from model.viz.maps import county_map_figure

    drawn = county_map_figure(*world).axes[0].collections
    assert any(len(c.get_paths()) == len(world[0].villages) for c in drawn), "the polygons"


def bad_file(tmp_path: Path, name: str, frame: geopandas.GeoDataFrame) -> Path:
    path = tmp_path / name
    frame.to_file(path)
    return path


def test_bad_gis_files_are_input_errors(tmp_path) -> None:
    good = example_frame()
    line = good.copy()
    line.loc[2, "geometry"] = shapely.LineString([(0, 0), (1000, 1000)])
    empty = good.copy()
    empty.loc[3, "geometry"] = None
    bowtie = example_frame(polygons=True)
    bowtie.loc[4, "geometry"] = shapely.Polygon([(0, 0), (1000, 1000), (1000, 0), (0, 1000)])
    shifted = good.assign(x_km=pd.read_csv(EXAMPLE)["x_km"] + 0.5)
    cases = [
        ("line.geojson", line.to_crs(4326), "geometry", "LineString", "feature 3"),
        ("empty.gpkg", empty, "geometry", "empty geometry", "feature 4"),
        ("bowtie.gpkg", bowtie, "geometry", "Self-intersection", "feature 5"),
        ("nopop.gpkg", good.drop(columns=["population"]), "population", "required column", ""),
        ("shifted.gpkg", shifted, "x_km", "come from its geometry", "feature 1"),
    ]
    for name, frame, field, allowed, where in cases:
        path = bad_file(tmp_path, name, frame)
        with pytest.raises(InputError) as err:
            load_villages(path)
        message = err.value.message
        assert str(path) in message and f"field '{field}'" in message, message
        assert allowed in message and where in message, message


def test_gis_files_without_crs_or_with_several_layers(tmp_path) -> None:
    shp = bad_file(tmp_path, "villages.shp", example_frame().set_crs(None, allow_override=True))
    with pytest.raises(InputError, match="coordinate reference system"):
        load_villages(shp)
    two = tmp_path / "two.gpkg"
    example_frame().to_file(two, layer="first")
    example_frame().to_file(two, layer="second")
    with pytest.raises(InputError, match="found layers: first, second"):
        load_villages(two)
    broken = tmp_path / "broken.gpkg"
    broken.write_text("not a GeoPackage")
    with pytest.raises(InputError, match="cannot be read as a GeoPackage"):
        load_villages(broken)
    kml = tmp_path / "villages.kml"
    kml.write_text("<kml/>")
    with pytest.raises(InputError, match=r"allowed: \.csv, \.parquet, \.pq, \.gpkg, \.geojson"):
        load_villages(kml)


def test_villages_crs_must_be_projected_in_metres() -> None:
    with pytest.raises(InputError, match="not projected in metres"):
        load_scenario("baseline", ['county.villages_crs="EPSG:4326"'])
    with pytest.raises(InputError, match="EPSG:32650"):
        load_scenario("baseline", ['county.villages_crs="EPSG:99999999"'])
    assert load_scenario("baseline", ['county.villages_crs="EPSG:32650"']).county.villages_crs


def test_a_bad_gis_village_file_exits_2_with_one_line(tmp_path) -> None:
    path = bad_file(tmp_path, "line.gpkg", example_frame().assign(geometry=None))
    args = ["county", "anqiu_2023", "--out", str(tmp_path / "out"), "--set", "county.source=file"]
    result = runner.invoke(app, [*args, "--set", f"county.villages_file={path}"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "geometry" in result.output
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------------------
# Writing


@pytest.fixture(scope="module")
def programme():
    return build_world(load_scenario("anqiu_2023", ["county.scale=0.1"]))


def test_county_gpkg_has_villages_and_alliance_polygons(tmp_path, programme) -> None:
    county, alliances = programme
    (path,) = gis.write_layers(gis.county_layers(county, alliances), tmp_path / "map.gpkg")
    layers = dict(pyogrio.list_layers(path))
    assert layers == {"villages": "Point", "alliances": "Polygon"}
    villages = geopandas.read_file(path, layer="villages")
    hulls = geopandas.read_file(path, layer="alliances")
    assert villages.crs == anqiu_frame() and hulls.crs == anqiu_frame()
    assert len(villages) == len(county.villages) and len(hulls) == len(alliances.table)
    assert {"village_id", "town", "population", "industry", "alliance_id", "mode"} <= set(
        villages.columns
    )
    assert {"alliance_id", "mode", "lead_village", "members", "n_villages"} <= set(hulls.columns)
    # Every member village lies inside its alliance's polygon.
    by_id = villages.set_index("village_id").geometry
    for polygon, members in zip(hulls.geometry, hulls["members"], strict=True):
        assert all(polygon.contains(by_id[m]) for m in members.split(","))
    # The villages layer reads back as a village file: the same county.
    pd.testing.assert_frame_equal(load_villages(path), county.villages, rtol=1e-12)


def test_run_layers_carry_the_yearly_measures(tmp_path, programme) -> None:
    from model.runner import run_scenario

    county, alliances = programme
    result = run_scenario(
        load_scenario("anqiu_2023", ["county.scale=0.1", "years=2"]), world=programme
    )
    layers = gis.run_layers(county, alliances, result.tables)
    files = gis.write_layers(layers, tmp_path / "map.parquet")  # GeoParquet, a file per layer
    assert [f.name for f in files] == [
        "map_villages.parquet",
        "map_alliances.parquet",
        "map_village_yearly.parquet",
        "map_alliance_yearly.parquet",
    ]
    yearly = geopandas.read_parquet(files[2])
    assert len(yearly) == len(result.tables["village_yearly"]) and yearly.crs == anqiu_frame()
    assert {"year", "collective_income", "per_capita_income", "weak"} <= set(yearly.columns)
    last = geopandas.read_parquet(files[0])
    final = result.tables["village_yearly"].query("year == year.max()").set_index("village_id")
    assert np.allclose(
        last.set_index("village_id")["collective_income"], final["collective_income"]
    )
    assert "collective_income_total" in geopandas.read_parquet(files[1]).columns


def test_polygon_villages_give_dissolved_alliances(tmp_path) -> None:
    path = tmp_path / "squares.gpkg"
    example_frame(polygons=True, half_side_m=100.0).to_file(path, layer="villages")
    county, alliances = file_world(path)
    hulls = gis.alliance_layer(county, alliances)
    sizes = alliances.table["n_villages"].to_numpy()
    # Disjoint 200 m squares: an alliance's area is its members' (0.04 km2 each).
    assert np.allclose(hulls.area.to_numpy(), sizes * 200.0**2)


def test_cli_writes_gis_layers(tmp_path) -> None:
    out = tmp_path / "county.gpkg"
    args = ["county", "baseline", "--set", "county.scale=0.1", "--json", "--gis", str(out)]
    result = runner.invoke(app, [*args, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["gis"] == [str(out)]
    assert dict(pyogrio.list_layers(out)) == {"villages": "Point", "alliances": "Polygon"}
    run = tmp_path / "run"
    args = ["run", "anqiu_2023", "--set", "county.scale=0.1", "--years", "1", "--gis"]
    result = runner.invoke(app, [*args, "--out", str(run), "--json"])
    assert result.exit_code == 0, result.output
    assert set(dict(pyogrio.list_layers(run / "map.gpkg"))) == {
        "villages",
        "alliances",
        "village_yearly",
        "alliance_yearly",
    }
    assert json.loads((run / "manifest.json").read_text())["files"]["map"] == "map.gpkg"
    bad = runner.invoke(app, ["county", "baseline", "--gis", str(tmp_path / "x.shp")])
    assert bad.exit_code == 2 and ".gpkg (GeoPackage) or .parquet (GeoParquet)" in bad.output
