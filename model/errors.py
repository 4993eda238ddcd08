"""User-facing input errors.

Every problem with a scenario file, a CLI flag or a data file is raised as an
:class:`InputError` that names where it came from, the field, the offending value and what is
allowed. The CLI prints it on one line and exits with status 2; nothing is written.
"""

from __future__ import annotations

from typing import Any

EXIT_INPUT_ERROR = 2


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


def _short(value: Any, limit: int = 80) -> str:
    if value is None:
        return ""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
