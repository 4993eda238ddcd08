"""Participation choices: households join (and may leave) a contract, a cooperative's marketing,
a share subscription or livestream training by comparing expected incomes.

One logit serves every such choice (after the pooling logit of
:mod:`model.mechanisms.pooling`). For a household with expected yearly gain ``gain`` from
joining (yuan/yr: the offer's expected income less what it earns without it),

    U = gain + taste + peer_weight x (share of the village's eligible households already in),
    willing = 1 / (1 + exp(-U / logit_scale)),

where ``taste`` is the household's fixed taste for the offer (a normal draw, yuan/yr: trust
in buyers, dislike of inspections, ties to traders), drawn once. Each year a household
revises its choice with probability ``revision_rate`` (inertia: it keeps its last choice
otherwise) and, revising, is in when a uniform draw falls below ``willing``. So a household
joins with probability ``revision_rate x willing`` and leaves with probability
``revision_rate x (1 - willing)``, and the share in tends to the mean willingness.

The rule is monotone: with the same draws, a larger gain (a higher contract price, a lower
quality cost) or a larger share of peers already in never puts fewer households in, so by
induction over the years a better offer never lowers participation (tested).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from model.params import Section, param

if TYPE_CHECKING:
    from model.jointmodel import JointVillageModel


class LogitParams(Section):
    """The participation logit: scale, household taste and peer effect."""

    logit_scale: float = param(
        1000.0,
        unit="yuan/yr",
        source="assumption: a gain of about 1,000 yuan a year (some 1.5 % of a rural "
        "household's income) moves the odds of joining by e",
        description="Scale of the logit choice",
        gt=0,
        le=1_000_000,
    )
    taste_sd: float = param(
        1000.0,
        unit="yuan/yr",
        source="assumption: households differ in trust of buyers and committees as much as in "
        "the gain itself; contract participation varies widely within villages (Miyata, "
        "Minot & Hu 2009, World Development 37(11))",
        description="Spread of the households' fixed taste for joining",
        ge=0,
        le=1_000_000,
    )
    peer_weight: float = param(
        1000.0,
        unit="yuan/yr",
        source="assumption: neighbours who joined lower the cost of learning the terms (peer "
        "effect, as in land pooling)",
        description="Utility of joining per unit of the village's share already in",
        ge=0,
        le=1_000_000,
    )


class ChoiceParams(LogitParams):
    """A choice that households revisit: the logit and how often they reconsider."""

    revision_rate: float = param(
        0.5,
        unit="share/yr",
        source="assumption: contracts and memberships are reconsidered every one to two years",
        description="Yearly chance a household reconsiders its choice",
        gt=0,
        le=1,
    )


def willingness(
    gain: np.ndarray, taste: np.ndarray, peer_share: np.ndarray, params: LogitParams
) -> np.ndarray:
    """Probability of being in, for each household (the logit of the module doc).

    Args:
        gain: Expected yearly gain from joining (yuan/yr).
        taste: The households' fixed tastes (yuan/yr).
        peer_share: Share of the household's village already in (0-1).
        params: The choice's parameters.
    """
    utility = gain + taste + params.peer_weight * peer_share
    return 1.0 / (1.0 + np.exp(-np.clip(utility / params.logit_scale, -50.0, 50.0)))


def revise(
    member: np.ndarray,
    eligible: np.ndarray,
    willing: np.ndarray,
    revise_draw: np.ndarray,
    choice_draw: np.ndarray,
    params: ChoiceParams,
) -> np.ndarray:
    """The year's membership: revisers choose by their willingness, the rest keep theirs.

    Households not eligible (no offer in their village) are out.

    Args:
        member: In last year.
        eligible: Offered this year.
        willing: Willingness (:func:`willingness`).
        revise_draw: Uniform draws deciding who reconsiders.
        choice_draw: Uniform draws deciding the reconsidered choice.
        params: The choice's parameters.
    """
    revising = revise_draw < params.revision_rate
    return eligible & np.where(revising, choice_draw < willing, member)


def rechoose(
    member: np.ndarray,
    offered: np.ndarray,
    gain: Callable[[np.ndarray], np.ndarray],
    taste: np.ndarray,
    village: np.ndarray,
    draws: tuple[np.ndarray, np.ndarray],
    params: ChoiceParams,
) -> np.ndarray:
    """The year's choice in one call: peers, willingness, then :func:`revise`.

    Only the offered households are priced (the others are out whatever they would gain).

    Args:
        member: In last year.
        offered: Offered this year.
        gain: The expected yearly gain from joining of the households of given rows
            (yuan/yr).
        taste: The households' fixed tastes (yuan/yr).
        village: Village row of each household.
        draws: The revision and choice uniforms.
        params: The choice's parameters.
    """
    rows = np.flatnonzero(offered)
    if not len(rows):
        return offered.copy()
    n_villages = int(village.max()) + 1
    peers = village_peer_share(member, offered, village, n_villages)[village[rows]]
    willing = willingness(gain(rows), taste[rows], peers, params)
    chosen = np.zeros(len(member), dtype=bool)
    every = np.ones(len(rows), dtype=bool)
    chosen[rows] = revise(member[rows], every, willing, draws[0][rows], draws[1][rows], params)
    return chosen


def village_peer_share(
    member: np.ndarray, eligible: np.ndarray, village: np.ndarray, n: int
) -> np.ndarray:
    """Share of each village's eligible households that are in (per village, 0 if none).

    Args:
        member: Households in.
        eligible: Households offered.
        village: Village row of each household.
        n: Number of villages.
    """
    rows = np.flatnonzero(eligible)
    inside = np.bincount(village[rows], member[rows], minlength=n)
    offered = np.bincount(village[rows], minlength=n)
    return np.divide(inside, offered, out=np.zeros(n), where=offered > 0)


def peer_share(member: np.ndarray, eligible: np.ndarray, village: np.ndarray, n: int) -> np.ndarray:
    """Share of each household's village's eligible households that are in (per household).

    Args:
        member: Households in.
        eligible: Households offered.
        village: Village row of each household.
        n: Number of villages.
    """
    return village_peer_share(member, eligible, village, n)[village]


def draw_tastes(rng: np.random.Generator, n: int, params: LogitParams) -> np.ndarray:
    """The households' fixed tastes for one offer (yuan/yr)."""
    return rng.normal(0.0, 1.0, n) * params.taste_sd


def expected_specialty(
    model: JointVillageModel, rows: np.ndarray | slice = slice(None)
) -> tuple[np.ndarray, np.ndarray]:
    """What each household (of ``rows``, default all) expects its specialty to bring this
    year, before the weather.

    Expected kg are the sheet's mean yields times the household's ability and specialty
    area; the expected price per kg is the sheet's mean price on the price trend, times the
    village's market access.

    Returns:
        Expected kg a year and expected price per kg, per household.
    """
    hh = model.households
    crops = model.crops
    village = hh.village[rows]
    use = model.villages.land_use[village]
    expected_kg = model.market.expected_yield_kg()
    kg_per_mu = crops.incidence @ expected_kg
    value_per_mu = crops.incidence @ (expected_kg * crops.price * model.prices.crop_price_factors())
    price = np.divide(value_per_mu, kg_per_mu, out=np.zeros_like(value_per_mu), where=kg_per_mu > 0)
    kg = hh.specialty_mu[rows] * hh.ability[rows] * kg_per_mu[use]
    return kg, price[use] * model.modes.access[village]
