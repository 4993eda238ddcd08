"""Households stop farming own land that keeps losing money, and come back when it pays."""

from __future__ import annotations

import numpy as np
import pytest

from model.jointmodel import JointVillageModel
from model.mechanisms.farm_exit import adaptive, losing_streak
from model.scenario import load_scenario

EXIT = "farming.exit"


def small(*overrides: str, years: int = 3, scale: float = 0.05) -> JointVillageModel:
    return JointVillageModel(
        load_scenario("baseline", [f"county.scale={scale}", f"years={years}", *overrides])
    )


def test_adaptive_expectation_and_streak_by_hand():
    np.testing.assert_allclose(adaptive(np.array([100.0]), np.array([-300.0]), 0.5), [-100.0])
    streak = np.array([0.0, 2.0, 5.0])
    np.testing.assert_array_equal(losing_streak(streak, np.array([True, True, False])), [1, 3, 0])


def farming_household(model: JointVillageModel) -> int:
    """A household that farms own grain land and has hands at home."""
    hh = model.households
    return int(np.flatnonzero((hh.grain_mu > 1) & (hh.farm_labour > 0.5) & (hh.head_age < 55))[0])


def test_a_household_with_three_years_of_loss_exits_and_land_is_conserved():
    model = small(f"{EXIT}.loss_years_to_exit=3", f"{EXIT}.expectation_weight=1")
    hh = model.households
    row = farming_household(model)
    own = hh.grain_mu[row] + hh.specialty_mu[row]
    rented, idle = hh.rented_out_mu[row], hh.idle_mu[row]
    # Its days are worth far more elsewhere and it has no attachment: every year a loss.
    hh.earning[row] = 1000.0
    hh.attachment[row] = 0.0
    for year in range(1, 4):
        model.farm_exit.decide()
        assert hh.loss_years[row] == year
        if year < 3:
            assert hh.grain_mu[row] + hh.specialty_mu[row] == pytest.approx(own)
    assert hh.grain_mu[row] == 0 and hh.specialty_mu[row] == 0
    assert hh.exited_mu[row] == pytest.approx(own)
    assert hh.rented_out_mu[row] + hh.idle_mu[row] == pytest.approx(rented + idle + own)
    np.testing.assert_allclose(hh.land_total, hh.contracted_mu, rtol=1e-12)


def test_land_comes_back_when_farming_pays_again():
    model = small(f"{EXIT}.loss_years_to_exit=1", f"{EXIT}.expectation_weight=1")
    hh = model.households
    row = farming_household(model)
    own = hh.grain_mu[row] + hh.specialty_mu[row]
    earning = hh.earning[row]
    hh.earning[row], hh.attachment[row] = 1000.0, 0.0
    model.farm_exit.decide()
    assert hh.exited_mu[row] == pytest.approx(own)
    # Its days are worth little again and it is attached to its land: it takes it back.
    hh.earning[row], hh.attachment[row] = earning, 5000.0
    model.farm_exit.decide()
    assert hh.exited_mu[row] == 0
    assert hh.grain_mu[row] == pytest.approx(own)
    np.testing.assert_allclose(hh.land_total, hh.contracted_mu, rtol=1e-12)


@pytest.mark.parametrize("factor", [1.2, 1.5, 3.0])
def test_a_higher_grain_price_never_raises_exit(factor):
    """Two identical counties one December from exit; one sells its grain dearer."""
    exited = []
    for price in (1.0, factor):
        model = small(years=1, scale=0.1)
        model.run()
        hh = model.households
        hh.loss_years[:] = 2.0  # one more losing year and they leave
        grain = [model.crops.crop("wheat"), model.crops.crop("maize")]
        model.market.price[grain] *= price
        before = hh.exited_mu.copy()
        model.farm_exit.decide()
        exited.append(hh.exited_mu > before)
    assert exited[0].sum() > exited[1].sum()
    assert not (exited[1] & ~exited[0]).any()


def test_nobody_farms_at_a_loss_for_decades():
    model = small(years=30, scale=0.1)
    model.run()
    hh = model.households
    still_farming = hh.grain_mu + hh.specialty_mu > 0
    assert not (still_farming & (hh.loss_years >= 3)).any()
    yearly = model.recorder.tables()["county_yearly"]
    assert yearly["farm_exit_households"].iloc[-1] > 0
    assert yearly["farm_exit_households"].iloc[1:].diff().abs().sum() > 0
    np.testing.assert_allclose(hh.land_total, hh.contracted_mu, rtol=1e-9, atol=1e-6)


def test_switched_off_nobody_exits():
    model = small(f"{EXIT}.enabled=false", years=10, scale=0.05)
    model.run()
    assert model.households.exited_mu.sum() == 0
