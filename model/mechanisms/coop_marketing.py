"""Joint cooperatives sell members' produce: a brand premium, a marketing margin, input discounts.

A joint specialty cooperative (the industry-pull alliance's; with ``cooperatives = "joint"``
also an alliance's joint cooperative that operates pooled land) markets the specialty its
member households grow on their own land. Each month a member hands the cooperative
``marketed_share`` of the specialty it harvests and does not deliver under an enterprise
contract. The cooperative sells it under the alliance's brand for ``brand_premium`` above
the market price, keeps ``marketing_margin`` of the value for grading, packing and selling,
and pays the rest of the premium to the member as farming income. Buying members' inputs in
bulk, it passes on ``input_discount`` of their specialty cash costs. The margin is the
cooperative's revenue: its surplus goes, by the share rules (:mod:`model.mechanisms.coop_shares`),
to member dividends, the member collectives and reserves.

Households choose to join and may leave (:mod:`model.mechanisms.participation`): each
January a household of a village whose cooperative markets produce (and whose alliance has
taken up the cooperative's project, :mod:`model.mechanisms.uptake`) compares

    gain = expected marketed value x (brand_premium - marketing_margin)
           + input_discount x expected specialty cash cost - participation_cost

with selling on its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np

from model.mechanisms.participation import (
    ChoiceParams,
    draw_tastes,
    expected_specialty,
    rechoose,
)
from model.params import PROGRAMME_REPORT, Section, param

if TYPE_CHECKING:
    from model.jointmodel import JointVillageModel


class CoopMarketingParams(Section):
    """Cooperative marketing of members' produce (``policies.coop_shares.marketing``)."""

    enabled: bool = param(
        True,
        unit="-",
        source=PROGRAMME_REPORT + ": joint specialty cooperatives unify brand and sales "
        "('industry pull')",
        description="Joint specialty cooperatives market their members' own specialty produce",
    )
    cooperatives: Literal["specialty", "joint"] = param(
        "specialty",
        unit="-",
        source="model design",
        description="Which cooperatives market produce: the industry-pull specialty "
        "cooperatives, or also the alliances' joint cooperatives operating pooled land",
    )
    marketed_share: float = param(
        0.8,
        unit="share",
        source="assumption: members sell most, not all, of their crop through the "
        "cooperative (the rest to traders, neighbours or own use)",
        description="Share of a member's specialty (not under contract) the cooperative markets",
        ge=0,
        le=1,
    )
    brand_premium: float = param(
        0.1,
        unit="share",
        source="assumption: a collective brand or geographical indication sells some 5-20 % "
        "above the unbranded farm-gate price",
        description="Price premium of the cooperative's brand over the market price",
        ge=0,
        le=2,
    )
    marketing_margin: float = param(
        0.04,
        unit="share",
        source="assumption: grading, packing, transport and sales staff cost a few per cent "
        "of the value marketed",
        description="Share of the marketed value the cooperative keeps",
        ge=0,
        le=1,
    )
    input_discount: float = param(
        0.05,
        unit="share",
        source="assumption: bulk purchase of seed, fertiliser and film saves some 5-10 %",
        description="Discount on members' specialty cash costs from bulk purchase",
        ge=0,
        le=0.5,
    )
    participation_cost: float = param(
        100.0,
        unit="yuan/yr",
        source="assumption: meetings and the cooperative's quality rules take a day or two",
        description="Yearly cost to a household of marketing through the cooperative",
        ge=0,
        le=100_000,
    )
    choice: ChoiceParams = ChoiceParams()


class CoopMarketing:
    """Which households market through a cooperative, and the monthly sales.

    Args:
        model: The model (its cooperatives exist).

    Attributes:
        taste: Each household's fixed taste for cooperative marketing (yuan/yr).
        marketer_of: Index in the cooperatives' list of each village's marketing
            cooperative (-1: none).
    """

    def __init__(self, model: JointVillageModel) -> None:
        self.model = model
        self.params = model.config.policies.coop_shares.marketing
        self.taste = draw_tastes(model.rng, model.households.n, self.params.choice)
        coops = model.cooperatives
        self.marketer_of = np.full(model.n_villages, -1, dtype=np.int64)
        if not self.params.enabled:
            return
        if self.params.cooperatives == "joint":
            joint = np.array([c.kind == "joint_cooperative" for c in coops.all] + [False])
            self.marketer_of = np.where(joint[coops.operator_of], coops.operator_of, -1)
        self.marketer_of = np.where(coops.specialty_of >= 0, coops.specialty_of, self.marketer_of)

    def offered(self) -> np.ndarray:
        """Per village: a cooperative markets produce there (and its project is taken up)."""
        uptake = self.model.uptake
        coops = self.model.cooperatives
        project = np.where(
            coops.specialty_of >= 0, uptake.active("mode"), uptake.active("land_pooling")
        )
        return (self.marketer_of >= 0) & project

    def expected_gains(self, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """Each household's (of ``rows``, default all) expected yearly gain from marketing
        through the cooperative."""
        p = self.params
        model = self.model
        hh = model.households
        kg, price = expected_specialty(model, rows)
        volume_share = model.config.policies.enterprise_contracts.volume_share
        contract = volume_share * hh.contract_member[rows]
        marketed = kg * price * (1.0 - contract) * p.marketed_share
        use = model.villages.land_use[hh.village[rows]]
        cost = hh.specialty_mu[rows] * model.market.cost_per_mu()[use]
        premium = p.brand_premium - p.marketing_margin
        participation = model.prices.nominal(p.participation_cost)
        return marketed * premium + p.input_discount * cost - participation

    def choose(self) -> None:
        """January: households of villages with a marketing cooperative join, stay or leave."""
        model = self.model
        hh = model.households
        revise_draw = model.rng.random(hh.n)  # drawn whatever the policy (common random numbers)
        choice_draw = model.rng.random(hh.n)
        offered = self.model.villages.per_household(self.offered()) & (hh.specialty_mu > 0)
        hh.marketing_member = rechoose(
            hh.marketing_member,
            offered,
            self.expected_gains,
            self.taste,
            hh.village,
            (revise_draw, choice_draw),
            self.params.choice,
        )

    def sell(self) -> None:
        """The month's sales: brand premium in, margin kept, the rest and the discount out."""
        model = self.model
        hh = model.households
        if not hh.marketing_member.any():
            return
        p = self.params
        # Only the members' rows are computed (a few per cent of households); the others
        # get nothing, and np.bincount over the members alone adds in the same order.
        member = np.flatnonzero(hh.marketing_member)
        coop = self.marketer_of[hh.village[member]]
        member, coop = member[coop >= 0], coop[coop >= 0]
        gross = model.farming.specialty_gross[member]
        own_sales = np.maximum(gross - model.contracts.delivered_value[member], 0)
        value = p.marketed_share * own_sales
        to_member = value * (p.brand_premium - p.marketing_margin)
        use = model.villages.land_use[hh.village[member]]
        cost = hh.specialty_mu[member] * model.market.monthly_cost_per_mu(model.month)[use]
        discount = p.input_discount * cost
        n = len(model.cooperatives)
        premium_in = np.bincount(coop, value * p.brand_premium, n)
        paid_out = np.bincount(coop, to_member, n)
        discount_by_coop = np.bincount(coop, discount, n)
        for index in np.flatnonzero(premium_in + discount_by_coop):
            c = model.cooperatives.all[index]
            c.book("revenue", float(premium_in[index] + discount_by_coop[index]))
            c.book("costs", float(paid_out[index] + discount_by_coop[index]))
        ledger = model.ledger
        ledger.pay("market", "cooperatives", "brand_sales", float(premium_in.sum()))
        ledger.pay("market", "cooperatives", "input_discount", float(discount_by_coop.sum()))
        pay = model.accounts.pay_households_at
        pay("farming", member, to_member, "cooperatives", "marketing_premium")
        pay("farming", member, discount, "cooperatives", "input_discount")

    def members(self) -> int:
        """Households marketing through a cooperative now."""
        return int(self.model.households.marketing_member.sum())
