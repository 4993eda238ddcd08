"""Run files: one Parquet file per table of a run, with the run's identity inside.

Every file holds a table's rows (with a ``run_key`` column) and, as JSON in the Parquet
schema metadata, the run's key and identity (scenario, replicate, seed, model version,
worker, wall time, final summary, resolved scenario), so that a file alone says which run
it is. Workers encode (:func:`encode_run`: converting and compressing is most of the cost
of storing a run, and a single driver doing it for hundreds of workers would be the
bottleneck); the driver writes and reads (:func:`read_table`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

#: Marker that identifies a jointvillage results folder (and its run files).
FORMAT = "jointvillage-results"
#: Key of the Parquet schema metadata holding the run's identity and summary.
META_KEY = b"jointvillage"


class DamagedFileError(ValueError):
    """A run file that cannot be read, or holds another run than its name says."""


def encode_table(frame: pd.DataFrame, meta: dict[str, Any]) -> bytes:
    """A Parquet file's bytes: the rows, with ``meta`` as JSON in the schema metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    metadata = dict(table.schema.metadata or {})
    metadata[META_KEY] = json.dumps(meta, sort_keys=True, default=str).encode()
    sink = pa.BufferOutputStream()
    pq.write_table(table.replace_schema_metadata(metadata), sink)
    return sink.getvalue().to_pybytes()


def encode_run(key: str, tables: dict[str, pd.DataFrame], meta: dict[str, Any]) -> dict[str, bytes]:
    """Encode a run's tables, each with a ``run_key`` column (on the worker)."""
    full = {"key": key, "format": FORMAT, **meta}
    return {name: encode_table(frame.assign(run_key=key), full) for name, frame in tables.items()}


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
