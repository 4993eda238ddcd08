"""Case-study and pattern scenarios: they validate, run a short horizon, and the reported
quantities are computed (docs/validation.md is made from the same checks)."""

from __future__ import annotations

import math

import pytest
from typer.testing import CliRunner

from model.checks.validation import CHECKS, Runner, fmt, relation, render, run_checks
from model.checks.validation.case_studies import (
    delivered_tonnes,
    potential_tonnes,
    specialty_by_industry,
)
from model.cli import app
from model.jointmodel import build_world
from model.paths import CASES_DIR
from model.scenario import Scenario, load_scenario

#: Quick settings for every run in these tests.
QUICK = ("years=2", "county.scale=0.1")
CASE_FILES = sorted(p.stem for p in CASES_DIR.glob("*.toml") if p.stem != "case_base")


@pytest.fixture(scope="module")
def results():
    found, runner = run_checks(replicates=1, overrides=QUICK)
    return found, runner


@pytest.mark.parametrize("name", CASE_FILES)
def test_case_scenario_validates_and_builds(name):
    scenario = load_scenario(CASES_DIR / f"{name}.toml")
    assert scenario.name != "case_base"
    county, alliances = build_world(scenario)
    if scenario.county.source == "file":
        assert 2 <= len(county.villages) <= 10
        assert county.villages["collective_income_start"].notna().all()
    if scenario.alliances.enabled and scenario.alliances.source == "file":
        assert len(alliances.table) == 1
        assert (alliances.membership >= 0).all()


def test_every_case_file_belongs_to_a_check(results):
    found, _ = results
    used = {r.scenario_file.removeprefix("scenarios/cases/").removesuffix(".toml") for r in found}
    assert used == set(CASE_FILES)
    assert [r.key for r in found] == list(CHECKS)


def test_every_reported_quantity_is_computed(results):
    found, runner = results
    assert runner.runs >= len(CHECKS)
    for result in found:
        assert result.rows, result.key
        for row in result.rows:
            assert row.reported
            assert row.gap.endswith("."), row.gap
            if row.values:
                assert len(row.values) == 1
                assert all(math.isfinite(v) for v in row.values), (result.key, row.quantity)
            else:
                assert "Not modelled" in row.gap


def test_every_run_is_declared_up_front(results):
    _, runner = results
    assert runner.on_demand == 0  # CHECK_RUNS lists every run the checks use


def test_render_lists_every_row(results):
    found, _ = results
    text = render(found, 1, "jointvillage validation --replicates 1", QUICK)
    assert "jointvillage validation --replicates 1" in text
    for result in found:
        assert result.title in text
    assert text.count("\n| ") >= sum(len(r.rows) for r in found)


def test_case_base_gives_each_alliance_its_share_of_county_lumps():
    base = load_scenario(CASES_DIR / "case_base.toml")
    defaults = Scenario()
    n_alliances = defaults.alliances.target_alliances
    fund = defaults.governance.project_fund.total / n_alliances
    assert abs(base.governance.project_fund.total - fund) < 1
    prize = defaults.governance.competition.prize * defaults.governance.competition.winners
    assert base.governance.competition.winners == 1
    assert abs(base.governance.competition.prize - prize / n_alliances) < 1
    trainees = defaults.policies.livestream_training.trainees_per_year * 4.5
    assert base.policies.livestream_training.trainees_per_year == round(
        trainees / defaults.alliances.coverage_target
    )


def test_lead_goose_specialty_areas_near_the_report():
    areas = specialty_by_industry(load_scenario(CASES_DIR / "lead_goose.toml"))
    for industry, reported in (("peach", 1600), ("cherry", 500), ("vegetables", 2000)):
        assert abs(areas[industry] / reported - 1) < 0.15, (industry, areas[industry])


def test_millet_contract_volume_near_400_t_if_everyone_joined():
    assert abs(potential_tonnes(load_scenario(CASES_DIR / "millet.toml")) / 400 - 1) < 0.15


def test_millet_deliveries_are_an_outcome_within_the_potential_and_the_volume():
    runner = Runner(("years=4",))  # uptake reaches the contract within a few years
    scenario = runner.load("millet")
    delivered = delivered_tonnes(runner, scenario, 1)[0]
    # Households choose: some deliver, never more than all of them could.
    assert 0 < delivered <= 1.05 * potential_tonnes(scenario)


def test_comparison_runs_share_random_numbers():
    runner = Runner(("years=1",))
    a = runner.run(runner.load("town_company"), 0)
    b = runner.run(runner.load("town_company", ["policies.land_pooling.enabled=false"]), 0)
    again = runner.run(runner.load("town_company"), 0)
    assert again is a  # cached
    wages_a = a.tables["county_monthly"]["income_transfer"]
    wages_b = b.tables["county_monthly"]["income_transfer"]
    assert (wages_a - wages_b).abs().max() < 1e-6  # same households, same transfers


def test_relation_and_fmt():
    assert relation(100, 100) == "equal to the report"
    assert relation(60, 50, 80) == "within the reported range"
    assert "close" in relation(90, 100)
    assert "times" in relation(300, 100)
    assert "far below" in relation(10, 100)
    assert fmt(0.4, "share") == "40%"
    assert fmt(123_456, "yuan/yr") == "123k"
    assert fmt(math.nan, "yuan") == "–"


def test_cli_writes_the_document(tmp_path):
    out = tmp_path / "validation.md"
    result = CliRunner().invoke(
        app,
        [
            "validation",
            "--replicates",
            "1",
            "--check",
            "town_company",
            "--set",
            "years=2",
            "--out",
            str(out),
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "--check town_company --set years=2" in text
    assert "Town company" in text


def test_cli_rejects_unknown_check(tmp_path):
    result = CliRunner().invoke(
        app, ["validation", "--check", "nope", "--out", str(tmp_path / "v.md"), "--quiet"]
    )
    assert result.exit_code == 2
    assert "nope" in result.output
