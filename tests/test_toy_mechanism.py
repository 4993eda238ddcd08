"""One mechanism, one room: a mechanism defined outside the package joins a model.

The toy mechanism pays every household a small monthly income from the market, and every
village collective a small fee, through the accounts. Its three declarations (a household
income source, a collective income source and a county output) go into the registries for
the duration of the test; its one schedule line goes in with ``model.add_step``. No package
file knows about it, yet its income shows in every table and money stays conserved.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import numpy as np
import pytest

from model.invariants import NOT_INCOME
from model.jointmodel import JointVillageModel, Step
from model.ledger import SECTORS
from model.registry import COLLECTIVE_SOURCES, COUNTY_OUTPUTS, INCOME_SOURCES, Output, Source
from model.runner import county_measures, final_summary
from model.scenario import load_scenario

#: Yuan paid to each household, and to each village collective, every month.
HOUSEHOLD_PAY = 10.0
COLLECTIVE_PAY = 50.0

TOY_INCOME = Source("toy", "Toy income", "玩具收入", "#17becf", "the toy mechanism's payment")
TOY_FEE = Source("toy_fee", "Toy fee", "玩具服务费", "#bcbd22", "the toy mechanism's fee")
TOY_OUTPUT = Output(
    "toy_paid",
    "Toy money paid",
    "玩具支付金额",
    "yuan",
    "money the toy mechanism paid since the start",
    value=lambda model: model.ledger.flow(payer="market", kind="toy", cumulative=True),
)


class ToyMechanism:
    """Pays households and collectives a little every month (through the accounts)."""

    def __init__(self, model: JointVillageModel) -> None:
        self.model = model

    def pay(self) -> None:
        """This month's payments."""
        model = self.model
        households = np.full(model.households.n, HOUSEHOLD_PAY)
        model.accounts.pay_households("toy", households, "market", "toy")
        villages = np.full(model.n_villages, COLLECTIVE_PAY)
        model.accounts.pay_collectives("toy_fee", villages, "market", "toy")


@pytest.fixture
def toy_registered() -> Iterator[None]:
    """The toy's declarations, registered for one test."""
    with ExitStack() as stack:
        stack.enter_context(INCOME_SOURCES.registered(TOY_INCOME))
        stack.enter_context(COLLECTIVE_SOURCES.registered(TOY_FEE))
        stack.enter_context(COUNTY_OUTPUTS.registered(TOY_OUTPUT))
        yield


def toy_model() -> JointVillageModel:
    """A small county with every policy on and the toy in its schedule."""
    config = load_scenario(
        "anqiu_2023", ["county.scale=0.1", "years=2", "outputs.village_monthly=true"]
    )
    model = JointVillageModel(config)
    model.add_step(Step("toy payments", ToyMechanism(model).pay), after="transfers")
    return model


def test_toy_income_shows_in_every_table(toy_registered):
    model = toy_model()
    model.run()
    tables = model.recorder.tables()
    yearly = tables["county_yearly"].iloc[1:]  # the simulated years (year 0 has no incomes)
    # People change in January only (demography), so each year has one head count.
    persons = yearly.set_index("year")["population"]
    per_person_month = HOUSEHOLD_PAY * model.households.n / persons
    monthly_per_person = per_person_month.to_numpy()
    for name in ("county_monthly", "county_yearly", "village_yearly", "village_monthly"):
        assert "income_toy" in tables[name].columns, name
    monthly = tables["county_monthly"]
    expected = per_person_month.loc[monthly["year"]].to_numpy()
    np.testing.assert_allclose(monthly["income_toy"], expected)
    np.testing.assert_allclose(yearly["income_toy"], 12 * monthly_per_person)
    others = [f"income_{s}" for s in INCOME_SOURCES.names() if s != "toy"]
    np.testing.assert_allclose(
        yearly["per_capita_income"], yearly[others].sum(axis=1) + yearly["income_toy"]
    )
    village = tables["village_yearly"]
    village_fee = village.loc[village["year"] > village["year"].min(), "collective_toy_fee"]
    np.testing.assert_allclose(village_fee, 12 * COLLECTIVE_PAY)
    paid_per_year = 12 * (HOUSEHOLD_PAY * model.households.n + COLLECTIVE_PAY * model.n_villages)
    np.testing.assert_allclose(yearly["toy_paid"], [paid_per_year, 2 * paid_per_year])
    assert "toy_paid" in county_measures() and "income_toy" in county_measures()
    assert final_summary(yearly)["income_by_source"]["toy"] == pytest.approx(
        12 * monthly_per_person[-1]
    )


def test_money_stays_conserved_with_the_toy(toy_registered):
    model = toy_model()
    hh = model.households
    for _ in range(24):
        income_before = hh.total_income().sum()
        collective_before = model.collective.cash.sum()
        model.step()
        flows = model.ledger.month
        income = {k: v for k, v in flows.items() if k[2] not in NOT_INCOME}
        income_now = hh.last_year_income.sum() if model.month == 12 else hh.total_income().sum()
        assert income_now - income_before == pytest.approx(
            model.ledger.net("households", income), rel=1e-9, abs=1e-3
        )
        assert model.collective.cash.sum() - collective_before == pytest.approx(
            model.ledger.net("collectives"), rel=1e-9, abs=1e-3
        )
        assert sum(model.ledger.net(s) for s in SECTORS) == pytest.approx(0.0, abs=1e-3)
    assert model.ledger.flow(kind="toy", cumulative=True) > 0


def test_registries_are_read_when_a_model_is_built():
    """A model keeps the sources registered when it was built; later models do not see them."""
    config = load_scenario("baseline", ["county.scale=0.1", "years=1"])
    with INCOME_SOURCES.registered(TOY_INCOME), COLLECTIVE_SOURCES.registered(TOY_FEE):
        with_toy = JointVillageModel(config)
    without = JointVillageModel(config)
    assert "toy" in with_toy.households.income and "toy_fee" in with_toy.collective.year
    assert "toy" not in without.households.income and "toy_fee" not in without.collective.year
    with_toy.run()
    assert "income_toy" in with_toy.recorder.tables()["county_yearly"].columns
    without.run()
    assert "income_toy" not in without.recorder.tables()["county_yearly"].columns


def test_add_step_places_the_step_and_names_unknown_anchors():
    model = JointVillageModel(load_scenario("baseline", ["county.scale=0.1", "years=1"]))
    names = [s.name for s in model.steps_of_month]
    model.add_step(Step("first of all", lambda: None), before=names[0])
    model.add_step(Step("last of all", lambda: None))
    names_now = [s.name for s in model.steps_of_month]
    assert names_now[0] == "first of all"
    assert names_now[-2:] == ["last of all", "record the month"]
    with pytest.raises(ValueError, match="did you mean 'transfers'"):
        model.add_step(Step("toy", lambda: None), after="transfer")
