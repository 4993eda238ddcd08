"""Experiment files: schema, error messages, sweeps, designs, seeds and run keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from model.errors import InputError
from model.experiments.experiment import load_experiment, validate_experiment
from model.experiments.plan import plan_runs
from model.paths import EXPERIMENT_DIR


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def experiment(**extra) -> dict:
    data = {"name": "t", "scenarios": [{"name": "a", "set": ["years=2"]}]}
    data.update(extra)
    return data


def error_of(data: dict, source: str = "exp.toml") -> str:
    with pytest.raises(InputError) as err:
        plan_runs(validate_experiment(data, source))
    return err.value.message


@pytest.mark.parametrize("path", sorted(EXPERIMENT_DIR.glob("*.toml")), ids=lambda p: p.name)
def test_shipped_experiments_validate_and_plan(path):
    exp = load_experiment(path)
    plan = plan_runs(exp)
    assert len(plan.runs) >= 1
    assert set(plan.table["seed"]) == {exp.seed}


def test_shipped_experiment_found_by_name():
    assert load_experiment("replicates_small").name == "replicates-small"


def test_missing_experiment_suggests_shipped():
    with pytest.raises(InputError) as err:
        load_experiment("replicate_small.toml")
    assert "not found" in err.value.message and "replicates_small.toml" in err.value.message


def test_unknown_top_level_key_names_file_and_suggests(tmp_path):
    path = write(tmp_path / "e.toml", 'name = "t"\nreplicate = 3\n[[scenarios]]\nname = "a"\n')
    with pytest.raises(InputError) as err:
        load_experiment(path)
    text = err.value.message
    assert str(path) in text and "replicate" in text and "did you mean 'replicates'" in text


def test_unknown_key_in_scenario_entry_suggests():
    text = error_of(experiment(scenarios=[{"name": "a", "sett": ["years=2"]}]))
    assert "scenarios[0].sett" in text and "did you mean 'set'" in text


def test_wrong_type_names_value_and_allowed():
    text = error_of(experiment(replicates="two"))
    assert "exp.toml" in text and "replicates" in text and "'two'" in text and "integer" in text


def test_out_of_range_names_bounds():
    assert ">= 1" in error_of(experiment(replicates=0))


def test_unknown_reference():
    text = error_of(experiment(reference="baselin", scenarios=[{"name": "baseline"}]))
    assert "reference" in text and "did you mean 'baseline'" in text


def test_duplicate_scenario_names():
    text = error_of(experiment(scenarios=[{"name": "a"}, {"name": "a"}]))
    assert "scenarios[1].name" in text and "unique" in text


def test_sweep_of_unknown_field_suggests_full_name():
    sweep = {"method": "grid", "parameters": {"yeras": [2, 3]}}
    text = error_of(experiment(sweep=sweep))
    assert "sweep.parameters" in text and "'yeras'" in text and "did you mean 'years'" in text


def test_sweep_value_outside_schema_blames_experiment_sweep():
    text = error_of(experiment(sweep={"method": "grid", "parameters": {"years": [2, 0]}}))
    assert "exp.toml (sweep.parameters)" in text and "years" in text and ">= 1" in text


def test_scenario_override_error_blames_entry():
    text = error_of(experiment(scenarios=[{"name": "a", "set": ["years=-3"]}]))
    assert "scenarios[0].set" in text and ">= 1" in text


def test_missing_scenario_file_names_experiment_and_entry():
    text = error_of(experiment(scenarios=[{"name": "a", "file": "no_such.toml"}]))
    assert "exp.toml" in text and "scenarios[0].file" in text and "no_such.toml" in text


def test_sobol_samples_must_be_power_of_two():
    design = {"samples": 6, "parameters": {"years": {"min": 2, "max": 5}}}
    text = error_of(experiment(sensitivity=design))
    assert "power of 2" in text and "4 or 8" in text


def test_sweep_and_sensitivity_are_exclusive():
    text = error_of(
        experiment(
            sweep={"parameters": {"years": [2]}},
            sensitivity={"samples": 4, "parameters": {"years": {"min": 2, "max": 5}}},
        )
    )
    assert "not both" in text


def test_range_typo_is_reported_as_range_key():
    sweep = {"method": "lhs", "samples": 3, "parameters": {"years": {"min": 2, "maxx": 5}}}
    text = error_of(experiment(sweep=sweep))
    assert "maxx" in text and "did you mean 'max'" in text


def test_list_sweep_needs_equal_lengths():
    sweep = {"method": "list", "parameters": {"years": [2, 3], "start_year": [2020]}}
    assert "equal length" in error_of(experiment(sweep=sweep))


def test_grid_is_every_combination():
    sweep = {"method": "grid", "parameters": {"years": [2, 3, 4], "start_year": [2020, 2021]}}
    plan = plan_runs(validate_experiment(experiment(sweep=sweep, replicates=2)))
    assert len(plan.runs) == 3 * 2 * 2
    assert set(zip(plan.table["param:years"], plan.table["param:start_year"], strict=True)) == {
        (y, s) for y in (2, 3, 4) for s in (2020, 2021)
    }


def test_list_takes_values_together():
    sweep = {"method": "list", "parameters": {"years": [2, 3], "start_year": [2020, 2021]}}
    plan = plan_runs(validate_experiment(experiment(sweep=sweep)))
    pairs = {(s.scenario.years, s.scenario.start_year) for s in plan.runs}
    assert pairs == {(2, 2020), (3, 2021)}


def test_lhs_points_lie_in_ranges_and_integers_are_rounded():
    sweep = {
        "method": "lhs",
        "samples": 7,
        "parameters": {"years": {"min": 2, "max": 9}, "start_year": {"min": 2001, "max": 2090}},
    }
    plan = plan_runs(validate_experiment(experiment(sweep=sweep)))
    assert plan.table["variant"].nunique() == 7
    for spec in plan.runs:
        assert 2 <= spec.scenario.years <= 9 and isinstance(spec.scenario.years, int)
    assert plan.table["design:years"].between(2, 9).all()


def test_unquoted_dotted_keys_and_tables_are_accepted(tmp_path):
    path = write(
        tmp_path / "e.toml",
        'name = "t"\n'
        '[[scenarios]]\nname = "a"\nset = { years = 2 }\n'
        '[[scenarios]]\nname = "b"\nset = ["years=2"]\n'
        "[sweep]\n[sweep.parameters]\nstart_year = [2020, 2021]\n",
    )
    plan = plan_runs(load_experiment(path))
    assert {s.scenario.years for s in plan.runs} == {2}


def test_scenario_file_relative_to_experiment(tmp_path):
    write(tmp_path / "base.toml", 'name = "base"\nyears = 3\nseed = 99\n')
    path = write(
        tmp_path / "e.toml",
        'name = "t"\nseed = 7\n[[scenarios]]\nname = "x"\nfile = "base.toml"\n',
    )
    (spec,) = plan_runs(load_experiment(path)).runs
    # The experiment seed replaces the scenario's own: every scenario shares it (CRN).
    assert (spec.scenario.years, spec.scenario.seed, spec.scenario.name) == (3, 7, "x")


def test_run_keys_are_stable_and_distinct():
    data = experiment(scenarios=[{"name": "a"}, {"name": "b"}], replicates=3)
    first = plan_runs(validate_experiment(data)).table["run_key"].tolist()
    again = plan_runs(validate_experiment(data)).table["run_key"].tolist()
    assert first == again
    assert len(set(first)) == 6


def test_run_key_ignores_description_but_not_values():
    base = plan_runs(validate_experiment(experiment())).table["run_key"].tolist()
    described = experiment(scenarios=[{"name": "a", "set": ["years=2", "description='x'"]}])
    other = experiment(scenarios=[{"name": "a", "set": ["years=3"]}])
    assert plan_runs(validate_experiment(described)).table["run_key"].tolist() == base
    assert plan_runs(validate_experiment(other)).table["run_key"].tolist() != base


def test_design_is_reproducible_and_follows_the_seed():
    design = {"samples": 4, "parameters": {"start_year": {"min": 2000, "max": 2050}}}
    one = plan_runs(validate_experiment(experiment(sensitivity=design)))
    two = plan_runs(validate_experiment(experiment(sensitivity=design)))
    other = plan_runs(validate_experiment(experiment(sensitivity=design, seed=1)))
    assert one.table.equals(two.table)
    assert not one.table["design:start_year"].equals(other.table["design:start_year"])
    assert len(one.table) == 4 * (1 + 2)  # Saltelli: N * (D + 2)
