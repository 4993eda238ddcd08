"""A batch's results folder is a Parquet dataset: one call of DuckDB or pandas reads a table,
its parameter columns included; older folders are read and upgraded in place."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from model.experiments.batch import load_results, run_batch
from model.experiments.experiment import validate_experiment
from model.experiments.integrity import file_fingerprint, write_sidecar
from model.experiments.plan import plan_runs
from model.experiments.run_files import META_KEY
from model.experiments.store import ResultsStore
from model.runner import run_scenario

RENT = "param:policies.land_pooling.rent"
IDENTITY = ["scenario", "variant", "replicate", "seed", RENT, "run_key"]


def sweep_experiment() -> dict:
    """A rent sweep on a tiny county: the baseline forms no alliance, anqiu some."""
    small = ["county.scale=0.05", "years=2"]
    return {
        "name": "dataset",
        "seed": 5,
        "replicates": 2,
        "outputs": {"tables": ["county_yearly", "alliance_yearly"]},
        "scenarios": [
            {"name": "baseline", "file": "baseline.toml", "set": small},
            {"name": "anqiu", "file": "anqiu_2023.toml", "set": small},
        ],
        "sweep": {"method": "grid", "parameters": {"policies.land_pooling.rent": [400, 800]}},
    }


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dataset") / "out"
    run_batch(sweep_experiment(), out, workers=0, progress=False)
    return out


def sql(query: str) -> pd.DataFrame:
    return duckdb.sql(query).df()


def test_duckdb_reads_the_runs_in_one_call_parameter_columns_included(batch):
    data = sql(f"select * from '{batch}/runs/**/*.parquet'")
    assert list(data.columns[: len(IDENTITY)]) == IDENTITY
    assert len(data) == 8 * 3  # 2 scenarios x 2 rents x 2 replicates; year 0 and 2 years
    plan = ResultsStore.open(batch).plan()
    labels = data.drop_duplicates("run_key").set_index("run_key")
    expected = plan.set_index("run_key")
    for column in ("scenario", "variant", "replicate", "seed", RENT):
        assert labels[column].to_dict() == expected[column].to_dict(), column
    assert sorted(set(data[RENT])) == [400, 800]
    # The same numbers as the Python API's labelled results.
    api = load_results(batch)
    merged = api.merge(data, on=["run_key", "year"], suffixes=("", "_sql"))
    assert len(merged) == len(api) == len(data)
    assert (merged["weak_villages"] == merged["weak_villages_sql"]).all()
    assert (merged[RENT] == merged[f"{RENT}_sql"]).all()


def test_pandas_reads_each_table_folder_in_one_call(batch):
    runs = pd.read_parquet(batch / "runs")
    assert list(runs.columns) == list(sql(f"select * from '{batch}/runs/**/*.parquet'").columns)
    alliances = pd.read_parquet(batch / "tables" / "alliance_yearly")
    assert set(alliances["scenario"]) == {"anqiu"}  # the baseline forms none
    assert {"alliance_id", "mode", RENT, "variant"} <= set(alliances.columns)


def test_a_table_without_rows_has_the_columns_of_the_others(batch):
    """The baseline's alliance files have no rows but the full schema, so a reader that
    takes the schema from the first file it opens still sees every column."""
    folder = batch / "tables" / "alliance_yearly"
    files = sorted(folder.rglob("*.parquet"), key=lambda p: pq.read_metadata(p).num_rows)
    empty, full = files[0], files[-1]
    assert pq.read_metadata(empty).num_rows == 0 < pq.read_metadata(full).num_rows
    both = duckdb.read_parquet([str(empty), str(full)]).df()
    assert "alliance_id" in both.columns and len(both) == pq.read_metadata(full).num_rows


def test_every_file_of_a_table_has_the_same_schema_and_units(batch):
    for folder in (batch / "runs", batch / "tables" / "alliance_yearly"):
        schemas = {pq.read_schema(p).remove_metadata() for p in folder.rglob("*.parquet")}
        assert len(schemas) == 1, folder
        schema = pq.read_schema(next(folder.rglob("*.parquet")))
        missing = [f.name for f in schema if not (f.metadata or {}).get(b"unit")]
        assert missing == [], f"columns without a unit in {folder.name}: {missing}"
    schema = pq.read_schema(next((batch / "runs").rglob("*.parquet")))
    assert schema.field(RENT).metadata[b"unit"] == b"yuan/mu/yr"
    assert schema.field("weak_villages").metadata[b"unit"] == b"villages"


def test_a_stored_run_reads_back_as_the_run_returned_it(batch):
    spec = next(s for s in plan_runs(validate_experiment(sweep_experiment())).runs)
    stored = ResultsStore.open(batch).read_run(spec.key)
    fresh = run_scenario(spec.scenario, replicate=spec.replicate).tables
    for name in ("county_yearly", "alliance_yearly"):
        pd.testing.assert_frame_equal(stored[name], fresh[name])
        assert list(stored[name].columns) == list(fresh[name].columns)


def as_layout_2(folder: Path) -> None:
    """Rewrite a folder as layout 2 wrote it: run_key the only added column, no units."""
    store = ResultsStore.open(folder)
    added = [c for c in IDENTITY if c not in ("scenario", "replicate", "run_key")]
    for key in store.done_keys():
        files = {}
        for path in [store.run_path(key), *store.other_files(key)]:
            data = pq.read_table(path)
            meta = json.loads(data.schema.metadata[META_KEY])
            meta.pop("columns"), meta.pop("table")
            frame = data.to_pandas()[[*meta_columns(data), "run_key"]]
            table = pa.Table.from_pandas(frame, preserve_index=False)
            table = table.replace_schema_metadata({META_KEY: json.dumps(meta).encode()})
            pq.write_table(table, path)
            name = "county_yearly" if path.parent.parent.name == "runs" else path.parent.parent.name
            files[name] = file_fingerprint(path)
        write_sidecar(folder, key, files, durable=False)
        assert not set(added) & set(pq.read_schema(store.run_path(key)).names)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["format_version"] = 2
    (folder / "manifest.json").write_text(json.dumps(manifest))


def meta_columns(data: pa.Table) -> list[str]:
    return json.loads(data.schema.metadata[META_KEY])["columns"]


def never_runs(scenario, replicate=0, progress=False):
    raise AssertionError("a stored run was run again")


def test_a_layout_2_folder_is_read_through_the_plan_and_upgraded_in_place(batch, tmp_path):
    old = tmp_path / "old"
    shutil.copytree(batch, old)
    as_layout_2(old)
    assert "variant" not in pd.read_parquet(old / "runs").columns
    pd.testing.assert_frame_equal(load_results(old), load_results(batch))
    frame = run_batch(sweep_experiment(), old, workers=0, progress=False, runner=never_runs)
    assert frame.attrs["batch"]["done"] == 0
    assert json.loads((old / "manifest.json").read_text())["format_version"] == 3
    pd.testing.assert_frame_equal(load_results(old), load_results(batch))
    upgraded = pd.read_parquet(old / "runs").sort_values(["run_key", "year"], ignore_index=True)
    original = pd.read_parquet(batch / "runs").sort_values(["run_key", "year"], ignore_index=True)
    pd.testing.assert_frame_equal(upgraded, original)
    assert ResultsStore.open(old).verify() == []


def test_a_stored_run_under_a_renumbered_variant_is_relabelled(batch, tmp_path):
    """A rent added between the two keeps the 400 and 800 runs but renumbers 800's variant:
    the stored files follow the new plan, so the folder stays one dataset."""
    folder = tmp_path / "extended"
    shutil.copytree(batch, folder)
    extended = sweep_experiment()
    extended["sweep"]["parameters"]["policies.land_pooling.rent"] = [400, 600, 800]
    frame = run_batch(extended, folder, workers=0, progress=False)
    assert frame.attrs["batch"]["done"] == 4 and frame.attrs["batch"]["skipped"] == 8
    data = sql(f"select * from '{folder}/runs/**/*.parquet'")
    labels = data.drop_duplicates("run_key").set_index("run_key")
    plan = ResultsStore.open(folder).plan().set_index("run_key")
    assert labels["variant"].to_dict() == plan["variant"].to_dict()
    assert set(labels.loc[labels[RENT] == 800, "variant"]) == {2}
    assert ResultsStore.open(folder).verify() == []
