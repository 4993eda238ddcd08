"""The shared figure style (model.viz.style, model.viz.labels) and the figures of model.viz."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.colors import to_rgb

from model.experiments.effects import yearly_effects
from model.registry import INCOME_SOURCES, Source
from model.runner import COUNTY_MEASURES
from model.viz import experiment_figures, figures, income_figures, labels, maps, style

IN_CI = os.environ.get("CI", "").strip().lower() == "true"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def county_table(scenarios=("baseline", "anqiu_2023"), replicates=2, years=3) -> pd.DataFrame:
    """A county_yearly table of several scenarios and replicates (made-up numbers)."""
    rng = np.random.default_rng(1)
    rows = []
    for k, scenario in enumerate(scenarios):
        for replicate in range(replicates):
            for t in range(years):
                row = {"scenario": scenario, "replicate": replicate, "year": 2023 + t}
                for m in COUNTY_MEASURES:
                    row[m] = float(rng.uniform(0.5, 1.5))
                for i, source in enumerate(INCOME_SOURCES.names()):
                    row[f"income_{source}"] = 1000.0 * (5 - i) * (1 + 0.05 * t + 0.02 * k)
                row["per_capita_income"] = sum(row[f"income_{s}"] for s in INCOME_SOURCES.names())
                row["weak_villages"] = 100 - 10 * k * t - replicate
                row["collective_income_mean"] = 2e5 * (1 + 0.1 * k * t)
                row["collective_income_median"] = 1.2e5 * (1 + 0.1 * k * t)
                rows.append(row)
    return pd.DataFrame(rows)


def village_table(scenarios=("baseline", "anqiu_2023"), replicates=2, years=3) -> pd.DataFrame:
    """A village_yearly table (collective income only), lognormal across villages."""
    rng = np.random.default_rng(2)
    frames = []
    for k, scenario in enumerate(scenarios):
        for replicate in range(replicates):
            for t in range(years):
                income = rng.lognormal(np.log(1.2e5) + 0.1 * k * t, 0.9, size=80)
                income[0] = 0.0  # a village with no collective income at all
                frames.append(
                    pd.DataFrame(
                        {
                            "scenario": scenario,
                            "replicate": replicate,
                            "year": 2023 + t,
                            "village_id": [f"v{i}" for i in range(80)],
                            "collective_income": income,
                        }
                    )
                )
    return pd.concat(frames, ignore_index=True)


def assert_png(path: Path) -> None:
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC, f"{path} is not a PNG"
    assert len(data) > 10_000, f"{path} looks empty ({len(data)} bytes)"


def texts(fig) -> list[str]:
    """Every text of a figure: titles, labels, legend entries, notes."""
    out = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
    return [t for t in out if t]


# --------------------------------------------------------------------------------------
# The three figures of the run command


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_run_figures_are_written(tmp_path: Path, lang: str) -> None:
    county, villages = county_table(), village_table()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zh without a CJK font falls back, with a warning
        paths = [
            income_figures.plot_income_paths(county, tmp_path / f"income_{lang}.png", lang),
            figures.plot_collective_distribution(villages, tmp_path / f"dist_{lang}.png", lang),
            figures.plot_weak_villages(county, tmp_path / "sub" / f"weak_{lang}.png", lang),
        ]
    for path in paths:
        assert path.exists()
        assert_png(path)


def test_run_figures_accept_one_scenario_without_keys(tmp_path: Path) -> None:
    county = county_table(("anqiu_2023",), replicates=1).drop(columns=["scenario", "replicate"])
    villages = village_table(("anqiu_2023",), replicates=1).drop(columns=["scenario"])
    assert_png(income_figures.plot_income_paths(county, tmp_path / "a.png"))
    assert_png(figures.plot_weak_villages(county, tmp_path / "b.png"))
    assert_png(figures.plot_collective_distribution(villages, tmp_path / "c.png"))


def test_figures_have_titles_units_and_legends() -> None:
    county, villages = county_table(), village_table()
    income = income_figures.income_paths_figure(county)
    assert income.get_suptitle() == labels.text("income_paths_title")
    assert income.axes[0].get_ylabel() == "yuan per person per year"
    shown = texts(income)
    for source in INCOME_SOURCES.names():
        assert labels.source_label(source) in shown
    assert "Anqiu programme 2023" in shown and "Baseline (no joint building)" in shown

    weak = figures.weak_villages_figure(county)
    assert "100,000" in weak.get_suptitle()
    assert "villages" in weak.axes[0].get_ylabel()
    assert weak.legends, "weak villages figure has no legend"

    dist = figures.collective_distribution_figure(villages)
    assert dist.axes[0].get_xscale() == "log"
    assert any("weak-village bar" in t for t in texts(dist))
    assert any("10,000 yuan" in ax.get_xlabel() for ax in dist.axes)
    # The weak bar is drawn at 100,000 yuan = 10 (in 10,000 yuan).
    lines = [ln for ax in dist.axes for ln in ax.get_lines()]
    assert any(np.allclose(ln.get_xdata(), 10.0) for ln in lines)


def test_distribution_reports_the_weak_share() -> None:
    villages = village_table(("baseline",), replicates=1, years=2)
    last = villages[villages["year"] == 2024]["collective_income"]
    share = 100 * float((last < style.WEAK_BAR).mean())
    fig = figures.collective_distribution_figure(villages)
    assert f"2024: {share:.0f}% weak" in texts(fig)


def test_other_figures_draw() -> None:
    county = county_table(("baseline", "anqiu_2023", "mode_lead_goose"))
    for fig in (
        figures.collective_paths_figure(county),
        income_figures.income_sources_figure(county, reference="baseline"),
    ):
        assert style.figure_png(fig)[:8] == PNG_MAGIC


def test_comparison_and_sensitivity_figures() -> None:
    from model.experiments.compare import compare

    county = county_table(("baseline", "anqiu_2023", "policy_land_pooling"), replicates=3)
    table = compare(county, reference="baseline")
    fig = experiment_figures.effects_figure(table)
    assert "Baseline (no joint building)" in fig.get_suptitle()
    assert style.figure_png(fig)[:8] == PNG_MAGIC

    params = ["policies.land_pooling.rent", "prices.wage_growth"]
    morris = pd.DataFrame(
        [
            {
                "scenario": "s",
                "measure": m,
                "parameter": p,
                "mu": 1.0,
                "mu_star": 1.0 + i,
                "mu_star_conf": 0.1,
                "sigma": 0.5,
                "note": "",
            }
            for m in ("per_capita_income", "gini_household")
            for i, p in enumerate(params)
        ]
    )
    ranking = pd.DataFrame({"per_capita_income": [1.0, 0.5]}, index=params)
    sobol = pd.DataFrame(
        [
            {
                "scenario": "s",
                "measure": "per_capita_income",
                "parameter": p,
                "S1": 0.4,
                "S1_conf": 0.1,
                "ST": 0.5,
                "ST_conf": 0.1,
                "note": "",
            }
            for p in params
        ]
    )
    for fig in (
        experiment_figures.morris_figure(morris),
        experiment_figures.morris_ranking_figure(ranking),
        experiment_figures.sobol_figure(sobol),
    ):
        assert style.figure_png(fig)[:8] == PNG_MAGIC


def test_maps_from_a_real_county() -> None:
    from model.jointmodel import build_world
    from model.scenario import load_scenario

    county, alliances = build_world(load_scenario("anqiu_2023", ["county.scale=0.2"]))
    villages, table = county.villages, alliances.table
    by_mode = maps.village_map_figure(villages, table)
    gains = np.linspace(-1, 3, len(villages))
    by_value = maps.village_map_figure(villages, table, gains, diverging=True, value_label="x")
    for fig in (by_mode, by_value):
        assert style.figure_png(fig)[:8] == PNG_MAGIC
    frame = pd.DataFrame({"mode": ["lead_goose", "", "industry_pull"], "gain": [1e5, 0.0, 2e5]})
    assert style.figure_png(figures.mode_gains_figure(frame, year=2025))[:8] == PNG_MAGIC


def test_figures_from_a_real_run(tmp_path: Path) -> None:
    """The runner's own tables (not made-up ones) go through the run figures."""
    from model.runner import run_scenario
    from model.scenario import load_scenario

    result = run_scenario(load_scenario("anqiu_2023", ["county.scale=0.1", "years=2"]))
    county, villages = result.tables["county_yearly"], result.tables["village_yearly"]
    assert_png(income_figures.plot_income_paths(county, tmp_path / "income.png"))
    assert_png(figures.plot_collective_distribution(villages, tmp_path / "dist.png"))
    assert_png(figures.plot_weak_villages(county, tmp_path / "weak.png"))


# --------------------------------------------------------------------------------------
# A mechanism's new income source reaches the figures through the registry alone

TOY = Source("toy", "Toy tours", "玩具旅游", "#17becf", "income of a toy mechanism (tests)")


def legend_labels(fig) -> list[str]:
    return [t.get_text() for legend in fig.legends for t in legend.get_texts()]


def test_a_registered_toy_income_source_is_drawn() -> None:
    county = county_table().assign(income_toy=lambda t: 0.1 * t["income_wage"])
    before = income_figures.income_paths_figure(county)
    assert TOY.en not in legend_labels(before), "an unregistered column is not a source"
    with INCOME_SOURCES.registered(TOY):
        paths = income_figures.income_paths_figure(county)
        sources = income_figures.income_sources_figure(county, reference="baseline")
        chinese = income_figures.income_paths_figure(county, lang="zh")
    assert "toy" not in INCOME_SOURCES, "the toy source is registered for the test only"
    for fig in (paths, sources):
        assert TOY.en in legend_labels(fig)
    expected = TOY.zh if style.find_cjk_font() else TOY.en  # without a CJK font: English
    assert expected in legend_labels(chinese)
    # One more stacked layer per panel, in the toy's colour, on top of the stack.
    toy_rgb = pytest.approx(to_rgb(TOY.colour))
    stacked = paths.axes[0].collections
    assert len(stacked) == len(before.axes[0].collections) + 1
    assert tuple(stacked[len(INCOME_SOURCES)].get_facecolor()[0][:3]) == toy_rgb
    # Levels by scenario: one more bar per scenario, in the toy's colour.
    bars = sources.axes[0].containers
    assert len(bars) == len(INCOME_SOURCES) + 1
    assert bars[-1].get_label() == TOY.en and len(bars[-1]) == county["scenario"].nunique()
    assert all(tuple(bar.get_facecolor()[:3]) == toy_rgb for bar in bars[-1])


# --------------------------------------------------------------------------------------
# Languages and fonts


def test_labels_exist_in_both_languages() -> None:
    for key, (en, zh) in labels.TEXT.items():
        assert en and zh, f"label {key} lacks a language"
    assert labels.scenario_label("baseline", "zh") == "基线(无联建)"
    assert labels.scenario_label("my_own_scenario", "zh") == "my_own_scenario"
    assert labels.mode_label("lead_goose", "zh") == "头雁领航"
    with pytest.raises(ValueError, match="lang must be one of"):
        style.resolve_lang("fr")


def test_chinese_labels_use_a_cjk_font() -> None:
    family = style.find_cjk_font()
    if family is None:
        if IN_CI:
            pytest.fail("no CJK font under CI: scripts/setup_system.sh installs fonts-noto-cjk")
        pytest.skip("no CJK font installed (scripts/setup_system.sh installs fonts-noto-cjk)")
    fig = figures.weak_villages_figure(county_table(), lang="zh")
    assert fig.get_suptitle() == labels.text("weak_villages_long", "zh")
    title = fig._suptitle
    found = font_manager.findfont(title.get_fontproperties(), fallback_to_default=False)
    assert found, "the title's font was not found"
    names = {e.name for e in font_manager.fontManager.ttflist if e.fname == found}
    assert family in names, f"title drawn with {found}, not {family}"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no missing-glyph warnings
        style.figure_png(fig)


def test_chinese_without_a_cjk_font_falls_back_to_english(monkeypatch) -> None:
    monkeypatch.setattr(style, "find_cjk_font", lambda: None)
    style._warn_no_cjk.cache_clear()
    with pytest.warns(UserWarning, match="No CJK font found"):
        fig = figures.weak_villages_figure(county_table(), lang="zh")
    assert fig.get_suptitle() == labels.text("weak_villages_long", "en")
    style._warn_no_cjk.cache_clear()


def test_show_returns_an_inline_image() -> None:
    image = style.show(figures.weak_villages_figure(county_table()))
    assert image.data[:8] == PNG_MAGIC


# --------------------------------------------------------------------------------------
# Honest axes, sweeps, paths against the reference, one chart for weak villages


def visible_axes(fig) -> list:
    return [ax for ax in fig.axes if ax.get_visible()]


def sweep_results(rents=(400, 600, 800, 1000)) -> pd.DataFrame:
    """county_yearly rows of a baseline and a rent sweep of one scenario (made-up numbers)."""
    base = county_table(("land-pooling",), replicates=3, years=3)
    frames = [base.assign(scenario="baseline", variant=0)]
    for k, rent in enumerate(rents):
        noise = np.random.default_rng(k).normal(0, 20, len(base))
        frames.append(
            base.assign(
                variant=k,
                **{"param:policies.land_pooling.rent": float(rent)},
                per_capita_income=base["per_capita_income"] + 2.0 * rent + noise,
            )
        )
    return pd.concat(frames, ignore_index=True)


def test_weak_villages_of_all_arms_share_one_axis() -> None:
    arms = ("baseline", "anqiu_2023", "policy_land_pooling", "my_arm")
    fig = figures.weak_villages_figure(county_table(arms), reference="baseline")
    (ax,) = visible_axes(fig)
    lines = [line for line in ax.get_lines() if line.get_label() and line.get_xdata().size > 2]
    assert len(lines) == len(arms)
    assert lines[0].get_linestyle() == "--", "the reference is dashed"
    assert "reference" in lines[0].get_label()


def test_effects_keep_an_honest_axis_and_a_measures_panels_share_their_width() -> None:
    from model.experiments.compare import compare

    county = county_table(("a", "b"), replicates=3)
    county.loc[county["scenario"] == "b", "per_capita_income"] += 0.0002  # no effect at all
    table = compare(county, reference="a", measures=["per_capita_income", "gini_household"])
    level = float(table.loc[table["measure"] == "per_capita_income", "mean"].max())

    effects = experiment_figures.effects_figure(table)
    low, high = effects.axes[0].get_xlim()
    assert low == pytest.approx(-high), "effects are centred on zero"
    assert high >= style.EFFECT_FLOOR_SHARE * level * 0.999, "no zoom on a tiny difference"

    fig = experiment_figures.compare_figure(table)
    rows = np.asarray(fig.axes).reshape(-1, 2)
    for left, right in rows:
        width = np.diff(left.get_xlim())[0]
        assert np.diff(right.get_xlim())[0] == pytest.approx(width), "one scale per measure"
        assert right.get_xlim()[0] == pytest.approx(-right.get_xlim()[1])


def test_no_offset_text_or_scientific_multiplier() -> None:
    from model.experiments.compare import compare

    county = county_table(("baseline", "anqiu_2023"), replicates=3)
    county["public_spending_cum"] = 1e9 + county["replicate"] * 3e5  # 1e9 yuan, tiny spread
    county["collective_income_total"] = 4.2e8 + county["year"]
    table = compare(county, reference="baseline")
    drawn = [
        experiment_figures.compare_figure(table),
        experiment_figures.effects_figure(table),
        income_figures.reference_paths_figure(county, ("per_capita_income", "weak_villages")),
        figures.collective_paths_figure(county),
    ]
    for fig in drawn:
        fig.canvas.draw()
        for ax in visible_axes(fig):
            for axis in (ax.xaxis, ax.yaxis):
                assert axis.get_offset_text().get_text() == "", (fig.get_suptitle(), ax.get_title())
                shown = [t.get_text() for t in axis.get_ticklabels()]
                assert not any("e+" in t or "e-" in t for t in shown), shown


def test_a_sweep_is_a_line_over_the_swept_value() -> None:
    from model.experiments.compare import compare
    from model.viz import sweep_figures

    table = compare(sweep_results(), reference="baseline", measures=["per_capita_income"])
    assert sweep_figures.swept_parameter(table) == "param:policies.land_pooling.rent"
    fig = experiment_figures.compare_figure(table)  # compare's figure hands sweeps over
    left, right = fig.axes[:2]
    lines = [line for line in left.get_lines() if list(line.get_xdata()) == [400, 600, 800, 1000]]
    assert len(lines) == 1, "one line over the swept value"
    assert np.all(np.diff(lines[0].get_ydata()) > 0), "income rises with the rent here"
    assert left.collections, "the interval is a band"
    assert left.get_shared_x_axes().joined(left, right), "levels and effects share the swept axis"
    assert any("land_pooling.rent" in ax.get_xlabel() for ax in fig.axes)
    # Two swept parameters (a grid or Latin hypercube) are not one line: arms stay categorical.
    two = sweep_results().assign(**{"param:prices.wage_growth": lambda t: t["variant"] * 0.01})
    assert sweep_figures.swept_parameter(compare(two, reference="baseline")) is None


def test_paths_against_the_reference() -> None:
    county = county_table(("baseline", "anqiu_2023"), replicates=3, years=4)
    fig = income_figures.reference_paths_figure(county, ("per_capita_income",))
    left, right = fig.axes[:2]
    reference = [line for line in left.get_lines() if "reference" in line.get_label()]
    assert len(reference) == 1 and reference[0].get_linestyle() == "--"
    assert any(np.allclose(line.get_ydata(), 0.0) for line in right.get_lines()), "zero line"
    diffs = yearly_effects(county, "baseline", ["per_capita_income"])
    mine = diffs[diffs["scenario"] == "anqiu_2023"]
    by_year = county.pivot_table(
        index=["replicate", "year"], columns="scenario", values="per_capita_income"
    )
    expected = (by_year["anqiu_2023"] - by_year["baseline"]).groupby("year").mean()
    assert np.allclose(mine.set_index("year")["diff"], expected)
    assert (mine["diff_low"] <= mine["diff"]).all() and (mine["diff"] <= mine["diff_high"]).all()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_new_figures_draw_in_both_languages(lang: str) -> None:
    from model.experiments.compare import compare

    sweep = compare(sweep_results(), reference="baseline", measures=["per_capita_income"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zh without a CJK font falls back, with a warning
        drawn = [
            experiment_figures.compare_figure(sweep, lang=lang),
            income_figures.reference_paths_figure(county_table(), lang=lang),
        ]
    zh = lang == "zh" and style.find_cjk_font() is not None
    for fig in drawn:
        assert style.figure_png(fig)[:8] == PNG_MAGIC
        title = fig.get_suptitle()
        assert any("\u4e00" <= ch <= "\u9fff" for ch in title) == zh, title


# --------------------------------------------------------------------------------------
# Colour-blind-safe palettes and the map's layers


def hex_of(colour) -> str:
    from matplotlib.colors import to_hex

    return to_hex(colour, keep_alpha=False).lower()


def drawn_colours(fig) -> set[str]:
    """Every colour of the figure's lines, patches and collections (transparent ones left out)."""
    from matplotlib.collections import Collection
    from matplotlib.colors import to_rgba
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    out: set[str] = set()
    for ax in fig.axes:
        for artist in ax.findobj(lambda a: isinstance(a, Line2D | Patch | Collection)):
            if artist is ax.patch or not artist.get_visible():
                continue
            if isinstance(artist, Line2D):  # the line if drawn, the markers if any
                colours = [artist.get_color()] if artist.get_linestyle() != "None" else []
                if artist.get_marker() not in (None, "None", "", " "):
                    colours += [artist.get_markerfacecolor(), artist.get_markeredgecolor()]
            elif isinstance(artist, Patch):
                colours = [artist.get_facecolor(), artist.get_edgecolor()]
            else:
                colours = [*artist.get_facecolors(), *artist.get_edgecolors()]
            for colour in colours:
                if isinstance(colour, str) and colour == "none":
                    continue
                if to_rgba(colour)[3] > 0:
                    out.add(hex_of(colour))
    return out


def test_palettes_are_colour_blind_safe_and_modes_do_not_clash_with_industries() -> None:
    from model.viz import palettes

    okabe = {c.lower() for c in palettes.OKABE_ITO}
    light = {c.lower() for c in palettes.TOL_LIGHT}
    assert {c.lower() for c in palettes.MODE_COLOURS.values()} <= okabe
    assert {c.lower() for c in palettes.INDUSTRY_COLOURS.values()} <= light
    assert not okabe & light, "outlines (modes) and fills (industries) from separate palettes"
    assert len(set(palettes.MODE_LINESTYLES.values())) == len(palettes.MODE_COLOURS)
    names = ["baseline", "anqiu_2023", *(f"x{i}" for i in range(5))]
    colours = palettes.scenario_colours(names)
    assert len(set(colours.values())) == len(names), "no two arms share a colour"
    assert {c.lower() for c in colours.values()} <= palettes.DECLARED_COLOURS


def test_map_draws_only_declared_colours_and_town_labels_sit_on_top() -> None:
    from model.jointmodel import build_world
    from model.scenario import load_scenario
    from model.viz import palettes

    county, alliances = build_world(load_scenario("anqiu_2023", ["county.scale=0.2"]))
    fig = maps.county_map_figure(county, alliances)
    assert drawn_colours(fig) <= palettes.DECLARED_COLOURS, (
        drawn_colours(fig) - palettes.DECLARED_COLOURS
    )
    ax = fig.axes[0]
    (image,) = ax.get_images()
    tints = {hex_of(rgba[:3]) for rgba in image.get_array().reshape(-1, 4) if rgba[3] > 0}
    assert tints <= {c.lower() for c in palettes.TOL_PALE}
    towns = set(county.villages["town"])
    labels_ = [t for t in ax.texts if t.get_text() in towns]
    assert {t.get_text() for t in labels_} == towns
    below = [a.get_zorder() for a in (*ax.patches, *ax.collections, *ax.lines, image)]
    assert min(t.get_zorder() for t in labels_) > max(below), "town names above every layer"
    assert all(t.get_path_effects() for t in labels_), "town names have a halo"
