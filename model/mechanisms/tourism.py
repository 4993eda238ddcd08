"""Rural tourism: visitors from the city, their spending, and who earns it (docs/ODD.md 7.17).

Demand. Each village with attractions (:mod:`model.mechanisms.tourism_sites`) draws
``visits_per_attraction`` visitors a year per attraction at the city's edge, falling with
the road distance to the city as ``exp(-distance / distance_decay_km)``, times a yearly
demand shock (lognormal, mean 1, from the ``tourism`` stream). The year's demand is spread
over the months by the season profile; a festival adds its visitor draw (also decayed with
distance) in its month and costs its organiser. Capacity caps what arrives: parking spaces ×
cars per space and day × persons per car × days, over the share of visitors coming by car;
homestay beds cap the overnight stays.

Spending. Every visitor spends ``spend_per_visit``; ``produce_share`` of it buys produce
(picking, farm shops: the households' farming income, at ``produce_margin`` above what it
would fetch at the farm gate), ``collective_share`` goes to the collective (parking and
entry fees, stall and venue rents), the rest to food and services outside the village's
books. Overnight visitors also pay the homestay's price, of which the households that run
the homestays keep the part above its running cost. Under a joint-venture mode
(strong-leads-weak by default) the alliance runs the tourism business together: the
members' fees less the festivals' costs are pooled and split by the collective split rule —
the joint venture's income is an outcome of visitors, not an input.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.mechanisms.tourism_params import TourismParams
from model.mechanisms.tourism_sites import TourismSites, read_sites
from model.rng import stream

if TYPE_CHECKING:
    from model.jointmodel import JointVillageModel


def distance_factor(distance_km: np.ndarray, decay_km: float) -> np.ndarray:
    """Share of the city-edge demand that comes this far: ``exp(-distance / decay)``."""
    return np.exp(-np.asarray(distance_km, dtype=float) / decay_km)


def parking_capacity(spaces: np.ndarray, p: TourismParams, days: float) -> np.ndarray:
    """Visitors the parking takes in ``days`` (the share not by car needs none)."""
    return spaces * p.cars_per_space_per_day * p.persons_per_car * days / p.car_share


def arrivals(demand: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Visitors who come: the demand up to the capacity (a village without parking takes
    none)."""
    return np.minimum(demand, capacity)


def overnight_stays(visitors: np.ndarray, beds: np.ndarray, p: TourismParams, days: float):
    """Nights sold: the visitors who would stay, up to the beds times the days."""
    return np.minimum(visitors * p.overnight_share, beds * days)


def spending_split(visitors: np.ndarray, nights: np.ndarray, p: TourismParams) -> dict:
    """What the visitors leave with households (produce, homestays) and the collective (yuan).

    Returns:
        ``produce`` (farming income above the farm-gate value), ``homestay`` (takings less
        running cost) and ``collective`` (fees and rents), arrays over villages.
    """
    spent = visitors * p.spend_per_visit
    return {
        "produce": spent * p.produce_share * p.produce_margin,
        "homestay": nights * p.homestay_price * (1.0 - p.homestay_cost_share),
        "collective": spent * p.collective_share,
    }


def assign_homestays(
    village: np.ndarray, at_home: np.ndarray, beds: np.ndarray, per_homestay: float
) -> np.ndarray:
    """Homestay beds of each household: the village's beds go ``per_homestay`` at a time to
    its households with the most labour at home (who can run one), the last one the rest.

    Args:
        village: Village row of each household (sorted).
        at_home: Labour at home of each household.
        beds: Homestay beds of each village.
        per_homestay: Beds one homestay holds.
    """
    out = np.zeros(len(village))
    for v in np.flatnonzero(beds > 0):
        rows = np.flatnonzero(village == v)
        order = rows[np.lexsort((rows, -at_home[rows]))]
        left = float(beds[v])
        for row in order:
            if left <= 0:
                break
            out[row] = min(per_homestay, left)
            left -= out[row]
    return out


class Tourism:
    """Visitors, their spending and its split, month by month.

    Args:
        model: The model (villages, households, alliances and modes exist).

    Attributes:
        sites: Attractions, capacity and festivals.
        distance_km: Distance of each village to the city.
        shock: This year's demand multiplier of each village.
        visitors_year: Visitors of each village this year (persons).
        income_year: Tourism income this year by village: households' and collective's (yuan).
    """

    def __init__(self, model: JointVillageModel) -> None:
        self.model = model
        self.params: TourismParams = model.config.tourism
        n = model.n_villages
        frame = model.county.villages
        if self.params.enabled:
            self.sites = read_sites(
                model.config.resolve_data_path("tourism.sites_file"),
                model.config.resolve_data_path("tourism.festivals_file"),
                frame["village_id"],
            )
        else:
            self.sites = TourismSites.none(n)
        dx = frame["x_km"].to_numpy(float) - self.params.city_x_km
        dy = frame["y_km"].to_numpy(float) - self.params.city_y_km
        self.distance_km = np.hypot(dx, dy)
        self.rng = stream(model.config.seed, "tourism", model.replicate)
        self.shock = np.ones(n)
        self.visitors_year = np.zeros(n)
        self.income_year = np.zeros(n)
        hh = model.households
        hh.homestay_beds[:] = assign_homestays(
            hh.village,
            np.maximum(hh.labour - hh.migrant, 0.0),
            self.sites.homestay_beds,
            self.params.beds_per_homestay,
        )

    def new_year(self) -> None:
        """Draw the year's demand shocks; start the year's counts."""
        sigma = self.params.demand_sigma
        draws = self.rng.standard_normal(self.model.n_villages)
        self.shock = np.exp(sigma * draws - 0.5 * sigma**2)
        self.visitors_year[:] = 0.0
        self.income_year[:] = 0.0

    def demand(self, month: int) -> tuple[np.ndarray, np.ndarray]:
        """This month's visitor demand by village and the festivals' costs (yuan)."""
        p, sites = self.params, self.sites
        reach = distance_factor(self.distance_km, p.distance_decay_km)
        yearly = sites.attractions * p.visits_per_attraction * reach * self.shock
        demand = yearly * p.season[month - 1]
        cost = np.zeros(self.model.n_villages)
        for festival in sites.festivals:
            if festival.month == month:
                v = festival.village
                demand[v] += festival.visitors * reach[v] * self.shock[v]
                cost[v] += festival.cost
        return demand, cost

    def active(self) -> np.ndarray:
        """Villages whose sites receive visitors now: their own sites always, joint sites
        while the village's joint-venture alliance has taken up its mode's work."""
        model = self.model
        running = np.zeros(model.n_villages, dtype=bool)
        membership = model.villages.membership
        for index, alliance in enumerate(model.alliance_agents):
            if alliance.mode in self.params.joint_venture_modes and model.uptake.alliance_active(
                "mode", index
            ):
                running |= membership == index
        return ~self.sites.joint | running

    def pay(self) -> None:
        """This month's visitors, and what they leave with households and collectives."""
        if not self.params.enabled:
            return
        model, p = self.model, self.params
        days = 365.0 / 12.0
        demand, festival_cost = self.demand(model.month)
        active = self.active()
        demand, festival_cost = demand * active, festival_cost * active
        visitors = arrivals(demand, parking_capacity(self.sites.parking_spaces, p, days))
        nights = overnight_stays(visitors, self.sites.homestay_beds, p, days)
        split = spending_split(visitors, nights, p)
        villages = model.villages
        to_households = self._to_producers(split["produce"]) + self._to_homestays(split["homestay"])
        model.accounts.pay_households("farming", to_households, "market", "tourist_sales")
        fees = self.joint_venture_split(split["collective"] - festival_cost)
        model.accounts.pay_collectives("tourism", np.maximum(fees, 0.0), "market", "tourist_fees")
        model.accounts.pay_collectives("tourism", np.minimum(fees, 0.0), "market", "festival_cost")
        self.visitors_year += visitors
        self.income_year += villages.sum_by_village(to_households) + fees

    def _to_producers(self, per_village: np.ndarray) -> np.ndarray:
        """Produce income per household, by own-farmed specialty land; in a village without
        it by all own-farmed land, else by members (someone sells at the farm shop)."""
        hh = self.model.households
        villages = self.model.villages
        out = np.zeros(hh.n)
        left = per_village.copy()
        for weights in (hh.specialty_mu, hh.grain_mu + hh.specialty_mu, hh.members):
            total = villages.sum_by_village(weights)[hh.village]
            share = np.divide(weights, total, out=np.zeros(hh.n), where=total > 0)
            paid = (left != 0) & (villages.sum_by_village(weights) > 0)
            out += share * np.where(paid, left, 0.0)[hh.village]
            left = np.where(paid, 0.0, left)
        return out

    def _to_homestays(self, per_village: np.ndarray) -> np.ndarray:
        """Homestay income per household, by its beds."""
        hh = self.model.households
        beds = self.model.villages.sum_by_village(hh.homestay_beds)
        rate = np.divide(per_village, beds, out=np.zeros_like(per_village), where=beds > 0)
        return hh.homestay_beds * rate[hh.village]

    def joint_venture_split(self, net: np.ndarray) -> np.ndarray:
        """The collectives' tourism net income after the joint ventures pool and split it.

        An alliance of a joint-venture mode pools the net fees of its primary members'
        joint sites and splits them by the collective split rule; a village keeps what its
        own sites earn.
        """
        model = self.model
        joint = self.sites.joint
        out = np.where(joint, 0.0, net)
        membership = model.villages.membership
        for index, alliance in enumerate(model.alliance_agents):
            if alliance.mode not in self.params.joint_venture_modes:
                continue
            members = np.flatnonzero(membership == index)
            pooled = float(net[members][joint[members]].sum())
            shares = np.zeros(model.n_villages)
            shares[members] = alliance.split_shares()[members]
            if shares.sum() > 0:
                out += shares / shares.sum() * pooled
        return out

    def visitors_total(self) -> int:
        """Visitors this year, all villages (persons, rounded: a county count)."""
        return round(float(self.visitors_year.sum()))

    def income_total(self) -> float:
        """Tourism income this year: households' produce and homestays, collectives' net
        fees (yuan)."""
        return float(self.income_year.sum())
