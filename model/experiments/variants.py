"""Scenario variants: an experiment's scenario entries loaded, then a point applied.

Each ``[[scenarios]]`` entry of an experiment is loaded once (:func:`resolve_scenarios`:
its file with ``extends``, or data given from Python, and its ``set`` overrides); every
sweep or design point then makes one validated scenario of it (:func:`build_scenario`),
with the experiment's seed. Errors name the experiment file and the entry or the sweep
that set the value, as scenario files name the file that set theirs.
"""

from __future__ import annotations

import copy
from typing import Any, NamedTuple

from model.errors import InputError
from model.experiments.experiment import Experiment, ScenarioEntry, flatten_table
from model.scenario import (
    Scenario,
    apply_override,
    load_raw,
    parse_override,
    resolve_path,
    validate_scenario,
)


class ScenarioBase(NamedTuple):
    """One scenario entry's data before sweep values and seed.

    Attributes:
        raw: The merged data (not validated yet).
        origins: Which file set each dotted field.
        default_source: What to blame for a value no file set.
    """

    raw: dict[str, Any]
    origins: dict[str, str]
    default_source: str


def resolve_scenarios(experiment: Experiment) -> dict[str, ScenarioBase]:
    """Load every scenario entry's base data, before sweep values and seed.

    Returns:
        Scenario name -> its :class:`ScenarioBase`, ready for :func:`build_scenario`.

    Raises:
        InputError: When a scenario file is missing or invalid, or an override is
            malformed; the message names the experiment file and the entry.
    """
    out = {}
    for index, entry in enumerate(experiment.scenarios):
        where = f"scenarios[{index}]"
        base = _entry_base(experiment, entry, where)
        for dotted, value in _entry_overrides(entry, experiment.source, where):
            _set_value(base, dotted, value, f"{experiment.source} ({where}.set)")
        out[entry.name] = base
    return out


def _entry_base(experiment: Experiment, entry: ScenarioEntry, where: str) -> ScenarioBase:
    """An entry's data: given from Python, its scenario file, or the defaults."""
    here = f"{experiment.source} ({where} '{entry.name}')"
    if entry._data is not None:
        return ScenarioBase(copy.deepcopy(entry._data), dict(entry._data_origins), here)
    if not entry.file:
        return ScenarioBase({}, {}, here)
    try:
        path = resolve_path(entry.file, relative_to=experiment.relative_base())
    except InputError as err:
        raise InputError(
            experiment.source, f"{where}.file", entry.file, err.allowed, err.hint
        ) from None
    origins: dict[str, str] = {}
    return ScenarioBase(load_raw(path, origins), origins, str(path))


def build_scenario(
    base: ScenarioBase,
    name: str,
    seed: int,
    values: dict[str, Any],
    blame: str,
) -> Scenario:
    """Make one validated scenario variant.

    Args:
        base: One value of :func:`resolve_scenarios`.
        name: The scenario name written into the variant (tables carry it).
        seed: The experiment seed (every variant shares it: common random numbers).
        values: Dotted field -> value of the sweep or design point.
        blame: Where the values came from, for error messages, e.g.
            ``"exp.toml (sweep.parameters)"``.

    Returns:
        The validated scenario.

    Raises:
        InputError: When a value is not allowed by the scenario schema.
    """
    variant = ScenarioBase(copy.deepcopy(base.raw), dict(base.origins), base.default_source)
    for dotted, value in values.items():
        _set_value(variant, dotted, value, blame)
    variant.raw["name"] = name
    variant.raw["seed"] = seed
    return validate_scenario(variant.raw, variant.origins, variant.default_source)


def _set_value(base: ScenarioBase, dotted: str, value: Any, blame: str) -> None:
    keys = dotted.split(".")
    apply_override(base.raw, keys, value, base.origins, f"{dotted}={value!r}")
    # apply_override blames "--set ..."; here the value came from the experiment file.
    base.origins[dotted] = blame


def _entry_overrides(entry: ScenarioEntry, source: str, where: str) -> list[tuple[str, Any]]:
    if isinstance(entry.set, list):
        pairs = []
        for text in entry.set:
            try:
                keys, value = parse_override(text)
            except InputError as err:
                raise InputError(source, f"{where}.set", text, err.allowed) from None
            pairs.append((".".join(keys), value))
        return pairs
    return list(flatten_table(entry.set).items())
