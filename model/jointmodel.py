"""The joint-village model: a ``mesa.Model`` stepping the county month by month.

One step is one month (DESIGN section 3). Household state lives in columns owned by the
model (:class:`~model.households.HouseholdTable`); villages, alliances, cooperatives and
enterprises are Mesa agents. Every payment goes through :meth:`pay_households`,
:meth:`pay_collectives` or the ledger, so money is conserved and traceable.

Order within a month: new year (January) -> wages -> transfers -> harvest of own land ->
e-commerce and contract sales -> pooling decisions (transfer months) -> own-land cash
costs -> operators -> collective income -> governance tracking (quarterly scores,
half-yearly competition) -> year end (December: rent, dividends, books closed).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd

from agents.alliance import Alliance
from agents.cooperative import Cooperative
from agents.enterprise import Enterprise
from agents.household import Household
from agents.village import Village
from model.ledger import Ledger
from model.mechanisms.collective import CollectiveBooks
from model.mechanisms.ecommerce import Livestream
from model.mechanisms.enterprises import EnterpriseContracts
from model.mechanisms.farming import CropMarket, load_crop_sheet
from model.mechanisms.governance import Governance
from model.mechanisms.labour import WORKING_DAYS_PER_YEAR, LabourMarket
from model.mechanisms.modes import ModeEffects
from model.mechanisms.pooling import LandPooling
from model.mechanisms.transfers import Transfers
from model.recorder import Recorder
from model.rng import stream
from model.scenario import Scenario
from model.world.alliances import Alliances, form_alliances, no_alliances
from model.world.county import County, build_county
from model.world.households import generate_households, village_offsets


def build_world(config: Scenario) -> tuple[County, Alliances]:
    """Build the county and its alliances from the county-level streams of the seed."""
    county = build_county(
        config.county,
        stream(config.seed, "county"),
        config.resolve_data_path("county.villages_file"),
        config.resolve_data_path("county.towns_file"),
    )
    if config.alliances.enabled:
        alliances = form_alliances(
            county,
            config.alliances,
            stream(config.seed, "alliances"),
            config.resolve_data_path("alliances.file"),
        )
    else:
        alliances = no_alliances(county)
    return county, alliances


class JointVillageModel(mesa.Model):
    """Cross-village joint building in one county.

    Args:
        config: A validated scenario.
        replicate: Replicate number (selects per-replicate random streams).
        world: A pre-built (county, alliances) pair; built from the seed when omitted.

    Attributes:
        config: The scenario.
        villages: The county's village table.
        households: Household columns.
        ledger: Money flows between sectors.
        collective: Village collective books.
        capacity: Effective committee capacity per village this month.
        recorder: Collects the output tables.
    """

    def __init__(
        self,
        config: Scenario,
        replicate: int = 0,
        world: tuple[County, Alliances] | None = None,
    ) -> None:
        super().__init__(rng=stream(config.seed, "households", replicate))
        self.config = config
        self.replicate = replicate
        self.weather_rng = stream(config.seed, "weather", replicate)
        self.enterprise_rng = stream(config.seed, "enterprises", replicate)
        self.governance_rng = stream(config.seed, "governance", replicate)
        self.ecommerce_rng = stream(config.seed, "ecommerce", replicate)
        county, alliances = world if world is not None else build_world(config)
        self.county = county
        self.alliance_table = alliances
        self.villages: pd.DataFrame = county.villages
        self.n_villages = len(self.villages)
        self.year_index = 0
        self.month = 0

        # Crops and prices.
        farming = config.farming
        self.crops = load_crop_sheet(
            _data_path(config, "farming.crops_file"), _data_path(config, "farming.land_uses_file")
        )
        self.market = CropMarket(self.crops, farming, self.weather_rng)
        self.village_land_use = np.array(
            [self.crops.land_use(name) for name in self.villages["industry"]], dtype=np.int64
        )
        self.grain_use = self.crops.land_use("grain")
        self.village_yield_noise = np.ones(self.n_villages)

        # Households (part of the county: drawn from a county-level stream).
        self.households = generate_households(
            self.villages,
            config.households,
            stream(config.seed, "population"),
            farming.household_ability_sigma,
        )
        self.offsets = village_offsets(self.households.village, self.n_villages)
        self.village_population = self.village_sum(self.households.members)

        # Alliances, membership, capacity.
        self.membership = alliances.membership.astype(np.int64)
        self.allied = self.membership >= 0
        self.base_capacity = self.villages["committee_capacity"].to_numpy(float).copy()
        self.capacity = self.base_capacity.copy()

        # Books.
        self.ledger = Ledger()
        reserve_mu = (
            self.villages["cultivated_mu"].to_numpy(float) * config.households.reserve_land_share
        )
        start = self.villages["collective_income_start"].to_numpy(float)
        pooling = config.policies.land_pooling
        reserve_rent = reserve_mu * pooling.market_rent
        assets = np.maximum(start - reserve_rent, 0.0) / max(config.collective.asset_return, 1e-9)
        # Where the start income is below what reserve land alone would rent for, part of
        # the reserve land is in fact not earning (lent free, idle): keep income as given.
        reserve_earning = np.minimum(reserve_mu, start / max(pooling.market_rent, 1e-9))
        self.collective = CollectiveBooks(self.n_villages, assets, reserve_earning)
        self.collective_start = start
        self.public_spent = np.zeros(self.n_villages)
        self.public_spent_year = np.zeros(self.n_villages)
        self.public_by_kind: dict[str, float] = {}
        self.hh_month = {s: np.zeros(self.n_villages) for s in self.households.income}
        self.hh_month_total = dict.fromkeys(self.households.income, 0.0)
        self.track_village_months = config.outputs.village_monthly
        self.cultivated = self.villages["cultivated_mu"].to_numpy(float)
        self.update_labour_at_home()

        # Agents.
        Village.create_agents(self, self.n_villages, row=list(range(self.n_villages)))
        self.village_agents: list[Village] = sorted(
            self.agents_by_type[Village], key=lambda v: v.row
        )
        table = alliances.table
        self.alliance_agents: list[Alliance] = []
        if len(table):
            created = Alliance.create_agents(
                self,
                len(table),
                alliance_id=list(table["alliance_id"]),
                members=list(table["members"]),
                lead=list(table["lead"]),
                mode=list(table["mode"]),
            )
            self.alliance_agents = sorted(created, key=lambda a: a.alliance_id)
            order = {a.alliance_id: i for i, a in enumerate(self.alliance_agents)}
            remap = np.array([order[a] for a in table["alliance_id"]], dtype=np.int64)
            self.membership = np.where(self.membership >= 0, remap[self.membership], -1)
        self.alliance_by_id = {a.alliance_id: a for a in self.alliance_agents}

        # Processes.
        self.labour = LabourMarket(config.labour)
        self.transfers = Transfers(config.transfers)
        self.pooling = LandPooling(config.policies.land_pooling, self)
        self.contracts = EnterpriseContracts(config.policies.enterprise_contracts, self)
        self.livestream = Livestream(config.policies.livestream_training, self)
        self.modes = ModeEffects(config.modes, self)
        self.governance = Governance(config.governance, self)
        self.cooperatives: list[Cooperative] = []
        self.coop_of_village = np.full(self.n_villages, -1, dtype=np.int64)
        self.specialty_coops: list[Cooperative] = []
        self.specialty_coop_of_village = np.full(self.n_villages, -1, dtype=np.int64)
        self.enterprises: dict[int, Enterprise] = {}
        self._create_operators()
        self.governance.assign_secretaries(self)
        self.modes.start(self)
        self._build_specialty_cooperatives()
        self.recorder = Recorder(self)

    # ----------------------------------------------------------------------------------
    # Set-up helpers

    def _create_operators(self) -> None:
        """Create the operators of pooled land where the pooling policy applies."""
        p = self.config.policies.land_pooling
        if not p.enabled:
            return
        eligible = self.allied if p.eligible == "allied" else np.ones(self.n_villages, bool)
        groups: dict[tuple[str, Any], list[int]] = {}
        for v in np.flatnonzero(eligible):
            if p.operator == "town_company":
                key: tuple[str, Any] = ("town_company", self.villages["town"].iloc[v])
            elif self.membership[v] >= 0:
                key = ("joint_cooperative", int(self.membership[v]))
            else:
                key = ("village_cooperative", int(v))
            groups.setdefault(key, []).append(int(v))
        for (kind, ident), members in groups.items():
            alliance_id = (
                self.alliance_agents[ident].alliance_id if kind == "joint_cooperative" else ""
            )
            coop = Cooperative(self, kind, tuple(members), alliance_id)
            self.coop_of_village[members] = len(self.cooperatives)
            self.cooperatives.append(coop)
        self.pooling.operator = self.coop_of_village.copy()

    def _build_specialty_cooperatives(self) -> None:
        """Industry-pull alliances build their joint specialty cooperative."""
        ip = self.config.modes.industry_pull
        if ip.mu_per_alliance <= 0:
            return
        use = self.crops.land_use(ip.crop_land_use)
        for index, alliance in enumerate(self.alliance_agents):
            if alliance.mode != "industry_pull":
                continue
            coop = Cooperative(
                self, "specialty_cooperative", alliance.members, alliance.alliance_id
            )
            coop.area_mu = ip.mu_per_alliance
            scale = (ip.mu_per_alliance / ip.reference_mu) ** (-ip.scale_elasticity)
            coop.investment = ip.mu_per_alliance * ip.investment_per_mu * scale
            coop.land_use = use
            coop.cost_factor = scale
            members = list(alliance.members)
            # Household cash shares: subscribed by the households whose (primary) alliance
            # this is, where someone works at home.
            hh = self.households
            in_alliance = (self.membership[hh.village] == index) & (hh.labour - hh.migrant > 0)
            household_money = coop.investment * ip.household_share_fraction
            if in_alliance.any() and household_money > 0:
                weights = in_alliance * (hh.labour - hh.migrant)
                subscribed = household_money * weights / weights.sum()
                hh.specialty_shares += subscribed
                self.ledger.pay("households", "cooperatives", "share_capital", household_money)
            collective_money = coop.investment * ip.collective_fraction
            shares = alliance.split_shares(self)
            self.collective.cash -= shares * collective_money
            self.ledger.pay("collectives", "cooperatives", "share_capital", collective_money)
            coop.collective_capital = collective_money
            coop.loan = coop.investment - household_money - collective_money
            self.ledger.pay("market", "cooperatives", "loan", coop.loan)
            self.ledger.pay("cooperatives", "market", "investment", coop.investment)
            primary = [v for v in members if self.membership[v] == index]
            self.specialty_coop_of_village[primary] = len(self.cooperatives)
            self.specialty_coops.append(coop)
            self.cooperatives.append(coop)

    # ----------------------------------------------------------------------------------
    # Aggregation and payment helpers

    def village_sum(self, values: np.ndarray) -> np.ndarray:
        """Sum a household column by village (households are sorted by village)."""
        return np.add.reduceat(values, self.offsets) if len(values) else np.zeros(self.n_villages)

    def pay_households(self, source: str, amounts: np.ndarray, payer: str, kind: str) -> None:
        """Pay households (negative amounts are payments by households) and book it."""
        self.households.income[source] += amounts
        total = float(amounts.sum())
        self.hh_month_total[source] += total
        if self.track_village_months:
            self.hh_month[source] += self.village_sum(amounts)
        if total >= 0:
            self.ledger.pay(payer, "households", kind, total)
        else:
            self.ledger.pay("households", payer, kind, -total)

    def pay_collectives(self, source: str, amounts: np.ndarray, payer: str, kind: str) -> None:
        """Book collective income by village (negative = the collective pays)."""
        self.collective.book(source, amounts)
        total = float(amounts.sum())
        if total >= 0:
            self.ledger.pay(payer, "collectives", kind, total)
        else:
            self.ledger.pay("collectives", payer, kind, -total)

    def pay_village_workers(self, wage_bill: np.ndarray, payer: str, kind: str) -> None:
        """Pay a village's wage bill to its households in proportion to labour at home."""
        hh = self.households
        at_home = np.maximum(hh.labour - hh.migrant, 0.0)
        per_village = self.village_sum(at_home)
        rate = np.divide(
            wage_bill, per_village, out=np.zeros_like(wage_bill), where=per_village > 0
        )
        amounts = at_home * rate[hh.village]
        self.pay_households("wage", amounts, payer, kind)
        unpaid = float(wage_bill[per_village <= 0].sum())
        if unpaid > 0:  # no one at home: the work is done by outsiders
            self.ledger.pay(payer, "market", kind, unpaid)

    def update_labour_at_home(self) -> None:
        """Cache labour at home (changes only when labour is reallocated, once a year)."""
        hh = self.households
        self.at_home = np.maximum(hh.labour - hh.migrant, 0.0)
        self.at_home_by_village = self.village_sum(self.at_home)

    def spend_public(self, kind: str, per_village: np.ndarray, payee: str | None = None) -> None:
        """Record programme money spent on each village (and book it when ``payee``)."""
        per_village = np.asarray(per_village, dtype=float)
        self.public_spent += per_village
        self.public_spent_year += per_village
        self.public_by_kind[kind] = self.public_by_kind.get(kind, 0.0) + float(per_village.sum())
        if payee is not None:
            self.ledger.pay("government", payee, kind, float(per_village.sum()))

    @property
    def budget_scale(self) -> float:
        """County-wide budgets and quotas shrink with a scaled-down synthetic county."""
        return float(self.county.scale)

    def household(self, row: int) -> Household:
        """A view on one household (created on demand)."""
        return Household(self, row)

    # ----------------------------------------------------------------------------------
    # Quantities the mechanisms share

    def update_capacity(self) -> None:
        """Effective capacity: base (mentored) + first secretary + effort."""
        effort = np.zeros(self.n_villages)
        for alliance in self.alliance_agents:
            # A lead of several alliances puts in the most any of them asks of it.
            members = list(alliance.members)
            effort[members] = np.maximum(effort[members], alliance.effort)
        gain = self.config.governance.scoring.effort_capacity_gain * effort
        self.capacity = np.clip(
            self.base_capacity + self.governance.secretary_capacity(self) + gain, 0.0, 1.0
        )

    def operator_productivity(self) -> np.ndarray:
        """Operators' yield multiplier from committee capacity."""
        weight = self.config.policies.land_pooling.capacity_productivity
        return 1.0 + weight * (self.capacity - 0.5)

    def local_job_boost(self) -> np.ndarray:
        """Extra chance of local work from jobs created by operators and firms."""
        jobs = self.pooling.jobs_per_village(self) + self.contracts.jobs_per_village(self)
        return np.clip(jobs / np.maximum(self.at_home_by_village, 1.0), 0.0, 0.3)

    def expected_dividend_per_mu(self) -> np.ndarray:
        """Dividend per pooled mu last year, by village (what households expect)."""
        out = np.zeros(self.n_villages)
        value = self.config.policies.coop_shares.land_share_value_per_mu
        for i, coop in enumerate(self.cooperatives):
            if coop.kind != "specialty_cooperative":
                out[self.coop_of_village == i] = coop.dividend_per_share_yuan * value
        return out

    def village_sellers(self) -> np.ndarray:
        """Active sellers per village."""
        return self.village_sum(self.households.seller.astype(float))

    def snapshot_villages(self) -> None:
        """Village aggregates the alliances read when tracking their tasks this month."""
        self.village_pooled = self.pooling.pooled_by_village(self)
        self.village_seller_count = self.village_sellers()
        self.village_collective_ytd = self.collective.year_total()

    def collective_reference(self) -> np.ndarray:
        """Last closed year's collective income (start income before the first close)."""
        return self.collective_start if self.year_index == 0 else self.collective.last_year

    # ----------------------------------------------------------------------------------
    # The month

    def step(self) -> None:
        """Advance one month."""
        step = self.steps - 1
        self.year_index = step // 12
        self.month = step % 12 + 1
        month = self.month
        self.ledger.new_month()
        self.collective.new_month()
        for values in self.hh_month.values():
            values[:] = 0.0
        self.hh_month_total = dict.fromkeys(self.households.income, 0.0)
        if month == 1:
            self.new_year()
        self.labour.pay_wages(self)
        self.transfers.pay(self, month)
        specialty_gross = self.harvest_own_land(month)
        self.livestream.pay(self, month, specialty_gross)
        self.contracts.pay(self, month, specialty_gross)
        self.pooling.decide(self, month)
        self.pay_own_land_costs(month)
        self.operate_cooperatives(month)
        self.collective_income(month)
        self.pay_household_side_income()
        self.snapshot_villages()
        for alliance in self.alliance_agents:
            alliance.track(self, month)
            if month % 3 == 0:
                alliance.evaluate(self)
        if month % 3 == 0:
            self.update_capacity()
        if month in (6, 12):
            self.governance.competition(self)
        if month == 12:
            self.close_year()
        self.recorder.record_month()

    def new_year(self) -> None:
        """January: prices and weather, labour, modes, contracts, training, fund, tasks."""
        self.market.new_year()
        cv = self.config.farming.village_yield_cv
        sigma = np.sqrt(np.log1p(cv**2))
        z = self.weather_rng.standard_normal(self.n_villages)
        self.village_yield_noise = np.exp(sigma * z - 0.5 * sigma**2)
        self.public_spent_year = np.zeros(self.n_villages)
        if self.year_index > 0:
            self.labour.reallocate(self, self.labour_needed())
            self.update_labour_at_home()
        self.modes.new_year(self)
        self.update_capacity()
        self.contracts.new_year(self)
        self._sync_enterprises()
        self.livestream.new_year(self)
        self.governance.fund_round(self)
        for alliance in self.alliance_agents:
            alliance.set_tasks(self)
        self._subscribe_cash_shares()

    def labour_needed(self) -> np.ndarray:
        """Labour units each household's own land needs."""
        hh = self.households
        days = self.crops.land_use_labour_days
        need = (
            hh.grain_mu * days[self.grain_use]
            + hh.specialty_mu * days[self.village_land_use[hh.village]]
        )
        return need / WORKING_DAYS_PER_YEAR

    def harvest_own_land(self, month: int) -> np.ndarray:
        """Book households' crop sales from their own land; return specialty revenue."""
        hh = self.households
        gross = self.market.monthly_gross_per_mu(month)
        yield_factor = self.village_yield_noise[hh.village] * hh.ability
        grain = hh.grain_mu * gross[self.grain_use] * yield_factor
        access = self.modes.access[hh.village]
        specialty = hh.specialty_mu * gross[self.village_land_use[hh.village]] * yield_factor
        specialty = specialty * access
        self.pay_households("farming", grain + specialty, "market", "crop_sales")
        return specialty

    def pay_own_land_costs(self, month: int) -> None:
        """Households pay cash costs of their own land."""
        hh = self.households
        cost = self.market.monthly_cost_per_mu(month)
        total = (
            hh.grain_mu * cost[self.grain_use]
            + hh.specialty_mu * cost[self.village_land_use[hh.village]]
        )
        self.pay_households("farming", -total, "market", "farm_inputs")

    def pay_household_side_income(self) -> None:
        """Sideline business and private land rent, spread over the months."""
        hh = self.households
        factor = self.labour.wage_factor(self.year_index)
        self.pay_households("farming", hh.business_income * (factor / 12.0), "market", "business")
        rent = hh.rented_out_mu * (self.config.policies.land_pooling.market_rent / 12.0)
        self.pay_households("property", rent, "market", "private_rent")
        savings = hh.members * (self.config.households.savings_income_per_person / 12.0)
        self.pay_households("property", savings, "market", "interest")

    def operate_cooperatives(self, month: int) -> None:
        """Operators farm pooled land; specialty cooperatives run their greenhouses."""
        if self.cooperatives and self.config.policies.land_pooling.enabled:
            flows = self.pooling.operate(self, month)
            for item in ("revenue", "costs", "wages", "overhead"):
                per_coop = np.bincount(
                    np.where(self.coop_of_village >= 0, self.coop_of_village, 0),
                    flows[item] * (self.coop_of_village >= 0),
                    minlength=len(self.cooperatives),
                )
                for coop, amount in zip(self.cooperatives, per_coop, strict=False):
                    if coop.kind != "specialty_cooperative" and amount:
                        coop.book(item, float(amount))
            self.ledger.pay(
                "market", "cooperatives", "produce_sales", float(flows["revenue"].sum())
            )
            self.ledger.pay("cooperatives", "market", "inputs", float(flows["costs"].sum()))
            self.ledger.pay("cooperatives", "market", "overhead", float(flows["overhead"].sum()))
            self.pay_village_workers(flows["wages"], "cooperatives", "operator_wage")
        ip = self.config.modes.industry_pull
        bill = np.zeros(self.n_villages)
        productivity = self.operator_productivity()
        gross = self.market.monthly_gross_per_mu(month)
        cost_per_mu = self.market.monthly_cost_per_mu(month)
        for coop in self.specialty_coops:
            use = coop.land_use
            members = list(coop.villages)
            noise = float(self.village_yield_noise[members].mean())
            revenue = coop.area_mu * gross[use] * noise * float(productivity[members].mean())
            cost = coop.area_mu * cost_per_mu[use] * coop.cost_factor
            wages = cost * ip.hired_labour_share
            coop.book("revenue", revenue)
            coop.book("costs", cost - wages)
            coop.book("wages", wages)
            self.ledger.pay("market", "cooperatives", "produce_sales", revenue)
            self.ledger.pay("cooperatives", "market", "inputs", cost - wages)
            bill[members] += wages / len(members)
        if self.specialty_coops:
            self.pay_village_workers(bill, "cooperatives", "greenhouse_wage")

    def collective_income(self, month: int) -> None:
        """Monthly collective income: assets, reserve land, projects."""
        p = self.config.collective
        growth = (1.0 + p.asset_growth) ** self.year_index
        self.pay_collectives(
            "assets", self.collective.assets * p.asset_return * growth / 12.0, "market", "lease"
        )
        market_rent = self.config.policies.land_pooling.market_rent
        unpooled = np.maximum(self.collective.reserve_mu - self.collective.reserve_pooled, 0.0)
        self.pay_collectives(
            "reserve_land", unpooled * market_rent / 12.0, "market", "reserve_rent"
        )
        self.governance.pay_project_income(self)
        self.collective.spend_on_public_services(self.ledger, p.spending_share)

    def close_year(self) -> None:
        """December: rent, the cooperatives' split, mode returns, pay, books closed."""
        p = self.config.policies.land_pooling
        hh = self.households
        if p.enabled:
            due = self.pooling.rent_due
            to_households = due * (self.pooling.household_rent(self) / max(p.rent, 1e-9))
            cut = self.village_sum(due - to_households)
            self.pay_households("property", to_households, "cooperatives", "pooled_rent")
            self.pay_collectives("pooling_fee", cut, "cooperatives", "rent_cut")
            self.pay_collectives(
                "reserve_land", self.pooling.reserve_rent_due, "cooperatives", "pooled_rent"
            )
            rent_by_village = self.village_sum(due) + self.pooling.reserve_rent_due
            for i, coop in enumerate(self.cooperatives):
                if coop.kind != "specialty_cooperative":
                    coop.book("rent", float(rent_by_village[self.coop_of_village == i].sum()))
            self.pooling.rent_due[:] = 0.0
            self.pooling.reserve_rent_due[:] = 0.0
        ip = self.config.modes.industry_pull
        for coop in self.specialty_coops:
            interest = coop.loan * ip.loan_rate
            coop.book("interest", interest)
            self.ledger.pay("cooperatives", "market", "interest", interest)
        self._split_cooperative_surplus()
        for coop in self.specialty_coops:
            repay = min(coop.loan, coop.investment / ip.depreciation_years)
            coop.loan -= repay
            coop.cash -= repay
            self.ledger.pay("cooperatives", "market", "loan_repayment", repay)
        self.modes.pay_year_end(self)
        self._performance_pay()
        self.recorder.record_year()
        self.collective.close_year()
        hh.reset_year()

    def _split_cooperative_surplus(self) -> None:
        """Each cooperative splits its surplus; dividends go to members by share value.

        Pooling cooperatives' members hold land shares (pooled mu x value per mu) and cash
        shares; a specialty cooperative's members hold its specialty shares.
        """
        if not self.cooperatives:
            return
        hh = self.households
        value = self.config.policies.coop_shares.land_share_value_per_mu
        n_coops = len(self.cooperatives)
        pooling_coop = self.coop_of_village[hh.village]
        pooling_shares = hh.pooled_mu * value + hh.cash_shares
        specialty_coop = self.specialty_coop_of_village[hh.village]
        holders = [
            (pooling_coop, pooling_shares * (pooling_coop >= 0)),
            (specialty_coop, hh.specialty_shares * (specialty_coop >= 0)),
        ]
        per_unit = np.zeros(n_coops + 1)  # last slot: "no cooperative"
        totals = np.zeros(n_coops)
        for index, shares in holders:
            totals += np.bincount(np.where(index >= 0, index, n_coops), shares, n_coops + 1)[
                :n_coops
            ]
        for i, coop in enumerate(self.cooperatives):
            split = coop.close_year(self, float(totals[i]))
            if split.dividends > 0:
                per_unit[i] = split.dividends / totals[i]
        dividends = np.zeros(hh.n)
        for index, shares in holders:
            dividends += shares * per_unit[np.where(index >= 0, index, n_coops)]
        self.pay_households("property", dividends, "cooperatives", "dividend")

    def _performance_pay(self) -> None:
        """Yearly performance pay of member cadres, tied to the alliance's score."""
        params = self.config.governance.scoring
        if not params.enabled or params.pay_per_point <= 0 or not self.alliance_agents:
            return
        bill = np.zeros(self.n_villages)
        for alliance in self.alliance_agents:
            bill[list(alliance.members)] = alliance.score * params.pay_per_point
        self.spend_public("performance_pay", bill)
        self.pay_village_workers(bill, "government", "performance_pay")

    def _subscribe_cash_shares(self) -> None:
        """Member households of share cooperatives buy cash shares, more so when trusted."""
        rules = self.config.policies.coop_shares
        draw = self.rng.random(self.households.n)
        if not rules.enabled or not self.cooperatives or rules.cash_share_amount <= 0:
            return
        hh = self.households
        member = (self.coop_of_village[hh.village] >= 0) & (hh.pooled_mu > 0)
        chance = rules.cash_share_uptake * self.capacity[hh.village]
        buy = member & (draw < chance)
        amount = buy * rules.cash_share_amount
        hh.cash_shares += amount
        total = float(amount.sum())
        if total > 0:
            self.ledger.pay("households", "cooperatives", "share_capital", total)
            per_coop = np.bincount(
                self.coop_of_village[hh.village[buy]], minlength=len(self.cooperatives)
            )
            for coop, n in zip(self.cooperatives, per_coop, strict=False):
                coop.cash += n * rules.cash_share_amount

    def _sync_enterprises(self) -> None:
        """Create or update the Enterprise agents behind this year's contracts."""
        unit = self.contracts.groups(self)
        active = self.contracts.active
        for u in np.unique(unit[active & (unit >= 0)]):
            if int(u) not in self.enterprises:
                villages = tuple(int(v) for v in np.flatnonzero(unit == u))
                self.enterprises[int(u)] = Enterprise(self, "processor_brand", villages)
        for firm in self.enterprises.values():
            firm.sync(self)

    # ----------------------------------------------------------------------------------

    def run(self, years: int | None = None, progress: Any = None) -> None:
        """Run the scenario's horizon (or ``years``), month by month."""
        months = 12 * (years if years is not None else self.config.years)
        for _ in range(months):
            self.step()
            if progress is not None:
                progress()


def _data_path(config: Scenario, dotted: str) -> Path:
    path = config.resolve_data_path(dotted)
    assert path is not None  # crop sheets have non-empty defaults
    return path
