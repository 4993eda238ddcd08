"""Reading input tables: the CSV or Parquet files users give for villages, towns and alliances.

Village files, the towns sheet and alliance files are read the same way: as text (CSV) or as
typed columns (Parquet), with every failure turned into an :class:`~model.errors.InputError`
that names the file, the column, the value, the line (or row) and what is allowed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from model.errors import InputError

#: Formats a 0-based data row as 'line N' (CSV) or 'row N' (Parquet) for messages.
RowLabel = Callable[[int], str]


def read_table(path: Path, what: str) -> pd.DataFrame:
    """Read a CSV or Parquet file, turning every failure into an InputError."""
    if not path.exists():
        raise InputError(str(path), allowed=f"{what} not found")
    if path.is_dir():
        raise InputError(str(path), allowed=f"{what} is a folder, expected a file")
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return pd.read_csv(path, skipinitialspace=True, dtype=str, keep_default_na=False)
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(path)
    except (OSError, ValueError, UnicodeDecodeError, pd.errors.ParserError) as err:
        kind = "CSV" if suffix == ".csv" else "Parquet"
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise InputError(str(path), allowed=f"cannot be read as {kind}: {first}") from None
    raise InputError(
        str(path),
        allowed=f"unknown {what} format '{suffix or '(none)'}'; allowed: .csv, .parquet, .pq",
    )


def line_label(path: Path) -> RowLabel:
    """Row label for messages: CSV line numbers (header = line 1), else row numbers."""
    if path.suffix.lower() == ".csv":
        return lambda i: f"line {int(i) + 2}"
    return lambda i: f"row {int(i)}"


def blank_cells(series: pd.Series) -> np.ndarray:
    """Empty cells: NaN/None, or empty strings in a CSV read as text."""
    as_text = series.astype(object)
    return (
        as_text.isna().to_numpy()
        | (as_text.map(lambda v: isinstance(v, str) and not v.strip())).to_numpy()
    )


def parse_bool(value: object) -> bool | None:
    """A true/false cell (also 1/0, yes/no, y/n) as a bool; ``None`` when it is neither."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "y", "1.0"):
        return True
    if text in ("false", "0", "no", "n", "0.0"):
        return False
    return None


def stripped(value: object) -> object:
    """A text cell without surrounding blanks; other values unchanged."""
    return value.strip() if isinstance(value, str) else value
