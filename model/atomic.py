"""Atomic file writes: a reader sees the old file or the new one, never half of one.

Every file the project writes (run tables, manifests, results stores, references, reports)
goes through :func:`atomic_write`: the data are written to a temporary file in the same
folder, optionally flushed to disk, given the permissions an ordinary ``open()`` would give
under the process's umask (``tempfile.mkstemp`` alone would leave them 0600), and renamed
over the target.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

_UMASK_LOCK = threading.Lock()


def current_umask() -> int:
    """The process's umask (read by setting and restoring it, under a lock)."""
    with _UMASK_LOCK:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def atomic_write(
    path: str | Path,
    data: bytes | str | Callable[[Path], Any],
    *,
    durable: bool = False,
    encoding: str = "utf-8",
) -> Path:
    """Write ``data`` to ``path`` atomically.

    Args:
        path: The target file; its folder is created when missing.
        data: Bytes, text, or a function that writes the temporary file it is given (for
            writers that want a path, such as ``DataFrame.to_parquet``).
        durable: Flush the file to disk before the rename (results stores).
        encoding: Encoding of text data.

    Returns:
        The target path.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(name)
    try:
        if callable(data):
            os.close(fd)
            data(tmp)
        else:
            payload = data.encode(encoding) if isinstance(data, str) else data
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
        os.chmod(tmp, 0o666 & ~current_umask())
        if durable:
            with open(tmp, "rb+") as handle:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    return path


def atomic_write_parquet(frame: Any, path: str | Path, *, durable: bool = False) -> Path:
    """Write a pandas DataFrame to Parquet atomically (no index)."""
    return atomic_write(path, lambda tmp: frame.to_parquet(tmp, index=False), durable=durable)
