"""Sensitivity designs end to end on a tiny design with a known answer."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from model.cli import app
from model.errors import InputError
from model.experiments.batch import run_batch
from model.experiments.execute import execute
from model.experiments.experiment import load_experiment, validate_experiment
from model.experiments.plan import plan_runs
from model.experiments.sensitivity import (
    SmallDesignWarning,
    _sobol_rows,
    check_sobol,
    morris_indices,
    sobol_indices,
)
from model.experiments.store import ResultsStore
from model.runner import COUNTY_MEASURES, RunResult
from model.viz.experiment_figures import sensitivity_figure

# The tiny designs here are too small on purpose; the tests of that warning catch it.
pytestmark = pytest.mark.filterwarnings("ignore::model.experiments.sensitivity.SmallDesignWarning")


def years_only_runner(scenario, replicate=0, progress=False):
    """Outputs depend on ``years`` only (and a little on the replicate), never on start_year."""
    table = pd.DataFrame({"scenario": scenario.name, "replicate": replicate, "year": [0, 1]})
    for column in COUNTY_MEASURES:
        table[column] = 100.0 + 10.0 * scenario.years + 0.01 * replicate
    table["weak_villages"] = 7.0  # a constant output: reported with a note, not an error
    return RunResult(scenario, replicate, {"county_yearly": table}, {}, 0.0)


def design(method: str, samples: int, **extra) -> dict:
    return {
        "name": f"sa-{method}",
        "replicates": 2,
        "scenarios": [{"name": "s"}],
        "sensitivity": {
            "method": method,
            "samples": samples,
            "parameters": {
                "years": {"min": 2, "max": 20},
                "start_year": {"min": 2000, "max": 2050},
            },
            **extra,
        },
    }


def run(tmp_path, data) -> str:
    out = tmp_path / data["name"]
    run_batch(data, out=out, workers=0, progress=False, runner=years_only_runner)
    return out


def indices(table: pd.DataFrame, measure: str) -> pd.DataFrame:
    return table[table["measure"] == measure].set_index("parameter")


def test_sobol_finds_the_only_influential_parameter(tmp_path):
    out = run(tmp_path, design("sobol", 16))  # N = 8 is too few for a stable ST
    table = sobol_indices(out)
    income = indices(table, "per_capita_income")
    assert income.loc["start_year", "ST"] == pytest.approx(0.0, abs=1e-9)
    assert income.loc["years", "ST"] > 0.5
    assert {"S1", "S1_conf", "ST", "ST_conf"} <= set(table.columns)
    assert (indices(table, "weak_villages_lifted")["note"].str.contains("constant")).all()
    # Reproducible: the bootstrap draws from the experiment seed.
    pd.testing.assert_frame_equal(table, sobol_indices(out))


def test_sobol_second_order_rows(tmp_path):
    out = run(tmp_path, design("sobol", 4, second_order=True))
    table = sobol_indices(out, measures=["per_capita_income"])
    assert "years:start_year" in set(table["parameter"])


def test_morris_screening(tmp_path):
    out = run(tmp_path, design("morris", 4))
    table = morris_indices(out, measures=["per_capita_income"])
    income = indices(table, "per_capita_income")
    assert income.loc["start_year", "mu_star"] == pytest.approx(0.0, abs=1e-9)
    assert income.loc["years", "mu_star"] > 0
    assert len(sensitivity_figure(table).axes) == 1


def test_cli_sensitivity_writes_table_and_figure(tmp_path):
    out = run(tmp_path, design("sobol", 4))
    result = CliRunner().invoke(app, ["sensitivity", str(out), "-m", "per_capita_income", "--json"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert {r["parameter"] for r in records} == {"years", "start_year"}
    assert (out / "sensitivity.csv").is_file() and (out / "sensitivity.png").is_file()


def test_incomplete_design_is_an_error(tmp_path):
    out = run(tmp_path, design("sobol", 4))
    store = ResultsStore.open(out)
    plan = store.plan()
    for key in plan.loc[plan["variant"] == plan["variant"].max(), "run_key"]:
        store.run_path(key).unlink(missing_ok=True)
    with pytest.raises(InputError) as err:
        sobol_indices(out)
    assert "1 of 16 design points have no finished run" in err.value.message


def test_not_a_design_or_wrong_method(tmp_path):
    plain = {"name": "plain", "scenarios": [{"name": "s", "set": ["years=2"]}]}
    out = tmp_path / "plain"
    execute(
        plan_runs(validate_experiment(plain)),
        out,
        workers=0,
        progress=False,
        runner=years_only_runner,
    )
    with pytest.raises(InputError) as err:
        sobol_indices(out)
    assert "not a sensitivity design" in err.value.message
    morris = run(tmp_path, design("morris", 2))
    with pytest.raises(InputError) as err:
        sobol_indices(morris)
    assert "morris design, not sobol" in err.value.message


def test_ratio_measures_are_refused(tmp_path):
    out = run(tmp_path, design("sobol", 4))
    with pytest.raises(InputError) as err:
        sobol_indices(out, measures=["collective_income_per_yuan"])
    assert "reference" in err.value.message


def test_indices_from_a_dataframe_need_the_problem(tmp_path):
    from model.experiments.batch import load_results

    out = run(tmp_path, design("sobol", 4))
    frame = load_results(out)
    with pytest.raises(InputError):
        sobol_indices(frame)
    problem = ResultsStore.open(out).manifest["experiment"]["sensitivity"]["problem"]
    table = sobol_indices(frame, measures=["per_capita_income"], problem=problem, seed=1)
    assert np.isfinite(table["ST"]).all()


# --------------------------------------------------------------------------------------
# Is the design large enough? (a warning that says how large N should be)


def ishigami_table(samples: int) -> pd.DataFrame:
    """Sobol rows of the Ishigami function (S1 = .31, .44, 0; ST = .56, .44, .24)."""
    from SALib.analyze import sobol
    from SALib.sample import sobol as sobol_sample
    from SALib.test_functions import Ishigami

    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
    x = sobol_sample.sample(problem, samples, calc_second_order=False, seed=3)
    result = sobol.analyze(problem, Ishigami.evaluate(x), calc_second_order=False, seed=3)
    return pd.DataFrame(_sobol_rows("s", "y", problem["names"], result, "", False))


def rent_runner(scenario, replicate=0, progress=False):
    """Outputs that follow the pooled-land rent and the collective's cut (sobol_small's fields)."""
    result = years_only_runner(scenario, replicate)
    pooling = scenario.policies.land_pooling
    table = result.tables["county_yearly"]
    table["per_capita_income"] = pooling.rent + 0.1 * pooling.collective_cut
    return result


def test_shipped_small_sobol_design_warns_with_the_advised_samples(tmp_path):
    exp = load_experiment("sobol_small")
    out = tmp_path / "sobol-small"
    run_batch(exp, out=out, workers=0, progress=False, runner=rent_runner)
    with pytest.warns(SmallDesignWarning, match=r"use samples >= 1024 \(now 8\)") as caught:
        table = sobol_indices(out, measures=["per_capita_income"])
    assert len([w for w in caught if w.category is SmallDesignWarning]) == 1
    assert table["note"].str.contains("N = 8 below SALib's advice").all()


def test_inconsistent_or_vague_estimates_warn_even_with_many_samples():
    table = ishigami_table(1024).assign(S1=[0.9, 0.44, 0.01])  # S1 of x1 now far above ST
    with pytest.warns(SmallDesignWarning, match=r"S1 > ST beyond.*use samples >= 4096 \(now"):
        noted = check_sobol(table, 1024)
    assert noted["note"].tolist()[0] == "S1 > ST beyond the intervals"
    vague = table.assign(S1=[0.3, 0.4, 0.0], S1_conf=[0.5, 0.5, 0.5])
    with pytest.warns(SmallDesignWarning, match="S1 interval wider than S1 in 3 of 3"):
        check_sobol(vague, 1024)


def test_a_large_enough_analytic_design_does_not_warn():
    table = ishigami_table(1024)
    assert table.set_index("parameter").loc["x2", "S1"] == pytest.approx(0.44, abs=0.05)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SmallDesignWarning)
        noted = check_sobol(table, 1024)
    assert not noted["note"].str.contains("N =|S1 > ST").any()


def test_small_morris_design_warns(tmp_path):
    out = run(tmp_path, design("morris", 4, levels=3))
    with pytest.warns(SmallDesignWarning) as caught:
        table = morris_indices(out, measures=["per_capita_income"])
    message = str(caught[0].message)
    assert "use samples >= 10 (now 4)" in message and "even number of levels (now 3)" in message
    assert table["note"].str.contains("trajectories < 10").all()


def test_cli_prints_one_warning_line_with_the_advised_samples(tmp_path):
    out = run(tmp_path, design("sobol", 4))
    result = CliRunner().invoke(app, ["sensitivity", str(out), "--no-figure"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(lines) == 1 and "use samples >= 1024 (now 4)" in lines[0]
