"""Regression checks: run the canonical scenarios and compare them with stored references.

``jointvillage regress --reference DIR`` runs a small fixed set of *cases* (a scenario with
fixed seed, horizon and number of replicates) and compares what they produce with the
references stored in ``DIR`` by ``jointvillage regress --reference DIR --update --reason``.

Three kinds of check, from strict to statistical:

``exact`` — the deterministic parts.
    The county (village and town tables) and the alliances (alliance table, unplaced
    villages) are drawn from the county-level random streams of the seed only, so they
    must be identical: every column is fingerprinted (SHA-256 of its values, floats by
    their IEEE bits) and compared, together with the counts (villages, towns, households,
    population, alliances, allied and unplaced villages). A report names the columns that
    changed.

``replicate`` — every recorded aggregate of every replicate.
    The model is deterministic given seed and replicate, in any process, so each value of
    the county yearly and monthly tables and the yearly totals of the village and alliance
    tables must reproduce: ``|now - ref| <= ATOL + RTOL * |ref|`` with ``RTOL = 1e-9``.
    Bit-for-bit would do on one platform; the band leaves room for float summation noise
    when numpy or the CPU changes the order of a sum (about 1e-16 relative per operation,
    a few orders more through long sums), and is still millions of times smaller than a
    change of a parameter worth reporting (a 5 % change of the wheat yield moves county
    farm income by about half a percent).

``across replicates`` — the distribution of the final-year county measures.
    For each measure, the replicate values now are compared with the stored replicate
    values by a paired t-test (replicate ``r`` of a run shares its random streams with
    replicate ``r`` of the references: common random numbers, so a systematic shift of a
    fraction of a percent stands out), or Welch's test when the replicate numbers differ;
    two-sided, with a Bonferroni correction over all the measures of the run at a
    family-wise level ``ALPHA = 0.01``, and a minimum tolerance
    ``STAT_ATOL + STAT_RTOL * |ref mean|`` below which a difference never counts (so a
    measure with no variance across replicates does not flag float noise). A difference
    fails when it is beyond both. With the same code the two samples are identical and the
    test cannot flake; when the replicates are redrawn (a change in how random numbers are
    used, another platform) the test stays valid, and a false alarm anywhere in the run
    has probability at most 1 %. The report also shows Welch's p-value and the spread
    between replicates, to size a shift against the noise.

The *level* decides which checks fail a run: ``strict`` (default: every check) or
``statistical`` (only the across-replicate test; exact and per-replicate differences are
reported as ``moved``), for references made on another platform or to judge whether a
change in random-number use shifted the distribution.

References are one JSON file per case plus ``manifest.json`` (model and library versions,
platform, the cases and their settings, tolerances, and a history of every update with
its reason). A check runs the cases exactly as the manifest records them, so a reference
folder is self-describing.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import platform
import re
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import model
from model.atomic import atomic_write
from model.errors import InputError
from model.experiments.execute import BatchSummary, execute
from model.experiments.plan import Plan, RunSpec
from model.experiments.store import ResultsStore
from model.runner import RunResult
from model.scenario import Scenario, load_scenario

# --------------------------------------------------------------------------------------
# The canonical set and the tolerances


@dataclass(frozen=True)
class Case:
    """One regression case: a scenario run with fixed settings.

    Attributes:
        name: Case name (file ``<name>.json`` in the reference folder).
        scenario: Scenario file or shipped scenario name.
        years: Simulated horizon.
        replicates: Number of replicates (0 .. replicates-1).
        seed: Scenario seed (pinned here, so a new seed in a scenario file is a change).
        overrides: Further ``section.key=value`` overrides.
        quick: Part of the ``--quick`` set.
    """

    name: str
    scenario: str
    years: int
    replicates: int
    seed: int
    overrides: tuple[str, ...] = ()
    quick: bool = False

    def settings(self) -> list[str]:
        """All overrides applied to the scenario file for this case."""
        return [f"seed={self.seed}", f"years={self.years}", *self.overrides]

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the manifest."""
        data = asdict(self)
        data["overrides"] = list(self.overrides)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Case:
        """Inverse of :meth:`to_dict`."""
        return cls(
            name=str(data["name"]),
            scenario=str(data["scenario"]),
            years=int(data["years"]),
            replicates=int(data["replicates"]),
            seed=int(data["seed"]),
            overrides=tuple(str(o) for o in data.get("overrides", ())),
            quick=bool(data.get("quick", False)),
        )


#: The canonical set: the full synthetic county (864 villages, ~238,000 households), six
#: years (past one ginger price cycle and the build-up of pooling and cooperatives), fixed
#: seed. The baseline is cheap, so it gets more replicates (power of the across-replicate
#: test); ``--quick`` keeps the cases marked quick. Measured (model of 2026-11-29): about 27
#: CPU-seconds in all, 20-35 s wall on 2 shared cores (``--quick``: about 10 CPU-seconds).
CANONICAL: tuple[Case, ...] = (
    Case("baseline", "baseline", years=6, replicates=8, seed=20231, quick=True),
    Case("anqiu_2023", "anqiu_2023", years=6, replicates=4, seed=20231),
)

#: Defaults for a case made from a scenario outside the canonical set (``--scenarios FILE``).
DEFAULT_YEARS = 4
DEFAULT_REPLICATES = 3

#: Per-replicate band: relative and absolute tolerance.
RTOL = 1e-9
ATOL = 1e-9
#: Across replicates: family-wise false-alarm level (Bonferroni over the run's measures)...
ALPHA = 0.01
#: ... and the minimum difference that can count at all.
STAT_RTOL = 1e-6
STAT_ATOL = 1e-9

#: Version of the reference file layout.
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
LEVELS = ("strict", "statistical")

#: Key columns of the stored tables (everything else numeric is a measure).
TABLE_KEYS: dict[str, tuple[str, ...]] = {
    "county_yearly": ("year",),
    "county_monthly": ("year", "month"),
    "village_yearly": ("year",),
    "alliance_yearly": ("year",),
}
#: Columns that identify rows in the model's tables and are never measures.
ID_COLUMNS = frozenset(
    {"scenario", "replicate", "year", "month", "step", "village_id", "alliance_id"}
)
#: How the checks are named in the printed report.
CHECK_LABELS = {"exact": "exact", "replicate": "each replicate", "across": "final-year mean"}
#: ... and in the summary line.
SUMMARY_LABELS = {"exact": "exact", "replicate": "per-replicate", "across": "across-replicate"}
#: Table whose final year is tested across replicates.
STAT_TABLE = "county_yearly"
#: Tables stored of every run (what the summaries read).
RUN_TABLES = tuple(TABLE_KEYS)


# --------------------------------------------------------------------------------------
# Fingerprints and run summaries


def column_digest(values: Iterable[Any] | pd.Series | np.ndarray) -> str:
    """A short SHA-256 of a column's values: floats by IEEE bits, others by canonical text."""
    array = values.to_numpy() if isinstance(values, pd.Series) else np.asarray(values)
    digest = hashlib.sha256()
    digest.update(f"n={len(array)};".encode())
    if array.dtype.kind == "f":
        digest.update(b"f8;" + np.ascontiguousarray(array, dtype="<f8").tobytes())
    elif array.dtype.kind in "iub":
        digest.update(b"i8;" + np.ascontiguousarray(array, dtype="<i8").tobytes())
    else:
        digest.update(b"obj;" + "\x1f".join(_canonical(v) for v in array).encode("utf-8"))
    return digest.hexdigest()[:16]


def _canonical(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "NA"
    if isinstance(value, tuple | list | np.ndarray):
        return "(" + ",".join(_canonical(v) for v in value) + ")"
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return repr(float(value))
    return str(value)


def table_digests(frame: pd.DataFrame) -> dict[str, str]:
    """Column name -> digest, plus ``(rows)`` for the row count and order of the index."""
    digests = {"(rows)": column_digest(np.arange(len(frame)) if frame.empty else frame.index)}
    for name in frame.columns:
        digests[str(name)] = column_digest(frame[name])
    return digests


def world_summary(county: Any, alliances: Any) -> dict[str, Any]:
    """Counts and column digests of a built county and its alliances."""
    villages = county.villages
    table = alliances.table
    counts = {
        "villages": len(villages),
        "towns": len(county.towns),
        "population": int(villages["population"].sum()) if "population" in villages else 0,
        "households": int(villages["households"].sum()) if "households" in villages else 0,
        "alliances": len(table),
        "allied_villages": int((np.asarray(alliances.membership) >= 0).sum()),
        "unplaced_villages": len(alliances.unplaced),
    }
    digests = {
        "county.villages": table_digests(villages),
        "county.towns": table_digests(county.towns),
        "alliances.table": table_digests(table),
        "alliances.unplaced": table_digests(alliances.unplaced),
    }
    return {"counts": counts, "digests": digests}


def _columnar(frame: pd.DataFrame, keys: Sequence[str]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for name in frame.columns:
        out[str(name)] = [_plain(v) for v in frame[name].tolist()]
    for key in keys:
        out[key] = [int(v) for v in out[key]]
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, bool | np.bool_):
        return int(value)
    if isinstance(value, int | np.integer):
        return int(value)
    value = float(value)
    if math.isnan(value):
        return None
    return value if math.isfinite(value) else ("inf" if value > 0 else "-inf")


def _measures(frame: pd.DataFrame) -> list[str]:
    return [
        str(c) for c in frame.columns if c not in ID_COLUMNS and (frame[c].dtype.kind in "fiub")
    ]


def summarise_tables(tables: dict[str, pd.DataFrame]) -> dict[str, dict[str, list[Any]]]:
    """The per-replicate values that are stored and compared.

    County tables are kept whole (one value per year or month and measure); the village and
    alliance tables are reduced to yearly totals of every numeric column (booleans count).
    """
    out: dict[str, dict[str, list[Any]]] = {}
    for name, keys in TABLE_KEYS.items():
        frame = tables.get(name)
        if frame is None or frame.empty:
            continue
        measures = _measures(frame)
        if name.startswith("county_"):
            part = frame[[*keys, *measures]].sort_values(list(keys))
        else:
            part = frame.groupby(list(keys), sort=True)[measures].sum().reset_index()
            part.columns = [*keys, *(f"{m}.sum" for m in measures)]
        out[name] = _columnar(part.reset_index(drop=True), keys)
    return out


# --------------------------------------------------------------------------------------
# Running the cases


def case_scenario(case: Case, extra: Sequence[str] = ()) -> Scenario:
    """Load the scenario of a case (its settings, then ``extra`` overrides)."""
    return load_scenario(case.scenario, [*case.settings(), *extra])


def run_summary(result: RunResult) -> dict[str, Any]:
    """What a reference stores of one replicate: its tables summarised, households, time."""
    return {
        "tables": summarise_tables(result.tables),
        "households": int(result.meta.get("households", 0)),
        "wall_seconds": round(result.wall_seconds, 2),
    }


def default_workers() -> int:
    """One worker per CPU available to this process."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


class RunFailedError(RuntimeError):
    """A case's run raised: the check cannot compare it."""


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
        RunFailedError: When a run raised.
    """
    from model.jointmodel import build_world

    scenarios = {case.name: case_scenario(case, extra) for case in cases}
    out: dict[str, dict[str, Any]] = {}
    for case in cases:
        scenario = scenarios[case.name]
        county, alliances = build_world(scenario)
        out[case.name] = {
            "world": world_summary(county, alliances),
            "scenario": scenario.to_dict(),
            "inputs": input_digests(scenario),
            "replicates": {},
        }
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
            if spec.key not in store.done_keys():
                raise RunFailedError(_failure_text(store, labels, spec))
            result = store.read_result(spec.key, spec.scenario, spec.replicate)
            out[labels["case"]]["replicates"][str(spec.replicate)] = run_summary(result)
    for case in cases:
        reps = out[case.name]["replicates"]
        out[case.name]["replicates"] = {str(r): reps[str(r)] for r in range(case.replicates)}
        first = reps.get("0")
        if first is not None:
            out[case.name]["world"]["counts"]["model_households"] = first["households"]
    return out, summary


@contextlib.contextmanager
def _results_folder(results: Path | None) -> Iterator[Path]:
    if results is not None:
        yield Path(results)
        return
    with tempfile.TemporaryDirectory(prefix="jointvillage-regress-") as tmp:
        yield Path(tmp) / "runs"


def _failure_text(store: ResultsStore, labels: dict[str, Any], spec: RunSpec) -> str:
    record = store.failures().get(spec.key, {})
    return (
        f"case {labels['case']} replicate {spec.replicate} failed: "
        f"{record.get('error', 'no result')}\n{record.get('traceback', '')}"
    )


def input_digests(scenario: Scenario) -> dict[str, dict[str, str]]:
    """The data files a scenario reads (fields with unit ``path`` or named ``*file``) and
    the SHA-256 of their content."""
    from model.scenario import parameter_rows

    out: dict[str, dict[str, str]] = {}
    flat = _flatten(scenario.to_dict())
    for row in parameter_rows():
        dotted = row["parameter"]
        is_file = row["unit"] == "path" or dotted.rsplit(".", 1)[-1].endswith("file")
        if not is_file or not isinstance(flat.get(dotted), str) or not flat[dotted]:
            continue
        try:
            path = scenario.resolve_data_path(dotted)
        except InputError:
            continue
        if path is not None:
            out[dotted] = {
                "path": str(flat[dotted]),
                "sha256": hashlib.sha256(path.read_bytes()).hexdigest()[:16],
            }
    return out


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


# --------------------------------------------------------------------------------------
# Comparison


@dataclass
class Record:
    """One line of the report."""

    scenario: str
    check: str
    table: str
    measure: str
    reference: Any
    now: Any
    difference: float | None
    rel_difference: float | None
    tolerance: str
    status: str
    detail: str = ""


def _diff(ref: Any, now: Any) -> tuple[float | None, float | None]:
    if not _is_number(ref) or not _is_number(now):
        return None, None
    ref_f, now_f = float(ref), float(now)
    if math.isnan(ref_f) or math.isnan(now_f):
        return None, None
    diff = now_f - ref_f
    if ref_f != 0:
        return diff, diff / abs(ref_f)
    return diff, (0.0 if diff == 0 else math.inf)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)


def _num(value: Any) -> float:
    return math.nan if value is None else float(value)


def compare_world(name: str, ref: dict[str, Any], now: dict[str, Any]) -> list[Record]:
    """Exact checks of counts and table digests."""
    records: list[Record] = []
    ref_counts, now_counts = ref.get("counts", {}), now.get("counts", {})
    for key in sorted(set(ref_counts) | set(now_counts), key=_count_order):
        r, n = ref_counts.get(key), now_counts.get(key)
        diff, rel = _diff(r, n)
        status = "ok" if r == n else "FAIL"
        detail = "" if r is not None and n is not None else "missing on one side"
        records.append(
            Record(name, "exact", "world", key, r, n, diff, rel, "exact", status, detail)
        )
    ref_dig, now_dig = ref.get("digests", {}), now.get("digests", {})
    for table in sorted(set(ref_dig) | set(now_dig)):
        r, n = ref_dig.get(table, {}), now_dig.get(table, {})
        changed = sorted(c for c in set(r) & set(n) if r[c] != n[c])
        removed = sorted(set(r) - set(n))
        added = sorted(set(n) - set(r))
        parts = []
        if changed:
            parts.append("changed: " + ", ".join(changed))
        if removed:
            parts.append("removed: " + ", ".join(removed))
        if added:
            parts.append("added: " + ", ".join(added))
        status = "FAIL" if parts else "ok"
        records.append(
            Record(
                name,
                "exact",
                "world",
                table,
                _table_digest(r),
                _table_digest(n),
                None,
                None,
                "exact",
                status,
                "; ".join(parts) if parts else f"{len(r) - 1} columns",
            )
        )
    return records


def _count_order(key: str) -> tuple[int, str]:
    order = [
        "villages",
        "towns",
        "population",
        "households",
        "model_households",
        "alliances",
        "allied_villages",
        "unplaced_villages",
    ]
    return (order.index(key) if key in order else len(order), key)


def _table_digest(digests: dict[str, str]) -> str:
    if not digests:
        return "-"
    text = ";".join(f"{k}={v}" for k, v in sorted(digests.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _frame(data: dict[str, list[Any]], keys: Sequence[str]) -> pd.DataFrame:
    frame = pd.DataFrame({k: [_num(v) for v in vals] for k, vals in data.items()})
    for key in keys:
        frame[key] = frame[key].astype("int64")
    return frame.set_index(list(keys)).sort_index()


def compare_replicates(
    name: str,
    ref_reps: dict[str, Any],
    now_reps: dict[str, Any],
    rtol: float = RTOL,
    atol: float = ATOL,
) -> list[Record]:
    """Per-replicate band checks, one record per (table, measure), worst value shown."""
    records: list[Record] = []
    tolerance = f"±{rtol:.0e} rel"
    common = sorted(set(ref_reps) & set(now_reps), key=int)
    if set(ref_reps) != set(now_reps):
        records.append(
            Record(
                name,
                "replicate",
                "-",
                "replicates",
                len(ref_reps),
                len(now_reps),
                *_diff(len(ref_reps), len(now_reps)),
                "exact",
                "FAIL",
                "replicate numbers differ",
            )
        )
    tables = sorted({t for r in common for t in (*ref_reps[r]["tables"], *now_reps[r]["tables"])})
    for table in tables:
        keys = TABLE_KEYS.get(table, ("year",))
        worst: dict[str, tuple[float, Any, Any, str]] = {}
        counts: dict[str, list[int]] = {}
        structural: dict[str, str] = {}
        for rep in common:
            ref_data = ref_reps[rep]["tables"].get(table)
            now_data = now_reps[rep]["tables"].get(table)
            if ref_data is None or now_data is None:
                structural["(table)"] = (
                    "table missing now" if now_data is None else "table not in the references"
                )
                continue
            ref_f, now_f = _frame(ref_data, keys), _frame(now_data, keys)
            if not ref_f.index.equals(now_f.index):
                structural["(rows)"] = (
                    f"{_keys_text(ref_f.index)} in the references, {_keys_text(now_f.index)} now"
                )
                continue
            for measure in ref_f.columns:
                if measure not in now_f.columns:
                    structural[measure] = "measure missing now"
                    continue
                r = ref_f[measure].to_numpy()
                n = now_f[measure].to_numpy()
                same = (r == n) | (np.isnan(r) & np.isnan(n))
                with np.errstate(invalid="ignore"):
                    excess = np.abs(n - r) / (atol + rtol * np.abs(r))
                excess = np.where(same, 0.0, np.where(np.isnan(excess), np.inf, excess))
                tally = counts.setdefault(measure, [0, 0])
                tally[0] += len(r)
                tally[1] += int((excess > 1.0).sum())
                i = int(np.argmax(excess))
                if measure not in worst or excess[i] > worst[measure][0]:
                    where = _where(ref_f.index[i], keys, rep)
                    worst[measure] = (float(excess[i]), r[i], n[i], where)
            for measure in now_f.columns:
                if measure not in ref_f.columns:
                    structural.setdefault(measure, "new measure, not in the references")
        for measure, detail in structural.items():
            is_new = detail.startswith("new measure")
            records.append(
                Record(
                    name,
                    "replicate",
                    table,
                    measure,
                    None,
                    None,
                    None,
                    None,
                    tolerance,
                    "note" if is_new else "FAIL",
                    detail,
                )
            )
        for measure, (_excess, r, n, where) in worst.items():
            total, outside = counts[measure]
            diff, rel = _diff(_nan_none(r), _nan_none(n))
            status = "FAIL" if outside else "ok"
            detail = f"{outside}/{total} outside, worst {where}" if outside else f"{total} values"
            records.append(
                Record(
                    name,
                    "replicate",
                    table,
                    measure,
                    _nan_none(r),
                    _nan_none(n),
                    diff,
                    rel,
                    tolerance,
                    status,
                    detail,
                )
            )
    return records


def _nan_none(value: Any) -> Any:
    value = float(value)
    if math.isnan(value):
        return None
    return value if math.isfinite(value) else ("inf" if value > 0 else "-inf")


def _keys_text(index: pd.Index) -> str:
    if len(index) == 0:
        return "no rows"
    return f"{len(index)} rows ({index[0]}..{index[-1]})"


def _where(key: Any, keys: Sequence[str], rep: str) -> str:
    values = key if isinstance(key, tuple) else (key,)
    when = "-".join(f"{int(v):02d}" for v in values)
    return f"{when}, replicate {rep}"


def final_values(reps: dict[str, Any], table: str = STAT_TABLE) -> dict[str, dict[int, float]]:
    """Measure -> {replicate: final-year value}."""
    out: dict[str, dict[int, float]] = {}
    for rep in sorted(reps, key=int):
        data = reps[rep]["tables"].get(table)
        if not data:
            continue
        frame = _frame(data, TABLE_KEYS[table])
        last = frame.iloc[-1]
        for measure, value in last.items():
            out.setdefault(str(measure), {})[int(rep)] = float(value)
    return out


@dataclass
class TTest:
    """Outcome of a two-sided t-test of a difference of means."""

    kind: str
    diff: float
    se: float
    df: float
    p: float


def welch(ref: Sequence[float], now: Sequence[float]) -> TTest:
    """Welch's unequal-variance t-test of ``mean(now) - mean(ref)``."""
    a = np.asarray(ref, dtype=float)
    b = np.asarray(now, dtype=float)
    diff = float(b.mean() - a.mean())
    va = float(a.var(ddof=1)) / len(a) if len(a) > 1 else 0.0
    vb = float(b.var(ddof=1)) / len(b) if len(b) > 1 else 0.0
    se2 = va + vb
    if not se2 > 0 or not math.isfinite(se2):
        return TTest("Welch", diff, 0.0, math.inf, 1.0 if diff == 0 else 0.0)
    denominator = (va**2 / (len(a) - 1) if len(a) > 1 else 0.0) + (
        vb**2 / (len(b) - 1) if len(b) > 1 else 0.0
    )
    df = se2**2 / denominator if denominator > 0 else math.inf
    return TTest("Welch", diff, math.sqrt(se2), df, _p_value(diff / math.sqrt(se2), df))


def paired(ref: Sequence[float], now: Sequence[float]) -> TTest:
    """Paired t-test of the replicate-by-replicate differences ``now - ref``."""
    d = np.asarray(now, dtype=float) - np.asarray(ref, dtype=float)
    diff = float(d.mean())
    se = float(d.std(ddof=1)) / math.sqrt(len(d)) if len(d) > 1 else 0.0
    if not se > 0 or not math.isfinite(se):
        return TTest("paired", diff, 0.0, math.inf, 1.0 if diff == 0 else 0.0)
    df = float(len(d) - 1)
    return TTest("paired", diff, se, df, _p_value(diff / se, df))


def _p_value(t: float, df: float) -> float:
    from scipy import stats

    return float(2 * stats.t.sf(abs(t), df))


def t_critical(alpha: float, df: float) -> float:
    """Two-sided critical value of Student's t."""
    from scipy import stats

    if not math.isfinite(df):
        return float(stats.norm.isf(alpha / 2))
    return float(stats.t.isf(alpha / 2, df))


def compare_statistics(
    name: str,
    ref_reps: dict[str, Any],
    now_reps: dict[str, Any],
    alpha_per_test: float,
    stat_rtol: float = STAT_RTOL,
    stat_atol: float = STAT_ATOL,
) -> list[Record]:
    """Across-replicate checks of the final-year county measures.

    The decision uses the paired t-test on replicates present on both sides (replicate
    ``r`` shares its random streams with the reference's replicate ``r``: common random
    numbers), or Welch's test when the replicate numbers differ; the Welch p-value is
    always shown too (the shift measured against the spread between replicates).
    """
    records: list[Record] = []
    ref_vals = final_values(ref_reps)
    now_vals = final_values(now_reps)
    for measure, ref_by_rep in ref_vals.items():
        now_by_rep = now_vals.get(measure)
        if now_by_rep is None:
            continue  # reported by the per-replicate checks
        r = [v for v in ref_by_rep.values() if not math.isnan(v)]
        n = [v for v in now_by_rep.values() if not math.isnan(v)]
        nan_pattern_same = {k for k, v in ref_by_rep.items() if math.isnan(v)} == {
            k for k, v in now_by_rep.items() if math.isnan(v)
        }
        if not r or not n or (set(ref_by_rep) == set(now_by_rep) and not nan_pattern_same):
            same = not r and not n
            records.append(
                Record(
                    name,
                    "across",
                    STAT_TABLE,
                    measure,
                    float(np.mean(r)) if r else None,
                    float(np.mean(n)) if n else None,
                    None,
                    None,
                    "-",
                    "ok" if same else "FAIL",
                    "no value (NaN)" if same else "NaN in different replicates",
                )
            )
            continue
        unpaired = welch(r, n)
        if set(ref_by_rep) == set(now_by_rep) and len(r) > 1:
            common = [k for k in ref_by_rep if not math.isnan(ref_by_rep[k])]
            test = paired([ref_by_rep[k] for k in common], [now_by_rep[k] for k in common])
        else:
            test = unpaired
        ref_mean, now_mean = float(np.mean(r)), float(np.mean(n))
        floor = stat_atol + stat_rtol * abs(ref_mean)
        limit = max(floor, t_critical(alpha_per_test, test.df) * test.se)
        moved = abs(test.diff) > limit
        diff, rel = _diff(ref_mean, now_mean)
        spread = float(np.std(r, ddof=1)) if len(r) > 1 else 0.0
        if test.se > 0:
            detail = f"{test.kind} p={test.p:.2g}"
            if test is not unpaired:
                detail += f", Welch p={unpaired.p:.2g}"
        elif diff == 0:
            detail = "identical"
        else:
            detail = f"{test.kind}: same shift in every replicate"
        detail += f"; sd {_fmt(spread)}, n={len(r)}/{len(n)}"
        records.append(
            Record(
                name,
                "across",
                STAT_TABLE,
                measure,
                ref_mean,
                now_mean,
                diff,
                rel,
                f"±{limit:.3g}",
                "FAIL" if moved else "ok",
                detail,
            )
        )
    return records


def input_notes(name: str, ref: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """Scenario parameters and data files that differ from the references."""
    notes = []
    ref_flat = _flatten(ref.get("scenario", {}))
    now_flat = _flatten(now.get("scenario", {}))
    for key in sorted(set(ref_flat) | set(now_flat)):
        if key in ("name", "description"):
            continue
        if ref_flat.get(key, "<absent>") != now_flat.get(key, "<absent>"):
            notes.append(
                f"{name}: parameter {key}: {ref_flat.get(key, '<absent>')!r} in the references, "
                f"{now_flat.get(key, '<absent>')!r} now"
            )
    ref_in, now_in = ref.get("inputs", {}), now.get("inputs", {})
    for key in sorted(set(ref_in) & set(now_in)):
        if ref_in[key].get("sha256") != now_in[key].get("sha256"):
            notes.append(
                f"{name}: data file {key} ({now_in[key].get('path')}) has different content"
            )
    return notes


@dataclass
class Report:
    """The outcome of a check (or of the comparison made by an update)."""

    records: list[Record]
    level: str = "strict"
    notes: list[str] = field(default_factory=list)
    cases: list[str] = field(default_factory=list)
    seconds: float = 0.0
    updated: bool = False

    @property
    def failures(self) -> list[Record]:
        """Records that fail the run."""
        return [r for r in self.records if r.status == "FAIL"]

    @property
    def moved(self) -> list[Record]:
        """Records outside their tolerance, whether or not they fail the run."""
        return [r for r in self.records if r.status in ("FAIL", "moved")]

    @property
    def passed(self) -> bool:
        """True when nothing fails."""
        return not self.failures

    def moved_measures(self) -> dict[str, list[str]]:
        """Case -> names of the measures (or world tables) that moved, in report order."""
        out: dict[str, list[str]] = {}
        for record in self.moved:
            label = _short_measure(record)
            names = out.setdefault(record.scenario, [])
            if label not in names:
                names.append(label)
        return out

    def summary(self) -> str:
        """One summary line."""
        by_check: dict[str, int] = {}
        for record in self.records:
            by_check[record.check] = by_check.get(record.check, 0) + 1
        checks = ", ".join(f"{n} {SUMMARY_LABELS.get(c, c)}" for c, n in by_check.items())
        head = f"{len(self.cases)} case(s) [{', '.join(self.cases)}]"
        if checks:
            head += f", {checks} checks"
        if self.updated:
            moved = self.moved_measures()
            text = "; ".join(f"{c}: {', '.join(m)}" for c, m in moved.items())
            return f"regress: UPDATED — {head}" + (f"; moved: {text}" if moved else "")
        if self.passed:
            extra = (
                f" ({len(self.moved)} moved, within the {self.level} level)" if self.moved else ""
            )
            return f"regress: PASS — {head}, level {self.level}{extra}, {self.seconds:.0f} s"
        moved = self.moved_measures()
        n = sum(len(m) for m in moved.values())
        text = "; ".join(f"{c} ({len(m)}): {', '.join(m)}" for c, m in moved.items())
        return f"regress: FAIL — {n} measure(s) moved in {len(moved)} case(s): {text}"

    def to_json(self) -> dict[str, Any]:
        """The report as plain data (``--json``)."""
        return {
            "status": "updated" if self.updated else ("pass" if self.passed else "fail"),
            "level": self.level,
            "cases": self.cases,
            "seconds": round(self.seconds, 2),
            "summary": self.summary(),
            "moved": self.moved_measures(),
            "notes": self.notes,
            "records": [{k: _json_number(v) for k, v in asdict(r).items()} for r in self.records],
        }


def _short_measure(record: Record) -> str:
    measure = record.measure
    if record.table in ("world", STAT_TABLE, "-"):
        return measure
    return f"{record.table}.{measure}"


def _json_number(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def compare_case(
    name: str,
    ref: dict[str, Any],
    now: dict[str, Any],
    alpha_per_test: float,
) -> list[Record]:
    """Every check of one case."""
    return [
        *compare_world(name, ref["world"], now["world"]),
        *compare_replicates(name, ref["replicates"], now["replicates"]),
        *compare_statistics(name, ref["replicates"], now["replicates"], alpha_per_test),
    ]


def compare_all(
    refs: dict[str, dict[str, Any]], nows: dict[str, dict[str, Any]], level: str = "strict"
) -> Report:
    """Compare every case present in both and apply the level."""
    names = [n for n in nows if n in refs]
    n_tests = sum(len(final_values(refs[n]["replicates"])) for n in names)
    alpha_per_test = ALPHA / max(1, n_tests)
    records: list[Record] = []
    notes: list[str] = []
    for name in names:
        records += compare_case(name, refs[name], nows[name], alpha_per_test)
        notes += input_notes(name, refs[name], nows[name])
    if level == "statistical":
        for record in records:
            if record.status == "FAIL" and record.check != "across":
                record.status = "moved"
    report = Report(records, level=level, notes=notes, cases=names)
    replicate_moved = any(r.check != "across" and r.status in ("FAIL", "moved") for r in records)
    stat_moved = any(r.check == "across" and r.status == "FAIL" for r in records)
    if replicate_moved and not stat_moved:
        report.notes.append(
            "values moved in single replicates, but no final-year mean moved beyond replicate "
            "noise (as after a change in how random numbers are drawn, or on another "
            "platform); '--level statistical' judges by the distribution only"
        )
    return report


# --------------------------------------------------------------------------------------
# Reference folders


def _platform() -> dict[str, str]:
    import mesa
    import scipy

    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "scipy": scipy.__version__,
        "mesa": mesa.__version__,
        "machine": platform.machine(),
        "system": platform.system(),
    }


def now_text() -> str:
    """Current UTC time, ISO 8601 to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _bad(path: Path, what: str) -> InputError:
    return InputError(
        str(path),
        allowed=f"{what}; expected a reference folder with {MANIFEST} and one <case>.json per "
        "case, as written by 'jointvillage regress --reference DIR --update --reason TEXT'",
    )


def _read_json(path: Path, what: str) -> dict[str, Any]:
    if not path.is_file():
        raise _bad(path, f"{what} not found")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise _bad(path, f"{what} cannot be read ({err})") from None
    except json.JSONDecodeError as err:
        raise _bad(path, f"{what} is not valid JSON (line {err.lineno}: {err.msg})") from None
    if not isinstance(data, dict):
        raise _bad(path, f"{what} is not a JSON object")
    return data


def read_manifest(folder: Path) -> dict[str, Any]:
    """Read and check a reference folder's manifest."""
    if not folder.is_dir():
        raise _bad(folder, "reference folder not found")
    path = folder / MANIFEST
    manifest = _read_json(path, MANIFEST)
    if manifest.get("format_version") != FORMAT_VERSION:
        raise _bad(
            path,
            f"format_version {manifest.get('format_version')!r} is not {FORMAT_VERSION}",
        )
    cases = manifest.get("cases")
    if not isinstance(cases, list) or not cases:
        raise _bad(path, "no 'cases' list")
    try:
        manifest["cases"] = [Case.from_dict(c) for c in cases]
    except (KeyError, TypeError, ValueError) as err:
        raise _bad(path, f"a case entry is malformed ({err})") from None
    return manifest


def read_case(folder: Path, case: Case) -> dict[str, Any]:
    """Read and check one case's reference file."""
    path = folder / f"{case.name}.json"
    data = _read_json(path, f"reference of case '{case.name}'")
    try:
        world = data["world"]
        assert isinstance(world["counts"], dict) and isinstance(world["digests"], dict)
        reps = data["replicates"]
        assert isinstance(reps, dict) and reps
        for rep, value in reps.items():
            int(rep)
            for table, columns in value["tables"].items():
                keys = TABLE_KEYS.get(table, ("year",))
                assert all(k in columns for k in keys)
                assert len({len(v) for v in columns.values()}) == 1
    except (KeyError, TypeError, ValueError, AssertionError):
        raise _bad(path, "the file does not have the expected structure") from None
    return data


def _dump(data: Any, indent: int = 0) -> str:
    """JSON with nested objects indented and lists of numbers on one line (small diffs)."""
    pad = " " * indent
    if isinstance(data, dict):
        if not data:
            return "{}"
        items = [
            f"{pad} {json.dumps(str(k), ensure_ascii=False)}: {_dump(v, indent + 1)}"
            for k, v in data.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(data, list) and any(isinstance(v, dict | list) for v in data):
        items = [f"{pad} {_dump(v, indent + 1)}" for v in data]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(data, ensure_ascii=False, allow_nan=False)


def write_references(
    folder: Path,
    cases: Sequence[Case],
    results: dict[str, dict[str, Any]],
    reason: str,
    previous: dict[str, Any] | None,
    moved: dict[str, list[str]],
) -> Path:
    """Write the cases' files and the manifest (which keeps the other cases of
    ``previous`` and appends to its history)."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = now_text()
    names = {c.name for c in cases}
    kept = [c for c in previous["cases"] if c.name not in names] if previous else []
    for case in cases:
        payload = {
            "case": case.to_dict(),
            "written": stamp,
            **results[case.name],
        }
        atomic_write(folder / f"{case.name}.json", _dump(payload) + "\n")
    history = list(previous.get("history", [])) if previous else []
    history.append(
        {
            "date": stamp,
            "reason": reason,
            "cases": [c.name for c in cases],
            "model_version": model.__version__,
            "moved": moved,
        }
    )
    manifest = {
        "format_version": FORMAT_VERSION,
        "tool": "jointvillage regress",
        "model_version": model.__version__,
        "updated": stamp,
        "reason": reason,
        "platform": _platform(),
        "tolerances": {
            "replicate_rtol": RTOL,
            "replicate_atol": ATOL,
            "alpha_familywise": ALPHA,
            "stat_rtol": STAT_RTOL,
            "stat_atol": STAT_ATOL,
        },
        "cases": [c.to_dict() for c in [*kept, *cases]],
        "history": history,
    }
    path = folder / MANIFEST
    atomic_write(path, _dump(manifest) + "\n")
    return path


# --------------------------------------------------------------------------------------
# Entry points


def select_cases(
    available: Sequence[Case], names: Sequence[str], quick: bool, source: str
) -> list[Case]:
    """Pick cases by name (``--scenarios``) and/or the quick flag."""
    chosen = list(available)
    if names:
        known = {c.name: c for c in available}
        missing = [n for n in names if n not in known]
        if missing:
            raise InputError(
                "--scenarios",
                "scenarios",
                ", ".join(missing),
                f"not a case of {source}; cases: {', '.join(known)}",
            )
        chosen = [known[n] for n in dict.fromkeys(names)]
    if quick:
        chosen = [c for c in chosen if c.quick]
        if not chosen:
            raise InputError("--quick", allowed=f"no quick case among the selection in {source}")
    return chosen


def split_names(values: Sequence[str] | None) -> list[str]:
    """``--scenarios a,b --scenarios c`` -> ``[a, b, c]``."""
    out: list[str] = []
    for value in values or []:
        out += [part.strip() for part in value.split(",") if part.strip()]
    return out


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
    here = _platform()
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
                f"case '{case.name}' is defined differently in model/regress.py now "
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
    start = time.perf_counter()
    previous = None
    notes: list[str] = []
    if (folder / MANIFEST).is_file():
        try:
            previous = read_manifest(folder)
        except InputError as err:
            notes.append(f"unreadable manifest rewritten from scratch ({err.message})")
    stored = {c.name: c for c in previous["cases"]} if previous else {}
    cases = [
        replace(
            c,
            years=years if years is not None else c.years,
            replicates=replicates if replicates is not None else c.replicates,
            overrides=(*c.overrides, *extra),
        )
        for c in _update_cases(names, quick, stored)
    ]
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


def _check_new_case_name(
    case: str, path: str, canonical: dict[str, Case], stored: dict[str, Case]
) -> None:
    """A new case is named after its scenario; the name must be a usable, free file name."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", case):
        raise InputError(
            path, "name", case, "a case name of letters, digits, '_', '.', '-' (file name)"
        )
    taken = canonical.get(case) or stored.get(case)
    if taken is not None and taken.scenario != path:
        raise InputError(
            path,
            "name",
            case,
            f"a case '{case}' already exists (scenario {taken.scenario}); give the scenario "
            "another name",
        )


def _update_cases(names: Sequence[str], quick: bool, stored: dict[str, Case]) -> list[Case]:
    canonical = {c.name: c for c in CANONICAL}
    if not names:
        names = list(stored) if stored else list(canonical)
    cases = []
    for name in dict.fromkeys(names):
        if name in canonical:
            cases.append(canonical[name])
        elif name in stored:
            cases.append(stored[name])
        else:
            scenario = load_scenario(name)
            _check_new_case_name(scenario.name, name, canonical, stored)
            cases.append(
                Case(
                    name=scenario.name,
                    scenario=name,
                    years=DEFAULT_YEARS,
                    replicates=DEFAULT_REPLICATES,
                    seed=scenario.seed,
                )
            )
    if quick:
        cases = [c for c in cases if c.quick]
        if not cases:
            raise InputError("--quick", allowed="no quick case among the selection")
    if len({c.name for c in cases}) != len(cases):
        raise InputError(
            "--scenarios", "scenarios", list(names), "case (scenario) names must be unique"
        )
    return cases


# --------------------------------------------------------------------------------------
# Printing


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.6g}" if abs(value) >= 1e-3 else f"{value:.4g}"


def _fmt_diff(value: float | None) -> str:
    if value is None:
        return "—"
    if value == 0:
        return "0"
    return f"{value:+.4g}"


def _fmt_rel(value: float | None) -> str:
    if value is None:
        return "—"
    if value == 0:
        return "0"
    if math.isinf(value):
        return "∞"
    if abs(value) >= 1e-4:
        return f"{value:+.3%}"
    return f"{value:+.1e}"


def print_report(report: Report, show_all: bool = False, file: Any = None) -> None:
    """Print the report as a rich table and a summary line.

    Shown: every record that is not ok, and the across-replicate records (the headline
    numbers: all of them when nothing moved, else those of the county measures that moved);
    ``show_all`` shows every record.
    """
    from rich.console import Console
    from rich.table import Table

    out = file or sys.stdout
    console = Console(file=out, width=None if out.isatty() else 220, highlight=False)
    for note in report.notes:
        console.print(f"note: {note}", markup=False, soft_wrap=True)
    moved = {(r.scenario, r.measure) for r in report.moved if r.table == STAT_TABLE}

    def shown(r: Record) -> bool:
        if show_all or r.status != "ok":
            return True
        return r.check == "across" and (not moved or (r.scenario, r.measure) in moved)

    rows = [r for r in report.records if shown(r)]
    order = {"FAIL": 0, "moved": 1, "note": 2, "ok": 3}
    rows.sort(key=lambda r: (report.cases.index(r.scenario), order.get(r.status, 9)))
    table = Table(title="jointvillage regress", show_lines=False, title_justify="left")
    for name, justify in (
        ("scenario", "left"),
        ("table", "left"),
        ("measure", "left"),
        ("reference", "right"),
        ("now", "right"),
        ("difference", "right"),
        ("rel. diff", "right"),
        ("check", "left"),
        ("tolerance", "right"),
        ("status", "left"),
        ("detail", "left"),
    ):
        table.add_column(name, justify=justify, overflow="fold", no_wrap=name == "measure")
    styles = {"FAIL": "bold red", "moved": "yellow", "note": "cyan", "ok": "green"}
    for r in rows:
        table.add_row(
            r.scenario,
            r.table,
            r.measure,
            _fmt(r.reference),
            _fmt(r.now),
            _fmt_diff(r.difference),
            _fmt_rel(r.rel_difference),
            CHECK_LABELS.get(r.check, r.check),
            r.tolerance,
            f"[{styles.get(r.status, '')}]{r.status}[/]",
            r.detail,
        )
    if rows:
        console.print(table)
    hidden = len(report.records) - len(rows)
    if hidden:
        console.print(f"({hidden} more checks ok; --all shows them)", highlight=False)
    style = "bold green" if report.passed else "bold red"
    console.print(report.summary(), style=style, markup=False, soft_wrap=True)


def report_json(report: Report) -> str:
    """The report as JSON text."""
    return json.dumps(report.to_json(), indent=1, ensure_ascii=False)
