"""The validation report's gains by route: hand-worked sums, and the routes add up."""

from __future__ import annotations

import pytest

from model.checks.validation.checks import CHECK_RUNS
from model.checks.validation.routes import (
    OTHER,
    ROUTE_RUNS,
    ROUTES,
    income_by_route,
    route_table,
    unnamed_kinds,
)
from model.paths import CASES_DIR
from model.runner import run_scenario
from model.scenario import load_scenario

LEASE = "specialty bases leased back (lessees' sales, inputs, rent)"


def test_income_by_route_hand_worked():
    flows = {
        "market|households|lease_back_sales": 1000.0,
        "households|market|lease_back_inputs": 300.0,
        "households|cooperatives|lease_back_rent": 200.0,
        "cooperatives|collectives|rent_cut": 50.0,
        "market|households|household_loan": 9999.0,  # capital: not income
        "households|market|consumption": 7777.0,  # spending: not income
        "market|collectives|brand_new_kind": 40.0,
    }
    routes = income_by_route(flows)
    assert routes[("households", LEASE)] == pytest.approx(500.0)
    assert routes[("collectives", "land rent (pooling, its cut, reserve and private)")] == 50.0
    assert routes[("collectives", OTHER)] == 40.0
    assert sum(routes.values()) == pytest.approx(590.0)
    assert unnamed_kinds(flows) == ["brand_new_kind"]
    table = route_table({("households", LEASE): 500.0}, ["brand_new_kind"])
    assert any(LEASE in line and "500" in line for line in table)
    assert table[-1].startswith("| **total** | **500**")


def test_every_kind_belongs_to_one_route():
    kinds = [k for ks in ROUTES.values() for k in ks]
    assert len(kinds) == len(set(kinds))


def test_every_route_comparison_is_a_declared_run():
    for name, (treat, base) in ROUTE_RUNS.items():
        declared = [(case, tuple(over)) for case, over in CHECK_RUNS[name]]
        assert (treat[0], tuple(treat[1])) in declared
        assert (base[0], tuple(base[1])) in declared


def test_collective_routes_add_up_to_collective_income():
    result = run_scenario(load_scenario(CASES_DIR / "lead_goose.toml", ["years=2"]))
    routes = income_by_route(result.meta["flows"])
    by_routes = sum(v for (whose, _), v in routes.items() if whose == "collectives")
    table = result.tables["village_yearly"]
    recorded = table.loc[table["year"] >= result.scenario.start_year, "collective_income"].sum()
    assert by_routes == pytest.approx(recorded, rel=1e-9)
