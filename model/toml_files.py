"""Reading TOML input files (scenarios and experiments) into plain data.

Every problem is an :class:`~model.errors.InputError` naming the file: one that cannot be
read, is empty, is binary or not UTF-8, or is not valid TOML.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from model.errors import InputError


def read_toml(path: Path, what: str = "scenario") -> dict[str, Any]:
    """Parse a TOML file; syntax and read errors are :class:`InputError` naming the file.

    An empty file (or one of comments only), a binary file and a file that is not UTF-8 are
    errors too: each used to pass silently or end in a traceback.
    """
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise InputError(str(path), allowed=f"cannot be read: {err.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(
            str(path),
            allowed=f"a {what} file must be UTF-8 text (TOML); byte {err.start} is "
            f"{raw[err.start : err.start + 1]!r}",
        ) from None
    if "\x00" in text:
        raise InputError(str(path), allowed=f"a {what} file must be TOML text, not a binary file")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise InputError(str(path), allowed=f"not valid TOML: {err}") from None
    if not data:
        raise InputError(
            str(path),
            allowed=f"the {what} file is empty: give at least a name, or 'extends' and "
            "what differs",
        )
    return data


def toml_text(data: dict[str, Any]) -> str:
    """Data as TOML text; ``None`` values (unset optional fields) are left out: TOML has no
    null."""
    import tomli_w

    def drop_none(table: dict[str, Any]) -> dict[str, Any]:
        return {
            k: drop_none(v) if isinstance(v, dict) else v for k, v in table.items() if v is not None
        }

    return tomli_w.dumps(drop_none(data))
