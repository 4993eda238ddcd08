"""Household state in columns: one numpy array per attribute, rows sorted by village.

Full scale is ~240,000 households (docs/architecture.md), so household state is one numpy array
per attribute, rows sorted by village so that village totals are a single
``np.add.reduceat`` (:meth:`model.villages.VillageTable.sum_by_village`).
:class:`agents.household.Household` objects are thin views on a row, made on request. The
households are drawn from the county's village totals by
:func:`model.world.households.generate_households`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING

import numpy as np

from model.registry import income_source_names

if TYPE_CHECKING:  # the scenario schema imports this module: pandas only for the frame
    import pandas as pd

#: The balance-sheet columns (zeros when a table is built without them).
BALANCE_SHEET = (
    "savings",
    "debt",
    "informal_debt",
    "credit_limit",
    "productive_assets",
    "expected_income",
)
#: The converted-land columns (:mod:`model.mechanisms.conversions`) and their start values.
CONVERTED_LAND = {"converted_mu": 0.0, "converted_use": -1, "converted_age": 0.0}

#: The participation columns (all False when a table is built without them).
PARTICIPATION = ("contract_member", "marketing_member")

#: Seller experience and farm-exit columns (zeros when a table is built without them).
SELLER_YEARS = ("seller_years",)
FARM_EXIT = ("expected_margin", "loss_years", "exited_mu")


@dataclass
class HouseholdTable:
    """Column store of all households, sorted by village.

    Land identity (conserved per household):
    ``contracted_mu = grain_mu + specialty_mu + pooled_mu + rented_out_mu + idle_mu
    + leased_mu + converted_mu``.

    Attributes:
        village: Village row of each household.
        members: Registered members.
        elderly: Members aged 60+.
        head_age: Age of the head (yr).
        education: Head's years of schooling.
        labour: Working-age labour units.
        migrant: Labour units working outside the county.
        local_wage: Labour units in local wage work.
        contracted_mu: Contracted land (mu).
        grain_mu: Own-farmed grain land (mu).
        specialty_mu: Own-farmed land under the village specialty (mu).
        pooled_mu: Land pooled to an operator (mu).
        rented_out_mu: Land rented out privately (mu).
        idle_mu: Idle land (mu).
        leased_mu: Land leased to a specialty cooperative's greenhouse base (mu).
        attachment: Attachment to own land (yuan/mu/yr).
        ability: Farming ability (yield multiplier).
        earning: Earning ability (wage multiplier; schooling and luck).
        business_income: Yearly net income of a sideline business (yuan).
        cash_shares: Cash shares held in the pooling cooperative (yuan).
        specialty_shares: Shares held in the alliance's specialty cooperative (yuan).
        seller: Trained livestream seller.
        seller_skill: Seller's skill (multiplier of sales).
        savings: Deposits (yuan); every payment to or by the household moves them. Negative
            only within a month, until the credit line covers the overdraft
            (:mod:`model.mechanisms.household_finance`).
        debt: Principal owed to the rural credit cooperative on the credit line (yuan).
        informal_debt: Owed to relatives and friends for what the line could not cover (yuan).
        credit_limit: Credit line (yuan); ``savings - debt >= -credit_limit`` always.
        productive_assets: Productive assets: farm machinery, tools, business stock (yuan).
        expected_income: Income the household expects this year (yuan/yr).
        income: Income this year by source (yuan).
        last_year_income: Total income last year (yuan).
        converted_mu: Grain land converted to another land use (mu).
        converted_use: Land-use index of the converted land (-1 for none).
        converted_age: Years since the converted land was planted (area-weighted).
        contract_member: In an enterprise contract (:mod:`model.mechanisms.enterprises`).
        marketing_member: Sells its specialty through its joint specialty cooperative
            (:mod:`model.mechanisms.coop_marketing`).
        homestay_beds: Beds of the household's homestay (:mod:`model.mechanisms.tourism`).
        seller_years: Years the seller has sold (:mod:`model.mechanisms.seller_dynamics`).
        expected_margin: Expected farming margin per mu of own land, after the value of the
            family's labour (yuan/mu/yr; :mod:`model.mechanisms.farm_exit`).
        loss_years: Consecutive years the expected margin, with attachment, has been below
            what leaving the land brings.
        exited_mu: Land the household stopped farming at a loss, now rented out or idle (mu).
        lease_back_mu: Plot of an operator's base the household leases back and farms
            (:mod:`model.mechanisms.lease_back`); pooled land, not part of its own land (mu).
    """

    village: np.ndarray
    members: np.ndarray
    elderly: np.ndarray
    head_age: np.ndarray
    education: np.ndarray
    labour: np.ndarray
    migrant: np.ndarray
    local_wage: np.ndarray
    contracted_mu: np.ndarray
    grain_mu: np.ndarray
    specialty_mu: np.ndarray
    pooled_mu: np.ndarray
    rented_out_mu: np.ndarray
    idle_mu: np.ndarray
    leased_mu: np.ndarray
    attachment: np.ndarray
    ability: np.ndarray
    earning: np.ndarray
    business_income: np.ndarray
    cash_shares: np.ndarray
    specialty_shares: np.ndarray
    seller: np.ndarray
    seller_skill: np.ndarray
    savings: np.ndarray = field(default_factory=lambda: np.zeros(0))
    debt: np.ndarray = field(default_factory=lambda: np.zeros(0))
    informal_debt: np.ndarray = field(default_factory=lambda: np.zeros(0))
    credit_limit: np.ndarray = field(default_factory=lambda: np.zeros(0))
    productive_assets: np.ndarray = field(default_factory=lambda: np.zeros(0))
    expected_income: np.ndarray = field(default_factory=lambda: np.zeros(0))
    income: dict[str, np.ndarray] = field(default_factory=dict)
    last_year_income: np.ndarray = field(default_factory=lambda: np.zeros(0))
    converted_mu: np.ndarray = field(default_factory=lambda: np.zeros(0))
    converted_use: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    converted_age: np.ndarray = field(default_factory=lambda: np.zeros(0))
    contract_member: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    marketing_member: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    homestay_beds: np.ndarray = field(default_factory=lambda: np.zeros(0))
    seller_years: np.ndarray = field(default_factory=lambda: np.zeros(0))
    expected_margin: np.ndarray = field(default_factory=lambda: np.zeros(0))
    loss_years: np.ndarray = field(default_factory=lambda: np.zeros(0))
    exited_mu: np.ndarray = field(default_factory=lambda: np.zeros(0))
    lease_back_mu: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def __post_init__(self) -> None:
        n = len(self.village)
        if not self.income:
            self.income = {s: np.zeros(n) for s in income_source_names()}
        for name in (*BALANCE_SHEET, "last_year_income", *SELLER_YEARS, *FARM_EXIT):
            if len(getattr(self, name)) != n:
                setattr(self, name, np.zeros(n))
        for name, start in CONVERTED_LAND.items():
            if len(getattr(self, name)) != n:
                setattr(self, name, np.full(n, start, dtype=type(start)))
        for name in PARTICIPATION:
            if len(getattr(self, name)) != n:
                setattr(self, name, np.zeros(n, dtype=bool))
        if len(self.homestay_beds) != n:
            self.homestay_beds = np.zeros(n)
        if len(self.lease_back_mu) != n:
            self.lease_back_mu = np.zeros(n)
        order_ok = n == 0 or bool(np.all(np.diff(self.village) >= 0))
        if not order_ok:
            raise ValueError("households must be sorted by village")

    def __len__(self) -> int:
        return len(self.village)

    @property
    def n(self) -> int:
        """Number of households."""
        return len(self.village)

    @property
    def farm_labour(self) -> np.ndarray:
        """Labour units left for the family farm."""
        return self.farm_labour_at(slice(None))

    def farm_labour_at(self, rows: np.ndarray | slice) -> np.ndarray:
        """:attr:`farm_labour` of the households ``rows`` (worked out on those rows only)."""
        return np.maximum(self.labour[rows] - self.migrant[rows] - self.local_wage[rows], 0.0)

    @property
    def land_total(self) -> np.ndarray:
        """Sum of land by status; equals ``contracted_mu`` when land is conserved."""
        return (
            self.grain_mu
            + self.specialty_mu
            + self.pooled_mu
            + self.rented_out_mu
            + self.idle_mu
            + self.leased_mu
            + self.converted_mu
        )

    def spendable(self) -> np.ndarray:
        """What each household can pay now: savings plus unused credit (yuan)."""
        return self.savings + np.maximum(self.credit_limit - self.debt, 0.0)

    def net_financial(self) -> np.ndarray:
        """Savings less both debts (yuan)."""
        return self.savings - self.debt - self.informal_debt

    def wealth(self) -> np.ndarray:
        """Net worth without land and house: savings - debts + shares + productive assets."""
        return (
            self.savings
            - self.debt
            - self.informal_debt
            + self.cash_shares
            + self.specialty_shares
            + self.productive_assets
        )

    def total_income(self) -> np.ndarray:
        """This year's income so far, all sources (yuan)."""
        return sum(self.income.values())  # type: ignore[return-value]

    def reset_year(self) -> None:
        """Close the household year: remember the total and zero the accumulators."""
        self.last_year_income = self.total_income()
        for values in self.income.values():
            values[:] = 0.0

    def to_frame(self) -> pd.DataFrame:
        """All households as a DataFrame (micro-data)."""
        import pandas as pd

        data = {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name not in ("income", "last_year_income")
        }
        for source, values in self.income.items():
            data[f"income_{source}"] = values
        return pd.DataFrame(data)


def village_offsets(village: np.ndarray, n_villages: int) -> np.ndarray:
    """Start row of each village's block (every village has at least one household)."""
    starts = np.searchsorted(village, np.arange(n_villages))
    return starts
