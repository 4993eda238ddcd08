"""Measures: year 0, the registry, yearly effects, differences in differences, user measures."""

from __future__ import annotations

import json
import math
import re
import textwrap

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from model.checks.measure_list import LIST_PATH, render
from model.cli import app
from model.errors import InputError
from model.experiments.batch import load_results, run_batch
from model.experiments.compare import compare
from model.experiments.comparisons import compare_folder
from model.experiments.effects import did_per_run, yearly_effects
from model.experiments.experiment import validate_experiment
from model.experiments.measures import REFERENCE_MEASURES, all_measures, measure_table
from model.experiments.user_measures import MeasureSpec, UserMeasure, build_measures
from model.jointmodel import JointVillageModel
from model.recorder import non_finite_columns
from model.runner import run_scenario
from model.scenario import load_scenario

SMALL = ["county.scale=0.05", "years=2"]
CJK = re.compile(r"[\u4e00-\u9fff]")


# --------------------------------------------------------------------------------------
# Year 0


def test_year_zero_is_the_county_as_built():
    scenario = load_scenario("anqiu_2023", SMALL)
    model = JointVillageModel(scenario)
    tables = model.recorder.tables()
    yearly, villages = tables["county_yearly"], tables["village_yearly"]
    assert list(yearly["year"]) == [scenario.start_year - 1]
    start = model.villages.collective_start
    threshold = scenario.collective.weak_threshold
    assert yearly["weak_villages"].iloc[0] == int((start < threshold).sum())
    assert yearly["collective_income_mean"].iloc[0] == pytest.approx(start.mean())
    np.testing.assert_allclose(villages["collective_income"], start)
    # Household incomes are flows the model has not produced yet: missing, not zero.
    assert yearly["per_capita_income"].isna().all() and villages["income_wage"].isna().all()
    assert yearly["allied_villages"].iloc[0] == int(model.villages.allied.sum()) > 0


def test_year_zero_is_the_same_in_every_scenario_of_a_county():
    one = run_scenario(load_scenario("baseline", SMALL)).tables["county_yearly"]
    two = run_scenario(load_scenario("anqiu_2023", SMALL)).tables["county_yearly"]
    for column in ("weak_villages", "collective_income_mean", "gini_collective"):
        assert one[column].iloc[0] == two[column].iloc[0], column


def test_non_finite_columns_accepts_year_zero_gaps_and_finds_real_ones():
    result = run_scenario(load_scenario("anqiu_2023", SMALL))
    tables = result.tables
    assert non_finite_columns(tables, 2023) == {}
    broken = tables["county_yearly"].copy()
    broken.loc[broken.index[-1], "per_capita_income"] = np.nan
    assert non_finite_columns({"county_yearly": broken}, 2023) == {
        "county_yearly": ["per_capita_income"]
    }
    zero = tables["county_yearly"].copy()
    zero.loc[zero.index[0], "weak_villages"] = np.nan  # not a flow: must be there in year 0
    assert non_finite_columns({"county_yearly": zero}, 2023) == {"county_yearly": ["weak_villages"]}


# --------------------------------------------------------------------------------------
# The registry


def test_every_measure_has_a_unit_labels_in_both_languages_and_a_description():
    names = [m.name for m in all_measures()]
    assert len(names) == len(set(names))
    for measure in all_measures():
        assert measure.unit and measure.en and measure.description, measure.name
        assert CJK.search(measure.zh), measure.name
        assert measure.kind in {"level", "change", "cumulative", "ratio", "did"}


def test_final_year_levels_are_measures():
    levels = set(measure_table().query("kind == 'level'")["name"])
    wanted = {
        "weak_villages",
        "collective_income_mean",
        "collective_income_median",
        "per_capita_income",
        "income_wage",
        "gini_household",
        "gini_collective",
        "land_pooled_mu",
        "active_sellers",
    }
    assert wanted <= levels


def test_docs_measure_list_is_current():
    assert LIST_PATH.read_text(encoding="utf-8") == render(), (
        "docs/measures.md is stale: run `.venv/bin/python -m model.checks.measure_list`"
    )


def test_cli_lists_the_measures():
    result = CliRunner().invoke(app, ["measures", "--json"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.output)
    assert {r["name"] for r in records} == {m.name for m in all_measures()}
    assert CliRunner().invoke(app, ["measures", "--zh"]).exit_code == 0


# --------------------------------------------------------------------------------------
# Effects per year and differences in differences


def test_yearly_effects_are_zero_in_year_zero_and_paired_after():
    rows = []
    for scenario, shift in (("ref", 0.0), ("arm", 7.0)):
        for replicate in range(3):
            for t, year in enumerate((2022, 2023, 2024)):
                noise = 10.0 * replicate + t
                rows.append(
                    {
                        "scenario": scenario,
                        "replicate": replicate,
                        "year": year,
                        "weak_villages": 50 + noise - (shift * t),
                    }
                )
    effects = yearly_effects(pd.DataFrame(rows), "ref", ["weak_villages"])
    arm = effects[effects["arm"] == "arm"].set_index("year")
    assert arm.loc[2022, "diff"] == 0.0
    assert arm.loc[2023, "diff"] == pytest.approx(-7.0)
    assert arm.loc[2024, "diff"] == pytest.approx(-14.0)
    assert arm.loc[2024, "diff_low"] == pytest.approx(-14.0)  # no noise left after pairing
    assert arm.loc[2024, "ci_high"] > arm.loc[2024, "ci_low"]  # the levels are noisy


def village_rows(arm: str, replicate: int, incomes: dict[str, tuple[float, float]], allied: set):
    return [
        {
            "scenario": arm,
            "replicate": replicate,
            "year": year,
            "village_id": village,
            "collective_income": values[t],
            "allied": village in allied and t == 1,
        }
        for village, values in incomes.items()
        for t, year in enumerate((2022, 2030))
    ]


def test_difference_in_differences_worked_by_hand():
    """Allied villages a, b gain 100 and 40 in the arm, 10 and 10 in the reference: DiD 60."""
    rows = [
        *village_rows("ref", 0, {"a": (50, 60), "b": (80, 90), "c": (200, 300)}, set()),
        *village_rows("arm", 0, {"a": (50, 150), "b": (80, 120), "c": (200, 310)}, {"a", "b"}),
    ]
    measure = REFERENCE_MEASURES[0]
    table = did_per_run(pd.DataFrame(rows), "ref", measure)
    assert len(table) == 1
    assert table[measure.name].iloc[0] == pytest.approx(((100 - 10) + (40 - 10)) / 2)
    assert table["villages"].iloc[0] == 2


# --------------------------------------------------------------------------------------
# User-defined measures


def measure_experiment(**measure) -> dict:
    return {
        "name": "user-measures",
        "seed": 3,
        "replicates": 2,
        "outputs": {"tables": ["county_yearly", "village_yearly"]},
        "scenarios": [
            {"name": "baseline", "file": "baseline.toml", "set": SMALL},
            {"name": "pooling", "file": "anqiu_2023.toml", "set": SMALL},
        ],
        "measures": [measure],
    }


ALLIED_LAND = {
    "name": "allied_pooled_mu",
    "table": "village_yearly",
    "expression": "land_pooled_mu",
    "filter": "allied",
    "reduction": "sum",
    "year": "last",
    "unit": "mu",
    "en": "Land pooled in allied villages, final year",
    "zh": "末年联建村入股流转土地",
}


def test_a_user_measure_declared_in_an_experiment_file_works(tmp_path):
    run_batch(validate_experiment(measure_experiment(**ALLIED_LAND)), out=tmp_path, workers=0)
    table = compare_folder(tmp_path, measures=["allied_pooled_mu", "allied_collective_did"])
    villages = load_results(tmp_path, "village_yearly")
    last = villages[villages["year"] == villages["year"].max()]
    expected = last[last["allied"]].groupby(["scenario", "replicate"])["land_pooled_mu"].sum()
    pooling = table[(table["arm"] == "pooling") & (table["measure"] == "allied_pooled_mu")]
    assert pooling["mean"].iloc[0] == pytest.approx(expected["pooling"].mean())
    assert pooling["mean"].iloc[0] > 0 and pooling["kind"].iloc[0] == "user"
    did = table[(table["arm"] == "pooling") & (table["measure"] == "allied_collective_did")]
    assert np.isfinite(did["mean"].iloc[0]) and did["note"].iloc[0] == ""


def test_a_user_measure_can_be_a_python_function(tmp_path, monkeypatch):
    module = tmp_path / "my_measures.py"
    module.write_text(
        textwrap.dedent(
            """
            def allied_share(tables):
                villages = tables["village_yearly"]
                last = villages[villages["year"] == villages["year"].max()]
                return float(last["allied"].mean())
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    spec = {"name": "allied_share", "function": "my_measures:allied_share"}
    spec["tables"] = ["village_yearly"]
    out = tmp_path / "out"
    run_batch(validate_experiment(measure_experiment(**spec)), out=out, workers=0)
    table = compare_folder(out, measures=["allied_share"])
    shares = table.set_index("arm")["mean"]
    assert shares["baseline"] == 0.0 and 0.0 < shares["pooling"] <= 1.0


@pytest.mark.parametrize(
    ("change", "field", "value"),
    [
        ({"filter": "alied"}, "measures[0].filter", "alied"),
        ({"expression": "land_pooled"}, "measures[0].expression", "land_pooled"),
        ({"function": "json:nothing_here", "expression": None}, "measures[0].function", None),
        ({"name": "weak_villages"}, "measures[0].name", "weak_villages"),
    ],
)
def test_bad_user_measures_are_refused_with_the_field(change, field, value):
    spec = {**ALLIED_LAND, **change}
    spec = {k: v for k, v in spec.items() if v is not None}
    with pytest.raises(InputError) as err:
        validate_experiment(measure_experiment(**spec), "exp.toml")
    assert err.value.field == field
    if value is not None:
        assert err.value.value == value


def yearly_frame(incomes: list[float], wages: list[float]) -> pd.DataFrame:
    """A county_yearly table of one run: year 0 (no incomes yet), then the given years."""
    return pd.DataFrame(
        {
            "scenario": "a",
            "variant": 0,
            "replicate": 0,
            "year": np.arange(2022, 2023 + len(incomes)),
            "per_capita_income": [np.nan, *incomes],
            "income_wage": [np.nan, *wages],
        }
    )


def span_measure(**spec) -> UserMeasure:

    base = {"name": "m", "expression": "per_capita_income"}
    return build_measures([MeasureSpec(**{**base, **spec})], "exp.toml")[0]


def test_a_span_of_years_averages_the_yearly_values_by_hand():
    frame = yearly_frame([30000.0, 20000.0, 22000.0, 40000.0, 29000.0], [1.0] * 5)
    tables = {"county_yearly": frame}
    assert span_measure(years=[1, 4]).per_run(tables) == pytest.approx(28000.0)
    assert span_measure(years=[2, 2]).per_run(tables) == pytest.approx(20000.0)
    # The mean of the yearly shares, each read in its own year.
    frame["income_wage"] = [np.nan, 15000.0, 5000.0, 11000.0, 10000.0, 0.0]
    share = span_measure(expression="income_wage / per_capita_income", years=[1, 4])
    assert share.per_run(tables) == pytest.approx((0.5 + 0.25 + 0.5 + 0.25) / 4)


def test_a_span_growth_is_the_compound_rate_a_year():
    frame = yearly_frame([100.0, 50.0, 400.0, 121.0], [1.0] * 4)
    growth = span_measure(years=[1, 3], over_years="growth")
    # From 100 in year 1 to 400 in year 3: doubling a year, whatever year 2 was.
    assert growth.per_run({"county_yearly": frame}) == pytest.approx(1.0)
    assert span_measure(years=[1, 4], over_years="growth").per_run(
        {"county_yearly": frame}
    ) == pytest.approx(1.21 ** (1 / 3) - 1)


def test_a_span_past_the_run_fails_naming_the_year():
    frame = yearly_frame([1.0, 2.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="year 3 is past"):
        span_measure(years=[1, 3]).per_run({"county_yearly": frame})


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"years": [3, 1]}, "measures[0].years"),
        ({"years": [1, 2, 3]}, "measures[0].years"),
        ({"years": [-1, 2]}, "measures[0].years"),
        ({"years": [2, 2], "over_years": "growth"}, "measures[0].years"),
        ({"years": [1, 2], "year": 1}, "measures[0].year"),
        ({"years": [1, 2], "table": "county_monthly"}, "measures[0].years"),
    ],
)
def test_a_bad_span_of_years_is_refused_with_the_field(spec, field):
    with pytest.raises(InputError) as err:
        span_measure(**spec)
    assert err.value.field == field


def test_an_unknown_column_exits_2_with_a_did_you_mean(tmp_path):
    path = tmp_path / "exp.toml"
    path.write_text(
        textwrap.dedent(
            """
            name = "bad"
            [outputs]
            tables = ["county_yearly", "village_yearly"]
            [[scenarios]]
            name = "a"
            file = "baseline.toml"
            [[measures]]
            name = "m"
            table = "village_yearly"
            expression = "land_poold_mu"
            """
        )
    )
    result = CliRunner().invoke(app, ["batch", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "land_poold_mu" in result.output and "land_pooled_mu" in result.output
    assert not (tmp_path / "out").exists()


def test_a_measure_on_a_table_not_kept_is_refused():
    spec = {**ALLIED_LAND}
    data = measure_experiment(**spec)
    data["outputs"] = {"tables": ["county_yearly"]}
    with pytest.raises(InputError, match="village_yearly"):
        validate_experiment(data, "exp.toml")


def test_compare_with_a_bad_measure_runs_nothing(tmp_path):
    out = tmp_path / "cmp"
    result = CliRunner().invoke(
        app,
        ["compare", "baseline.toml", "-n", "1", "-m", "weak_vilages", "--out", str(out)],
    )
    assert result.exit_code == 2
    assert "weak_villages" in result.output  # the did-you-mean
    assert not out.exists()


# --------------------------------------------------------------------------------------
# The full county


def test_full_county_weak_village_effect_matches_the_final_year_difference(tmp_path):
    data = {
        "name": "full",
        "seed": 11,
        "replicates": 2,
        "outputs": {"tables": ["county_yearly", "village_yearly"]},
        "scenarios": [
            {"name": "baseline", "file": "baseline.toml", "set": ["years=4"]},
            {"name": "anqiu", "file": "anqiu_2023.toml", "set": ["years=4"]},
        ],
    }
    run_batch(validate_experiment(data), out=tmp_path, workers=0)
    table = compare_folder(tmp_path).set_index(["arm", "measure"])
    yearly = load_results(tmp_path)
    last = yearly[yearly["year"] == yearly["year"].max()]
    per_run = last.pivot_table(index="replicate", columns="scenario", values="weak_villages")
    expected = float((per_run["anqiu"] - per_run["baseline"]).mean())
    effect = table.loc[("anqiu", "weak_villages"), "diff"]
    assert effect == pytest.approx(expected) and effect < 0
    # The county is the same in year 0, so the villages lifted differ by the same amount.
    lifted = table.loc[("anqiu", "weak_villages_lifted"), "diff"]
    assert lifted == pytest.approx(-expected)
    did = table.loc[("anqiu", "allied_collective_did"), "mean"]
    assert did > 0 and not math.isnan(did)


def test_compare_reports_the_did_only_with_village_tables():
    yearly = pd.DataFrame(
        [
            {"scenario": s, "replicate": 0, "year": y, "weak_villages": 1.0}
            for s in ("a", "b")
            for y in (2022, 2023)
        ]
    )
    table = compare(yearly, measures=["allied_collective_did"])
    assert "village_yearly" in table.loc[table["arm"] == "b", "note"].iloc[0]


def test_a_user_measure_can_come_from_an_entry_point(tmp_path, monkeypatch):
    """A package that declares ``[project.entry-points."jointvillage.measures"]`` is found."""
    from importlib.metadata import EntryPoint

    import model.experiments.user_measures as user_measures

    module = tmp_path / "plugin_measures.py"
    module.write_text(
        "def final_weak(tables):\n"
        "    return float(tables['county_yearly']['weak_villages'].iloc[-1])\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    found = [
        EntryPoint("final_weak", "plugin_measures:final_weak", user_measures.ENTRY_POINT_GROUP)
    ]
    monkeypatch.setattr(user_measures, "entry_points", lambda group: found)
    spec = {"name": "weak_at_end", "function": "entry-point:final_weak"}
    measures = validate_experiment(measure_experiment(**spec)).user_measures()
    assert measures[0].per_run({"county_yearly": pd.DataFrame({"weak_villages": [5, 3]})}) == 3.0
    with pytest.raises(InputError, match="final_weak"):
        user_measures.load_function("entry-point:final_wek", "exp.toml", "measures[0].function")


def test_compare_of_a_folder_writes_its_files_into_another_out_folder(tmp_path):
    runs, elsewhere = tmp_path / "runs", tmp_path / "elsewhere"
    run_batch(validate_experiment(measure_experiment(**ALLIED_LAND)), out=runs, workers=0)
    result = CliRunner().invoke(
        app, ["compare", str(runs), "--out", str(elsewhere), "--no-figure", "--json"]
    )
    assert result.exit_code == 0, result.output
    effects = pd.read_csv(elsewhere / "effects_by_year.csv")
    assert set(effects["arm"]) == {"baseline", "pooling"}
    # Year 0 is the county as built: no difference in its collective incomes.
    start = effects[(effects["year"] == effects["year"].min())]
    pre = start[start["measure"].isin(["weak_villages", "collective_income_mean"])]
    assert len(pre) and (pre["diff"] == 0).all()
