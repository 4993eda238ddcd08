"""Experiment files: which scenarios to run, how often, over which parameter values.

An experiment is a TOML file validated by :class:`Experiment`. It names one or more
scenarios (each a scenario file plus overrides), the number of replicates, the experiment
seed, and optionally either a parameter **sweep** (grid, list or Latin hypercube) or a
**sensitivity** design (Sobol or Morris, through SALib), the tables to keep, user-defined
measures (``[[measures]]``, :mod:`model.experiments.user_measures`) and the discount rate of
cumulative measures::

    name = "rent-sweep"
    seed = 20231
    replicates = 10
    reference = "baseline"

    [[scenarios]]
    name = "baseline"
    file = "../baseline.toml"          # relative to this file, or a shipped scenario name
    set = ["years=5"]                  # like --set; a table { years = 5 } works too

    [sweep]
    method = "grid"                    # grid | list | lhs
    [sweep.parameters]
    "policies.land_pooling.rent" = [400, 600, 800]

Problems are raised as :class:`~model.errors.InputError` naming the experiment file, the
dotted field, the value and what is allowed, with a did-you-mean for unknown keys, exactly
like scenario files (the helpers of :mod:`model.scenario` are reused).
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any, Literal

from pydantic import PrivateAttr, ValidationError, field_validator
from pydantic.fields import FieldInfo

from model.columns import RUN_TABLES
from model.errors import InputError, did_you_mean
from model.experiments.measures import DEFAULT_DISCOUNT_RATE, measure_names
from model.experiments.user_measures import MeasureSpec, UserMeasure, build_measures
from model.params import Section, param
from model.paths import EXPERIMENT_DIR
from model.scenario import (
    find_toml,
    flatten,
    parameter_rows,
    scenario_field,
    shipped_hint,
)
from model.schema_errors import input_error
from model.toml_files import read_toml

Scalar = bool | int | float | str


class Range(Section):
    """A continuous range ``{ min = ..., max = ... }`` for Latin hypercube and sensitivity."""

    min: float = param(..., unit="-", source="user", description="Lower bound (inclusive)")
    max: float = param(..., unit="-", source="user", description="Upper bound")


class ScenarioEntry(Section):
    """One scenario of the experiment: a scenario file plus overrides, under a short name."""

    name: str = param(
        ..., unit="-", source="user", description="Name used in tables, figures and --reference"
    )
    file: str | None = param(
        None,
        unit="-",
        source="user",
        description="Scenario file (relative to the experiment, or a shipped name); "
        "empty = the defaults",
    )
    set: list[str] | dict[str, Any] = param(
        [],
        unit="-",
        source="user",
        description="Overrides: a list of 'section.key=value' strings or a table",
    )

    #: A scenario given as data (Python API); takes the place of ``file``.
    _data: dict[str, Any] | None = PrivateAttr(default=None)
    #: Which file set each field of ``_data`` (relative data paths resolve against it).
    _data_origins: dict[str, str] = PrivateAttr(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value


class Sweep(Section):
    """A parameter sweep applied to every scenario of the experiment."""

    method: Literal["grid", "list", "lhs"] = param(
        "grid",
        unit="-",
        source="user",
        description="grid = every combination; list = i-th values together; "
        "lhs = Latin hypercube over ranges",
    )
    samples: int | None = param(
        None, unit="-", source="user", description="Number of points (lhs only)", ge=1
    )
    parameters: dict[str, list[Scalar] | Range] = param(
        ...,
        unit="-",
        source="user",
        description="Dotted scenario field -> list of values (grid, list) or {min, max} (lhs)",
    )


class SensitivityDesign(Section):
    """A global sensitivity design (SALib): every sample point is a scenario variant."""

    method: Literal["sobol", "morris"] = param(
        "sobol", unit="-", source="user", description="Sobol (Saltelli) or Morris"
    )
    samples: int = param(
        ...,
        unit="-",
        source="user",
        description="Sobol: base samples N (a power of 2; N*(D+2) points, N*(2D+2) with "
        "second order); Morris: trajectories (N*(D+1) points)",
        ge=1,
    )
    second_order: bool = param(
        False, unit="-", source="user", description="Sobol: also compute second-order indices"
    )
    levels: int = param(4, unit="-", source="user", description="Morris: grid levels", ge=2)
    parameters: dict[str, Range] = param(
        ..., unit="-", source="user", description="Dotted scenario field -> {min, max}"
    )


class Outputs(Section):
    """What to keep of each run."""

    tables: list[Literal[RUN_TABLES]] = param(  # type: ignore[valid-type]
        ["county_yearly"],
        unit="-",
        source="user",
        # county_yearly is always kept: every comparison and sensitivity measure reads it.
        description="Tables stored per run (county_yearly is always kept)",
    )


class Experiment(Section):
    """A complete, validated experiment."""

    name: str = param(..., unit="-", source="user", description="Experiment name")
    description: str = param("", unit="-", source="user", description="What it is for")
    seed: int = param(
        20231,
        unit="-",
        source="assumption: any fixed integer",
        description="Experiment seed; sets the seed of every scenario (common random numbers)",
        ge=0,
    )
    replicates: int = param(
        1, unit="-", source="user", description="Replicates per scenario variant", ge=1, le=100000
    )
    reference: str | None = param(
        None,
        unit="-",
        source="user",
        description="Reference scenario for paired differences (default: the first)",
    )
    scenarios: list[ScenarioEntry] = param(
        ..., unit="-", source="user", description="The scenarios ([[scenarios]] tables)"
    )
    sweep: Sweep | None = param(None, unit="-", source="user", description="A parameter sweep")
    sensitivity: SensitivityDesign | None = param(
        None, unit="-", source="user", description="A sensitivity design"
    )
    outputs: Outputs = Outputs()
    measures: list[MeasureSpec] = param(
        [],
        unit="-",
        source="user",
        description="User-defined measures ([[measures]] tables, see "
        "model.experiments.user_measures)",
    )
    discount_rate: float = param(
        DEFAULT_DISCOUNT_RATE,
        unit="1/yr",
        source="NDRC and Ministry of Construction (2006), Methods and Parameters for Economic "
        "Evaluation of Construction Projects, 3rd ed.: social discount rate 8 %",
        description="Discount rate of the cumulative measures (public money, income gained)",
        ge=0,
        lt=1,
    )

    #: The file the experiment was read from (for messages and relative scenario files).
    _source: str = PrivateAttr(default="<dict>")

    @property
    def source(self) -> str:
        """The experiment file (or ``<dict>``)."""
        return self._source

    @property
    def kind(self) -> str:
        """``replicates``, the sweep method, or the sensitivity method."""
        if self.sensitivity is not None:
            return self.sensitivity.method
        if self.sweep is not None:
            return self.sweep.method
        return "replicates"

    @property
    def reference_name(self) -> str:
        """The reference scenario (the first one unless ``reference`` is set)."""
        return self.reference or self.scenarios[0].name

    @property
    def tables(self) -> list[str]:
        """Tables to keep, ``county_yearly`` first and always present."""
        return ["county_yearly", *(t for t in self.outputs.tables if t != "county_yearly")]

    def user_measures(self) -> list[UserMeasure]:
        """The experiment's user-defined measures, validated against the tables' columns."""
        return build_measures(self.measures, self.source, measure_names())

    def to_dict(self) -> dict[str, Any]:
        """The experiment as plain data (stored in the results manifest)."""
        return self.model_dump(mode="json", exclude_none=True)

    def relative_base(self) -> Path | None:
        """The experiment file, against which its scenario files are found (if a file)."""
        return Path(self.source) if self.source.endswith(".toml") else None


def flatten_table(table: dict[str, Any]) -> dict[str, Any]:
    """``{a = {b = 1}}`` and ``{"a.b" = 1}`` both become ``{"a.b": 1}``; ranges stay whole.

    Any table mentioning ``min`` or ``max`` is meant as a range (a typo in it is then
    reported as an unknown key of the range, not as an unknown scenario field).
    """
    return flatten(table, is_leaf=lambda value: "min" in value or "max" in value)


# --------------------------------------------------------------------------------------
# Loading and validation


def load_experiment(path: str | Path) -> Experiment:
    """Load and validate an experiment file.

    Args:
        path: A TOML file, or the name of a shipped experiment in ``scenarios/experiments``.

    Returns:
        The validated :class:`Experiment`.

    Raises:
        InputError: Naming file, field, value and what is allowed.
    """
    resolved = find_toml(path, EXPERIMENT_DIR)
    if resolved is None:
        hint = shipped_hint(Path(path).name, EXPERIMENT_DIR, "experiments")
        raise InputError(str(path), allowed="experiment file not found", hint=hint)
    return validate_experiment(read_toml(resolved, "experiment"), str(resolved))


def validate_experiment(data: dict[str, Any], source: str = "<dict>") -> Experiment:
    """Validate parsed experiment data.

    Args:
        data: The parsed TOML (or an equivalent dict from Python).
        source: Name of the file, used in every error message.

    Returns:
        The validated :class:`Experiment`.

    Raises:
        InputError: For schema errors (unknown key with did-you-mean, wrong type, bounds)
            and for consistency errors (duplicate names, unknown reference, unknown
            scenario fields in a sweep, Sobol sample counts ...).
    """
    data = copy.deepcopy(data)
    for section in ("sweep", "sensitivity"):
        block = data.get(section)
        if isinstance(block, dict) and isinstance(block.get("parameters"), dict):
            # TOML turns an unquoted a.b.c = ... into nested tables; accept both spellings.
            block["parameters"] = flatten_table(block["parameters"])
    try:
        experiment = Experiment.model_validate(data)
    except ValidationError as exc:
        raise input_error(exc, Experiment, source) from None
    experiment._source = source
    _check_consistency(experiment, source)
    return experiment


def _check_consistency(exp: Experiment, source: str) -> None:
    if not exp.scenarios:
        raise InputError(source, "scenarios", [], "at least one [[scenarios]] table")
    names = [entry.name for entry in exp.scenarios]
    for index, name in enumerate(names):
        if name in names[:index]:
            raise InputError(
                source, f"scenarios[{index}].name", name, "scenario names must be unique"
            )
    if exp.reference is not None and exp.reference not in names:
        raise InputError(
            source,
            "reference",
            exp.reference,
            "one of the scenario names: " + ", ".join(names),
            did_you_mean(exp.reference, names),
        )
    if exp.sweep is not None and exp.sensitivity is not None:
        raise InputError(
            source, "sensitivity", None, "an experiment has a [sweep] or a [sensitivity], not both"
        )
    if exp.sweep is not None:
        _check_sweep(exp.sweep, source)
    if exp.sensitivity is not None:
        _check_sensitivity(exp.sensitivity, source)
    _check_measures(exp, source)


def _check_measures(exp: Experiment, source: str) -> None:
    """User measures name known columns, and the tables they read are kept."""
    for index, measure in enumerate(exp.user_measures()):
        for table in measure.tables:
            if table not in exp.tables:
                raise InputError(
                    source,
                    f"measures[{index}].table",
                    table,
                    "a table the runs keep: add it to [outputs] tables = "
                    + str([*exp.tables, table]).replace("'", '"'),
                )


def _check_parameter_name(dotted: str, source: str, where: str) -> None:
    if scenario_field(dotted) is not None:
        return
    known = [row["parameter"] for row in parameter_rows()]
    raise InputError(
        source,
        where,
        dotted,
        "a scenario field (see `jointvillage show` or data/parameters.csv for the list)",
        did_you_mean(dotted, known),
    )


def _check_range(dotted: str, rng: Range, source: str, where: str) -> None:
    if not (math.isfinite(rng.min) and math.isfinite(rng.max)) or rng.min >= rng.max:
        raise InputError(
            source, f"{where}.{dotted}", {"min": rng.min, "max": rng.max}, "finite min < max"
        )
    info = scenario_field(dotted)
    if info is not None and info.annotation not in (int, float):
        raise InputError(
            source,
            f"{where}.{dotted}",
            {"min": rng.min, "max": rng.max},
            "a range needs a numeric scenario field; use a grid or list sweep for "
            f"{_annotation_name(info)} fields",
        )


def _annotation_name(info: FieldInfo) -> str:
    annotation = info.annotation
    return getattr(annotation, "__name__", str(annotation))


def _check_sweep(sweep: Sweep, source: str) -> None:
    if not sweep.parameters:
        raise InputError(source, "sweep.parameters", {}, "at least one parameter")
    lengths = {}
    for dotted, values in sweep.parameters.items():
        _check_parameter_name(dotted, source, "sweep.parameters")
        where = f"sweep.parameters.{dotted}"
        if sweep.method == "lhs":
            if not isinstance(values, Range):
                raise InputError(source, where, values, "lhs needs a range { min = .., max = .. }")
            _check_range(dotted, values, source, "sweep.parameters")
        else:
            if not isinstance(values, list) or not values:
                raise InputError(
                    source,
                    where,
                    values.model_dump() if isinstance(values, Range) else values,
                    f"{sweep.method} needs a non-empty list of values, e.g. [400, 800]",
                )
            lengths[dotted] = len(values)
    if sweep.method == "lhs" and sweep.samples is None:
        raise InputError(source, "sweep.samples", None, "lhs needs samples = <number of points>")
    if sweep.method != "lhs" and sweep.samples is not None:
        raise InputError(source, "sweep.samples", sweep.samples, "samples is only used by lhs")
    if sweep.method == "list" and len(set(lengths.values())) > 1:
        shown = ", ".join(f"{k}: {n}" for k, n in lengths.items())
        raise InputError(
            source, "sweep.parameters", shown, "a list sweep needs lists of equal length"
        )


def _check_sensitivity(design: SensitivityDesign, source: str) -> None:
    if not design.parameters:
        raise InputError(source, "sensitivity.parameters", {}, "at least one parameter")
    for dotted, rng in design.parameters.items():
        _check_parameter_name(dotted, source, "sensitivity.parameters")
        _check_range(dotted, rng, source, "sensitivity.parameters")
    if design.method == "sobol":
        n = design.samples
        if n < 2 or n & (n - 1):
            lower = 1 << (n.bit_length() - 1)
            raise InputError(
                source,
                "sensitivity.samples",
                n,
                "Sobol needs a power of 2 (>= 2), e.g. 8, 16, 64, 1024",
                f"did you mean {max(lower, 2)} or {max(lower * 2, 2)}?",
            )
    if design.method == "morris" and design.samples < 2:
        raise InputError(source, "sensitivity.samples", design.samples, "Morris needs >= 2")
