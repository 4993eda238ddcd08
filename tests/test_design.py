"""``jointvillage design``: the grouping space, its repair, the search and its outputs.

On a small county (a tenth of the synthetic Anqiu): every grouping the repair lets through
obeys the programme's rules (read back by the real alliance-file reader with the bounds
checked); the programme's own grouping is a point of the space and, read from its file,
runs exactly as formed; the search's choice is at least as good as the programme's grouping
on its objective in the paired final evaluation (real runs); the outputs reload; bad input
exits 2 naming what is wrong.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from model.cli import app
from model.experiments.design import design_seed
from model.experiments.grouping.candidates import ScenarioSource, write_candidate
from model.experiments.grouping.objectives import parse_constraints, parse_objectives
from model.experiments.grouping.output import load_grouping, write_proposal
from model.experiments.grouping.propose import Proposal, SearchSettings, propose_grouping
from model.experiments.grouping.space import GroupingSpace, build_space
from model.experiments.store import ResultsStore
from model.jointmodel import build_world
from model.runner import run_scenario
from model.world.alliance_files import read_alliance_file

SMALL = ("county.scale=0.1", "years=2")
SOURCE = ScenarioSource("anqiu_2023", SMALL)
runner = CliRunner()


@functools.cache
def world() -> tuple[object, object, object]:
    scenario = SOURCE.programme()
    county, programme = build_world(scenario)
    return scenario, county, programme


@functools.cache
def space(n_alliances: int = 0) -> GroupingSpace:
    scenario, county, programme = world()
    return build_space(
        county, scenario.alliances, programme, design_seed(scenario.seed), n_alliances=n_alliances
    )


def check_rules(lines: pd.DataFrame, tmp: Path) -> None:
    """The grouping's file passes the model's own reader with the bounds checked, and its
    members are in one alliance each while leads lead at most ``max_alliances_per_lead``."""
    scenario, county, _ = world()
    path = tmp / "grouping.csv"
    lines.to_csv(path, index=False)
    params = scenario.alliances.model_copy(update={"check_file_bounds": True})
    found = read_alliance_file(path, county, params)
    members = [m for g, lead in zip(found.groups, found.leads, strict=True) for m in g if m != lead]
    assert len(members) == len(set(members))
    assert not set(members) & {lead for lead in found.leads}
    assert max(pd.Series(found.leads).value_counts()) <= params.max_alliances_per_lead
    v = county.villages
    for group in found.groups:
        assert params.min_villages <= len(group) <= params.max_villages
        population = int(v["population"].iloc[list(group)].sum())
        assert params.min_population <= population <= params.max_population
        xy = v[["x_km", "y_km"]].to_numpy()[list(group)]
        assert np.linalg.norm(xy[:, None] - xy[None, :], axis=2).max() <= params.max_distance_km
        assert v["town"].iloc[list(group)].nunique() == 1


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.integers(0, 2**32 - 1), st.sampled_from([0, 8, 12]))
def test_every_repaired_grouping_obeys_the_programmes_rules(
    tmp_path: Path, draw: int, n_alliances: int
) -> None:
    grouping_space = space(n_alliances)
    x = np.random.default_rng(draw).random(grouping_space.n_var)
    repaired = grouping_space.repair(x)
    grouping = grouping_space.decode(repaired)
    assert grouping == grouping_space.decode(x)  # the repair writes back what is decoded
    assert np.array_equal(grouping_space.repair(repaired), repaired)
    assert ((repaired[: len(grouping_space.pool)] > 0.5).sum()) == len(grouping.alliances)
    if n_alliances:
        assert len(grouping.alliances) == n_alliances
    check_rules(grouping_space.table(grouping, world()[1]), tmp_path)


def test_the_programmes_grouping_read_from_its_file_runs_as_formed(tmp_path: Path) -> None:
    _, county, programme = world()
    grouping_space = space()
    grouping = grouping_space.decode(grouping_space.programme_vector())
    assert grouping.alliances == grouping_space.programme
    assert list(grouping.modes) == list(programme.table["mode"])
    candidate = write_candidate(grouping_space.table(grouping, county), tmp_path)
    check_rules(pd.read_csv(candidate.path), tmp_path)
    formed = run_scenario(SOURCE.programme(years=1), 0).tables["county_yearly"]
    from_file = run_scenario(SOURCE.with_grouping(candidate, "x", years=1), 0)
    pd.testing.assert_frame_equal(
        formed.drop(columns="scenario", errors="ignore"),
        from_file.tables["county_yearly"].drop(columns="scenario", errors="ignore"),
    )


def small_search(out: Path) -> Proposal:
    """A tiny search for one objective under one constraint, into ``out``."""
    return propose_grouping(
        SOURCE,
        parse_objectives(["collective_income_allied_mean"]),
        parse_constraints(["max_gini=0.6"], None),
        out,
        SearchSettings(
            population=4, generations=2, screen_replicates=1, final_replicates=2, finalists=1
        ),
    )


@pytest.fixture(scope="module")
def proposal(tmp_path_factory: pytest.TempPathFactory) -> tuple[Proposal, Path]:
    out = tmp_path_factory.mktemp("design")
    found = small_search(out)
    return found, out


def test_the_search_is_at_least_as_good_as_the_programmes_grouping(proposal) -> None:
    found, _ = proposal
    objective = found.gains[found.gains["measure"] == "collective_income_allied_mean"]
    chosen = objective[objective["arm"] == found.chosen_arm].iloc[0]
    own = objective[objective["arm"] == found.own_arm].iloc[0]
    assert own["gain"] == 0.0  # the programme's grouping from its file runs as formed
    assert chosen["value"] >= own["value"]
    assert chosen["gain"] >= 0.0
    # The search started from the programme's grouping (seeded as the first candidate).
    first = found.evaluations.iloc[0]
    assert first["generation"] == 0 and first["candidate"] == found.finalists[found.own_arm].name


def test_a_restarted_search_reuses_the_stored_evaluations(proposal) -> None:
    found, out = proposal
    runs_before = ResultsStore.open(out / "screen").done_keys()
    again = small_search(out)
    assert ResultsStore.open(out / "screen").done_keys() == runs_before
    pd.testing.assert_frame_equal(again.evaluations, found.evaluations)
    assert again.chosen.name == found.chosen.name


def test_the_outputs_reload_as_an_alliance_file(proposal) -> None:
    found, out = proposal
    paths = write_proposal(found, out)
    assert {p.name for p in paths} >= {"grouping.csv", "gains.csv", "gains.md"}
    scenario, county, _ = world()
    reloaded = load_grouping(out / "grouping.csv", scenario, county)
    assert len(reloaded.table) == len(pd.read_csv(out / "grouping.csv")["alliance_id"].unique())
    check_rules(pd.read_csv(out / "grouping.csv"), out)
    gains = pd.read_csv(out / "gains.csv")
    assert set(gains["role"]) == {"objective (max)", "constraint max_gini"}
    assert gains["chosen"].sum() == 2  # the chosen grouping's objective and constraint rows


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--objective", "collective_income_maen"], "did you mean 'collective_income_mean'"),
        (["--objective", "per_capita_income", "--constraint", "max_ginni=0.3"], "max_gini"),
        (["--objective", "per_capita_income", "--constraint", "max_gini=2"], "[0, 1]"),
        (["--objective", "per_capita_income", "--alliances", "999"], "--alliances"),
        (["--objective", "per_capita_income", "--constraint", "max_gini=0.01"], "max_gini"),
    ],
)
def test_bad_input_exits_2_naming_it(tmp_path: Path, args: list[str], words: str) -> None:
    small = ["--set", "county.scale=0.1", "--set", "years=1"]
    quick = ["--population", "2", "--generations", "1", "--screen-replicates", "1"]
    result = runner.invoke(
        app,
        ["design", "anqiu_2023", *small, *quick, *args, "--workers", "0", "--out", str(tmp_path)],
    )
    assert result.exit_code == 2, result.output
    assert words in result.output
    assert "Traceback" not in result.output
