"""The ``sensitivity`` command: Sobol or Morris indices of a batch's results."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from model.cli.batch import (
    JsonOption,
    MeasureOption,
    NoFigureOption,
    _err,
    _num,
    _warnings_as_lines,
    save_png,
)
from model.cli.common import user_errors

if TYPE_CHECKING:
    import pandas as pd


def register(app: typer.Typer) -> None:
    """Add ``sensitivity`` to the application."""
    app.command("sensitivity")(sensitivity)


@user_errors
def sensitivity(
    results: Annotated[Path, typer.Argument(help="Results folder of a Sobol or Morris batch.")],
    measure: MeasureOption = None,
    json_: JsonOption = False,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Folder for sensitivity.csv and .png (default: RESULTS)."),
    ] = None,
    no_figure: NoFigureOption = False,
) -> None:
    """Sobol (S1, ST with intervals) or Morris (mu*, sigma) indices per output measure."""
    from model.experiments.sensitivity import (
        SmallDesignWarning,
        sensitivity_indices,
        write_sensitivity,
    )

    # A design too small for its indices: one warning line that says how large N should be.
    with _warnings_as_lines(SmallDesignWarning):
        table = sensitivity_indices(results, measure)
    folder = out if out is not None else results
    paths = [write_sensitivity(table, folder)]
    if not no_figure and len(table):
        from model.viz.experiment_figures import sensitivity_figure

        paths.append(save_png(sensitivity_figure(table), Path(folder) / "sensitivity.png"))
    if json_:
        typer.echo(table.to_json(orient="records", indent=1))
    else:
        _print_sensitivity(table)
    _err("wrote " + ", ".join(str(p) for p in paths))


def _print_sensitivity(table: pd.DataFrame) -> None:
    from rich.markup import escape
    from rich.table import Table

    from model.terminal import console

    sobol = "S1" in table.columns
    several = table["scenario"].nunique() > 1
    out = Table(title="Sobol indices (± 95% bootstrap)" if sobol else "Morris screening")
    columns = ["scenario"] if several else []
    columns += ["measure", "parameter"]
    columns += ["S1", "ST"] if sobol else ["mu*", "sigma", "mu"]
    for name in [*columns, "note"]:
        out.add_column(
            name,
            justify="left" if name in {"scenario", "measure", "parameter", "note"} else "right",
        )
    for row in table.itertuples():
        cells = [str(row.scenario)] if several else []
        cells += [str(row.measure), str(row.parameter)]
        if sobol:
            if ":" in str(row.parameter):
                cells += [f"S2 {_num(row.S2)} ± {_num(row.S2_conf)}", ""]
            else:
                cells += [
                    f"{_num(row.S1)} ± {_num(row.S1_conf)}",
                    f"{_num(row.ST)} ± {_num(row.ST_conf)}",
                ]
        else:
            cells += [
                f"{_num(row.mu_star)} ± {_num(row.mu_star_conf)}",
                _num(row.sigma),
                _num(row.mu),
            ]
        cells.append(str(row.note or ""))
        out.add_row(*map(escape, cells))
    console().print(out)
