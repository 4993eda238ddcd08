"""``jointvillage design``: propose alliance groupings and modes for an objective."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from model.cli.batch import NoFigureOption, SchedulerOption, WorkersOption, _err, save_png
from model.cli.common import SetOption, ensure_output_folder, user_errors

if TYPE_CHECKING:
    from model.experiments.grouping.propose import Proposal


class ScreenChoice(StrEnum):
    """How candidates are screened."""

    short = "short"
    surrogate = "surrogate"


def register(app: typer.Typer) -> None:
    """Add ``design`` to the application."""
    app.command("design")(design)


@user_errors
def design(
    scenario: Annotated[str, typer.Argument(help="Scenario (file or shipped name) to regroup.")],
    objective: Annotated[
        list[str],
        typer.Option(
            "--objective",
            help="A measure of `jointvillage measures` to optimise (max:/min: to set the "
            "sense); twice for a Pareto front.",
        ),
    ],
    budget: Annotated[
        float | None,
        typer.Option("--budget", help="Most public money (public_spending_cum, yuan)."),
    ] = None,
    constraint: Annotated[
        list[str] | None,
        typer.Option(
            "--constraint",
            help="max_gini=X, max_gini_collective=X or poor_tercile_floor=YUAN (repeatable).",
        ),
    ] = None,
    alliances: Annotated[
        int,
        typer.Option(
            "--alliances", help="Alliances each grouping holds (0 = as many as fit).", min=0
        ),
    ] = 0,
    set_: SetOption = None,
    population: Annotated[
        int, typer.Option("--population", help="Groupings per generation.", min=2)
    ] = 16,
    generations: Annotated[int, typer.Option("--generations", help="Generations.", min=1)] = 8,
    screen_years: Annotated[
        int | None,
        typer.Option(
            "--screen-years", help="Years of a screening run (default min(years, 3)).", min=1
        ),
    ] = None,
    screen_replicates: Annotated[
        int, typer.Option("--screen-replicates", help="Replicates per screening.", min=1)
    ] = 2,
    replicates: Annotated[
        int, typer.Option("--replicates", help="Replicates of the final evaluation.", min=2)
    ] = 5,
    finalists: Annotated[
        int, typer.Option("--finalists", help="Screened groupings evaluated in full.", min=1)
    ] = 3,
    screen: Annotated[
        ScreenChoice,
        typer.Option(
            "--screen",
            help="short: every offspring runs on the short horizon; surrogate: a random "
            "forest fitted to the runs so far picks which offspring run.",
        ),
    ] = ScreenChoice.short,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="Folder of the search (resumable) and its outputs."),
    ] = Path("results") / "design",
    no_figure: NoFigureOption = False,
) -> None:
    """Search groupings of villages into alliances (and their modes) within the programme's
    rules for one objective (GA) or two (NSGA-II, a Pareto front); evaluate the best in full
    against the programme's own grouping, with paired 95% intervals. Run again with the same
    --out to resume."""
    from model.experiments.execute import check_workers
    from model.experiments.grouping.candidates import ScenarioSource
    from model.experiments.grouping.objectives import parse_constraints, parse_objectives
    from model.experiments.grouping.output import write_proposal
    from model.experiments.grouping.propose import SearchSettings, propose_grouping

    objectives = parse_objectives(objective)
    constraints = parse_constraints(constraint or [], budget)
    if workers:
        check_workers(workers, scheduler)
    ensure_output_folder(out)
    settings = SearchSettings(
        population,
        generations,
        screen_years,
        screen_replicates,
        replicates,
        finalists,
        alliances,
        screen.value,
    )
    source = ScenarioSource(scenario, tuple(set_ or []))
    proposal = propose_grouping(
        source, objectives, constraints, out, settings, workers, scheduler, progress=True
    )
    paths = write_proposal(proposal, out)
    if not no_figure:
        paths += _figures(proposal, source, out)
    typer.echo((out / "gains.md").read_text())
    _err("wrote " + ", ".join(str(p) for p in paths))


def _figures(proposal: Proposal, source: object, out: Path) -> list[Path]:
    """The map comparing the groupings and, for two objectives, the Pareto front."""
    from model.experiments.grouping.output import load_grouping
    from model.viz.design_figures import grouping_map_figure, pareto_figure

    scenario = source.programme()  # type: ignore[attr-defined]
    proposed = load_grouping(out / "grouping.csv", scenario, proposal.county)
    fig = grouping_map_figure(
        proposal.county.villages,
        proposal.programme.table,
        proposed.table,
        proposed_title=f"Proposed ({proposal.chosen_arm})",
    )
    paths = [save_png(fig, out / "map.png")]
    if proposal.front is not None:
        measures = [o.measure for o in proposal.objectives]
        evaluations = proposal.evaluations
        own = proposal.finalists[proposal.own_arm].name
        first = evaluations[evaluations["candidate"] == own].iloc[0]
        fig = pareto_figure(
            proposal.evaluations, proposal.front, measures, [first[m] for m in measures]
        )
        paths.append(save_png(fig, out / "pareto.png"))
    return paths
