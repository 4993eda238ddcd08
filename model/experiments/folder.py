"""A results folder as such: the manifest that marks it as ours, and its writer's lock.

A folder is a jointvillage results folder when its ``manifest.json`` says so (format
marker and layout version); anything else is refused rather than written into.

Two executions writing the same folder would not corrupt it (writes are atomic) but would
run every run twice; the lock says so instead. A lock left by a process that no longer
exists on this host is taken over.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from model.errors import InputError
from model.experiments.run_files import FORMAT

#: Layout version; a folder written by a newer layout is refused, not misread.
#: 2 added the per-run sidecars of sizes and checksums (``checks/``) and run counts kept
#: current as runs finish. 3 made every run file carry the run's identity columns (scenario,
#: variant, replicate, seed, ``param:``/``design:`` values, run_key) and its columns' units,
#: so that ``runs/`` and each ``tables/<name>/`` are Parquet datasets. Older folders are
#: read (labelled from the plan) and, when a batch continues them, upgraded in place.
FORMAT_VERSION = 3
MANIFEST = "manifest.json"


@contextlib.contextmanager
def folder_lock(path: Path, folder: Path) -> Iterator[None]:
    """Hold the lock file ``path`` of ``folder`` for the duration of a ``with`` block.

    Raises:
        InputError: When a live process holds it.
    """
    mine = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "since": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    for _attempt in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = read_json(path)
            if _stale(holder):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                continue
            raise InputError(
                str(folder),
                allowed=f"another batch is writing into this folder (pid "
                f"{holder.get('pid')} on {holder.get('host')} since {holder.get('since')})",
                hint=f"wait for it, or delete {path} if it is not running",
            ) from None
        with os.fdopen(fd, "w") as handle:
            json.dump(mine, handle)
        break
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def read_json(path: Path) -> dict[str, Any]:
    """A JSON object from a file, or ``{}`` when it is missing or not readable."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _stale(holder: dict[str, Any]) -> bool:
    """A lock is stale when its process is gone (checkable on the same host only)."""
    if holder.get("host") != socket.gethostname():
        return not holder  # unreadable lock file: left by a crash while writing it
    pid = holder.get("pid")
    if not isinstance(pid, int):
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def read_manifest(root: Path) -> dict[str, Any]:
    """A results folder's manifest, checked to be ours and of a layout this code reads.

    Raises:
        InputError: For a folder without a manifest, a foreign or corrupt one, or a newer
            layout.
    """
    path = root / MANIFEST
    if not path.is_file():
        raise InputError(
            str(root),
            allowed="not a jointvillage results folder (it has no manifest.json and is not empty)",
            hint="point to a results folder written by `jointvillage batch`, or use a new "
            "--out folder",
        )
    try:
        manifest = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as err:
        raise InputError(str(path), allowed=f"corrupt manifest ({err})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise InputError(
            str(path),
            field="format",
            value=manifest.get("format") if isinstance(manifest, dict) else None,
            allowed=f"not a jointvillage results manifest (expected format '{FORMAT}')",
            hint="this folder belongs to something else; use another --out folder",
        )
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise InputError(
            str(path),
            field="format_version",
            value=version,
            allowed=f"this jointvillage reads results format <= {FORMAT_VERSION}",
            hint="upgrade jointvillage",
        )
    return manifest
