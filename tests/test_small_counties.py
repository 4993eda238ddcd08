"""Small synthetic counties keep the programme: formation reaches its scaled targets."""

from __future__ import annotations

import warnings

import pytest

from model.experiments.experiment import load_experiment
from model.paths import EXPERIMENT_DIR
from model.rng import stream
from model.scenario import load_scenario
from model.world.alliances import FormationShortfallWarning, alliance_summary, form_alliances
from model.world.county import build_county


def formed(scale: float, base: str = "anqiu_2023"):
    scenario = load_scenario(base, [f"county.scale={scale}"])
    county = build_county(scenario.county, stream(scenario.seed, "county"))
    return (
        scenario,
        county,
        form_alliances(county, scenario.alliances, stream(scenario.seed, "alliances")),
    )


@pytest.mark.parametrize("scale", [0.1, 0.25, 0.5])
def test_scaled_coverage_targets_are_reached_within_the_bounds(scale: float):
    scenario, county, alliances = formed(scale)
    summary = alliance_summary(alliances)
    assert summary["allied_villages"] >= 0.95 * summary["target_coverage"]
    assert summary["coverage_shortfall"] <= 0.05 * summary["target_coverage"]
    rules = scenario.alliances
    table = alliances.table
    assert table["n_villages"].between(rules.min_villages, rules.max_villages).all()
    assert table["population"].between(rules.min_population, rules.max_population).all()
    assert (table["diameter_km"] <= rules.max_distance_km + 1e-9).all()
    # About half the county is in the programme, as at full scale (453 of 864).
    assert 0.4 <= summary["allied_villages"] / len(county.villages) <= 0.65


def test_a_county_too_small_for_the_targets_warns_and_records_the_shortfall():
    with pytest.warns(FormationShortfallWarning, match="covered"):
        _, _, alliances = formed(0.05)
    summary = alliance_summary(alliances)
    assert summary["coverage_shortfall"] > 0
    assert summary["coverage_shortfall"] == summary["target_coverage"] - summary["allied_villages"]


def test_the_full_county_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error", FormationShortfallWarning)
        _, county, alliances = formed(1.0)
    assert alliance_summary(alliances)["allied_villages"] == 453
    assert len(county.villages) == 864


@pytest.mark.parametrize("name", ["replicates_small", "sweep_rent", "sobol_small"])
def test_shipped_small_experiments_are_representative(name: str):
    experiment = load_experiment(name)
    for entry in experiment.scenarios:
        overrides = [s for s in entry.set if s.startswith("county.scale=")]
        if not overrides:
            continue
        scale = float(overrides[-1].split("=")[1])
        path = (EXPERIMENT_DIR / entry.file).resolve()
        scenario = load_scenario(path, entry.set)
        if not scenario.alliances.enabled:
            continue
        _, county, alliances = formed(scale, base=str(path))
        share = alliance_summary(alliances)["allied_villages"] / len(county.villages)
        assert 0.4 <= share <= 0.65, (name, entry.name, share)
