"""``jointvillage discover``: where in a batch's sampled parameters an outcome happens."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from model.cli.batch import NoFigureOption, _err, save_png
from model.cli.common import ensure_output_folder, user_errors


def register(app: typer.Typer) -> None:
    """Add ``discover`` to the application."""
    app.command("discover")(discover)


@user_errors
def discover(
    results: Annotated[
        Path, typer.Argument(help="Results folder of a batch with a sampled design.")
    ],
    measure: Annotated[str, typer.Option("--measure", "-m", help="The measure of interest.")],
    below: Annotated[
        float | None, typer.Option("--below", help="Runs of interest: the measure below this.")
    ] = None,
    above: Annotated[
        float | None, typer.Option("--above", help="Runs of interest: the measure above this.")
    ] = None,
    density: Annotated[
        float,
        typer.Option(
            "--density", help="Least density of the chosen PRIM box (0.8: Bryant and Lempert)."
        ),
    ] = 0.8,
    scenario: Annotated[
        str | None, typer.Option("--scenario", help="Only this scenario's runs (default all).")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Folder for the boxes, scores and figures (default: RESULTS)."
        ),
    ] = None,
    no_figure: NoFigureOption = False,
) -> None:
    """PRIM boxes, CART boxes, the coverage-density trade-off and extra-trees feature scores
    of the runs whose measure is below (or above) a threshold (EMA Workbench)."""
    from model.experiments.discovery import box_markdown, write_discovery
    from model.experiments.discovery import discover as find

    found = find(results, measure, below, above, density, scenario)
    folder = ensure_output_folder(out if out is not None else results)
    paths = write_discovery(found, folder)
    if not no_figure:
        from model.viz.design_figures import feature_scores_figure, tradeoff_figure

        paths.append(
            save_png(
                tradeoff_figure(found.trajectory, found.chosen), folder / "discover_tradeoff.png"
            )
        )
        paths.append(save_png(feature_scores_figure(found.scores), folder / "discover_scores.png"))
    typer.echo(box_markdown(found))
    typer.echo(found.scores.round(3).to_string())
    _err("wrote " + ", ".join(str(p) for p in paths))
