"""``jointvillage run`` and ``demo`` as a user runs them."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from model.cli import app
from model.jointmodel import JointVillageModel
from model.scenario import load_scenario

runner = CliRunner()
SMALL = ["--set", "county.scale=0.2"]


def test_run_json_has_the_documented_keys_and_writes_results(tmp_path):
    result = runner.invoke(
        app, ["run", "anqiu_2023", *SMALL, "--years", "2", "--json", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    for key in ("scenario", "seed", "years", "villages", "households", "wall_seconds", "final"):
        assert key in data
    final = data["final"]
    for key in (
        "per_capita_income",
        "collective_income_mean",
        "collective_income_median",
        "weak_villages",
        "gini_household",
        "gini_collective",
        "land_pooled_share",
        "active_sellers",
        "allied_villages",
    ):
        assert key in final
    assert set(final["income_by_source"]) == {
        "wage",
        "farming",
        "property",
        "ecommerce",
        "transfer",
    }
    assert data["years"] == 2 and data["scenario"] == "anqiu_2023"
    yearly = pd.read_parquet(tmp_path / "county_yearly.parquet")
    assert list(yearly["year"]) == [2022, 2023, 2024]  # year 0: the county as built
    assert final["per_capita_income"] == yearly["per_capita_income"].iloc[-1]
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["seed"] == data["seed"]
    assert manifest["resolved_scenario"]["county"]["scale"] == 0.2
    for figure in ("income_paths", "collective_distribution", "weak_villages"):
        assert (tmp_path / f"{figure}.png").stat().st_size > 1000


def test_no_figures_writes_the_same_tables_and_no_png(tmp_path):
    args = ["run", "baseline", *SMALL, "--years", "1", "--json"]
    drawn = runner.invoke(app, [*args, "--out", str(tmp_path / "drawn")])
    bare = runner.invoke(app, [*args, "--no-figures", "--out", str(tmp_path / "bare")])
    assert drawn.exit_code == 0 and bare.exit_code == 0, bare.output
    assert not list((tmp_path / "bare").glob("*.png"))
    assert len(list((tmp_path / "drawn").glob("*.png"))) == 3
    for table in ("county_yearly", "village_yearly", "alliance_yearly"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(tmp_path / "bare" / f"{table}.parquet"),
            pd.read_parquet(tmp_path / "drawn" / f"{table}.parquet"),
        )
    manifest = json.loads((tmp_path / "bare" / "manifest.json").read_text())
    assert not any(name.endswith(".png") for name in manifest["files"].values())


def test_run_seed_flag_changes_results(tmp_path):
    outputs = []
    for seed in ("1", "2"):
        result = runner.invoke(
            app,
            [
                "run",
                "baseline",
                *SMALL,
                "--years",
                "1",
                "--seed",
                seed,
                "--json",
                "--out",
                str(tmp_path / seed),
            ],
        )
        assert result.exit_code == 0, result.output
        outputs.append(json.loads(result.stdout)["final"]["per_capita_income"])
    assert outputs[0] != outputs[1]


def test_households_flag_writes_micro_data(tmp_path):
    result = runner.invoke(
        app,
        [
            "run",
            "baseline",
            *SMALL,
            "--years",
            "1",
            "--households",
            "--json",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    micro = pd.read_parquet(tmp_path / "households.parquet")
    assert {"year", "household", "village_id", "per_capita_income", "income_wage"} <= set(micro)
    assert not micro.duplicated(["year", "household"]).any()
    assert micro.loc[micro["year"] == micro["year"].min(), "income_wage"].isna().all()


def test_bad_flags_exit_2_with_one_line_and_write_nothing(tmp_path):
    cases = [
        (["run", "no_such_scenario.toml"], "not found"),
        (["run", "baseline", "--years", "0"], "years"),
        (["run", "baseline", "--lang", "fr"], "'en', 'zh'"),
        (["run", "baseline", "--replicate", "-1"], "replicate"),
        (["run", "baseline", "--set", "policies.land_pooling.rnet=900"], "did you mean 'rent'"),
    ]
    for args, expected in cases:
        out = tmp_path / "out"
        result = runner.invoke(app, [*args, "--out", str(out)])
        assert result.exit_code == 2, (args, result.output)
        assert expected in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.output
        assert not out.exists()


def test_demo_runs_both_scenarios(tmp_path):
    result = runner.invoke(
        app, ["demo", "--years", "1", "--out", str(tmp_path)], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    for name in ("baseline", "anqiu_2023"):
        assert (tmp_path / name / "county_yearly.parquet").exists()
    comparison = pd.read_csv(tmp_path / "comparison.csv")
    assert {"baseline", "anqiu_2023"} <= set(comparison.columns)
    table = comparison.set_index("measure")
    # Every row has a number in both columns (integers included).
    assert table[["baseline", "anqiu_2023"]].notna().all().all(), table
    # Both columns describe the same villages: the programme's allied ones and the others.
    villages = {
        n: pd.read_parquet(tmp_path / n / "village_yearly.parquet") for n in table.columns[2:]
    }
    prog = villages["anqiu_2023"]
    allied = set(prog.loc[(prog["year"] == prog["year"].max()) & prog["allied"], "village_id"])
    base = villages["baseline"]
    last = base[base["year"] == base["year"].max()]
    expected = last.loc[last["village_id"].isin(allied), "collective_income"].mean()
    assert table.loc["allied_group_mean", "baseline"] == pytest.approx(expected)
    # Year 0 is the same county in both.
    start = table.loc["weak_villages_start"]
    assert start["baseline"] == start["anqiu_2023"]
    assert (tmp_path / "county_map.png").exists()
    # The programme against the baseline reference, and weak villages of both on one axis.
    for figure in ("income_paths.png", "weak_villages.png"):
        assert (tmp_path / figure).read_bytes()[:4] == b"\x89PNG"
    assert str(tmp_path.resolve()) in result.stdout


def test_household_view_reads_and_writes_its_row():
    model = JointVillageModel(load_scenario("baseline", ["county.scale=0.1", "years=1"]))
    view = model.household(5)
    assert view.members == model.households.members[5]
    view.pooled_mu = 0.0
    assert model.households.pooled_mu[5] == 0.0
    model.step()
    assert set(view.income) == {"wage", "farming", "property", "ecommerce", "transfer"}
