"""Pieces shared by every CLI command: input-error handling and common options."""

from __future__ import annotations

import functools
import sys
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from model.errors import EXIT_INPUT_ERROR, InputError

#: Exit status after Ctrl-C (the shell's convention: 128 + SIGINT).
EXIT_INTERRUPTED = 130

#: ``--set section.key=value``, repeatable.
SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="Override a scenario field, e.g. --set policies.land_pooling.rent=800 (repeatable).",
    ),
]


def user_errors[F: Callable[..., Any]](func: F) -> F:
    """Report bad input (exit 2) and a broken invariant (exit 3) as one line on stderr."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as err:
            print(f"error: {err.message}", file=sys.stderr)
            raise typer.Exit(EXIT_INPUT_ERROR) from None
        except Exception as err:
            # Only a command that ran the model can break an invariant, and it has imported
            # model.invariants (numpy): the others (`validate`, `measures`) start without it.
            invariants = sys.modules.get("model.invariants")
            if invariants is None or not isinstance(err, invariants.InvariantError):
                raise
            print(f"error: {err.message}; no results were written", file=sys.stderr)
            raise typer.Exit(invariants.EXIT_INVARIANT) from None

    return wrapper  # type: ignore[return-value]


def plain_warnings() -> None:
    """Show the model's warnings as one ``warning: ...`` line on stderr, without a location.

    The model warns through :mod:`warnings` (so that the Python API can filter or raise
    them); a command-line user wants the message, not the file and line that issued it.
    """

    def show(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        print(f"warning: {message}", file=sys.stderr)

    warnings.showwarning = show  # type: ignore[assignment]


def ensure_output_folder(path: Path, flag: str = "--out") -> Path:
    """Make sure results can be written to ``path`` before any work starts.

    Raises:
        InputError: ``path`` is an existing file, or the folder cannot be created or
            written (read-only, no permission, no space).
    """
    field = flag.lstrip("-")
    if path.exists() and not path.is_dir():
        raise InputError(flag, field, str(path), "a folder for the results; this is a file")
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-test-"):
            pass
    except OSError as err:
        reason = err.strerror or type(err).__name__
        raise InputError(
            flag, field, str(path), f"a folder the results can be written to ({reason})"
        ) from None
    return path
