"""What a reference keeps of a run: fingerprints of the world and summaries of the tables."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from model.errors import InputError
from model.runner import RunResult
from model.scenario import Scenario, flatten

#: Key columns of the stored tables (everything else numeric is a measure).
TABLE_KEYS: dict[str, tuple[str, ...]] = {
    "county_yearly": ("year",),
    "county_monthly": ("year", "month"),
    "village_yearly": ("year",),
    "alliance_yearly": ("year",),
}


#: Columns that identify rows in the model's tables and are never measures.
ID_COLUMNS = frozenset(
    {"scenario", "replicate", "year", "month", "step", "village_id", "alliance_id"}
)


#: Table whose final year is tested across replicates.
STAT_TABLE = "county_yearly"


#: Tables stored of every run (what the summaries read).
RUN_TABLES = tuple(TABLE_KEYS)


def column_digest(values: Iterable[Any] | pd.Series | np.ndarray) -> str:
    """A short SHA-256 of a column's values: floats by IEEE bits, others by canonical text."""
    array = values.to_numpy() if isinstance(values, pd.Series) else np.asarray(values)
    digest = hashlib.sha256()
    digest.update(f"n={len(array)};".encode())
    if array.dtype.kind == "f":
        digest.update(b"f8;" + np.ascontiguousarray(array, dtype="<f8").tobytes())
    elif array.dtype.kind in "iub":
        digest.update(b"i8;" + np.ascontiguousarray(array, dtype="<i8").tobytes())
    else:
        digest.update(b"obj;" + "\x1f".join(_canonical(v) for v in array).encode("utf-8"))
    return digest.hexdigest()[:16]


def _canonical(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "NA"
    if isinstance(value, tuple | list | np.ndarray):
        return "(" + ",".join(_canonical(v) for v in value) + ")"
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return repr(float(value))
    return str(value)


def table_digests(frame: pd.DataFrame) -> dict[str, str]:
    """Column name -> digest, plus ``(rows)`` for the row count and order of the index."""
    digests = {"(rows)": column_digest(np.arange(len(frame)) if frame.empty else frame.index)}
    for name in frame.columns:
        digests[str(name)] = column_digest(frame[name])
    return digests


def world_summary(county: Any, alliances: Any) -> dict[str, Any]:
    """Counts and column digests of a built county and its alliances."""
    villages = county.villages
    table = alliances.table
    counts = {
        "villages": len(villages),
        "towns": len(county.towns),
        "population": int(villages["population"].sum()) if "population" in villages else 0,
        "households": int(villages["households"].sum()) if "households" in villages else 0,
        "alliances": len(table),
        "allied_villages": int((np.asarray(alliances.membership) >= 0).sum()),
        "unplaced_villages": len(alliances.unplaced),
    }
    digests = {
        "county.villages": table_digests(villages),
        "county.towns": table_digests(county.towns),
        "alliances.table": table_digests(table),
        "alliances.unplaced": table_digests(alliances.unplaced),
    }
    return {"counts": counts, "digests": digests}


def _columnar(frame: pd.DataFrame, keys: Sequence[str]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for name in frame.columns:
        out[str(name)] = [_plain(v) for v in frame[name].tolist()]
    for key in keys:
        out[key] = [int(v) for v in out[key]]
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, bool | np.bool_):
        return int(value)
    if isinstance(value, int | np.integer):
        return int(value)
    value = float(value)
    if math.isnan(value):
        return None
    return value if math.isfinite(value) else ("inf" if value > 0 else "-inf")


def _measures(frame: pd.DataFrame) -> list[str]:
    return [
        str(c) for c in frame.columns if c not in ID_COLUMNS and (frame[c].dtype.kind in "fiub")
    ]


def summarise_tables(tables: dict[str, pd.DataFrame]) -> dict[str, dict[str, list[Any]]]:
    """The per-replicate values that are stored and compared.

    County tables are kept whole (one value per year or month and measure); the village and
    alliance tables are reduced to yearly totals of every numeric column (booleans count).
    """
    out: dict[str, dict[str, list[Any]]] = {}
    for name, keys in TABLE_KEYS.items():
        frame = tables.get(name)
        if frame is None or frame.empty:
            continue
        measures = _measures(frame)
        if name.startswith("county_"):
            part = frame[[*keys, *measures]].sort_values(list(keys))
        else:
            part = frame.groupby(list(keys), sort=True)[measures].sum().reset_index()
            part.columns = [*keys, *(f"{m}.sum" for m in measures)]
        out[name] = _columnar(part.reset_index(drop=True), keys)
    return out


def run_summary(result: RunResult) -> dict[str, Any]:
    """What a reference stores of one replicate: its tables summarised, households, time."""
    return {
        "tables": summarise_tables(result.tables),
        "households": int(result.meta.get("households", 0)),
        "wall_seconds": round(result.wall_seconds, 2),
    }


def input_digests(scenario: Scenario) -> dict[str, dict[str, str]]:
    """The data files a scenario reads (fields with unit ``path`` or named ``*file``) and
    the SHA-256 of their content."""
    from model.scenario import parameter_rows

    out: dict[str, dict[str, str]] = {}
    flat = flatten(scenario.to_dict())
    for row in parameter_rows():
        dotted = row["parameter"]
        is_file = row["unit"] == "path" or dotted.rsplit(".", 1)[-1].endswith("file")
        if not is_file or not isinstance(flat.get(dotted), str) or not flat[dotted]:
            continue
        try:
            path = scenario.resolve_data_path(dotted)
        except InputError:
            continue
        if path is not None:
            out[dotted] = {
                "path": str(flat[dotted]),
                "sha256": hashlib.sha256(path.read_bytes()).hexdigest()[:16],
            }
    return out
