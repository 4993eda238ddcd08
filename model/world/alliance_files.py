"""Alliance files: groupings read from a CSV or Parquet file.

Columns ``alliance_id, village_id`` and optional ``mode`` (one of
:data:`~model.world.alliance_params.MODES`) and ``lead`` (true/false; at most one per
alliance, default: the strongest member). A village may be in several alliances only as
their flagged lead (``lead`` true on each of its lines), in at most
``max_alliances_per_lead`` of them. With ``check_file_bounds``, each grouping must obey the
size, population and distance bounds. Bad input raises :class:`~model.errors.InputError`
naming the file, the column, the value, the line and what is allowed.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from model.errors import InputError
from model.world.alliance_params import MODES, AllianceParams
from model.world.county import County
from model.world.table_files import (
    RowLabel,
    bool_column,
    category_column,
    line_label,
    read_table,
    require_columns,
    require_rows,
    text_column,
)


class FileGroupings(NamedTuple):
    """Alliances as an alliance file gives them, in the order they first appear.

    Attributes:
        ids: Alliance ids.
        groups: Member rows of each alliance.
        modes: The file's mode of each alliance, or ``None``.
        leads: The flagged lead row of each alliance, or ``None`` (the strongest member).
    """

    ids: list[str]
    groups: list[tuple[int, ...]]
    modes: list[str | None]
    leads: list[int | None]


def read_alliance_file(path: Path, county: County, params: AllianceParams) -> FileGroupings:
    """Read and validate alliance groupings.

    Returns:
        The groupings, in the order alliances first appear in the file.

    Raises:
        InputError: Naming the file, column, value, line and what is allowed.
    """
    raw = read_table(path, "alliance file")
    where = line_label(path)
    rule = "required column missing (required: {required}; optional: mode, lead)"
    require_columns(raw, path, ("alliance_id", "village_id"), rule)
    require_rows(raw, path, "alliance file")
    aid = text_column(raw, "alliance_id", path, where).to_numpy()
    vid = text_column(raw, "village_id", path, where).to_numpy()
    village_row = _village_rows(vid, aid, county, path, where)
    modes_col = _file_modes(raw, path, where)
    leads_col = _file_leads(raw, path, where)
    _check_repeats(path, aid, vid, leads_col, where, params.max_alliances_per_lead)

    found = FileGroupings(list(dict.fromkeys(aid)), [], [], [])
    for alliance in found.ids:
        rows = np.flatnonzero(aid == alliance)
        found.groups.append(tuple(int(r) for r in village_row[rows]))
        found.modes.append(_alliance_mode(alliance, rows, modes_col, path, where, params))
        flagged = [r for r in rows if leads_col[r]]
        if len(flagged) > 1:
            raise InputError(
                str(path),
                "lead",
                [vid[r] for r in flagged],
                "at most one lead village per alliance",
                hint=f"alliance '{alliance}'",
            )
        found.leads.append(int(village_row[flagged[0]]) if flagged else None)
    if params.check_file_bounds:
        _check_bounds(path, found.ids, found.groups, county, params)
    return found


def _village_rows(
    vid: np.ndarray, aid: np.ndarray, county: County, path: Path, where: RowLabel
) -> np.ndarray:
    """The county's row of each line's village; an unknown village_id is an error."""
    rows_of = pd.Series(np.arange(len(county.villages)), index=county.villages["village_id"])
    unknown = ~pd.Series(vid).isin(rows_of.index).to_numpy()
    if unknown.any():
        i = int(np.flatnonzero(unknown)[0])
        raise InputError(
            str(path),
            "village_id",
            vid[i],
            f"a village_id of the county ({county.source}, {len(rows_of)} villages)",
            hint=f"{where(i)}, alliance_id '{aid[i]}'; e.g. '{rows_of.index[0]}'",
        )
    return rows_of.loc[vid].to_numpy()


def _file_modes(raw: pd.DataFrame, path: Path, where: RowLabel) -> list[str | None]:
    """Each line's mode (``None`` where empty or without a mode column)."""
    if "mode" not in raw.columns:
        return [None] * len(raw)
    modes = category_column(raw, "mode", MODES, path, where, required=False)
    return [None if pd.isna(mode) else str(mode) for mode in modes]


def _file_leads(raw: pd.DataFrame, path: Path, where: RowLabel) -> list[bool]:
    """Each line's lead flag (false where empty or without a lead column)."""
    if "lead" not in raw.columns:
        return [False] * len(raw)
    return bool_column(raw, "lead", path, where, default=False).tolist()


def _alliance_mode(
    alliance: str,
    rows: np.ndarray,
    modes_col: list[str | None],
    path: Path,
    where: RowLabel,
    params: AllianceParams,
) -> str | None:
    """The one mode an alliance's lines give (``None``: none given)."""
    given = {modes_col[r] for r in rows if modes_col[r] is not None}
    if len(given) > 1:
        raise InputError(
            str(path),
            "mode",
            sorted(given),
            "one mode per alliance",
            hint=f"alliance '{alliance}', {where(rows[0])}..{where(rows[-1])}",
        )
    mode = given.pop() if given else None
    if params.mode_rule == "file" and mode is None:
        raise InputError(
            str(path),
            "mode",
            "",
            f"a mode for every alliance when alliances.mode_rule = 'file'; "
            f"one of {', '.join(MODES)}",
            hint=f"alliance '{alliance}' ({where(rows[0])})",
        )
    return mode


def _check_repeats(
    path: Path,
    aid: np.ndarray,
    vid: np.ndarray,
    leads_col: list[bool],
    where: RowLabel,
    per_lead: int,
) -> None:
    """A village is in one alliance, unless it leads each (up to ``per_lead``) it is in."""
    seen: dict[str, list[int]] = {}
    for i, village in enumerate(vid):
        lines = seen.setdefault(village, [])
        for j in lines:
            if aid[j] == aid[i]:
                raise InputError(
                    str(path),
                    "village_id",
                    village,
                    "a village appears once in an alliance",
                    hint=f"{where(j)} and {where(i)}, alliance '{aid[i]}'",
                )
        lines.append(i)
        if len(lines) < 2:
            continue
        j = lines[0]
        both = f"{where(j)} (alliance '{aid[j]}') and {where(i)} (alliance '{aid[i]}')"
        if per_lead == 1 or not all(leads_col[k] for k in lines):
            allowed = (
                "a village belongs to at most one alliance"
                if per_lead == 1
                else "a member village belongs to at most one alliance; a lead village "
                f"(lead = true on each of its lines) may lead up to {per_lead}"
            )
            raise InputError(str(path), "village_id", village, allowed, hint=both)
        if len(lines) > per_lead:
            raise InputError(
                str(path),
                "village_id",
                village,
                f"a lead village leads at most {per_lead} alliances "
                "(alliances.max_alliances_per_lead)",
                hint=", ".join(f"{where(k)} (alliance '{aid[k]}')" for k in lines),
            )


def _check_bounds(
    path: Path,
    ids: list[str],
    groups: list[tuple[int, ...]],
    county: County,
    params: AllianceParams,
) -> None:
    """File groupings must obey the same size, population and distance rules."""
    v = county.villages
    pop = v["population"].to_numpy(np.int64)
    xy = v[["x_km", "y_km"]].to_numpy(float)
    hint = "set alliances.check_file_bounds = false to accept it"
    for alliance, members in zip(ids, groups, strict=True):
        idx = list(members)
        size = len(idx)
        if not params.min_villages <= size <= params.max_villages:
            raise InputError(
                str(path),
                "n_villages",
                size,
                f"alliance '{alliance}': {params.min_villages}-{params.max_villages} villages",
                hint=hint,
            )
        total = int(pop[idx].sum())
        if not params.min_population <= total <= params.max_population:
            raise InputError(
                str(path),
                "population",
                total,
                f"alliance '{alliance}': {params.min_population}-{params.max_population} "
                "people in total",
                hint=hint,
            )
        pts = xy[idx]
        diam = float(np.max(np.linalg.norm(pts[:, None] - pts[None, :], axis=2)))
        if diam > params.max_distance_km + 1e-9:
            raise InputError(
                str(path),
                "distance_km",
                round(diam, 2),
                f"alliance '{alliance}': members at most {params.max_distance_km:g} km apart",
                hint=hint,
            )
