"""Households converting their grain land, year by year (the rule: :mod:`.land_use`).

The converted land of a household is three columns of
:class:`~model.households.HouseholdTable`: ``converted_mu`` (taken from ``grain_mu``),
``converted_use`` (its land-use index, -1 for none) and ``converted_age`` (years since
planting, area-weighted when a plot is expanded). :class:`LandConversion` decides the
conversions each January and gives farming the converted land's monthly revenue, costs and
labour.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.mechanisms.land_use import (
    annuity_factor,
    choose_use,
    gross_sd_share,
    horizon_means,
    load_conversion_sheet,
    yield_ramp,
)

if TYPE_CHECKING:
    from model.jointmodel import JointVillageModel


class LandConversion:
    """The households' land-use changes.

    Args:
        model: The model.

    Attributes:
        sheet: Conversion economics per land use.
        grain: Land-use index of grain.
        ginger: Land-use index of ginger (-1 if the sheet has none).
        ginger_area_start: County ginger area at the start (mu): the supply reference.
        invested: Investment paid for conversions so far (yuan).
        rng: The decisions' random stream (a child of the households' stream).
    """

    def __init__(self, model: JointVillageModel) -> None:
        self.model = model
        self.params = model.config.farming.land_use
        path = model.config.resolve_data_path("farming.land_uses_file")
        assert path is not None  # non-empty default
        self.sheet = load_conversion_sheet(path, model.crops.land_uses)
        self.grain = model.crops.land_use("grain")
        uses = model.crops.land_uses
        self.ginger = uses.index("ginger") if "ginger" in uses else -1
        self.ginger_area_start = self.ginger_area()
        self.invested = 0.0
        # A child of the households' stream: its draws shift no other mechanism's.
        self.rng = model.rng.spawn(1)[0]
        self._ramp = self.ramp()  # the year's yield ramp, fixed from January to December

    # -- quantities ----------------------------------------------------------------------

    def ginger_area(self) -> float:
        """County ginger area: village-specialty land plus converted land (mu)."""
        if self.ginger < 0:
            return 0.0
        hh = self.model.households
        own = hh.specialty_mu * self.model.villages.per_household(
            self.model.villages.land_use == self.ginger
        )
        return float(own.sum() + (hh.converted_mu * (hh.converted_use == self.ginger)).sum())

    def converted_total(self) -> float:
        """Land converted from grain (mu)."""
        return float(self.model.households.converted_mu.sum())

    def _use(self, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """Each household's converted use (or that of ``rows``), 0 where it has none (its
        area is then 0)."""
        return np.maximum(self.model.households.converted_use[rows], 0)

    def investment_per_mu(self) -> np.ndarray:
        """This year's investment per mu of each use: the sheet's 2023 cost on the farm
        input-cost index (film, frames and saplings are bought inputs)."""
        return self.sheet.investment * self.model.prices.factor("input_cost")

    def learning_cost_per_mu(self) -> np.ndarray:
        """This year's newcomer learning cost per mu of each use (input-cost index)."""
        return self.sheet.learning_cost * self.model.prices.factor("input_cost")

    def reversal_cost_per_mu(self) -> np.ndarray:
        """This year's cost per mu of turning each use back to grain (input-cost index)."""
        return self.sheet.reversal_cost * self.model.prices.factor("input_cost")

    def ramp(self) -> np.ndarray:
        """Share of full yield of each household's converted land this year."""
        hh = self.model.households
        sheet = self.sheet
        # Worked out on the rows with a use or an age (a few per cent); every other row
        # is use 0 at age 0 (``_use``), whose ramp is one number.
        ramp = np.full(hh.n, yield_ramp(0.0, sheet.first_yield[0], sheet.full_yield[0]))
        rows = np.flatnonzero((hh.converted_use >= 0) | (hh.converted_age != 0))
        use = self._use(rows)
        ramp[rows] = yield_ramp(
            hh.converted_age[rows], sheet.first_yield[use], sheet.full_yield[use]
        )
        return ramp

    def monthly_gross_at(
        self, rows: np.ndarray, gross_per_mu: np.ndarray, yield_factor: np.ndarray
    ) -> np.ndarray:
        """Revenue this month of the converted land of households ``rows`` (before market
        access); ``yield_factor`` is theirs."""
        hh = self.model.households
        use = np.maximum(hh.converted_use[rows], 0)
        return hh.converted_mu[rows] * gross_per_mu[use] * yield_factor * self._ramp[rows]

    def monthly_cost_at(self, rows: np.ndarray, cost_per_mu: np.ndarray) -> np.ndarray:
        """Cash cost this month of the converted land of households ``rows``."""
        hh = self.model.households
        factor = np.maximum(self._ramp[rows], self.params.immature_cost_share)
        use = np.maximum(hh.converted_use[rows], 0)
        return hh.converted_mu[rows] * cost_per_mu[use] * factor

    def labour_days(self, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """Family labour days a year of each household's converted land (or of ``rows``)."""
        days = self.model.crops.land_use_labour_days
        hh = self.model.households
        return hh.converted_mu[rows] * days[self._use(rows)]

    # -- the January decision ------------------------------------------------------------

    def decide(self) -> None:
        """January: plantings age, households revert or convert, the ginger price responds.

        Only the households that reconsider (their draw below ``deciding_share``, the most
        any choice probability can reach) are priced, which keeps the full county fast.
        """
        model = self.model
        hh = model.households
        draw_choice = self.rng.random(hh.n)  # drawn whatever the switch (common numbers)
        draw_revert = self.rng.random(hh.n)
        if not self.params.enabled:
            return
        if model.year_index > 0:
            self._age_and_depreciate()
        share = self.params.deciding_share
        holders = np.flatnonzero((hh.converted_mu > 0) & (draw_revert < share))
        self._revert(holders, self.keep_gaps(holders), draw_revert[holders])
        deciders = np.flatnonzero(draw_choice < share)
        self._convert(deciders, draw_choice[deciders])
        self._ramp = self.ramp()
        if self.ginger_area_start > 0:
            model.market.respond_to_supply(self.ginger_area() / self.ginger_area_start)

    def _age_and_depreciate(self) -> None:
        """Plantings grow a year older; their investment depreciates straight-line."""
        hh = self.model.households
        rows = np.flatnonzero(hh.converted_mu > 0)  # the others hold nothing to age or wear
        use = self._use(rows)
        life = self.sheet.asset_life[use]
        young = (hh.converted_age[rows] < life) & (life > 0)
        wear = self.investment_per_mu()[use] * hh.converted_mu[rows] / np.maximum(life, 1)
        wear = np.where(young, wear, 0)
        hh.productive_assets[rows] -= np.minimum(wear, hh.productive_assets[rows])
        hh.converted_age[rows] += 1

    def _per_mu(
        self, rows: np.ndarray, uses: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Expected gross per mu of the ``uses`` of each row, this year's cash cost of every
        use, and the terms the uses share (minus grain's margin, the extra labour's value,
        the extra risk).

        Args:
            rows: Households to price.
            uses: Land uses to price for each row, (rows, k) or (1, k) for all rows alike.
        """
        model = self.model
        hh = model.households
        expected = model.crops.incidence @ (
            model.market.expected_yield_kg() * model.market.expected_price
        )
        village = hh.village[rows]
        village_use = model.villages.land_use[village][:, None]
        ability = hh.ability[rows, None]

        def gross_of(use: np.ndarray) -> np.ndarray:
            access = np.where(village_use == use, model.modes.access[village, None], 1.0)
            return expected[use] * ability * access

        gross, grain_gross = gross_of(uses), gross_of(np.array([[self.grain]]))
        cost = model.market.cost_per_mu()
        grain_margin = grain_gross[:, 0] - cost[self.grain]
        days = model.crops.land_use_labour_days
        labour = (days[uses] - days[self.grain]) * model.lease_back.day_value(rows)[:, None]
        sd_share = gross_sd_share(model)
        risk = gross * sd_share[uses] - grain_gross * sd_share[self.grain]
        risk = self.params.risk_aversion * risk
        return gross, cost, -grain_margin[:, None] - labour - risk

    def offered_uses(self, rows: np.ndarray) -> np.ndarray:
        """The land uses each row's household may convert to: its village's specialty,
        (rows, 1), or every use, (1, uses) (``choice_set``)."""
        if self.params.choice_set == "any":
            return np.arange(len(self.model.crops.land_uses))[None, :]
        return self.model.villages.land_use[self.model.households.village[rows]][:, None]

    def gaps(self, rows: np.ndarray | None = None, uses: np.ndarray | None = None) -> np.ndarray:
        """Per-mu utility over grain of converting to each of the ``uses`` (see
        :meth:`_per_mu`), shape (rows, k).

        Args:
            rows: Households to price (default all).
            uses: Land uses to price (default every use, for every row).
        """
        hh = self.model.households
        rows = np.arange(hh.n) if rows is None else rows
        uses = np.arange(len(self.sheet.investment))[None, :] if uses is None else uses
        p, sheet = self.params, self.sheet
        gross, cost, shared = self._per_mu(rows, uses)
        ramp, cost_factor = horizon_means(
            sheet.first_yield, sheet.full_yield, p.planning_years, p.discount_rate,
            p.immature_cost_share,
        )  # fmt: skip
        own = self.model.villages.land_use[hh.village[rows]][:, None] == uses
        newcomer = ~(own & (hh.specialty_mu[rows] > 0)[:, None])
        newcomer &= hh.converted_use[rows, None] != uses
        upfront = self.investment_per_mu()[uses] + self.learning_cost_per_mu()[uses] * newcomer
        annuity = annuity_factor(p.discount_rate, p.planning_years)
        return ramp[uses] * gross - cost_factor[uses] * cost[uses] + shared - annuity * upfront

    def keep_gaps(self, rows: np.ndarray) -> np.ndarray:
        """Per-mu utility over grain of keeping each household's converted land (its use at
        its age; the investment sunk, the reversal cost saved)."""
        hh = self.model.households
        p, sheet = self.params, self.sheet
        use = self._use(rows)
        gross, cost, shared = self._per_mu(rows, use[:, None])
        ramp, cost_factor = horizon_means(
            sheet.first_yield[use], sheet.full_yield[use], p.planning_years, p.discount_rate,
            p.immature_cost_share, hh.converted_age[rows],
        )  # fmt: skip
        keep = ramp * gross[:, 0] - cost_factor * cost[use] + shared[:, 0]
        reversal = self.reversal_cost_per_mu()[use]
        return keep + annuity_factor(p.discount_rate, p.planning_years) * reversal

    def _revert(self, rows: np.ndarray, keep_gap: np.ndarray, draw: np.ndarray) -> None:
        """Households whose converted land is worth less than grain turn it back, paying
        the reversal cost as far as their means allow."""
        hh = self.model.households
        p = self.params
        chance = p.deciding_share / (1.0 + np.exp(np.clip(keep_gap / p.logit_scale, -50, 50)))
        rows = rows[draw < chance]
        if not len(rows):
            return
        use = self._use(rows)
        per_mu = self.reversal_cost_per_mu()[use]
        wanted = np.zeros(hh.n)
        wanted[rows] = hh.converted_mu[rows] * per_mu
        paid = self.model.finance.pay_from_balance(wanted, "market", "investment")[rows]
        full = np.where(per_mu > 0, paid / np.maximum(per_mu, 1e-12), np.inf)
        area = np.minimum(full, hh.converted_mu[rows])
        life = np.maximum(self.sheet.asset_life[use], 1.0)
        life_left = np.clip(1.0 - hh.converted_age[rows] / life, 0, 1)
        book = self.investment_per_mu()[use] * area * life_left
        hh.productive_assets[rows] -= np.minimum(book, hh.productive_assets[rows])
        hh.converted_mu[rows] -= area
        hh.grain_mu[rows] += area
        gone = hh.converted_mu <= 1e-12
        hh.converted_use[gone] = -1
        hh.converted_age[gone] = 0.0
        hh.converted_mu[gone] = 0.0

    def _convert(self, rows: np.ndarray, draw: np.ndarray) -> None:
        """Households pick a use by the logit and convert part of their grain land.

        Only the rows with a use on offer are priced (about a quarter of the deciders in
        the full county), and only for the uses on offer; the rest keep grain, as the logit
        gives them no other choice.
        """
        model = self.model
        hh = model.households
        p = self.params
        able = np.flatnonzero(
            (hh.farm_labour_at(rows) >= p.min_farm_labour) & (hh.grain_mu[rows] > 0)
        )
        uses = self.offered_uses(rows[able])
        current = hh.converted_use[rows[able], None]
        offered = (uses != self.grain) & ((current < 0) | (current == uses))
        keep = offered.any(axis=1)
        priced, offered = able[keep], offered[keep]
        uses = np.broadcast_to(uses, keep.shape + uses.shape[1:])[keep]
        headroom = self.headroom(rows[priced], uses)
        allowed = (headroom > 1e-9) & offered
        gaps = self.gaps(rows[priced], uses)
        column = choose_use(gaps, allowed, p.logit_scale, draw[priced], p.deciding_share)
        picked = np.arange(len(priced)), np.maximum(column, 0)
        choice = np.full(len(rows), -1)
        choice[priced] = np.where(column >= 0, uses[picked], -1)
        use = np.maximum(choice, 0)
        room = np.zeros(len(rows))
        room[priced] = headroom[picked]
        per_mu = self.investment_per_mu()[use]
        working = model.market.cost_per_mu()[use]
        affordable = np.maximum(hh.spendable()[rows], 0.0) / np.maximum(per_mu + working, 1e-9)
        area = np.minimum(p.plot_share * hh.grain_mu[rows], room)
        area = np.where(choice >= 0, np.minimum(area, affordable), 0.0)
        wanted = np.zeros(hh.n)
        wanted[rows] = area * per_mu
        paid = model.finance.pay_from_balance(wanted, "market", "investment")
        area = np.where(per_mu > 0, np.minimum(area, paid[rows] / np.maximum(per_mu, 1e-12)), area)
        self.invested += float(paid.sum())
        hh.productive_assets += paid
        old = hh.converted_mu[rows]
        total = old + area
        hh.converted_age[rows] = np.divide(
            old * hh.converted_age[rows], total, out=np.zeros(len(rows)), where=total > 0
        )
        hh.converted_use[rows] = np.where(area > 0, use, hh.converted_use[rows])
        hh.converted_mu[rows] = total
        hh.grain_mu[rows] -= area

    def headroom(self, rows: np.ndarray, uses: np.ndarray) -> np.ndarray:
        """Land the households ``rows`` may still put under each of the ``uses`` (mu),
        (rows, k) (``uses`` as in :meth:`_per_mu`).

        The cap is ``max_land_share x contracted_mu``, less the village-specialty land
        already under the use and the household's own converted land under it; all
        converted land together stays within ``convertible_share x contracted_mu``.
        """
        model = self.model
        hh = model.households
        contracted, converted = hh.contracted_mu[rows], hh.converted_mu[rows]
        cap = self.sheet.max_share[uses] * contracted[:, None]
        own = model.villages.land_use[hh.village[rows]][:, None] == uses
        held = own * hh.specialty_mu[rows, None]
        held = held + (hh.converted_use[rows, None] == uses) * converted[:, None]
        convertible = self.params.convertible_share * contracted - converted
        room = np.minimum(np.minimum(cap - held, hh.grain_mu[rows, None]), convertible[:, None])
        return np.clip(room, 0.0, None)
