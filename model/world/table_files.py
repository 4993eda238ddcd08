"""Reading input tables: the CSV or Parquet files users give for villages, towns and alliances.

Village files, the towns sheet and alliance files are read the same way: as text (CSV) or as
typed columns (Parquet), with every failure turned into an :class:`~model.errors.InputError`
that names the file, the column, the value, the line (or row) and what is allowed. Village
files may also be GIS files (:data:`GIS_SUFFIXES`, read by :mod:`model.world.geofiles`);
their attribute columns are then checked by the same column parsers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from model.errors import InputError

#: Formats a 0-based data row as 'line N' (CSV), 'row N' (Parquet) or 'feature N' (GIS).
RowLabel = Callable[[int], str]
#: GIS formats of village files: GeoPackage, GeoJSON, shapefile.
GIS_SUFFIXES = (".gpkg", ".geojson", ".shp")


def read_table(path: Path, what: str, other_formats: Sequence[str] = ()) -> pd.DataFrame:
    """Read a CSV or Parquet file, turning every failure into an InputError.

    Args:
        path: The file.
        what: What the file is, for messages ("village file").
        other_formats: Further suffixes the caller reads itself, named among the allowed
            ones when the format is unknown.
    """
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
    allowed = ", ".join((".csv", ".parquet", ".pq", *other_formats))
    raise InputError(
        str(path), allowed=f"unknown {what} format '{suffix or '(none)'}'; allowed: {allowed}"
    )


def require_columns(
    raw: pd.DataFrame,
    path: Path,
    required: Sequence[str],
    rule: str = "required column missing (required: {required})",
    show_found: bool = True,
) -> None:
    """Every required column is there; else name the first missing one.

    Args:
        raw: The table as read.
        path: The file, for messages.
        required: The required columns.
        rule: What is allowed, with ``{missing}`` and ``{required}`` filled in.
        show_found: Name the columns the file has, as a hint.
    """
    missing = [c for c in required if c not in raw.columns]
    if missing:
        found = f"found columns: {', '.join(map(str, raw.columns))}" if show_found else ""
        allowed = rule.format(missing=", ".join(missing), required=", ".join(required))
        raise InputError(str(path), missing[0], None, allowed, hint=found)


def require_rows(raw: pd.DataFrame, path: Path, what: str) -> None:
    """The table has at least one row."""
    if raw.empty:
        raise InputError(str(path), allowed=f"the {what} has no rows")


def line_label(path: Path) -> RowLabel:
    """Row label for messages: CSV line numbers (header = line 1), GIS features (the first
    is feature 1, as GeoPackage feature ids count), else Parquet row numbers."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return lambda i: f"line {int(i) + 2}"
    if suffix in GIS_SUFFIXES:
        return lambda i: f"feature {int(i) + 1}"
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


def text_column(raw: pd.DataFrame, col: str, path: Path, where: RowLabel) -> pd.Series:
    """A required text column, stripped; the first empty cell is an error."""
    blank = blank_cells(raw[col])
    if blank.any():
        i = int(np.flatnonzero(blank)[0])
        raise InputError(str(path), col, "", "a non-empty value", hint=where(i))
    return raw[col].astype(str).str.strip().astype(str)


def numeric_column(
    raw: pd.DataFrame,
    col: str,
    path: Path,
    where: RowLabel,
    low: float | None = None,
    high: float | None = None,
    integer: bool = False,
    required: bool = True,
) -> pd.Series:
    """Parse a numeric column; name the first bad cell (its row label and value).

    Args:
        raw: The table as read.
        col: The column.
        path: The file, for messages.
        where: Labels a row for messages (e.g. its line and village id).
        low: Smallest allowed value.
        high: Largest allowed value.
        integer: Whole numbers only (returned as int64 when also required).
        required: Empty cells are errors; else they are NaN.

    Returns:
        The values (float64, or int64 for required whole numbers).

    Raises:
        InputError: A cell that is not a number or out of bounds.
    """
    series = raw[col]
    values = pd.to_numeric(series.astype(object).map(stripped), errors="coerce").astype(float)
    blank = blank_cells(series)
    bad = values.isna().to_numpy() & ~blank
    if required:
        bad |= blank
    allowed = _numeric_rule(low, high, integer)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        shown = series.iloc[i]
        msg = "a value is required: " + allowed if blank[i] else allowed
        raise InputError(str(path), col, shown, msg, hint=where(i))
    finite = values.to_numpy()
    checks = ~np.isnan(finite)
    wrong = checks & ~np.isfinite(finite)
    if low is not None:
        wrong |= checks & (finite < low)
    if high is not None:
        wrong |= checks & (finite > high)
    if integer:
        wrong |= checks & np.isfinite(finite) & (finite != np.round(finite))
    if wrong.any():
        i = int(np.flatnonzero(wrong)[0])
        value = finite[i]
        shown = int(value) if np.isfinite(value) and value == int(value) else float(value)
        raise InputError(str(path), col, shown, allowed, hint=where(i))
    if integer and required:
        return values.astype(np.int64)
    return values


def _numeric_rule(low: float | None, high: float | None, integer: bool) -> str:
    """What a numeric column allows, in words: 'a whole number >= 1', 'a number <= 1'."""
    kind = "a whole number" if integer else "a number"
    bounds = []
    if low is not None:
        bounds.append(f">= {low:g}" if not (integer and low == 1) else ">= 1")
    if high is not None:
        bounds.append(f"<= {high:g}")
    return kind + (" " + " and ".join(bounds) if bounds else "")


def category_column(
    raw: pd.DataFrame,
    col: str,
    allowed: tuple[str, ...],
    path: Path,
    where: RowLabel,
    required: bool = True,
) -> pd.Series:
    """Parse a categorical text column; unknown values list what is allowed.

    Returns:
        The stripped values; empty cells are missing (NaN; an error when ``required``).
    """
    series = raw[col].astype(object).map(stripped)
    blank = blank_cells(series)
    values = series.where(~blank, None)
    known = values.isin(allowed).to_numpy() | (blank & (not required))
    if not known.all():
        i = int(np.flatnonzero(~known)[0])
        raise InputError(
            str(path),
            col,
            "" if blank[i] else values.iloc[i],
            f"one of {', '.join(allowed)}",
            hint=where(i),
        )
    return values


def bool_column(
    raw: pd.DataFrame, col: str, path: Path, where: RowLabel, default: bool | np.ndarray
) -> np.ndarray:
    """Parse a true/false column (also 1/0, yes/no); empty cells take ``default``.

    Raises:
        InputError: A cell that is neither true nor false.
    """
    flags = raw[col].astype(object).map(stripped)
    blank = blank_cells(flags)
    parsed = flags.map(parse_bool)
    bad = parsed.isna().to_numpy() & ~blank
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            str(path), col, flags.iloc[i], "true/false (also 1/0, yes/no) or empty", hint=where(i)
        )
    return np.where(blank, default, parsed.fillna(False).astype(bool)).astype(bool)
