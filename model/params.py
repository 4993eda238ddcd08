"""Parameter declarations with units, ranges and sources.

Every scenario parameter is declared with :func:`param`, which records its unit and the
public source of its default (or ``assumption: ...``) next to the pydantic bounds. The
parameter table in ``data/parameters.csv`` and the error messages are generated from these
declarations, so the schema is the single source of truth.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

#: The public source of the programme's own figures, which many defaults cite.
PROGRAMME_REPORT = "Anqiu programme report (大众新媒体 party-building case, 2023)"


class Section(BaseModel):
    """Base class of every scenario section: unknown keys are errors, never ignored."""

    # Strict: a boolean is not a number and nothing is coerced; numbers must be finite.
    model_config = ConfigDict(
        extra="forbid", validate_assignment=True, frozen=False, strict=True, allow_inf_nan=False
    )


def param(
    default: Any,
    *,
    unit: str,
    source: str,
    description: str,
    ge: float | None = None,
    le: float | None = None,
    gt: float | None = None,
    lt: float | None = None,
) -> Any:
    """Declare a scenario parameter.

    Args:
        default: Default value.
        unit: Unit of measurement, e.g. ``"yuan/mu/yr"`` or ``"share"``.
        source: Where the default comes from (a publication, report or survey) or
            ``"assumption: <why>"``.
        description: What the parameter means.
        ge: Inclusive lower bound.
        le: Inclusive upper bound.
        gt: Exclusive lower bound.
        lt: Exclusive upper bound.

    Returns:
        A pydantic ``Field`` carrying unit and source in its JSON-schema extras.
    """
    return Field(
        default,
        ge=ge,
        le=le,
        gt=gt,
        lt=lt,
        description=description,
        json_schema_extra={"unit": unit, "source": source},
    )
