"""Financing the operators' specialty bases: bank loans, their service, and payments.

An operator of pooled land (:mod:`model.mechanisms.operators`) borrows a base's investment
from the bank, within ``policies.land_pooling.bases.credit_per_mu`` of its pooled land; in
December it pays interest at ``loan_rate`` (a cost in its books) and repays
``1 / loan_term_years`` of the loan from its cash. Each function sums by-village amounts
over each operator's villages (an operator serves one or more villages) and books the money
in the operators' cash and the ledger.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from model.jointmodel import JointVillageModel
    from model.mechanisms.operators import OperatorBaseParams


def coop_totals(model: JointVillageModel, by_village: np.ndarray) -> np.ndarray:
    """Sum a by-village quantity over each cooperative's villages (villages without an
    operator count nowhere)."""
    coops = model.cooperatives
    index = np.where(coops.operator_of >= 0, coops.operator_of, 0)
    return np.bincount(index, by_village * (coops.operator_of >= 0), minlength=len(coops))


def loan_share(
    model: JointVillageModel, params: OperatorBaseParams, wanted: np.ndarray
) -> np.ndarray:
    """Share of each village's wanted investment its operator's credit covers."""
    coops = model.cooperatives
    limit = model.prices.nominal(params.credit_per_mu) * coop_totals(
        model, model.pooling.pooled_by_village()
    )
    room = limit - np.array([coop.loan for coop in coops])
    want = coop_totals(model, wanted)
    share = np.clip(np.divide(room, want, out=np.ones_like(want), where=want > 0), 0, 1)
    return share[np.maximum(coops.operator_of, 0)]


def borrow_and_invest(model: JointVillageModel, investment: np.ndarray) -> float:
    """The operators borrow the investment (by village) from the bank and pay it out;
    return the total (yuan)."""
    per_coop = coop_totals(model, investment)
    for coop, amount in zip(model.cooperatives, per_coop, strict=False):
        if amount > 0:
            coop.loan += float(amount)
            model.ledger.pay("market", "cooperatives", "loan", float(amount))
            model.ledger.pay("cooperatives", "market", "investment", float(amount))
    return float(per_coop.sum())


def pay_by_operator(model: JointVillageModel, by_village: np.ndarray, kind: str) -> None:
    """The operators pay a by-village cost to the market from their cash."""
    for coop, amount in zip(model.cooperatives, coop_totals(model, by_village), strict=False):
        if amount > 0:
            coop.cash -= float(amount)
            model.ledger.pay("cooperatives", "market", kind, float(amount))


def service_loans(model: JointVillageModel, params: OperatorBaseParams) -> None:
    """December: operators pay interest on their base loans and repay part of them."""
    ledger = model.ledger
    for coop in model.cooperatives:
        if coop.is_specialty or coop.loan <= 0:
            continue
        interest = coop.loan * params.loan_rate
        coop.book("interest", interest)
        ledger.pay("cooperatives", "market", "interest", interest)
        repay = coop.loan / params.loan_term_years
        coop.loan -= repay
        coop.cash -= repay
        ledger.pay("cooperatives", "market", "loan_repayment", repay)
