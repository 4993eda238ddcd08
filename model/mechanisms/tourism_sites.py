"""Tourism sites and festivals: the two input tables of :mod:`model.mechanisms.tourism`.

The sites file says, per village that receives visitors, what draws them and what can take
them in: ``village_id, attractions, homestay_beds, parking_spaces, joint, source``. Attractions are
counted things (a picking park, a scenic spot, a farm-stay street); beds and parking spaces
are the village's capacity. The festivals file lists the events a village holds every year:
``village_id, festival, month, cost, visitors, source`` (the cost is borne by the organising
collective; the visitor draw is at the city's edge, before distance and capacity). Every row
must name its source. Bad input raises :class:`~model.errors.InputError` naming the file,
the column, the value and the line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from model.errors import InputError
from model.world.table_files import (
    bool_column,
    line_label,
    numeric_column,
    read_table,
    require_columns,
    text_column,
)

SITE_COLUMNS = (
    "village_id",
    "attractions",
    "homestay_beds",
    "parking_spaces",
    "joint",
    "source",
)
FESTIVAL_COLUMNS = ("village_id", "festival", "month", "cost", "visitors", "source")


@dataclass(frozen=True)
class Festival:
    """One yearly event.

    Attributes:
        village: Village row of the organiser.
        name: What the event is.
        month: Calendar month (1-12).
        cost: Yearly cost to the organising collective (yuan).
        visitors: Visitors it draws at the city's edge (persons).
    """

    village: int
    name: str
    month: int
    cost: float
    visitors: float


@dataclass(frozen=True)
class TourismSites:
    """Per-village attractions and capacity, and the festivals.

    Attributes:
        attractions: Attractions of each village (count).
        homestay_beds: Homestay beds of each village.
        parking_spaces: Visitor parking spaces of each village.
        joint: The village's sites belong to its alliance's joint venture (they receive
            visitors, and its festivals run, only while the joint venture does).
        festivals: The yearly events.
    """

    attractions: np.ndarray
    homestay_beds: np.ndarray
    parking_spaces: np.ndarray
    joint: np.ndarray
    festivals: tuple[Festival, ...]

    @classmethod
    def none(cls, n_villages: int) -> TourismSites:
        """No village receives visitors."""
        zeros = np.zeros(n_villages)
        return cls(zeros, zeros.copy(), zeros.copy(), np.zeros(n_villages, dtype=bool), ())


def _village_rows(raw: pd.DataFrame, path: Path, village_ids: pd.Series, where) -> np.ndarray:
    """The village row of each line; an unknown id is an error naming it."""
    ids = text_column(raw, "village_id", path, where)
    index = {str(v): i for i, v in enumerate(village_ids)}
    rows = np.empty(len(ids), dtype=np.int64)
    for i, vid in enumerate(ids):
        if vid not in index:
            raise InputError(str(path), "village_id", vid, "a village of the county", hint=where(i))
        rows[i] = index[vid]
    return rows


def _read(path: Path, what: str, columns: tuple[str, ...]) -> pd.DataFrame:
    raw = read_table(path, what)
    require_columns(raw, path, columns)
    text_column(raw, "source", path, line_label(path))  # every row names its source
    return raw


def read_sites(
    sites_path: Path | None, festivals_path: Path | None, village_ids: pd.Series
) -> TourismSites:
    """Read the sites and festivals files (either may be absent: no sites, no events).

    Raises:
        InputError: A missing column, an unknown village, a bad number, a repeated village.
    """
    n = len(village_ids)
    sites = TourismSites.none(n)
    attractions, beds, parking = sites.attractions, sites.homestay_beds, sites.parking_spaces
    joint = sites.joint
    if sites_path is not None:
        raw = _read(sites_path, "tourism sites file", SITE_COLUMNS)
        where = line_label(sites_path)
        rows = _village_rows(raw, sites_path, village_ids, where)
        seen, counts = np.unique(rows, return_counts=True)
        if (counts > 1).any():
            repeated = str(village_ids.iloc[int(seen[counts > 1][0])])
            raise InputError(str(sites_path), "village_id", repeated, "each village once")
        attractions[rows] = numeric_column(raw, "attractions", sites_path, where, low=0)
        beds[rows] = numeric_column(raw, "homestay_beds", sites_path, where, low=0)
        parking[rows] = numeric_column(raw, "parking_spaces", sites_path, where, low=0)
        joint[rows] = bool_column(raw, "joint", sites_path, where, default=False)
    festivals: tuple[Festival, ...] = ()
    if festivals_path is not None:
        raw = _read(festivals_path, "festivals file", FESTIVAL_COLUMNS)
        where = line_label(festivals_path)
        rows = _village_rows(raw, festivals_path, village_ids, where)
        names = text_column(raw, "festival", festivals_path, where)
        month = numeric_column(raw, "month", festivals_path, where, 1, 12, integer=True)
        cost = numeric_column(raw, "cost", festivals_path, where, low=0)
        visitors = numeric_column(raw, "visitors", festivals_path, where, low=0)
        festivals = tuple(
            Festival(
                int(rows[i]),
                str(names.iloc[i]),
                int(month.iloc[i]),
                float(cost.iloc[i]),
                float(visitors.iloc[i]),
            )
            for i in range(len(raw))
        )
    return TourismSites(attractions, beds, parking, joint, festivals)
