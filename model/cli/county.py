"""``jointvillage county``: build a scenario's county and alliances, summarise and map them."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from model.cli.common import SetOption, user_errors
from model.terminal import console as terminal_console

# The model and rich's tables are imported inside the functions: `jointvillage --help`
# should not wait for them.
if TYPE_CHECKING:
    from rich.table import Table

    from model.scenario import Scenario
    from model.world.alliances import Alliances
    from model.world.county import County


def register(app: typer.Typer) -> None:
    """Add ``county`` to the application."""
    app.command("county")(county)


@user_errors
def county(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file (or a shipped name).")],
    set_: SetOption = None,
    out: Annotated[Path, typer.Option("--out", help="Folder for the map PNG.")] = Path(
        "results/county"
    ),
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object instead of tables.")
    ] = False,
    gis: Annotated[
        Path | None,
        typer.Option(
            "--gis",
            help="Also write the villages and alliances as GIS layers: a GeoPackage "
            "(OUT.gpkg) or GeoParquet files (OUT.parquet gives OUT_villages.parquet, ...).",
        ),
    ] = None,
) -> None:
    """Build the scenario's county and alliances, print a summary and write a map."""
    if gis is not None:
        from model.viz.gis import check_gis_path  # geopandas only when asked for

        check_gis_path(gis)
    from model.scenario import load_scenario

    resolved = load_scenario(scenario, set_ or [])
    built, alliances, seconds = build(resolved)
    # Imported here: matplotlib is only needed once there is something to draw.
    from model.viz.maps import county_map_figure
    from model.viz.style import save_figure

    png = save_figure(
        county_map_figure(built, alliances), out / f"county_{_safe(resolved.name)}.png"
    )
    summary = summarise(built, alliances)
    summary["build_seconds"] = round(seconds, 4)
    summary["map"] = str(png)
    if gis is not None:
        from model.viz.gis import county_layers, write_layers

        summary["gis"] = [str(p) for p in write_layers(county_layers(built, alliances), gis)]
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False))
        return
    console = terminal_console()
    console.print(_town_table(built, alliances, resolved))
    console.print(_alliance_table(summary))
    console.print(f"map: {png}")
    for path in summary.get("gis", []):
        console.print(f"GIS layers: {path}")


def build(scenario: Scenario) -> tuple[County, Alliances, float]:
    """Build the county and form the alliances from the scenario's seed streams.

    Returns:
        The county, its alliances and the wall time in seconds.
    """
    from model.rng import stream
    from model.world.alliances import form_alliances
    from model.world.county import build_county

    start = time.perf_counter()
    built = build_county(
        scenario.county,
        stream(scenario.seed, "county"),
        scenario.resolve_data_path("county.villages_file"),
        scenario.resolve_data_path("county.towns_file"),
    )
    alliances = form_alliances(
        built,
        scenario.alliances,
        stream(scenario.seed, "alliances"),
        scenario.resolve_data_path("alliances.file"),
    )
    return built, alliances, time.perf_counter() - start


def summarise(built: County, alliances: Alliances) -> dict[str, Any]:
    """The ``county --json`` object: county totals and alliance counts."""
    from model.world.alliances import alliance_summary
    from model.world.county import county_summary

    summary: dict[str, Any] = {"source": built.source}
    summary.update(county_summary(built))
    summary.update(alliance_summary(alliances))
    return summary


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name) or "scenario"


def _town_table(built: County, alliances: Alliances, scenario: Scenario) -> Table:
    from rich.table import Table

    v = built.villages.assign(
        weak=built.villages["collective_income_start"] < built.weak_income_yuan,
        allied=alliances.membership >= 0,
    )
    table = Table(title=f"County of scenario '{scenario.name}' ({built.source})")
    headers = ("town", "vill.", "people", "househ.", "land mu", "main industry")
    for col in (*headers, "weak", "hollow", "allied"):
        table.add_column(col, justify="left" if col in ("town", "main industry") else "right")
    groups = v.groupby("town", sort=True)
    for town, g in groups:
        top = g["industry"].value_counts()
        table.add_row(
            str(town),
            f"{len(g)}",
            f"{int(g['population'].sum()):,}",
            f"{int(g['households'].sum()):,}",
            f"{g['cultivated_mu'].sum():,.0f}",
            f"{top.index[0]} {top.iloc[0] / len(g):.0%}",
            f"{int(g['weak'].sum())}",
            f"{int(g['hollowed'].sum())}",
            f"{int(g['allied'].sum())}",
        )
    table.add_row(
        "total",
        f"{len(v)}",
        f"{int(v['population'].sum()):,}",
        f"{int(v['households'].sum()):,}",
        f"{v['cultivated_mu'].sum():,.0f}",
        "",
        f"{int(v['weak'].sum())}",
        f"{int(v['hollowed'].sum())}",
        f"{int(v['allied'].sum())}",
        style="bold",
    )
    return table


def _alliance_table(summary: dict[str, Any]) -> Table:
    from rich.table import Table

    from model.world.alliances import MODES

    table = Table(title="Alliances")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("alliances", f"{summary['alliances']}")
    table.add_row("villages in alliances", f"{summary['allied_villages']}")
    table.add_row("  lead villages", f"{summary['lead_villages']}")
    table.add_row("most alliances under one lead", f"{summary['max_alliances_per_lead_used']}")
    for mode in MODES:
        table.add_row(f"  mode {mode}", f"{summary['modes'][mode]}")
    if summary["alliances"]:
        table.add_row(
            "villages per alliance",
            f"{summary['alliance_size_min']}-{summary['alliance_size_max']}",
        )
        table.add_row(
            "people per alliance",
            f"{summary['alliance_population_min']:,}-{summary['alliance_population_max']:,}",
        )
        table.add_row(
            "largest distance in an alliance", f"{summary['alliance_diameter_max_km']} km"
        )
    table.add_row("targeted villages not placed", f"{summary['unplaced']}")
    for reason, count in summary["unplaced_reasons"].items():
        table.add_row(f"  {reason}", f"{count}")
    table.add_row("build time", f"{summary['build_seconds']:.2f} s")
    return table
