"""``jointvillage export``: one row per run (inputs and final-year outcomes), --long, and the
manners of a command that writes a file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from model.cli import app
from model.errors import InputError
from model.experiments.batch import load_results, run_batch
from model.experiments.export import FINAL_YEAR, export_results, outcomes_table
from model.experiments.store import ResultsStore

RENT = "param:policies.land_pooling.rent"


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> Path:
    small = ["county.scale=0.05", "years=3"]
    experiment = {
        "name": "export",
        "seed": 3,
        "replicates": 2,
        "outputs": {"tables": ["county_yearly", "village_yearly"]},
        "scenarios": [{"name": "anqiu", "file": "anqiu_2023.toml", "set": small}],
        "sweep": {"method": "grid", "parameters": {"policies.land_pooling.rent": [400, 900]}},
    }
    out = tmp_path_factory.mktemp("export") / "out"
    run_batch(experiment, out, workers=0, progress=False)
    return out


def test_one_row_per_planned_run_with_inputs_then_final_year_outcomes(results):
    wide = outcomes_table(results)
    plan = ResultsStore.open(results).plan()
    assert len(wide) == len(plan) == 4
    inputs = [c for c in plan.columns if c != "run_key"]
    assert list(wide.columns[: len(inputs) + 2]) == [*inputs, "run_key", FINAL_YEAR]
    assert sorted(wide[RENT]) == [400, 400, 900, 900]
    yearly = load_results(results)
    last = yearly[yearly["year"] == yearly["year"].max()].set_index("run_key")
    assert (wide[FINAL_YEAR] == yearly["year"].max()).all()
    for column in ("weak_villages", "per_capita_income", "income_property"):
        assert wide.set_index("run_key")[column].to_dict() == last[column].to_dict(), column
    assert "year" not in wide.columns


def test_long_export_is_every_row_labelled(results):
    long = outcomes_table(results, "village_yearly", long=True)
    assert len(long) == len(load_results(results, "village_yearly"))
    assert {"variant", RENT, "village_id"} <= set(long.columns)


def test_parquet_export_carries_units_and_csv_the_same_values(results, tmp_path):
    parquet, rows = export_results(results, "parquet", tmp_path / "e.parquet")
    csv, _ = export_results(results, "csv", tmp_path / "e.csv")
    schema = pq.read_schema(parquet)
    assert schema.field("weak_villages").metadata[b"unit"] == b"villages"
    assert schema.field(RENT).metadata[b"unit"] == b"yuan/mu/yr"
    from_csv = pd.read_csv(csv)
    from_parquet = pd.read_parquet(parquet)
    assert rows == len(from_csv) == len(from_parquet)
    pd.testing.assert_frame_equal(from_csv, from_parquet, check_dtype=False)


def test_wide_export_of_another_table_asks_for_long(results):
    with pytest.raises(InputError) as err:
        outcomes_table(results, "village_yearly")
    assert "--long" in err.value.message


def invoke(*args: str):
    return CliRunner().invoke(app, ["export", *args])


def test_cli_writes_once_and_overwrites_only_with_force(results, tmp_path):
    target = tmp_path / "out.csv"
    first = invoke(str(results), "--format", "csv", "--out", str(target))
    assert first.exit_code == 0, first.output
    assert "wrote 4 rows" in first.output and target.is_file()
    target.write_text("kept\n")
    second = invoke(str(results), "--format", "csv", "--out", str(target))
    assert second.exit_code == 2 and "--force" in second.output
    assert target.read_text() == "kept\n"
    third = invoke(str(results), "--format", "csv", "--out", str(target), "--force")
    assert third.exit_code == 0 and target.read_text().startswith("scenario,variant")


def test_cli_default_file_is_in_the_results_folder(results):
    result = invoke(str(results), "--long", "--table", "village_yearly", "--force")
    assert result.exit_code == 0, result.output
    assert (results / "export" / "village_yearly_long.parquet").is_file()


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--format", "xlsx"], "--format"),
        (["--table", "villages_yearly", "--long"], "did you mean 'village_yearly'"),
        (["--table", "households", "--long"], "no stored rows"),
        (["--out", "/proc/no/such/file.csv", "--format", "csv"], "--out"),
    ],
)
def test_cli_bad_flags_exit_2_naming_them(results, args, named):
    result = invoke(str(results), *args)
    assert result.exit_code == 2 and named in result.output, result.output


def test_cli_bad_results_folder_exits_2(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    for folder in (tmp_path / "missing", tmp_path):
        result = invoke(str(folder))
        assert result.exit_code == 2 and str(folder) in result.output, result.output
