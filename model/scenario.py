"""Scenario files: the schema, TOML loading with ``extends``, ``--set`` overrides and errors.

A scenario is a TOML file validated by :class:`Scenario`. A file may start with
``extends = "baseline.toml"`` (a path relative to the file) and then only says what differs;
overrides from the command line (``--set policies.land_pooling.rent=800``) are applied last.
Every problem is raised as an :class:`~model.errors.InputError` naming the file that set the
value, the dotted field, the value and what is allowed.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, PrivateAttr, ValidationError
from pydantic.fields import FieldInfo

from model.errors import InputError, did_you_mean
from model.mechanisms.collective import CollectiveParams
from model.mechanisms.collective_business import CollectiveBusinessParams
from model.mechanisms.demography import DemographyParams
from model.mechanisms.farming import FarmingParams
from model.mechanisms.governance import GovernanceParams
from model.mechanisms.labour import LabourParams
from model.mechanisms.migration import MigrationParams
from model.mechanisms.modes import ModeParams
from model.mechanisms.policies import PolicyParams
from model.mechanisms.prices import PriceParams
from model.mechanisms.productivity import ProductivityParams
from model.mechanisms.tourism_params import TourismParams
from model.mechanisms.transfers import TransferParams
from model.metrics import OutputParams
from model.params import Section, param
from model.paths import SCENARIO_DIR, find_file
from model.schema_errors import blame_latest, input_error, submodel
from model.toml_files import read_toml
from model.world.alliance_params import AllianceParams
from model.world.county_params import CountyParams
from model.world.households import HouseholdParams


class Scenario(Section):
    """A complete, validated scenario: everything a run needs besides the replicate number."""

    name: str = param(
        "unnamed", unit="-", source="user", description="Short name used in tables and files"
    )
    description: str = param("", unit="-", source="user", description="What the scenario is for")
    seed: int = param(
        20231,
        unit="-",
        source="assumption: any fixed integer",
        description="Root seed of all random streams",
        ge=0,
    )
    years: int = param(
        10, unit="yr", source="model design", description="Simulated horizon", ge=1, le=50
    )
    start_year: int = param(
        2023,
        unit="yr",
        source="programme start: Anqiu programme report (大众新媒体 party-building case, 2023)",
        description="Calendar year of the first step",
        ge=2000,
        le=2100,
    )
    county: CountyParams = CountyParams()
    alliances: AllianceParams = AllianceParams()
    households: HouseholdParams = HouseholdParams()
    farming: FarmingParams = FarmingParams()
    labour: LabourParams = LabourParams()
    transfers: TransferParams = TransferParams()
    collective: CollectiveParams = CollectiveParams()
    policies: PolicyParams = PolicyParams()
    modes: ModeParams = ModeParams()
    governance: GovernanceParams = GovernanceParams()
    tourism: TourismParams = TourismParams()
    collective_business: CollectiveBusinessParams = CollectiveBusinessParams()
    outputs: OutputParams = OutputParams()
    prices: PriceParams = PriceParams()
    productivity: ProductivityParams = ProductivityParams()
    demography: DemographyParams = DemographyParams()
    migration: MigrationParams = MigrationParams()

    #: Which file (or ``--set``) set each dotted field; used to resolve relative data paths.
    _origins: dict[str, str] = PrivateAttr(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the fully resolved scenario as plain data (TOML-writable)."""
        return self.model_dump(mode="json")

    def origin_of(self, dotted: str) -> str:
        """The file (or ``--set ...``) that set a dotted field, or ``<defaults>``."""
        return _origin_of(dotted, self._origins, "<defaults>")

    def resolve_data_path(self, dotted: str) -> Path | None:
        """Resolve a file-valued field to an existing path.

        A relative path is looked up next to the scenario file that set it, then in the
        working directory, then in the project root.

        Args:
            dotted: The field, e.g. ``"county.villages_file"``.

        Returns:
            The path, or ``None`` when the field is empty.

        Raises:
            InputError: When the file does not exist.
        """
        node: Any = self
        for part in dotted.split("."):
            node = getattr(node, part)
        if not node:
            return None
        origin = self.origin_of(dotted)
        near = Path(origin) if origin.endswith(".toml") else None
        found = find_file(str(node), near=near)
        if found is not None:
            return found
        raise InputError(origin, dotted, str(node), "data file not found")


# --------------------------------------------------------------------------------------
# Loading


def resolve_path(path: str | Path, relative_to: Path | None = None) -> Path:
    """Find a scenario file: next to another file, as given, or in ``scenarios/``."""
    found = find_toml(path, SCENARIO_DIR, near=relative_to)
    if found is not None:
        return found
    raise InputError(
        str(path),
        allowed="scenario file not found"
        + (f" (looked next to {relative_to} and in {SCENARIO_DIR})" if relative_to else ""),
        hint=shipped_hint(Path(path).name, SCENARIO_DIR, "scenarios"),
    )


def find_toml(path: str | Path, folder: Path, near: Path | None = None) -> Path | None:
    """A TOML file next to ``near``, as given, or shipped in ``folder`` (``.toml`` optional).

    Args:
        path: A path or the name of a shipped file.
        folder: Where the project ships such files (scenarios, experiments).
        near: A file whose folder is searched first (the file that names ``path``).

    Returns:
        The resolved path, or ``None``.
    """
    found = find_file(path, near=near)
    if found is not None or Path(path).is_absolute():
        return found
    names = [Path(path)] if Path(path).suffix == ".toml" else [Path(path), Path(f"{path}.toml")]
    for name in names:
        if (folder / name).is_file():
            return (folder / name).resolve()
    return None


def shipped_hint(name: str, folder: Path, what: str) -> str:
    """Did-you-mean among the TOML files shipped in ``folder``, else the list of them."""
    shipped = sorted(p.name for p in folder.glob("*.toml"))
    hint = did_you_mean(name, shipped)
    if not hint and shipped:
        hint = f"shipped {what}: " + ", ".join(shipped)
    return hint


def _merge(
    base: dict[str, Any],
    top: dict[str, Any],
    origins: dict[str, str],
    source: str,
    prefix: str = "",
) -> dict[str, Any]:
    """Deep-merge ``top`` over ``base``, recording which file set each leaf."""
    merged = dict(base)
    for key, value in top.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value, origins, source, dotted + ".")
        else:
            merged[key] = value
            _record_origin(value, origins, source, dotted)
    return merged


def _record_origin(value: Any, origins: dict[str, str], source: str, dotted: str) -> None:
    origins[dotted] = source
    if isinstance(value, dict):
        for key, inner in value.items():
            _record_origin(inner, origins, source, f"{dotted}.{key}")


def load_raw(path: Path, origins: dict[str, str], chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """A scenario file's data merged over its ``extends`` chain (not validated yet).

    Args:
        path: The scenario file.
        origins: Filled with the file that set each dotted field.
        chain: Files already on the ``extends`` chain (to report a cycle).
    """
    if path in chain:
        cycle = " -> ".join(str(p.name) for p in (*chain, path))
        raise InputError(
            str(chain[-1]),
            field="extends",
            value=path.name,
            allowed=f"extends must not form a cycle ({cycle})",
        )
    data = read_toml(path)
    parent_name = data.pop("extends", None)
    base: dict[str, Any] = {}
    if parent_name is not None:
        if not isinstance(parent_name, str):
            raise InputError(
                str(path), "extends", parent_name, "a file name string, e.g. 'baseline.toml'"
            )
        try:
            parent = resolve_path(parent_name, relative_to=path)
        except InputError as err:
            raise InputError(
                str(path), "extends", parent_name, "an existing scenario file", err.hint
            ) from None
        base = load_raw(parent, origins, (*chain, path))
    return _merge(base, data, origins, str(path))


def parse_override(text: str) -> tuple[list[str], Any]:
    """Parse ``section.key=value``; the value is read as TOML, else as a bare string."""
    if "=" not in text:
        raise InputError(
            "--set", value=text, field="(override)", allowed="expected section.key=value"
        )
    key, raw = text.split("=", 1)
    key = key.strip()
    if not key or any(not part for part in key.split(".")):
        raise InputError("--set", field=key, value=text, allowed="expected section.key=value")
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    return key.split("."), value


def apply_override(
    data: dict[str, Any], keys: list[str], value: Any, origins: dict[str, str], text: str
) -> None:
    """Set ``keys`` (a dotted path) to ``value`` in raw data, recording ``--set text``."""
    node = data
    for key in keys[:-1]:
        child = node.get(key)
        if child is None:
            child = node[key] = {}
        elif not isinstance(child, dict):
            raise InputError("--set", ".".join(keys), value, f"'{key}' is a value, not a section")
        node = child
    node[keys[-1]] = value
    origins[".".join(keys)] = f"--set {text}"


def load_scenario(
    path: str | Path | None = None,
    overrides: list[str] | tuple[str, ...] = (),
    data: dict[str, Any] | None = None,
) -> Scenario:
    """Load, merge and validate a scenario.

    Args:
        path: A TOML file (absolute, relative, or the name of a shipped scenario).
        overrides: ``section.key=value`` strings applied after the file.
        data: Alternatively, an already-parsed dict (``extends`` is still honoured,
            relative to the scenarios folder).

    Returns:
        The validated :class:`Scenario`.

    Raises:
        InputError: Naming file, field, value and what is allowed.
    """
    origins: dict[str, str] = {}
    if path is not None:
        resolved = resolve_path(path)
        raw = load_raw(resolved, origins)
        default_source = str(resolved)
    else:
        raw = {}
        default_source = "<dict>"
    if data is not None:
        data = dict(data)
        parent_name = data.pop("extends", None)
        if parent_name is not None:
            raw = _merge(raw, load_raw(resolve_path(parent_name), origins), origins, "<dict>")
        raw = _merge(raw, data, origins, "<dict>")
    for text in overrides:
        keys, value = parse_override(text)
        apply_override(raw, keys, value, origins, text)
    return validate_scenario(raw, origins, default_source)


def validate_scenario(
    raw: dict[str, Any], origins: dict[str, str] | None = None, default_source: str = "<dict>"
) -> Scenario:
    """Validate merged scenario data, turning pydantic errors into an :class:`InputError`.

    The error names the file (or ``--set``) that set the offending value.
    """
    origins = origins or {}
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:

        def source(keys: Sequence[str]) -> str:
            return _origin_of(".".join(keys), origins, default_source)

        error = input_error(exc, Scenario, source)
        raise blame_latest(error, origins, _extends_chain(default_source)) from None
    scenario._origins = dict(origins)
    return scenario


def _extends_chain(top: str) -> list[str]:
    """The file and the files it extends, the file first (paths as origins record them)."""
    chain: list[str] = []
    current: Path | None = Path(top) if top.endswith(".toml") else None
    while current is not None and str(current) not in chain:
        chain.append(str(current))
        parent = read_toml(current).get("extends")
        current = resolve_path(parent, relative_to=current) if isinstance(parent, str) else None
    return chain


def _origin_of(dotted: str, origins: dict[str, str], default: str) -> str:
    parts = dotted.split(".")
    while parts:
        key = ".".join(parts)
        if key in origins:
            return origins[key]
        parts.pop()
    return default


def flatten(
    data: dict[str, Any], prefix: str = "", is_leaf: Callable[[dict[str, Any]], bool] | None = None
) -> dict[str, Any]:
    """Nested tables as dotted keys: ``{a = {b = 1}}`` -> ``{"a.b": 1}``.

    Args:
        data: The nested data.
        prefix: Prepended to every key.
        is_leaf: Tables for which this is true are kept whole (values, not sections).
    """
    flat: dict[str, Any] = {}
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and not (is_leaf is not None and is_leaf(value)):
            flat.update(flatten(value, dotted + ".", is_leaf))
        else:
            flat[dotted] = value
    return flat


def scenario_field(dotted: str) -> FieldInfo | None:
    """The scenario schema's field for a dotted name, or ``None`` if there is none."""
    model: type[BaseModel] | None = Scenario
    info = None
    for part in dotted.split("."):
        if model is None or part not in model.model_fields:
            return None
        info = model.model_fields[part]
        model = submodel(info.annotation)
    return info if model is None else None  # a section is not a value


def is_integer_field(dotted: str) -> bool:
    """Whether a scenario field holds an integer (design values are rounded for it)."""
    info = scenario_field(dotted)
    return info is not None and info.annotation is int


def parameter_rows() -> list[dict[str, Any]]:
    """Every leaf parameter of the schema with default, unit, range and source."""
    rows: list[dict[str, Any]] = []

    def walk(model: type[BaseModel], prefix: str, instance: BaseModel) -> None:
        for name, info in model.model_fields.items():
            sub = submodel(info.annotation)
            value = getattr(instance, name)
            if sub is not None and isinstance(value, BaseModel):
                walk(sub, f"{prefix}{name}.", value)
                continue
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            low = high = None
            for meta in info.metadata:
                low = getattr(meta, "ge", None) if getattr(meta, "ge", None) is not None else low
                low = getattr(meta, "gt", None) if getattr(meta, "gt", None) is not None else low
                high = getattr(meta, "le", None) if getattr(meta, "le", None) is not None else high
                high = getattr(meta, "lt", None) if getattr(meta, "lt", None) is not None else high
            rows.append(
                {
                    "parameter": f"{prefix}{name}",
                    "default": value if not isinstance(value, list | dict) else repr(value),
                    "unit": extra.get("unit", ""),
                    "min": low,
                    "max": high,
                    "source": extra.get("source", ""),
                    "description": info.description or "",
                }
            )

    walk(Scenario, "", Scenario())
    return rows
