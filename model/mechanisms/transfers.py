"""Transfers: pensions, farmland subsidies and other public and private transfers.

These complete disposable income (docs/ODD.md section 7.4); they are exogenous to the programme
and paid by the ``government`` sector (pensions, subsidies) or arrive from outside
(``market``: remittances from non-members, medical reimbursement and the like).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.params import Section, param

if TYPE_CHECKING:
    from model.jointmodel import JointVillageModel


class TransferParams(Section):
    """Transfer parameters."""

    pension_monthly: float = param(
        200.0,
        unit="yuan/person/month",
        source="assumption: Shandong urban-rural residents' basic pension minimum ~190-200 "
        "yuan/month (2023), plus small personal-account part",
        description="Basic pension per person aged 60+",
        ge=0,
        le=5000,
    )
    farmland_subsidy_per_mu: float = param(
        125.0,
        unit="yuan/mu/yr",
        source="assumption: Shandong cultivated-land protection subsidy ~120-130 yuan/mu",
        description="Subsidy per mu of contracted land, paid in May",
        ge=0,
        le=1000,
    )
    other_transfers_per_person: float = param(
        1900.0,
        unit="yuan/person/yr",
        source="assumption: remittances from non-members, medical reimbursement, assistance; "
        "calibrated so transfers are ~15 % of income (Shandong Q1 2025)",
        description="Other transfer income per registered person",
        ge=0,
        le=50000,
    )
    subsidy_month: int = param(
        5,
        unit="month",
        source="assumption",
        description="Month the land subsidy is paid",
        ge=1,
        le=12,
    )


class Transfers:
    """Pays pensions and transfers every month and the land subsidy once a year.

    Args:
        model: The model.
    """

    def __init__(self, model: JointVillageModel) -> None:
        self.model = model
        self.params = model.config.transfers

    def pay(self) -> None:
        """Pay this month's transfers."""
        p = self.params
        model = self.model
        hh = model.households
        pay = model.accounts.pay_households
        factor = model.prices.factor("transfer")
        # The same every month of a year: worked out once (model/yearly_amounts.py).
        yearly = model.accounts.pay_households_yearly
        yearly(
            "transfer",
            "pension",
            "government",
            "the elderly",
            lambda: hh.elderly * (p.pension_monthly * factor),
        )
        yearly(
            "transfer",
            "other_transfer",
            "market",
            "members",
            lambda: hh.members * (p.other_transfers_per_person / 12.0 * factor),
        )
        if model.month == p.subsidy_month:
            pay(
                "transfer",
                hh.contracted_mu * (p.farmland_subsidy_per_mu * factor),
                "government",
                "farmland_subsidy",
            )
