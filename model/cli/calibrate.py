"""``jointvillage calibrate``: fit free parameters to reported targets (history matching)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from model.cli.batch import SchedulerOption, WorkersOption, _err, _execute_or_exit, save_png
from model.cli.common import ensure_output_folder, user_errors
from model.cli.compare import _num

if TYPE_CHECKING:
    import pandas as pd


def register(app: typer.Typer) -> None:
    """Add ``calibrate`` to the application."""
    app.command("calibrate")(calibrate)


@user_errors
def calibrate(
    calibration: Annotated[
        Path, typer.Argument(help="Calibration TOML file (or a name in scenarios/calibration).")
    ],
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Output folder (default results/calibration/<name>)."),
    ] = None,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="No progress bar.")] = False,
    no_figure: Annotated[bool, typer.Option("--no-figure", help="No pair plot.")] = False,
) -> None:
    """History-match the model to a calibration's targets and draw a posterior sample.

    Waves of runs go into OUT/wave_k (resumable: after Ctrl-C or a crash, run the same
    command again); OUT receives the posterior (posterior.json, .parquet, .csv, read by
    `compare --posterior`), parameters.csv, fit.csv, identifiability.csv, waves.csv,
    calibrated.toml and pairs.png.
    """
    from model.experiments.calibration import calibrate as run
    from model.experiments.calibration.spec import load_calibration
    from model.experiments.execute import check_workers

    if workers:
        check_workers(workers, scheduler)
    cal = load_calibration(calibration)
    target = ensure_output_folder(
        out if out is not None else Path("results/calibration") / cal.name
    )
    _err(
        f"calibration '{cal.name}': {len(cal.targets)} target(s), {len(cal.names)} "
        f"parameter(s), {cal.method.waves} wave(s) of {cal.method.runs_per_wave} point(s) x "
        f"{len(cal.scenarios)} scenario(s) x {cal.replicates} replicate(s), into {target}"
    )
    options = {"workers": workers, "scheduler": scheduler, "progress": not no_progress}
    result = _execute_or_exit(
        lambda: run(cal, target, **options),
        f"interrupted: finished runs are stored in {target}; run the same command again "
        "to continue",
    )
    paths = list(result.files.values())
    if not no_figure:
        from model.viz.calibration_figures import pair_plot

        figure = pair_plot(
            result.posterior.rows,
            cal.ranges,
            result.posterior.best,
            title=f"Posterior of calibration '{cal.name}'",
        )
        paths.append(save_png(figure, target / "pairs.png"))
    _print_result(result)
    _err("wrote " + ", ".join(str(p) for p in paths))
    typer.echo(str(target))


def _print_result(result: object) -> None:
    import pandas as pd
    from rich.markup import escape
    from rich.table import Table

    from model.terminal import console

    folder = Path(result.files["parameters"]).parent  # type: ignore[attr-defined]
    params = pd.read_csv(folder / "parameters.csv")
    fit = pd.read_csv(folder / "fit.csv")
    table = Table(title="posterior: median [90% interval] (prior range)")
    for name in ("parameter", "median [5%, 95%]", "prior", "contraction"):
        table.add_column(name)
    for row in params.itertuples():
        table.add_row(
            escape(row.path),
            escape(f"{_num(row.median)} [{_num(row.q05)}, {_num(row.q95)}]"),
            escape(f"{_num(row.min)} – {_num(row.max)}"),
            f"{row.contraction:.2f}",
        )
    console().print(table)
    _print_fit(fit)
    if result.posterior.empty:  # type: ignore[attr-defined]
        _err(
            "warning: no point was non-implausible for every target: the posterior is of the "
            "least implausible points and does not fit the targets (see fit.csv)"
        )


def _print_fit(fit: pd.DataFrame) -> None:
    from rich.markup import escape
    from rich.table import Table

    from model.terminal import console

    table = Table(title="fit: reported value and posterior predictive 90% interval")
    for name in ("target", "reported ± sd", "emulator", "model runs", "inside"):
        table.add_column(name)
    for row in fit.itertuples():
        table.add_row(
            escape(row.target),
            f"{_num(row.reported)} ± {_num(row.sd)}",
            escape(f"[{_num(row.emulator_q05)}, {_num(row.emulator_q95)}]"),
            escape(f"[{_num(row.predictive_q05)}, {_num(row.predictive_q95)}] ({row.runs} runs)"),
            str(row.inside),
        )
    console().print(table)
