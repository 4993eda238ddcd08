"""Input that used to pass silently: non-finite numbers, booleans as numbers, empty files."""

from __future__ import annotations

from pathlib import Path

import pytest

from model.errors import InputError
from model.recorder import non_finite_columns
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


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ("alliances.min_villages=6", "alliances.min_villages"),
        ("policies.coop_shares.dividend_share=0.9", "policies.coop_shares.dividend_share"),
    ],
)
def test_cross_field_errors_blame_the_set_that_caused_them(override: str, field: str):
    with pytest.raises(InputError) as err:
        load_scenario("anqiu_2023", [override])
    assert err.value.source == f"--set {override}"
    assert err.value.field == field
    assert (
        "allowed: " not in err.value.message.split(":", 3)[-1] or "Params" not in err.value.message
    )


def test_cross_field_errors_blame_the_file_that_extends(tmp_path: Path):
    path = tmp_path / "few.toml"
    path.write_text(
        'extends = "anqiu_2023.toml"\nname = "few"\n[alliances]\nmax_villages = 2\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        load_scenario(path)
    assert err.value.source == str(path)


def _cli(*args: str):
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "model.cli", *args], capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (["run", "baseline", "--seed", "abc"], "--seed: field 'seed' = 'abc'"),
        (["run", "baseline", "--years", "abc"], "--years: field 'years' = 'abc'"),
        (["compare", "baseline", "anqiu_2023", "--replicates", "0"], "= '0'"),
        (["batch", "replicates_small", "--workers", "-1"], "--workers: field 'workers' = '-1'"),
    ],
)
def test_click_errors_name_the_flag_and_the_value(args: list[str], shown: str):
    result = _cli(*args)
    assert result.returncode == 2
    assert shown in result.stderr and "Traceback" not in result.stderr


def test_run_out_that_is_a_file_is_an_input_error(tmp_path: Path):
    target = tmp_path / "a-file"
    target.write_text("x", encoding="utf-8")
    result = _cli("run", "baseline", "--set", "county.scale=0.05", "--out", str(target))
    assert result.returncode == 2
    assert "--out" in result.stderr and "this is a file" in result.stderr


def test_workers_are_bounded_by_the_cores():
    import os

    result = _cli("batch", "replicates_small", "--workers", str((os.cpu_count() or 1) + 1))
    assert result.returncode == 2
    assert "at most" in result.stderr and "--workers" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_county_without_cultivated_land_reports_zero_pooled_share(tmp_path: Path):
    import pandas as pd

    from model.paths import DATA_DIR
    from model.runner import run_scenario

    villages = pd.read_csv(DATA_DIR / "example_villages.csv")
    villages["cultivated_mu"] = 0.0
    path = tmp_path / "no_land.csv"
    villages.to_csv(path, index=False)
    scenario = load_scenario(
        "anqiu_2023", ["county.source='file'", f"county.villages_file='{path}'", "years=2"]
    )
    yearly = run_scenario(scenario).tables["county_yearly"]
    assert (yearly["land_pooled_share"] == 0.0).all()
    assert not non_finite_columns({"county_yearly": yearly}, scenario.start_year)
