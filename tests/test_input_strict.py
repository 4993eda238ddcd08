"""Input that used to pass silently: non-finite numbers, booleans as numbers, empty files."""

from __future__ import annotations

from pathlib import Path

import pytest

from model.errors import InputError
from model.scenario import load_scenario, parameter_rows

FLOAT_FIELDS = [row["parameter"] for row in parameter_rows() if isinstance(row["default"], float)]


def test_there_are_float_fields_to_check():
    assert len(FLOAT_FIELDS) > 100
    assert "households.business_income_sigma" in FLOAT_FIELDS


@pytest.mark.parametrize("value", ["inf", "-inf", "nan"])
@pytest.mark.parametrize("field", FLOAT_FIELDS)
def test_non_finite_values_are_refused_everywhere(field: str, value: str):
    with pytest.raises(InputError) as err:
        load_scenario("baseline", [f"{field}={value}"])
    assert err.value.source.startswith("--set") and field in err.value.message


@pytest.mark.parametrize(
    "override",
    ["policies.land_pooling.rent=true", "years=false", "county.scale=true", "seed=true"],
)
def test_booleans_do_not_pass_for_numbers(override: str):
    with pytest.raises(InputError, match="valid"):
        load_scenario("baseline", [override])


@pytest.mark.parametrize("override", ["years=5.0", "seed=1.5", "policies.land_pooling.rent='800'"])
def test_no_silent_coercion_of_other_types(override: str):
    with pytest.raises(InputError):
        load_scenario("baseline", [override])


def test_integers_still_pass_for_float_fields():
    assert (
        load_scenario("baseline", ["policies.land_pooling.rent=900"]).policies.land_pooling.rent
        == 900.0
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "empty"),
        (b"# a comment and nothing else\n", "empty"),
        (b"\xa1\x00\x13binary\x00\xff", "UTF-8"),
        ('name = "caf\u00e9"\n'.encode("latin-1"), "UTF-8"),
        (b'name = "x"\x00\n', "binary"),
    ],
)
def test_empty_binary_and_non_utf8_scenario_files(tmp_path: Path, content: bytes, expected: str):
    path = tmp_path / "bad.toml"
    path.write_bytes(content)
    with pytest.raises(InputError, match=expected) as err:
        load_scenario(path)
    assert err.value.source == str(path)


def test_empty_parent_is_refused_through_extends(tmp_path: Path):
    (tmp_path / "base.toml").write_bytes(b"")
    child = tmp_path / "child.toml"
    child.write_text('extends = "base.toml"\nname = "child"\n', encoding="utf-8")
    with pytest.raises(InputError, match="empty"):
        load_scenario(child)


def test_cli_exits_2_on_a_binary_file(tmp_path: Path):
    from typer.testing import CliRunner

    from model.cli import app

    path = tmp_path / "bad.toml"
    path.write_bytes(b"\xff\xfe\x00\x01")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "UTF-8" in result.output and "Traceback" not in result.output
