"""Per-village state in one owner, as :class:`~model.households.HouseholdTable` owns
the household columns.

A village's fixed description (identifier, town, industry, position, start figures) is a
row of the county's village frame (``model.county.villages``). What the model reads and
changes month by month lives here, one numpy array per quantity indexed by village row, so
that mechanisms stay vectorised and every quantity has one home.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.households import HouseholdTable, village_offsets


class VillageTable:
    """State of every village.

    Args:
        frame: The county's village frame.
        households: The household columns (sorted by village).
        land_use: Land-use index of each village's specialty.
        membership: Index of each village's primary alliance in the model's alliance list
            (-1 for none).

    Attributes:
        n: Number of villages.
        offsets: First household row of each village.
        household_counts: Household rows of each village.
        population: Registered members of each village's households.
        cultivated: Cultivated land (mu).
        land_use: Land-use index of the village specialty.
        membership: Primary alliance index (-1 for none).
        allied: In an alliance.
        base_capacity: Committee capacity before effort and first secretaries (mentoring
            raises it).
        capacity: Effective committee capacity this month.
        collective_start: Collective income in the year before the first (yuan/yr).
        yield_noise: This year's village yield multiplier (weather and soil).
        public_spent: Programme money spent on the village since the start (yuan).
        public_spent_year: The same, this year (yuan).
        labour_at_home: Labour units living at home (changes when labour is reallocated).
        household_labour_at_home: Each household's labour units at home (counted with it).
        pooled: Pooled land this month (mu), as the alliances read it when tracking tasks.
        sellers: Active livestream sellers this month, as the alliances read them.
        collective_ytd: Collective income so far this year (yuan), as the alliances read it.
    """

    def __init__(
        self,
        frame: pd.DataFrame,
        households: HouseholdTable,
        land_use: np.ndarray,
        membership: np.ndarray,
    ) -> None:
        self.n = len(frame)
        self.offsets = village_offsets(households.village, self.n)
        self.household_counts = np.diff(np.append(self.offsets, households.n))
        self.population = self.sum_by_village(households.members)
        self.cultivated = frame["cultivated_mu"].to_numpy(float)
        self.land_use = land_use
        self.membership = membership
        self.allied = membership >= 0
        self.base_capacity = frame["committee_capacity"].to_numpy(float).copy()
        self.capacity = self.base_capacity.copy()
        self.collective_start = frame["collective_income_start"].to_numpy(float)
        self.yield_noise = np.ones(self.n)
        self.public_spent = np.zeros(self.n)
        self.public_spent_year = np.zeros(self.n)
        self.labour_at_home = np.zeros(self.n)
        self.pooled = np.zeros(self.n)
        self.sellers = np.zeros(self.n)
        self.collective_ytd = np.zeros(self.n)
        self.update_labour_at_home(households)

    def __len__(self) -> int:
        return self.n

    def sum_by_village(self, values: np.ndarray) -> np.ndarray:
        """Sum a household column by village (households are sorted by village)."""
        return np.add.reduceat(values, self.offsets) if len(values) else np.zeros(self.n)

    def per_household(self, values: np.ndarray) -> np.ndarray:
        """Each household's entry of a per-village array (its first axis is the village).

        The same as ``values[households.village]``, but households are sorted by village,
        so repeating each village's entry over its block is a contiguous copy rather than a
        gather: about 4 times faster on the full county.
        """
        return np.repeat(values, self.household_counts, axis=0)

    def rows_of(self, villages: np.ndarray) -> np.ndarray:
        """The household rows of some villages (ascending village indices), in row order."""
        counts = self.household_counts[villages]
        # Each village's block is offsets[v], offsets[v] + 1, ...: a running count with the
        # block's start shifted in at each block's first row.
        shift = np.repeat(self.offsets[villages] - (np.cumsum(counts) - counts), counts)
        return np.arange(int(counts.sum())) + shift

    def update_labour_at_home(self, households: HouseholdTable) -> None:
        """Recount labour at home (it changes only when labour is reallocated, once a year).

        Whatever changes a household's ``labour`` or ``migrant`` calls this after: the
        village wage bills are shared out by these counts (``Accounts.pay_village_workers``).
        """
        at_home = np.maximum(households.labour - households.migrant, 0.0)
        self.household_labour_at_home = at_home
        self.labour_at_home = self.sum_by_village(at_home)
