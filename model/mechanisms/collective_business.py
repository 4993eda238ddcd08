"""Collective businesses: a village or alliance company invests in a business (ODD 7.21).

Each January an investor — an alliance's company (its member villages, once the alliance
has taken up its mode's work) or, with ``investor = "village"``, every village alone —
looks at the business types (:mod:`model.mechanisms.business_types`: warehousing,
processing, services, rental property). Its equity is the members' collective cash above a
reserve plus any public money they hold for the purpose; a bank lends ``loan_share`` of the
investment. It starts the affordable type with the highest expected net present value at
the deposit rate plus a risk premium, if that value is positive — that is, if the type's
expected return, after its ramp-up and its chance of failure, beats the deposit rate plus
the premium. At most one new business a year and ``max_businesses`` at a time.

Each December a running business earns ``investment × r × ramp`` (``r`` drawn once per
business, so a business can lose money), pays the loan's interest and principal, and the
rest — a dividend, or a loss — goes to the owner villages by the split rule: ``capital``
(each village's stake: its cash and public money put in), ``equal`` or ``population``.
Each January a business fails with its type's chance: its capital is written down to zero,
and its loan is still serviced by the owners until repaid. Every yuan goes through the
accounts (public money is recorded as programme spending); draws come from the
``collective_business`` stream.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from model.params import Section, param
from model.rng import stream

if TYPE_CHECKING:
    from model.jointmodel import JointVillageModel

SplitRule = Literal["capital", "equal", "population"]
CENTRAL_SUPPORT = (
    "central support for village collective economies (中组部、财政部、农业农村部《关于"
    "坚持和加强农村基层党组织领导扶持壮大村级集体经济的通知》, 2018): about 500,000 yuan "
    "to each supported village"
)


class CollectiveBusinessParams(Section):
    """Collective businesses: who invests, in what, with what money, and who gets what."""

    enabled: bool = param(
        False,
        unit="-",
        source="model design: on where a scenario runs collective businesses",
        description="Collectives (or alliance companies) invest in businesses",
    )
    businesses_file: str = param(
        "data/collective_businesses.csv",
        unit="-",
        source="assumption: four types with stated investment, return, ramp-up and failure",
        description="Business types: business, label_zh, investment, return_mean, return_sd, "
        "ramp_years, failure_probability, source",
    )
    investor: Literal["alliance", "village"] = param(
        "alliance",
        unit="-",
        source="Anqiu programme report (大众新媒体 party-building case, 2023): alliances set "
        "up joint companies; 'village': every village invests alone",
        description="Who invests: each alliance's company or each village",
    )
    split_rule: SplitRule = param(
        "capital",
        unit="-",
        source="assumption: dividends by shares paid in, as in a joint-stock company",
        description="How dividends (and losses) are split among the owner villages",
    )
    reserve_years: float = param(
        0.5,
        unit="yr",
        source="assumption: a collective keeps half a year's income for its public services",
        description="Cash a collective keeps, in years of its last income, before investing",
        ge=0,
        le=10,
    )
    public_money_per_village: float = param(
        500000.0,
        unit="yuan",
        source=CENTRAL_SUPPORT,
        description="Public money each supported village may put into a business (once)",
        ge=0,
        le=100_000_000,
    )
    public_money_to: Literal["weak", "all"] = param(
        "weak",
        unit="-",
        source=CENTRAL_SUPPORT + ", for weak villages first",
        description="Which villages get it: weak at the start, or all",
    )
    loan_share: float = param(
        0.5,
        unit="share",
        source="assumption: a rural commercial bank lends up to half of a collective "
        "project's cost against its assets",
        description="Share of the investment financed by a bank loan",
        ge=0,
        lt=1,
    )
    loan_rate: float = param(
        0.045,
        unit="1/yr",
        source="assumption: rural commercial bank loan rate (as modes.industry_pull)",
        description="Interest on the loan",
        ge=0,
        le=0.5,
    )
    loan_years: int = param(
        10, unit="yr", source="assumption", description="Years to repay the loan", ge=1, le=50
    )
    deposit_rate: float = param(
        0.0175,
        unit="1/yr",
        source="assumption: one-year fixed deposit rates of rural commercial banks, 2023",
        description="What the collective's money earns in the bank instead",
        ge=0,
        le=0.5,
    )
    risk_premium: float = param(
        0.03,
        unit="1/yr",
        source="assumption: what a committee asks above the deposit rate to risk its funds",
        description="Premium over the deposit rate an expected return must beat",
        ge=0,
        le=0.5,
    )
    horizon_years: int = param(
        20,
        unit="yr",
        source="assumption: the planning horizon of a collective project; the capital "
        "still standing then counts at its value",
        description="Years over which the expected return is valued",
        ge=1,
        le=100,
    )
    max_businesses: int = param(
        3,
        unit="businesses",
        source="assumption: what a committee can oversee",
        description="Most businesses one investor runs at a time",
        ge=0,
        le=100,
    )


def ramp(age: np.ndarray | float, ramp_years: np.ndarray | float) -> np.ndarray:
    """Share of full operation in operating year ``age`` (1 = the first year)."""
    return np.minimum(np.asarray(age, dtype=float) / ramp_years, 1.0)


def expected_npv(
    return_mean: np.ndarray,
    ramp_years: np.ndarray,
    failure_probability: np.ndarray,
    hurdle: float,
    horizon: int,
) -> np.ndarray:
    """Expected net present value of one yuan invested, at the hurdle rate.

    The business survives each year with ``1 - p``; while it runs it earns the mean return
    times its ramp; the capital still standing after ``horizon`` years counts at par:
    ``-1 + sum_t (1-p)^t r ramp(t) / (1+h)^t + (1-p)^H / (1+h)^H``. Positive exactly when
    the expected return beats the hurdle.
    """
    years = np.arange(1, horizon + 1, dtype=float)[:, None]
    alive = (1.0 - np.asarray(failure_probability, dtype=float)) ** years
    discount = (1.0 + hurdle) ** -years
    income = (alive * np.asarray(return_mean) * ramp(years, ramp_years) * discount).sum(axis=0)
    return -1.0 + income + alive[-1] * discount[-1]


def split_weights(
    rule: SplitRule, owners: np.ndarray, stake: np.ndarray, population: np.ndarray
) -> np.ndarray:
    """Each owner village's share of a business's dividend (sums to 1).

    Args:
        rule: ``capital`` (by stake), ``equal`` or ``population``.
        owners: Village rows of the owners.
        stake: Capital each owner put in (yuan), aligned with ``owners``.
        population: Population of every village.
    """
    if rule == "capital":
        weights = np.asarray(stake, dtype=float)
    elif rule == "population":
        weights = np.asarray(population, dtype=float)[owners]
    else:
        weights = np.ones(len(owners))
    total = weights.sum()
    return weights / total if total > 0 else np.full(len(owners), 1.0 / len(owners))


@dataclass
class Business:
    """One business.

    Attributes:
        kind: Index of its type.
        investor: Index of the investor that owns it.
        owners: Village rows of the owners.
        stake: Capital each owner put in (yuan).
        investment: Its cost (yuan).
        rate: Its drawn yearly net income at full operation over the investment.
        loan: Principal still owed (yuan).
        repayment: Principal repaid each year (yuan).
        age: Years it has operated.
        running: Not failed.
    """

    kind: int
    investor: int
    owners: np.ndarray
    stake: np.ndarray
    investment: float
    rate: float
    loan: float
    repayment: float
    age: int = 0
    running: bool = True


class CollectiveBusinesses:
    """The investors' businesses: decisions each January, returns each December.

    Args:
        model: The model (villages, alliances, collective books and uptake exist).

    Attributes:
        types: The business types (empty when switched off).
        public_available: Public money each village still holds for a business (yuan).
        businesses: Every business started, in order.
        written_down: Capital lost in failed businesses since the start (yuan).
        income_year: Each village's business income this year, after loan interest (yuan).
    """

    def __init__(self, model: JointVillageModel) -> None:
        self.model = model
        self.params: CollectiveBusinessParams = model.config.collective_business
        p = self.params
        n = model.n_villages
        # The table reader needs pandas; imported here so that reading the schema does not.
        from model.mechanisms.business_types import BusinessTypes, read_business_types

        self.types = (
            read_business_types(
                model.config.resolve_data_path("collective_business.businesses_file")
            )
            if p.enabled
            else BusinessTypes((), *(np.zeros(0) for _ in range(5)))
        )
        self.rng = stream(model.config.seed, "collective_business", model.replicate)
        weak = model.villages.collective_start < model.config.collective.weak_threshold
        eligible = weak if p.public_money_to == "weak" else np.ones(n, dtype=bool)
        self.public_available = np.where(eligible, p.public_money_per_village, 0.0)
        self.businesses: list[Business] = []
        self.written_down = 0.0
        self.income_year = np.zeros(n)

    def investors(self) -> list[np.ndarray]:
        """The owner villages of each investor, in a fixed order.

        An alliance's company counts once the alliance has taken up its mode's work (its
        primary members own it); with ``investor = "village"`` every village is one.
        """
        model = self.model
        if self.params.investor == "village":
            return [np.array([v]) for v in range(model.n_villages)]
        membership = model.villages.membership
        return [
            np.flatnonzero(membership == index)
            if model.uptake.alliance_active("mode", index)
            else np.zeros(0, dtype=np.int64)
            for index in range(len(model.alliance_agents))
        ]

    def new_year(self) -> None:
        """Failures first, then each investor's decision."""
        if not self.params.enabled:
            return
        self.income_year[:] = 0.0
        for business in self.businesses:
            if business.running and business.age >= 1:
                p_fail = self.types.failure_probability[business.kind]
                if self.rng.random() < p_fail:
                    business.running = False
                    self.written_down += business.investment
        for index, owners in enumerate(self.investors()):
            running = sum(b.running and b.investor == index for b in self.businesses)
            if len(owners) and running < self.params.max_businesses:
                self._decide(index, owners)

    def hurdle(self) -> float:
        """The rate an expected return must beat: deposit rate plus risk premium."""
        return self.params.deposit_rate + self.params.risk_premium

    def choose(self, equity: float) -> int | None:
        """The affordable type with the highest positive expected value (``None``: none)."""
        t, p = self.types, self.params
        if not len(t):
            return None
        npv = expected_npv(
            t.return_mean, t.ramp_years, t.failure_probability, self.hurdle(), p.horizon_years
        )
        need = self.investment() * (1.0 - p.loan_share)
        feasible = (need <= equity * (1 + 1e-12)) & (npv > 0)
        if not feasible.any():
            return None
        return int(np.flatnonzero(feasible)[np.argmax(npv[feasible])])

    def investment(self) -> np.ndarray:
        """This year's investment of each business type: its 2023 cost on the CPI."""
        return self.types.investment * self.model.prices.factor("cpi")

    def investable(self, owners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each owner's cash above its reserve, and its public money held (yuan)."""
        collective = self.model.collective
        reserve = self.params.reserve_years * np.maximum(collective.reference()[owners], 0.0)
        own = np.maximum(collective.cash[owners] - reserve, 0.0)
        return own, self.public_available[owners].copy()

    def _decide(self, index: int, owners: np.ndarray) -> None:
        """Start the best business the investor can afford, if one is worth it."""
        model, p, t = self.model, self.params, self.types
        own, public = self.investable(owners)
        kind = self.choose(float(own.sum() + public.sum()))
        if kind is None:
            return
        investment = float(self.investment()[kind])
        need = investment * (1.0 - p.loan_share)
        # Public money is spent first (it is held for this purpose), then the cash.
        from_public = _pro_rata(public, min(need, float(public.sum())))
        from_own = _pro_rata(own, need - float(from_public.sum()))
        self.public_available[owners] -= from_public
        spent = np.zeros(model.n_villages)
        spent[owners] = from_public
        model.accounts.spend_public("collective_business", spent, payee="market")
        model.collective.cash[owners] -= from_own
        model.ledger.pay("collectives", "market", "investment", float(from_own.sum()))
        rate = float(self.rng.normal(t.return_mean[kind], t.return_sd[kind]))
        loan = investment * p.loan_share
        self.businesses.append(
            Business(
                kind,
                index,
                owners,
                from_public + from_own,
                investment,
                rate,
                loan,
                loan / p.loan_years,
            )
        )

    def pay_year_end(self) -> None:
        """Each business's year: income, loan service, dividends or losses by the split."""
        if not self.params.enabled or not self.businesses:
            return
        model, p = self.model, self.params
        n = model.n_villages
        income, interest, principal = np.zeros(n), np.zeros(n), np.zeros(n)
        for b in self.businesses:
            if not b.running and b.loan <= 0:
                continue
            weights = split_weights(p.split_rule, b.owners, b.stake, model.villages.population)
            if b.running:
                b.age += 1
                earned = b.investment * b.rate * float(ramp(b.age, self.types.ramp_years[b.kind]))
                income[b.owners] += weights * earned
            interest[b.owners] += weights * b.loan * p.loan_rate
            repaid = min(b.repayment, b.loan)
            b.loan -= repaid
            principal[b.owners] += weights * repaid
        pay = model.accounts.pay_collectives
        pay("business", np.maximum(income, 0.0), "market", "business_income")
        pay("business", np.minimum(income, 0.0), "market", "business_loss")
        pay("business", -interest, "market", "business_loan_interest")
        model.collective.cash -= principal
        model.ledger.pay("collectives", "market", "loan_repayment", float(principal.sum()))
        self.income_year += income - interest

    def capital(self) -> np.ndarray:
        """Each village's equity in running businesses (yuan): its stakes, not the loans."""
        out = np.zeros(self.model.n_villages)
        for b in self.businesses:
            if b.running:
                out[b.owners] += b.stake
        return out


def _pro_rata(available: np.ndarray, amount: float) -> np.ndarray:
    """``amount`` taken from each in proportion to what it has (all of it at most)."""
    total = float(available.sum())
    if total <= 0 or amount <= 0:
        return np.zeros_like(available)
    return available * min(amount / total, 1.0)
