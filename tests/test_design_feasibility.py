"""An infeasible constraint set of ``jointvillage design`` is refused, naming the constraint.

Bounds the county cannot meet are refused before any run (no screening folder is made);
a bound on an outcome that no screened grouping meets is refused after screening, before
the final runs. Each exits 2 with the constraint, its value and what is possible.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from model.cli import app
from model.experiments.grouping.candidates import ScenarioSource
from model.experiments.grouping.feasibility import fund_floor
from model.experiments.per_run import run_measures
from model.jointmodel import build_world
from model.runner import run_scenario

SMALL = ["--set", "county.scale=0.1", "--set", "years=1"]
QUICK = ["--population", "2", "--generations", "1", "--screen-replicates", "1"]
runner = CliRunner()


def design(tmp_path: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(
        app,
        [
            *["design", "anqiu_2023", *SMALL, *QUICK, "--objective", "per_capita_income"],
            *[*args, "--workers", "0", "--out", str(tmp_path / "out")],
        ],
    )
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (
            ["--set", "alliances.max_distance_km=0.05"],
            ["alliances.max_distance_km", "0.05", "at least 0.558 km"],
        ),
        (
            ["--set", "alliances.min_villages=30", "--set", "alliances.max_villages=30"],
            ["alliances.min_villages", "30", "at most 14", "largest town"],
        ),
        (
            ["--set", "alliances.min_population=0", "--set", "alliances.max_population=100"],
            ["alliances.max_population", "100", "at least 570"],
        ),
        (
            ["--set", "alliances.min_population=99999", "--set", "alliances.max_population=99999"],
            ["alliances.min_population", "99999", "at most 7,678"],
        ),
        (["--alliances", "999"], ["--alliances", "999", "at most"]),
        (["--budget", "1000"], ["--budget", "1000", "at least 513,889 yuan", "project fund"]),
    ],
)
def test_a_constraint_the_county_cannot_meet_is_refused_before_any_run(
    tmp_path: Path, args: list[str], words: list[str]
) -> None:
    code, output = design(tmp_path, *args)
    assert code == 2, output
    for word in words:
        assert word in output
    assert "Traceback" not in output
    assert not (tmp_path / "out" / "screen").exists()  # no run was made


def test_an_outcome_bound_no_grouping_meets_is_refused_before_the_final_runs(
    tmp_path: Path,
) -> None:
    code, output = design(tmp_path, "--constraint", "max_gini=0.01")
    assert code == 2, output
    assert "max_gini" in output and "0.01" in output and "best of the" in output
    assert (tmp_path / "out" / "screen").exists()
    assert not (tmp_path / "out" / "final").exists()


def test_the_budget_floor_is_the_project_funds_first_year_and_below_any_spending() -> None:
    source = ScenarioSource("anqiu_2023", ("county.scale=0.1", "years=1"))
    scenario = source.programme()
    county, _ = build_world(scenario)
    # 20 million over 3 years at a tenth of the county: one whole 555,000-yuan project a
    # year (competitive rule), discounted one year at 8%.
    assert fund_floor(scenario, county) == pytest.approx(555_000 / 1.08)
    equal = source.programme().model_copy(deep=True)
    equal.governance.project_fund.rule = "equal"
    assert fund_floor(equal, county) == pytest.approx(20e6 * 0.1 / 3 / 1.08)
    runs = run_measures(run_scenario(scenario, 0).tables["county_yearly"], ["public_spending_cum"])
    assert fund_floor(scenario, county) <= runs["public_spending_cum"].iat[0]
