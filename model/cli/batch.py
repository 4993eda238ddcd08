"""``jointvillage batch``, ``compare`` and ``sensitivity``: experiments, comparisons, indices.

Heavy imports (pandas, Dask, SALib, matplotlib) happen inside the commands, so that the
command line starts fast for every other command.
"""

from __future__ import annotations

import contextlib
import json
import math
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from model.cli.common import SetOption, ensure_output_folder, user_errors
from model.errors import EXIT_INTERRUPTED, InputError

if TYPE_CHECKING:
    import pandas as pd

WorkersOption = Annotated[
    int | None,
    typer.Option(
        "--workers",
        "-w",
        help="Worker processes of a local Dask cluster (default one per CPU; 0 = run in "
        "this process).",
        min=0,
    ),
]
SchedulerOption = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="Address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786 (Slurm: see "
        "dask-jobqueue in the README).",
    ),
]
MeasureOption = Annotated[
    list[str] | None,
    typer.Option("--measure", "-m", help="Only this measure (repeatable; default all)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the table as JSON records.")]
PosteriorOption = Annotated[
    Path | None,
    typer.Option(
        "--posterior",
        help="A calibration's posterior (posterior.json or its folder): each replicate draws "
        "its parameters from it, the same draw in every arm.",
    ),
]
NoFigureOption = Annotated[bool, typer.Option("--no-figure", help="Do not draw the figure.")]


def register(app: typer.Typer) -> None:
    """Add ``batch`` and ``compare`` to the application (``sensitivity`` is its own module)."""
    app.command("batch")(batch)
    app.command("compare")(compare)


def save_png(fig: Any, path: Path) -> Path:
    """Save a figure as PNG, atomically."""
    from model.atomic import atomic_write

    return atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=110, format="png"))


def _err(text: str) -> None:
    print(text, file=sys.stderr)


def _execute(plan: Any, target: Path, on_interrupt: str, **options: Any) -> Any:
    """Execute a plan; Ctrl-C and a lost Dask cluster end the command with a message."""
    from model.experiments.execute import execute

    return _execute_or_exit(lambda: execute(plan, target, **options), on_interrupt)


def _execute_or_exit(work: Callable[[], Any], on_interrupt: str) -> Any:
    """Do work that executes plans; Ctrl-C and a lost Dask cluster end the command."""
    from model.experiments.evaluate import BatchAbortedError

    try:
        return work()
    except KeyboardInterrupt:
        _err(on_interrupt)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except BatchAbortedError as err:
        _err(f"error: {err}")
        raise typer.Exit(1) from None


def _stop_on_broken_invariants(target: Path) -> None:
    """Exit 3 when a run of the folder broke an invariant (after every other run is stored).

    Such a run is recorded in ``failed/`` like any failure, with no result; the command
    then says which and ends with the invariant's exit status.
    """
    from model.experiments.store import ResultsStore
    from model.invariants import EXIT_INVARIANT

    records = ResultsStore.open(target).failures()
    broken = [r for r in records.values() if str(r.get("error", "")).startswith("InvariantError")]
    if broken:
        first = str(broken[0]["error"]).removeprefix("InvariantError: ")
        _err(f"error: {len(broken)} run(s) broke an invariant; the first: {first}")
        raise typer.Exit(EXIT_INVARIANT)


# --------------------------------------------------------------------------------------
# batch


@user_errors
def batch(
    experiment: Annotated[
        Path, typer.Argument(help="Experiment TOML file (or a name in scenarios/experiments).")
    ],
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Results folder (default results/<experiment name>)."),
    ] = None,
    retry_failed: Annotated[
        bool, typer.Option("--retry-failed", help="Run the runs recorded as failed again.")
    ] = False,
    verify: Annotated[
        bool,
        typer.Option("--verify", help="Check stored files first; re-run unreadable ones."),
    ] = False,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="No progress bar.")] = False,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Print the batch summary as JSON (instead of the folder)."),
    ] = False,
    posterior: PosteriorOption = None,
) -> None:
    """Run an experiment's scenarios and replicates into a results folder (resumable).

    Runs already in the folder are skipped: after a crash or Ctrl-C, run the same command
    again to continue. Runs that raise are recorded in OUT/failed/ and the batch goes on.
    """
    from model.experiments.batch import default_out
    from model.experiments.execute import CODE_CHANGED, check_workers
    from model.experiments.experiment import load_experiment
    from model.experiments.plan import plan_runs

    if workers:
        check_workers(workers, scheduler)
    exp = load_experiment(experiment)
    plan = _with_posterior(plan_runs(exp), posterior, exp.seed)
    target = ensure_output_folder(out if out is not None else default_out(exp))
    where = (
        f"Dask scheduler {scheduler}"
        if scheduler
        else ("this process" if workers == 0 else f"{workers or 'one per CPU'} local worker(s)")
    )
    _err(
        f"experiment '{exp.name}' ({exp.kind}): {len(plan.runs)} runs "
        f"({len(plan.table)} planned rows) into {target} on {where}"
    )
    summary = _execute(
        plan,
        target,
        f"interrupted: finished runs are stored in {target}; run the same command again "
        "to continue",
        workers=workers,
        scheduler=scheduler,
        progress=not no_progress,
        retry_failed=retry_failed,
        verify=verify,
    )
    if summary.corrupt:
        _err(f"set aside {len(summary.corrupt)} unreadable run file(s) in {target}/corrupt")
    if summary.code_changed:
        _err("warning: " + CODE_CHANGED.format(out=target))
    _err(
        f"done: {summary.done} run(s) finished, {summary.failed} failed, {summary.skipped} "
        f"already stored (or failed before), in {summary.seconds:.1f} s"
    )
    if summary.failed_total:
        _err(
            f"warning: {summary.failed_total} run(s) failed; errors in {target}/failed/ "
            "(--retry-failed runs them again)"
        )
    if as_json:
        typer.echo(json.dumps(summary.as_dict(), indent=1, default=str))
    else:
        typer.echo(str(target))
    _stop_on_broken_invariants(target)


# --------------------------------------------------------------------------------------
# compare


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


def _with_posterior(plan: Any, posterior: Path | None, seed: int) -> Any:
    """The plan with each replicate's parameters drawn from ``--posterior`` (if given)."""
    if posterior is None:
        return plan
    from model.experiments.calibration.parameter_draws import with_posterior
    from model.experiments.calibration.posterior_file import load_posterior

    drawn = load_posterior(posterior)
    _err(drawn.describe())
    return with_posterior(plan, drawn, seed)


def _posterior_note(folder: Path, table: pd.DataFrame) -> pd.DataFrame:
    """A comparison of runs drawn from a posterior says so in every row's note."""
    from model.experiments.batch import manifest

    drawn = manifest(folder).get("experiment", {}).get("posterior")
    if not drawn or table.empty:
        return table
    _err(drawn["note"])
    notes = table["note"].fillna("").astype(str)
    return table.assign(note=[f"{n}; {drawn['note']}" if n else drawn["note"] for n in notes])


@contextlib.contextmanager
def _warnings_as_lines(*categories: type[Warning]) -> Iterator[None]:
    """Print the model's warnings of ``categories`` as one ``warning:`` line each.

    Default: a comparison's warnings (an incomplete store: n per arm). Other warnings pass on.
    """
    from model.experiments.compare import IncompleteComparisonWarning

    categories = categories or (IncompleteComparisonWarning,)
    with warnings.catch_warnings(record=True) as caught:
        for category in categories:
            warnings.simplefilter("always", category)
        yield
    for warning in caught:
        if issubclass(warning.category, categories):
            _err(f"warning: {warning.message}")
        else:
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )


def _num(value: Any) -> str:
    """Readable numbers: thousands separators for large values, 3 significant digits else."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    value = float(value)
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


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
