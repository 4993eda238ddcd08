"""Calibration: a twin experiment, posterior predictive checks, the posterior file, and
parameter uncertainty carried into comparisons (small county, few runs)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from model.cli import app
from model.experiments.calibration import calibrate
from model.experiments.calibration.identifiability import first_order
from model.experiments.calibration.parameter_draws import DRAW_COLUMN, draw_index, with_posterior
from model.experiments.calibration.posterior_file import load_posterior, write_posterior
from model.experiments.calibration.spec import validate_calibration
from model.experiments.comparisons import comparison_experiment
from model.experiments.plan import plan_runs
from model.runner import run_scenario
from model.scenario import load_scenario

SMALL = ["county.scale=0.05", "years=2"]
SAVINGS = "households.savings_income_per_person"
BUSINESS = "households.business_income_median"
#: The known parameter values of the twin experiment.
TRUTH = {SAVINGS: 800.0, BUSINESS: 40000.0}
MEASURES = ("income_property", "per_capita_income")


def twin_targets() -> list[dict]:
    """Targets made by the model itself at the known values (the twin's 'data')."""
    overrides = [*SMALL, "seed=7", *(f"{k}={v}" for k, v in TRUTH.items())]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        last = run_scenario(load_scenario("baseline", overrides)).tables["county_yearly"].iloc[-1]
    return [
        {
            "measure": m,
            "value": float(last[m]),
            "sd": 0.03 * float(last[m]),
            "source": "twin experiment: the model at known values",
            "note": f"{m} in the final year",
        }
        for m in MEASURES
    ]


def twin_calibration() -> dict:
    return {
        "name": "twin",
        "seed": 7,
        "scenarios": [{"name": "base", "file": "baseline", "set": SMALL}],
        "targets": twin_targets(),
        "parameters": {
            SAVINGS: {"min": 0.0, "max": 2000.0, "reason": "a test range"},
            BUSINESS: {"min": 5000.0, "max": 60000.0, "reason": "a test range"},
        },
        "method": {
            "waves": 2,
            "runs_per_wave": 12,
            "candidates": 2000,
            "posterior_samples": 300,
            "predictive_runs": 3,
        },
    }


@pytest.fixture(scope="module")
def twin(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("twin")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = calibrate(
            validate_calibration(twin_calibration(), "twin.toml"), out, workers=0, progress=False
        )
    return result, out


def test_twin_experiment_recovers_the_known_values(twin):
    result, out = twin
    table = pd.read_csv(out / "parameters.csv").set_index("path")
    for name, truth in TRUTH.items():
        assert table.loc[name, "q05"] <= truth <= table.loc[name, "q95"], name
    # The targets pin the parameters: the posterior is far narrower than the prior.
    assert (table["contraction"] > 0.5).all()
    assert not result.posterior.empty


def test_targets_fall_inside_their_posterior_predictive_intervals(twin):
    _, out = twin
    fit = pd.read_csv(out / "fit.csv")
    assert (fit["runs"] == 3).all()
    assert fit["inside"].all()
    assert (
        (fit["emulator_q05"] <= fit["reported"]) & (fit["reported"] <= fit["emulator_q95"])
    ).all()


def test_identifiability_names_the_target_that_pins_each_parameter(twin):
    _, out = twin
    ident = pd.read_csv(out / "identifiability.csv").set_index(["target", "parameter"])
    # Property income is savings income per person: savings pins it, business income hardly.
    assert ident.loc[("income_property @ base", SAVINGS), "first_order"] > 0.8
    assert ident.loc[("income_property @ base", BUSINESS), "first_order"] < 0.1


def test_outputs_are_a_posterior_file_and_a_calibrated_scenario(twin):
    result, out = twin
    posterior = load_posterior(out)
    assert posterior.names == [SAVINGS, BUSINESS]
    assert len(posterior.rows) == 300
    meta = json.loads((out / "posterior.json").read_text())
    assert meta["calibration"]["targets"][0]["source"].startswith("twin experiment")
    assert [w["runs"] for w in meta["waves"]][:2] == [12, 12]
    assert pd.read_csv(out / "posterior.csv").shape == (300, 2)
    calibrated = load_scenario(out / "calibrated.toml")
    assert calibrated.households.savings_income_per_person == pytest.approx(
        result.posterior.best[SAVINGS]
    )
    # Calibrated on a small county for two years; the point is for the scenario as it is.
    own = load_scenario("baseline")
    assert (calibrated.county.scale, calibrated.years) == (own.county.scale, own.years)
    assert (own.county.scale, own.years) != (0.05, 2)


def test_a_second_call_resumes_from_the_stored_waves(twin, tmp_path: Path):
    result, out = twin
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        again = calibrate(
            validate_calibration(twin_calibration(), "twin.toml"), out, workers=0, progress=False
        )
    assert again.done == 0  # every run was stored: none is made twice
    pd.testing.assert_frame_equal(again.posterior.rows, result.posterior.rows)


def test_first_order_index_of_a_hand_worked_case():
    x = np.linspace(0, 1, 2000)
    assert first_order(3 * x, x) == pytest.approx(1.0, abs=0.01)
    rng = np.random.default_rng(0)
    assert first_order(rng.normal(size=2000), rng.uniform(size=2000)) < 0.03


# --------------------------------------------------------------------------------------
# Parameter uncertainty in comparisons


def wide_posterior(folder: Path) -> Path:
    """A posterior of savings income spread over 0-2,000 (a hand-made file)."""
    rows = pd.DataFrame({SAVINGS: np.linspace(0.0, 2000.0, 50)})
    meta = {
        "parameters": [{"path": SAVINGS, "min": 0.0, "max": 2000.0}],
        "calibration": {"name": "hand-made"},
    }
    return write_posterior(folder, rows, meta)


def test_each_replicate_draws_one_row_for_every_arm(tmp_path: Path):
    posterior = load_posterior(wide_posterior(tmp_path))
    experiment = comparison_experiment(["baseline", "anqiu_2023"], 4, overrides=SMALL)
    plan = with_posterior(plan_runs(experiment), posterior, experiment.seed)
    values = {
        (s.scenario.name, s.replicate): s.scenario.households.savings_income_per_person
        for s in plan.runs
    }
    for r in range(4):
        row = draw_index(experiment.seed, r, 50)
        assert values[("baseline", r)] == values[("anqiu_2023", r)] == posterior.rows[SAVINGS][row]
    assert plan.table.groupby("replicate")[DRAW_COLUMN].nunique().eq(1).all()
    assert len({s.key for s in plan.runs}) == 8


def test_compare_with_a_posterior_widens_the_intervals(tmp_path: Path):
    posterior = wide_posterior(tmp_path / "posterior")
    common = ["compare", "baseline", "-n", "4", "--workers", "0", "--no-figure", "--json"]
    common += ["-m", "income_property", *(a for s in SMALL for a in ("--set", s))]
    runner = CliRunner()
    plain = runner.invoke(app, [*common, "--out", str(tmp_path / "plain")])
    drawn = runner.invoke(
        app, [*common, "--out", str(tmp_path / "drawn"), "--posterior", str(posterior)]
    )
    assert plain.exit_code == 0 and drawn.exit_code == 0, drawn.output
    widths = {}
    for name in ("plain", "drawn"):
        row = pd.read_csv(tmp_path / name / "compare.csv").iloc[0]
        widths[name] = row["ci_high"] - row["ci_low"]
    assert widths["drawn"] > 3 * widths["plain"]
    note = pd.read_csv(tmp_path / "drawn" / "compare.csv")["note"].iloc[0]
    assert "intervals include parameter uncertainty" in note


def field(scenario, dotted: str):
    """A scenario's value of a dotted field."""
    value = scenario
    for part in dotted.split("."):
        value = getattr(value, part)
    return value


def test_the_point_file_sets_the_free_parameters_at_the_calibrated_point(twin, tmp_path):
    from model.checks.calibration_report import POINT_DIGITS, point_file

    _, out = twin
    summary = json.loads((out / "summary.json").read_text())
    path = tmp_path / "point.toml"
    path.write_text(point_file(summary))
    scenario = load_scenario(str(path))
    assert summary["parameters"]
    for row in summary["parameters"]:
        assert field(scenario, row["path"]) == pytest.approx(
            row["calibrated"], rel=10.0 ** (1 - POINT_DIGITS)
        )


def test_every_shipped_scenario_extends_the_shipped_point():
    import tomllib

    from model.paths import PROJECT_ROOT

    point = tomllib.loads(
        (PROJECT_ROOT / "scenarios" / "calibration" / "anqiu_point.toml").read_text()
    )

    def leaves(table: dict, prefix: str = "") -> dict:
        out = {}
        for key, value in table.items():
            if isinstance(value, dict):
                out.update(leaves(value, f"{prefix}{key}."))
            elif prefix:  # the file's own name and description are not parameters
                out[f"{prefix}{key}"] = value
        return out

    values = leaves(point)
    assert len(values) == 8
    for name in ("baseline", "anqiu_2023", "mode_lead_goose"):
        scenario = load_scenario(name)
        for dotted, value in values.items():
            assert field(scenario, dotted) == value, (name, dotted)


def test_the_calibration_report_renders_a_folder(twin):
    from model.checks.calibration_report import render

    _, out = twin
    text = render(json.loads((out / "summary.json").read_text()))
    for heading in ("## Waves", "## Parameters", "## Fit to the targets", "## Identifiability"):
        assert heading in text
    assert "The default scenarios use the calibrated point" in text
    assert "twin experiment: the model at known values (income_property in the final year)" in text
    assert str(out) not in text
