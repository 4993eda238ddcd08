"""Property-based test: any valid scenario keeps the invariants and gives finite outputs.

Hypothesis draws scenarios within the schema's own ranges (every bound, type and choice is
read from the schema, so a new parameter is covered without editing this file), runs each on
a small county for a few years with the runtime invariants on, and checks that every number
in every output table is finite. A bounded number of examples runs in ``make test``; many
more run under the slow marker (``make test-slow``).
"""

from __future__ import annotations

import math
import typing
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from model.errors import InputError
from model.recorder import non_finite_columns
from model.runner import run_scenario
from model.scenario import Scenario, load_scenario, submodel

#: Fields the test sets itself (size and horizon of the run) or that name files.
FIXED = {"name", "description", "seed", "years", "start_year", "county.scale", "county.source"}
SMALL_RUN = ["county.scale=0.05", "years=3"]
#: Switches drawn in every example, so that policies and alliances are on about half the time.
SWITCHES = (
    "alliances.enabled",
    "policies.land_pooling.enabled",
    "policies.coop_shares.enabled",
    "policies.enterprise_contracts.enabled",
    "policies.livestream_training.enabled",
)


@dataclass(frozen=True)
class Field:
    """One scalar field of the schema, with what it accepts."""

    dotted: str
    kind: str  # float | int | bool | choice
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    choices: tuple[Any, ...] = ()


def _bounds(info: Any) -> tuple[float | None, float | None, bool, bool]:
    low = high = None
    low_open = high_open = False
    for meta in info.metadata:
        if getattr(meta, "ge", None) is not None:
            low = meta.ge
        if getattr(meta, "gt", None) is not None:
            low, low_open = meta.gt, True
        if getattr(meta, "le", None) is not None:
            high = meta.le
        if getattr(meta, "lt", None) is not None:
            high, high_open = meta.lt, True
    return low, high, low_open, high_open


def schema_fields(model: type[BaseModel] = Scenario, prefix: str = "") -> list[Field]:
    """Every scalar field of the schema that a scenario may set."""
    out: list[Field] = []
    for name, info in model.model_fields.items():
        dotted = f"{prefix}{name}"
        sub = submodel(info.annotation)
        if sub is not None:
            out += schema_fields(sub, dotted + ".")
            continue
        if dotted in FIXED or dotted.endswith("_file") or dotted == "alliances.file":
            continue
        annotation = info.annotation
        if typing.get_origin(annotation) is typing.Literal:
            out.append(Field(dotted, "choice", choices=typing.get_args(annotation)))
        elif annotation is bool:
            out.append(Field(dotted, "bool"))
        elif annotation in (int, float):
            low, high, low_open, high_open = _bounds(info)
            out.append(Field(dotted, annotation.__name__, low, high, low_open, high_open))
    return out


FIELDS = [f for f in schema_fields() if f.dotted not in SWITCHES]


def value_strategy(field: Field) -> st.SearchStrategy[Any]:
    """Values a field accepts, bounds included (unbounded sides are capped at a large value)."""
    if field.kind == "bool":
        return st.booleans()
    if field.kind == "choice":
        return st.sampled_from(field.choices)
    low = field.low if field.low is not None else -1e6
    high = field.high if field.high is not None else 1e6
    if field.kind == "int":
        return st.integers(
            math.ceil(low + (1 if field.low_open else 0)), math.floor(high - field.high_open)
        )
    ends = [v for v, open_ in ((low, field.low_open), (high, field.high_open)) if not open_]
    floats = st.floats(
        low,
        high,
        exclude_min=field.low_open,
        exclude_max=field.high_open,
        allow_nan=False,
        allow_infinity=False,
    )
    return st.one_of(floats, st.sampled_from(ends)) if ends else floats


@st.composite
def scenarios(draw: st.DrawFn, max_fields: int = 12) -> list[str]:
    """A list of ``--set`` overrides: the switches and a random subset of fields."""
    overrides = [f"{name}={str(draw(st.booleans())).lower()}" for name in SWITCHES]
    chosen = draw(st.lists(st.sampled_from(FIELDS), max_size=max_fields, unique=True))
    for field in chosen:
        value = draw(value_strategy(field))
        text = (
            str(value).lower()
            if isinstance(value, bool)
            else repr(value)
            if isinstance(value, float)
            else f'"{value}"'
            if isinstance(value, str)
            else str(value)
        )
        overrides.append(f"{field.dotted}={text}")
    return overrides


def test_schema_walk_finds_the_parameters():
    names = {f.dotted for f in FIELDS}
    assert "policies.land_pooling.rent" in names
    assert "households.business_income_sigma" in names
    assert len(FIELDS) > 150


def _valid(overrides: list[str]) -> Scenario | None:
    try:
        return load_scenario("baseline", [*SMALL_RUN, *overrides])
    except InputError:
        return None  # a cross-field rule (shares adding up, min <= max) refused the draw


def check_scenario(overrides: list[str]) -> None:
    scenario = _valid(overrides)
    if scenario is None:
        return
    result = run_scenario(scenario)  # the runtime invariants are on: a violation raises
    bad = non_finite_columns(result.tables, scenario.start_year)
    assert not bad, f"non-finite {bad} with {overrides}"


@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(scenarios())
def test_random_valid_scenarios_keep_the_invariants(overrides: list[str]):
    check_scenario(overrides)


@pytest.mark.slow
@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(scenarios(max_fields=40))
def test_many_random_valid_scenarios_keep_the_invariants(overrides: list[str]):
    check_scenario(overrides)
