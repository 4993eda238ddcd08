"""Alliances: villages grouped into joint organisations (跨村联建).

This is the alliances' public face: the :class:`Alliances` result, :func:`form_alliances`,
:func:`no_alliances` and :func:`alliance_summary`. Its parts live in their own modules:

* :mod:`model.world.alliance_params`: the ``alliances`` section (``AllianceParams``) and the
  four ``MODES``;
* :mod:`model.world.alliance_growth`: formation by seed-and-grow, one growth skeleton with
  shared leads or one alliance per village;
* :mod:`model.world.alliance_modes`: the mode of each alliance;
* :mod:`model.world.alliance_files`: groupings read from a CSV or Parquet file.

:attr:`Alliances.membership` gives each village its *primary* alliance (a lead's first);
:meth:`Alliances.memberships` lists all of a village's alliances. Randomness comes only from
the generator passed in (``model.rng.stream(seed, "alliances")``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from model.errors import InputError
from model.paths import find_file
from model.world.alliance_files import read_alliance_file
from model.world.alliance_growth import grow_alliances, reason_kind
from model.world.alliance_modes import assign_modes
from model.world.alliance_params import MODES, AllianceParams
from model.world.county import County

__all__ = [
    "ALLIANCE_COLUMNS",
    "MODES",
    "SHORTFALL_TOLERANCE",
    "UNPLACED_COLUMNS",
    "AllianceParams",
    "Alliances",
    "FormationShortfallWarning",
    "FormationTargets",
    "alliance_summary",
    "form_alliances",
    "no_alliances",
]

#: Columns of :attr:`Alliances.table`.
ALLIANCE_COLUMNS = (
    "alliance_id",
    "town",
    "lead",
    "mode",
    "members",
    "n_villages",
    "population",
    "diameter_km",
)
#: Columns of :attr:`Alliances.unplaced`.
UNPLACED_COLUMNS = ("village_id", "town", "population", "reason")
#: Share of the coverage target that formation may miss before a run warns.
SHORTFALL_TOLERANCE = 0.05


class FormationShortfallWarning(UserWarning):
    """Formation fell short of its (scaled) coverage target."""


@dataclass(frozen=True)
class FormationTargets:
    """What formation aimed at and reached (targets scaled with ``county.scale``).

    Attributes:
        target_alliances: Alliances aimed at (0 = no target).
        target_coverage: Villages aimed at, counted as ``coverage_counts`` says (0 = none).
        alliances: Alliances formed.
        coverage: Villages covered, counted the same way.
    """

    target_alliances: int = 0
    target_coverage: int = 0
    alliances: int = 0
    coverage: int = 0

    @property
    def coverage_shortfall(self) -> int:
        """Villages short of the coverage target (0 when reached or when there is none)."""
        return max(self.target_coverage - self.coverage, 0)

    @property
    def alliance_shortfall(self) -> int:
        """Alliances short of the alliance target (0 when reached or when there is none)."""
        return max(self.target_alliances - self.alliances, 0)

    def warning(self) -> str:
        """A warning when coverage fell short by more than the tolerance, else ``""``."""
        if self.coverage_shortfall <= SHORTFALL_TOLERANCE * self.target_coverage:
            return ""
        return (
            f"alliance formation covered {self.coverage} of the {self.target_coverage} villages "
            f"it aimed at ({self.alliances} of {self.target_alliances} alliances) within the "
            "size, population and distance bounds; the county may be too small or sparse"
        )


@dataclass
class Alliances:
    """Formed (or loaded) alliances.

    Attributes:
        table: One row per alliance: ``alliance_id`` (str), ``town`` (str; "mixed" when a
            file grouping spans towns), ``lead`` (village row), ``mode`` (in :data:`MODES`),
            ``members`` (tuple of village rows, lead included), ``n_villages``,
            ``population``, ``diameter_km`` (largest distance between two members). A
            lead village may lead several alliances (``max_alliances_per_lead``); it is
            then in the ``members`` of each, with its full population in each
            ``population``. Other villages are in one alliance at most.
        membership: Per village row, its *primary* alliance's row in ``table``, or -1: for
            a member village its only alliance, for a lead village the first alliance it
            leads (its households belong to that alliance's joint cooperative).
        unplaced: Targeted villages left out, and why: ``village_id, town, population,
            reason``.
        targets: The formation's targets and how far it got (formed alliances only).
    """

    table: pd.DataFrame
    membership: np.ndarray
    unplaced: pd.DataFrame
    targets: FormationTargets = field(default_factory=FormationTargets)
    #: Cache of :meth:`memberships`: the table it was built from and rows per village.
    _rows_of: tuple[pd.DataFrame, dict[int, list[int]]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def memberships(self, village: int) -> list[int]:
        """Rows in :attr:`table` of every alliance the village is in (primary first)."""
        if self._rows_of is None or self._rows_of[0] is not self.table:
            rows_of: dict[int, list[int]] = {}
            for row, members in enumerate(self.table["members"]):
                for m in members:
                    rows_of.setdefault(int(m), []).append(row)
            self._rows_of = (self.table, rows_of)
        rows = self._rows_of[1].get(int(village), [])
        return sorted(rows, key=lambda row: row != self.membership[village])

    def alliances_led(self) -> np.ndarray:
        """Per village row, the number of alliances it leads."""
        leads = self.table["lead"].to_numpy(np.int64)
        return np.bincount(leads, minlength=len(self.membership)).astype(np.int64)


def no_alliances(county: County) -> Alliances:
    """An empty :class:`Alliances` for a county (the baseline)."""
    return Alliances(
        table=_table([], county, []),
        membership=np.full(len(county.villages), -1, dtype=np.int64),
        unplaced=_unplaced_frame([]),
    )


def form_alliances(
    county: County,
    params: AllianceParams,
    rng: np.random.Generator,
    file_path: Path | None = None,
) -> Alliances:
    """Group villages into alliances (or read the groupings from a file).

    Args:
        county: The built county.
        params: The scenario's ``alliances`` section.
        rng: The alliance stream (``model.rng.stream(seed, "alliances")``).
        file_path: Resolved alliance file (``scenario.resolve_data_path("alliances.file")``);
            needed when ``params.source == "file"``.

    Returns:
        The alliances; none when ``params.enabled`` is false.

    Raises:
        InputError: A missing or bad alliance file.
    """
    if not params.enabled:
        return no_alliances(county)
    targets = FormationTargets()
    if params.source == "file":
        path = _alliance_file(params, file_path)
        ids, groups, modes, leads = read_alliance_file(path, county, params)
        unplaced: list[dict[str, object]] = []
    else:
        groups, leads, unplaced, progress = grow_alliances(county, params, rng)
        ids = [f"A{k + 1:03d}" for k in range(len(groups))]
        modes = [None] * len(groups)
        targets = FormationTargets(
            progress.target_alliances, progress.target_coverage, len(groups), progress.covered
        )
        # Only a synthetic county is meant to hold the programme's (scaled) targets; a village
        # file of a few villages records its shortfall without a warning.
        if county.source == "synthetic" and (message := targets.warning()):
            warnings.warn(message, FormationShortfallWarning, stacklevel=2)
    table = _table(_lead_first(groups, leads, county), county, ids)
    table["mode"] = pd.Series(assign_modes(table, county, params, modes), dtype=str)
    membership = np.full(len(county.villages), -1, dtype=np.int64)
    # Backwards, so that a lead of several alliances keeps the first as its primary one.
    for row in range(len(table) - 1, -1, -1):
        membership[list(table["members"].iat[row])] = row
    return Alliances(table, membership, _unplaced_frame(unplaced), targets)


def _alliance_file(params: AllianceParams, given: Path | None) -> Path:
    """The alliance file to read: the resolved one given, else ``alliances.file``.

    Raises:
        InputError: No file named, or the named one is not found.
    """
    path = given if given is not None else find_file(params.file)
    if path is None:
        raise InputError(
            "alliances.file",
            "alliances.file",
            params.file,
            "data file not found"
            if params.file
            else "an alliance CSV or Parquet file is needed when alliances.source = 'file'",
        )
    return Path(path)


def _lead_first(
    groups: list[tuple[int, ...]], leads: list[int | None], county: County
) -> list[tuple[int, ...]]:
    """Each group as its lead (given, else the strongest member) and the others in village
    order: a stable, readable member tuple."""
    v = county.villages
    strength = (v["committee_capacity"] * v["collective_income_start"]).to_numpy()
    leads = [
        lead if lead is not None else int(g[np.argmax(strength[list(g)])])
        for g, lead in zip(groups, leads, strict=True)
    ]
    return [
        (lead, *sorted(m for m in g if m != lead)) for g, lead in zip(groups, leads, strict=True)
    ]


def alliance_summary(alliances: Alliances) -> dict[str, object]:
    """Counts for tables and ``county --json``.

    Returns:
        alliances, allied_villages (distinct villages in any alliance), lead_villages
        (distinct leads), max_alliances_per_lead_used, memberships (villages summed over
        alliances: a lead counts once per alliance it leads), covered_besides_lead
        (villages other than the leads), modes (count per mode), alliance_size_min/max,
        alliance_population_min/max, alliance_diameter_max_km, unplaced,
        unplaced_reasons (count per reason kind), target_alliances and target_coverage
        (scaled; 0 for alliances read from a file) and coverage_shortfall.
    """
    t = alliances.table
    n = len(t)
    reasons = alliances.unplaced["reason"].map(reason_kind).value_counts()
    allied = int((alliances.membership >= 0).sum())
    leads = t["lead"].nunique()
    return {
        "alliances": n,
        "allied_villages": allied,
        "lead_villages": int(leads),
        "max_alliances_per_lead_used": int(t["lead"].value_counts().max()) if n else 0,
        "memberships": int(t["n_villages"].sum()),
        "covered_besides_lead": allied - int(leads),
        "modes": {m: int((t["mode"] == m).sum()) for m in MODES},
        "alliance_size_min": int(t["n_villages"].min()) if n else 0,
        "alliance_size_max": int(t["n_villages"].max()) if n else 0,
        "alliance_population_min": int(t["population"].min()) if n else 0,
        "alliance_population_max": int(t["population"].max()) if n else 0,
        "alliance_diameter_max_km": round(float(t["diameter_km"].max()), 2) if n else 0.0,
        "unplaced": len(alliances.unplaced),
        "unplaced_reasons": {str(k): int(c) for k, c in reasons.items()},
        "target_alliances": alliances.targets.target_alliances,
        "target_coverage": alliances.targets.target_coverage,
        "coverage_shortfall": alliances.targets.coverage_shortfall,
    }


def _table(groups: list[tuple[int, ...]], county: County, ids: list[str]) -> pd.DataFrame:
    """The alliance table of groups (lead first) with their ids; modes are filled later."""
    v = county.villages
    xy = v[["x_km", "y_km"]].to_numpy(float)
    pop = v["population"].to_numpy(np.int64)
    towns = v["town"].to_numpy()
    rows = []
    for k, members in enumerate(groups):
        idx = list(members)
        pts = xy[idx]
        diam = float(np.max(np.linalg.norm(pts[:, None] - pts[None, :], axis=2))) if idx else 0.0
        member_towns = set(towns[idx])
        rows.append(
            {
                "alliance_id": ids[k],
                "town": member_towns.pop() if len(member_towns) == 1 else "mixed",
                "lead": int(members[0]),
                "mode": "",
                "members": tuple(int(m) for m in members),
                "n_villages": len(members),
                "population": int(pop[idx].sum()),
                "diameter_km": round(diam, 3),
            }
        )
    table = pd.DataFrame(rows, columns=list(ALLIANCE_COLUMNS))
    return table.astype(
        {
            "alliance_id": str,
            "town": str,
            "lead": np.int64,
            "mode": str,
            "members": object,
            "n_villages": np.int64,
            "population": np.int64,
            "diameter_km": np.float64,
        }
    )


def _unplaced_frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    """The unplaced villages as a typed table."""
    frame = pd.DataFrame(rows, columns=list(UNPLACED_COLUMNS))
    return frame.astype({"village_id": str, "town": str, "population": np.int64, "reason": str})
