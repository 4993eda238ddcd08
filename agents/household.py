"""Household agent: a thin view on one row of the household columns (docs/architecture.md).

Households are not created as Mesa agents for a run (240,000 agents cost ~2 s); a notebook
asks ``model.household(i)`` and gets a view whose attributes read and write that row of
:class:`~model.households.HouseholdTable` (``members``, ``head_age``, ``pooled_mu``,
``seller`` ...). The view is made on the first request and cached: asking again returns the
same agent.
"""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING, Any

import mesa

from model.households import HouseholdTable

if TYPE_CHECKING:
    from model.jointmodel import JointVillageModel

_NOT_COLUMNS = ("income", "last_year_income")


class Household(mesa.Agent):
    """A farm household: every column of the household table is an attribute.

    Attributes:
        row: Row in the model's household columns.
    """

    model: JointVillageModel

    def __init__(self, model: JointVillageModel, row: int) -> None:
        super().__init__(model)
        self.row = row

    @property
    def income(self) -> dict[str, float]:
        """This year's income so far by source (yuan)."""
        return {s: float(v[self.row]) for s, v in self.model.households.income.items()}

    @property
    def per_capita_income(self) -> float:
        """Last closed year's income per member (yuan)."""
        hh = self.model.households
        return float(hh.last_year_income[self.row] / max(hh.members[self.row], 1.0))


def _column_property(name: str) -> property:
    def get(self: Household) -> Any:
        return getattr(self.model.households, name)[self.row].item()

    def set_(self: Household, value: Any) -> None:
        getattr(self.model.households, name)[self.row] = value

    return property(get, set_, doc=f"Household column ``{name}`` (a view on the row).")


for _field in fields(HouseholdTable):
    if _field.name not in _NOT_COLUMNS:
        setattr(Household, _field.name, _column_property(_field.name))
