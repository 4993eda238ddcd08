"""The interactive app: choose a scenario and its main parameters, run, and watch the effect.

The page (:func:`Page`, built with Solara on the Mesa model) has a side bar with the run
buttons (Reset, play/pause, Step), a plain ``month: 2024-03`` indicator and the parameters,
each showing its current value: scenario, years, share of the county (1 = the full county,
slower), pooled-land rent, alliance mode, livestream trainees, replicate. The rent and the
trainees apply at once to the running model (from the next month or year on); the other
parameters rebuild the county and apply on **Reset**, as the page says.

Beside the chosen scenario the app runs a **reference**: the baseline policies (no alliances,
no pooling, shares, contracts or training) on the chosen scenario's own county, seed and
replicate, so both runs draw the same weather and the same random numbers (common random
numbers). The two step in lock-step; the charts draw the reference as a dashed line and the
summary card shows the difference (the two runs: :mod:`model.viz.app_run`). The map colours
villages with a colour-blind-safe map (:data:`model.viz.palettes.SEQUENTIAL_CMAP`).

Start it with ``jointvillage app [SCENARIO] [--port 8765] [--set key=value ...]`` (see
:mod:`model.cli.app`), or ``solara run model.viz.app``. The command passes the scenario and
its ``--set`` overrides to the server in ``JOINTVILLAGE_APP_SCENARIO`` and
``JOINTVILLAGE_APP_SET`` (a JSON list). For responsiveness the app starts on a share of the
county (``county.scale`` 0.25) over a short horizon (3 years).
"""

from __future__ import annotations

import html
import json
import os
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import solara

from model.paths import SCENARIO_DIR
from model.scenario import load_scenario
from model.viz import maps, palettes, style
from model.viz.app_run import DEFAULT_SCALE, DEFAULT_YEARS, SCENARIO_MODE, AppModel, AppRun
from model.viz.income_figures import stack_sources
from model.world.alliances import MODES

#: Environment variables set by ``jointvillage app``.
SCENARIO_ENV = "JOINTVILLAGE_APP_SCENARIO"
OVERRIDES_ENV = "JOINTVILLAGE_APP_SET"
#: Resolution of the app's figures, and the pause between months while playing.
APP_DPI = 80
PLAY_SECONDS = 0.15
#: Line colours: the chosen scenario (Okabe-Ito blue, vermillion) and the reference (grey).
CHOSEN_COLOUR = palettes.OKABE_ITO[4]
WEAK_COLOUR = palettes.WEAK_BAR_COLOUR
REFERENCE_COLOUR = palettes.NEUTRALS[3]
REFERENCE_STYLE = "--"


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


# --------------------------------------------------------------------------------------
# Figures and cards (the chosen scenario against the dashed reference)


def _months(model: AppModel) -> np.ndarray:
    return np.arange(1, model.steps + 1)


def map_figure(run: AppRun) -> Any:
    """The county map: villages by collective income over the last 12 months."""
    model = run.chosen
    return maps.village_map_figure(
        model.county.villages,
        model.alliance_table.table,
        model.rolling_collective() / style.WAN,
        title=f"Collective income, last 12 months ({model.period()})",
        value_label="10,000 yuan per year (middle colour = weak-village bar, 100,000 yuan)",
        cmap=palettes.SEQUENTIAL_CMAP,
        norm=model.map_norm,
        outlines=model.outlines,
        figsize=(7.6, 5.6),
    )


def income_figure(run: AppRun) -> Any:
    """Per-capita income by source (stacked), with the reference's total dashed."""
    model = run.chosen
    fig, axes = style.new_figure(1, 1, (7.0, 3.6))
    ax = axes[0, 0]
    rows = model.recorder.monthly
    if rows:
        x = _months(model)
        stack_sources(ax, x, pd.DataFrame(rows))
        reference = [r["per_capita_income"] for r in run.reference.recorder.monthly]
        ax.plot(x, reference, REFERENCE_STYLE, color=REFERENCE_COLOUR, lw=1.6, label="reference")
        ax.legend(loc="upper left", fontsize=7, ncols=2)
    ax.set_xlim(1, max(model.horizon, 2))
    ax.set_xlabel(f"Month since {model.config.start_year}-01")
    ax.set_ylabel("yuan per person per month")
    ax.set_title(f"Per-capita income by source ({model.period()})")
    return fig


def collective_figure(run: AppRun) -> Any:
    """County collective income per month and weak villages, with the reference dashed."""
    model, reference = run.chosen, run.reference
    fig, axes = style.new_figure(1, 2, (8.0, 3.4))
    left, right = axes[0]
    x = _months(model)
    if len(x):
        left.plot(x, np.array(model.collective_history) / style.WAN, color=CHOSEN_COLOUR)
        left.plot(
            x,
            np.array(reference.collective_history) / style.WAN,
            REFERENCE_STYLE,
            color=REFERENCE_COLOUR,
            label="reference",
        )
        right.plot(x, model.weak_history, color=WEAK_COLOUR, label=model.config.name)
        right.plot(
            x, reference.weak_history, REFERENCE_STYLE, color=REFERENCE_COLOUR, label="reference"
        )
        right.legend(loc="upper right", fontsize=7)
    for ax in (left, right):
        ax.set_xlim(0.5, max(model.horizon, 2) + 0.5)
        ax.set_xlabel("Month")
    left.set_ylim(bottom=0)
    left.set_ylabel("10,000 yuan per month")
    left.set_title("Collective income, all villages")
    right.set_ylabel("villages")
    right.set_ylim(bottom=0, top=max(model.n_villages * 0.6, 1))
    right.set_title("Weak villages (last 12 months)")
    return fig


#: The charts of the main area: (figure function, CSS class of its image).
CHARTS: list[tuple[Callable[[AppRun], Any], str]] = [
    (map_figure, "jv-map"),
    (income_figure, "jv-income"),
    (collective_figure, "jv-collective"),
]


def month_text(model: AppModel) -> str:
    """The plain month indicator, e.g. ``month: 2024-03 (15 of 36)``."""
    return f"month: {model.period()} ({model.steps} of {model.horizon})"


def summary_html(run: AppRun) -> str:
    """The summary card: the chosen scenario, the reference, and the difference."""
    model, reference = run.chosen, run.reference
    head = (
        f"<p><b>{html.escape(model.config.name)}</b>: {model.n_villages} villages, "
        f"{int(model.villages.allied.sum())} allied in {len(model.alliance_agents)} alliances. "
        f"<b class='jv-period'>{month_text(model)}</b>"
        + (" (finished)." if not model.running else ".")
        + "</p>"
    )
    if not model.recorder.monthly:
        return head + "<p>Press STEP, or play (&#9654;), to run the model month by month.</p>"
    rows = [
        ("Per-capita income, last 12 months (yuan/yr)", model.yearly_income(),
         reference.yearly_income(), ",.0f"),
        ("Collective income, last 12 months (10,000 yuan)",
         model.rolling_collective().sum() / style.WAN,
         reference.rolling_collective().sum() / style.WAN, ",.1f"),
        ("Weak villages (below 100,000 yuan)", model.weak_history[-1],
         reference.weak_history[-1], ",.0f"),
    ]  # fmt: skip
    cells = "".join(
        f"<tr><td>{label}</td><td>{chosen:{fmt}}</td><td>{ref:{fmt}}</td>"
        f"<td class='jv-difference'>{chosen - ref:+{fmt}}</td></tr>"
        for label, chosen, ref, fmt in rows
    )
    table = (
        "<table class='jv-compare' style='border-spacing: 14px 2px; text-align: right'>"
        "<tr><th></th><th>chosen</th><th>reference</th>"
        f"<th>difference</th></tr>{cells}</table>"
    )
    return head + table


REFERENCE_NOTE = (
    "Dashed grey lines: the reference run, with the baseline's policies (no alliances, "
    "pooling, shares, contracts or training) on the same county, weather and random draws "
    "(same seed and replicate). The difference is the effect of the chosen scenario."
)
RESET_NOTE = (
    "Rent and trainees apply to the running model at once (from the next month or year). "
    "Scenario, years, share of the county, alliance mode and replicate rebuild the county: "
    "press RESET to apply them."
)
FULL_COUNTY_NOTE = "Share 1.0 = the full county (864 villages): slower to build and to run."


# --------------------------------------------------------------------------------------
# The page


#: The controls of the side bar, in order; :func:`model_params` fills in the values that
#: depend on the scenario (its name and the list of scenarios, rent, trainees).
CONTROLS: dict[str, dict[str, Any]] = {
    "scenario_name": {"type": "Select", "label": "Scenario"},
    "years": {"type": "SliderInt", "value": DEFAULT_YEARS, "min": 1, "max": 10, "step": 1,
              "label": "Years to simulate", "unit": ""},
    "county_scale": {"type": "SliderFloat", "value": DEFAULT_SCALE, "min": 0.1, "max": 1.0,
                     "step": 0.05, "label": "Share of the county", "unit": ""},
    "rent": {"type": "SliderInt", "min": 0, "max": 1500, "step": 50,
             "label": "Pooled-land rent", "unit": " yuan/mu/yr"},
    "mode": {"type": "Select", "value": SCENARIO_MODE, "values": [SCENARIO_MODE, *MODES],
             "label": "Alliance mode (all alliances)"},
    "trainees": {"type": "SliderInt", "min": 0, "max": 1000, "step": 50,
                 "label": "Livestream trainees per year", "unit": ""},
    "replicate": {"type": "SliderInt", "value": 0, "min": 0, "max": 9, "step": 1,
                  "label": "Replicate (random stream)", "unit": ""},
}  # fmt: skip


def model_params(scenario: str | None = None, overrides: Sequence[str] = ()) -> dict[str, Any]:
    """The controls with their defaults for a scenario (plus the fixed ``overrides``)."""
    scenario = scenario or app_scenario()
    config = load_scenario(scenario, list(overrides))
    names = shipped_scenarios()
    if scenario not in names:
        names.insert(0, scenario)
    params: dict[str, Any] = {key: dict(control) for key, control in CONTROLS.items()}
    params["scenario_name"].update(value=scenario, values=names)
    params["rent"]["value"] = round(config.policies.land_pooling.rent)
    params["trainees"]["value"] = int(config.policies.livestream_training.trainees_per_year)
    # The app's short horizon and small county, unless ``--set`` asks for others.
    asked = {override.split("=", 1)[0].strip() for override in overrides}
    if "years" in asked:
        params["years"]["value"] = int(config.years)
    if "county.scale" in asked:
        params["county_scale"]["value"] = float(config.county.scale)
    params["overrides"] = list(overrides)
    return params


def initial_values(params: dict[str, Any]) -> dict[str, Any]:
    """The model's keyword arguments for the parameters' default values."""
    return {k: (v["value"] if isinstance(v, dict) else v) for k, v in params.items()}


def value_label(name: str, value: Any) -> str:
    """A control's label with its current value, e.g. ``Pooled-land rent: 800 yuan/mu/yr``."""
    control = CONTROLS[name]
    shown = f"{value:.2f}" if control["type"] == "SliderFloat" else str(value)
    return f"{control['label']}: {shown}{control.get('unit', '')}"


def pending_changes(run: AppRun, values: dict[str, Any]) -> list[str]:
    """Labels of the controls whose value waits for Reset (differs from the running model's)."""
    return [
        str(CONTROLS[k]["label"])
        for k in CONTROLS
        if k not in AppRun.LIVE and values.get(k) != run.values.get(k)
    ]


@solara.component
def Control(name: str, params: dict[str, Any], value: Any, on_value: Callable) -> Any:  # noqa: N802
    """One parameter control, its current value in its label."""
    spec = params[name]
    label = value_label(name, value)
    if spec["type"] == "Select":
        return solara.Select(label, value=value, values=spec["values"], on_value=on_value)
    slider = solara.SliderFloat if spec["type"] == "SliderFloat" else solara.SliderInt
    return slider(
        label,
        value=value,
        min=spec["min"],
        max=spec["max"],
        step=spec["step"],
        on_value=on_value,
        thumb_label=True,
    )


@solara.component
def Charts(run: AppRun, tick: int) -> Any:  # noqa: N802
    """The map, the two charts and the summary card, redrawn when ``tick`` moves."""

    def draw() -> list[bytes]:
        with run.lock:
            return [style.figure_png(chart(run), dpi=APP_DPI) for chart, _ in CHARTS]

    images = solara.use_memo(draw, [run, tick])
    with solara.Column() as main:
        with solara.Row(style={"flex-wrap": "wrap"}):
            for png, (_, css) in zip(images, CHARTS, strict=True):
                solara.Image(png, classes=[css])
        solara.HTML(tag="div", unsafe_innerHTML=summary_html(run), classes=["jv-summary"])
        solara.Text(REFERENCE_NOTE, classes=["jv-reference-note"])
    return main


@solara.component
def AppPage(scenario: str | None = None, overrides: Sequence[str] = ()) -> Any:  # noqa: N802
    """The app for a scenario: side bar of controls, main area of charts."""
    params = solara.use_memo(lambda: model_params(scenario, list(overrides)), [])
    values = solara.use_reactive(initial_values(params))
    run = solara.use_reactive(solara.use_memo(lambda: AppRun(**values.value), []))
    playing = solara.use_reactive(False)
    tick = solara.use_reactive(0)

    def play() -> None:
        while playing.value and run.value.running:
            time.sleep(PLAY_SECONDS)
            run.value.step()
            tick.set(tick.value + 1)
        if not run.value.running:
            playing.set(False)

    solara.lab.use_task(play, dependencies=[playing.value], prefer_threaded=True)

    def step() -> None:
        run.value.step()
        tick.set(tick.value + 1)

    def reset() -> None:
        playing.set(False)
        run.set(AppRun(**values.value))
        tick.set(0)

    def change(name: str, value: Any) -> None:
        if CONTROLS[name]["type"] == "SliderFloat":  # 0.1 + 18 * 0.05 is not quite 1.0
            value = round(float(value), 4)
        new = {**values.value, name: value}
        if name == "scenario_name":  # the scenario's own rent and trainees
            fresh = model_params(str(value), list(overrides))
            new.update(rent=fresh["rent"]["value"], trainees=fresh["trainees"]["value"])
        if name in AppRun.LIVE:
            run.value.apply_live(name, value)
        values.set(new)

    model = run.value.chosen
    pending = pending_changes(run.value, values.value)
    with solara.AppBar():
        solara.AppBarTitle("jointvillage: cross-village joint building (跨村联建)")
    with solara.Sidebar(), solara.Column():
        with solara.Card("Run"):
            with solara.Row(justify="space-between"):
                solara.Button("Reset", color="primary", on_click=reset)
                solara.Button(
                    "❚❚" if playing.value else "▶",
                    color="primary",
                    on_click=lambda: playing.set(not playing.value),
                    disabled=not run.value.running,
                )
                solara.Button(
                    "Step",
                    color="primary",
                    on_click=step,
                    disabled=playing.value or not run.value.running,
                )
            solara.Text(month_text(model), classes=["jv-month"])
        with solara.Card("Parameters"):
            for name in CONTROLS:
                Control(name, params, values.value[name], lambda v, n=name: change(n, v))
                if name == "county_scale":
                    solara.Text(FULL_COUNTY_NOTE, classes=["jv-note"])
            solara.Markdown(RESET_NOTE)
            if pending:
                solara.Warning(
                    "Changed, applies on RESET: " + ", ".join(pending), classes=["jv-pending"]
                )
    Charts(run.value, tick.value)


def make_page(scenario: str | None = None, overrides: Sequence[str] | None = None) -> Any:
    """The app for a scenario as a Solara element (to display in a notebook)."""
    return AppPage(scenario, list(app_overrides() if overrides is None else overrides))


@solara.component
def Page() -> Any:  # noqa: N802 - the name Solara looks for
    """The page served by ``solara run model.viz.app`` (one model per browser session)."""
    return AppPage(None, app_overrides())
