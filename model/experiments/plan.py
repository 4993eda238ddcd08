"""Plans: every run of an experiment, each under its run key.

A *run* is one replicate of one scenario variant (a scenario of the experiment with one
sweep or design point applied, :mod:`model.experiments.design`). Every variant gets the
experiment seed, and replicate ``r`` is run as ``run_scenario(scenario, replicate=r)``;
:mod:`model.rng` derives the replicate's streams from that seed with ``SeedSequence``, so
replicate ``r`` of every variant shares the county, weather and prices (common random
numbers).

A run is known by its key (:func:`model.experiments.store.run_key`, a hash of the resolved
scenario, the replicate and the model version): two design points that round to the same
scenario share one run, and a results folder never holds the same run twice. The regression
and validation checks make plans of their own runs with :meth:`Plan.of_runs`; every plan is
executed by :func:`model.experiments.execute.execute`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from model.columns import DESIGN_PREFIX, IDENTITY, PARAM_PREFIX
from model.experiments.design import design_of
from model.experiments.experiment import Experiment
from model.experiments.store import run_key
from model.experiments.variants import build_scenario, resolve_scenarios
from model.scenario import Scenario


@dataclass(frozen=True)
class RunSpec:
    """One planned run.

    Attributes:
        key: The run key (store file name).
        scenario: The resolved scenario.
        replicate: Replicate number.
        labels: The run's identity columns, ``(name, value, arrow type)``, as every stored
            table of the run carries them (:func:`identity_labels`); not part of the run.
    """

    key: str
    scenario: Scenario
    replicate: int
    labels: tuple[tuple[str, Any, str], ...] = field(default=(), compare=False)

    @classmethod
    def of(cls, scenario: Scenario, replicate: int) -> RunSpec:
        """The run of a scenario's replicate, under its key."""
        return cls(run_key(scenario.to_dict(), replicate), scenario, replicate)


@dataclass
class Plan:
    """Runs to execute into one results folder.

    Attributes:
        name: What the folder holds (an experiment name, ``regress``, ``validation``); a
            folder of another name is refused.
        runs: Unique runs in execution order.
        table: One row per label of a run (for an experiment: scenario, variant,
            replicate, seed, run_key and the ``param:``/``design:`` columns).
        tables: The run tables kept (``county_yearly`` first).
        manifest: What the results folder's manifest records about the plan.
        experiment: The experiment planned, if any.
        problem: The SALib problem of a design (Latin hypercube or sensitivity), if any.
    """

    name: str
    runs: list[RunSpec]
    table: pd.DataFrame
    tables: list[str] = field(default_factory=lambda: ["county_yearly"])
    manifest: dict[str, Any] = field(default_factory=dict)
    experiment: Experiment | None = None
    problem: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        self.runs = identity_labels(self.runs, self.table)

    @classmethod
    def of_runs(
        cls,
        name: str,
        labelled: Sequence[tuple[dict[str, Any], RunSpec]],
        tables: Sequence[str],
        manifest: dict[str, Any] | None = None,
    ) -> Plan:
        """A plan of given runs (regression cases, validation checks).

        Args:
            name: What the results folder holds.
            labelled: ``(labels, run)`` pairs in execution order; a run may come twice.
            tables: Tables to keep of every run.
            manifest: Further manifest fields.
        """
        runs = list({spec.key: spec for _, spec in labelled}.values())
        rows = [{**labels, "run_key": spec.key} for labels, spec in labelled]
        return cls(name, runs, _tidy(pd.DataFrame(rows)), list(tables), manifest or {})


def plan_runs(experiment: Experiment) -> Plan:
    """Resolve every scenario variant and replicate of an experiment.

    Args:
        experiment: A validated experiment.

    Returns:
        The :class:`Plan`.

    Raises:
        InputError: When a scenario file or a sweep value is not valid; the message names
            the experiment file and the scenario entry or sweep that set it.
    """
    bases = resolve_scenarios(experiment)
    design = design_of(experiment)
    section = "sensitivity" if experiment.sensitivity is not None else "sweep"
    blame = f"{experiment.source} ({section}.parameters)"
    rows: list[dict[str, Any]] = []
    runs: dict[str, RunSpec] = {}
    for name, base in bases.items():
        for variant, values in enumerate(design.points):
            scenario = build_scenario(base, name, experiment.seed, values, blame)
            labels = {PARAM_PREFIX + k: v for k, v in values.items()}
            if design.matrix is not None:
                raw = zip(design.problem["names"], design.matrix[variant], strict=True)
                labels.update({DESIGN_PREFIX + n: float(x) for n, x in raw})
            for replicate in range(experiment.replicates):
                spec = RunSpec.of(scenario, replicate)
                runs.setdefault(spec.key, spec)
                row = {"scenario": name, "variant": variant, "replicate": replicate}
                rows.append({**row, "seed": experiment.seed, "run_key": spec.key, **labels})
    # Run replicate by replicate: a batch stopped early then holds complete sets of paired
    # runs (replicate 0 of every scenario and design point first), usable at once.
    order = sorted(runs.values(), key=lambda spec: spec.replicate)
    return Plan(
        name=experiment.name,
        runs=order,
        table=_tidy(pd.DataFrame(rows)),
        tables=experiment.tables,
        manifest=_manifest_entry(experiment, design.problem),
        experiment=experiment,
        problem=design.problem,
    )


def _manifest_entry(exp: Experiment, problem: dict[str, Any] | None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "source": exp.source,
        "kind": exp.kind,
        "seed": exp.seed,
        "replicates": exp.replicates,
        "reference": exp.reference_name,
        "scenarios": [e.name for e in exp.scenarios],
        "tables": exp.tables,
        "spec": exp.to_dict(),
    }
    if exp.sensitivity is not None:
        entry["sensitivity"] = {
            "method": exp.sensitivity.method,
            "samples": exp.sensitivity.samples,
            "second_order": exp.sensitivity.second_order,
            "levels": exp.sensitivity.levels,
            "problem": problem,
        }
    return entry


def identity_labels(runs: Sequence[RunSpec], table: pd.DataFrame) -> list[RunSpec]:
    """The runs with their identity columns: the plan row of their key (the first, for a run
    shared by two design points), typed as the plan's column, so that every file of the
    folder has the same columns and types (one dataset).

    The order is that of :data:`model.columns.IDENTITY` (scenario, variant, replicate, seed,
    case), then the ``param:`` and ``design:`` columns, then any other label; ``scenario``
    and ``replicate`` are always there (a run's tables have them), ``run_key`` is added by
    the encoder.
    """
    import pyarrow as pa

    known = [
        c.name for c in IDENTITY if c.name in table.columns or c.name in ("scenario", "replicate")
    ]
    rest = [c for c in table.columns if c not in known and c != "run_key"]
    rest.sort(key=lambda c: (not c.startswith(PARAM_PREFIX), not c.startswith(DESIGN_PREFIX)))
    schema = pa.Schema.from_pandas(table, preserve_index=False) if len(table.columns) else None
    kinds = {f.name: str(f.type) for f in schema} if schema is not None else {}
    kinds.setdefault("scenario", "string")
    kinds.setdefault("replicate", "int64")
    first = table.drop_duplicates("run_key").set_index("run_key") if "run_key" in table else None
    labelled = []
    for spec in runs:
        row = first.loc[spec.key] if first is not None and spec.key in first.index else {}
        own = {"scenario": spec.scenario.name, "replicate": spec.replicate}
        values = {
            name: _plain(row[name]) if name in row else own.get(name) for name in known + rest
        }
        labels = tuple((name, values[name], kinds[name]) for name in known + rest)
        labelled.append(dataclasses.replace(spec, labels=labels))
    return labelled


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value (a missing value as ``None``)."""
    if pd.isna(value):
        return None
    return value.item() if hasattr(value, "item") else value


def _tidy(table: pd.DataFrame) -> pd.DataFrame:
    """Parquet needs one type per column: a sweep mixing e.g. numbers and names is text."""
    for column in table.columns:
        if table[column].dtype == object and table[column].map(type).nunique() > 1:
            table[column] = table[column].map(str)
    return table
