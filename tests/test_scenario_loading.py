"""Scenario loading: extends, overrides and error messages."""

from pathlib import Path

import pytest

from model.errors import InputError
from model.scenario import load_scenario


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_validate():
    scenario = load_scenario(data={"name": "x"})
    assert scenario.name == "x"
    assert scenario.years == 10


def test_extends_inherits_and_overrides(tmp_path):
    write(tmp_path / "base.toml", 'name = "base"\nyears = 7\nseed = 5\n')
    child = write(tmp_path / "child.toml", 'extends = "base.toml"\nname = "child"\n')
    scenario = load_scenario(child)
    assert (scenario.name, scenario.years, scenario.seed) == ("child", 7, 5)


def test_set_override_wins_over_file(tmp_path):
    path = write(tmp_path / "s.toml", "years = 7\n")
    assert load_scenario(path, ["years=3"]).years == 3


def test_unknown_key_names_file_and_suggests(tmp_path):
    path = write(tmp_path / "s.toml", "yaers = 7\n")
    with pytest.raises(InputError) as err:
        load_scenario(path)
    text = err.value.message
    assert str(path) in text and "yaers" in text and "did you mean 'years'" in text


def test_wrong_type_names_value_and_allowed(tmp_path):
    path = write(tmp_path / "s.toml", 'years = "ten"\n')
    with pytest.raises(InputError) as err:
        load_scenario(path)
    text = err.value.message
    assert "years" in text and "'ten'" in text and "integer" in text


def test_out_of_range_names_bounds(tmp_path):
    path = write(tmp_path / "s.toml", "years = 0\n")
    with pytest.raises(InputError) as err:
        load_scenario(path)
    assert ">= 1" in err.value.message and str(path) in err.value.message


def test_error_blames_the_file_that_set_the_value(tmp_path):
    write(tmp_path / "base.toml", "years = 99\n")
    child = write(tmp_path / "child.toml", 'extends = "base.toml"\nname = "c"\n')
    with pytest.raises(InputError) as err:
        load_scenario(child)
    assert "base.toml" in err.value.source


def test_override_error_blames_set(tmp_path):
    path = write(tmp_path / "s.toml", "years = 5\n")
    with pytest.raises(InputError) as err:
        load_scenario(path, ["years=-1"])
    assert err.value.source.startswith("--set")


def test_missing_file():
    with pytest.raises(InputError) as err:
        load_scenario("no_such_scenario_file.toml")
    assert "not found" in err.value.message


def test_extends_cycle(tmp_path):
    write(tmp_path / "a.toml", 'extends = "b.toml"\n')
    write(tmp_path / "b.toml", 'extends = "a.toml"\n')
    with pytest.raises(InputError) as err:
        load_scenario(tmp_path / "a.toml")
    assert "cycle" in err.value.message


def test_bad_toml_syntax(tmp_path):
    path = write(tmp_path / "s.toml", "years = = 5\n")
    with pytest.raises(InputError) as err:
        load_scenario(path)
    assert "not valid TOML" in err.value.message
