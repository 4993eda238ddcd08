"""Productivity: yields per mu rise over time, by crop group.

Seed varieties, fertiliser practice and machinery raise what a mu yields year after year;
without that trend a 50-year run holds 2023 yields, and farm income can only move with
prices. Each crop's trend yield compounds from the crop sheet's 2023 mean:

    Y_c,y = Y_c,2023 x (1 + g_group(c)) ^ y,

where ``group(c)`` is the crop's producer-price group (``prices.<group>_crops``: grain,
vegetable, fruit, oilseed; a crop in no group has no trend). The weather's yearly yield
shock multiplies the trend yield (:class:`~model.mechanisms.crops.CropMarket`), and every
expectation of a yield (pooling, land-use change, operators, lease-back, contracts) reads
the trend yield, so that a farmer expects this year's yields, not 2023's.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from model.params import Section, param


class ProductivityParams(Section):
    """Yield trends (section ``productivity``), one per producer-price group."""

    enabled: bool = param(
        True,
        unit="-",
        source="model design: switch (off holds yields at the crop sheet's 2023 means)",
        description="Yields per mu follow their crop group's yearly trend",
    )
    grain_yield_trend: float = param(
        0.008,
        unit="1/yr",
        source="NBS statistical communiques: national grain yield 5,377 kg/ha in 2013 and "
        "5,845 kg/ha (389.7 kg/mu) in 2023, about +0.8 %/yr",
        description="Yearly growth of grain yields per mu",
        ge=-0.05,
        le=0.1,
    )
    vegetable_yield_trend: float = param(
        0.01,
        unit="1/yr",
        source="assumption: a little above grain's +0.8 %/yr, as protected growing and new "
        "varieties spread",
        description="Yearly growth of vegetable yields per mu (ginger, green onion, greenhouse)",
        ge=-0.05,
        le=0.1,
    )
    fruit_yield_trend: float = param(
        0.01,
        unit="1/yr",
        source="assumption: orchard yields rise about as vegetables' do (new varieties, "
        "dwarf rootstocks, protected cherries)",
        description="Yearly growth of fruit yields per mu",
        ge=-0.05,
        le=0.1,
    )
    oilseed_yield_trend: float = param(
        0.008,
        unit="1/yr",
        source="assumption: peanut yields rise about as grain yields do (+0.8 %/yr, NBS)",
        description="Yearly growth of oilseed (peanut) yields per mu",
        ge=-0.05,
        le=0.1,
    )

    def trend(self, group: str) -> float:
        """The yearly yield growth of a producer-price group (0 for a crop in no group)."""
        if not self.enabled:
            return 0.0
        return float(getattr(self, f"{group}_yield_trend", 0.0))


def yield_levels(params: ProductivityParams, groups: Sequence[str], year_index: int) -> np.ndarray:
    """Each crop's trend yield relative to 2023 in a simulated year.

    Args:
        params: The ``productivity`` section.
        groups: Each crop's producer-price group (``PriceLevel.crop_index``; ``cpi`` for a
            crop in no group).
        year_index: Years since the first simulated year (0 = 2023, the base).

    Returns:
        One factor per crop of the sheet, 1 in the first year.
    """
    growth = np.array([params.trend(group) for group in groups])
    return (1.0 + growth) ** max(year_index, 0)
