"""The results store: one Parquet file per run and table, written atomically, plus a manifest.

Every execution (a batch, a comparison, the regression check, the validation report)
stores its runs in such a folder, under their run keys.

Layout of a results folder ``OUT`` (format version 3)::

    OUT/manifest.json                 format marker, experiment, model version, run counts,
                                      code fingerprint and environment
    OUT/plan.parquet                  every planned run: key, scenario, variant, replicate,
                                      seed, param:<field> (and design:<field> for SALib)
    OUT/runs/ab/<key>.parquet         county_yearly of one run (key starts with "ab")
    OUT/tables/<table>/ab/<key>.parquet   other kept tables of that run
    OUT/checks/ab/<key>.json          size and sha256 of each file of that run
                                      (:mod:`model.experiments.integrity`)
    OUT/failed/<key>.json             a run that raised: error, traceback, scenario, replicate
    OUT/corrupt/                      files set aside by ``--verify``
    OUT/.lock                         held while an execution writes into the folder

**A table is a Parquet dataset**: ``OUT/runs`` and each ``OUT/tables/<table>`` are read in
one call (``pd.read_parquet("OUT/runs")``, DuckDB ``'OUT/runs/**/*.parquet'``, polars), the
run's identity columns and the units included (:mod:`model.experiments.run_files`). Folders
of layouts 1 and 2 are read through the plan and upgraded in place when a batch continues
them, and runs whose labels a new plan changes are relabelled
(:mod:`model.experiments.execute`).

The run key is a hash of the resolved scenario, the replicate and the model version
(:func:`run_key`), so a run is stored under one name only: writing it twice replaces the file
with identical content, and the set of files is the set of runs done. Runs are stored in
groups (in process the runs of about a second, on Dask a task's runs;
:meth:`ResultsStore.write_runs`): every file of the group is written to a temporary name in
its folder and flushed to disk, and only then renamed into place (``os.replace``, atomic on
POSIX; :func:`model.atomic.atomic_write_all`), the ``county_yearly`` files last, which mark
the runs as done. So neither a crash, nor Ctrl-C, nor a power cut leaves a half-written run
under its final name, and every run marked done has all its files. A power cut may undo the
renames of the last seconds (the file system's commit interval): those runs then run again.
The manifest's run counts are rewritten (atomically) after each group, so a killed batch
loses at most the group being stored and the one under way
(:mod:`model.experiments.storing`), and its manifest says how many runs are stored and failed.

A corrupt file (short of disk faults or manual editing, atomic writes rule it out) is an
:class:`~model.errors.InputError` naming it. On resume, :meth:`ResultsStore.check_runs`
compares every stored file's size with the one written (cheap) and ``--verify`` also its
checksum (only that catches corruption that keeps the size); a bad run's files are moved
to ``corrupt/`` and the run is done again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd

import model
from model.atomic import atomic_write, atomic_write_all, atomic_write_parquet
from model.errors import InputError
from model.experiments.folder import (
    FORMAT_VERSION,
    MANIFEST,
    folder_lock,
    read_json,
    read_manifest,
)
from model.experiments.integrity import (
    MANIFEST_ENTRY,
    SIDECARS,
    check_runs,
    fingerprint,
    sidecar_path,
    sidecar_text,
)
from model.experiments.provenance import now
from model.experiments.run_files import (
    FORMAT,
    DamagedFileError,
    encode_table,
    read_meta,
    read_table,
    run_columns,
)

PLAN = "plan.parquet"
LOCK = ".lock"
#: The table every run stores, in ``runs/`` (its file marks the run as done); the other
#: tables live in ``tables/<name>/``.
COUNTY_YEARLY = "county_yearly"
#: Hex digits of the sha256 kept in a run key (80 bits: no collision in any real batch).
KEY_LENGTH = 20


def run_key(scenario: dict[str, Any], replicate: int, version: str | None = None) -> str:
    """The key of one run: a hash of the resolved scenario, the replicate and the model version.

    The scenario's free-text ``description`` is left out, so editing a comment does not make
    every run look new; everything that can change a number is in.

    Args:
        scenario: The resolved scenario as plain data (``Scenario.to_dict()``).
        replicate: Replicate number.
        version: Model version; defaults to ``model.__version__``.

    Returns:
        A hex string of :data:`KEY_LENGTH` characters.
    """
    data = {k: v for k, v in scenario.items() if k != "description"}
    payload = {
        "scenario": data,
        "replicate": int(replicate),
        "version": version or model.__version__,
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()[:KEY_LENGTH]


class RunFailedError(RuntimeError):
    """A planned run has no stored result: it raised (its failure record says why)."""


class ResultsStore:
    """A results folder (see the module docstring for its layout).

    Use :meth:`create` to start or continue a batch and :meth:`open` to read results.

    Attributes:
        root: The folder.
        manifest: The parsed ``manifest.json``.
        durable: Flush every file to disk before renaming it (a power cut then cannot leave
            an empty file under a final name); off only for benchmarks of the store itself.
    """

    def __init__(self, root: Path, manifest: dict[str, Any], durable: bool = True) -> None:
        self.root = Path(root)
        self.manifest = manifest
        self.durable = durable

    # ---------------------------------------------------------------- opening

    @classmethod
    def open(cls, root: str | Path) -> ResultsStore:
        """Open an existing results folder for reading.

        Raises:
            InputError: When the folder does not exist, is not a results folder (no or a
                foreign manifest), or was written by a newer format.
        """
        root = Path(root)
        if not root.is_dir():
            raise InputError(str(root), allowed="results folder not found")
        return cls(root, read_manifest(root))

    @classmethod
    def create(
        cls, root: str | Path, experiment: dict[str, Any], durable: bool = True
    ) -> ResultsStore:
        """Start a results folder, or continue one written by the same experiment.

        Args:
            root: The folder; created if missing. An existing non-empty folder must be a
                results folder of an experiment with the same name.
            experiment: Manifest fields describing the experiment (``name``, ``source``,
                ``kind``, ``spec`` ...).
            durable: See the class attributes.

        Raises:
            InputError: For a foreign or corrupt folder, or one of another experiment.
        """
        root = Path(root)
        if root.exists() and not root.is_dir():
            raise InputError(str(root), allowed="results folder path exists and is a file")
        if root.is_dir() and any(root.iterdir()):
            manifest = read_manifest(root)
            stored = manifest.get("experiment", {}).get("name")
            if stored != experiment.get("name"):
                raise InputError(
                    str(root),
                    field="experiment",
                    value=experiment.get("name"),
                    allowed=f"this folder holds the results of experiment '{stored}'",
                    hint="use another --out folder, or delete this one to start afresh",
                )
            manifest["experiment"] = experiment
            store = cls(root, manifest, durable)
        else:
            root.mkdir(parents=True, exist_ok=True)
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "created": now(),
                "experiment": experiment,
            }
            store = cls(root, manifest, durable)
        store.manifest["model_version"] = model.__version__
        # A folder of an older layout keeps its version until the executor has upgraded its
        # runs (sidecars for layout 1, identity columns for layout 2): see
        # model.experiments.execute.
        store.manifest["integrity"] = MANIFEST_ENTRY
        store.manifest["updated"] = now()
        if not (root / MANIFEST).exists():
            # Mark a new folder as ours at once; an existing one is rewritten by the batch
            # once it holds the lock.
            store.write_manifest()
        return store

    # ---------------------------------------------------------------- paths

    def run_path(self, key: str, table: str = COUNTY_YEARLY) -> Path:
        """Where a run's table lives (``county_yearly`` in ``runs/``, others in ``tables/``)."""
        if table == COUNTY_YEARLY:
            return self.root / "runs" / key[:2] / f"{key}.parquet"
        return self.root / "tables" / table / key[:2] / f"{key}.parquet"

    def failed_path(self, key: str) -> Path:
        """Where a failed run's record lives."""
        return self.root / "failed" / f"{key}.json"

    # ---------------------------------------------------------------- manifest and plan

    def write_manifest(self) -> None:
        """Write ``manifest.json`` atomically."""
        text = json.dumps(self.manifest, indent=2, sort_keys=True, default=str)
        atomic_write(self.root / MANIFEST, text, durable=self.durable)

    def write_counts(self, planned: int, done: int, failed: int) -> None:
        """Record the run counts in the manifest (after every stored group, so a kill keeps
        them)."""
        self.manifest["runs"] = {"planned": planned, "done": done, "failed": failed}
        self.manifest["updated"] = now()
        self.write_manifest()

    def write_plan(self, plan: pd.DataFrame) -> None:
        """Store the planned runs (one row per run key)."""
        atomic_write_parquet(plan, self.root / PLAN, durable=self.durable)

    def plan(self) -> pd.DataFrame:
        """The planned runs of the last batch written into this folder."""
        path = self.root / PLAN
        if not path.is_file():
            raise InputError(
                str(path), allowed="missing: this results folder has no plan (no batch ran)"
            )
        try:
            return pd.read_parquet(path)
        except Exception as err:  # any read failure means a damaged file
            raise InputError(str(path), allowed=f"corrupt plan file ({err})") from None

    # ---------------------------------------------------------------- runs

    def done_keys(self) -> set[str]:
        """Keys of every run stored (whether or not in the current plan)."""
        keys: set[str] = set()
        runs = self.root / "runs"
        if not runs.is_dir():
            return keys
        for shard in os.scandir(runs):
            if shard.is_dir():
                for entry in os.scandir(shard.path):
                    if entry.name.endswith(".parquet") and not entry.name.startswith("."):
                        keys.add(entry.name[: -len(".parquet")])
        return keys

    def failures(self) -> dict[str, dict[str, Any]]:
        """Failure records by run key."""
        folder = self.root / "failed"
        records: dict[str, dict[str, Any]] = {}
        if not folder.is_dir():
            return records
        for path in folder.glob("*.json"):
            try:
                records[path.stem] = json.loads(path.read_text("utf-8"))
            except (OSError, ValueError) as err:
                raise InputError(str(path), allowed=f"corrupt failure record ({err})") from None
        return records

    def write_run(
        self,
        key: str,
        tables: dict[str, pd.DataFrame | bytes],
        meta: dict[str, Any] | None = None,
    ) -> None:
        """Store one finished run.

        Args:
            key: The run key.
            tables: Table name -> rows, or -> Parquet bytes already made by
                :func:`encode_run` (on a worker, so that the driver only writes files);
                must include ``county_yearly``.
            meta: Identity and summary kept in the frames' Parquet metadata (a file names its run).
        """
        self.write_runs([(key, tables, meta)])

    def write_runs(
        self, runs: Sequence[tuple[str, dict[str, pd.DataFrame | bytes], dict[str, Any] | None]]
    ) -> None:
        """Store several finished runs at once (a Dask task's), ``(key, tables, meta)`` each
        as in :meth:`write_run`: every file written and flushed before the first rename
        (:func:`~model.atomic.atomic_write_all`), the sidecars first and the
        ``county_yearly`` files (the "done" marks) last, so a run marked done has all its
        files and fingerprints."""
        sidecars: list[tuple[Path, bytes | str]] = []
        others: list[tuple[Path, bytes | str]] = []
        done_marks: list[tuple[Path, bytes | str]] = []
        for key, tables, meta in runs:
            full = {"key": key, "format": FORMAT, **(meta or {})}
            encoded = {
                name: value if isinstance(value, bytes) else encode_table(value, full, table=name)
                for name, value in tables.items()
            }
            prints = {name: fingerprint(data) for name, data in encoded.items()}
            sidecars.append((sidecar_path(self.root, key), sidecar_text(key, prints)))
            for name, data in encoded.items():
                target = done_marks if name == COUNTY_YEARLY else others
                target.append((self.run_path(key, name), data))
        atomic_write_all([*sidecars, *others, *done_marks], durable=self.durable)
        for key, _, _ in runs:
            with contextlib.suppress(FileNotFoundError):
                self.failed_path(key).unlink()

    def write_failure(self, key: str, record: dict[str, Any]) -> None:
        """Record a run that raised (the batch goes on)."""
        text = json.dumps({"key": key, **record}, indent=2, default=str)
        atomic_write(self.failed_path(key), text, durable=self.durable)

    def read_meta(self, key: str, table: str = COUNTY_YEARLY) -> dict[str, Any]:
        """The metadata stored with a run's table (scenario, replicate, final, wall time ...)."""
        path = self.run_path(key, table)
        try:
            return read_meta(path)
        except DamagedFileError as err:
            raise self._corrupt(path, err) from None

    def read_run(self, key: str) -> dict[str, pd.DataFrame]:
        """Every stored table of one run, as the run returned it (without the identity columns
        the store added)."""
        names = [COUNTY_YEARLY, *sorted(p.parent.parent.name for p in self.other_files(key))]
        return {
            name: run_columns(self.load(name, [key]), self.read_meta(key, name)) for name in names
        }

    def read_result(self, key: str, scenario: Any, replicate: int) -> Any:
        """A stored run as the :class:`~model.runner.RunResult` the run returned.

        Args:
            key: The run key.
            scenario: The run's scenario (a file holds its data, not the object).
            replicate: Its replicate number.

        Raises:
            RunFailedError: When the run is not stored (it failed, or never ran).
        """
        from model.runner import RunResult

        if not self.run_path(key).is_file():
            record = read_json(self.failed_path(key))
            raise RunFailedError(
                f"{scenario.name} replicate {replicate} has no result in {self.root}: "
                f"{record.get('error', 'not run')}\n{record.get('traceback', '')}".rstrip()
            )
        meta = self.read_meta(key)
        return RunResult(
            scenario=scenario,
            replicate=replicate,
            tables=self.read_run(key),
            final=meta.get("final", {}),
            wall_seconds=float(meta.get("wall_seconds") or 0.0),
            meta=meta.get("meta", {}),
        )

    def load(self, table: str = COUNTY_YEARLY, keys: Iterable[str] | None = None) -> pd.DataFrame:
        """Read stored runs into one DataFrame.

        Args:
            table: Which table.
            keys: Run keys to read; default: every run of the plan that is stored.

        Returns:
            The rows of all those runs (empty if none).

        Raises:
            InputError: When a file is not readable or is not the run its name says.
        """
        import pyarrow as pa

        if keys is None:
            done = self.done_keys()
            keys = list(dict.fromkeys(k for k in self.plan()["run_key"] if k in done))
        paths = [self.run_path(k, table) for k in keys]
        paths = [p for p in paths if table == COUNTY_YEARLY or p.is_file()]

        def read(path: Path) -> Any:
            try:
                return read_table(path)
            except DamagedFileError as err:
                raise self._corrupt(path, err) from None

        if len(paths) == 1:
            return read(paths[0]).to_pandas()
        # Reading is I/O and Parquet decoding, which release the GIL: threads help.
        with ThreadPoolExecutor(max_workers=min(8, (os.cpu_count() or 1) * 2)) as pool:
            parts = list(pool.map(read, paths))
        if not parts:
            return pd.DataFrame()
        return pa.concat_tables(parts, promote_options="default").to_pandas()

    def _corrupt(self, path: Path, err: object) -> InputError:
        return InputError(
            str(path),
            allowed=f"corrupt results file ({err})",
            hint="run `jointvillage batch EXPERIMENT --out "
            f"{self.root} --verify` to set it aside and run it again",
        )

    def verify(self) -> list[str]:
        """Check every stored file's size and checksum (``--verify``); see :meth:`check_runs`."""
        return self.check_runs(checksum=True)

    def check_runs(self, checksum: bool = False) -> list[str]:
        """Set aside the runs whose files are not as written, so they re-run (sizes always,
        checksums when ``checksum``: see :func:`model.experiments.integrity.check_runs`)."""
        return check_runs(self, checksum)

    def other_files(self, key: str) -> list[Path]:
        """A run's stored files other than ``county_yearly``."""
        return list(self.root.glob(f"tables/*/{key[:2]}/{key}.parquet"))

    def remove_runs(self) -> None:
        """Delete every stored run and failure record (the manifest and plan stay)."""
        for folder in ("runs", "tables", SIDECARS, "failed"):
            shutil.rmtree(self.root / folder, ignore_errors=True)

    def clean_temporary(self) -> int:
        """Delete temporary files left by an interrupted batch; returns how many."""
        count = 0
        for path in self.root.rglob(".*.tmp"):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                count += 1
        return count

    def lock(self) -> contextlib.AbstractContextManager[None]:
        """The folder's lock, held while an execution writes into it (see
        :func:`model.experiments.folder.folder_lock`)."""
        return folder_lock(self.root / LOCK, self.root)
