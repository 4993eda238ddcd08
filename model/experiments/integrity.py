"""Run-file integrity: each run's file sizes and sha256 checksums, checked on resume.

Atomic writes rule out half-written files, but not a file truncated, emptied or overwritten
afterwards (a full disk while copying a folder, a faulty disk, manual editing). So every
run's files are fingerprinted when they are written: a small JSON *sidecar*,
``checks/ab/<key>.json``, holds the size and sha256 of each of the run's files, keyed by
table name. The sidecar is written before the run's ``county_yearly`` file (the "done"
mark), so a stored run always has one; folders of layout version 1 have none, and their
runs are checked by reading the Parquet footer instead (and then given a sidecar).

Checks on resume:

* **size** (cheap: one ``stat`` per file), every time: catches truncated, emptied and
  missing files;
* **checksum** (reads every byte), with ``--verify`` only: also catches corruption that
  keeps the size (flipped bytes). Only ``--verify`` catches same-size corruption.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from model.atomic import atomic_write
from model.experiments.run_files import is_readable

if TYPE_CHECKING:
    from model.experiments.store import ResultsStore

#: Folder of the sidecars, inside the results folder.
SIDECARS = "checks"
#: Checksum algorithm of the sidecars (a :mod:`hashlib` name).
ALGORITHM = "sha256"
#: What the manifest says about the sidecars (where they are, which checksum).
MANIFEST_ENTRY = {"sidecars": f"{SIDECARS}/<key[:2]>/<key>.json", "algorithm": ALGORITHM}

Fingerprint = dict[str, Any]


def fingerprint(data: bytes) -> Fingerprint:
    """Size and checksum of a file's bytes."""
    return {"size": len(data), ALGORITHM: hashlib.new(ALGORITHM, data).hexdigest()}


def file_fingerprint(path: Path) -> Fingerprint:
    """Size and checksum of a file on disk."""
    with open(path, "rb") as handle:
        digest = hashlib.file_digest(handle, ALGORITHM).hexdigest()
    return {"size": path.stat().st_size, ALGORITHM: digest}


def sidecar_path(root: Path, key: str) -> Path:
    """Where the sidecar of run ``key`` lives in the results folder ``root``."""
    return root / SIDECARS / key[:2] / f"{key}.json"


def sidecar_text(key: str, files: dict[str, Fingerprint]) -> str:
    """A sidecar's content: the fingerprints of a run's files (table -> size and checksum)."""
    return json.dumps({"key": key, "files": files}, sort_keys=True)


def write_sidecar(root: Path, key: str, files: dict[str, Fingerprint], durable: bool) -> None:
    """Record the fingerprints of a run's files (table name -> size and checksum)."""
    atomic_write(sidecar_path(root, key), sidecar_text(key, files), durable=durable)


def read_sidecar(root: Path, key: str) -> dict[str, Fingerprint] | None:
    """A run's recorded fingerprints, or ``None`` when it has no (readable) sidecar."""
    try:
        data = json.loads(sidecar_path(root, key).read_text("utf-8"))
        files = data["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return files if isinstance(files, dict) and data.get("key") == key else None


def mismatch(expected: dict[str, Fingerprint], paths: dict[str, Path], checksum: bool) -> str:
    """Why a run's files differ from their fingerprints (``""`` when they match).

    Args:
        expected: Table name -> recorded fingerprint (from the sidecar).
        paths: Table name -> the file on disk, for every table in ``expected``.
        checksum: Compare checksums too (reads every byte), not only sizes.
    """
    for table, want in sorted(expected.items()):
        path = paths[table]
        try:
            size = path.stat().st_size
        except OSError:
            return f"{table}: file missing"
        if size != want.get("size"):
            return f"{table}: {size} bytes, {want.get('size')} written"
        if checksum and file_fingerprint(path)[ALGORITHM] != want.get(ALGORITHM):
            return f"{table}: {ALGORITHM} differs from the one written"
    return ""


def check_runs(store: ResultsStore, checksum: bool = False) -> list[str]:
    """Move the runs whose files are not as written to ``corrupt/``, so they re-run.

    Sizes are always compared with the sidecar's (one ``stat`` per file: truncated,
    emptied or missing files); checksums only when ``checksum`` is set (every byte is
    read). Only the checksum catches corruption that keeps a file's size. Runs without a
    sidecar (layout 1) have their Parquet footers read instead, and get a sidecar.

    Returns:
        Keys of the runs set aside, sorted.
    """
    bad = [key for key in sorted(store.done_keys()) if not _intact(store, key, checksum)]
    quarantine = store.root / "corrupt"
    for key in bad:
        quarantine.mkdir(exist_ok=True)
        for path in [store.run_path(key), *store.other_files(key)]:
            if path.exists():
                os.replace(path, quarantine / f"{path.parent.parent.name}-{path.name}")
        with contextlib.suppress(FileNotFoundError):
            sidecar_path(store.root, key).unlink()
    return bad


def _intact(store: ResultsStore, key: str, checksum: bool) -> bool:
    """Whether a stored run's files are as written (see :func:`check_runs`)."""
    expected = read_sidecar(store.root, key)
    if expected is not None:
        paths = {table: store.run_path(key, table) for table in expected}
        return "county_yearly" in expected and not mismatch(expected, paths, checksum)
    paths = {"county_yearly": store.run_path(key)}
    paths.update({p.parent.parent.name: p for p in store.other_files(key)})
    if not all(is_readable(path, key) for path in paths.values()):
        return False
    files = {table: file_fingerprint(path) for table, path in paths.items()}
    write_sidecar(store.root, key, files, store.durable)
    return True
