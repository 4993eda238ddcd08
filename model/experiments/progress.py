"""The progress bar of an execution: runs done, failed and the time left (on stderr)."""

from __future__ import annotations

from typing import Any


class RunProgress:
    """A rich progress bar over a number of runs; a no-op when disabled or empty.

    Args:
        total: Runs to execute.
        enabled: Show the bar.
        label: What the runs are (``runs``, ``regress runs`` ...).
    """

    def __init__(self, total: int, enabled: bool, label: str = "runs") -> None:
        self.failed = 0
        self._bar: Any = None
        if not enabled or total == 0:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._bar = Progress(
            TextColumn(f"[bold]{label}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("[red]{task.fields[failed]} failed"),
            TimeElapsedColumn(),
            TextColumn("left"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
        )
        self._task = self._bar.add_task(label, total=total, failed=0)

    def __enter__(self) -> RunProgress:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def advance(self, ok: bool) -> None:
        """One more run finished (``ok``) or failed."""
        self.failed += 0 if ok else 1
        if self._bar is not None:
            self._bar.update(self._task, advance=1, failed=self.failed)
