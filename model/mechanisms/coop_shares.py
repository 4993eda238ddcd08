"""Cooperative shares: who owns a cooperative's surplus, and how it is split.

Households hold land shares (pooled land, valued per mu) and cash shares; the village
collectives hold collective shares. A member household subscribes a cash share by the
participation logit (:mod:`model.mechanisms.participation`) on the gain
``cash_share_amount x (last year's dividend per yuan - deposit_rate)`` plus trust in the
committee (``trust_weight x (capacity - 0.5)``), and only when its savings plus unused
credit cover the amount. A year's surplus first makes good past losses, then is
split into member dividends, the collective share and reserves by a configurable rule.
Losses are real: a loss is carried in the reserves and no dividend is paid until it is
covered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import model_validator

from model.mechanisms.coop_marketing import CoopMarketingParams
from model.mechanisms.participation import ChoiceParams
from model.params import PROGRAMME_REPORT, Section, param


class CashShareChoiceParams(ChoiceParams):
    """The cash-share subscription logit (``policies.coop_shares.cash_share_choice``)."""

    revision_rate: float = param(
        0.2,
        unit="share/yr",
        source="assumption: a member household considers a further subscription about every "
        "five years",
        description="Yearly chance a member household considers buying a cash share",
        gt=0,
        le=1,
    )


class CoopShareParams(Section):
    """Cooperative share parameters (policy ``coop_shares``)."""

    enabled: bool = param(
        False,
        unit="-",
        source="model design: policy switch (docs/ODD.md section 7.6)",
        description="Pooled land becomes cooperative land shares; households may buy cash shares",
    )
    dividend_share: float = param(
        0.6,
        unit="share",
        source="Farmers' Specialized Cooperatives Law art. 44: at least 60 % of distributable "
        "surplus returned to members",
        description="Share of surplus paid as member dividends",
        ge=0,
        le=1,
    )
    collective_share: float = param(
        0.3,
        unit="share",
        source="assumption: collective shares in party-led cooperatives (Anqiu programme "
        "report: 23 party-led cooperatives)",
        description="Share of surplus paid to the member villages' collectives",
        ge=0,
        le=1,
    )
    reserve_share: float = param(
        0.1,
        unit="share",
        source="assumption: public accumulation fund",
        description="Share of surplus kept as reserves",
        ge=0,
        le=1,
    )
    land_share_value_per_mu: float = param(
        1000.0,
        unit="yuan/mu",
        source="assumption: land shares valued near one year's pooled rent",
        description="Share value credited for each mu pooled",
        ge=0,
        le=100000,
    )
    cash_share_amount: float = param(
        3000.0,
        unit="yuan",
        source="assumption: typical subscription in village share cooperatives",
        description="Cash share bought by a subscribing household",
        ge=0,
        le=1_000_000,
    )
    deposit_rate: float = param(
        0.015,
        unit="1/yr",
        source="one-year deposit rates of rural commercial banks about 1.5-1.75 % (2022-2023)",
        description="What a yuan earns in the bank instead of in a cash share",
        ge=0,
        le=0.5,
    )
    trust_weight: float = param(
        1000.0,
        unit="yuan/yr",
        source="assumption: a capable committee makes a cash share trusted (as in land pooling)",
        description="Utility of subscribing per unit of committee capacity above 0.5",
        ge=0,
        le=100_000,
    )
    cash_share_choice: CashShareChoiceParams = CashShareChoiceParams()
    collective_split: Literal["land", "equal", "population"] = param(
        "land",
        unit="-",
        source=PROGRAMME_REPORT + ": joint returns split among members by agreed shares",
        description="How the collective share is split among member villages",
    )
    marketing: CoopMarketingParams = CoopMarketingParams()

    @model_validator(mode="after")
    def _shares_add_up(self) -> CoopShareParams:
        total = self.dividend_share + self.collective_share + self.reserve_share
        if abs(total - 1.0) > 1e-9:
            raise ValueError(
                f"dividend_share + collective_share + reserve_share must equal 1 (got {total:g})"
            )
        return self


@dataclass(frozen=True)
class SurplusSplit:
    """One year's surplus split.

    Attributes:
        dividends: Paid to member households (yuan).
        collective: Paid to member collectives (yuan).
        to_reserves: Added to (or, when negative, taken from) reserves (yuan).
        reserves: Reserves after the year (yuan); negative = loss carried forward.
    """

    dividends: float
    collective: float
    to_reserves: float
    reserves: float


def split_surplus(
    surplus: float,
    reserves: float,
    dividend_share: float,
    collective_share: float,
    reserve_share: float,
) -> SurplusSplit:
    """Split a year's surplus after making good past losses.

    Args:
        surplus: This year's surplus (negative = loss), yuan.
        reserves: Reserves at the start (negative = losses carried), yuan.
        dividend_share: Share of distributable surplus paid as dividends.
        collective_share: Share paid to collectives.
        reserve_share: Share kept.

    Returns:
        The :class:`SurplusSplit`.
    """
    if surplus <= 0:
        return SurplusSplit(0.0, 0.0, surplus, reserves + surplus)
    cover = min(surplus, max(-reserves, 0.0))
    distributable = surplus - cover
    dividends = distributable * dividend_share
    collective = distributable * collective_share
    kept = distributable * reserve_share + cover
    return SurplusSplit(dividends, collective, kept, reserves + kept)
