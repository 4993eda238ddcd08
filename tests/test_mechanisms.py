"""Each mechanism on its own: known small cases worked by hand and directional checks."""

from __future__ import annotations

import numpy as np
import pytest

from model.errors import InputError
from model.jointmodel import JointVillageModel, build_world
from model.ledger import Ledger
from model.mechanisms.coop_shares import split_surplus
from model.mechanisms.crops import CropMarket, ginger_cycle_step, load_crop_sheet
from model.mechanisms.farming import FarmingParams
from model.mechanisms.pooling import skip_uniform_draws
from model.metrics import gini
from model.paths import PROJECT_ROOT
from model.scenario import load_scenario

SMALL = ["county.scale=0.2", "years=2", "alliances.enabled=true"]


@pytest.fixture(scope="module")
def world():
    return build_world(load_scenario("baseline", SMALL))


def scenario(*extra: str):
    return load_scenario("baseline", [*SMALL, *extra])


def mode_model(config):
    """A model whose alliances are formed with the scenario's own mode rule."""
    return JointVillageModel(config, world=build_world(config))


# -- cooperatives ---------------------------------------------------------------------


def test_surplus_split_by_hand():
    split = split_surplus(100.0, 0.0, 0.6, 0.3, 0.1)
    assert (split.dividends, split.collective, split.to_reserves) == pytest.approx((60, 30, 10))
    assert split.reserves == pytest.approx(10)


def test_surplus_first_covers_past_losses():
    split = split_surplus(100.0, -50.0, 0.6, 0.3, 0.1)
    # 50 covers the loss; the remaining 50 is split 30/15/5.
    assert (split.dividends, split.collective) == pytest.approx((30, 15))
    assert split.reserves == pytest.approx(5)


def test_losses_are_carried_not_hidden():
    split = split_surplus(-40.0, 10.0, 0.6, 0.3, 0.1)
    assert split.dividends == 0 and split.collective == 0
    assert split.reserves == pytest.approx(-30)


def test_share_rules_must_add_up():
    with pytest.raises(InputError) as err:
        load_scenario("baseline", ["policies.coop_shares.dividend_share=0.9"])
    assert "must equal 1" in err.value.message


# -- farm economics ---------------------------------------------------------------------


def crop_market(seed=0, **params):
    sheet = load_crop_sheet(PROJECT_ROOT / "data/crops.csv", PROJECT_ROOT / "data/land_uses.csv")
    return sheet, CropMarket(sheet, FarmingParams(**params), np.random.default_rng(seed))


def test_grain_gross_per_mu_by_hand():
    sheet, market = crop_market()
    market.price = sheet.price.copy()
    market.yield_factor = np.ones(len(sheet.names))
    grain = sheet.land_use("grain")
    # wheat 530 kg x 2.36 + maize 480 kg x 2.10
    assert market.gross_per_mu()[grain] == pytest.approx(530 * 2.36 + 480 * 2.10)
    # revenue lands in June (wheat) and October (maize), and adds up to the year's
    months = [market.monthly_gross_per_mu(m)[grain] for m in range(1, 13)]
    assert months[5] == pytest.approx(530 * 2.36) and months[9] == pytest.approx(480 * 2.10)
    assert sum(months) == pytest.approx(market.gross_per_mu()[grain])
    costs = [market.monthly_cost_per_mu(m)[grain] for m in range(1, 13)]
    assert sum(costs) == pytest.approx(550 + 382)


def test_ginger_cycle_without_shocks_alternates_and_fades():
    params = FarmingParams(ginger_cycle_years=4.0, ginger_cycle_damping=0.8)
    history = [0.4, 0.8]
    for _ in range(6):
        history.append(ginger_cycle_step(history[-1], history[-2], params, 0.0))
    # Period 4: x_t = -r^2 x_{t-2}, so the sign flips every two years and decays.
    assert history[2] == pytest.approx(-0.64 * 0.4)
    assert history[3] == pytest.approx(-0.64 * 0.8)
    assert abs(history[-1]) < abs(history[1])


def test_no_damping_no_shock_means_flat_ginger_price():
    params = FarmingParams(ginger_cycle_damping=0.0)
    assert ginger_cycle_step(0.8, 0.4, params, 0.0) == 0.0


def test_crop_sheet_errors_name_file_and_column(tmp_path):
    bad = tmp_path / "crops.csv"
    text = (PROJECT_ROOT / "data/crops.csv").read_text(encoding="utf-8")
    bad.write_text(text.replace("wheat,小麦,530", "wheat,小麦,lots"), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_crop_sheet(bad, PROJECT_ROOT / "data/land_uses.csv")
    assert "yield_kg_per_mu" in err.value.message and "wheat" in err.value.message


# -- inequality -----------------------------------------------------------------------


def test_gini_by_hand():
    assert gini(np.array([5.0, 5.0, 5.0, 5.0])) == pytest.approx(0.0)
    assert gini(np.array([0.0, 0.0, 0.0, 1.0])) == pytest.approx(0.75)
    # weights: two people with 0 and one with 3 = [0, 0, 3]
    assert gini(np.array([0.0, 3.0]), np.array([2.0, 1.0])) == pytest.approx(2 / 3)


# -- ledger ---------------------------------------------------------------------------


def test_ledger_books_negative_flows_the_other_way():
    ledger = Ledger()
    ledger.pay("market", "households", "crop_sales", 100.0)
    ledger.pay("market", "households", "farm_inputs", -30.0)
    assert ledger.net("households") == pytest.approx(70.0)
    assert ledger.net("market") == pytest.approx(-70.0)
    with pytest.raises(ValueError):
        ledger.pay("nobody", "households", "gift", 1.0)


# -- modes ----------------------------------------------------------------------------


def test_lead_goose_zero_rate_leaves_capacity_unchanged():
    model = mode_model(
        scenario(
            "alliances.mode_rule='single'",
            "alliances.single_mode='lead_goose'",
            "modes.lead_goose.transfer_rate=0.0",
        )
    )
    before = model.villages.base_capacity.copy()
    model.run()
    np.testing.assert_array_equal(model.villages.base_capacity, before)


def test_lead_goose_lifts_members_towards_the_lead():
    model = mode_model(
        scenario(
            "alliances.mode_rule='single'",
            "alliances.single_mode='lead_goose'",
            "modes.lead_goose.transfer_rate=0.5",
        )
    )
    before = model.villages.base_capacity.copy()
    model.run()
    lifted = 0
    for alliance in model.alliance_agents:
        members = [v for v in alliance.members if v != alliance.lead]
        lead = before[alliance.lead]
        for v in members:
            assert model.villages.base_capacity[v] >= before[v]
            assert model.villages.base_capacity[v] <= max(before[v], min(lead, 0.9)) + 1e-12
            lifted += model.villages.base_capacity[v] > before[v]
    assert lifted > 0


def test_lead_goose_with_zero_rate_equals_no_mode_effect():
    """Lead-goose at rate 0 gives the same numbers as an alliance whose mode does nothing."""
    common = ["alliances.mode_rule='single'", "modes.lead_goose.transfer_rate=0.0"]
    goose = mode_model(scenario(*common, "alliances.single_mode='lead_goose'"))
    goose.run()
    # industry-pull with no greenhouses built has no effect either: same outputs.
    plain = mode_model(
        scenario(
            *common,
            "alliances.single_mode='industry_pull'",
            "modes.industry_pull.mu_per_alliance=0.0",
        )
    )
    plain.run()
    a = goose.recorder.tables()["county_yearly"].drop(columns=[])
    b = plain.recorder.tables()["county_yearly"]
    np.testing.assert_allclose(a["per_capita_income"], b["per_capita_income"])
    np.testing.assert_allclose(a["collective_income_total"], b["collective_income_total"])


def test_strong_leads_weak_members_gain_market_access():
    model = mode_model(
        scenario("alliances.mode_rule='single'", "alliances.single_mode='strong_leads_weak'")
    )
    model.run()
    for alliance in model.alliance_agents:
        lead_access = model.modes.access[alliance.lead]
        assert lead_access > 1.0
        for v in alliance.members:
            assert 1.0 <= model.modes.access[v] <= lead_access + 1e-12


def test_industry_pull_builds_and_finances_greenhouses():
    model = mode_model(
        scenario("alliances.mode_rule='single'", "alliances.single_mode='industry_pull'")
    )
    assert len(model.cooperatives.specialty) == len(model.alliance_agents)
    coop = model.cooperatives.specialty[0]
    ip = model.config.modes.industry_pull
    assert coop.loan == pytest.approx(
        coop.investment * (1 - ip.household_share_fraction - ip.collective_fraction)
    )
    assert model.households.specialty_shares.sum() == pytest.approx(
        sum(c.investment for c in model.cooperatives.specialty) * ip.household_share_fraction
    )
    model.run()
    assert model.ledger.flow(kind="greenhouse_wage", cumulative=True) > 0


def test_project_traction_pays_fixed_return():
    model = mode_model(
        scenario(
            "alliances.mode_rule='single'",
            "alliances.single_mode='project_traction'",
            "modes.project_traction.default_probability=0.0",
        )
    )
    model.run()
    placed = model.modes.traction_capital.sum()
    expected = placed * model.config.modes.project_traction.fixed_return * 2
    assert model.ledger.flow(kind="fixed_return", cumulative=True) == pytest.approx(expected)


# -- governance -----------------------------------------------------------------------


def test_needs_based_fund_reaches_the_weakest_first(world):
    model = JointVillageModel(
        scenario(
            "governance.project_fund.rule='needs'",
            "governance.project_fund.total=5550000",
            "governance.project_fund.years=1",
        ),
        world=world,
    )
    model.step()  # January: the fund round
    funding = model.governance.alliance_funding
    assert (funding > 0).sum() == 2  # 5.55 million x scale 0.2 = two projects of 555k
    start = model.villages.collective_start
    means = np.array([start[list(a.members)].mean() for a in model.alliance_agents])
    funded_means = means[funding > 0]
    assert funded_means.max() <= means[funding == 0].min()


def test_competitive_fund_follows_scores(world):
    model = JointVillageModel(
        scenario(
            "governance.project_fund.rule='competitive'",
            "governance.project_fund.total=5550000",
            "governance.project_fund.years=2",
            "governance.first_secretaries.count=0",
        ),
        world=world,
    )
    model.run(years=1)
    best = max(model.alliance_agents, key=lambda a: a.score)
    before = model.governance.alliance_funding.copy()
    model.step()  # January of year 2: the year's one project goes to the best-scored alliance
    gained = model.governance.alliance_funding - before
    project = 555000 * model.prices.factor("cpi")  # the project size follows the CPI
    assert gained.sum() == pytest.approx(project)
    assert gained[model.alliance_agents.index(best)] == pytest.approx(project)


def test_zero_prize_changes_nothing(world):
    with_zero = JointVillageModel(scenario("governance.competition.prize=0"), world=world)
    with_zero.run()
    without = JointVillageModel(scenario("governance.competition.winners=0"), world=world)
    without.run()
    a = with_zero.recorder.tables()["county_yearly"]
    b = without.recorder.tables()["county_yearly"]
    np.testing.assert_array_equal(a["per_capita_income"], b["per_capita_income"])
    np.testing.assert_array_equal(a["public_spending_cum"], b["public_spending_cum"])
    prized = JointVillageModel(scenario("governance.competition.prize=100000"), world=world)
    prized.run()
    assert (
        prized.recorder.tables()["county_yearly"]["public_spending_cum"].iloc[-1]
        > (b["public_spending_cum"].iloc[-1])
    )


def test_zero_pay_means_no_effort(world):
    no_stakes = ("governance.scoring.pay_per_point=0", "governance.competition.prize=0")
    model = JointVillageModel(scenario(*no_stakes), world=world)
    model.run()
    assert all(a.effort == 0 for a in model.alliance_agents)
    paid = JointVillageModel(scenario("governance.scoring.pay_per_point=400"), world=world)
    paid.run()
    assert all(a.effort > 0 for a in paid.alliance_agents)


def test_first_secretaries_go_to_the_weakest_alliances(world):
    model = JointVillageModel(scenario("governance.first_secretaries.count=15"), world=world)
    chosen = [a for a in model.alliance_agents if a.first_secretary]
    assert len(chosen) == 3
    worst_unchosen = min(
        a.collective_income_mean() for a in model.alliance_agents if not a.first_secretary
    )
    assert max(a.collective_income_mean() for a in chosen) <= worst_unchosen


# -- livestream, contracts, labour ---------------------------------------------------


def test_livestream_quota_and_crowding(world):
    model = JointVillageModel(
        scenario(
            "policies.livestream_training.enabled=true",
            "policies.livestream_training.trainees_per_year=150",
        ),
        world=world,
    )
    model.run()
    assert model.livestream.trained.sum() == 60
    assert model.livestream.trained[~model.villages.allied[model.households.village]].sum() == 0
    crowd_few = model.livestream.crowding().copy()
    model.households.seller[:2000] = True
    assert (model.livestream.crowding() <= crowd_few).all()


def test_contract_default_leaves_arrears(world):
    sure = JointVillageModel(
        scenario(
            "policies.enterprise_contracts.enabled=true",
            "policies.enterprise_contracts.contract_share=1.0",
            "policies.enterprise_contracts.default_probability=1.0",
        ),
        world=world,
    )
    sure.run()
    safe = JointVillageModel(
        scenario(
            "policies.enterprise_contracts.enabled=true",
            "policies.enterprise_contracts.contract_share=1.0",
            "policies.enterprise_contracts.default_probability=0.0",
        ),
        world=world,
    )
    safe.run()
    assert sure.contracts.arrears.sum() > 0 and safe.contracts.arrears.sum() == 0
    paid = lambda m: m.ledger.flow(kind="contract_payment", cumulative=True)  # noqa: E731
    assert paid(sure) < paid(safe)


def test_pooling_frees_labour_into_local_work(world):
    base = JointVillageModel(scenario(), world=world)
    base.run()
    pooled = JointVillageModel(scenario("policies.land_pooling.enabled=true"), world=world)
    pooled.run()
    assert pooled.households.local_wage.sum() > base.households.local_wage.sum()


@pytest.mark.parametrize("pending_half_word", [False, True])
def test_skipping_draws_leaves_the_stream_where_drawing_would(pending_half_word):
    drawn, skipped = np.random.default_rng(7), np.random.default_rng(7)
    for rng in (drawn, skipped):
        rng.random(5)
        if pending_half_word:  # a 32-bit integer draw leaves half a word buffered
            rng.integers(0, 9, 3, dtype=np.int32)
    drawn.random(1001)
    skip_uniform_draws(skipped, 1001)
    assert np.array_equal(drawn.random(20), skipped.random(20))
    assert np.array_equal(
        drawn.integers(0, 9, 7, dtype=np.int32), skipped.integers(0, 9, 7, dtype=np.int32)
    )
