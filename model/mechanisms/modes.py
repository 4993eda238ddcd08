"""The four alliance modes as parameterised mechanisms (docs/ODD.md section 7.9).

- *lead-goose*: each year member committees' capacity moves towards the lead secretary's,
  ``c += rate * (c_lead - c)``, up to a ceiling. Capacity raises pooling uptake, operator
  productivity, trainee success and project success.
- *strong-leads-weak*: the strong village shares market access (a price multiplier on the
  specialty, converging towards the lead's) and project capacity (members' projects succeed
  with the lead's capacity); the lead bears a yearly coordination cost. A joint tourism
  business is not given here: its income comes from visitors (:mod:`model.mechanisms.tourism`).
- *industry-pull*: the alliance's joint cooperative builds specialty greenhouses
  (red-bud ginger) on grain land it leases from member households (at most a share of it),
  financed by household cash shares (capped per household), collective money and a loan;
  cost per mu falls with scale; the surplus is split by the cooperative rules.
- *project-traction*: outside capital and contracts: a branded-purchase contract for the
  alliance, and each member collective's capital placed with an outside firm for a fixed
  yearly return ("flying land"), which the firm may stop paying.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np

from model.params import PROGRAMME_REPORT, Section, param

if TYPE_CHECKING:
    from model.jointmodel import JointVillageModel


class LeadGooseParams(Section):
    """Lead-goose mode."""

    transfer_rate: float = param(
        0.15,
        unit="1/yr",
        source="assumption: mentoring closes a sixth of the capacity gap a year",
        description="Share of the gap to the lead's capacity closed each year",
        ge=0,
        le=1,
    )
    ceiling: float = param(
        0.9,
        unit="capacity",
        source="assumption",
        description="Highest capacity reachable by mentoring",
        ge=0,
        le=1,
    )


class StrongLeadsWeakParams(Section):
    """Strong-leads-weak mode."""

    access_premium: float = param(
        0.15,
        unit="share",
        source="assumption: a strong village's channels (tourism, buyers) fetch better prices",
        description="Specialty price premium of the lead's market access at capacity 1",
        ge=0,
        le=2,
    )
    convergence_rate: float = param(
        0.3,
        unit="1/yr",
        source="assumption",
        description="Share of the access gap to the lead closed each year",
        ge=0,
        le=1,
    )
    coordination_cost: float = param(
        20000.0,
        unit="yuan/member/yr",
        source="assumption: the lead's staff time and events (e.g. festivals)",
        description="Yearly cost to the lead collective per member village",
        ge=0,
        le=10_000_000,
    )


class IndustryPullParams(Section):
    """Industry-pull mode."""

    crop_land_use: str = param(
        "red_bud_ginger",
        unit="-",
        source=PROGRAMME_REPORT + ": 7 villages, 18 new red-bud ginger greenhouses",
        description="Land use of the joint cooperative's specialty",
    )
    mu_per_alliance: float = param(
        18.0,
        unit="mu",
        source=PROGRAMME_REPORT + ": 18 new greenhouses (about 1 mu each: assumption)",
        description="Specialty area the joint cooperative builds",
        ge=0,
        le=100000,
    )
    investment_per_mu: float = param(
        150000.0,
        unit="yuan/mu",
        source="assumption: steel-frame greenhouse with heating",
        description="Capital cost per mu at the reference scale",
        ge=0,
        le=10_000_000,
    )
    scale_elasticity: float = param(
        0.1,
        unit="-",
        source="assumption: economies of scale in joint cooperatives",
        description="Cost per mu falls as (mu / reference)^-elasticity",
        ge=0,
        le=1,
    )
    reference_mu: float = param(
        18.0, unit="mu", source="assumption", description="Reference scale", gt=0, le=100000
    )
    household_share_fraction: float = param(
        0.2,
        unit="share",
        source="assumption: households take cash shares",
        description="Share of the investment raised as household cash shares",
        ge=0,
        le=1,
    )
    collective_fraction: float = param(
        0.1,
        unit="share",
        source="assumption: collectives take shares",
        description="Share of the investment raised from member collectives",
        ge=0,
        le=1,
    )
    loan_rate: float = param(
        0.045,
        unit="1/yr",
        source="assumption: rural commercial bank loan rate",
        description="Interest on the loan financing the rest",
        ge=0,
        le=0.5,
    )
    depreciation_years: float = param(
        15.0,
        unit="yr",
        source="assumption: greenhouse life",
        description="Years over which the loan is repaid",
        gt=0,
        le=100,
    )
    hired_labour_share: float = param(
        0.3,
        unit="share",
        source="assumption",
        description="Share of cash cost paid as wages to member households",
        ge=0,
        le=1,
    )
    max_converted_share: float = param(
        0.2,
        unit="share",
        source="assumption: greenhouses need contiguous plots with water and road access, and the "
        "rules on facility agricultural land (自然资规〔2019〕4号) limit building on permanent "
        "basic farmland, so at most about a fifth of the members' grain land is converted",
        description="Largest share of the members' own-farmed grain land leased for greenhouses",
        ge=0,
        le=1,
    )
    lease_rent: Literal["pooled", "market"] = param(
        "pooled",
        unit="-",
        source="assumption: the joint cooperative takes land in through the village committees "
        "as pooling does, at the programme's rent (policies.land_pooling.rent, Anqiu programme "
        "report); 'market' pays the private transfer rent instead",
        description="Rent the specialty cooperative pays households per leased mu",
    )
    max_household_subscription: float = param(
        30000.0,
        unit="yuan/household",
        source="assumption: about half a rural household's yearly disposable income "
        "(Shandong 2023: 23,776 yuan per person, ~2.5 persons per household), what a "
        "household can put in from its savings",
        description="Largest cash share one household subscribes; the loan finances the rest",
        ge=0,
        le=1_000_000,
    )


class ProjectTractionParams(Section):
    """Project-traction mode."""

    capital_per_village: float = param(
        600000.0,
        unit="yuan",
        source="Zhejiang government releases 2018-2023: flying-land schemes return +50k-80k per "
        "village "
        "at 8-10 %, i.e. ~0.5-1 million placed per village",
        description="Capital placed with an outside firm per member village",
        ge=0,
        le=100_000_000,
    )
    public_share: float = param(
        0.3,
        unit="share",
        source="assumption: county support funds top up the collectives' own pooled capital",
        description="Share of the placed capital paid from public money (the rest by the "
        "collective)",
        ge=0,
        le=1,
    )
    fixed_return: float = param(
        0.08,
        unit="1/yr",
        source="Zhejiang government releases 2018-2023: flying-land fixed return 8-10 %",
        description="Fixed yearly return paid to the collective",
        ge=0,
        le=0.5,
    )
    default_probability: float = param(
        0.03,
        unit="1/yr",
        source="assumption",
        description="Yearly chance the firm stops paying the fixed return",
        ge=0,
        le=1,
    )
    branded_contract: bool = param(
        True,
        unit="-",
        source=PROGRAMME_REPORT + ": county agri-development group buys the alliance's millet",
        description="Each alliance gets a branded-purchase contract",
    )


class ModeParams(Section):
    """Parameters of the four alliance modes."""

    lead_goose: LeadGooseParams = LeadGooseParams()
    strong_leads_weak: StrongLeadsWeakParams = StrongLeadsWeakParams()
    industry_pull: IndustryPullParams = IndustryPullParams()
    project_traction: ProjectTractionParams = ProjectTractionParams()


class ModeEffects:
    """Applies each alliance's mode.

    Args:
        model: The model (its alliances exist).

    Attributes:
        access: Specialty price multiplier per village (market access).
        traction_capital: Capital placed per village under project traction (yuan).
        traction_paying: Whether the outside firm still pays the fixed return.
        mode_of_village: Mode of each village's primary alliance ("" for none).
    """

    def __init__(self, model: JointVillageModel) -> None:
        self.model = model
        self.params = model.config.modes
        n_v = model.n_villages
        self.access = np.ones(n_v)
        self.traction_capital = np.zeros(n_v)
        self.traction_paying = np.zeros(n_v, dtype=bool)
        # A village's own mode is that of its primary alliance (a lead village may lead
        # several alliances; its households belong to the first).
        modes = np.array([a.mode for a in model.alliance_agents] + [""], dtype=object)
        self.mode_of_village = modes[model.villages.membership]
        self.is_mode = {
            mode: self.mode_of_village == mode
            for mode in ("lead_goose", "strong_leads_weak", "industry_pull", "project_traction")
        }

    def start(self) -> None:
        """One-off set-up in the first year: capital placements and forced contracts."""
        model = self.model
        p = self.params.project_traction
        traction = self.is_mode["project_traction"]
        if traction.any() and p.capital_per_village > 0:
            self.traction_capital = traction * p.capital_per_village
            self.traction_paying = traction.copy()
            public = self.traction_capital * p.public_share
            model.accounts.spend_public("project_traction_capital", public, payee="enterprises")
            own = self.traction_capital - public
            model.collective.cash -= own
            model.ledger.pay("collectives", "enterprises", "placed_capital", float(own.sum()))
        if p.branded_contract:
            model.contracts.forced |= traction
        slw = self.params.strong_leads_weak
        for alliance in model.alliance_agents:
            if alliance.mode == "strong_leads_weak":
                lead_cap = model.villages.capacity[alliance.lead]
                self.access[alliance.lead] = 1.0 + slw.access_premium * lead_cap

    def new_year(self) -> None:
        """Yearly mode dynamics: mentoring, access convergence, traction defaults."""
        model = self.model
        lg = self.params.lead_goose
        slw = self.params.strong_leads_weak
        pt = self.params.project_traction
        base_capacity = model.villages.base_capacity
        draws = model.governance_rng.random(model.n_villages)
        for index, alliance in enumerate(model.alliance_agents):
            if not model.uptake.alliance_active("mode", index):
                continue  # the mode's work has not started yet
            members = np.asarray(alliance.members)
            if alliance.mode == "lead_goose" and lg.transfer_rate > 0:
                lead_cap = base_capacity[alliance.lead]
                cap = base_capacity[members]
                target = np.minimum(lead_cap, lg.ceiling)
                gain = lg.transfer_rate * np.maximum(target - cap, 0.0)
                base_capacity[members] = cap + gain
            elif alliance.mode == "strong_leads_weak":
                lead_access = self.access[alliance.lead]
                gap = lead_access - self.access[members]
                self.access[members] += slw.convergence_rate * np.maximum(gap, 0.0)
        if model.year_index > 0:
            stop = self.traction_paying & (draws < pt.default_probability)
            self.traction_paying &= ~stop

    def project_capacity(self) -> np.ndarray:
        """Capacity used for project success: strong-leads-weak members borrow the lead's."""
        capacity = self.model.villages.capacity
        cap = capacity.copy()
        for alliance in self.model.alliance_agents:
            if alliance.mode == "strong_leads_weak":
                members = np.asarray(alliance.members)
                cap[members] = np.maximum(cap[members], capacity[alliance.lead])
        return cap

    def pay_year_end(self) -> None:
        """Fixed returns and coordination costs at year end."""
        model = self.model
        pay = model.accounts.pay_collectives
        pt = self.params.project_traction
        slw = self.params.strong_leads_weak
        fixed = self.traction_capital * pt.fixed_return * self.traction_paying
        pay("enterprise", fixed, "enterprises", "fixed_return")
        for alliance in model.alliance_agents:
            if alliance.mode != "strong_leads_weak":
                continue
            n = len(alliance.members)
            cost = np.zeros(model.n_villages)
            cost[alliance.lead] = model.prices.nominal(slw.coordination_cost) * n
            pay("joint_returns", -cost, "market", "coordination_cost")
