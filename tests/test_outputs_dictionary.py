"""The column dictionary: docs/outputs.md is what the code declares, and every column a real
run makes is declared, with its type."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest

from model.checks.output_dictionary import PAGE_PATH, main, render_page
from model.columns import TABLES, describe, table_columns
from model.experiments.run_files import arrow_type
from model.registry import COUNTY_OUTPUTS, INCOME_SOURCES, Output, Source
from model.runner import run_scenario
from model.scenario import load_scenario

REGENERATE = "docs/outputs.md is stale: run `.venv/bin/python -m model.checks.output_dictionary`"
#: Added by the runner to every table with rows (declared as identity columns).
RUNNER_COLUMNS = ["scenario", "replicate"]


def small_run():
    """Every table a run can make, micro-data and village months included."""
    scenario = load_scenario(
        "anqiu_2023",
        [
            "county.scale=0.05",
            "years=2",
            "outputs.household_microdata=true",
            "outputs.village_monthly=true",
        ],
    )
    return run_scenario(scenario)


@pytest.fixture(scope="module")
def run_tables() -> dict[str, pd.DataFrame]:
    return small_run().tables


def undeclared(table: str, frame: pd.DataFrame) -> list[str]:
    """Columns of a run's table that the dictionary does not declare for that table."""
    declared = {c.name for c in table_columns(table)}
    return [c for c in frame.columns if c not in declared and c not in RUNNER_COLUMNS]


def test_the_page_is_what_the_generator_writes():
    assert PAGE_PATH.read_text(encoding="utf-8") == render_page(), REGENERATE
    assert main(["--check"]) == 0


def test_check_fails_on_a_stale_page(tmp_path):
    stale = tmp_path / "outputs.md"
    stale.write_text(render_page().replace("weak_villages", "weak"), encoding="utf-8")
    assert main(["--check", "--out", str(stale)]) == 1
    assert main(["--out", str(stale)]) == 0 and main(["--check", "--out", str(stale)]) == 0


def test_a_run_makes_every_table_of_the_dictionary(run_tables):
    assert set(run_tables) == set(TABLES)


@pytest.mark.parametrize("table", list(TABLES))
def test_every_column_a_run_makes_is_declared_in_order_with_its_type(run_tables, table):
    frame = run_tables[table]
    assert undeclared(table, frame) == [], f"declare these {table} columns in model/columns.py"
    own = [c for c in frame.columns if c not in RUNNER_COLUMNS]
    declared = table_columns(table)
    assert own == [c.name for c in declared], "declared columns the run does not make"
    types = pa.Schema.from_pandas(frame[own], preserve_index=False)
    for column in declared:
        assert types.field(column.name).type == arrow_type(column.dtype), column.name


def test_an_undeclared_column_is_found(run_tables):
    frame = run_tables["village_yearly"].assign(new_measure=1.0)
    assert undeclared("village_yearly", frame) == ["new_measure"]


def test_registered_outputs_and_sources_are_declared_without_editing_the_dictionary():
    output = Output("test_tourists", "Tourists", "游客", "persons", "tourists", value=lambda m: 3)
    source = Source("tourism", "Tourism", "旅游", "#000000", "homestay income")
    with COUNTY_OUTPUTS.registered(output), INCOME_SOURCES.registered(source):
        names = [c.name for c in table_columns("county_yearly")]
        assert names[-1] == "test_tourists" and "income_tourism" in names
        assert describe("county_yearly", "test_tourists").unit == "persons"
        assert "`test_tourists`" in render_page()
    assert "test_tourists" not in [c.name for c in table_columns("county_yearly")]


def test_identity_and_parameter_columns_are_described():
    assert describe("village_yearly", "variant").dtype == "int64"
    rent = describe("county_yearly", "param:policies.land_pooling.rent")
    assert rent is not None and rent.unit == "yuan/mu/yr"
    assert describe("county_yearly", "no_such_column") is None
