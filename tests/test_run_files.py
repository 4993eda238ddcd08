"""Run files: a run's frames become the same Arrow tables as through pandas, only faster."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.experiments.run_files import arrow_table

KINDS = {
    "int64": st.integers(-(2**62), 2**62),
    "float64": st.one_of(st.floats(allow_nan=True, allow_infinity=True, width=64)),
    "float32": st.floats(allow_nan=True, width=32),
    "uint8": st.integers(0, 255),
    "bool": st.booleans(),
    "str": st.one_of(st.none(), st.text(max_size=5)),
}


def through_pandas(frame: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(frame, preserve_index=False)


def assert_same(frame: pd.DataFrame) -> None:
    fast, slow = arrow_table(frame), through_pandas(frame)
    assert fast.schema.remove_metadata() == slow.schema.remove_metadata()
    assert fast.equals(slow)


@st.composite
def frames(draw) -> pd.DataFrame:
    rows = draw(st.integers(0, 6))
    kinds = draw(st.lists(st.sampled_from(sorted(KINDS)), min_size=1, max_size=6))
    data = {}
    for i, kind in enumerate(kinds):
        values = draw(st.lists(KINDS[kind], min_size=rows, max_size=rows))
        data[f"c{i}"] = pd.Series(values, dtype=kind)
    return pd.DataFrame(data, index=pd.RangeIndex(rows) * 3)  # an index that is dropped


@settings(max_examples=150, deadline=None)
@given(frames())
def test_the_fast_path_builds_the_table_pandas_builds(frame):
    assert_same(frame)


@settings(max_examples=40, deadline=None)
@given(frames())
def test_without_pandas_column_iterator_the_public_route_builds_the_same_table(frame):
    fast = arrow_table(frame)
    with pytest.MonkeyPatch.context() as patch:
        patch.delattr(pd.DataFrame, "_iter_column_arrays")
        assert not hasattr(frame, "_iter_column_arrays")
        public = arrow_table(frame)
    assert public.schema == fast.schema
    assert public.equals(fast)


def test_other_columns_go_through_pandas():
    frame = pd.DataFrame(
        {
            "when": pd.to_datetime(["2023-01-01", "2024-02-01"]),
            "kind": pd.Categorical(["a", "b"]),
            "names": pd.Series(["a", None], dtype=object),
            "x": [1.0, np.nan],
        }
    )
    assert_same(frame)
    assert_same(pd.DataFrame({0: [1, 2], "y": [3, 4]}))  # a name that is not a string


def encodings(data: bytes) -> set[str]:
    """The Parquet encodings of a file's first column chunk."""
    return set(pq.ParquetFile(io.BytesIO(data)).metadata.row_group(0).column(0).encodings)


def test_files_of_many_rows_have_dictionaries_and_statistics_and_all_read_back_the_same():
    from model.experiments.run_files import SMALL_FILE_ROWS, encode_table

    for rows in (3, SMALL_FILE_ROWS):
        frame = pd.DataFrame({"year": np.arange(rows) % 7, "x": np.linspace(0, 1, rows)})
        frame.loc[1, "x"] = np.nan  # NaN is stored as null, as pandas would
        data = encode_table(frame, {"key": "k"}, [("scenario", "s", "string")], "county_yearly")
        dictionary = any("DICTIONARY" in e for e in encodings(data))
        chunk = pq.ParquetFile(io.BytesIO(data)).metadata.row_group(0).column(1)
        assert dictionary == chunk.is_stats_set == (rows >= SMALL_FILE_ROWS)
        back = pd.read_parquet(io.BytesIO(data))
        assert list(back.columns) == ["scenario", "year", "x"]
        pd.testing.assert_frame_equal(back[["year", "x"]], frame)
        assert set(back["scenario"]) == {"s"}
