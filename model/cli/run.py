"""``jointvillage run`` and ``jointvillage demo``: run scenarios and write their results."""

from __future__ import annotations

import json
import math
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

import model
from model.cli.common import SetOption, ensure_output_folder, user_errors
from model.errors import InputError, did_you_mean

# The model, pandas and Mesa are imported inside the commands: `jointvillage --version` and
# `--help` should not wait for them.
if TYPE_CHECKING:
    import pandas as pd

    from model.runner import RunResult
    from model.scenario import Scenario

RESULTS_DIR = Path("results")


def register(app: typer.Typer) -> None:
    """Add ``run`` and ``demo`` to the application."""
    app.command("run")(run)
    app.command("demo")(demo)


@user_errors
def run(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file (or a shipped name).")],
    seed: Annotated[int | None, typer.Option(help="Override the scenario seed.")] = None,
    years: Annotated[int | None, typer.Option(help="Override the horizon (years).")] = None,
    replicate: Annotated[int, typer.Option(help="Replicate number (random streams).")] = 0,
    out: Annotated[
        Path | None, typer.Option(help="Output folder (default results/<scenario>).")
    ] = None,
    households: Annotated[
        bool, typer.Option("--households", help="Also write yearly household micro-data.")
    ] = False,
    lang: Annotated[str, typer.Option(help="Figure labels: en or zh.")] = "en",
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object instead of the summary.")
    ] = False,
    gis: Annotated[
        bool,
        typer.Option(
            "--gis",
            help="Also write map.gpkg: villages and alliances with their yearly measures "
            "(a GeoPackage that QGIS opens).",
        ),
    ] = False,
    figures: Annotated[
        bool,
        typer.Option(
            "--figures/--no-figures",
            help="Draw the figures (PNG); --no-figures writes tables and manifest only, "
            "for batch-like use (no matplotlib start-up).",
        ),
    ] = True,
    set_: SetOption = None,
) -> None:
    """Run one scenario: tables (Parquet), manifest, figures and a short summary."""
    from model.runner import run_scenario
    from model.scenario import load_scenario

    overrides = list(set_ or [])
    if seed is not None:
        overrides.append(f"seed={seed}")
    if years is not None:
        overrides.append(f"years={years}")
    if households:
        overrides.append("outputs.household_microdata=true")
    _check_lang(lang)
    if replicate < 0:
        raise InputError("--replicate", "replicate", replicate, "an integer >= 0")
    resolved = load_scenario(scenario, overrides)
    folder = ensure_output_folder(out or RESULTS_DIR / resolved.name)
    world = None
    if gis or households:
        from model.jointmodel import build_world

        world = build_world(resolved)  # the map's geometries; the micro-data's size
    if households:
        warn_microdata_size(resolved, world[0])
    result = run_scenario(resolved, replicate=replicate, progress=not as_json, world=world)
    files = write_results(result, folder, lang=lang, world=world, with_figures=figures)
    if as_json:
        typer.echo(json.dumps(summary_json(result), indent=2))
        return
    print_summary([result])
    typer.echo(f"results: {folder.resolve()}")
    for name in sorted(files):
        typer.echo(f"  {files[name].name}")


@user_errors
def demo(
    out: Annotated[Path, typer.Option(help="Output folder.")] = RESULTS_DIR / "demo",
    years: Annotated[int | None, typer.Option(help="Override the horizon (years).")] = None,
    lang: Annotated[str, typer.Option(help="Figure labels: en or zh.")] = "en",
) -> None:
    """The main job: baseline and the Anqiu programme on the full synthetic county."""
    _check_lang(lang)
    ensure_output_folder(out)
    from model.atomic import atomic_write
    from model.jointmodel import build_world
    from model.runner import run_scenario
    from model.scenario import load_scenario
    from model.viz.maps import county_map_figure
    from model.viz.style import save_figure

    overrides = [f"years={years}"] if years is not None else []
    results: list[RunResult] = []
    for name in ("baseline", "anqiu_2023"):
        scenario = load_scenario(name, overrides)
        world = build_world(scenario)
        result = run_scenario(scenario, progress=True, world=world)
        write_results(result, out / name, lang=lang)
        results.append(result)
        if name == "anqiu_2023":
            county, alliances = world
            save_figure(county_map_figure(county, alliances, lang=lang), out / "county_map.png")
    print_summary(results)
    comparison = comparison_table(results)
    atomic_write(out / "comparison.csv", comparison.to_csv(index=False))
    figures = write_demo_figures(results, out, lang)
    typer.echo(f"results: {out.resolve()}")
    typer.echo(f"  comparison table: {(out / 'comparison.csv').resolve()}")
    typer.echo(f"  county map: {(out / 'county_map.png').resolve()}")
    for what, path in figures.items():
        typer.echo(f"  {what}: {path.resolve()}")
    for result in results:
        typer.echo(
            f"  {result.scenario.name}: tables and figures in {(out / result.scenario.name)}"
        )


def write_demo_figures(results: list[RunResult], out: Path, lang: str) -> dict[str, Path]:
    """The demo's figures of both scenarios: the programme against the baseline reference.

    ``income_paths.png``: per-capita income and mean collective income, the baseline's path
    dashed, the programme's beside it, and their paired difference per year around a zero
    line; ``weak_villages.png``: weak villages of both on one axis.
    """
    import pandas as pd

    from model.viz.figures import weak_villages_figure
    from model.viz.income_figures import reference_paths_figure
    from model.viz.style import save_figure

    both = pd.concat([r.tables["county_yearly"] for r in results], ignore_index=True)
    measures = ("per_capita_income", "collective_income_mean")
    paths = reference_paths_figure(both, measures, reference="baseline", lang=lang)
    weak = weak_villages_figure(both, lang=lang, reference="baseline")
    return {
        "income paths against the baseline": save_figure(paths, out / "income_paths.png"),
        "weak villages": save_figure(weak, out / "weak_villages.png"),
    }


def _check_lang(lang: str) -> None:
    from model.viz.languages import LANGS

    if lang not in LANGS:
        allowed = "one of " + ", ".join(f"'{name}'" for name in LANGS)
        raise InputError("--lang", "lang", lang, allowed, did_you_mean(lang, LANGS))


# --------------------------------------------------------------------------------------
# Household micro-data

#: Above this estimate (MB in memory) ``--households`` warns and points to a sample.
LARGE_MICRODATA_MB = 50.0
#: Bytes per cell of households.parquet (measured: ~3.5; the table in memory takes 8).
PARQUET_BYTES_PER_CELL = 3.5


def warn_microdata_size(scenario: Scenario, county: Any) -> None:
    """Warn on stderr when the household micro-data will be large, and offer a sample.

    The estimate is households kept x years x columns x 8 bytes for the table in memory,
    x :data:`PARQUET_BYTES_PER_CELL` for the file.
    """
    from model.recorder import microdata_columns

    share = scenario.outputs.household_sample
    kept = int(county.villages["households"].sum() * share)
    columns = microdata_columns()
    cells = kept * scenario.years * columns
    megabytes = cells * 8 / 1e6
    if megabytes < LARGE_MICRODATA_MB:
        return
    advice = (
        "; for a sample add --set outputs.household_sample=0.1 (a tenth of the households)"
        if share >= 1.0
        else ""
    )
    print(
        f"warning: --households keeps about {megabytes:,.0f} MB of micro-data in memory and "
        f"writes about {cells * PARQUET_BYTES_PER_CELL / 1e6:,.0f} MB to households.parquet "
        f"({kept:,} households x {scenario.years} years x {columns} columns){advice}",
        file=sys.stderr,
    )


# --------------------------------------------------------------------------------------
# Writing


def write_results(
    result: RunResult,
    folder: Path,
    lang: str = "en",
    world: Any = None,
    with_figures: bool = True,
) -> dict[str, Path]:
    """Write a run's tables (Parquet), figures (PNG) and manifest; return the files.

    Each file is written to a temporary name and moved into place (:mod:`model.atomic`), so
    an interrupted run never leaves a half-written table beside a manifest that claims it.
    With the run's ``world`` (county, alliances), ``map.gpkg`` is written too
    (:func:`model.viz.gis.run_layers`); without ``with_figures``, no PNG.
    """
    from model.atomic import atomic_write, atomic_write_parquet

    files: dict[str, Path] = {}
    for name, frame in result.tables.items():
        files[name] = atomic_write_parquet(frame, folder / f"{name}.parquet")
    if with_figures:
        files.update(write_figures(result, folder, lang))
    if world is not None:
        from model.viz.gis import run_layers, write_layers

        county, alliances = world
        layers = run_layers(county, alliances, result.tables)
        files["map"] = write_layers(layers, folder / "map.gpkg")[0]
    manifest = {
        "scenario": result.scenario.name,
        "seed": result.scenario.seed,
        "replicate": result.replicate,
        "years": result.scenario.years,
        "model_version": model.__version__,
        "python": platform.python_version(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "wall_seconds": round(result.wall_seconds, 3),
        "command": " ".join(sys.argv),
        "files": {name: path.name for name, path in files.items()},
        "final": result.final,
        "alliance_formation": result.meta.get("formation", {}),
        "resolved_scenario": result.scenario.to_dict(),
    }
    manifest_path = folder / "manifest.json"
    atomic_write(manifest_path, json.dumps(manifest, indent=2, default=str))
    files["manifest"] = manifest_path
    return files


def write_figures(result: RunResult, folder: Path, lang: str = "en") -> dict[str, Path]:
    """Draw a run's figures (PNG) into ``folder``; return them by name."""
    from model.viz import figures, income_figures

    draw = {
        "income_paths": income_figures.plot_income_paths,
        "collective_distribution": figures.plot_collective_distribution,
        "weak_villages": figures.plot_weak_villages,
    }
    tables = {
        "income_paths": result.tables["county_yearly"],
        "collective_distribution": result.tables["village_yearly"],
        "weak_villages": result.tables["county_yearly"],
    }
    return {
        name: plot(tables[name], folder / f"{name}.png", lang=lang) for name, plot in draw.items()
    }


# --------------------------------------------------------------------------------------
# Summaries


def summary_json(result: RunResult) -> dict[str, Any]:
    """The ``run --json`` object."""
    scenario: Scenario = result.scenario
    return {
        "scenario": scenario.name,
        "seed": scenario.seed,
        "replicate": result.replicate,
        "years": scenario.years,
        "villages": result.meta.get("villages"),
        "households": result.meta.get("households"),
        "wall_seconds": round(result.wall_seconds, 3),
        "final": result.final,
    }


def summary_rows() -> list[tuple[str, str, str]]:
    """(column, label, unit) of the final-year summary; income sources from the registry.

    ``allied_group_mean`` and ``other_group_mean`` are the villages allied in the programme
    (the first scenario with alliances), followed in every scenario: the baseline's column
    holds the same villages without the programme, not the mean of all its villages.
    """
    from model.registry import INCOME_SOURCES

    return [
        ("per_capita_income", "Per-capita disposable income", "yuan/person/yr"),
        *((f"income_{s}", f"  of which {s}", "yuan/person/yr") for s in INCOME_SOURCES.names()),
        ("collective_income_mean", "Collective income, mean", "yuan/village/yr"),
        ("collective_income_median", "Collective income, median", "yuan/village/yr"),
        ("allied_group_mean", "  villages allied in the programme, mean", "yuan/village/yr"),
        ("other_group_mean", "  the other villages, mean", "yuan/village/yr"),
        ("weak_villages_start", "Weak villages (< 100k), year 0", "villages"),
        ("weak_villages", "Weak villages (< 100k), final year", "villages"),
        ("gini_household", "Gini, household per-capita income", "-"),
        ("gini_collective", "Gini, collective income", "-"),
        ("land_pooled_share", "Land pooled", "share"),
        ("coop_members", "Cooperative member households", "households"),
        ("active_sellers", "Active livestream sellers", "persons"),
        ("public_spending_cum", "Programme money spent (cumulative)", "yuan"),
    ]


def _programme_villages(results: list[RunResult]) -> set[str]:
    """The villages allied in the first scenario that has alliances (empty if none)."""
    for result in results:
        villages = result.tables["village_yearly"]
        last = villages[villages["year"] == villages["year"].max()]
        allied = set(last.loc[last["allied"].astype(bool), "village_id"])
        if allied:
            return allied
    return set()


def _summary_values(result: RunResult, allied: set[str]) -> dict[str, float]:
    """The summary's values of one run: its final-year row and the village-group means."""
    yearly = result.tables["county_yearly"]
    values = {k: float(v) for k, v in yearly.select_dtypes("number").iloc[-1].items()}
    values["weak_villages_start"] = float(yearly["weak_villages"].iloc[0])
    villages = result.tables["village_yearly"]
    last = villages[villages["year"] == villages["year"].max()]
    chosen = last["village_id"].isin(allied)
    income = last["collective_income"].astype(float)
    values["allied_group_mean"] = float(income[chosen].mean()) if chosen.any() else math.nan
    values["other_group_mean"] = float(income[~chosen].mean()) if (~chosen).any() else math.nan
    return values


def comparison_table(results: list[RunResult]) -> pd.DataFrame:
    """Final-year measures side by side, one column per scenario."""
    import pandas as pd

    allied = _programme_villages(results)
    values = {r.scenario.name: _summary_values(r, allied) for r in results}
    rows = []
    for key, label, unit in summary_rows():
        row: dict[str, Any] = {"measure": key, "label": label.strip(), "unit": unit}
        for name, numbers in values.items():
            row[name] = numbers.get(key, math.nan)
        rows.append(row)
    return pd.DataFrame(rows)


def print_summary(results: list[RunResult]) -> None:
    """Print the final year's measures of one or more runs as a table."""
    from rich.table import Table

    from model.terminal import console

    last_year = int(results[0].tables["county_yearly"].iloc[-1]["year"])
    table = Table(title=f"Final year {last_year}")
    table.add_column("measure")
    table.add_column("unit")
    for result in results:
        table.add_column(result.scenario.name, justify="right")
    comparison = comparison_table(results)
    for (_, label, unit), (_, row) in zip(summary_rows(), comparison.iterrows(), strict=True):
        table.add_row(label, unit, *(_fmt(row[r.scenario.name]) for r in results))
    console().print(table)
    for result in results:
        typer.echo(f"{result.scenario.name}: {result.wall_seconds:.1f} s")


def _fmt(value: float) -> str:
    if value != value:  # NaN
        return "-"
    if value == 0:
        return "0"
    if abs(value) < 1:
        return f"{value:.3f}"
    return f"{value:,.0f}"
