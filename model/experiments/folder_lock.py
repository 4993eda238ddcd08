"""The writer's lock of a results folder.

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
            holder = _read_json(path)
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


def _read_json(path: Path) -> dict[str, Any]:
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
