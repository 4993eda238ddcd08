"""The console the command line prints its tables on: as wide as the terminal.

Rich measures a terminal itself and honours ``COLUMNS``; only when the output is not a
terminal (a pipe, a file, a CI log) and ``COLUMNS`` is unset do we choose a width, wider
than rich's 80 so that a log keeps the tables on one line each where it can.
"""

from __future__ import annotations

import os
import sys
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

#: Width of a table printed into a pipe or a file when ``COLUMNS`` is unset.
PIPE_WIDTH = 120


def console(file: IO[str] | None = None, **options: Any) -> Console:
    """A rich console on ``file`` (default stdout) of the terminal's or ``COLUMNS``'s width."""
    from rich.console import Console

    out = file if file is not None else sys.stdout
    width = None if _columns_set() or _isatty(out) else PIPE_WIDTH
    return Console(file=out, width=width, **options)


def _columns_set() -> bool:
    return os.environ.get("COLUMNS", "").strip().isdigit()


def _isatty(out: IO[str]) -> bool:
    isatty = getattr(out, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed file
        return False
