"""Hand-made household tables and the part of a model that demography reads.

Shared by the demography and household-division tests.
"""

from __future__ import annotations

from dataclasses import MISSING, fields
from types import SimpleNamespace

import numpy as np
import pandas as pd

from model.households import HouseholdTable
from model.ledger import Ledger
from model.mechanisms.demography import DemographyParams
from model.mechanisms.household_division import DivisionParams
from model.scenario import load_scenario
from model.villages import VillageTable

#: Mortality certain at 80+ and nil (below 1e-7) at 50 and younger: a hand-worked year.
SHARP = {"mortality_at_60": 0.1, "mortality_slope": 1.0, "mortality_floor": 0.0}
QUIET = {
    "crude_birth_rate": 0.0,
    "school_city_share": 0.0,
    "merger_rate": 0.0,
    "handover_rate": 0.0,
    "successor_attachment_sigma": 0.0,
    "division": DivisionParams(rate=0.0),
}


def households(village: list[int], **columns: list[float]) -> HouseholdTable:
    """A household table with the given columns (zeros, or the table's defaults, elsewhere)."""
    n = len(village)
    given = {
        f.name: np.array(columns.get(f.name, [0.0] * n), dtype=float)
        for f in fields(HouseholdTable)
        if f.default_factory is MISSING and f.name not in ("village", "seller")
    }
    table = HouseholdTable(village=np.array(village), seller=np.zeros(n, bool), **given)
    for name in ("savings", "debt", "credit_limit", "converted_mu", "converted_age"):
        if name in columns:
            setattr(table, name, np.array(columns[name], dtype=float))
    if "converted_use" in columns:
        table.converted_use = np.array(columns["converted_use"], dtype=np.int64)
    table.contracted_mu = table.land_total.copy()
    return table


def tiny_model(hh: HouseholdTable, **params: float) -> SimpleNamespace:
    """What demography reads of a model, around a hand-made household table."""
    n_villages = int(hh.village.max()) + 1
    frame = pd.DataFrame(
        {
            "cultivated_mu": np.ones(n_villages),
            "committee_capacity": np.full(n_villages, 0.5),
            "collective_income_start": np.zeros(n_villages),
        }
    )
    config = load_scenario("baseline").model_copy()
    config.demography = DemographyParams().model_copy(update={**QUIET, **SHARP, **params})
    model = SimpleNamespace(
        config=config,
        replicate=0,
        year_index=1,
        households=hh,
        ledger=Ledger(),
        pooling=SimpleNamespace(rent_due=np.zeros(hh.n)),
    )
    model.villages = VillageTable(frame, hh, np.zeros(n_villages, np.int64), -np.ones(n_villages))
    return model
