"""Proposing a grouping: search, screen, evaluate in full, choose (``jointvillage design``).

:func:`propose_grouping` builds the scenario's county and the programme's own grouping,
checks that the county and the rules can meet the constraints
(:mod:`~model.experiments.grouping.feasibility`), searches the grouping space
(:mod:`~model.experiments.grouping.search`) on cheap screening runs, checks that the
constraints on the runs' outcomes were met by some screened grouping, evaluates the
finalists and the programme's grouping on the full model and chooses the finalist best on
the (first) objective among those meeting the constraints. The programme's grouping is
always a finalist, so the choice is never worse than it on the final evaluation's mean.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from model.atomic import atomic_write
from model.errors import InputError
from model.experiments.design import design_seed
from model.experiments.grouping.candidates import Candidate, ScenarioSource
from model.experiments.grouping.feasibility import check_before_search, check_screened
from model.experiments.grouping.final import evaluate_finalists, finalists, pareto_front
from model.experiments.grouping.objectives import Constraint, Objective
from model.experiments.grouping.screening import Screening
from model.experiments.grouping.search import Preselection, run_search, scores
from model.experiments.grouping.space import build_space
from model.world.alliances import Alliances
from model.world.county import County


@dataclass(frozen=True)
class SearchSettings:
    """How hard to search, and how the candidates are evaluated.

    Attributes:
        population: Candidates per generation.
        generations: Generations.
        screen_years: Horizon of a screening run (default: the scenario's, at most 3).
        screen_replicates: Replicates of a screening evaluation.
        final_replicates: Replicates of the final evaluation (full horizon).
        finalists: Screened groupings evaluated in full (the programme's comes on top).
        alliances: Alliances every grouping holds (0 = as many as fit).
        screen: ``short`` (every offspring runs on the short horizon) or ``surrogate``
            (a surrogate pre-selects which offspring run; :class:`~.search.Preselection`).
    """

    population: int = 16
    generations: int = 8
    screen_years: int | None = None
    screen_replicates: int = 2
    final_replicates: int = 5
    finalists: int = 3
    alliances: int = 0
    screen: Literal["short", "surrogate"] = "short"


@dataclass
class Proposal:
    """What :func:`propose_grouping` found.

    Attributes:
        county: The county.
        programme: The programme's own grouping.
        chosen: The chosen grouping's file (the programme's own when nothing beats it).
        chosen_arm: Its arm in the final evaluation.
        evaluations: Every screening evaluation (generation, candidate, measures).
        gains: The final evaluation's table (:func:`evaluate_finalists`).
        front: The screened Pareto front (two objectives), else ``None``.
        objectives: The objectives.
        constraints: The constraints.
        finalists: Each finalist's arm and file.
        own_arm: The finalist that is the programme's own grouping.
    """

    county: County
    programme: Alliances
    chosen: Candidate
    chosen_arm: str
    evaluations: pd.DataFrame
    gains: pd.DataFrame
    objectives: list[Objective]
    constraints: list[Constraint]
    front: pd.DataFrame | None = None
    finalists: dict[str, Candidate] = field(default_factory=dict)
    own_arm: str = ""


def propose_grouping(
    source: ScenarioSource,
    objectives: Sequence[Objective],
    constraints: Sequence[Constraint],
    out: Path,
    settings: SearchSettings = SearchSettings(),
    workers: int | None = 0,
    scheduler: str | None = None,
    progress: bool = False,
) -> Proposal:
    """Search, screen and evaluate groupings of a scenario (see the module docstring).

    Raises:
        InputError: A constraint the county cannot meet (before any run), one no
            screened grouping meets (before the final runs), or an ``out`` folder holding
            a search of other settings.
    """
    from model.jointmodel import build_world

    programme_scenario = source.programme()
    if not programme_scenario.alliances.enabled:
        raise InputError(
            source.path, "alliances.enabled", False, "a scenario with alliances to regroup"
        )
    county, programme = build_world(programme_scenario)
    seed = design_seed(programme_scenario.seed)
    space = build_space(
        county, programme_scenario.alliances, programme, seed, n_alliances=settings.alliances
    )
    check_before_search(space, county, programme_scenario, constraints, settings.alliances)
    years = settings.screen_years or min(programme_scenario.years, 3)
    _check_settings(out, source, objectives, constraints, settings, years)
    screening = Screening(
        source,
        space,
        county,
        objectives,
        constraints,
        out,
        years,
        settings.screen_replicates,
        workers,
        scheduler,
        progress,
    )
    preselection = None
    if settings.screen == "surrogate":
        weak = programme_scenario.collective.weak_threshold
        preselection = Preselection.of(screening, weak, seed)
    evaluations = run_search(
        screening, settings.population, settings.generations, seed, preselection
    )
    check_screened(evaluations, constraints)
    chosen_names = finalists(evaluations, objectives, constraints, settings.finalists)
    own = screening.candidate(space.programme_vector())
    files = {name: out / "candidates" / f"{name}.csv" for name in [*chosen_names, own.name]}
    candidates = [Candidate(name, path) for name, path in files.items()]
    measures = screening.measures
    gains = evaluate_finalists(
        source,
        candidates,
        measures,
        settings.final_replicates,
        out / "final",
        workers,
        scheduler,
        progress,
    )
    by_arm = dict(zip(gains["arm"].drop_duplicates(), candidates, strict=True))
    own_arm = next(arm for arm, c in by_arm.items() if c.name == own.name)
    arm = _choose(gains, objectives, constraints, own_arm)
    front = _front(evaluations, objectives, constraints) if len(objectives) == 2 else None
    return Proposal(
        county,
        programme,
        by_arm[arm],
        arm,
        evaluations,
        gains,
        list(objectives),
        list(constraints),
        front,
        by_arm,
        own_arm,
    )


def _check_settings(
    out: Path,
    source: ScenarioSource,
    objectives: Sequence[Objective],
    constraints: Sequence[Constraint],
    settings: SearchSettings,
    years: int,
) -> None:
    """Record the search's settings in ``out``; refuse a folder of another search (its
    stored evaluations would be reused under settings they were not made with)."""
    record: dict[str, Any] = {
        "scenario": source.path,
        "set": list(source.overrides),
        "objectives": [o.label for o in objectives],
        "constraints": [asdict(c) for c in constraints],
        "settings": {**asdict(settings), "screen_years": years},
    }
    path = out / "design.json"
    if path.exists():
        earlier = json.loads(path.read_text())
        if earlier != json.loads(json.dumps(record)):
            raise InputError(
                "--out",
                "out",
                str(out),
                "a new folder, or the one of an earlier `design` run with the same "
                "scenario, objectives, constraints and settings (to resume it)",
            )
    out.mkdir(parents=True, exist_ok=True)
    atomic_write(path, json.dumps(record, indent=1))


def _choose(
    gains: pd.DataFrame,
    objectives: Sequence[Objective],
    constraints: Sequence[Constraint],
    own_arm: str,
) -> str:
    """The finalist best on the first objective among those meeting the constraints; the
    programme's own grouping (``own_arm``) unless one is strictly better."""
    wide = gains.pivot_table(index="arm", values="value", columns="measure")
    f_values, g_values = scores(wide, objectives[:1], constraints)
    order = list(wide.index)
    best = own_arm
    for k, arm in enumerate(order):
        if (g_values[k] <= 0).all() and f_values[k, 0] < f_values[order.index(best), 0]:
            best = arm
    return best


def _front(
    evaluations: pd.DataFrame, objectives: Sequence[Objective], constraints: Sequence[Constraint]
) -> pd.DataFrame:
    """The screened groupings meeting the constraints that no other such one dominates."""
    unique = evaluations.drop_duplicates("candidate").reset_index(drop=True)
    f_values, g_values = scores(unique, objectives, constraints)
    unique = unique[(g_values <= 0).all(axis=1)].reset_index(drop=True)
    return unique.iloc[pareto_front(f_values[(g_values <= 0).all(axis=1)])].reset_index(drop=True)
