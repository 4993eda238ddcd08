"""The price level: indices compound as stated, nominal parameters follow them, outputs in
current and constant 2023 yuan, zero trends change nothing, producer prices and farm income."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from farm_cases import farm_income
from hypothesis import given, settings
from hypothesis import strategies as st

from model.errors import InputError
from model.experiments.price_basis import check_prices, in_prices
from model.jointmodel import JointVillageModel, build_world
from model.mechanisms.prices import (
    INDICES,
    TREND_FIELDS,
    PriceLevel,
    PriceParams,
    to_constant_prices,
)
from model.scenario import load_scenario

SMALL = ["county.scale=0.1", "years=3"]
ZERO_TRENDS = [f"prices.{field}=0.0" for field in TREND_FIELDS.values()]
CROPS = ("wheat", "maize", "ginger", "red_bud_ginger", "green_onion", "cherry", "peach")
CROPS += ("vegetables", "peanut", "millet")


def stub_level(params: PriceParams, seed: int = 1) -> tuple[PriceLevel, SimpleNamespace]:
    """A price level on a stand-in model: only what the mechanism reads."""
    config = SimpleNamespace(prices=params, seed=seed, collective=SimpleNamespace())
    config.origin_of = lambda dotted: "<defaults>"
    config.collective.weak_threshold = 100_000.0
    model = SimpleNamespace(
        config=config, replicate=0, crops=SimpleNamespace(names=CROPS), year_index=0
    )
    return PriceLevel(model), model  # type: ignore[arg-type]


def run_years(level: PriceLevel, model: SimpleNamespace, years: int) -> None:
    """January of each simulated year 0 .. years - 1."""
    for year in range(years):
        model.year_index = year
        level.new_year()


def test_the_index_compounds_as_stated_over_three_years():
    level, model = stub_level(PriceParams(cpi_inflation=0.02, wage_growth=0.05))
    run_years(level, model, 1)
    assert level.factor("cpi") == 1.0  # 2023 is the base
    run_years(level, model, 4)  # Januaries of 2023 .. 2026
    # Worked by hand: 1.02 x 1.02 x 1.02 = 1.061208; 1.05^3 = 1.157625.
    assert level.factor("cpi") == pytest.approx(1.061208, abs=1e-12)
    assert level.factor("wage") == pytest.approx(1.157625, abs=1e-12)
    assert level.level_in("cpi", 1) == pytest.approx(1.02)
    assert level.level_in("cpi", 2) == pytest.approx(1.0404)
    assert level.nominal(100.0) == pytest.approx(106.1208)
    # Rent in kind follows grain (1 %/yr by default): 1.01^3.
    assert level.factor("land_rent") == pytest.approx(1.030301)
    groups = dict(zip(CROPS, level.crop_price_factors(), strict=True))
    assert groups["wheat"] == pytest.approx(1.030301)
    assert groups["ginger"] == pytest.approx(1.03**3)
    assert groups["cherry"] == pytest.approx(1.03**3)
    assert groups["peanut"] == pytest.approx(1.02**3)


def test_land_rent_can_follow_the_cpi_or_stay_fixed():
    for rule, expected in (("cpi", 1.02**3), ("fixed", 1.0)):
        level, model = stub_level(PriceParams(land_rent_index=rule))
        run_years(level, model, 4)
        assert level.factor("land_rent") == pytest.approx(expected)


def test_the_weak_bar_is_nominal_unless_indexed():
    nominal, model = stub_level(PriceParams())
    run_years(nominal, model, 4)
    assert nominal.weak_bar() == 100_000.0
    indexed, model = stub_level(PriceParams(index_weak_bar=True))
    run_years(indexed, model, 4)
    assert indexed.weak_bar() == pytest.approx(100_000.0 * 1.02**3)


def test_shocks_come_from_the_prices_stream_and_keep_relative_prices():
    params = PriceParams(shock_sd=0.05)
    a, model_a = stub_level(params, seed=7)
    b, model_b = stub_level(params, seed=7)
    c, model_c = stub_level(params, seed=8)
    for level, model in ((a, model_a), (b, model_b), (c, model_c)):
        run_years(level, model, 6)
    assert a.levels == b.levels  # same seed, same numbers
    assert a.factor("cpi") != c.factor("cpi")
    # One common shock: the wage index over the CPI is the trends' ratio alone.
    assert a.factor("wage") / a.factor("cpi") == pytest.approx((1.055 / 1.02) ** 5)


def test_crop_groups_are_checked_against_the_crop_sheet():
    with pytest.raises(InputError, match=r"prices\.fruit_crops"):
        stub_level(PriceParams(fruit_crops=["durian"]))
    with pytest.raises(InputError, match="one group only"):
        stub_level(PriceParams(fruit_crops=["cherry", "peach", "wheat"]))
    # A crop in no group follows the CPI.
    level, model = stub_level(PriceParams(oilseed_crops=[]))
    run_years(level, model, 3)
    assert level.crop_price_factors()[CROPS.index("peanut")] == pytest.approx(1.02**2)


def test_bad_price_settings_name_the_field():
    with pytest.raises(InputError, match=r"prices\.land_rent_index"):
        load_scenario("baseline", ["prices.land_rent_index='wheat'"])
    with pytest.raises(InputError, match=r"prices\.cpi_inflation"):
        load_scenario("baseline", ["prices.cpi_inflation=0.9"])
    # The trends that moved into the prices section are gone from their old sections.
    with pytest.raises(InputError, match=r"labour\.wage_growth"):
        load_scenario("baseline", ["labour.wage_growth=0.03"])
    config = load_scenario("baseline", [*SMALL, "prices.fruit_crops=['durian']"])
    with pytest.raises(InputError, match="--set") as error:
        JointVillageModel(config)
    assert "durian" in str(error.value)


def test_a_bad_price_basis_is_an_input_error():
    with pytest.raises(InputError, match="current, constant"):
        check_prices("real")


@pytest.fixture(scope="module")
def programme_world():
    return build_world(load_scenario("anqiu_2023", SMALL))


def programme(world, *extra: str) -> JointVillageModel:
    return JointVillageModel(load_scenario("anqiu_2023", [*SMALL, *extra]), world=world)


def yearly_flows(model: JointVillageModel, kind: str, years: int) -> list[float]:
    """Money of one ledger kind booked in each year."""
    flows = []
    for _ in range(years):
        before = model.ledger.flow(kind=kind, cumulative=True)
        model.run(years=1)
        flows.append(model.ledger.flow(kind=kind, cumulative=True) - before)
    return flows


def test_rent_coordination_and_training_costs_follow_their_index(programme_world):
    slow = programme(programme_world, "prices.cpi_inflation=0.0")
    fast = programme(programme_world, "prices.cpi_inflation=0.1")
    for kind in ("coordination_cost", "livestream_training"):
        base = yearly_flows(programme(programme_world, "prices.cpi_inflation=0.0"), kind, 3)
        dear = yearly_flows(programme(programme_world, "prices.cpi_inflation=0.1"), kind, 3)
        assert base[0] > 0, kind
        # The same alliances and trainees, paid at 1, 1.1 and 1.21 times the 2023 price.
        np.testing.assert_allclose(np.divide(dear, base), [1.0, 1.1, 1.21], rtol=1e-9)
    for model in (slow, fast):
        model.run(years=3)
        p = model.config.policies.land_pooling
        factor = model.prices.factor("land_rent")
        assert factor == pytest.approx(1.01**2)  # rent in kind: the grain price
        assert model.pooling.household_rent() == pytest.approx((p.rent - p.collective_cut) * factor)
        assert model.prices.factor("cpi") == pytest.approx(1.0 if model is slow else 1.21)


def test_constant_yuan_is_current_over_the_cpi_factor(programme_world):
    model = programme(programme_world)
    model.run()
    county = model.recorder.tables()["county_yearly"]
    assert list(county["cpi_factor"]) == pytest.approx([1.0, 1.0, 1.02, 1.0404])
    real = in_prices(county, "constant")
    for column in ("per_capita_income", "income_wage", "collective_income_mean"):
        np.testing.assert_allclose(real[column], county[column] / county["cpi_factor"])
    # Not money: counts, shares and Ginis stay as they are.
    for column in ("weak_villages", "gini_household", "land_pooled_share", "cpi_factor"):
        pd.testing.assert_series_equal(real[column], county[column])
    villages = model.recorder.tables()["village_yearly"]
    deflated = in_prices(villages, "constant", "village_yearly", county=county)
    factor = villages["year"].map(county.set_index("year")["cpi_factor"])
    np.testing.assert_allclose(
        deflated["collective_income"], villages["collective_income"] / factor
    )
    assert in_prices(county, "current") is county


def test_deflating_needs_the_price_level():
    table = pd.DataFrame({"year": [2023], "per_capita_income": [1.0]})
    with pytest.raises(KeyError, match="cpi_factor"):
        to_constant_prices(table, {"per_capita_income": "yuan/person/yr"})
    with pytest.raises(InputError, match="cpi_factor"):
        in_prices(table, "constant")


class Unpriced(PriceLevel):
    """The model as it was before the price level: every index stays at 1."""

    def new_year(self) -> None:
        self.rng.standard_normal()


def test_with_zero_trends_the_model_is_the_one_without_prices(programme_world, monkeypatch):
    priced = programme(programme_world, *ZERO_TRENDS)
    priced.run()
    with monkeypatch.context() as patch:
        patch.setattr("model.jointmodel.PriceLevel", Unpriced)
        unpriced = programme(programme_world, *ZERO_TRENDS, "prices.cpi_inflation=0.3")
    unpriced.run()
    assert all(unpriced.prices.factor(index) == 1.0 for index in INDICES)
    a = priced.recorder.tables()["county_yearly"].drop(columns="cpi_factor")
    b = unpriced.recorder.tables()["county_yearly"].drop(columns="cpi_factor")
    pd.testing.assert_frame_equal(a, b)


def price_farm_income(trend: float) -> np.ndarray:
    """Farm income by year with grain and vegetable prices on one trend."""
    return farm_income(f"prices.vegetable_price_trend={trend}", f"prices.grain_price_trend={trend}")


@settings(max_examples=4, deadline=None)
@given(st.floats(0.0, 0.08), st.floats(0.005, 0.08))
def test_a_higher_producer_price_trend_never_lowers_farm_income(low: float, step: float):
    slow, fast = price_farm_income(low), price_farm_income(low + step)
    assert slow[0] == pytest.approx(fast[0])  # 2023 is the base year
    assert np.all(fast[1:] > slow[1:])


def test_cli_compare_in_constant_prices(tmp_path):
    import json

    from typer.testing import CliRunner

    from model.cli import app

    runs = tmp_path / "runs"
    args = [
        "compare",
        "baseline.toml",
        "anqiu_2023.toml",
        "-n",
        "1",
        "--no-figure",
        "-w",
        "0",
        "-o",
    ]
    args += [str(runs), *(f"--set={s}" for s in SMALL), "--json"]
    current = CliRunner().invoke(app, args)
    assert current.exit_code == 0, current.output
    assert "prices: current yuan" in current.stderr
    constant = CliRunner().invoke(app, ["compare", str(runs), "--json", "--prices", "constant"])
    assert constant.exit_code == 0, constant.output
    assert "prices: constant 2023 yuan" in constant.stderr
    now = {(r["arm"], r["measure"]): r for r in json.loads(current.stdout)}
    real = {(r["arm"], r["measure"]): r for r in json.loads(constant.stdout)}
    income = now["anqiu_2023", "per_capita_income"], real["anqiu_2023", "per_capita_income"]
    # Three years: the final year's income is deflated by 1.02^2.
    assert income[1]["mean"] == pytest.approx(income[0]["mean"] / 1.0404)
    assert income[1]["unit"] == income[0]["unit"] + " (2023 prices)"
    weak = now["anqiu_2023", "weak_villages"], real["anqiu_2023", "weak_villages"]
    assert weak[0]["mean"] == weak[1]["mean"] and weak[0]["unit"] == weak[1]["unit"]
    bad = CliRunner().invoke(app, ["compare", str(runs), "--prices", "real"])
    assert bad.exit_code == 2 and "--prices" in bad.output and "current, constant" in bad.output
