"""Household agent: a thin view on one row of the household columns (DESIGN section 7).

Households are not created as Mesa agents for a run (240,000 agents cost ~2 s); a notebook
asks ``model.household(i)`` and gets a view that reads and writes the row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from model.jointmodel import JointVillageModel


class Household(mesa.Agent):
    """A farm household.

    Attributes:
        row: Row in the model's household columns.
    """

    model: JointVillageModel

    def __init__(self, model: JointVillageModel, row: int) -> None:
        super().__init__(model)
        self.row = row

    def __getattr__(self, name: str) -> float:
        # Only reached for names not on the agent: read the household column.
        columns = self.__dict__.get("model")
        if columns is None:
            raise AttributeError(name)
        table = self.model.households
        if hasattr(table, name) and name not in ("income", "row"):
            value = getattr(table, name)
            if hasattr(value, "__len__") and len(value) == table.n:
                return value[self.row].item()
        raise AttributeError(name)

    @property
    def income(self) -> dict[str, float]:
        """This year's income so far by source (yuan)."""
        return {s: float(v[self.row]) for s, v in self.model.households.income.items()}

    @property
    def per_capita_income(self) -> float:
        """Last closed year's income per member (yuan)."""
        hh = self.model.households
        return float(hh.last_year_income[self.row] / max(hh.members[self.row], 1.0))
