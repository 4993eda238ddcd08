"""Calibration files: targets, free parameters with priors, the method and its budget.

A calibration is a TOML file validated by :class:`Calibration`::

    name = "anqiu"
    seed = 20231
    replicates = 1                     # model runs per design point and scenario

    [[scenarios]]                      # as in experiment files; targets name them
    name = "anqiu"
    file = "../anqiu_2023.toml"
    set = ["county.scale=0.2", "years=5"]

    [[targets]]
    measure = "per_capita_income"      # a measure of `jointvillage measures`, or a [[measures]]
    scenario = "anqiu"                 # default: the first scenario
    against = "baseline"               # optional: the target is the paired difference
    value = 24000.0
    sd = 1500.0                        # one standard deviation; or tolerance = (95 % half-width)
    source = "Shandong Statistical Yearbook 2024, rural per-capita disposable income"

    [parameters."households.business_share"]
    min = 0.1                          # optional: default the schema's range
    max = 0.4
    reason = "why narrower than the schema's range"

    [method]
    waves = 3
    runs_per_wave = 60

Every prior is uniform over its range. Problems are :class:`~model.errors.InputError` naming
the file, the dotted field, the value and what is allowed (exit 2): an unknown measure,
parameter or scenario gets a did-you-mean, a prior outside the schema's range is refused, a
target without a source is refused.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any, Literal

from pydantic import PrivateAttr, ValidationError, field_validator

from model.columns import RUN_TABLES
from model.errors import InputError, did_you_mean
from model.experiments.experiment import ScenarioEntry
from model.experiments.measures import RATIO_MEASURES, REFERENCE_MEASURES, measure_names
from model.experiments.user_measures import MeasureSpec, UserMeasure, build_measures
from model.params import Section, param
from model.paths import SCENARIO_DIR
from model.scenario import find_toml, flatten, parameter_rows, scenario_field, shipped_hint
from model.schema_errors import input_error
from model.toml_files import read_toml

#: Where shipped calibration files live (``jointvillage calibrate anqiu``).
CALIBRATION_DIR = SCENARIO_DIR / "calibration"


class Target(Section):
    """One reported figure the model should reproduce."""

    measure: str = param(..., unit="-", source="user", description="Measure name")
    scenario: str | None = param(
        None, unit="-", source="user", description="Scenario it is read in (default: the first)"
    )
    against: str | None = param(
        None,
        unit="-",
        source="user",
        description="Another scenario: the target is the paired difference (a gain)",
    )
    value: float = param(..., unit="measure's", source="user", description="Reported value")
    sd: float | None = param(
        None,
        unit="measure's",
        source="user",
        description="One standard deviation of the reported value (with model discrepancy)",
        gt=0,
    )
    tolerance: float | None = param(
        None,
        unit="measure's",
        source="user",
        description="A 95 % half-width instead of sd (sd = tolerance / 1.96)",
        gt=0,
    )
    source: str = param(
        ..., unit="-", source="user", description="The public source of the figure (required)"
    )
    note: str = param("", unit="-", source="user", description="How the figure is read")

    @field_validator("source")
    @classmethod
    def _source_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must name the public source of the figure")
        return value

    @property
    def sigma(self) -> float:
        """The target's standard deviation."""
        return float(self.sd if self.sd is not None else (self.tolerance or 0.0) / 1.96)

    def label(self, default_scenario: str) -> str:
        """``measure @ scenario`` (``- against``): a target's name in tables."""
        text = f"{self.measure} @ {self.scenario or default_scenario}"
        return text + (f" - {self.against}" if self.against else "")


class Prior(Section):
    """A uniform prior; either bound left out is the schema's."""

    min: float | None = param(None, unit="-", source="user", description="Lower bound")
    max: float | None = param(None, unit="-", source="user", description="Upper bound")
    reason: str = param(
        "", unit="-", source="user", description="Why the prior is narrower than the schema's"
    )


class Method(Section):
    """History matching with Gaussian-process emulators, then importance sampling."""

    kind: Literal["history_matching"] = param(
        "history_matching", unit="-", source="user", description="The method (one for now)"
    )
    waves: int = param(3, unit="-", source="user", description="Waves of runs", ge=1, le=20)
    runs_per_wave: int = param(
        40, unit="-", source="user", description="Design points per wave", ge=4
    )
    cutoff: float = param(
        3.0,
        unit="sd",
        source="Pukelsheim (1994), the three-sigma rule, as used in history matching "
        "(Vernon, Goldstein and Bower 2010, Bayesian Analysis 5(4))",
        description="Implausibility above which a point is ruled out",
        gt=0,
    )
    candidates: int = param(
        5000,
        unit="-",
        source="user",
        description="Candidate points per wave and for the posterior",
        ge=100,
    )
    posterior_samples: int = param(
        1000, unit="-", source="user", description="Rows of the posterior sample", ge=10
    )
    predictive_runs: int = param(
        5, unit="-", source="user", description="Posterior rows run through the model", ge=0
    )


class Calibration(Section):
    """A complete, validated calibration."""

    name: str = param(..., unit="-", source="user", description="Calibration name")
    description: str = param("", unit="-", source="user", description="What it is for")
    seed: int = param(20231, unit="-", source="user", description="Seed of every run", ge=0)
    replicates: int = param(
        1, unit="-", source="user", description="Runs per design point and scenario", ge=1
    )
    scenarios: list[ScenarioEntry] = param(
        ..., unit="-", source="user", description="Scenarios the targets are read in"
    )
    targets: list[Target] = param(..., unit="-", source="user", description="[[targets]]")
    parameters: dict[str, Prior] = param(
        ..., unit="-", source="user", description="Free parameter -> prior"
    )
    method: Method = Method()
    tables: list[Literal[RUN_TABLES]] = param(  # type: ignore[valid-type]
        ["county_yearly"], unit="-", source="user", description="Tables kept per run"
    )
    measures: list[MeasureSpec] = param(
        [], unit="-", source="user", description="User-defined measures ([[measures]])"
    )

    _source: str = PrivateAttr(default="<dict>")
    _ranges: dict[str, tuple[float, float]] = PrivateAttr(default_factory=dict)

    @property
    def source(self) -> str:
        """The calibration file (or ``<dict>``)."""
        return self._source

    @property
    def ranges(self) -> dict[str, tuple[float, float]]:
        """Free parameter -> ``(min, max)`` of its uniform prior."""
        return dict(self._ranges)

    @property
    def names(self) -> list[str]:
        """The free parameters, in file order."""
        return list(self.parameters)

    def target_scenario(self, target: Target) -> str:
        """The scenario a target is read in."""
        return target.scenario or self.scenarios[0].name

    def user_measures(self) -> list[UserMeasure]:
        """The calibration's ``[[measures]]``, validated."""
        return build_measures(self.measures, self.source, measure_names())


def load_calibration(path: str | Path) -> Calibration:
    """Load and validate a calibration file (or a shipped one's name).

    Raises:
        InputError: Naming file, field, value and what is allowed.
    """
    resolved = find_toml(path, CALIBRATION_DIR)
    if resolved is None:
        hint = shipped_hint(Path(path).name, CALIBRATION_DIR, "calibrations")
        raise InputError(str(path), allowed="calibration file not found", hint=hint)
    return validate_calibration(read_toml(resolved, "calibration"), str(resolved))


def validate_calibration(data: dict[str, Any], source: str = "<dict>") -> Calibration:
    """Validate parsed calibration data (see the module docstring)."""
    data = copy.deepcopy(data)
    if isinstance(data.get("parameters"), dict):
        # TOML makes nested tables of an unquoted a.b.c; a prior is a leaf, even an empty one.
        data["parameters"] = flatten(data["parameters"], is_leaf=_is_prior)
    try:
        calibration = Calibration.model_validate(data)
    except ValidationError as exc:
        raise input_error(exc, Calibration, source) from None
    calibration._source = source
    calibration._ranges = {
        name: _prior_range(name, prior, source) for name, prior in calibration.parameters.items()
    }
    _check_scenarios_and_targets(calibration, source)
    return calibration


def _is_prior(table: dict[str, Any]) -> bool:
    return not table or bool(set(table) & set(Prior.model_fields))


def _schema_row(name: str, source: str) -> dict[str, Any]:
    rows = {row["parameter"]: row for row in parameter_rows()}
    info = scenario_field(name)
    if info is None or name not in rows:
        raise InputError(
            source,
            "parameters",
            name,
            "a scenario field (see `jointvillage show --explain` or data/parameters.csv)",
            did_you_mean(name, list(rows)),
        )
    if info.annotation not in (int, float):
        raise InputError(
            source, f"parameters.{name}", name, "a numeric scenario field (a number, not a choice)"
        )
    return rows[name]


def _prior_range(name: str, prior: Prior, source: str) -> tuple[float, float]:
    """The prior's bounds, refused when outside the schema's range or unbounded."""
    row = _schema_row(name, source)
    low_schema, high_schema = row["min"], row["max"]
    schema_text = f"[{_bound(low_schema, '-inf')}, {_bound(high_schema, 'inf')}]"
    low = prior.min if prior.min is not None else low_schema
    high = prior.max if prior.max is not None else high_schema
    where = f"parameters.{name}"
    if low is None or high is None:
        raise InputError(
            source,
            where,
            prior.model_dump(exclude_defaults=True),
            f"the schema's range {schema_text} is open: give min and max (with a reason)",
        )
    for key, value, inside in (
        ("min", low, low_schema is None or float(low) >= float(low_schema)),
        ("max", high, high_schema is None or float(high) <= float(high_schema)),
    ):
        if not inside:
            raise InputError(
                source, f"{where}.{key}", value, f"within the schema's range {schema_text}"
            )
    if not (math.isfinite(low) and math.isfinite(high)) or low >= high:
        raise InputError(source, where, {"min": low, "max": high}, "finite min < max")
    narrower = (prior.min is not None and prior.min != low_schema) or (
        prior.max is not None and prior.max != high_schema
    )
    if narrower and not prior.reason.strip():
        raise InputError(
            source, f"{where}.reason", "", "a reason for a prior narrower than the schema's range"
        )
    return float(low), float(high)


def _bound(value: Any, missing: str) -> str:
    return missing if value is None else f"{value:g}"


def _check_scenarios_and_targets(cal: Calibration, source: str) -> None:
    if not cal.scenarios:
        raise InputError(source, "scenarios", [], "at least one [[scenarios]] table")
    if not cal.targets:
        raise InputError(source, "targets", [], "at least one [[targets]] table")
    if not cal.parameters:
        raise InputError(source, "parameters", {}, "at least one free parameter")
    names = [entry.name for entry in cal.scenarios]
    if len(set(names)) != len(names):
        raise InputError(source, "scenarios", names, "scenario names must be unique")
    user = cal.user_measures()
    known = measure_names(user)
    paired_only = {m.name for m in [*RATIO_MEASURES, *REFERENCE_MEASURES]}
    for index, target in enumerate(cal.targets):
        where = f"targets[{index}]"
        if target.measure not in known or target.measure in paired_only:
            allowed = [n for n in known if n not in paired_only]
            raise InputError(
                source,
                f"{where}.measure",
                target.measure,
                "a per-run measure (`jointvillage measures`) or one of [[measures]]",
                did_you_mean(target.measure, allowed),
            )
        for key in ("scenario", "against"):
            value = getattr(target, key)
            if value is not None and value not in names:
                raise InputError(
                    source,
                    f"{where}.{key}",
                    value,
                    "one of the scenarios: " + ", ".join(names),
                    did_you_mean(value, names),
                )
        if (target.sd is None) == (target.tolerance is None):
            raise InputError(source, where, target.measure, "exactly one of sd or tolerance")
    for measure in user:
        for table in measure.tables:
            if table not in cal.tables:
                raise InputError(
                    source, "tables", cal.tables, f"include {table} (read by {measure.name})"
                )
