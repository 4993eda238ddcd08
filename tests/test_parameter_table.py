"""data/parameters.csv stays in sync with the scenario schema, the crop sheets and the ODD."""

from __future__ import annotations

import csv
import importlib
import re

import pandas as pd
import pytest

from model.checks.parameter_table import (
    COLUMNS,
    TABLE_PATH,
    declaring_module,
    format_value,
    render_csv,
)
from model.mechanisms.crops import CROP_COLUMNS
from model.paths import PROJECT_ROOT
from model.scenario import Scenario, parameter_rows

REGENERATE = "data/parameters.csv is stale: run `.venv/bin/python -m model.checks.parameter_table`"
ODD_PATH = PROJECT_ROOT / "docs" / "ODD.md"


@pytest.fixture(scope="module")
def table() -> list[dict[str, str]]:
    with TABLE_PATH.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def scenario_table(table) -> dict[str, dict[str, str]]:
    return {row["parameter"]: row for row in table if row["kind"] == "scenario"}


def test_file_is_what_the_generator_writes():
    assert TABLE_PATH.read_text(encoding="utf-8") == render_csv(), REGENERATE


def test_columns(table):
    assert tuple(table[0].keys()) == COLUMNS


def test_same_parameter_set_as_the_schema(scenario_table):
    schema = {row["parameter"] for row in parameter_rows()}
    missing = sorted(schema - set(scenario_table))
    extra = sorted(set(scenario_table) - schema)
    assert not missing, f"parameters missing from the table: {missing}; {REGENERATE}"
    assert not extra, f"parameters no longer in the schema: {extra}; {REGENERATE}"


def test_defaults_units_ranges_and_sources_match(scenario_table):
    for row in parameter_rows():
        got = scenario_table[row["parameter"]]
        for key, column in (
            ("default", "value"),
            ("unit", "unit"),
            ("min", "min"),
            ("max", "max"),
            ("source", "source"),
        ):
            assert got[column] == format_value(row[key]), (
                f"{row['parameter']}: {column} {got[column]!r} != {format_value(row[key])!r}; "
                + REGENERATE
            )


def test_every_parameter_has_a_source_and_unit(table):
    for row in table:
        assert row["source"].strip(), f"{row['parameter']} has no source"
        assert row["unit"].strip(), f"{row['parameter']} has no unit"


def test_used_in_names_the_declaring_module(scenario_table):
    for name, row in scenario_table.items():
        module = importlib.import_module(row["used_in"])
        assert row["used_in"] == declaring_module(name)
        owners = [
            obj
            for obj in vars(module).values()
            if isinstance(obj, type)
            and obj.__module__ == module.__name__
            and name.split(".")[-1] in getattr(obj, "model_fields", {})
        ]
        assert owners, f"{name}: {row['used_in']} declares no section with this field"


def test_crop_sheet_rows_cover_every_crop_and_column(table):
    defaults = Scenario()
    crops = pd.read_csv(defaults.resolve_data_path("farming.crops_file"), dtype=str)
    uses = pd.read_csv(defaults.resolve_data_path("farming.land_uses_file"), dtype=str)
    names = {row["parameter"] for row in table}
    for crop in crops["crop"]:
        for column in CROP_COLUMNS:
            if column in ("crop", "source"):
                continue
            assert f"crops.{crop}.{column}" in names
    for use in uses["land_use"]:
        assert f"land_uses.{use}.crops" in names


# --------------------------------------------------------------------------------------
# docs/ODD.md names the schema's parameters, and only those.

_SECTIONS = tuple(name for name in Scenario.model_fields if "." not in name)
#: A dotted name starting with a scenario section, not preceded by a word or a dot
#: (so that module paths like ``model.world.households.x`` are not read as parameters).
_DOTTED = re.compile(r"(?<![\w.])((?:" + "|".join(_SECTIONS) + r")(?:\.[a-z_][a-z_0-9]*)+)")


def _odd_names() -> set[str]:
    text = ODD_PATH.read_text(encoding="utf-8")
    return set(_DOTTED.findall(text))


def _section_paths() -> set[str]:
    paths = set()
    for row in parameter_rows():
        parts = row["parameter"].split(".")
        paths.update(".".join(parts[:k]) for k in range(1, len(parts)))
    return paths


def test_odd_names_only_existing_parameters():
    known = {row["parameter"] for row in parameter_rows()} | _section_paths()
    stale = sorted(_odd_names() - known)
    assert not stale, f"docs/ODD.md names parameters the schema does not have: {stale}"


def test_odd_names_every_parameter():
    named = _odd_names()
    missing = sorted(
        row["parameter"]
        for row in parameter_rows()
        if "." in row["parameter"] and row["parameter"] not in named
    )
    assert not missing, f"docs/ODD.md does not describe: {missing}"
