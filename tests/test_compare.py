"""Comparison statistics: intervals, paired differences, ratio measures, the command."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from model.cli import app
from model.errors import InputError
from model.experiments.compare import IncompleteComparisonWarning, compare
from model.experiments.comparisons import compare_scenarios
from model.experiments.intervals import mean_ci, ratio_ci
from model.experiments.measures import MEASURES, RATIO_MEASURES, REFERENCE_MEASURES
from model.experiments.per_run import run_measures
from model.experiments.store import ResultsStore
from model.runner import COUNTY_MEASURES
from model.viz.experiment_figures import compare_figure


def synthetic(
    arms: dict[str, float], replicates: int = 4, years: int = 3, spending: dict | None = None
) -> pd.DataFrame:
    """County tables where arm X = a shared per-replicate noise + a fixed shift."""
    rng = np.random.default_rng(1)
    noise = rng.normal(0, 50, (replicates, years))
    rows = []
    for name, shift in arms.items():
        for r in range(replicates):
            for y in range(years):
                row = {"scenario": name, "replicate": r, "year": 2023 + y}
                for column in COUNTY_MEASURES:
                    row[column] = 1000 + 10 * y + noise[r, y] + shift
                # Public money: 100 a year, and an arm's extra spent when the county is built.
                row["public_spending"] = 100.0 + (0.0 if y else (spending or {}).get(name, 0.0))
                rows.append(row)
    return pd.DataFrame(rows)


def row(table: pd.DataFrame, arm: str, measure: str) -> pd.Series:
    return table[(table["arm"] == arm) & (table["measure"] == measure)].iloc[0]


def test_mean_ci_is_the_t_interval():
    n, mean, low, high = mean_ci([1.0, 2.0, 3.0, 4.0])
    half = 3.182446305284263 * np.std([1, 2, 3, 4], ddof=1) / 2
    assert n == 4 and mean == 2.5
    assert low == pytest.approx(2.5 - half) and high == pytest.approx(2.5 + half)
    assert math.isnan(mean_ci([5.0])[2])
    assert mean_ci([1.0, np.nan, 3.0])[:2] == (2, 2.0)


def test_paired_difference_removes_shared_noise():
    table = compare(synthetic({"ref": 0.0, "plus": 25.0}), reference="ref")
    plus = row(table, "plus", "per_capita_income")
    assert plus["diff"] == pytest.approx(25.0)
    assert plus["diff_low"] == pytest.approx(25.0) and plus["diff_high"] == pytest.approx(25.0)
    assert plus["ci_high"] - plus["ci_low"] > 10  # the means alone are noisy
    ref = row(table, "ref", "per_capita_income")
    assert (ref["diff"], ref["pairs"]) == (0.0, 4)


def test_every_measure_is_reported_per_arm():
    table = compare(synthetic({"a": 0.0, "b": 1.0}))
    names = [m.name for m in [*MEASURES, *RATIO_MEASURES, *REFERENCE_MEASURES]]
    assert table.groupby("arm")["measure"].apply(list).to_dict() == {"a": names, "b": names}
    assert (table["reference"] == "a").all()


def test_derived_measures():
    data = synthetic({"a": 0.0}, replicates=1, years=3)
    data.loc[data["year"] == 2023, "weak_villages"] = 40
    data.loc[data["year"] == 2025, "weak_villages"] = 31
    data.loc[data["year"] == 2023, "collective_income_allied_mean"] = 100.0
    data.loc[data["year"] == 2025, "collective_income_allied_mean"] = 150.0
    runs = run_measures(data, discount_rate=0.0)
    assert runs["weak_villages_lifted"].iloc[0] == 9
    assert runs["collective_growth_allied"].iloc[0] == pytest.approx(0.5)
    # Income sums run over years 1.. (year 0 is the county before the programme) ...
    income = data["collective_income_total"].to_numpy()
    assert runs["collective_income_cum"].iloc[0] == pytest.approx(income[1:].sum())
    # ... public money from year 0 (what the set-up spent) on.
    assert runs["public_spending_cum"].iloc[0] == pytest.approx(300.0)
    # Discounted at 10 %: x_t / 1.1^t.
    discounted = run_measures(data, discount_rate=0.1)
    expected = income[1] / 1.1 + income[2] / 1.1**2
    assert discounted["collective_income_cum"].iloc[0] == pytest.approx(expected)
    assert discounted["public_spending_cum"].iloc[0] == pytest.approx(100 + 100 / 1.1 + 100 / 1.21)


def test_change_measures_start_from_year_zero_and_final_levels_from_the_last_year():
    """Year 0 is the earliest row of a run: the programme's first year is part of a change."""
    data = synthetic({"a": 0.0}, replicates=1, years=4)
    data["weak_villages"] = [50, 30, 28, 25]
    runs = run_measures(data)
    assert runs["weak_villages_lifted"].iloc[0] == 25  # 50 in year 0, not 30 in year 1
    assert runs["weak_villages"].iloc[0] == 25


def test_household_income_missing_in_year_zero_is_left_out_of_sums():
    data = synthetic({"a": 0.0}, replicates=1, years=3)
    data.loc[data["year"] == 2023, "per_capita_income"] = np.nan
    runs = run_measures(data, discount_rate=0.0)
    expected = data["per_capita_income"].iloc[1:].sum()
    assert runs["per_capita_income_cum"].iloc[0] == pytest.approx(expected)


def test_growth_from_zero_is_undefined_not_infinite():
    data = synthetic({"a": 0.0}, replicates=2)
    data.loc[data["year"] == 2023, "collective_income_nonallied_mean"] = 0.0
    assert run_measures(data)["collective_growth_nonallied"].isna().all()


def test_income_per_yuan_of_public_money():
    data = synthetic({"ref": 0.0, "policy": 20.0}, years=3, spending={"policy": 30.0})
    table = compare(data, reference="ref", discount_rate=0.0)
    ratio = row(table, "policy", "collective_income_per_yuan")
    assert ratio["mean"] == pytest.approx(20.0 * 2 / 30.0)  # 40 yuan more in years 1-2 per 30
    per_10k = row(table, "policy", "per_capita_income_per_10k_yuan")
    assert per_10k["mean"] == pytest.approx(20.0 * 2 / (30.0 / 1e4))
    # Discounting lowers the gain (years 1, 2) but not the cost (spent in year 0).
    discounted = row(compare(data, reference="ref"), "policy", "collective_income_per_yuan")
    assert discounted["mean"] == pytest.approx(20.0 * (1 / 1.08 + 1 / 1.08**2) / 30.0)
    assert math.isnan(row(table, "ref", "collective_income_per_yuan")["mean"])


def test_income_per_yuan_without_extra_spending_is_nan_with_note():
    table = compare(synthetic({"ref": 0.0, "free": 20.0}), reference="ref")
    ratio = row(table, "free", "collective_income_per_yuan")
    assert math.isnan(ratio["mean"]) and "undefined" in ratio["note"]


def test_ratio_interval_contains_the_ratio():
    gains = np.array([10.0, 12.0, 9.0, 11.0])
    costs = np.array([5.0, 5.5, 4.5, 5.0])
    n, value, low, high, note = ratio_ci(gains, costs)
    assert n == 4 and not note and low < value < high
    assert value == pytest.approx(gains.mean() / costs.mean())


def test_sweep_arms_are_labelled_by_parameter_and_referenced_by_label():
    data = pd.concat(
        [
            synthetic({"pool": shift}).assign(
                variant=v, **{"param:policies.land_pooling.rent": rent}
            )
            for v, (shift, rent) in enumerate([(0.0, 400), (5.0, 800)])
        ]
    )
    table = compare(data, reference="pool [rent=400]")
    assert set(table["arm"]) == {"pool [rent=400]", "pool [rent=800]"}
    assert row(table, "pool [rent=800]", "per_capita_income")["diff"] == pytest.approx(5.0)
    with pytest.raises(InputError) as err:
        compare(data, reference="pool")
    assert "several sweep points" in err.value.message


def test_unknown_reference_and_measure_suggest():
    data = synthetic({"baseline": 0.0, "anqiu": 1.0})
    with pytest.raises(InputError) as err:
        compare(data, reference="baselin")
    assert "did you mean 'baseline'" in err.value.message
    with pytest.raises(InputError) as err:
        compare(data, measures=["per_capita_incom"])
    assert "did you mean 'per_capita_income'" in err.value.message


def test_figure_has_a_row_per_measure():
    table = compare(synthetic({"a": 0.0, "b": 1.0}), measures=["gini_household", "income_wage"])
    figure = compare_figure(table)
    assert len([ax for ax in figure.axes if ax.get_visible()]) == 4


SMALL = ["county.scale=0.05", "years=2"]


def test_compare_scenarios_from_python_is_reproducible():
    args = (["baseline.toml", "anqiu_2023.toml"], 2)
    one = compare_scenarios(*args, overrides=SMALL, measures=["per_capita_income"])
    two = compare_scenarios(*args, overrides=SMALL, measures=["per_capita_income"])
    pd.testing.assert_frame_equal(one, two)
    assert list(one["arm"]) == ["baseline", "anqiu_2023"] and (one["n"] == 2).all()


def test_compare_scenario_objects_share_the_reference_seed():
    from model.scenario import load_scenario

    one = load_scenario("baseline.toml", [*SMALL, "seed=3"])
    two = load_scenario("anqiu_2023.toml", [*SMALL, "seed=4", "name='programme'"])
    table = compare_scenarios([one, two], 1, measures=["gini_household"])
    assert list(table["arm"]) == ["baseline", "programme"]
    assert (table["n"] == 1).all()


def test_cli_compare_scenarios_json_and_files(tmp_path):
    args = ["compare", "baseline.toml", "anqiu_2023.toml", "-n", "2", "--json", "-o", str(tmp_path)]
    for override in SMALL:
        args += ["--set", override]
    result = CliRunner().invoke(app, [*args, "--reference", "anqiu_2023"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert {r["reference"] for r in records} == {"anqiu_2023"}
    assert {"arm", "measure", "mean", "ci_low", "ci_high", "diff", "diff_low"} <= set(records[0])
    assert (tmp_path / "compare.csv").is_file() and (tmp_path / "compare.png").is_file()

    # The same folder is a batch results folder: compare it directly.
    again = CliRunner().invoke(app, ["compare", str(tmp_path), "--json", "--no-figure"])
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout) == records


def test_cli_compare_flags_that_need_scenario_files(tmp_path):
    runs = tmp_path / "runs"
    compare_scenarios(["baseline.toml"], 1, overrides=SMALL, out=runs)
    result = CliRunner().invoke(app, ["compare", str(runs), "--replicates", "3"])
    assert result.exit_code == 2 and "only with scenario files" in result.output


def test_compare_warns_when_arms_have_uneven_runs():
    results = synthetic({"a": 0.0, "b": 5.0})
    incomplete = results[~((results["scenario"] == "b") & (results["replicate"] >= 2))]
    with pytest.warns(IncompleteComparisonWarning, match=r"a n=4, b n=2"):
        table = compare(incomplete, measures=["per_capita_income"])
    assert dict(zip(table["arm"], table["n"], strict=True)) == {"a": 4, "b": 2}

    # Even arms, but fewer than planned (a results folder that is not finished).
    short = results[results["replicate"] < 3]
    short.attrs["planned_replicates"] = 4
    with pytest.warns(IncompleteComparisonWarning, match=r"a n=3, b n=3; 4 planned"):
        compare(short, measures=["per_capita_income"])

    with warnings.catch_warnings():
        warnings.simplefilter("error", IncompleteComparisonWarning)
        compare(results, measures=["per_capita_income"])  # complete: no warning


def test_cli_compare_of_an_incomplete_folder_warns_and_prints_n(tmp_path):
    runs = tmp_path / "runs"
    compare_scenarios(["baseline.toml", "anqiu_2023.toml"], 2, overrides=SMALL, out=runs)
    store = ResultsStore.open(runs)
    plan = store.plan()
    lost = plan.loc[plan["scenario"] == "anqiu_2023", "run_key"].iloc[0]
    store.run_path(lost).unlink()
    result = CliRunner().invoke(app, ["compare", str(runs), "--no-figure"])
    assert result.exit_code == 0, result.output
    warned = [line for line in result.stderr.splitlines() if "incomplete" in line]
    assert warned == [
        "warning: incomplete comparison: runs per arm differ "
        "(baseline n=2, anqiu_2023 n=1; 2 planned per arm)"
    ]
    rows = [[cell.strip() for cell in line.split("│")[1:-1]] for line in result.stdout.splitlines()]
    assert ["n", "runs", "2", "1"] in rows
