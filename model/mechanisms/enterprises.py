"""Enterprise contracts: branded purchase at a premium, local jobs, a fee to collectives.

Under ``enterprise_contracts`` a processor or brand firm contracts with an alliance (or a
village where eligible): it buys a share of the members' specialty output at a premium over
the market price (the county agri-development group's branded millet is the model case),
employs local workers, and pays the member collectives a fee on contracted sales. Contracts
run for a term and are renewed with a probability; each year a firm may default, leaving
part of the year's premium, wages and fees unpaid as arrears.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np

from agents.enterprise import Enterprise
from model.params import PROGRAMME_REPORT, Section, param

if TYPE_CHECKING:
    from model.jointmodel import JointVillageModel


class EnterpriseContractParams(Section):
    """Enterprise-contract parameters (policy ``enterprise_contracts``)."""

    enabled: bool = param(
        False,
        unit="-",
        source="model design: policy switch (docs/ODD.md section 7.7)",
        description="Switch the policy on",
    )
    eligible: Literal["allied", "all"] = param(
        "allied",
        unit="-",
        source=PROGRAMME_REPORT,
        description="Who can sign contracts",
    )
    contract_share: float = param(
        0.3,
        unit="share",
        source="assumption: 'enterprise + cooperative + base' reaches part of the alliances "
        "(23 party-led cooperatives, 30,000+ mu of bases)",
        description="Share of eligible alliances with a contract offer each year",
        ge=0,
        le=1,
    )
    price_premium: float = param(
        0.3,
        unit="share",
        source="assumption: branded purchase above the market price (millet case)",
        description="Contract price premium over the market price",
        ge=0,
        le=5,
    )
    volume_share: float = param(
        0.5,
        unit="share",
        source="assumption",
        description="Share of members' specialty output bought under contract",
        ge=0,
        le=1,
    )
    max_purchase_per_contract: float = param(
        4_000_000.0,
        unit="yuan/yr",
        source=PROGRAMME_REPORT + ": the agri-development group "
        "bought 400 t of the alliance's "
        "millet in a year (~10 yuan/kg branded: assumption)",
        description="Largest yearly purchase (at market value) of one contract",
        ge=0,
        le=1e10,
    )
    jobs_per_contract: float = param(
        12.0,
        unit="labour units",
        source="assumption: processing, packing, logistics",
        description="Local full-time jobs per contract",
        ge=0,
        le=10000,
    )
    collective_fee_share: float = param(
        0.04,
        unit="share",
        source="assumption: collectives broker supply and take a fee",
        description="Fee to member collectives as a share of contracted sales",
        ge=0,
        le=1,
    )
    term_years: int = param(
        3, unit="yr", source="assumption", description="Contract term", ge=1, le=30
    )
    renewal_probability: float = param(
        0.7,
        unit="share",
        source="assumption",
        description="Chance a contract is renewed at the end of its term",
        ge=0,
        le=1,
    )
    default_probability: float = param(
        0.05,
        unit="1/yr",
        source="assumption: rent arrears and broken contracts are common",
        description="Yearly chance a firm defaults",
        ge=0,
        le=1,
    )
    margin: float = param(
        0.1,
        unit="share",
        source="assumption",
        description="Firm's margin over what it pays out under the contract",
        ge=0,
        le=5,
    )
    arrears_share: float = param(
        0.5,
        unit="share",
        source="assumption",
        description="Share of a defaulting firm's obligations for the year left unpaid",
        ge=0,
        le=1,
    )


class EnterpriseContracts:
    """Contracts held by alliances (or villages); the firms are Enterprise agents.

    Args:
        model: The model.

    Attributes:
        active: Contract active per village.
        years_left: Years left in the current term, per village.
        defaulted: The contract's firm defaulted this year, per village.
        arrears: Unpaid obligations accumulated, per village (yuan).
        forced: Villages whose alliance mode brings a contract whatever the policy.
        purchase_share: Share of each village's specialty output bought this year.
        firms: The firm behind each contracting unit's contract.
    """

    def __init__(self, model: JointVillageModel) -> None:
        self.model = model
        self.params = model.config.policies.enterprise_contracts
        n_v = model.n_villages
        self.active = np.zeros(n_v, dtype=bool)
        self.years_left = np.zeros(n_v, dtype=np.int64)
        self.defaulted = np.zeros(n_v, dtype=bool)
        self.arrears = np.zeros(n_v)
        self.forced = np.zeros(n_v, dtype=bool)
        self.purchase_share = np.zeros(n_v)
        self.firms: dict[int, Enterprise] = {}

    def groups(self) -> np.ndarray:
        """Contracting unit per village: alliance, or the village itself when eligible."""
        model = self.model
        membership = model.villages.membership
        n_a = len(model.alliance_agents)
        unit = np.where(membership >= 0, membership, n_a + np.arange(model.n_villages))
        if self.params.eligible == "allied":
            unit = np.where(membership >= 0, unit, -1)
        return unit

    def new_year(self) -> None:
        """End, renew, default and sign contracts for the year."""
        p = self.params
        model = self.model
        rng = model.enterprise_rng
        unit = self.groups()
        n_units = len(model.alliance_agents) + model.n_villages
        offer_draw = rng.random(n_units)
        renew_draw = rng.random(n_units)
        default_draw = rng.random(n_units)
        self.defaulted[:] = False
        enabled = p.enabled or self.forced.any()
        if not enabled:
            return
        has_unit = unit >= 0
        u = np.where(has_unit, unit, 0)
        allowed = (has_unit & p.enabled) | self.forced
        self.years_left = np.where(self.active, self.years_left - 1, 0)
        ended = self.active & (self.years_left <= 0)
        renewed = ended & (renew_draw[u] < p.renewal_probability)
        self.active = (self.active & ~ended) | renewed
        self.years_left = np.where(renewed, p.term_years, self.years_left)
        offer = allowed & ~self.active & ((offer_draw[u] < p.contract_share) | self.forced)
        # A mode's contract comes with the mode; any other once the alliance takes it up.
        uptake = model.uptake
        offer &= np.where(self.forced, uptake.active("mode"), uptake.active("enterprise_contracts"))
        self.active |= offer
        self.years_left = np.where(offer, p.term_years, self.years_left)
        self.defaulted = self.active & (default_draw[u] < p.default_probability)
        self.purchase_share = self._purchase_share(np.where(has_unit, unit, -1))

    def sync_firms(self) -> None:
        """Create the firms behind new contracts; every firm reads this year's state."""
        model = self.model
        unit = self.groups()
        for u in np.unique(unit[self.active & (unit >= 0)]):
            if int(u) not in self.firms:
                villages = tuple(int(v) for v in np.flatnonzero(unit == u))
                self.firms[int(u)] = Enterprise(model, "processor_brand", villages)
        model.agents_of(Enterprise).do("sync")

    def _purchase_share(self, unit: np.ndarray) -> np.ndarray:
        """Share of each village's specialty output bought under contract this year.

        The contract buys ``volume_share`` of the unit's output, up to the contract's
        capacity at this year's expected market value.
        """
        p = self.params
        model = self.model
        hh = model.households
        gross = model.market.gross_per_mu()
        expected = hh.specialty_mu * gross[model.villages.land_use[hh.village]]
        by_village = model.villages.sum_by_village(expected) * model.modes.access
        safe_unit = np.where(unit >= 0, unit, 0)
        by_unit = np.bincount(safe_unit, by_village * (unit >= 0))
        wanted = p.volume_share * by_unit
        capped = np.minimum(wanted, p.max_purchase_per_contract)
        unit_share = np.divide(capped, by_unit, out=np.zeros_like(capped), where=by_unit > 0)
        return np.where(self.active & (unit >= 0), unit_share[safe_unit], 0.0)

    def pay(self) -> None:
        """Pay the premium on contracted produce, wages and the collectives' fee."""
        p = self.params
        if not self.active.any():
            return
        model = self.model
        hh = model.households
        accounts = model.accounts
        total_by_village = model.villages.sum_by_village
        specialty_gross = model.farming.specialty_gross
        paid_share = np.where(self.defaulted, 1.0 - p.arrears_share, 1.0)
        village_paid = paid_share * self.active
        bought = self.purchase_share
        premium = specialty_gross * (bought * p.price_premium)[hh.village]
        accounts.pay_households(
            "farming", premium * paid_share[hh.village], "enterprises", "contract_premium"
        )
        gross_v = total_by_village(specialty_gross)
        fee = gross_v * bought * (1 + p.price_premium) * p.collective_fee_share
        accounts.pay_collectives("enterprise", fee * village_paid, "enterprises", "contract_fee")
        wage_bill = (
            self.jobs_per_village()
            * model.labour.params.local_monthly_wage
            * model.labour.wage_factor(model.year_index)
        )
        accounts.pay_village_workers(wage_bill * village_paid, "enterprises", "contract_wage")
        unpaid = (total_by_village(premium) + fee + wage_bill) * self.active * (1.0 - paid_share)
        self.arrears += unpaid
        # The firms' own trade: what they sell the branded product for covers what they pay
        # out plus a margin (a defaulting firm keeps what it did not pay).
        obligations = float((total_by_village(premium) + fee + wage_bill).sum())
        model.ledger.pay("market", "enterprises", "branded_sales", obligations * (1.0 + p.margin))

    def jobs_per_village(self) -> np.ndarray:
        """Contract jobs spread over the members of each contracting unit (labour units)."""
        unit = self.groups()
        counts = np.bincount(np.where(unit >= 0, unit, 0), minlength=1)
        size = np.where(unit >= 0, counts[np.where(unit >= 0, unit, 0)], 1)
        return self.active * self.params.jobs_per_contract / np.maximum(size, 1)
