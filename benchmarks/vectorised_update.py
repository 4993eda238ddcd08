"""A yardstick: the simplest vectorised household update over the model's own households.

Not the model. It is what a month of the model would cost if it were nothing but whole-array
numpy over the same households and months: a pooling choice (a logit of rent against the own
land's margin, one draw per household), the harvest of own land, rent on pooled land, wages,
seller income, pensions and other transfers, and the village totals of every income. Values
that change once a year (each household's village figures) are looked up once a year. The
ratio of the model's time to this one says how far the model is from plain array work.

    .venv/bin/python benchmarks/vectorised_update.py [--scenario anqiu_2023] [--years 10]
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

#: Share of households deciding about pooling in a month (the model's adoption speed order).
ADOPTION_SPEED = 0.1


@dataclass
class Households:
    """The household columns the update reads, from a model as set up (not run)."""

    village: np.ndarray
    offsets: np.ndarray
    contracted_mu: np.ndarray
    ability: np.ndarray
    migrant: np.ndarray
    local_wage: np.ndarray
    elderly: np.ndarray
    members: np.ndarray
    seller: np.ndarray
    land_use: np.ndarray
    n_villages: int


def households_of(scenario: Any) -> tuple[Households, Any]:
    """The households of a scenario, as the model sets them up; and the model."""
    from model.jointmodel import JointVillageModel

    model = JointVillageModel(scenario, invariants="off")
    hh, villages = model.households, model.villages
    columns = Households(
        village=hh.village,
        offsets=villages.offsets,
        contracted_mu=hh.contracted_mu.astype(float),
        ability=hh.ability.astype(float),
        migrant=hh.migrant.astype(float),
        local_wage=hh.local_wage.astype(float),
        elderly=hh.elderly.astype(float),
        members=hh.members.astype(float),
        seller=hh.seller.astype(float),
        land_use=villages.land_use,
        n_villages=model.n_villages,
    )
    return columns, model


def run_update(hh: Households, model: Any, years: int) -> float:
    """Run the update for ``years`` x 12 months; return the county's total income (yuan)."""
    config = model.config
    pooling, labour, transfers = config.policies.land_pooling, config.labour, config.transfers
    rng = np.random.default_rng(0)  # a benchmark's own draws, not the model's streams
    n = len(hh.village)
    pooled = np.zeros(n, dtype=bool)
    income = {s: np.zeros(n) for s in ("farming", "property", "wage", "ecommerce", "transfer")}
    seller_income = 0.8 * labour.local_monthly_wage  # yuan/month of an active seller
    rent = pooling.rent - pooling.collective_cut
    total = 0.0
    for year in range(years):
        wage_factor = (1.0 + config.prices.wage_growth) ** year
        transfer_factor = (1.0 + config.prices.transfer_growth) ** year
        margin = 12.0 * np.asarray(model.market.monthly_gross_per_mu(6))  # yuan/mu/yr
        margin_of = (margin[hh.land_use] * 0.4)[hh.village] * hh.ability  # once a year
        utility = (rent - margin_of) / pooling.logit_scale
        chance = ADOPTION_SPEED / (1.0 + np.exp(-utility))
        use_of = hh.land_use[hh.village]
        wage = (
            hh.migrant * (labour.migrant_monthly_wage * labour.migrant_remittance_share)
            + hh.local_wage * labour.local_monthly_wage
        ) * wage_factor
        pension = (
            hh.elderly * transfers.pension_monthly
            + hh.members * (transfers.other_transfers_per_person / 12.0)
        ) * transfer_factor
        for month in range(1, 13):
            gross = np.asarray(model.market.monthly_gross_per_mu(month))
            pooled |= rng.random(n) < chance
            own = np.where(pooled, 0.0, hh.contracted_mu)
            income["farming"] += own * gross[use_of] * hh.ability
            income["property"] += np.where(pooled, hh.contracted_mu, 0.0) * (rent / 12.0)
            income["wage"] += wage
            income["ecommerce"] += hh.seller * seller_income
            income["transfer"] += pension
            by_village = [np.add.reduceat(values, hh.offsets) for values in income.values()]
            total = float(sum(v.sum() for v in by_village))
    return total


def time_update(scenario: Any, years: int) -> tuple[float, int]:
    """Seconds of the update over a scenario's households and ``years``; the households."""
    hh, model = households_of(scenario)
    start = time.perf_counter()
    run_update(hh, model, years)
    return time.perf_counter() - start, len(hh.village)


def main() -> None:
    """Time the update once and print it."""
    from model.scenario import load_scenario

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenario", default="anqiu_2023")
    parser.add_argument("--years", type=int, default=10)
    args = parser.parse_args()
    seconds, n = time_update(load_scenario(args.scenario, [f"years={args.years}"]), args.years)
    print(f"vectorised update: {n:,} households x {12 * args.years} months in {seconds:.2f} s")


if __name__ == "__main__":
    main()
