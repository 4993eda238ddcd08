"""Schema errors: a pydantic ``ValidationError`` turned into one :class:`InputError`.

Scenario files and experiment files are validated by pydantic models; what pydantic reports
is written for programmers (a list of errors with tuple locations and union branches). The
user gets one line instead: the file that set the value, the dotted field, the value and
what is allowed, with a did-you-mean for unknown keys. Both loaders use
:func:`input_error`, so the two kinds of file explain their errors alike.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from model.errors import InputError, did_you_mean

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError
    from pydantic.fields import FieldInfo

#: Union branches pydantic names in error locations for scalar types.
SCALAR_BRANCHES = frozenset({"bool", "int", "float", "str"})

#: ``source(loc) -> file``: which file (or ``--set``) set the value at a location.
SourceOf = Callable[[Sequence[str]], str]


def submodel(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model in a field's annotation (``Section``, ``Section | None`` ...)."""
    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = submodel(arg)
        if found is not None:
            return found
    return None


def input_error(
    exc: ValidationError, schema: type[BaseModel], source: str | SourceOf
) -> InputError:
    """The one-line :class:`InputError` for a pydantic validation error.

    Args:
        exc: What ``schema.model_validate`` raised.
        schema: The validated model (``Scenario``, ``Experiment``).
        source: The file the data came from, or a function of the error's location (the
            dotted keys, without list indices) giving the file that set that value.

    Returns:
        The error naming source, dotted field, value and what is allowed.
    """
    error = _first_error(exc.errors(include_url=False))
    branches = [part for part in error["loc"] if _is_union_branch(part)]
    loc = [part for part in error["loc"] if not _is_union_branch(part)]
    if set(map(str, branches)) & SCALAR_BRANCHES:
        error = {**error, "msg": "expected a single value (a number, a string or true/false)"}
    keys = [str(part) for part in loc if not isinstance(part, int)]
    where = source(keys) if callable(source) else source
    dotted = _dotted(loc)
    if error["type"] == "extra_forbidden":
        owner = _walk(schema, loc[:-1])[0]
        known = sorted(owner.model_fields) if owner is not None else []
        return InputError(
            where,
            dotted,
            None,
            f"unknown key in {_dotted(loc[:-1]) or 'the top level'}; "
            f"allowed keys: {', '.join(known)}",
            did_you_mean(loc[-1], known),
        )
    if error["type"] == "missing":
        return InputError(where, dotted, None, "this key is required")
    info = _walk(schema, loc)[1]
    return InputError(where, dotted, error.get("input"), _allowed_for(info, error["msg"]))


def _first_error(errors: list[Any]) -> Any:
    """The error to report: the first, unless another one explains it better."""
    error = errors[0]
    if any(_is_union_branch(part) for part in error["loc"]):
        # A union (list of values | range) is reported once per branch; the deepest
        # location is the branch the user meant.
        return max(errors, key=lambda e: (len(e["loc"]), e["type"] == "extra_forbidden"))
    if error["type"] == "missing":
        # A misspelt required key is both missing and unknown: the unknown key says why.
        for other in errors:
            if other["type"] == "extra_forbidden" and other["loc"][:-1] == error["loc"][:-1]:
                return other
    return error


def _allowed_for(info: FieldInfo | None, message: str) -> str:
    """What a field allows: a container without a unit (a table of settings, a list of
    names) is explained by its description, anything else by its type, bounds and unit."""
    if info is not None and typing.get_origin(info.annotation) in (list, dict):
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        if extra.get("unit") in (None, "", "-"):
            return f"{message}; allowed: {info.description}"
    return allowed_text(info, message)


def allowed_text(info: FieldInfo | None, message: str) -> str:
    """``message; allowed: <type> <bounds> [unit]`` for a field (just ``message`` without)."""
    if info is None:
        return message
    bounds = []
    for meta in info.metadata:
        for name, symbol in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            bound = getattr(meta, name, None)
            if bound is not None:
                bounds.append(f"{symbol} {bound}")
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    unit = extra.get("unit")
    text = f"{message}; allowed: {_type_name(info.annotation)}"
    if bounds:
        text += " " + " and ".join(bounds)
    if unit and unit != "-":
        text += f" [{unit}]"
    return text


def _type_name(annotation: Any) -> str:
    if typing.get_origin(annotation) is typing.Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(annotation))
    if isinstance(annotation, type):
        return {
            "int": "an integer",
            "float": "a number",
            "str": "a string",
            "bool": "true/false",
        }.get(annotation.__name__, annotation.__name__)
    return str(annotation).replace("typing.", "")


def _is_union_branch(part: Any) -> bool:
    """Whether a location part names a union branch (``list[...]``, ``Range``, ``int`` ...)."""
    if not isinstance(part, str):
        return False
    return "[" in part or part in SCALAR_BRANCHES or part == "Range" or part.startswith("list")


def _dotted(loc: Sequence[Any]) -> str:
    """``("scenarios", 0, "set")`` -> ``"scenarios[0].set"``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def _walk(
    schema: type[BaseModel], loc: Sequence[Any]
) -> tuple[type[BaseModel] | None, FieldInfo | None]:
    """Follow an error location through the schema: the model there and the last field."""
    model: type[BaseModel] | None = schema
    info = None
    for part in loc:
        if isinstance(part, int) or model is None:
            continue  # a list index: the item has the list's model
        if part not in model.model_fields:
            continue  # a free key of a dict (e.g. a dotted parameter name): its value's model
        info = model.model_fields[part]
        model = submodel(info.annotation)
    return model, info


def blame_latest(error: InputError, origins: dict[str, str], chain: list[str]) -> InputError:
    """A rule across a section's fields (``min <= max``, shares adding up to 1) is broken by
    the last value set in it: a ``--set`` before the file given, before the files it extends.
    Name that source, field and value rather than the file that first set the section.

    Args:
        error: The error as :func:`input_error` words it.
        origins: Which file or ``--set`` set each dotted field.
        chain: The scenario file and the files it extends, the file first.
    """
    section = error.field
    if not section or not isinstance(error.value, dict):
        return error
    inner = [(key, src) for key, src in origins.items() if key.startswith(section + ".")]
    if not inner:
        return error

    def precedence(item: tuple[str, str]) -> tuple[bool, int]:
        source = item[1]
        later = len(chain) - chain.index(source) if source in chain else 0
        return source.startswith("--set"), later

    key, latest = max(inner, key=precedence)
    # pydantic words a model validator's message "Value error, ...; allowed: <Section>".
    rule = error.allowed.removeprefix("Value error, ").split("; allowed: ")[0]
    if latest.startswith("--set"):
        value: Any = latest.split("=", 1)[1] if "=" in latest else None
        return InputError(latest, key, value, rule, error.hint)
    return InputError(latest, section, error.value, rule, error.hint)
