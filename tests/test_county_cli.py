"""``jointvillage county``: JSON summary, map PNG and input errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from model.cli import app
from model.world.alliances import MODES

DATA = Path(__file__).resolve().parent.parent / "data"
KEYS = {
    "villages",
    "population",
    "households",
    "alliances",
    "allied_villages",
    "lead_villages",
    "max_alliances_per_lead_used",
    "modes",
    "alliance_size_min",
    "alliance_size_max",
    "alliance_population_min",
    "alliance_population_max",
    "weak_villages_start",
    "unplaced",
}

runner = CliRunner()


@pytest.fixture
def anqiu_toml(tmp_path: Path) -> Path:
    path = tmp_path / "anqiu.toml"
    path.write_text('name = "anqiu test"\nseed = 20231\n[alliances]\nenabled = true\n')
    return path


def _json(args: list[str]) -> dict:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_json_summary_has_the_keys(anqiu_toml, tmp_path):
    out = _json(["county", str(anqiu_toml), "--json", "--out", str(tmp_path / "maps")])
    assert set(out) >= KEYS
    assert out["villages"] == 864 and 750_000 <= out["population"] <= 850_000
    assert set(out["modes"]) == set(MODES) and sum(out["modes"].values()) == out["alliances"]
    assert out["modes"]["lead_goose"] == 33 and out["modes"]["strong_leads_weak"] == 50
    # The programme's figures: 181 alliances over 453 distinct villages, leads shared.
    assert 181 - 9 <= out["alliances"] <= 181 + 9
    assert 453 - 23 <= out["allied_villages"] <= 453 + 23
    assert 70 <= out["lead_villages"] <= 110 and out["max_alliances_per_lead_used"] == 3
    assert out["memberships"] > out["allied_villages"]
    assert 3 <= out["alliance_size_min"] <= out["alliance_size_max"] <= 5
    assert 1000 <= out["alliance_population_min"] <= out["alliance_population_max"] <= 2000
    assert out["unplaced"] > 0 and out["weak_villages_start"] > 300
    assert Path(out["map"]).is_file()


def test_one_alliance_per_lead_from_the_command_line(anqiu_toml, tmp_path):
    args = ["county", str(anqiu_toml), "--json", "--out", str(tmp_path)]
    out = _json([*args, "--set", "alliances.max_alliances_per_lead=1"])
    assert 130 <= out["alliances"] <= 160 and 453 - 23 <= out["allied_villages"] <= 453 + 23
    assert out["lead_villages"] == out["alliances"] and out["max_alliances_per_lead_used"] == 1


def test_set_overrides_and_disabled_alliances(anqiu_toml, tmp_path):
    args = ["county", str(anqiu_toml), "--json", "--out", str(tmp_path)]
    out = _json([*args, "--set", "alliances.enabled=false"])
    assert out["alliances"] == 0 and out["allied_villages"] == 0 and out["unplaced"] == 0
    small = _json([*args, "--set", "county.scale=0.5", "--set", "alliances.mode_rule=single"])
    assert 400 <= small["villages"] <= 450 and small["modes"]["industry_pull"] == small["alliances"]


def test_map_png_is_written_and_reported(anqiu_toml, tmp_path):
    out_dir = tmp_path / "maps"
    result = runner.invoke(app, ["county", str(anqiu_toml), "--out", str(out_dir)])
    assert result.exit_code == 0, result.output
    png = out_dir / "county_anqiu_test.png"
    assert png.is_file() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 50_000
    assert str(png) in result.output.replace("\n", "")
    assert "Alliances" in result.output and "Jingzhi" in result.output
    assert "lead villages" in result.output


def test_file_scenario(tmp_path):
    path = tmp_path / "files.toml"
    path.write_text(
        'name = "files"\n[county]\nsource = "file"\n'
        f'villages_file = "{DATA / "example_villages.csv"}"\n'
        '[alliances]\nenabled = true\nsource = "file"\nmode_rule = "file"\n'
        f'file = "{DATA / "example_alliances.csv"}"\n'
    )
    out = _json(["county", str(path), "--json", "--out", str(tmp_path)])
    assert out["villages"] == 20 and out["alliances"] == 5 and out["allied_villages"] == 15
    # hq-07 leads two alliances.
    assert out["lead_villages"] == 4 and out["max_alliances_per_lead_used"] == 2
    assert out["modes"] == {
        "lead_goose": 1,
        "strong_leads_weak": 1,
        "industry_pull": 1,
        "project_traction": 2,
    }


def test_bad_village_file_is_one_line_error(anqiu_toml, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("village_id,town\nv1,A\n")
    result = runner.invoke(
        app,
        [
            "county",
            str(anqiu_toml),
            "--out",
            str(tmp_path),
            "--set",
            "county.source=file",
            "--set",
            f"county.villages_file={bad}",
        ],
    )
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert str(bad) in result.output and "required column missing" in result.output
    assert not list(tmp_path.glob("*.png"))


def test_missing_data_file_is_reported(anqiu_toml, tmp_path):
    result = runner.invoke(
        app,
        ["county", str(anqiu_toml), "--out", str(tmp_path), "--set", "alliances.file=nope.csv"],
    )
    assert result.exit_code == 2 and "alliances.file" in result.output
    assert "not found" in result.output
