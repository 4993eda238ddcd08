"""Files generated from the code (the parameter table, the output dictionary): the one
command-line entry point that writes such a file or checks that it is up to date."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from model.atomic import atomic_write


def generate_or_check(
    module: str, what: str, default: Path, render: Callable[[], str], argv: list[str] | None
) -> int:
    """``python -m <module> [--out PATH] [--check]``: write the file, or compare it.

    Args:
        module: The generator's module (named in the messages).
        what: What the file is made from (the command's description).
        default: Where the file is written without ``--out``.
        render: Makes the file's text from the code as it is now.
        argv: Command-line arguments (default ``sys.argv[1:]``).

    Returns:
        0 when written or up to date; 1 when ``--check`` finds the file stale.
    """
    parser = argparse.ArgumentParser(prog=f"python -m {module}", description=what)
    parser.add_argument("--out", type=Path, default=default, help="file to write")
    parser.add_argument(
        "--check", action="store_true", help="do not write; exit 1 if the file is out of date"
    )
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.is_file() else ""
        if current != text:
            print(f"{args.out} is out of date: run python -m {module}", file=sys.stderr)
            return 1
        print(f"{args.out} is up to date")
        return 0
    atomic_write(args.out, text)
    print(f"wrote {args.out} ({text.count(chr(10))} lines)")
    return 0
