"""The county and alliances shared by a batch's replicates: the same world, the same results."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from model.experiments import shared_world
from model.jointmodel import build_world
from model.runner import run_scenario
from model.scenario import load_scenario

SMALL = ["county.scale=0.05", "years=2"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    shared_world.clear()
    yield
    shared_world.clear()


def assert_same_world(a, b) -> None:
    """Every field of the two (county, alliances) pairs is equal, frames cell by cell."""
    for left, right in zip(a, b, strict=True):
        for field in dataclasses.fields(left):
            x, y = getattr(left, field.name), getattr(right, field.name)
            if isinstance(x, pd.DataFrame):
                pd.testing.assert_frame_equal(x, y, check_exact=True)
            elif isinstance(x, np.ndarray):
                np.testing.assert_array_equal(x, y)
            elif field.name.startswith("_"):
                continue  # a lazily filled lookup, not part of the world
            else:
                assert x == y, field.name


def test_a_world_used_by_runs_equals_a_fresh_build():
    scenario = load_scenario("anqiu_2023", SMALL)
    world = shared_world.shared_world(scenario)
    for replicate in (0, 1):
        shared_world.run_on_shared_world(scenario, replicate=replicate)
    assert shared_world.shared_world(scenario) is world  # built once
    assert_same_world(world, build_world(scenario))  # and not written by the runs


def test_runs_on_a_shared_world_equal_runs_on_fresh_builds():
    scenario = load_scenario("anqiu_2023", SMALL)
    for replicate in (0, 1):
        shared = shared_world.run_on_shared_world(scenario, replicate=replicate)
        fresh = run_scenario(scenario, replicate=replicate)
        for name, table in fresh.tables.items():
            pd.testing.assert_frame_equal(shared.tables[name], table, check_exact=True)


def test_the_key_holds_the_world_inputs_and_nothing_else():
    base = load_scenario("anqiu_2023", SMALL)
    key = shared_world.world_key(base)
    assert shared_world.world_key(load_scenario("anqiu_2023", SMALL)) == key
    other_policy = load_scenario("anqiu_2023", [*SMALL, "years=3"])
    assert shared_world.world_key(other_policy) == key
    for change in ("seed=99", "county.scale=0.06"):
        assert shared_world.world_key(load_scenario("anqiu_2023", [*SMALL, change])) != key
    no_alliances = load_scenario("baseline", SMALL)
    assert shared_world.world_key(no_alliances) != key


def test_the_cache_keeps_the_last_few_worlds():
    for seed in range(shared_world.CACHE_SIZE + 2):
        shared_world.shared_world(load_scenario("baseline", [*SMALL, f"seed={seed}"]))
    assert len(shared_world._worlds) == shared_world.CACHE_SIZE
