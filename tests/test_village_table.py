"""The village table's household-block helpers agree with their plain numpy meaning."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from model.villages import VillageTable


class _Households:
    """The two columns a village table reads: sorted village rows and members."""

    def __init__(self, village: np.ndarray) -> None:
        self.village = village
        self.n = len(village)
        self.members = np.ones(self.n)
        self.labour = np.ones(self.n)
        self.migrant = np.zeros(self.n)


def _table(block_sizes: list[int]) -> tuple[VillageTable, np.ndarray]:
    village = np.repeat(np.arange(len(block_sizes)), block_sizes)
    frame = pd.DataFrame(
        {
            "cultivated_mu": np.ones(len(block_sizes)),
            "committee_capacity": np.ones(len(block_sizes)),
            "collective_income_start": np.zeros(len(block_sizes)),
        }
    )
    n = len(block_sizes)
    table = VillageTable(frame, _Households(village), np.zeros(n, int), -np.ones(n, int))
    return table, village


def test_a_hand_worked_county_of_three_villages():
    table, _ = _table([2, 1, 3])
    np.testing.assert_array_equal(table.household_counts, [2, 1, 3])
    np.testing.assert_array_equal(
        table.per_household(np.array([10.0, 20.0, 30.0])), [10, 10, 20, 30, 30, 30]
    )
    np.testing.assert_array_equal(table.population, [2, 1, 3])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 9), min_size=1, max_size=30), st.integers(1, 3))
def test_per_household_is_the_gather_by_village(block_sizes, width):
    table, village = _table(block_sizes)
    values = np.random.default_rng(len(block_sizes)).random((len(block_sizes), width))
    np.testing.assert_array_equal(table.per_household(values), values[village])
    np.testing.assert_array_equal(table.per_household(values[:, 0]), values[village, 0])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 9), min_size=1, max_size=30), st.data())
def test_rows_of_some_villages_are_their_households(block_sizes, data):
    table, village = _table(block_sizes)
    chosen = data.draw(st.sets(st.integers(0, len(block_sizes) - 1)))
    villages = np.array(sorted(chosen), dtype=int)
    expected = np.flatnonzero(np.isin(village, villages))
    np.testing.assert_array_equal(table.rows_of(villages), expected)


def test_rows_of_a_hand_worked_pair():
    table, _ = _table([2, 1, 3])
    np.testing.assert_array_equal(table.rows_of(np.array([0, 2])), [0, 1, 3, 4, 5])
    assert table.rows_of(np.array([], dtype=int)).size == 0
