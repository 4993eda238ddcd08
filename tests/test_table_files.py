"""Reading input tables: the column parsers shared by village files, towns and alliance files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.errors import InputError
from model.world.table_files import (
    blank_cells,
    bool_column,
    category_column,
    line_label,
    numeric_column,
    parse_bool,
    read_table,
    require_columns,
    require_rows,
    text_column,
)

CSV = Path("villages.csv")
WHERE = line_label(CSV)


def _raw(**columns: list[object]) -> pd.DataFrame:
    return pd.DataFrame(columns, dtype=object)


def test_row_labels_count_csv_lines_and_parquet_rows():
    assert WHERE(0) == "line 2"
    assert line_label(Path("villages.parquet"))(0) == "row 0"


def test_blank_cells_are_missing_or_empty_text():
    assert blank_cells(pd.Series(["a", "", "  ", None, np.nan, 0])).tolist() == [
        False,
        True,
        True,
        True,
        True,
        False,
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", True), (" Yes ", True), ("1.0", True), ("n", False), (0, False), ("maybe", None)],
)
def test_parse_bool(value, expected):
    assert parse_bool(value) is expected


def test_read_table_reads_csv_as_text(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a, b\n1, x\n")
    frame = read_table(path, "table")
    assert list(frame.columns) == ["a", "b"] and frame.loc[0, "b"] == "x"


def test_read_table_names_what_is_missing(tmp_path):
    with pytest.raises(InputError, match="village file not found"):
        read_table(tmp_path / "none.csv", "village file")


def test_text_column_is_stripped_and_required():
    assert text_column(_raw(a=[" x ", "y"]), "a", CSV, WHERE).tolist() == ["x", "y"]
    with pytest.raises(InputError, match=r"a non-empty value \(line 3\)"):
        text_column(_raw(a=["x", " "]), "a", CSV, WHERE)


def test_numeric_column_bounds_and_whole_numbers():
    raw = _raw(n=["1", " 2 ", "3"])
    values = numeric_column(raw, "n", CSV, WHERE, low=1, integer=True)
    assert values.dtype == np.int64 and values.tolist() == [1, 2, 3]
    with pytest.raises(InputError, match="a whole number >= 1") as err:
        numeric_column(_raw(n=["1", "2.5"]), "n", CSV, WHERE, low=1, integer=True)
    assert err.value.value == 2.5 and "line 3" in err.value.message
    with pytest.raises(InputError, match="a value is required: a number <= 1"):
        numeric_column(_raw(n=["0.5", ""]), "n", CSV, WHERE, high=1)


def test_optional_numeric_cells_may_be_empty():
    values = numeric_column(_raw(n=["0.5", ""]), "n", CSV, WHERE, low=0, required=False)
    assert values.iloc[0] == 0.5 and np.isnan(values.iloc[1])


def test_category_column_lists_what_is_allowed():
    kinds = category_column(_raw(kind=[" a", "", "b"]), "kind", ("a", "b"), CSV, WHERE, False)
    assert kinds.iloc[0] == "a" and pd.isna(kinds.iloc[1]) and kinds.iloc[2] == "b"
    with pytest.raises(InputError, match="one of a, b") as err:
        category_column(_raw(kind=["a", "c"]), "kind", ("a", "b"), CSV, WHERE)
    assert err.value.value == "c"


def test_bool_column_fills_empty_cells_with_the_default():
    raw = _raw(flag=["yes", "", "0"])
    flags = bool_column(raw, "flag", CSV, WHERE, default=np.array([False, True, True]))
    assert flags.tolist() == [True, True, False]
    with pytest.raises(InputError, match=r"true/false .* or empty \(line 2\)") as err:
        bool_column(_raw(flag=["maybe "]), "flag", CSV, WHERE, default=False)
    assert err.value.value == "maybe"


def test_required_columns_and_rows():
    raw = _raw(a=[])
    with pytest.raises(InputError) as err:
        require_columns(raw, CSV, ("a", "b", "c"), "missing: {missing}; required: {required}")
    assert err.value.field == "b"
    assert "missing: b, c; required: a, b, c" in err.value.message
    assert "found columns: a" in err.value.message
    with pytest.raises(InputError, match="the village file has no rows"):
        require_rows(raw, CSV, "village file")
