"""Atomic file writes: a reader sees the old file or the new one, never half of one.

Every file the project writes (run tables, manifests, results stores, references, reports)
goes through :func:`atomic_write`: the data are written to a temporary file in the same
folder, optionally flushed to disk, given the permissions an ordinary ``open()`` would give
under the process's umask (``tempfile.mkstemp`` alone would leave them 0600), and renamed
over the target.

:func:`atomic_write_all` does the same for several files at once (a results store's group
of finished runs): every file is written to its temporary name first, then, with
``durable``, all of them are flushed to disk, and only then are they renamed, in the order
given. What that guarantees:

* a process killed at any moment (Ctrl-C, SIGKILL, out of memory) leaves each target
  either as it was or complete, and a file later in the order is never in place without
  the ones before it;
* after a power cut, with ``durable``, every target in place is complete: its data reached
  the disk before any rename. The renames reach the disk with the file system's next
  commit (a few seconds; journaling file systems such as ext4 and XFS keep their order), so
  a power cut may undo the last few renames, never leave a target half-written.

Once all of a group's files are written, they are flushed by :data:`FLUSH_THREADS` threads
at once: journaling file systems commit concurrent flushes together, so a file costs about
0.3 ms against 0.6-0.8 ms flushed one after the other (measured on ext4).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

_UMASK_LOCK = threading.Lock()

#: Files flushed to disk at once by :func:`atomic_write_all`.
FLUSH_THREADS = 4


def current_umask() -> int:
    """The process's umask, read by setting and restoring it under a lock.

    The store reads it once per group of files (:func:`atomic_write_all`), so the instant in
    which another thread creating a file could see the placeholder mask is one per group.
    """
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
    tmp = _temporary(path, data, encoding, current_umask())
    try:
        if durable:
            _flush(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    return path


def atomic_write_all(
    files: Sequence[tuple[str | Path, bytes | str]],
    *,
    durable: bool = False,
    encoding: str = "utf-8",
) -> None:
    """Write several files atomically, renamed in the given order (see the module docstring).

    Args:
        files: ``(target path, bytes or text)`` pairs; each folder is created when missing.
        durable: Flush every file to disk before the first rename.
        encoding: Encoding of text data.
    """
    temporary: list[Path] = []
    renamed = 0
    mask = current_umask()
    folders: set[Path] = set()
    try:
        for path, data in files:
            path = Path(path)
            if path.parent not in folders:
                path.parent.mkdir(parents=True, exist_ok=True)
                folders.add(path.parent)
            temporary.append(_temporary(path, data, encoding, mask))
        if durable:
            _flush_all(temporary)
        for tmp, (path, _) in zip(temporary, files, strict=True):
            os.replace(tmp, path)
            renamed += 1
    except BaseException:
        for tmp in temporary[renamed:]:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        raise


def _temporary(
    path: Path, data: bytes | str | Callable[[Path], Any], encoding: str, umask: int
) -> Path:
    """Write ``data`` to a new temporary file next to ``path`` (its folder exists), with the
    permissions an ordinary ``open()`` gives under ``umask``."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(name)
    try:
        if callable(data):
            os.close(fd)
            data(tmp)
            os.chmod(tmp, 0o666 & ~umask)
        else:
            payload = data.encode(encoding) if isinstance(data, str) else data
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
                os.fchmod(handle.fileno(), 0o666 & ~umask)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    return tmp


def _flush(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _flush_all(paths: Sequence[Path]) -> None:
    """Flush files to disk, :data:`FLUSH_THREADS` at a time (``fsync`` releases the GIL)."""
    if len(paths) <= 1:
        for path in paths:
            _flush(path)
        return
    with ThreadPoolExecutor(max_workers=min(FLUSH_THREADS, len(paths))) as pool:
        list(pool.map(_flush, paths))


def atomic_write_parquet(frame: Any, path: str | Path, *, durable: bool = False) -> Path:
    """Write a pandas DataFrame to Parquet atomically (no index)."""
    return atomic_write(path, lambda tmp: frame.to_parquet(tmp, index=False), durable=durable)
