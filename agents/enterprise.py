"""Enterprise agent: a firm under contract with an alliance, a village or a cooperative."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

if TYPE_CHECKING:
    from model.jointmodel import JointVillageModel
    from model.mechanisms.contracts import ContractTerms


class Enterprise(mesa.Agent):
    """A processor/brand firm, agri-service firm or e-commerce platform.

    Attributes:
        kind: ``processor_brand``, ``agri_service`` or ``ecommerce_platform``.
        terms: The contract's terms (holder, crop, price, volume, quality cost, delay, risk).
        villages: Village rows under contract.
        active: Contract in force this year.
        defaulted: Defaulted this year (leaves arrears).
        years_held: Years the contract has run.
    """

    model: JointVillageModel

    def __init__(
        self, model: JointVillageModel, terms: ContractTerms, villages: tuple[int, ...]
    ) -> None:
        super().__init__(model)
        self.kind = terms.buyer
        self.terms = terms
        self.villages: tuple[int, ...] = tuple(int(v) for v in villages)
        self.active = False
        self.defaulted = False
        self.years_held = 0

    def sync(self) -> None:
        """Read this year's contract state from the contracts mechanism."""
        contracts = self.model.contracts
        first = self.villages[0]
        self.active = bool(contracts.active[first])
        self.defaulted = bool(contracts.defaulted[first])
        self.years_held = self.years_held + 1 if self.active else 0

    @property
    def members(self) -> int:
        """Households of the contracted villages that take part in the contract."""
        hh = self.model.households
        return int(hh.contract_member[np.isin(hh.village, self.villages)].sum())

    @property
    def arrears(self) -> float:
        """Obligations left unpaid to the contracted villages so far (yuan)."""
        return float(self.model.contracts.arrears[list(self.villages)].sum())
