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
    on_offer,
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

    # -- quantities ----------------------------------------------------------------------

    def ginger_area(self) -> float:
        """County ginger area: village-specialty land plus converted land (mu)."""
        if self.ginger < 0:
            return 0.0
        hh = self.model.households
        own = hh.specialty_mu * (self.model.villages.land_use[hh.village] == self.ginger)
        return float(own.sum() + (hh.converted_mu * (hh.converted_use == self.ginger)).sum())

    def converted_total(self) -> float:
        """Land converted from grain (mu)."""
        return float(self.model.households.converted_mu.sum())

    def _use(self) -> np.ndarray:
        """Each household's converted use, 0 where it has none (its area is then 0)."""
        return np.maximum(self.model.households.converted_use, 0)

    def ramp(self) -> np.ndarray:
        """Share of full yield of each household's converted land this year."""
        use = self._use()
        age = self.model.households.converted_age
        return yield_ramp(age, self.sheet.first_yield[use], self.sheet.full_yield[use])

    def monthly_gross(self, gross_per_mu: np.ndarray, yield_factor: np.ndarray) -> np.ndarray:
        """Revenue of each household's converted land this month (before market access)."""
        hh = self.model.households
        return hh.converted_mu * gross_per_mu[self._use()] * yield_factor * self.ramp()

    def monthly_cost(self, cost_per_mu: np.ndarray) -> np.ndarray:
        """Cash cost of each household's converted land this month."""
        hh = self.model.households
        factor = np.maximum(self.ramp(), self.params.immature_cost_share)
        return hh.converted_mu * cost_per_mu[self._use()] * factor

    def labour_days(self) -> np.ndarray:
        """Family labour days a year of each household's converted land."""
        days = self.model.crops.land_use_labour_days
        return self.model.households.converted_mu * days[self._use()]

    # -- the January decision ------------------------------------------------------------

    def decide(self) -> None:
        """January: plantings age, households revert or convert, the ginger price responds."""
        model = self.model
        hh = model.households
        draw_choice = self.rng.random(hh.n)  # drawn whatever the switch (common numbers)
        draw_revert = self.rng.random(hh.n)
        if not self.params.enabled:
            return
        if model.year_index > 0:
            self._age_and_depreciate()
        gaps, keep_gap = self.gaps()
        self._revert(keep_gap, draw_revert)
        self._convert(gaps, draw_choice)
        if self.ginger_area_start > 0:
            model.market.respond_to_supply(self.ginger_area() / self.ginger_area_start)

    def _age_and_depreciate(self) -> None:
        """Plantings grow a year older; their investment depreciates straight-line."""
        hh = self.model.households
        use = self._use()
        life = self.sheet.asset_life[use]
        young = (hh.converted_age < life) & (life > 0)
        wear = np.where(
            young, self.sheet.investment[use] * hh.converted_mu / np.maximum(life, 1), 0
        )
        hh.productive_assets -= np.minimum(wear, hh.productive_assets)
        hh.converted_age += hh.converted_mu > 0

    def gaps(self) -> tuple[np.ndarray, np.ndarray]:
        """Per-mu utility over grain of converting to each use, and of keeping converted land.

        Returns:
            ``(gaps, keep_gap)``: shape (households, uses), and per household (for its
            converted use at its age; the investment sunk, the reversal cost saved).
        """
        model = self.model
        hh = model.households
        p = self.params
        sheet, crops = self.sheet, model.crops
        expected = crops.incidence @ (crops.yield_kg * model.market.expected_price)
        own_use = model.villages.land_use[hh.village]
        access = np.where(
            np.arange(len(expected)) == own_use[:, None], model.modes.access[hh.village, None], 1.0
        )
        gross = expected * hh.ability[:, None] * access
        cost = model.market.cost_per_mu()
        grain_margin = gross[:, self.grain] - cost[self.grain]
        day_value = self._day_value()
        days = crops.land_use_labour_days
        labour = (days - days[self.grain]) * day_value[:, None]
        sd = gross_sd_share(model)
        risk = p.risk_aversion * (gross * sd - (gross * sd)[:, [self.grain]])
        annuity = annuity_factor(p.discount_rate, p.planning_years)
        ramp, cost_factor = horizon_means(
            sheet.first_yield, sheet.full_yield, p.planning_years, p.discount_rate,
            p.immature_cost_share,
        )  # fmt: skip
        newcomer = ~(
            (own_use[:, None] == np.arange(len(expected))) & (hh.specialty_mu > 0)[:, None]
        )
        newcomer &= hh.converted_use[:, None] != np.arange(len(expected))
        upfront = sheet.investment + sheet.learning_cost * newcomer
        base = -grain_margin[:, None] - labour - risk
        gaps = ramp * gross - cost_factor * cost + base - annuity * upfront
        use = self._use()
        rows = np.arange(hh.n)
        ramp_now, cost_now = horizon_means(
            sheet.first_yield[use], sheet.full_yield[use], p.planning_years, p.discount_rate,
            p.immature_cost_share, hh.converted_age,
        )  # fmt: skip
        keep_gap = ramp_now * gross[rows, use] - cost_now * cost[use] + base[rows, use]
        keep_gap = keep_gap + annuity * sheet.reversal_cost[use]
        return gaps, keep_gap

    def _day_value(self) -> np.ndarray:
        """What a day of family labour could earn locally (wage x chance of finding work)."""
        model = self.model
        hh = model.households
        boost = model.labour.local_job_boost()[hh.village]
        wage = model.labour.daily_local_wage(model.year_index) * hh.earning
        return wage * model.labour.job_probability(hh.head_age, boost)

    def _revert(self, keep_gap: np.ndarray, draw: np.ndarray) -> None:
        """Households whose converted land is worth less than grain turn it back, paying
        the reversal cost as far as their means allow."""
        hh = self.model.households
        p = self.params
        chance = p.deciding_share / (1.0 + np.exp(np.clip(keep_gap / p.logit_scale, -50, 50)))
        revert = (hh.converted_mu > 0) & (draw < chance)
        if not revert.any():
            return
        use = self._use()
        per_mu = self.sheet.reversal_cost[use]
        wanted = np.where(revert, hh.converted_mu * per_mu, 0.0)
        paid = self.model.finance.pay_from_balance(wanted, "market", "investment")
        area = np.where(per_mu > 0, paid / np.maximum(per_mu, 1e-12), hh.converted_mu)
        area = np.where(revert, np.minimum(area, hh.converted_mu), 0.0)
        life = np.maximum(self.sheet.asset_life[use], 1.0)
        book = self.sheet.investment[use] * area * np.clip(1.0 - hh.converted_age / life, 0, 1)
        hh.productive_assets -= np.minimum(book, hh.productive_assets)
        hh.converted_mu -= area
        hh.grain_mu += area
        gone = hh.converted_mu <= 1e-12
        hh.converted_use = np.where(gone, -1, hh.converted_use)
        hh.converted_age = np.where(gone, 0.0, hh.converted_age)
        hh.converted_mu = np.where(gone, 0.0, hh.converted_mu)

    def _convert(self, gaps: np.ndarray, draw: np.ndarray) -> None:
        """Households pick a use by the logit and convert part of their grain land."""
        model = self.model
        hh = model.households
        p = self.params
        headroom = self.headroom()
        village_use = model.villages.land_use[hh.village]
        allowed = (headroom > 1e-9) & on_offer(village_use, gaps.shape[1], p.choice_set)
        allowed[:, self.grain] = False
        has_plot = hh.converted_use >= 0
        allowed &= ~has_plot[:, None] | (hh.converted_use[:, None] == np.arange(gaps.shape[1]))
        able = (hh.farm_labour >= p.min_farm_labour) & (hh.grain_mu > 0)
        allowed &= able[:, None]
        choice = choose_use(gaps, allowed, p.logit_scale, draw, p.deciding_share)
        movers = choice >= 0
        use = np.maximum(choice, 0)
        rows = np.arange(hh.n)
        per_mu = self.sheet.investment[use]
        working = model.market.cost_per_mu()[use]
        affordable = np.maximum(hh.spendable(), 0.0) / np.maximum(per_mu + working, 1e-9)
        area = np.minimum(p.plot_share * hh.grain_mu, headroom[rows, use])
        area = np.where(movers, np.minimum(area, affordable), 0.0)
        paid = model.finance.pay_from_balance(area * per_mu, "market", "investment")
        area = np.where(per_mu > 0, np.minimum(area, paid / np.maximum(per_mu, 1e-12)), area)
        self.invested += float(paid.sum())
        hh.productive_assets += paid
        old = hh.converted_mu
        new_total = old + area
        hh.converted_age = np.divide(
            old * hh.converted_age, new_total, out=np.zeros(hh.n), where=new_total > 0
        )
        hh.converted_use = np.where(area > 0, use, hh.converted_use)
        hh.converted_mu = new_total
        hh.grain_mu -= area

    def headroom(self) -> np.ndarray:
        """Land each household may still put under each use (mu), shape (households, uses).

        The cap is ``max_land_share x contracted_mu``, less the village-specialty land
        already under the use and the household's own converted land under it; all
        converted land together stays within ``convertible_share x contracted_mu``.
        """
        model = self.model
        hh = model.households
        uses = np.arange(len(model.crops.land_uses))
        cap = self.sheet.max_share * hh.contracted_mu[:, None]
        own = model.villages.land_use[hh.village][:, None] == uses
        held = (
            own * hh.specialty_mu[:, None]
            + (hh.converted_use[:, None] == uses) * (hh.converted_mu[:, None])
        )
        convertible = self.params.convertible_share * hh.contracted_mu - hh.converted_mu
        room = np.minimum(np.minimum(cap - held, hh.grain_mu[:, None]), convertible[:, None])
        return np.clip(room, 0.0, None)
