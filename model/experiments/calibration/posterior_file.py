"""Posterior files: the sample of a calibration that other commands read.

A posterior is two files side by side in the calibration's output folder:

* ``posterior.parquet`` (and the same table as ``posterior.csv``): one row per draw, one
  column per free parameter, named by its dotted scenario field; rows are equally weighted;
* ``posterior.json``: ``format`` (``"jointvillage-posterior"``), ``format_version``, the
  ``parameters`` (each ``path``, prior ``min``/``max``, the prior's ``reason``, and the
  sample's ``median``, ``q05``, ``q95``), ``rows``, the ``calibrated_point``, and the
  provenance: the ``calibration`` (file, name, seed, replicates, targets with their
  sources), the ``method`` and its settings, the ``waves`` (runs, non-implausible share),
  the effective sample size, the model version and the code fingerprint.

``jointvillage compare --posterior FILE`` and ``batch --posterior FILE`` accept either
file, or the folder holding them (:func:`load_posterior`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.atomic import atomic_write, atomic_write_parquet
from model.errors import InputError, did_you_mean
from model.scenario import parameter_rows, scenario_field

#: The ``format`` field of a posterior file.
FORMAT = "jointvillage-posterior"
#: Its version (bumped when the layout changes).
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Posterior:
    """A posterior read from its files.

    Attributes:
        rows: One equally weighted row per draw, one column per parameter path.
        meta: The ``posterior.json`` contents.
        path: The ``posterior.json`` it was read from.
    """

    rows: pd.DataFrame
    meta: dict[str, Any]
    path: Path

    @property
    def names(self) -> list[str]:
        """The parameter paths."""
        return list(self.rows.columns)

    def describe(self) -> str:
        """One line for reports: what the intervals now include."""
        name = self.meta.get("calibration", {}).get("name", "?")
        return (
            f"intervals include parameter uncertainty: each replicate draws "
            f"{', '.join(self.names)} from the posterior of calibration '{name}' "
            f"({len(self.rows)} rows, {self.path}), the same draw in every arm"
        )


def summary_rows(rows: pd.DataFrame, ranges: dict[str, tuple[float, float]]) -> list[dict]:
    """Each parameter's prior and posterior median and 90 % interval."""
    out = []
    for name in rows.columns:
        values = rows[name].to_numpy(float)
        low, high = ranges[name]
        out.append(
            {
                "path": name,
                "min": low,
                "max": high,
                "median": float(np.median(values)),
                "q05": float(np.quantile(values, 0.05)),
                "q95": float(np.quantile(values, 0.95)),
            }
        )
    return out


def write_posterior(folder: Path, rows: pd.DataFrame, meta: dict[str, Any]) -> Path:
    """Write ``posterior.parquet``, ``posterior.csv`` and ``posterior.json``; returns the JSON."""
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_parquet(rows, folder / "posterior.parquet")
    atomic_write(folder / "posterior.csv", rows.to_csv(index=False))
    body = {"format": FORMAT, "format_version": FORMAT_VERSION, "rows": len(rows), **meta}
    path = folder / "posterior.json"
    atomic_write(path, json.dumps(body, indent=1, ensure_ascii=False, default=str))
    return path


def load_posterior(path: str | Path, flag: str = "--posterior") -> Posterior:
    """Read a posterior (its JSON, its Parquet file or their folder).

    Raises:
        InputError: Missing or foreign files, parameters that are not scenario fields,
            columns that do not match, no rows or values that are not finite.
    """
    given = Path(path)
    folder = given if given.is_dir() else given.parent
    meta_path, table_path = folder / "posterior.json", folder / "posterior.parquet"
    for needed in (meta_path, table_path):
        if not needed.is_file():
            raise InputError(
                flag,
                "posterior",
                str(path),
                f"a calibration's posterior ({needed.name} is missing)",
            )
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        rows = pd.read_parquet(table_path)
    except (OSError, ValueError) as err:
        raise InputError(flag, "posterior", str(path), f"a readable posterior ({err})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise InputError(flag, "posterior", str(meta_path), f"a file of format '{FORMAT}'")
    _check_rows(rows, meta, str(meta_path), flag)
    return Posterior(rows.astype(float), meta, meta_path)


def _check_rows(rows: pd.DataFrame, meta: dict[str, Any], where: str, flag: str) -> None:
    paths = [p.get("path") for p in meta.get("parameters", []) if isinstance(p, dict)]
    if not paths or list(rows.columns) != paths:
        raise InputError(
            flag, "posterior", where, f"posterior.parquet's columns {list(rows.columns)} = {paths}"
        )
    known = [row["parameter"] for row in parameter_rows()]
    for name in paths:
        if scenario_field(name) is None:
            raise InputError(
                flag, "posterior.parameters", name, "a scenario field", did_you_mean(name, known)
            )
    values = rows.to_numpy(float) if len(rows) else np.empty((0, 0))
    if not len(rows) or not np.isfinite(values).all():
        raise InputError(flag, "posterior", where, "at least one row, every value finite")
