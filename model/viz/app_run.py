"""The app's runs: the chosen scenario and its baseline reference, stepped in lock-step.

:class:`AppModel` is the joint-village model with what the app shows (a rolling year of
collective income, weak villages, a horizon); :class:`AppRun` holds the chosen scenario's
model and a reference model (:func:`reference_config`: the baseline's alliances and
policies on the chosen county, seed and replicate, so that both draw the same weather and
random numbers) and steps them together.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.colors import TwoSlopeNorm

from model.jointmodel import JointVillageModel
from model.scenario import Scenario, load_scenario
from model.viz import outlines, style
from model.world.alliances import MODES

#: The mode choice that keeps the scenario's own mode rule.
SCENARIO_MODE = "as in scenario"
#: The scenario whose alliances and policies the reference run takes.
REFERENCE_SCENARIO = "baseline"
#: Defaults of the app's parameters (the scenario's own values fill rent and trainees).
DEFAULT_YEARS = 3
DEFAULT_SCALE = 0.25


def scenario_overrides(
    years: int,
    county_scale: float,
    rent: float | None,
    mode: str,
    trainees: int | None,
    extra: Sequence[str] = (),
) -> list[str]:
    """The ``section.key=value`` overrides the app applies to the chosen scenario."""
    out = [*extra, f"years={int(years)}", f"county.scale={float(county_scale)}"]
    if rent is not None:
        out.append(f"policies.land_pooling.rent={float(rent)}")
    if trainees is not None:
        out.append(f"policies.livestream_training.trainees_per_year={int(trainees)}")
    if mode and mode != SCENARIO_MODE:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {(SCENARIO_MODE, *MODES)}, not {mode!r}")
        out += ['alliances.mode_rule="single"', f'alliances.single_mode="{mode}"']
    return out


def reference_config(config: Scenario) -> Scenario:
    """The chosen scenario with the baseline's alliances and policies (all else kept)."""
    base = load_scenario(REFERENCE_SCENARIO)
    return config.model_copy(
        deep=True,
        update={
            "name": f"{REFERENCE_SCENARIO} reference",
            "alliances": base.alliances.model_copy(deep=True),
            "policies": base.policies.model_copy(deep=True),
        },
    )


class AppModel(JointVillageModel):
    """The joint-village model with what the app shows: a rolling year and a horizon.

    Args:
        scenario_name: A shipped scenario (or a path).
        years: Months to run = 12 * years; the model stops there.
        county_scale: Share of the county to build (1 = all 864 villages).
        rent: Rent of pooled land (yuan/mu/yr); None keeps the scenario's.
        mode: An alliance mode for every alliance, or :data:`SCENARIO_MODE`.
        trainees: Livestream trainees per year; None keeps the scenario's.
        replicate: Replicate number (random streams).
        overrides: Further ``section.key=value`` overrides (from ``--set``).
        config: A ready configuration, used instead of the arguments above but ``replicate``
            (the reference run).
    """

    def __init__(
        self,
        scenario_name: str = "anqiu_2023",
        years: int = DEFAULT_YEARS,
        county_scale: float = DEFAULT_SCALE,
        rent: float | None = None,
        mode: str = SCENARIO_MODE,
        trainees: int | None = None,
        replicate: int = 0,
        overrides: Sequence[str] = (),
        config: Scenario | None = None,
    ) -> None:
        if config is None:
            config = load_scenario(
                scenario_name,
                scenario_overrides(years, county_scale, rent, mode, trainees, list(overrides)),
            )
        super().__init__(config, replicate=int(replicate))
        self.horizon = 12 * int(config.years)
        self.window: deque[np.ndarray] = deque(maxlen=12)
        xy = self.county.villages[["x_km", "y_km"]].to_numpy(float)
        self.outlines = outlines.alliance_outlines(xy, self.alliance_table.table["members"])
        threshold = config.collective.weak_threshold
        start = self.villages.collective_start
        top = max(float(np.percentile(start, 95)) * 1.5, 3 * threshold)
        self.map_norm = TwoSlopeNorm(vmin=0.0, vcenter=threshold / style.WAN, vmax=top / style.WAN)
        self.weak_history: list[int] = []
        self.collective_history: list[float] = []

    def step(self) -> None:
        """Advance one month and update the rolling year of collective income."""
        super().step()
        self.window.append(sum(self.collective.month.values()).copy())
        rolling = self.rolling_collective()
        self.weak_history.append(int((rolling < self.config.collective.weak_threshold).sum()))
        self.collective_history.append(float(self.window[-1].sum()))
        if self.steps >= self.horizon:
            self.running = False

    def rolling_collective(self) -> np.ndarray:
        """Collective income over the last 12 months (the start income fills missing months)."""
        done = len(self.window)
        total = sum(self.window) if done else np.zeros(self.n_villages)
        return total + self.villages.collective_start * (12 - done) / 12.0

    def period(self) -> str:
        """The current month as ``YYYY-MM`` (``start`` before the first step)."""
        if self.steps == 0:
            return "start"
        return f"{self.config.start_year + self.year_index}-{self.month:02d}"

    def yearly_income(self) -> float:
        """Per-capita income over the last 12 months at a yearly rate (yuan)."""
        last12 = self.recorder.monthly[-12:]
        return sum(r["per_capita_income"] for r in last12) * 12 / max(len(last12), 1)


class AppRun:
    """The chosen scenario and its reference (:func:`reference_config`), in lock-step.

    Args:
        **values: The keyword arguments of :class:`AppModel` for the chosen scenario.
    """

    #: Parameters applied to the running chosen model (the rest need a rebuild).
    LIVE = ("rent", "trainees")

    def __init__(self, **values: Any) -> None:
        self.values = dict(values)
        self.chosen = AppModel(**values)
        self.reference = AppModel(
            config=reference_config(self.chosen.config), replicate=self.chosen.replicate
        )
        #: Held while stepping or drawing (playing steps in a thread of its own).
        self.lock = threading.Lock()

    @property
    def running(self) -> bool:
        """Whether the horizon is still ahead."""
        return bool(self.chosen.running)

    def step(self) -> None:
        """Advance both models one month."""
        with self.lock:
            if self.chosen.running:
                self.chosen.step()
                self.reference.step()

    def apply_live(self, name: str, value: Any) -> None:
        """Set a live parameter on the chosen model's configuration (from now on)."""
        policies = self.chosen.config.policies
        if name == "rent":
            policies.land_pooling.rent = float(value)
        elif name == "trainees":
            policies.livestream_training.trainees_per_year = int(value)
        else:
            raise ValueError(f"{name!r} is not a live parameter; it applies on Reset")
        self.values[name] = value
