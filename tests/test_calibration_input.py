"""Bad calibration files and posterior files: one line naming file, field, value, allowed;
exit 2; nothing is run."""

from __future__ import annotations

from pathlib import Path

import pytest
import tomli_w
from typer.testing import CliRunner

from model.cli import app
from model.errors import InputError
from model.experiments.calibration.spec import validate_calibration

SAVINGS = "households.savings_income_per_person"


def good() -> dict:
    return {
        "name": "bad-input",
        "scenarios": [{"name": "base", "file": "baseline", "set": ["county.scale=0.05"]}],
        "targets": [
            {"measure": "income_property", "value": 900.0, "sd": 30.0, "source": "a report"}
        ],
        "parameters": {SAVINGS: {"min": 0.0, "max": 2000.0, "reason": "test"}},
    }


def failure(data: dict, tmp_path: Path) -> str:
    """The CLI's message for a calibration file (exit 2 asserted)."""
    path = tmp_path / "cal.toml"
    path.write_text(tomli_w.dumps(data))
    result = CliRunner().invoke(app, ["calibrate", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out" / "wave_1").exists()
    return result.output


def test_a_good_file_validates():
    cal = validate_calibration(good(), "cal.toml")
    assert cal.ranges == {SAVINGS: (0.0, 2000.0)}
    assert cal.targets[0].sigma == 30.0


def test_the_schema_range_is_the_default_prior():
    data = good()
    data["parameters"] = {"households.business_share": {}}
    assert validate_calibration(data).ranges == {"households.business_share": (0.0, 1.0)}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["targets"][0].update(measure="income_propety"),
            ["targets[0].measure", "income_propety", "did you mean 'income_property'?"],
        ),
        (
            lambda d: d.update(parameters={"households.savings_income_per_persn": {}}),
            ["parameters", "did you mean 'households.savings_income_per_person'?"],
        ),
        (
            lambda d: d["parameters"][SAVINGS].update(max=200000.0),
            [f"parameters.{SAVINGS}.max", "200000.0", "within the schema's range [0, 100000]"],
        ),
        (
            lambda d: d["parameters"][SAVINGS].update(min=-5.0),
            [f"parameters.{SAVINGS}.min", "-5.0", "within the schema's range"],
        ),
        (lambda d: d["targets"][0].pop("source"), ["targets[0].source", "required"]),
        (lambda d: d["targets"][0].update(source="  "), ["targets[0].source", "public source"]),
        (
            lambda d: d["targets"][0].update(scenario="bse"),
            ["targets[0].scenario", "did you mean 'base'?"],
        ),
        (
            lambda d: d["parameters"][SAVINGS].update(reason=""),
            [f"parameters.{SAVINGS}.reason", "a reason for a prior narrower"],
        ),
        (
            lambda d: d.update(parameters={"households.attachment_median": {"max": 1e9}}),
            ["within the schema's range [0, 5000]"],
        ),
        (lambda d: d["targets"][0].update(tolerance=50.0), ["exactly one of sd or tolerance"]),
        (
            lambda d: d["targets"][0].update(measure="collective_income_per_yuan"),
            ["a per-run measure"],
        ),
    ],
)
def test_bad_calibration_files_exit_2_with_the_right_message(change, expected, tmp_path):
    data = good()
    change(data)
    message = failure(data, tmp_path)
    assert str(tmp_path / "cal.toml") in message
    for text in expected:
        assert text in message


def test_an_open_schema_range_needs_an_explicit_prior():
    data = good()
    data["parameters"] = {"alliances.max_distance_km": {}}
    with pytest.raises(InputError, match=r"is open: give min and max"):
        validate_calibration(data, "cal.toml")


def test_a_bad_posterior_file_exits_2(tmp_path: Path):
    (tmp_path / "posterior.json").write_text('{"format": "something else"}')
    (tmp_path / "posterior.parquet").write_bytes(b"not parquet")
    result = CliRunner().invoke(
        app, ["compare", "baseline", "--posterior", str(tmp_path), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert "--posterior" in result.output and "a readable posterior" in result.output
    missing = CliRunner().invoke(app, ["batch", "replicates_small", "--posterior", "nowhere"])
    assert missing.exit_code == 2 and "posterior.json is missing" in missing.output


def test_a_prior_that_breaks_a_cross_field_rule_is_refused_before_any_run(tmp_path: Path):
    data = good()
    # The cooperative's dividend, collective and reserve shares must sum to 1.
    data["parameters"] = {"policies.coop_shares.collective_share": {}}
    data["scenarios"][0]["file"] = "anqiu_2023"
    message = failure(data, tmp_path)
    assert "parameters.policies.coop_shares.collective_share" in message
    assert "must equal 1" in message


def test_the_shipped_calibration_reads_every_target_within_its_runs():
    from model.experiments.calibration.runs import check_priors
    from model.experiments.calibration.spec import CALIBRATION_DIR, load_calibration
    from model.scenario import load_scenario

    cal = load_calibration(CALIBRATION_DIR / "anqiu.toml")
    check_priors(cal)  # every prior's ends make valid scenarios
    assert all(t.source for t in cal.targets) and len(cal.targets) == 12
    # A span or a year read past a scenario's horizon would fail only after the runs.
    for measure in cal.measures:
        last = max(measure.years or [measure.year if isinstance(measure.year, int) else 0])
        for target in cal.targets:
            if target.measure == measure.name:
                entry = next(s for s in cal.scenarios if s.name == cal.target_scenario(target))
                horizon = load_scenario(CALIBRATION_DIR / entry.file, list(entry.set)).years
                assert last <= horizon, (measure.name, entry.name)
