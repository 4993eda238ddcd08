"""A small county whose farm income answers one trend at a time (shared by the price and
yield-trend tests)."""

from __future__ import annotations

import numpy as np

from model.jointmodel import JointVillageModel
from model.scenario import load_scenario

#: Fixed land use, no farm exit and no ginger cycle: farm income moves only with the trends.
STEADY_FARMS = [
    "county.scale=0.1",
    "years=3",
    "farming.land_use.enabled=false",
    "farming.exit.enabled=false",
    "farming.ginger_price_shock_sd=0.0",
]


def farm_income(*settings: str) -> np.ndarray:
    """Farm income by year (2023 on) of the small baseline county with these settings."""
    model = JointVillageModel(load_scenario("baseline", [*STEADY_FARMS, *settings]))
    model.run()
    return model.recorder.tables()["county_yearly"]["income_farming"].to_numpy()[1:]
