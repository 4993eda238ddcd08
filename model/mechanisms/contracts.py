"""Contract terms and what a household expects to earn under them.

A contract (one row of :class:`ContractTerms`) is held by a cooperative, a village or an
alliance and signed with a buyer firm for one crop (the holder's specialty land use). It
pays by kg delivered, up to its volume: the contract price per kg is the market price plus
``price_premium``; the household bears a quality cost per kg (grading, approved inputs,
residue tests), is paid ``payment_delay_months`` after delivery, and the firm defaults in a
year with probability ``default_probability``, leaving ``arrears_share`` of what it owes
unpaid.

A household compares, per kg it would deliver, the contract's expected net price

    net = (contract price - quality cost) x (1 - default_probability x arrears_share)
          x exp(-discount_rate x payment_delay_months / 12)

(the discount rate is what the household pays for credit while it waits: the credit line's
rate, :mod:`model.mechanisms.household_finance`) with the expected market price, so its
expected yearly gain from joining is

    gain = delivered kg x (net - market price) - participation_cost.

Contract farming raised the incomes of Chinese (Shandong) apple and green-onion growers, and
smaller farms were not excluded (Miyata, Minot & Hu 2009, World Development 37(11)); side
selling when spot prices are high and buyers' failure to pay are the contracts' known risks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from model.mechanisms.participation import ChoiceParams
from model.params import PROGRAMME_REPORT, Section, param


@dataclass(frozen=True)
class ContractTerms:
    """The terms of one contract.

    Attributes:
        holder: ``alliance``, ``village`` or ``cooperative``: who signed it.
        holder_index: Index of the holder (alliance position, village row or cooperative
            index in :attr:`model.mechanisms.cooperatives.Cooperatives.all`).
        buyer: Kind of the buying firm (``processor_brand``).
        land_use: Land-use index of the contracted crop.
        price_premium: Contract price over the market price (share).
        volume_t: Capacity: the most the buyer takes a year (tonnes).
        quality_cost_share: Quality cost per kg as a share of the market price per kg.
        payment_delay_months: Months from delivery to payment.
        default_probability: Yearly chance the buyer does not pay.
        arrears_share: Share of a defaulting buyer's payments left unpaid.
    """

    holder: str
    holder_index: int
    buyer: str
    land_use: int
    price_premium: float
    volume_t: float
    quality_cost_share: float
    payment_delay_months: int
    default_probability: float
    arrears_share: float

    def price_per_kg(self, market_price: np.ndarray | float) -> np.ndarray | float:
        """Contract price per kg at a market price per kg."""
        return market_price * (1.0 + self.price_premium)

    def quality_cost_per_kg(self, market_price: np.ndarray | float) -> np.ndarray | float:
        """Quality cost per kg delivered at a market price per kg."""
        return market_price * self.quality_cost_share


def expected_net_price(
    market_price: np.ndarray | float, terms: ContractTerms, discount_rate: float
) -> np.ndarray | float:
    """Expected net price per kg under the contract (the module doc's ``net``).

    Args:
        market_price: Expected market price per kg (yuan/kg).
        terms: The contract's terms.
        discount_rate: Yearly rate at which the household discounts a delayed payment.
    """
    paid = 1.0 - terms.default_probability * terms.arrears_share
    wait = np.exp(-discount_rate * terms.payment_delay_months / 12.0)
    margin = terms.price_per_kg(market_price) - terms.quality_cost_per_kg(market_price)
    return margin * paid * wait


def expected_gain(
    delivered_kg: np.ndarray,
    market_price: np.ndarray | float,
    terms: ContractTerms,
    discount_rate: float,
    participation_cost: float,
) -> np.ndarray:
    """Expected yearly gain of joining against selling at market (yuan/yr per household).

    Args:
        delivered_kg: What each household would deliver a year (kg).
        market_price: Expected market price per kg (yuan/kg).
        terms: The contract's terms.
        discount_rate: Yearly discount rate of delayed payments.
        participation_cost: Yearly cost of taking part (meetings, records; yuan/yr).
    """
    net = expected_net_price(market_price, terms, discount_rate)
    return delivered_kg * (net - market_price) - participation_cost


def capacity_factor(wanted_kg: np.ndarray, delivered_kg: np.ndarray, volume_kg: np.ndarray):
    """Share of this month's wanted deliveries each contract still takes (0-1).

    Args:
        wanted_kg: Deliveries members want to make this month, per contract (kg).
        delivered_kg: Delivered so far this year, per contract (kg).
        volume_kg: Each contract's yearly volume (kg).
    """
    room = np.maximum(volume_kg - delivered_kg, 0.0)
    return np.divide(
        np.minimum(room, wanted_kg), wanted_kg, out=np.zeros(len(wanted_kg)), where=wanted_kg > 0
    )


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
    holder: Literal["alliance", "village", "cooperative"] = param(
        "alliance",
        unit="-",
        source=PROGRAMME_REPORT + ": 'enterprise + cooperative + base'; contracts are signed by "
        "joint organisations, villages or cooperatives",
        description="Who holds contracts: an alliance (villages outside one: the village, where "
        "eligible), each village, or the village's pooling cooperative",
    )
    volume_share: float = param(
        0.5,
        unit="share",
        source="assumption: members deliver part of their crop and sell the rest at market "
        "(side selling, the grades the buyer refuses, own use)",
        description="Share of a member household's specialty output it delivers under contract",
        ge=0,
        le=1,
    )
    volume_tonnes: float = param(
        1500.0,
        unit="t/yr",
        source="assumption: a county processing or brand firm takes some hundreds to a few "
        "thousand tonnes a year from one holder",
        description="Contract volume (capacity): the most the buyer takes from one holder a year",
        ge=0,
        le=1e7,
    )
    quality_cost_share: float = param(
        0.05,
        unit="share of market price per kg",
        source="assumption: grading, approved inputs and residue tests cost a few per cent of "
        "the crop's value (contract growers use more purchased inputs: Miyata, Minot & Hu "
        "2009, World Development 37(11))",
        description="Quality cost per kg delivered, as a share of the market price per kg",
        ge=0,
        le=5,
    )
    payment_delay_months: int = param(
        1,
        unit="months",
        source="assumption: processors pay members within one to two months of delivery",
        description="Months from delivery to payment",
        ge=0,
        le=24,
    )
    participation_cost: float = param(
        300.0,
        unit="yuan/yr",
        source="assumption: meetings, records and inspections take a few days a year",
        description="Yearly cost to a household of taking part in a contract",
        ge=0,
        le=100_000,
    )
    choice: ChoiceParams = ChoiceParams()
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
        description="Yearly chance a firm defaults (drawn from the enterprises stream)",
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
