"""Running the cases (through the one executor) and the two entry points, check and update."""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import model
from model.checks.regress.cases import (
    CANONICAL,
    LEVELS,
    Case,
    case_scenario,
    cases_to_update,
    select_cases,
)
from model.checks.regress.references import MANIFEST, read_case, read_manifest, write_references
from model.checks.regress.report import Report, compare_all
from model.checks.regress.summaries import RUN_TABLES, input_digests, run_summary, world_summary
from model.errors import InputError
from model.experiments.execute import BatchSummary, execute
from model.experiments.plan import Plan, RunSpec
from model.experiments.provenance import environment
from model.experiments.store import ResultsStore
from model.scenario import Scenario


def default_workers() -> int:
    """One worker per CPU available to this process."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def run_cases(
    cases: Sequence[Case],
    extra: Sequence[str] = (),
    workers: int | None = None,
    costs: dict[tuple[str, int], float] | None = None,
    progress: bool = False,
    results: Path | None = None,
) -> tuple[dict[str, dict[str, Any]], BatchSummary]:
    """Run every replicate of every case and return what a reference stores.

    The runs go through the project's one executor (:func:`model.experiments.execute
    .execute`) into a results folder, under their run keys.

    Args:
        cases: The cases.
        extra: Overrides applied to every case after its own settings.
        workers: Worker processes (``None``: one per CPU; 0 or 1: in this process).
        costs: Expected seconds per (case, replicate), to start the longest runs first.
        progress: Show a progress bar on stderr.
        results: Keep the runs in this folder, and reuse those of an earlier check made by
            the same code, data and libraries (resume); default: a temporary folder.

    Returns:
        Case name -> ``{"world": ..., "replicates": {"0": ..., ...}, "scenario": ...}``,
        and the executor's summary.

    Raises:
        RunFailedError: When a run raised (:class:`model.experiments.store.RunFailedError`).
    """
    scenarios = {case.name: case_scenario(case, extra) for case in cases}
    out = {case.name: _world_entry(scenarios[case.name]) for case in cases}
    jobs = [(case.name, r) for case in cases for r in range(case.replicates)]
    if costs:
        jobs.sort(key=lambda job: -costs.get(job, 0.0))
    labelled = [({"case": n, "replicate": r}, RunSpec.of(scenarios[n], r)) for n, r in jobs]
    plan = Plan.of_runs("regress", labelled, RUN_TABLES)
    count = min(default_workers() if workers is None else workers, len(plan.runs))
    with _results_folder(results) as folder:
        summary = execute(
            plan,
            folder,
            workers=count if count > 1 else 0,
            progress=progress,
            retry_failed=True,
            reuse="same-code",
            label="regress runs",
        )
        store = ResultsStore.open(folder)
        for labels, spec in labelled:
            result = store.read_result(spec.key, spec.scenario, spec.replicate)
            out[labels["case"]]["replicates"][str(spec.replicate)] = run_summary(result)
    for case in cases:
        reps = out[case.name]["replicates"]
        out[case.name]["replicates"] = {str(r): reps[str(r)] for r in range(case.replicates)}
        first = reps.get("0")
        if first is not None:
            out[case.name]["world"]["counts"]["model_households"] = first["households"]
    return out, summary


def _world_entry(scenario: Scenario) -> dict[str, Any]:
    """A case's reference before its runs: the world it builds, its scenario and inputs."""
    from model.jointmodel import build_world

    county, alliances = build_world(scenario)
    return {
        "world": world_summary(county, alliances),
        "scenario": scenario.to_dict(),
        "inputs": input_digests(scenario),
        "replicates": {},
    }


@contextlib.contextmanager
def _results_folder(results: Path | None) -> Iterator[Path]:
    if results is not None:
        yield Path(results)
        return
    with tempfile.TemporaryDirectory(prefix="jointvillage-regress-") as tmp:
        yield Path(tmp) / "runs"


def check(
    folder: Path,
    names: Sequence[str] = (),
    quick: bool = False,
    extra: Sequence[str] = (),
    level: str = "strict",
    workers: int | None = None,
    progress: bool = False,
    results: Path | None = None,
) -> Report:
    """Run the cases recorded in a reference folder and compare.

    Args:
        folder: The reference folder.
        names: Only these cases (default: all of the folder's).
        quick: Only the quick cases.
        extra: Overrides applied to every case.
        level: ``strict`` or ``statistical``.
        workers: Worker processes (``None``: one per CPU; 0 or 1: in this process).
        progress: Show a progress bar on stderr.
        results: Keep the runs there and reuse them (see :func:`run_cases`).

    Raises:
        InputError: A missing or corrupt reference folder, an unknown case or level.
    """
    if level not in LEVELS:
        raise InputError("--level", "level", level, f"one of {', '.join(LEVELS)}")
    start = time.perf_counter()
    manifest = read_manifest(folder)
    cases = select_cases(manifest["cases"], names, quick, str(folder / MANIFEST))
    refs = {case.name: read_case(folder, case) for case in cases}
    costs = _costs(refs)
    nows, summary = run_cases(cases, extra, workers, costs, progress, results)
    report = compare_all(refs, nows, level=level)
    report.seconds = time.perf_counter() - start
    report.notes[:0] = _context_notes(manifest, cases, extra)
    if summary.skipped:
        report.notes.append(
            f"{summary.skipped} of {summary.planned} runs reused from {results} (made by the "
            "same code, data and libraries)"
        )
    return report


def _costs(refs: dict[str, dict[str, Any]]) -> dict[tuple[str, int], float]:
    costs = {}
    for name, ref in refs.items():
        for rep, value in ref.get("replicates", {}).items():
            costs[(name, int(rep))] = float(value.get("wall_seconds", 0.0) or 0.0)
    return costs


def _context_notes(
    manifest: dict[str, Any], cases: Sequence[Case], extra: Sequence[str]
) -> list[str]:
    notes = []
    updated = manifest.get("updated", "?")
    notes.append(
        f"references: {updated}, model {manifest.get('model_version', '?')}"
        + (f" ({manifest['reason']})" if manifest.get("reason") else "")
    )
    ref_platform = manifest.get("platform", {})
    here = environment()
    differing = [
        f"{k} {ref_platform.get(k)} -> {here[k]}"
        for k in ("numpy", "pandas", "python", "machine", "system")
        if ref_platform.get(k) not in (None, here[k])
    ]
    if differing:
        notes.append(
            "references were written on another platform ("
            + ", ".join(differing)
            + "); per-replicate values may differ by float noise"
        )
    if manifest.get("model_version") not in (None, model.__version__):
        notes.append(f"model version {model.__version__} now")
    canonical = {c.name: c for c in CANONICAL}
    for case in cases:
        if case.name in canonical and canonical[case.name] != case:
            notes.append(
                f"case '{case.name}' is defined differently in model/checks/regress/cases.py now "
                f"({canonical[case.name].settings()} x{canonical[case.name].replicates}); "
                "the check runs the references' settings"
            )
    if extra:
        notes.append("extra overrides on every case: " + " ".join(extra))
    return notes


def update(
    folder: Path,
    reason: str,
    names: Sequence[str] = (),
    quick: bool = False,
    extra: Sequence[str] = (),
    years: int | None = None,
    replicates: int | None = None,
    workers: int | None = None,
    progress: bool = False,
    results: Path | None = None,
) -> Report:
    """Run the selected cases and (re)write their references.

    Which cases: without ``names``, every case of the folder's manifest (the canonical set
    for a new folder); with ``names``, those cases, where a name that is neither canonical
    nor in the manifest is read as a scenario (file or shipped name) and becomes a new case.
    The folder's other cases are kept. A canonical case takes its settings from
    :data:`CANONICAL` (so editing the canonical set is adopted on the next update), any
    other case keeps the settings stored in the manifest. ``years``, ``replicates`` and
    ``extra`` overrides then change the settings, and are recorded with the case.

    Returns:
        The comparison with the previous references (``updated=True``).
    """
    _check_update_options(reason, years, replicates)
    start = time.perf_counter()
    previous, notes = _previous_manifest(folder)
    stored = {c.name: c for c in previous["cases"]} if previous else {}
    cases = [
        replace(
            c,
            years=years if years is not None else c.years,
            replicates=replicates if replicates is not None else c.replicates,
            overrides=(*c.overrides, *extra),
        )
        for c in cases_to_update(names, quick, stored)
    ]
    old_refs = _comparable_references(folder, cases, stored, notes)
    nows, _ = run_cases(cases, (), workers, _costs(old_refs), progress, results)
    report = compare_all(old_refs, nows)
    report.cases = [c.name for c in cases]
    report.updated = True
    for record in report.records:
        if record.status == "FAIL":
            record.status = "moved"
    path = write_references(
        folder, cases, nows, reason.strip(), previous, moved=report.moved_measures()
    )
    report.notes += notes
    report.notes.append(f"wrote {len(cases)} case(s) and {path} (reason: {reason.strip()})")
    if not old_refs:
        report.notes.append("no earlier references with the same settings to compare with")
    report.seconds = time.perf_counter() - start
    return report


def _check_update_options(reason: str, years: int | None, replicates: int | None) -> None:
    if not reason or not reason.strip():
        raise InputError(
            "--update",
            allowed='needs --reason "why the outputs are expected to change" (it is recorded '
            "in the manifest)",
        )
    if years is not None and years < 1:
        raise InputError("--years", "years", years, "an integer >= 1")
    if replicates is not None and replicates < 1:
        raise InputError("--replicates", "replicates", replicates, "an integer >= 1")


def _previous_manifest(folder: Path) -> tuple[dict[str, Any] | None, list[str]]:
    """The folder's manifest, if any and readable, and a note when it is not."""
    if not (folder / MANIFEST).is_file():
        return None, []
    try:
        return read_manifest(folder), []
    except InputError as err:
        return None, [f"unreadable manifest rewritten from scratch ({err.message})"]


def _comparable_references(
    folder: Path, cases: Sequence[Case], stored: dict[str, Case], notes: list[str]
) -> dict[str, dict[str, Any]]:
    """The earlier references of the cases whose settings did not change."""
    old_refs: dict[str, dict[str, Any]] = {}
    for case in cases:
        old = stored.get(case.name)
        if old is None:
            continue
        if old != case:
            notes.append(
                f"{case.name}: settings change from {old.settings()} x{old.replicates} to "
                f"{case.settings()} x{case.replicates}; not compared"
            )
            continue
        with contextlib.suppress(InputError):
            old_refs[case.name] = read_case(folder, case)
    return old_refs
