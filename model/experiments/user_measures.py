"""User-defined measures: added in an experiment file or by a Python function, not by editing
the package.

In an experiment file, each ``[[measures]]`` table declares one measure over one of the
runs' tables::

    [outputs]
    tables = ["county_yearly", "village_yearly"]   # the table the measure reads is kept

    [[measures]]
    name = "allied_pooled_mu"
    table = "village_yearly"
    expression = "land_pooled_mu"      # pandas expression over the table's columns
    filter = "allied"                  # pandas query choosing rows (optional)
    reduction = "sum"                  # mean | median | sum | min | max | count | share
    year = "last"                      # "last", "start" (year 0) or years since year 0
    # years = [1, 4]                   # or a span: the measure in each year of it, ...
    # over_years = "mean"              # ... averaged, or "growth": the rate a year
    unit = "mu"
    en = "Land pooled in allied villages, final year"
    zh = "末年联建村入股流转土地"

or names a Python function, by module path or entry point (group ``jointvillage.measures``)::

    [[measures]]
    name = "my_measure"
    function = "mypackage.measures:allied_share"      # or "entry-point:allied_share"
    tables = ["village_yearly"]

A function takes one run's tables (``{name: DataFrame}``, every kept table of that run) and
returns a number. Both kinds are validated when the experiment is read: an unknown column,
table or function exits 2 with a did-you-mean, before any run.

The value of a declared measure for one run is
``reduction(expression(rows of that run, in that year, where filter))``; ``share`` is the
mean of a true/false expression, ``count`` the number of rows the filter keeps. With
``years = [first, last]`` (years since year 0, both included) it is that value in each year
of the span, averaged over the years (``over_years = "mean"``: a level or a share read over
a price cycle rather than in one boom or bust year), or the growth rate a year from the
first year's value to the last's (``over_years = "growth"``).
"""

from __future__ import annotations

import ast
import importlib
import keyword
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import field_validator

from model.columns import IDENTITY, RUN_TABLES
from model.columns import table_columns as declared_columns
from model.errors import InputError, did_you_mean
from model.experiments.arms import RUN_KEYS
from model.experiments.measures import Labelled
from model.params import Section, param

#: Entry-point group of measure functions.
ENTRY_POINT_GROUP = "jointvillage.measures"
#: Reductions of a declared measure.
REDUCTIONS = ("mean", "median", "sum", "min", "max", "count", "share")
#: How the yearly values of a span of years become one number.
OVER_YEARS = ("mean", "growth")
#: Names an expression may use besides columns.
FUNCTIONS = frozenset({"abs", "log", "log1p", "exp", "sqrt", "where", "True", "False"})

Table = Literal[RUN_TABLES]  # type: ignore[valid-type]


class MeasureSpec(Section):
    """One ``[[measures]]`` table of an experiment file."""

    name: str = param(..., unit="-", source="user", description="Measure name (a column name)")
    table: Table = param(
        "county_yearly", unit="-", source="user", description="Table the measure reads"
    )
    expression: str | None = param(
        None, unit="-", source="user", description="pandas expression over the table's columns"
    )
    filter: str | None = param(
        None, unit="-", source="user", description="pandas query choosing the rows (optional)"
    )
    reduction: Literal[REDUCTIONS] = param(  # type: ignore[valid-type]
        "mean", unit="-", source="user", description="How the rows of a run become one number"
    )
    year: Literal["last", "start"] | int = param(
        "last",
        unit="-",
        source="user",
        description="'last', 'start' (year 0) or years since year 0; yearly tables only",
    )
    years: list[int] | None = param(
        None,
        unit="-",
        source="user",
        description="[first, last] years since year 0: the yearly values over the span, "
        "combined by over_years (instead of year); yearly tables only",
    )
    over_years: Literal[OVER_YEARS] = param(  # type: ignore[valid-type]
        "mean",
        unit="-",
        source="user",
        description="How the yearly values of a span become one number: their mean, or the "
        "growth rate a year from the first to the last",
    )
    function: str | None = param(
        None,
        unit="-",
        source="user",
        description="'module:function' or 'entry-point:name' (instead of an expression)",
    )
    tables: list[Table] = param(
        [], unit="-", source="user", description="Tables a function reads (function only)"
    )
    unit: str = param("-", unit="-", source="user", description="Unit of the values")
    en: str = param("", unit="-", source="user", description="English label")
    zh: str = param("", unit="-", source="user", description="Chinese label")
    description: str = param("", unit="-", source="user", description="What it measures")

    @field_validator("name")
    @classmethod
    def _identifier(cls, value: str) -> str:
        if not value.isidentifier() or keyword.iskeyword(value):
            raise ValueError("must be a name of letters, digits and _ (not starting with a digit)")
        return value


@dataclass(frozen=True)
class UserMeasure(Labelled):
    """A user-defined per-run measure, ready to compute.

    Attributes:
        name: Measure name.
        unit: Unit.
        en: English label.
        zh: Chinese label.
        description: What it measures.
        tables: The tables it reads.
        per_run: ``{table: DataFrame of one run} -> float``.
        kind: Always ``user``.
    """

    name: str
    unit: str
    en: str
    zh: str
    description: str
    tables: tuple[str, ...]
    per_run: Callable[[Mapping[str, pd.DataFrame]], float] = field(repr=False)
    kind: str = "user"

    def values(self, tables: Mapping[str, pd.DataFrame]) -> pd.Series:
        """The measure of every run found in ``tables`` (index: the run keys).

        Raises:
            InputError: When a table it reads was not kept, or the function fails.
        """
        missing = [t for t in self.tables if t not in tables or tables[t].empty]
        if missing:
            raise InputError(
                "results",
                f"measures.{self.name}",
                missing[0],
                "a table kept by the runs: add it to [outputs] tables of the experiment",
            )
        grouped = {t: _by_run(tables[t]) for t in self.tables}
        runs = sorted(set().union(*(g.keys() for g in grouped.values())), key=str)
        values = {}
        for run in runs:
            parts = {t: grouped[t].get(run, tables[t].iloc[0:0]) for t in self.tables}
            try:
                values[run] = float(self.per_run(parts))
            except Exception as err:  # a user's function or expression: say which, no traceback
                raise InputError(
                    "results", f"measures.{self.name}", _run_name(run), f"failed: {err}"
                ) from None
        index = pd.MultiIndex.from_tuples(list(values), names=list(RUN_KEYS))
        return pd.Series(list(values.values()), index=index, dtype=float, name=self.name)


def _by_run(frame: pd.DataFrame) -> dict[tuple[Any, ...], pd.DataFrame]:
    data = frame if "variant" in frame.columns else frame.assign(variant=0)
    return {key: part for key, part in data.groupby(list(RUN_KEYS), sort=False)}


def _run_name(run: tuple[Any, ...]) -> str:
    return ", ".join(f"{k}={v}" for k, v in zip(RUN_KEYS, run, strict=True))


# --------------------------------------------------------------------------------------
# Building measures from specs


def build_measures(
    specs: Sequence[MeasureSpec], source: str, known: Sequence[str] = ()
) -> list[UserMeasure]:
    """Validate specs against the tables' columns and turn them into measures.

    Args:
        specs: The ``[[measures]]`` tables.
        source: The experiment file (for messages).
        known: Names already taken (the package's measures).

    Raises:
        InputError: Unknown column, table or function; a name taken twice.
    """
    out: list[UserMeasure] = []
    taken = set(known)
    for index, spec in enumerate(specs):
        where = f"measures[{index}]"
        if spec.name in taken:
            raise InputError(source, f"{where}.name", spec.name, "a name no other measure has")
        taken.add(spec.name)
        if (spec.expression is None) == (spec.function is None):
            raise InputError(
                source, where, spec.name, "exactly one of expression = '...' or function = '...'"
            )
        if spec.function is not None:
            out.append(_function_measure(spec, source, where))
        else:
            out.append(_declared_measure(spec, source, where))
    return out


def _declared_measure(spec: MeasureSpec, source: str, where: str) -> UserMeasure:
    columns = table_columns(spec.table)
    assert spec.expression is not None
    _check_names(spec.expression, columns, source, f"{where}.expression", spec.table)
    if spec.filter:
        _check_names(spec.filter, columns, source, f"{where}.filter", spec.table)
    yearly = spec.table in ("county_yearly", "village_yearly", "alliance_yearly", "households")
    if not yearly and spec.year != "last":
        raise InputError(source, f"{where}.year", spec.year, f"'last' for the table {spec.table}")
    if isinstance(spec.year, int) and spec.year < 0:
        raise InputError(source, f"{where}.year", spec.year, "'last', 'start' or an integer >= 0")
    span = _year_span(spec, yearly, source, where)

    def in_year(frame: pd.DataFrame, year: str | int | None) -> float:
        rows = _rows_of_year(frame, year)
        if spec.filter:
            rows = rows[rows.eval(spec.filter).astype(bool)]
        return _reduce(rows, spec)

    def per_run(tables: Mapping[str, pd.DataFrame]) -> float:
        frame = tables[spec.table]
        if span is None:
            return in_year(frame, spec.year if yearly else None)
        values = [in_year(frame, year) for year in span]
        if spec.over_years == "growth":
            return float((values[-1] / values[0]) ** (1.0 / (len(values) - 1)) - 1.0)
        return float(np.mean(values))

    label = spec.en or f"{spec.reduction} of {spec.expression} in {spec.table}"
    return UserMeasure(
        spec.name,
        spec.unit,
        label,
        spec.zh or label,
        spec.description or label,
        (spec.table,),
        per_run,
    )


def _year_span(spec: MeasureSpec, yearly: bool, source: str, where: str) -> range | None:
    """The years of ``years = [first, last]`` (both included), or None without a span."""
    if spec.years is None:
        return None
    if not yearly:
        raise InputError(source, f"{where}.years", spec.years, f"no span for {spec.table}")
    if spec.year != "last":
        raise InputError(source, f"{where}.year", spec.year, "either year or years, not both")
    if len(spec.years) != 2 or not 0 <= spec.years[0] <= spec.years[1]:
        raise InputError(
            source, f"{where}.years", spec.years, "[first, last] with 0 <= first <= last"
        )
    if spec.over_years == "growth" and spec.years[0] == spec.years[1]:
        raise InputError(source, f"{where}.years", spec.years, "two years or more for a growth")
    return range(spec.years[0], spec.years[1] + 1)


def _rows_of_year(rows: pd.DataFrame, year: str | int | None) -> pd.DataFrame:
    if year is None or rows.empty:
        return rows
    years = np.sort(rows["year"].unique())
    if year == "last":
        chosen = years[-1]
    elif year == "start":
        chosen = years[0]
    else:
        if int(year) >= len(years):
            raise ValueError(f"year {year} is past the run's last year ({len(years) - 1})")
        chosen = years[int(year)]
    return rows[rows["year"] == chosen]


def _reduce(rows: pd.DataFrame, spec: MeasureSpec) -> float:
    if spec.reduction == "count":
        return float(len(rows))
    if rows.empty:
        return float("nan")
    assert spec.expression is not None
    values = pd.Series(rows.eval(spec.expression), index=rows.index)
    if spec.reduction == "share":
        return float(values.astype(bool).mean())
    return float(getattr(values.astype(float), spec.reduction)())


def _check_names(text: str, columns: Sequence[str], source: str, where: str, table: str) -> None:
    """Every name an expression reads must be a column of the table (or a known function)."""
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as err:
        raise InputError(source, where, text, f"a pandas expression ({err.msg})") from None
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id not in columns and node.id not in FUNCTIONS:
            raise InputError(
                source,
                where,
                node.id,
                f"a column of {table}: " + ", ".join(columns),
                did_you_mean(node.id, list(columns)),
            )


def _function_measure(spec: MeasureSpec, source: str, where: str) -> UserMeasure:
    assert spec.function is not None
    func = load_function(spec.function, source, f"{where}.function")
    tables = tuple(spec.tables or ["county_yearly"])
    label = spec.en or spec.name
    return UserMeasure(
        spec.name, spec.unit, label, spec.zh or label, spec.description or label, tables, func
    )


def load_function(reference: str, source: str, where: str) -> Callable[..., float]:
    """A function named ``module:function`` or ``entry-point:name``.

    Raises:
        InputError: When the module, the function or the entry point is not found.
    """
    module_name, _, name = reference.partition(":")
    if not name:
        raise InputError(source, where, reference, "'module:function' or 'entry-point:name'")
    if module_name == "entry-point":
        found = {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}
        if name not in found:
            raise InputError(
                source,
                where,
                reference,
                f"an entry point of the group {ENTRY_POINT_GROUP}: "
                + (", ".join(sorted(found)) or "none is installed"),
                did_you_mean(name, list(found)),
            )
        return found[name].load()
    try:
        module = importlib.import_module(module_name)
    except ImportError as err:
        raise InputError(source, where, reference, f"an importable module ({err})") from None
    func = getattr(module, name, None)
    if not callable(func):
        names = [n for n in dir(module) if callable(getattr(module, n)) and not n.startswith("_")]
        raise InputError(
            source, where, reference, f"a function of {module_name}", did_you_mean(name, names)
        )
    return func


# --------------------------------------------------------------------------------------
# The columns of each table


def table_columns(table: str) -> tuple[str, ...]:
    """The columns of one of the runs' stored tables: the identity columns, then the
    table's own as :mod:`model.columns` declares them (registered outputs included)."""
    return (*(c.name for c in IDENTITY), *(c.name for c in declared_columns(table)))
