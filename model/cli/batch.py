"""``jointvillage batch``: experiment files run into a results folder; options the commands share.

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

from model.cli.common import ensure_output_folder, user_errors
from model.errors import EXIT_INTERRUPTED

if TYPE_CHECKING:
    pass

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


def _with_posterior(plan: Any, posterior: Path | None, seed: int) -> Any:
    """The plan with each replicate's parameters drawn from ``--posterior`` (if given)."""
    if posterior is None:
        return plan
    from model.experiments.calibration.parameter_draws import with_posterior
    from model.experiments.calibration.posterior_file import load_posterior

    drawn = load_posterior(posterior)
    _err(drawn.describe())
    return with_posterior(plan, drawn, seed)


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
