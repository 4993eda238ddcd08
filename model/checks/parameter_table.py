"""The project's parameter table, ``data/parameters.csv``, generated from the code.

Every scenario parameter comes from :func:`model.scenario.parameter_rows` (default, unit,
range, source and description as declared with :func:`model.params.param`), with the
module that declares its section (``used_in``). The per-crop economics of the crop sheet
(``data/crops.csv``, the file named by ``farming.crops_file``) and the land uses
(``data/land_uses.csv``) are parameters too and are added row by row, each with the
sheet row's source.

Regenerate after changing the schema or the sheets::

    .venv/bin/python -m model.checks.parameter_table            # writes data/parameters.csv
    .venv/bin/python -m model.checks.parameter_table --check    # exit 1 when the file is stale

``tests/test_parameter_table.py`` fails when the file no longer matches the code.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel

from model.atomic import atomic_write
from model.checks.generated import generate_or_check
from model.mechanisms.crops import CROP_COLUMNS
from model.mechanisms.land_use import CONVERSION_NUMBERS
from model.paths import DATA_DIR, PROJECT_ROOT
from model.scenario import Scenario, parameter_rows
from model.schema_errors import submodel

#: Where the table is written by default.
TABLE_PATH = DATA_DIR / "parameters.csv"

#: Columns of the table.
COLUMNS = (
    "parameter",
    "kind",
    "value",
    "unit",
    "min",
    "max",
    "source",
    "used_in",
    "description",
)

#: Units and meanings of the land-use sheet's conversion columns.
CONVERSION_UNITS = {
    "investment_per_mu": "yuan/mu",
    "first_yield_year": "yr",
    "full_yield_year": "yr",
    "learning_cost_per_mu": "yuan/mu",
    "reversal_cost_per_mu": "yuan/mu",
    "asset_life_years": "yr",
    "max_land_share": "share",
}
CONVERSION_DESCRIPTIONS = {
    "category": "Category (grain, open_field, greenhouse, orchard)",
    "investment_per_mu": "Investment to convert one mu",
    "first_yield_year": "Years after conversion before the first yield",
    "full_yield_year": "Years after conversion before the full yield",
    "learning_cost_per_mu": "One-off learning cost of a household new to the use, per mu",
    "reversal_cost_per_mu": "Cost of converting one mu back to grain",
    "asset_life_years": "Life of the investment (annuity horizon)",
    "max_land_share": "Largest share of a household's land under the use",
}

#: Units of the crop sheet's columns.
CROP_UNITS = {
    "yield_kg_per_mu": "kg/mu/yr",
    "yield_cv": "share",
    "price_yuan_per_kg": "yuan/kg",
    "price_cv": "share",
    "cash_cost_per_mu": "yuan/mu/yr",
    "labour_days_per_mu": "days/mu/yr",
    "scale_labour_days_per_mu": "days/mu/yr",
    "harvest_months": "month:share",
    "cost_months": "month:share",
}
#: Crop-sheet columns holding the observed range of another column.
CROP_RANGES = {
    "yield_kg_per_mu": ("yield_min", "yield_max"),
    "price_yuan_per_kg": ("price_min", "price_max"),
}
#: What each crop-sheet column means.
CROP_DESCRIPTIONS = {
    "yield_kg_per_mu": "Mean yield per mu (family farm)",
    "yield_cv": "Coefficient of variation of the yearly county-wide yield shock",
    "price_yuan_per_kg": "Mean farm-gate price (long-run mean for ginger)",
    "price_cv": "Coefficient of variation of the yearly price shock",
    "cash_cost_per_mu": "Cash production cost per mu",
    "labour_days_per_mu": "Family labour days per mu (valued when land is pooled)",
    "scale_labour_days_per_mu": "Hired labour days per mu on an operator's land",
    "harvest_months": "Share of revenue landing in each month",
    "cost_months": "Share of cash cost incurred in each month",
}


def format_value(value: Any) -> str:
    """The text of a value in the table (the test compares with the same function)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def declaring_module(dotted: str) -> str:
    """The module that declares the section holding a dotted scenario parameter.

    Args:
        dotted: e.g. ``"policies.land_pooling.rent"``.

    Returns:
        e.g. ``"model.mechanisms.pooling"`` (``"model.scenario"`` for the top-level fields).
    """
    owner: type[BaseModel] = Scenario
    for part in dotted.split(".")[:-1]:
        sub = submodel(owner.model_fields[part].annotation)
        if sub is None:
            raise KeyError(f"{dotted!r}: '{part}' is not a section")
        owner = sub
    if dotted.split(".")[-1] not in owner.model_fields:
        raise KeyError(f"unknown parameter {dotted!r}")
    return owner.__module__


def scenario_rows() -> list[dict[str, str]]:
    """The scenario schema's parameters as table rows."""
    rows = []
    for row in parameter_rows():
        rows.append(
            {
                "parameter": row["parameter"],
                "kind": "scenario",
                "value": format_value(row["default"]),
                "unit": format_value(row["unit"]),
                "min": format_value(row["min"]),
                "max": format_value(row["max"]),
                "source": format_value(row["source"]),
                "used_in": declaring_module(row["parameter"]),
                "description": format_value(row["description"]),
            }
        )
    return rows


def _sheet_paths() -> tuple[Path, Path]:
    defaults = Scenario()
    crops = defaults.resolve_data_path("farming.crops_file")
    uses = defaults.resolve_data_path("farming.land_uses_file")
    assert crops is not None and uses is not None  # non-empty defaults
    return crops, uses


def _relative(path: Path) -> str:
    try:
        return path.resolve().relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return str(path)


def sheet_rows(crops_path: Path | None = None, land_uses_path: Path | None = None) -> list[dict]:
    """The crop sheet's and the land-use sheet's entries as table rows.

    Args:
        crops_path: Crop sheet; default the file named by ``farming.crops_file``.
        land_uses_path: Land-use sheet; default ``farming.land_uses_file``.
    """
    default_crops, default_uses = _sheet_paths()
    crops_path = crops_path or default_crops
    land_uses_path = land_uses_path or default_uses
    crops = pd.read_csv(crops_path, dtype=str, keep_default_na=False)
    uses = pd.read_csv(land_uses_path, dtype=str, keep_default_na=False)
    where_crops = f"model.mechanisms.crops ({_relative(crops_path)})"
    where_uses = f"model.mechanisms.crops ({_relative(land_uses_path)})"
    rows: list[dict[str, str]] = []
    columns = [c for c in CROP_COLUMNS if c not in ("crop", "source")]
    for _, crop in crops.iterrows():
        label = crop.get("label_zh", "")
        for column in columns:
            low_col, high_col = CROP_RANGES.get(column, ("", ""))
            description = CROP_DESCRIPTIONS.get(column, column)
            rows.append(
                {
                    "parameter": f"crops.{crop['crop']}.{column}",
                    "kind": "crop sheet",
                    "value": crop[column].strip(),
                    "unit": CROP_UNITS.get(column, ""),
                    "min": crop.get(low_col, "").strip() if low_col else "",
                    "max": crop.get(high_col, "").strip() if high_col else "",
                    "source": crop["source"].strip(),
                    "used_in": where_crops,
                    "description": f"{description}: {crop['crop']}"
                    + (f" ({label})" if label else ""),
                }
            )
    for _, use in uses.iterrows():
        rows.append(
            {
                "parameter": f"land_uses.{use['land_use']}.crops",
                "kind": "land-use sheet",
                "value": use["crops"].strip(),
                "unit": "-",
                "min": "",
                "max": "",
                "source": use["source"].strip(),
                "used_in": where_uses,
                "description": f"Crops grown on one mu in a year under land use {use['land_use']}",
            }
        )
        rows.extend(_conversion_rows(use, where_uses))
    return rows


def _conversion_rows(use: pd.Series, where: str) -> list[dict[str, str]]:
    """The land-use sheet's conversion economics of one land use, a row per column."""
    name = use["land_use"]
    return [
        {
            "parameter": f"land_uses.{name}.{column}",
            "kind": "land-use sheet",
            "value": str(use.get(column, "")).strip(),
            "unit": CONVERSION_UNITS.get(column, "-"),
            "min": "0" if column in CONVERSION_NUMBERS else "",
            "max": "1" if column == "max_land_share" else "",
            "source": str(use.get("conversion_source", "")).strip(),
            "used_in": where.replace("model.mechanisms.crops", "model.mechanisms.land_use"),
            "description": f"{CONVERSION_DESCRIPTIONS.get(column, column)}: land use {name}",
        }
        for column in ("category", *CONVERSION_NUMBERS)
        if column in use.index
    ]


def parameter_table() -> pd.DataFrame:
    """Every parameter: the scenario schema, then the crop and land-use sheets."""
    return pd.DataFrame(scenario_rows() + sheet_rows(), columns=list(COLUMNS))


def render_csv(table: pd.DataFrame | None = None) -> str:
    """The table as CSV text (what ``data/parameters.csv`` holds)."""
    table = parameter_table() if table is None else table
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in table.itertuples(index=False):
        writer.writerow(["" if pd.isna(v) else str(v) for v in row])
    return buffer.getvalue()


def write_table(path: Path = TABLE_PATH) -> Path:
    """Write the table; return the path."""
    return atomic_write(path, render_csv())


def main(argv: list[str] | None = None) -> int:
    """``python -m model.checks.parameter_table [--out PATH] [--check]``."""
    return generate_or_check(
        "model.checks.parameter_table",
        "Generate data/parameters.csv from the scenario schema and the sheets.",
        TABLE_PATH,
        render_csv,
        argv,
    )


if __name__ == "__main__":
    raise SystemExit(main())
