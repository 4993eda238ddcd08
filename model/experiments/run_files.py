"""Run files: one Parquet file per table of a run, with the run's identity inside.

Every file holds the run's identity columns (scenario, variant, replicate, seed, the
``param:``/``design:`` values of its sweep or design point, run_key: the same columns and
types in every file of a folder) followed by the table's rows; each column's unit and
description as Parquet *field* metadata (``unit``, ``description``, from
:mod:`model.columns`); and, as JSON under the schema metadata key ``jointvillage``, the
run's key and identity (scenario, replicate, seed, model version, worker, wall time, final
summary, resolved scenario) plus the table's name and its own columns (``columns``: what the
run returned, so that :func:`run_columns` gives it back), so that a file alone says which
run it is.

So ``runs/`` (county_yearly) and each ``tables/<table>/`` of a results folder are Parquet
datasets that pandas (``pd.read_parquet(folder)``), DuckDB (``'folder/**/*.parquet'``) and
polars read in one call. A table without rows in a run (no alliances) is still a file, with
the table's declared columns, so that no reader takes its schema from a file without them.
Temporary files start with a dot and end in ``.tmp`` (readers skip them), and the
two-character shard folders are no ``key=value`` names (hive readers add no column). A run
shared by two design points (integer rounding) is one file labelled with the first point;
:func:`~model.experiments.batch.load_results` labels it under both, from the plan. Workers
encode (:func:`encode_run`: converting and compressing is most of the cost
of storing a run, and a single driver doing it for hundreds of workers would be the
bottleneck); the driver writes and reads (:func:`read_table`).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.columns import TABLES, describer, table_columns
from model.frames import column_arrays

#: Marker that identifies a jointvillage results folder (and its run files).
FORMAT = "jointvillage-results"
#: Key of the Parquet schema metadata holding the run's identity and summary.
META_KEY = b"jointvillage"
#: One identity column of a run: name, value and Arrow type (the plan's type of the column,
#: so that every file of a batch has the same schema).
Label = tuple[str, Any, str]
#: Rows from which a file's columns are dictionary-encoded and carry statistics (Parquet's
#: defaults): a dictionary pays when values repeat over many rows, and statistics let a
#: reader skip row groups of a large file; a file of a few yearly rows is read whole as
#: fast, and both would add a third to the time of writing it.
SMALL_FILE_ROWS = 1000


class DamagedFileError(ValueError):
    """A run file that cannot be read, or holds another run than its name says."""


def encode_table(
    frame: pd.DataFrame,
    meta: dict[str, Any],
    identity: Sequence[Label] = (),
    table: str = "",
) -> bytes:
    """A Parquet file's bytes: the identity columns, then the rows, with ``meta`` as JSON in
    the schema metadata and each column's unit and description as field metadata.

    Args:
        frame: The table as the run returned it.
        meta: The run's identity and summary (stored as JSON, with ``columns``: the
            frame's own columns, so that :func:`run_columns` gives the run's table back).
        identity: ``(name, value, arrow type)`` of each identity column, in order; a column
            the frame has already (``scenario``, ``replicate``) keeps its values and moves
            to its place among them.
        table: The table's name, to look its columns up in :mod:`model.columns`; an empty
            frame without columns gets the table's declared columns (0 rows), so that every
            file of a table has the same schema.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    own = [str(c) for c in frame.columns.tolist() if c != "run_key"]
    data = arrow_table(frame)
    if not own and table in TABLES:
        declared = [(c.name, arrow_type(c.dtype)) for c in table_columns(table)]
        data = pa.schema(declared).empty_table()
    columns = dict(zip(data.column_names, data.columns, strict=True))
    names = [name for name, _, _ in identity]
    labelled = set(names)
    arrays = [
        retyped(columns[name], arrow_type(kind))
        if name in columns
        else pa.array([value] * data.num_rows, arrow_type(kind))
        for name, value, kind in identity
    ]
    rest = [name for name in columns if name not in labelled]
    arrays += [columns[name] for name in rest]
    fields = tuple((name, array.type) for name, array in zip([*names, *rest], arrays, strict=True))
    file_meta = {**meta, "table": table, "columns": own}
    metadata = {META_KEY: json.dumps(file_meta, sort_keys=True, default=str).encode()}
    schema = described_schema(table, fields).with_metadata(metadata)
    sink = pa.BufferOutputStream()
    pq.write_table(
        pa.Table.from_arrays(arrays, schema=schema),
        sink,
        use_dictionary=data.num_rows >= SMALL_FILE_ROWS,
        write_statistics=data.num_rows >= SMALL_FILE_ROWS,
    )
    return sink.getvalue().to_pybytes()


def arrow_table(frame: pd.DataFrame) -> Any:
    """``pa.Table.from_pandas(frame, preserve_index=False)``, the same table (its pandas
    schema metadata aside, which :func:`encode_table` replaces), built column by column when
    every column is a numpy number or boolean or a pyarrow-backed string, as the model's
    tables are: pandas' per-column conversion pass is most of a run's encoding time (3.2 ms
    against 1.7 ms for a county_yearly of 47 columns). Other frames go through pandas.
    """
    import pyarrow as pa

    names = frame.columns.tolist()
    if frame.columns.has_duplicates or not all(isinstance(name, str) for name in names):
        return pa.Table.from_pandas(frame, preserve_index=False)
    arrays = []
    for kind, values in zip(frame.dtypes.tolist(), column_arrays(frame), strict=True):
        if isinstance(kind, np.dtype) and kind.kind in "iufb":
            arrays.append(pa.array(values, from_pandas=True))  # NaN -> null
        elif isinstance(kind, pd.StringDtype) and kind.storage == "pyarrow":
            arrays.append(pa.array(values))
        else:
            return pa.Table.from_pandas(frame, preserve_index=False)
    return pa.table(arrays, names=names)


def retyped(array: Any, kind: Any) -> Any:
    """``array`` cast to ``kind`` (itself when it is of that type already: a cast is slow)."""
    return array if array.type == kind else array.cast(kind)


def arrow_type(name: str) -> Any:
    """The Arrow type of a type name (``string`` is the large string pandas writes)."""
    import pyarrow as pa

    return pa.large_string() if name == "string" else pa.type_for_alias(name)


def with_units(data: Any, table: str) -> Any:
    """An Arrow table whose fields carry their column's ``unit`` and ``description``
    (:func:`model.columns.describe`) as field metadata; undeclared columns carry none."""
    fields = tuple((field.name, field.type) for field in data.schema)
    schema = described_schema(table, fields).with_metadata(data.schema.metadata)
    return data.cast(schema)


@functools.lru_cache(maxsize=256)
def described_schema(table: str, fields: tuple[tuple[str, Any], ...]) -> Any:
    """The Arrow schema of ``(name, type)`` fields of ``table``, each declared column's field
    carrying its ``unit`` and ``description`` as metadata (no schema metadata).

    Cached: a batch writes the same few schemas thousands of times, and describing them was
    a tenth of the cost of storing a run.
    """
    import pyarrow as pa

    describe = describer(table)
    described = []
    for name, kind in fields:
        column = describe(name)
        field = pa.field(name, kind)
        if column is not None:
            field = field.with_metadata({b"unit": column.unit, b"description": column.description})
        described.append(field)
    return pa.schema(described)


def encode_run(
    key: str,
    tables: dict[str, pd.DataFrame],
    meta: dict[str, Any],
    identity: Sequence[Label] = (),
) -> dict[str, bytes]:
    """Encode a run's tables, each with the identity columns and ``run_key`` (on the worker)."""
    full = {"key": key, "format": FORMAT, **meta}
    labels = [*(label for label in identity if label[0] != "run_key"), ("run_key", key, "string")]
    return {name: encode_table(frame, full, labels, name) for name, frame in tables.items()}


def run_columns(data: pd.DataFrame, meta: dict[str, Any]) -> pd.DataFrame:
    """A stored table as the run returned it: its own columns, in the run's order.

    Files of layout 2 and older carry no column list: only their ``run_key`` is dropped.
    """
    if "columns" not in meta:
        return data.drop(columns="run_key")
    columns = list(meta["columns"])
    if not columns:  # the run's table had no columns at all (no alliances, say)
        return pd.DataFrame(index=pd.RangeIndex(len(data)))
    return data[columns]


def read_meta(path: Path) -> dict[str, Any]:
    """The identity stored in a run file.

    Raises:
        DamagedFileError: When the file or its metadata cannot be read.
    """
    import pyarrow.parquet as pq

    try:
        return json.loads((pq.read_schema(path).metadata or {})[META_KEY])
    except Exception as err:  # any failure means a damaged file
        raise DamagedFileError(str(err)) from None


def read_table(path: Path) -> Any:
    """A run file as an Arrow table, checked to hold the run its name says.

    Raises:
        DamagedFileError: When it cannot be read or holds another run.
    """
    import pyarrow.parquet as pq

    try:
        data = pq.read_table(path)
        meta = json.loads((data.schema.metadata or {})[META_KEY])
    except Exception as err:  # any failure means a damaged file
        raise DamagedFileError(str(err)) from None
    if meta.get("key") != path.stem:
        raise DamagedFileError(f"it holds run {meta.get('key')!r}")
    return data


def is_readable(path: Path, key: str) -> bool:
    """Whether a run file's metadata and footer can be read and name run ``key``."""
    import pyarrow.parquet as pq

    try:
        ok = read_meta(path).get("key") == key
        pq.read_metadata(path)
    except Exception:  # any failure means a damaged file
        return False
    return ok
