"""Export a results folder as one tidy experiments-and-outcomes table.

As EMA Workbench users expect (its ``experiments`` and ``outcomes`` side by side), the
default export has **one row per planned run**: the experiment's inputs (scenario, variant,
replicate, seed and the ``param:<field>`` / ``design:<field>`` values of the sweep or design
point: every column of the plan), then ``run_key`` and ``final_year``, then the outcomes:
the final-year value of every ``county_yearly`` column (per-capita income and its sources,
and every registered county output). A run shared by two design points is a row under each.

``long=True`` exports the per-year (or per-village, per-month ...) rows of any stored table
instead, each labelled with the same inputs: what :func:`model.experiments.batch.load_results`
returns. Parquet files carry each column's unit and description as field metadata (as the
store's files do); CSV files carry the values only (``docs/outputs.md`` has the units).

From the command line: ``jointvillage export RESULTS --format parquet|csv [--out FILE]
[--table county_yearly] [--long] [--force]``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from model.atomic import atomic_write
from model.columns import TABLES
from model.errors import InputError, did_you_mean
from model.experiments.batch import load_results
from model.experiments.run_files import with_units
from model.experiments.store import COUNTY_YEARLY, ResultsStore

#: Formats ``export`` writes.
FORMATS = ("parquet", "csv")
#: Column of the wide table holding the year the outcomes are taken from.
FINAL_YEAR = "final_year"


def outcomes_table(
    results: str | Path, table: str = COUNTY_YEARLY, long: bool = False
) -> pd.DataFrame:
    """The experiments-and-outcomes table of a results folder (see the module docstring).

    Args:
        results: A results folder written by a batch.
        table: The stored table; the one-row-per-run table is made of ``county_yearly``.
        long: Every row of ``table``, labelled with the run's inputs, instead.

    Raises:
        InputError: For a bad folder, an unknown or unstored table, a wide export of
            another table than ``county_yearly``, or a folder without stored runs.
    """
    if table not in TABLES:
        raise InputError(
            "--table",
            "table",
            table,
            "one of " + ", ".join(TABLES),
            did_you_mean(table, TABLES),
        )
    if not long and table != COUNTY_YEARLY:
        raise InputError(
            "--table",
            "table",
            table,
            "one row per run is made of county_yearly's final year",
            "add --long for every row of this table",
        )
    plan = ResultsStore.open(results).plan()
    frame = load_results(results, table)
    if frame.empty:
        raise InputError(
            str(results),
            field="table",
            value=table,
            allowed="no stored rows of this table (no run finished, or the experiment's "
            "[outputs] tables do not keep it)",
        )
    frame.attrs = {}
    if long:
        return frame
    inputs = [c for c in plan.columns if c != "run_key"]
    last = frame.groupby(inputs, dropna=False, sort=False)["year"].transform("max")
    final = frame[frame["year"] == last].rename(columns={"year": FINAL_YEAR})
    outcomes = [c for c in final.columns if c not in (*inputs, "run_key", FINAL_YEAR)]
    return final[[*inputs, "run_key", FINAL_YEAR, *outcomes]].reset_index(drop=True)


def default_path(results: str | Path, fmt: str, table: str, long: bool) -> Path:
    """Where ``export`` writes without ``--out``: ``RESULTS/export/<table>[_long].<fmt>``."""
    return Path(results) / "export" / f"{table}{'_long' if long else ''}.{fmt}"


def write_table(frame: pd.DataFrame, path: Path, fmt: str, table: str) -> Path:
    """Write the export atomically (Parquet with each column's unit as field metadata).

    Raises:
        InputError: When ``path`` cannot be written (naming ``--out``).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    if fmt == "csv":
        data: bytes = frame.to_csv(index=False).encode("utf-8")
    else:
        arrow = with_units(pa.Table.from_pandas(frame, preserve_index=False), table)
        sink = pa.BufferOutputStream()
        pq.write_table(arrow, sink)
        data = sink.getvalue().to_pybytes()
    try:
        return atomic_write(path, data)
    except OSError as err:
        reason = err.strerror or type(err).__name__
        raise InputError(
            "--out", "out", str(path), f"a file that can be written ({reason})"
        ) from None


def export_results(
    results: str | Path,
    fmt: str = "parquet",
    out: str | Path | None = None,
    table: str = COUNTY_YEARLY,
    long: bool = False,
    force: bool = False,
) -> tuple[Path, int]:
    """Write the experiments-and-outcomes table of a results folder to a file.

    Args:
        results: A results folder written by a batch.
        fmt: ``parquet`` or ``csv``.
        out: The file; default :func:`default_path`.
        table: See :func:`outcomes_table`.
        long: See :func:`outcomes_table`.
        force: Overwrite an existing file.

    Returns:
        The file written and its number of rows.

    Raises:
        InputError: For a bad format, an existing file without ``force``, an output that
            is a folder or cannot be written, and everything :func:`outcomes_table` refuses.
    """
    if fmt not in FORMATS:
        raise InputError("--format", "format", fmt, "parquet or csv", did_you_mean(fmt, FORMATS))
    path = Path(out) if out is not None else default_path(results, fmt, table, long)
    if path.is_dir():
        raise InputError("--out", "out", str(path), "a file name; this is a folder")
    if path.exists() and not force:
        raise InputError(
            "--out", "out", str(path), "the file exists", "add --force to overwrite it"
        )
    frame = outcomes_table(results, table, long)
    return write_table(frame, path, fmt, table), len(frame)
