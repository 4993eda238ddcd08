"""The column dictionary: every output table's columns, with unit, type and description.

Declared once here and read by the results store (units in each stored file's Parquet
schema, :mod:`model.experiments.run_files`), by ``jointvillage export`` and by the generated
``docs/outputs.md`` (:mod:`model.checks.output_dictionary`). The columns that follow the
registries are derived from them when asked for, never frozen at import: the county outputs
of ``county_yearly`` come from :data:`model.registry.COUNTY_OUTPUTS`, the ``income_<source>``
columns from :data:`model.registry.INCOME_SOURCES` and the ``collective_<source>`` columns of
``village_yearly`` from :data:`model.registry.COLLECTIVE_SOURCES`. So a mechanism that
registers an output or a source is described without touching this file, and a column the
recorder makes but nobody declared fails ``tests/test_outputs_dictionary.py``.

The *identity* columns (scenario, variant, replicate, seed, run_key and the
``param:<field>`` / ``design:<field>`` columns of sweeps and designs) are carried by every
stored table of a batch; a ``param:`` column's unit is the scenario field's declared unit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache

from model.registry import COLLECTIVE_SOURCES, COUNTY_OUTPUTS, INCOME_SOURCES

#: Prefix of the columns holding the scenario values of a sweep or design point.
PARAM_PREFIX = "param:"
#: Prefix of the columns holding raw design values (before rounding integer fields).
DESIGN_PREFIX = "design:"
#: Units of counted things: county outputs in these units are whole numbers.
COUNT_UNITS = frozenset({"villages", "households", "persons"})


@dataclass(frozen=True)
class Column:
    """One column of an output table.

    Attributes:
        name: Column name.
        unit: Unit of the values (``-`` for names, flags and pure numbers).
        description: What the column holds.
        dtype: Arrow type name of the values (``float64``, ``int64``, ``bool``, ``string``).
    """

    name: str
    unit: str
    description: str
    dtype: str = "float64"


def _c(name: str, unit: str, description: str, dtype: str = "float64") -> Column:
    return Column(name, unit, description, dtype)


#: Columns shared by several tables.
YEAR = _c(
    "year",
    "yr",
    "calendar year; the first row of a yearly table is year 0, the county as built before "
    "any step (the year before the first simulated year)",
    "int64",
)
MONTH = _c("month", "-", "month of the year (1-12)", "int64")
VILLAGE_ID = _c("village_id", "-", "village identifier", "string")

#: Tables a run can be asked to keep (``outputs.tables`` of an experiment).
RUN_TABLES = ("county_yearly", "county_monthly", "village_yearly", "alliance_yearly", "households")

#: The stored tables and what one row of each is.
TABLES: dict[str, str] = {
    "county_yearly": "one row per year (year 0, the county as built, then each simulated "
    "year): the county's outcomes",
    "county_monthly": "one row per month: county income flows and activity",
    "village_yearly": "one row per village and year",
    "village_monthly": "one row per village and month (when outputs.village_monthly is on)",
    "alliance_yearly": "one row per alliance and year (no rows without alliances)",
    "households": "one row per sampled household and year (outputs.household_microdata)",
}

#: Columns that identify a run, carried by every stored table of a batch (in this order;
#: the ``param:``/``design:`` columns of the plan follow ``seed``).
IDENTITY: tuple[Column, ...] = (
    _c("scenario", "-", "name of the scenario (its entry in the experiment file)", "string"),
    _c("variant", "-", "sweep or design point of the scenario (0 without a sweep)", "int64"),
    _c("replicate", "-", "replicate number (selects the run's random streams)", "int64"),
    _c("seed", "-", "scenario seed of the experiment", "int64"),
    _c("case", "-", "regression case of the run (regression-check folders only)", "string"),
    _c(
        "run_key",
        "-",
        "key of the run in the results store (hash of scenario, replicate, model version)",
        "string",
    ),
)


def _sources(unit: str, whose: str) -> list[Column]:
    """One ``income_<source>`` column per registered household income source."""
    return [
        _c(f"income_{s.name}", unit, f"{s.en}: {s.description}, {whose}") for s in INCOME_SOURCES
    ]


def _incomes(per: str, where: str) -> list[Column]:
    """``per_capita_income`` and one ``income_<source>`` column per registered source."""
    return [
        _c("per_capita_income", per, f"household income per member {where}, all sources"),
        *_sources(per, f"per member {where}"),
    ]


def _county_yearly() -> list[Column]:
    outputs = [
        _c(o.name, o.unit, o.description, "int64" if o.unit in COUNT_UNITS else "float64")
        for o in COUNTY_OUTPUTS
    ]
    return [
        YEAR,
        *_incomes("yuan/person/yr", "in the county"),
        *outputs,
    ]


def _county_monthly() -> list[Column]:
    return [
        YEAR,
        MONTH,
        _c("step", "-", "model step (months since the start)", "int64"),
        *_sources("yuan/person/month", "per member"),
        _c("per_capita_income", "yuan/person/month", "household income per member, all sources"),
        _c("collective_income_total", "yuan/month", "collective income summed over villages"),
        _c("land_pooled_mu", "mu", "land pooled to operators"),
        _c("active_sellers", "persons", "households with an active livestream seller", "int64"),
    ]


def _village_yearly() -> list[Column]:
    return [
        YEAR,
        VILLAGE_ID,
        _c("town", "-", "town (township) of the village", "string"),
        _c("alliance_id", "-", "alliance of the village ('' when in none)", "string"),
        _c("mode", "-", "joint-building mode of its alliance ('' when in none)", "string"),
        _c("allied", "-", "the village is in an alliance", "bool"),
        _c("population", "persons", "registered members of the village's households"),
        _c("migrants", "labour units", "the village's labour working outside the county"),
        _c("collective_income", "yuan/yr", "collective operating income of the village"),
        *(
            _c(f"collective_{s.name}", "yuan/yr", f"collective income from {s.description}")
            for s in COLLECTIVE_SOURCES
        ),
        _c("weak", "-", "collective income below the weak-village bar", "bool"),
        *_incomes("yuan/person/yr", "in the village"),
        _c("land_pooled_mu", "mu", "land pooled to operators"),
        _c("capacity", "-", "effective committee capacity (index, 0-1)"),
        _c("sellers", "persons", "active livestream sellers of the village"),
        _c("public_spending_cum", "yuan", "programme money spent on the village since the start"),
        _c("visitors", "persons", "visitors to the village's tourism sites this year"),
        _c(
            "tourism_income",
            "yuan/yr",
            "income from visitors: households' produce sales and homestays, the collective's "
            "fees less festival costs",
        ),
        _c(
            "business_capital",
            "yuan",
            "the village's equity (cash and public money put in) in running collective businesses",
        ),
    ]


def _village_monthly() -> list[Column]:
    return [
        YEAR,
        MONTH,
        VILLAGE_ID,
        *_sources("yuan/month", "village households"),
        _c("collective_income", "yuan/month", "collective income of the village this month"),
    ]


def _alliance_yearly() -> list[Column]:
    return [
        YEAR,
        _c("alliance_id", "-", "alliance identifier", "string"),
        _c("mode", "-", "joint-building mode of the alliance", "string"),
        _c("n_villages", "villages", "member villages", "int64"),
        _c("first_secretary", "-", "a first secretary is assigned", "bool"),
        _c("score", "points (0-100)", "latest quarterly evaluation score"),
        _c("effort", "share (0-1)", "members' effort"),
        _c("honours", "-", "competitions won", "int64"),
        _c("capacity_mean", "-", "mean committee capacity of the member villages (index, 0-1)"),
        _c("collective_income_total", "yuan/yr", "collective income of the member villages"),
        _c("weak_members", "villages", "member villages below the weak-village bar", "int64"),
    ]


def _households() -> list[Column]:
    return [
        YEAR,
        _c("household", "-", "household row in the county (stable across years)", "int64"),
        _c("village", "-", "village row in the county", "int64"),
        _c("members", "persons", "registered members"),
        _c("elderly", "persons", "members aged 60+"),
        _c("head_age", "yr", "age of the head"),
        _c("education", "yr", "head's years of schooling"),
        _c("labour", "labour units", "working-age labour"),
        _c("migrant", "labour units", "labour working outside the county"),
        _c("local_wage", "labour units", "labour in local wage work"),
        _c("contracted_mu", "mu", "contracted land"),
        _c("grain_mu", "mu", "own-farmed grain land"),
        _c("specialty_mu", "mu", "own-farmed land under the village specialty"),
        _c("pooled_mu", "mu", "land pooled to an operator"),
        _c("rented_out_mu", "mu", "land rented out privately"),
        _c("idle_mu", "mu", "idle land"),
        _c("leased_mu", "mu", "land leased to a specialty cooperative's greenhouse base"),
        _c("attachment", "yuan/mu/yr", "attachment to own land"),
        _c("ability", "-", "farming ability (yield multiplier)"),
        _c("earning", "-", "earning ability (wage multiplier)"),
        _c("business_income", "yuan/yr", "net income of a sideline business"),
        _c("cash_shares", "yuan", "cash shares in the pooling cooperative"),
        _c("specialty_shares", "yuan", "shares in the alliance's specialty cooperative"),
        _c("seller", "-", "trained livestream seller", "bool"),
        _c("seller_skill", "-", "seller's skill (multiplier of sales)"),
        _c("savings", "yuan", "deposits at year end (negative while the credit line is drawn)"),
        _c("debt", "yuan", "principal owed to the rural credit cooperative"),
        _c("informal_debt", "yuan", "owed to relatives and friends beyond the credit line"),
        _c("credit_limit", "yuan", "credit line (savings - debt >= -credit_limit)"),
        _c("productive_assets", "yuan", "farm machinery, tools and business stock"),
        _c("expected_income", "yuan/yr", "income the household expects this year"),
        _c("converted_mu", "mu", "grain land converted to another land use"),
        _c("converted_use", "-", "land-use index of the converted land (-1 for none)", "int64"),
        _c("converted_age", "yr", "years since the converted land was planted"),
        _c("contract_member", "-", "in an enterprise contract", "bool"),
        _c("marketing_member", "-", "sells its specialty through its joint cooperative", "bool"),
        _c("homestay_beds", "beds", "beds of the household's homestay"),
        _c("seller_years", "yr", "years the seller has sold"),
        _c("expected_margin", "yuan/mu/yr", "expected farming margin per mu of own land"),
        _c("loss_years", "yr", "consecutive years farming own land has not paid"),
        _c("exited_mu", "mu", "land left after farming it at a loss (rented out or idle)"),
        _c("lease_back_mu", "mu", "plot of an operator's base the household leases back"),
        *_sources("yuan/yr", "the household"),
        VILLAGE_ID,
        _c("per_capita_income", "yuan/person/yr", "household income per member, all sources"),
    ]


_BUILDERS = {
    "county_yearly": _county_yearly,
    "county_monthly": _county_monthly,
    "village_yearly": _village_yearly,
    "village_monthly": _village_monthly,
    "alliance_yearly": _alliance_yearly,
    "households": _households,
}


def table_columns(table: str) -> list[Column]:
    """A table's own columns, in the recorder's order (registries read now).

    Raises:
        KeyError: For a table that is not declared.
    """
    from model.recorder import is_missing_in_year_zero

    columns = _BUILDERS[table]()
    if not table.endswith("yearly") and table != "households":
        return columns
    return [
        replace(c, description=c.description + " (NaN in year 0: not yet produced)")
        if is_missing_in_year_zero(table, c.name)
        else c
        for c in columns
    ]


@cache
def _parameter_units() -> dict[str, tuple[str, str]]:
    """Scenario field -> (unit, description), from the scenario schema."""
    from model.scenario import parameter_rows

    return {r["parameter"]: (r["unit"] or "-", r["description"]) for r in parameter_rows()}


def describe(table: str, name: str) -> Column | None:
    """The declaration of a column of a stored table, or ``None`` when it has none.

    Identity columns are described in every table; ``param:<field>`` columns take the
    scenario field's unit and description, ``design:<field>`` columns the same unit.
    """
    return describer(table)(name)


def describer(table: str) -> Callable[[str], Column | None]:
    """:func:`describe` for many columns of one table: the table's declarations are read
    once (every stored run file describes each of its columns)."""
    declared: dict[str, Column] = {}
    for column in table_columns(table) if table in _BUILDERS else ():
        declared.setdefault(column.name, column)
    identity = {column.name: column for column in reversed(IDENTITY)}

    def lookup(name: str) -> Column | None:
        if name in identity:
            return identity[name]
        for prefix, what in ((PARAM_PREFIX, "value"), (DESIGN_PREFIX, "raw design value")):
            if name.startswith(prefix):
                field = name[len(prefix) :]
                unit, text = _parameter_units().get(field, ("-", "scenario field"))
                return _c(name, unit, f"{what} of scenario field {field}: {text}")
        return declared.get(name)

    return lookup
