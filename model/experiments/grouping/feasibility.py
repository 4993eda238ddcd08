"""Whether a design's constraint set can be met: before any run where the county tells,
after screening where only runs can.

Before any run (:func:`check_before_search`), from the county and the scenario's rules:

* the bounds of one alliance (``alliances.min_villages``/``max_villages``,
  ``min_population``/``max_population``, ``max_distance_km``, ``same_town``): a town with
  too few villages, no village with enough others within the distance, the smallest
  villages already too many people, or the largest too few; and, failing those necessary
  conditions, a pool of feasible alliances that is still empty;
* ``--alliances N``: more alliances than the search's packing of the pool fits;
* ``--budget``: less than the project fund's first year, which every grouping with an
  alliance spends (``governance.project_fund``; the fund is split among the alliances,
  whatever they are, and the first year's price level is 1 by construction), discounted
  as ``public_spending_cum`` is.

After screening, before the final runs (:func:`check_screened`): a constraint on a run's
outcome (``max_gini``, ``max_gini_collective``, ``poor_tercile_floor``, a budget above that
floor) that no screened grouping meets, with the best value reached.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from model.errors import InputError
from model.experiments.grouping.objectives import Constraint
from model.experiments.grouping.search import scores
from model.experiments.grouping.space import GroupingSpace
from model.experiments.measures import DEFAULT_DISCOUNT_RATE
from model.scenario import Scenario
from model.world.alliance_params import AllianceParams
from model.world.county import County


def check_before_search(
    space: GroupingSpace,
    county: County,
    scenario: Scenario,
    constraints: Sequence[Constraint],
    wanted_alliances: int,
) -> None:
    """Refuse, before any run, a constraint set the county and the rules cannot meet.

    Raises:
        InputError: Naming the first constraint that cannot be met, its value and what
            is possible.
    """
    if not space.pool:
        check_alliance_bounds(county, scenario.alliances)
        raise InputError(
            "--set",
            "alliances",
            "min/max villages, min/max population, max_distance_km",
            "bounds that some alliance of this county meets together: formation finds none",
        )
    check_alliance_count(space, wanted_alliances)
    budget = next((c for c in constraints if c.name == "budget"), None)
    if budget is not None:
        check_budget(budget.bound, scenario, county)


def check_alliance_bounds(county: County, params: AllianceParams) -> None:
    """Necessary conditions of the bounds of one alliance, each against the county.

    Raises:
        InputError: Naming the bound no alliance can meet, with the county's limit.
    """
    villages = county.villages
    towns = villages["town"] if params.same_town else pd.Series("county", index=villages.index)
    need, where = params.min_villages, "of one town" if params.same_town else "of the county"
    largest = int(towns.value_counts().max())
    if largest < need:
        raise InputError(
            "--set",
            "alliances.min_villages",
            need,
            f"at most {largest}: the largest town has that many villages"
            if params.same_town
            else f"at most {largest}: the county has that many villages",
        )
    reach = _reach_needed(villages, towns.to_numpy(), need)
    if params.max_distance_km < reach:
        raise InputError(
            "--set",
            "alliances.max_distance_km",
            params.max_distance_km,
            f"at least {reach:.3g} km: no village has {need - 1} others {where} nearer",
        )
    population = villages["population"].groupby(towns.to_numpy())
    smallest = int(population.apply(lambda p: p.nsmallest(need).sum()).min())
    if params.max_population < smallest:
        raise InputError(
            "--set",
            "alliances.max_population",
            params.max_population,
            f"at least {smallest:,}: the {need} smallest villages {where} have that many people",
        )
    biggest = int(population.apply(lambda p: p.nlargest(params.max_villages).sum()).max())
    if params.min_population > biggest:
        raise InputError(
            "--set",
            "alliances.min_population",
            params.min_population,
            f"at most {biggest:,}: the {params.max_villages} largest villages {where} "
            "have that many people",
        )


def _reach_needed(villages: pd.DataFrame, towns: np.ndarray, need: int) -> float:
    """The least distance within which some village has ``need - 1`` others of its town
    (a group of ``need`` villages within ``d`` of one another needs at least this ``d``)."""
    from scipy.spatial.distance import cdist

    xy = villages[["x_km", "y_km"]].to_numpy(float)
    distance = cdist(xy, xy)
    distance[towns[:, None] != towns[None, :]] = np.inf
    nearest = np.sort(distance, axis=1)[:, need - 1] if need > 1 else np.zeros(len(xy))
    return float(nearest.min())


def check_alliance_count(space: GroupingSpace, wanted: int) -> None:
    """``--alliances N`` must fit the pool (the search's own greedy packing).

    Raises:
        InputError: With the most alliances the packing fits.
    """
    if not wanted:
        return
    most = len(space.decode(space.programme_vector()).alliances)
    if most < wanted:
        raise InputError(
            "--alliances",
            "alliances",
            wanted,
            f"at most {most} alliances fit this county's villages under the programme's "
            f"rules (3-5 neighbouring villages, 1,000-2,000 people, within the distance; "
            f"a packing of the {len(space.pool)} feasible alliances found)",
        )


def fund_floor(scenario: Scenario, county: County) -> float:
    """Least discounted public money any grouping with an alliance spends: the project
    fund's first year (yuan; 0 without a fund)."""
    fund = scenario.governance.project_fund
    if fund.total <= 0:
        return 0.0
    yearly = fund.total * float(county.scale) / fund.years
    if fund.rule != "equal":  # whole projects only (as the fund's round allocates them)
        yearly = int(yearly // fund.project_size) * fund.project_size
    return yearly / (1.0 + DEFAULT_DISCOUNT_RATE)


def check_budget(budget: float, scenario: Scenario, county: County) -> None:
    """``--budget`` must cover the project fund's first year.

    Raises:
        InputError: With the least budget a grouping with an alliance can meet.
    """
    floor = fund_floor(scenario, county)
    if budget < floor:
        raise InputError(
            "--budget",
            "budget",
            budget,
            f"at least {floor:,.0f} yuan: every grouping with an alliance spends the project "
            "fund's first year (governance.project_fund, discounted as public_spending_cum)",
        )


def check_screened(evaluations: pd.DataFrame, constraints: Sequence[Constraint]) -> None:
    """Refuse a constraint set that no screened grouping meets, naming the constraint.

    Raises:
        InputError: Naming each constraint that no grouping met (with the best value
            reached), or the set when each is met by some but none meets all.
    """
    if not constraints:
        return
    _, g_values = scores(evaluations, [], constraints)
    met = g_values <= 0
    for k, constraint in enumerate(constraints):
        if not met[:, k].any():
            values = evaluations[constraint.measure].astype(float)
            best = values.min() if constraint.kind == "upper" else values.max()
            raise InputError(
                f"--{'budget' if constraint.name == 'budget' else 'constraint'}",
                constraint.name,
                constraint.bound,
                f"a bound some grouping meets: the best of the {len(values)} groupings "
                f"screened reaches {constraint.measure} = {best:,.4g}",
            )
    if not met.all(axis=1).any():
        names = ", ".join(c.name for c in constraints)
        raise InputError(
            "--constraint",
            "constraint",
            names,
            "constraints that some grouping meets together: each is met by some groupings "
            "screened, but none meets all",
        )
