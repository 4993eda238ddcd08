"""The joint-village model: a ``mesa.Model`` stepping the county month by month.

One step is one month (docs/ODD.md section 3). The model sets up the county and its mechanisms
and runs the month's schedule; the behaviour lives in the mechanisms
(:mod:`model.mechanisms`) and on the agents (:mod:`agents`). Household state lives in
columns (:class:`~model.households.HouseholdTable`), village state in
:class:`~model.villages.VillageTable`; villages, alliances, cooperatives and enterprises are
Mesa agents. Every payment goes through :class:`~model.accounts.Accounts`, so money is
conserved and traceable.

The schedule is a list of :class:`Step`, one per mechanism step, in the order of
:meth:`JointVillageModel.month_steps`. A new mechanism adds its step with
:meth:`JointVillageModel.add_step` (or a subclass extends :meth:`month_steps`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import mesa
import numpy as np
from mesa.agentset import AbstractAgentSet, AgentSet

from agents.alliance import Alliance
from agents.household import Household
from agents.village import Village
from model.accounts import Accounts
from model.errors import did_you_mean
from model.invariants import Invariants, Level
from model.ledger import Ledger
from model.mechanisms.collective import CollectiveBooks
from model.mechanisms.collective_business import CollectiveBusinesses
from model.mechanisms.conversions import LandConversion
from model.mechanisms.coop_marketing import CoopMarketing
from model.mechanisms.cooperatives import Cooperatives
from model.mechanisms.crops import CropMarket, load_crop_sheet
from model.mechanisms.demography import Demography
from model.mechanisms.ecommerce import Livestream
from model.mechanisms.enterprises import EnterpriseContracts
from model.mechanisms.farm_exit import FarmExit
from model.mechanisms.farming import Farming
from model.mechanisms.governance import Governance
from model.mechanisms.household_finance import HouseholdFinance
from model.mechanisms.labour import LabourMarket
from model.mechanisms.lease_back import LeaseBack
from model.mechanisms.migration import Migration
from model.mechanisms.modes import ModeEffects
from model.mechanisms.operators import OperatorBases
from model.mechanisms.pooling import LandPooling
from model.mechanisms.prices import PriceLevel
from model.mechanisms.tourism import Tourism
from model.mechanisms.transfers import Transfers
from model.mechanisms.uptake import Uptake
from model.recorder import Recorder
from model.rng import stream
from model.scenario import Scenario
from model.villages import VillageTable
from model.world.alliances import Alliances, form_alliances, no_alliances
from model.world.county import County, build_county
from model.world.households import generate_households
from model.yearly_amounts import YearlyAmounts

A = TypeVar("A", bound=mesa.Agent)

#: Months in which a step runs (``None`` in a :class:`Step`: every month).
JANUARY = frozenset({1})
QUARTER_ENDS = frozenset({3, 6, 9, 12})
HALF_YEAR_ENDS = frozenset({6, 12})
DECEMBER = frozenset({12})


@dataclass(frozen=True)
class Step:
    """One step of the month's schedule.

    Attributes:
        name: What the step does, unique in the schedule (``add_step`` finds steps by it).
        action: Called with no arguments; it reads the month from ``model.month``.
        months: Calendar months (1-12) in which it runs; ``None`` for every month.
    """

    name: str
    action: Callable[[], Any]
    months: Collection[int] | None = None

    def runs_in(self, month: int) -> bool:
        """Whether the step runs in ``month``."""
        return self.months is None or month in self.months


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
        invariants: How often the runtime invariants are checked (:mod:`model.invariants`):
            ``"month"`` (default), ``"step"`` (after every step: slow, names the step that
            broke one) or ``"off"``.

    Attributes:
        config: The scenario.
        county: The county (its village frame holds each village's fixed description).
        households: Household columns.
        villages: Village state.
        ledger: Money flows between sectors.
        accounts: Payments (every mechanism pays through it).
        prices: The price indices (consumer prices, wages, transfers, costs, crops, rent).
        finance: The households' balance sheets (savings, credit, consumption).
        conversions: The households' land-use changes.
        operators: What operators farm on pooled land (grain or specialty bases).
        lease_back: Plots of the bases leased back to member households (返租倒包).
        uptake: Which projects each alliance has taken up so far.
        marketing: Joint cooperatives marketing their members' produce.
        demography: Births, deaths, ageing, succession, dissolution and merger.
        migration: Out- and return migration of working-age members.
        farm_exit: Households' exit from, and re-entry into, loss-making farming.
        collective: Village collective books.
        alliance_agents: The alliances, sorted by identifier.
        recorder: Collects the output tables.
        steps_of_month: The month's schedule.
        current_step: Name of the step running now (what an invariant violation names).
        invariants: The runtime invariant checks.
    """

    def __init__(
        self,
        config: Scenario,
        replicate: int = 0,
        world: tuple[County, Alliances] | None = None,
        invariants: Level = "month",
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
        self.n_villages = len(county.villages)
        self.year_index = 0
        self.month = 0
        self._household_views: dict[int, Household] = {}
        self.current_step: str | None = None
        self._set_up_state()
        self._set_up_mechanisms()
        self.recorder = Recorder(self)
        self.recorder.record_start()
        self.steps_of_month = self.month_steps()
        self.invariants = Invariants(self, invariants)

    # ----------------------------------------------------------------------------------
    # Set-up

    def _set_up_state(self) -> None:
        """Crops, households, agents, village state and the books."""
        config = self.config
        frame = self.county.villages
        self.crops = load_crop_sheet(
            _data_path(config, "farming.crops_file"), _data_path(config, "farming.land_uses_file")
        )
        self.market = CropMarket(self.crops, config.farming, self.weather_rng)
        self.prices = PriceLevel(self)
        # Households are part of the county: drawn from a county-level stream.
        self.households = generate_households(
            frame,
            config.households,
            stream(config.seed, "population"),
            config.farming.household_ability_sigma,
        )
        self.ledger = Ledger()
        Village.create_agents(self, self.n_villages, row=list(range(self.n_villages)))
        land_use = np.array([self.crops.land_use(name) for name in frame["industry"]], np.int64)
        membership = self._create_alliances()
        self.villages = VillageTable(frame, self.households, land_use, membership)
        self.collective = CollectiveBooks(self)
        self.accounts = Accounts(self)
        self.yearly = YearlyAmounts(self)

    def _create_alliances(self) -> np.ndarray:
        """Create the Alliance agents in identifier order; return village membership.

        Creating them in that order makes ``agents_by_type[Alliance]`` iterate in the order
        of :attr:`alliance_agents`, the order of every per-alliance array (and of the
        governance stream's draws).
        """
        table = self.alliance_table.table
        membership = self.alliance_table.membership.astype(np.int64)
        self.alliance_agents: list[Alliance] = []
        if not len(table):
            return membership
        ids = list(table["alliance_id"])
        order = sorted(range(len(ids)), key=lambda i: ids[i])
        created = Alliance.create_agents(
            self,
            len(order),
            alliance_id=[ids[i] for i in order],
            members=[table["members"].iloc[i] for i in order],
            lead=[table["lead"].iloc[i] for i in order],
            mode=[table["mode"].iloc[i] for i in order],
        )
        self.alliance_agents = list(created)
        position = np.empty(len(ids), dtype=np.int64)
        position[order] = np.arange(len(ids))
        return np.where(membership >= 0, position[membership], -1)

    def _set_up_mechanisms(self) -> None:
        """Create the mechanisms; then operators, secretaries, modes, specialty cooperatives."""
        self.labour = LabourMarket(self)
        self.finance = HouseholdFinance(self)
        self.transfers = Transfers(self)
        self.farming = Farming(self)
        self.pooling = LandPooling(self)
        self.conversions = LandConversion(self)
        self.contracts = EnterpriseContracts(self)
        self.livestream = Livestream(self)
        self.modes = ModeEffects(self)
        self.governance = Governance(self)
        self.uptake = Uptake(self)
        self.cooperatives = Cooperatives(self)
        self.operators = OperatorBases(self)
        self.lease_back = LeaseBack(self)
        self.governance.assign_secretaries()
        self.modes.start()
        self.cooperatives.build_specialty_cooperatives()
        self.marketing = CoopMarketing(self)
        self.demography = Demography(self)
        self.migration = Migration(self)
        self.tourism = Tourism(self)
        self.businesses = CollectiveBusinesses(self)
        self.farm_exit = FarmExit(self)

    # ----------------------------------------------------------------------------------
    # The month

    def month_steps(self) -> list[Step]:
        """The month's schedule, in order: January, every month, December, the record."""
        return [
            Step("price level", self.prices.new_year, JANUARY),
            Step("births, deaths and ageing", self.demography.new_year, JANUARY),
            Step("prices and weather", self.farming.new_year, JANUARY),
            Step("public money year", self.accounts.new_year, JANUARY),
            Step("household credit lines", self.finance.new_year, JANUARY),
            Step("land-use change", self.conversions.decide, JANUARY),
            Step("operators choose what to farm", self.operators.decide, JANUARY),
            Step("project uptake", self.uptake.new_year, JANUARY),
            Step("labour reallocation", self.labour.new_year, JANUARY),
            Step("migration", self.migration.new_year, JANUARY),
            Step("alliance modes", self.modes.new_year, JANUARY),
            Step("capacity at new year", self.governance.update_capacity, JANUARY),
            Step("enterprise contracts", self.contracts.new_year, JANUARY),
            Step("firms under contract", self.contracts.sync_firms, JANUARY),
            Step("livestream training", self.livestream.new_year, JANUARY),
            Step("project fund", self.governance.fund_round, JANUARY),
            Step("collective businesses invest", self.businesses.new_year, JANUARY),
            Step("alliance tasks", self.governance.set_tasks, JANUARY),
            Step("cash shares", self.cooperatives.subscribe_cash_shares, JANUARY),
            Step("cooperative marketing choice", self.marketing.choose, JANUARY),
            Step("tourism season", self.tourism.new_year, JANUARY),
            Step("wages", self.labour.pay_wages),
            Step("transfers", self.transfers.pay),
            Step("harvest of own land", self.farming.harvest),
            Step("livestream sales", self.livestream.pay),
            Step("contract sales", self.contracts.pay),
            Step("pooling decisions", self.pooling.decide),
            Step("own-land costs", self.farming.pay_costs),
            Step("cooperatives market members' produce", self.marketing.sell),
            Step("operators farm pooled land", self.operators.farm),
            Step("lease-back plots farmed", self.lease_back.farm),
            Step("pooled rent accrues", self.pooling.accrue_rent),
            Step("specialty greenhouses", self.cooperatives.operate_greenhouses),
            Step("collective own income", self.collective.pay_own_income),
            Step("project income", self.governance.pay_project_income),
            Step("visitors", self.tourism.pay),
            Step("collective public services", self.collective.spend_on_public_services),
            Step("side income", self.farming.pay_side_income),
            Step("alliances track tasks", self.governance.track_tasks),
            Step("alliances scored", self.governance.evaluate, QUARTER_ENDS),
            Step("capacity", self.governance.update_capacity, QUARTER_ENDS),
            Step("competition", self.governance.competition, HALF_YEAR_ENDS),
            Step("pooled rent paid", self.pooling.settle_rent, DECEMBER),
            Step("operators' base loans", self.operators.service_loans, DECEMBER),
            Step("cooperatives close the year", self.cooperatives.close_year, DECEMBER),
            Step("mode returns", self.modes.pay_year_end, DECEMBER),
            Step("collective business returns", self.businesses.pay_year_end, DECEMBER),
            Step("performance pay", self.governance.performance_pay, DECEMBER),
            Step("farm exit", self.farm_exit.decide, DECEMBER),
            Step("household spending and debt", self.finance.settle_month),
            Step("record the year", self.recorder.record_year, DECEMBER),
            Step("collective books closed", self.collective.close_year, DECEMBER),
            Step("household year closed", self.households.reset_year, DECEMBER),
            Step("record the month", self.recorder.record_month),
        ]

    def add_step(self, step: Step, *, after: str | None = None, before: str | None = None) -> None:
        """Add a step to the schedule, after or before a named step (default: at the end
        of the month, before the month is recorded).

        This is how a mechanism joins the model without editing it::

            toy = ToyMechanism(model)
            model.add_step(Step("toy income", toy.pay), after="transfers")

        Raises:
            ValueError: For an unknown step name, or both ``after`` and ``before``.
        """
        names = [s.name for s in self.steps_of_month]
        if after is not None and before is not None:
            raise ValueError("give after= or before=, not both")
        anchor = after if after is not None else before or "record the month"
        if anchor not in names:
            hint = did_you_mean(anchor, names)
            raise ValueError(f"no step {anchor!r} in the schedule" + (f"; {hint}" if hint else ""))
        index = names.index(anchor) + (1 if after is not None else 0)
        self.steps_of_month.insert(index, step)

    def step(self) -> None:
        """Advance one month: open the month's books, then run the schedule."""
        step = self.steps - 1
        self.year_index = step // 12
        self.month = step % 12 + 1
        self.ledger.new_month()
        self.collective.new_month()
        self.accounts.new_month()
        self.invariants.start_month()
        for scheduled in self.steps_of_month:
            if scheduled.runs_in(self.month):
                self.current_step = scheduled.name
                scheduled.action()
                self.invariants.after_step(scheduled.name)
        self.current_step = None
        self.invariants.end_month()

    def run(self, years: int | None = None, progress: Any = None) -> None:
        """Run the scenario's horizon (or ``years``), month by month."""
        months = 12 * (years if years is not None else self.config.years)
        for _ in range(months):
            self.step()
            if progress is not None:
                progress()

    # ----------------------------------------------------------------------------------
    # Access

    @property
    def budget_scale(self) -> float:
        """County-wide budgets and quotas shrink with a scaled-down synthetic county."""
        return float(self.county.scale)

    def agents_of(self, agent_type: type[A]) -> AbstractAgentSet[A]:
        """The model's agents of one type, in creation order (empty when there are none)."""
        agents = self.agents_by_type.get(agent_type)
        return agents if agents is not None else AgentSet([], random=self.random)

    def household(self, row: int) -> Household:
        """A view on one household (made on first request, then the same view)."""
        view = self._household_views.get(row)
        if view is None:
            view = self._household_views[row] = Household(self, row)
        return view


def _data_path(config: Scenario, dotted: str) -> Path:
    path = config.resolve_data_path(dotted)
    assert path is not None  # crop sheets have non-empty defaults
    return path
