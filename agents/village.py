"""Village agent: a view on one village's row of the village table (``model.villages``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from agents.alliance import Alliance
    from model.jointmodel import JointVillageModel


class Village(mesa.Agent):
    """An administrative village with its own collective books.

    Villages keep their own boundaries, collective ownership and accounts ("five
    unchanged"); the numbers live in the village table (``model.villages``) so that months
    stay vectorised.

    Attributes:
        row: Row of the village in the county table and the model's arrays.
        village_id: Identifier from the county table.
        town: Town or street.
    """

    model: JointVillageModel

    def __init__(self, model: JointVillageModel, row: int) -> None:
        super().__init__(model)
        self.row = row
        labels = model.county.village_labels[row]
        self.village_id: str = labels[0]
        self.town: str = labels[1]
        self.industry: str = labels[2]

    @property
    def population(self) -> float:
        """Registered members of its households."""
        return float(self.model.villages.population[self.row])

    @property
    def capacity(self) -> float:
        """Effective committee capacity (0-1)."""
        return float(self.model.villages.capacity[self.row])

    @property
    def collective_income(self) -> float:
        """Collective operating income last closed year (yuan)."""
        return float(self.model.collective.last_year[self.row])

    @property
    def collective_income_by_source(self) -> dict[str, float]:
        """This year's collective income so far, by source (yuan)."""
        return {s: float(v[self.row]) for s, v in self.model.collective.year.items()}

    @property
    def alliance(self) -> Alliance | None:
        """The village's alliance, if any."""
        index = int(self.model.villages.membership[self.row])
        return self.model.alliance_agents[index] if index >= 0 else None

    @property
    def weak(self) -> bool:
        """Collective income under the weak-village bar last year."""
        return self.collective_income < self.model.prices.weak_bar()
