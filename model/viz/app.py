"""The interactive app: choose a scenario and its main parameters, run, and watch.

Built on Mesa's :class:`~mesa.visualization.SolaraViz`: the side bar holds the controls
(Reset, play/pause, Step) and the model parameters (scenario, years, share of the county,
pooled-land rent, alliance mode, livestream trainees, replicate); the main area shows the
village map (villages coloured by their collective income over the last 12 months, alliances
outlined by mode), per-capita income by source month by month, the county's collective
income and the number of weak villages, and a summary of the current month. A parameter
change takes effect on **Reset**, as everywhere in Mesa.

Start it with ``jointvillage app [SCENARIO] [--port 8765] [--set key=value ...]`` (see
:mod:`model.cli.app`), or ``solara run model.viz.app`` (the page is :func:`Page`). The command
passes the scenario and its ``--set`` overrides to the server in the environment variables
``JOINTVILLAGE_APP_SCENARIO`` and ``JOINTVILLAGE_APP_SET`` (a JSON list).

For responsiveness the app runs a share of the county (``county.scale``, default 0.25) over
a short horizon (default 3 years); figures are rendered to PNG with the shared style of
:mod:`model.viz.style`.
"""

from __future__ import annotations

import html
import json
import os
from collections import deque
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import solara
from matplotlib.colors import TwoSlopeNorm
from mesa.visualization import SolaraViz

from model.jointmodel import JointVillageModel
from model.paths import SCENARIO_DIR
from model.scenario import load_scenario
from model.viz import maps, outlines, style
from model.viz.income_figures import stack_sources
from model.world.alliances import MODES

#: Environment variables set by ``jointvillage app``.
SCENARIO_ENV = "JOINTVILLAGE_APP_SCENARIO"
OVERRIDES_ENV = "JOINTVILLAGE_APP_SET"
#: The mode choice that keeps the scenario's own mode rule.
SCENARIO_MODE = "as in scenario"
#: Defaults of the app's parameters (the scenario's own values fill rent and trainees).
DEFAULT_YEARS = 3
DEFAULT_SCALE = 0.25
#: Resolution of the app's figures.
APP_DPI = 80


def shipped_scenarios() -> list[str]:
    """Names of the scenario files shipped in ``scenarios/``."""
    return sorted(path.stem for path in SCENARIO_DIR.glob("*.toml"))


def app_scenario() -> str:
    """The scenario the app starts with (``JOINTVILLAGE_APP_SCENARIO``, else the programme)."""
    return os.environ.get(SCENARIO_ENV) or "anqiu_2023"


def app_overrides() -> list[str]:
    """``--set`` overrides passed by ``jointvillage app`` (``JOINTVILLAGE_APP_SET``)."""
    raw = os.environ.get(OVERRIDES_ENV, "")
    if not raw:
        return []
    value = json.loads(raw)
    return [str(v) for v in value] if isinstance(value, list) else []


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
    ) -> None:
        config = load_scenario(
            scenario_name,
            scenario_overrides(years, county_scale, rent, mode, trainees, list(overrides)),
        )
        super().__init__(config, replicate=int(replicate))
        self.horizon = 12 * int(years)
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


# --------------------------------------------------------------------------------------
# Components (plain functions: SolaraViz re-renders them after every step)


def _png(fig: Any) -> bytes:
    return style.figure_png(fig, dpi=APP_DPI)


def village_map(model: AppModel) -> Any:
    """The county map: villages by collective income over the last 12 months."""
    fig = maps.village_map_figure(
        model.county.villages,
        model.alliance_table.table,
        model.rolling_collective() / style.WAN,
        title=f"Collective income, last 12 months ({model.period()})",
        value_label="10,000 yuan per year (white = weak-village bar, 100,000 yuan)",
        cmap="RdYlGn",
        norm=model.map_norm,
        outlines=model.outlines,
        figsize=(7.6, 5.6),
    )
    return solara.Image(_png(fig), classes=["jv-map"])


def income_chart(model: AppModel) -> Any:
    """Per-capita income by source, month by month (stacked)."""
    fig, axes = style.new_figure(1, 1, (7.0, 3.6))
    ax = axes[0, 0]
    rows = model.recorder.monthly
    x = np.arange(1, len(rows) + 1)
    if rows:
        stack_sources(ax, x, pd.DataFrame(rows))
        ax.legend(loc="upper left", fontsize=7, ncols=2)
    ax.set_xlim(1, max(model.horizon, 2))
    ax.set_xlabel(f"Month since {model.config.start_year}-01")
    ax.set_ylabel("yuan per person per month")
    ax.set_title(f"Per-capita income by source ({model.period()})")
    return solara.Image(_png(fig), classes=["jv-income"])


def collective_chart(model: AppModel) -> Any:
    """County collective income per month and weak villages (last 12 months)."""
    fig, axes = style.new_figure(1, 2, (8.0, 3.4))
    left, right = axes[0]
    x = np.arange(1, len(model.collective_history) + 1)
    if len(x):
        left.bar(x, np.array(model.collective_history) / style.WAN, color="#55a868")
        right.plot(x, model.weak_history, color="#b2182b")
    for ax in (left, right):
        ax.set_xlim(0.5, max(model.horizon, 2) + 0.5)
        ax.set_xlabel("Month")
    left.set_ylabel("10,000 yuan per month")
    left.set_title("Collective income, all villages")
    right.set_ylabel("villages")
    right.set_ylim(bottom=0, top=max(model.n_villages * 0.6, 1))
    right.set_title("Weak villages (last 12 months)")
    return solara.Image(_png(fig), classes=["jv-collective"])


def summary_card(model: AppModel) -> Any:
    """The current month's headline numbers, as text."""
    rows = model.recorder.monthly
    last12 = rows[-12:]
    income = sum(r["per_capita_income"] for r in last12) * 12 / max(len(last12), 1)
    lines = [
        f"<b>{html.escape(model.config.name)}</b>: {model.n_villages} villages, "
        f"{int(model.villages.allied.sum())} allied in {len(model.alliance_agents)} alliances.",
        f"Month <b class='jv-period'>{model.period()}</b>, "
        f"<span class='jv-step'>step {model.steps} of {model.horizon}</span>"
        + (" (finished)." if not model.running else "."),
    ]
    if rows:
        lines.append(
            f"Per-capita income, last 12 months at a yearly rate: <b>{income:,.0f} yuan</b>. "
            f"Weak villages (collective income below 100,000 yuan): "
            f"<b>{model.weak_history[-1]}</b>."
        )
    else:
        lines.append("Press STEP, or play (&#9654;), to run the model month by month.")
    lines.append(
        "Change the model parameters in the side bar, then press RESET to rebuild the model."
    )
    body = "".join(f"<p>{line}</p>" for line in lines)
    return solara.HTML(tag="div", unsafe_innerHTML=body, classes=["jv-summary"])


COMPONENTS = [(village_map, 0), (income_chart, 0), (collective_chart, 0), (summary_card, 0)]


#: The controls of the side bar, in order; :func:`model_params` fills in the values that
#: depend on the scenario (its name and the list of scenarios, rent, trainees).
CONTROLS: dict[str, dict[str, Any]] = {
    "scenario_name": {"type": "Select", "label": "Scenario"},
    "years": {
        "type": "SliderInt",
        "value": DEFAULT_YEARS,
        "min": 1,
        "max": 10,
        "step": 1,
        "label": "Years to simulate",
    },
    "county_scale": {
        "type": "SliderFloat",
        "value": DEFAULT_SCALE,
        "min": 0.1,
        "max": 1.0,
        "step": 0.05,
        "label": "Share of the county (1 = 864 villages)",
    },
    "rent": {
        "type": "SliderInt",
        "min": 0,
        "max": 1500,
        "step": 50,
        "label": "Pooled-land rent (yuan/mu/yr)",
    },
    "mode": {
        "type": "Select",
        "value": SCENARIO_MODE,
        "values": [SCENARIO_MODE, *MODES],
        "label": "Alliance mode (all alliances)",
    },
    "trainees": {
        "type": "SliderInt",
        "min": 0,
        "max": 1000,
        "step": 50,
        "label": "Livestream trainees per year",
    },
    "replicate": {
        "type": "SliderInt",
        "value": 0,
        "min": 0,
        "max": 9,
        "step": 1,
        "label": "Replicate (random stream)",
    },
}


def model_params(scenario: str | None = None, overrides: Sequence[str] = ()) -> dict[str, Any]:
    """SolaraViz's model parameters: the controls of the side bar, with their defaults."""
    scenario = scenario or app_scenario()
    config = load_scenario(scenario, list(overrides))
    names = shipped_scenarios()
    if scenario not in names:
        names.insert(0, scenario)
    params: dict[str, Any] = {key: dict(control) for key, control in CONTROLS.items()}
    params["scenario_name"].update(value=scenario, values=names)
    params["rent"]["value"] = round(config.policies.land_pooling.rent)
    params["trainees"]["value"] = int(config.policies.livestream_training.trainees_per_year)
    params["overrides"] = list(overrides)
    return params


def initial_values(params: dict[str, Any]) -> dict[str, Any]:
    """The model's keyword arguments for the parameters' default values."""
    return {k: (v["value"] if isinstance(v, dict) else v) for k, v in params.items()}


def _viz(model: AppModel, params: dict[str, Any]) -> Any:
    return SolaraViz(
        model,
        components=COMPONENTS,
        model_params=params,
        name="jointvillage: cross-village joint building (跨村联建)",
        play_interval=150,
    )


def make_page(scenario: str | None = None, overrides: Sequence[str] | None = None) -> Any:
    """The app for a scenario as a SolaraViz element (to display in a notebook)."""
    overrides = list(app_overrides() if overrides is None else overrides)
    params = model_params(scenario, overrides)
    return _viz(AppModel(**initial_values(params)), params)


@solara.component
def Page() -> Any:  # noqa: N802 - the name Solara looks for
    """The page served by ``solara run model.viz.app`` (one model per browser session)."""
    params = solara.use_memo(lambda: model_params(None, app_overrides()), [])
    model = solara.use_memo(lambda: AppModel(**initial_values(params)), [])
    return _viz(model, params)
