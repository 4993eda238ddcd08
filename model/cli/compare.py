"""``jointvillage compare``: scenarios on common random numbers, or a batch's results folder.

Heavy imports (pandas, Dask, matplotlib) happen inside the command, so that the command line
starts fast for every other command.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from model.cli.batch import (
    JsonOption,
    MeasureOption,
    NoFigureOption,
    PosteriorOption,
    SchedulerOption,
    WorkersOption,
    _err,
    _execute,
    _num,
    _warnings_as_lines,
    _with_posterior,
    save_png,
)
from model.cli.common import SetOption, user_errors
from model.errors import InputError

if TYPE_CHECKING:
    import pandas as pd


def register(app: typer.Typer) -> None:
    """Add the ``compare`` command to the application."""
    app.command("compare")(compare)


@user_errors
def compare(
    inputs: Annotated[
        list[Path],
        typer.Argument(help="Scenario files (or shipped names), or one batch results folder."),
    ],
    replicates: Annotated[
        int | None,
        typer.Option("--replicates", "-n", help="Replicates per scenario (default 5).", min=1),
    ] = None,
    reference: Annotated[
        str | None, typer.Option("--reference", "-r", help="Reference scenario (default: first).")
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option("--seed", help="Common seed (default: the reference scenario's).", min=0),
    ] = None,
    set_: SetOption = None,
    measure: MeasureOption = None,
    json_: JsonOption = False,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Folder for the runs, compare.csv, effects_by_year.csv and compare.png (default "
            "results/compare; "
            "for a results folder: that folder).",
        ),
    ] = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    no_figure: NoFigureOption = False,
    discount_rate: Annotated[
        float | None,
        typer.Option(
            "--discount-rate",
            help="Discount rate per year of the cumulative measures (default: the "
            "experiment's, else 0.08).",
            min=0.0,
            max=0.99,
        ),
    ] = None,
    prices: Annotated[
        str,
        typer.Option(
            "--prices",
            help="Money in current yuan or in constant 2023 yuan (current / cpi_factor).",
        ),
    ] = "current",
    posterior: PosteriorOption = None,
) -> None:
    """Compare scenarios on common random numbers, or a batch's results folder.

    Per scenario and measure: the mean with a 95% interval across replicates and the paired
    difference against the reference, as a table (printed, CSV) and a figure.
    """
    from model.experiments.comparisons import write_comparison
    from model.experiments.execute import check_workers
    from model.experiments.price_basis import check_prices, in_prices, price_note

    basis = check_prices(prices)
    if workers:
        check_workers(workers, scheduler)
    folders = [p for p in inputs if p.is_dir()]
    if folders:
        if len(inputs) != 1:
            raise InputError(
                "compare",
                "inputs",
                [str(p) for p in inputs],
                "either scenario files or one results folder",
            )
        given = (("--replicates", replicates), ("--seed", seed), ("--set", set_))
        for flag, value in (*given, ("--posterior", posterior)):
            if value:
                raise InputError(flag, flag.lstrip("-"), value, "only with scenario files")
        table, results = _compare_folder(folders[0], reference, measure, discount_rate, basis)
        target = out if out is not None else folders[0]
    else:
        target = out if out is not None else Path("results") / "compare"
        options = {"workers": workers, "scheduler": scheduler, "posterior": posterior}
        runs = (replicates or 5, reference, seed, set_ or [])
        table, results = _compare_files(
            inputs, runs, measure, target, options, (discount_rate, basis)
        )
    results = in_prices(results, basis)
    paths = [write_comparison(table, target)]
    paths.append(_write_yearly_effects(target, table, results))
    if not no_figure and len(table):
        from model.viz.experiment_figures import compare_figure

        paths.append(save_png(compare_figure(table), Path(target) / "compare.png"))
    if json_:
        typer.echo(table.to_json(orient="records", indent=1))
    else:
        _print_comparison(table)
    _err(price_note(basis))
    _err("wrote " + ", ".join(str(p) for p in paths))


def _write_yearly_effects(folder: Path, table: pd.DataFrame, results: pd.DataFrame) -> Path:
    """``effects_by_year.csv``: every county output's paired difference in every year."""
    from model.atomic import atomic_write
    from model.experiments.effects import yearly_effects
    from model.runner import county_measures

    reference = str(table["reference"].iloc[0]) if len(table) else ""
    measures = [c for c in county_measures() if c in results.columns]
    effects = yearly_effects(results, reference, measures)
    path = folder / "effects_by_year.csv"
    return atomic_write(path, effects.to_csv(index=False))


def _compare_folder(
    folder: Path,
    reference: str | None,
    measure: Any,
    discount_rate: float | None,
    prices: Any = "current",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The comparison of a results folder (with the experiment's own measures), and the
    folder's ``county_yearly`` rows it was made from."""
    from model.experiments.batch import load_results
    from model.experiments.comparisons import compare_folder

    results = load_results(folder)
    with _warnings_as_lines():
        table = compare_folder(folder, reference, measure, discount_rate, results, prices)
    return _posterior_note(folder, table), results


def _compare_files(
    inputs: list[Path],
    runs: tuple[int, str | None, int | None, list[str]],
    measure: Any,
    target: Path,
    options: dict[str, Any],
    pricing: tuple[float | None, Any],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run scenario files on common random numbers into ``target`` and compare them
    (``pricing``: the discount rate and the price basis)."""
    from model.experiments.comparisons import comparison_experiment
    from model.experiments.execute import CODE_CHANGED
    from model.experiments.measures import check_measures
    from model.experiments.plan import plan_runs

    # A bad --measure is found before any run, not after the runs are stored.
    check_measures(measure)
    exp = comparison_experiment(inputs, *runs)
    plan = _with_posterior(plan_runs(exp), options.pop("posterior", None), exp.seed)
    _err(
        f"comparing {len(exp.scenarios)} scenario(s) x {exp.replicates} replicate(s), "
        f"seed {exp.seed}, reference '{exp.reference_name}'"
    )
    summary = _execute(
        plan, target, "interrupted: run the same command again to continue", **options
    )
    if summary.failed_total:
        _err(f"warning: {summary.failed_total} run(s) failed; see {target}/failed/")
    if summary.code_changed:
        _err("warning: " + CODE_CHANGED.format(out=target))
    return _compare_folder(target, exp.reference_name, measure, *pricing)


def _posterior_note(folder: Path, table: pd.DataFrame) -> pd.DataFrame:
    """A comparison of runs drawn from a posterior says so in every row's note."""
    from model.experiments.batch import manifest

    drawn = manifest(folder).get("experiment", {}).get("posterior")
    if not drawn or table.empty:
        return table
    _err(drawn["note"])
    notes = table["note"].fillna("").astype(str)
    return table.assign(note=[f"{n}; {drawn['note']}" if n else drawn["note"] for n in notes])


def _interval(mid: Any, low: Any, high: Any) -> str:
    text = _num(mid)
    if not (isinstance(low, float) and math.isnan(low)):
        text += f" [{_num(low)}, {_num(high)}]"
    return text


def _print_comparison(table: pd.DataFrame) -> None:
    from rich.markup import escape
    from rich.table import Table

    from model.terminal import console

    if table.empty:
        _err("nothing to compare")
        return
    arms = list(dict.fromkeys(table["arm"]))
    ref = table["reference"].iloc[0]
    # Arm labels such as "pool [rent=800]" and the intervals contain brackets, which rich
    # would read as markup: escape every text.
    out = Table(
        title=escape(f"mean [95% CI] across replicates; Δ = paired difference vs '{ref}'"),
        show_lines=False,
    )
    out.add_column("measure")
    out.add_column("unit")
    for arm in arms:
        out.add_column(escape(arm + (" (ref)" if arm == ref else "")), justify="right")
    # Runs behind each arm's means (the most of any measure: NaN values are left out).
    runs = table.groupby("arm", sort=False)["n"].max().reindex(arms)
    out.add_row("n", "runs", *(str(int(n)) for n in runs))
    for name, part in table.groupby("measure", sort=False):
        cells = part.set_index("arm").reindex(arms)
        means = [_interval(r.mean, r.ci_low, r.ci_high) for r in cells.itertuples()]
        out.add_row(str(name), str(cells["unit"].dropna().iloc[0]), *map(escape, means))
        if not cells["diff"].isna().all():
            diffs = [
                "" if arm == ref else "Δ " + _interval(r.diff, r.diff_low, r.diff_high)
                for arm, r in zip(arms, cells.itertuples(), strict=True)
            ]
            out.add_row("", "", *map(escape, diffs), style="dim")
    console().print(out)
