"""``jointvillage design --screen surrogate``: the surrogate ranks groupings as the short
runs do, and what it picks is still run, and the finalists run on the full model.

On a small county (a tenth of the synthetic Anqiu, one-year screening runs): random
forests fitted to the real screening values of 18 random groupings rank 12 others by
their allied villages' collective income as the real runs do (Spearman); a search with the
surrogate runs every grouping it reports, evaluates its finalists on the full horizon and
is at least as good as the programme's grouping there.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import spearmanr
from typer.testing import CliRunner

from model.cli import app
from model.experiments.batch import load_results
from model.experiments.grouping.objectives import parse_objectives
from model.experiments.grouping.propose import SearchSettings, propose_grouping
from model.experiments.grouping.screening import Screening
from model.experiments.grouping.surrogate import (
    FEATURES,
    AllianceFeatures,
    Surrogate,
    grouping_features,
)
from model.experiments.store import ResultsStore
from tests.test_design import SOURCE, space, world

MEASURES = ["collective_income_allied_mean", "collective_income_mean"]
TRAIN, TEST = 18, 12


def test_the_surrogates_ranking_follows_the_real_short_runs(tmp_path: Path) -> None:
    scenario, county, _ = world()
    grouping_space = space()
    screening = Screening(
        SOURCE, grouping_space, county, parse_objectives(MEASURES), [], tmp_path, 1, 1
    )
    rng = np.random.default_rng(3)
    x = np.array([grouping_space.repair(rng.random(grouping_space.n_var)) for _ in range(30)])
    real = screening.evaluate(x, 0)
    features = grouping_features(
        grouping_space,
        AllianceFeatures.of(grouping_space, county, scenario.collective.weak_threshold),
        x,
    )
    assert list(features.columns) == list(FEATURES)
    assert (features["alliances"] == real["alliances"]).all()
    surrogate = Surrogate(MEASURES, seed=1)
    surrogate.add(features.iloc[:TRAIN], real.iloc[:TRAIN])
    assert surrogate.trained_on == TRAIN
    predicted = surrogate.predict(features.iloc[TRAIN:])
    for measure in MEASURES:
        rho, p_value = spearmanr(predicted[measure], real[measure].iloc[TRAIN:])
        assert rho > 0.4 and p_value < 0.2, (measure, rho, p_value)


def test_a_surrogate_search_runs_what_it_reports_and_finalists_on_the_full_model(
    tmp_path: Path,
) -> None:
    measure = "collective_income_allied_mean"
    found = propose_grouping(
        SOURCE,
        parse_objectives([measure]),
        [],
        tmp_path,
        SearchSettings(
            population=4,
            generations=3,
            screen_years=1,
            screen_replicates=1,
            final_replicates=2,
            finalists=2,
            screen="surrogate",
        ),
    )
    # Every reported grouping was run on the short horizon, and only those (and the county
    # without alliances): the offspring the surrogate passed over were not.
    runs = ResultsStore.open(tmp_path / "screen").done_keys()
    assert len(runs) == found.evaluations["candidate"].nunique() + 1
    screened = load_results(tmp_path / "screen")  # the last generation's runs
    assert np.isfinite(found.evaluations[measure]).all()
    assert (screened.groupby(["scenario", "replicate"])["year"].nunique() == 2).all()
    # The finalists ran on the full horizon (2 years and year 0), on common random numbers.
    final = load_results(tmp_path / "final")
    assert set(final["scenario"]) == {"programme", "no_alliances", *found.finalists}
    assert (final.groupby(["scenario", "replicate"])["year"].nunique() == 3).all()
    gains = found.gains.set_index("arm")
    assert gains.loc[found.chosen_arm, "value"] >= gains.loc[found.own_arm, "value"]
    # The surrogate was refitted each generation on all real evaluations so far.
    log = pd.read_csv(tmp_path / "surrogate.csv")
    assert list(log["generation"]) == [0, 1, 2]
    assert list(log["trained_on"]) == [0, 4, 8]


def test_an_unknown_screen_exits_2_naming_the_choices(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            *["design", "anqiu_2023", "--objective", "per_capita_income"],
            *["--screen", "surogate", "--out", str(tmp_path)],
        ],
    )
    assert result.exit_code == 2, result.output
    assert "surogate" in result.output and "surrogate" in result.output
    assert "Traceback" not in result.output
