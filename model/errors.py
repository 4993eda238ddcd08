"""User-facing input errors.

Every problem with a scenario file, a CLI flag or a data file is raised as an
:class:`InputError` that names where it came from, the field, the offending value and what is
allowed. The CLI prints it on one line and exits with status 2; nothing is written.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

#: Exit status after bad input.
EXIT_INPUT_ERROR = 2
#: Exit status after Ctrl-C (the shell's convention: 128 + SIGINT).
EXIT_INTERRUPTED = 130


class InputError(Exception):
    """Bad user input, reported without a traceback.

    Attributes:
        source: The file (or ``--set``/flag) the bad input came from.
        field: Dotted field name or column, if any.
        value: The offending value, if any.
        allowed: What would have been accepted.
        hint: An extra suggestion, e.g. a did-you-mean.
    """

    def __init__(
        self,
        source: str,
        field: str | None = None,
        value: Any = None,
        allowed: str = "",
        hint: str = "",
    ) -> None:
        self.source = str(source)
        self.field = field
        self.value = value
        self.allowed = allowed
        self.hint = hint
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The one-line message shown to the user."""
        parts = [self.source]
        if self.field is not None:
            shown = _short(self.value)
            parts.append(f"field '{self.field}'" + (f" = {shown}" if shown else ""))
        text = ": ".join(parts)
        if self.allowed:
            text += f": {self.allowed}"
        if self.hint:
            text += f" ({self.hint})"
        return text


def did_you_mean(value: object, known: Iterable[object]) -> str:
    """A "did you mean 'x'?" hint for ``value`` among ``known`` names, or ``""``.

    Args:
        value: What the user gave.
        known: The accepted names.

    Returns:
        The hint text, empty when nothing is close.
    """
    names = [str(name) for name in known]
    close = difflib.get_close_matches(str(value), names, n=1)
    return f"did you mean '{close[0]}'?" if close else ""


def _short(value: Any, limit: int = 80) -> str:
    if value is None:
        return ""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
