"""The report's rows and how its values read: formats, comparisons with a report, sources."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from model.registry import COLLECTIVE_SOURCES
from model.scenario import Scenario

#: Readable names of the alliance modes.
MODE_LABELS = {
    "lead_goose": "lead-goose",
    "strong_leads_weak": "strong-leads-weak",
    "industry_pull": "industry-pull",
    "project_traction": "project-traction",
}


@dataclass
class Row:
    """One line of the summary table.

    Attributes:
        check: Case or pattern name.
        quantity: What is compared.
        unit: ``yuan``, ``yuan/yr``, ``yuan/mu``, ``share``, ``t`` ...
        reported: The reported value as text.
        values: The model's value per replicate (empty: not modelled).
        gap: One sentence on the gap.
    """

    check: str
    quantity: str
    unit: str
    reported: str
    values: list[float]
    gap: str

    @property
    def mean(self) -> float:
        """Mean over replicates (NaN when not modelled)."""
        return float(np.mean(self.values)) if self.values else math.nan

    @property
    def low(self) -> float:
        """Smallest replicate value."""
        return float(np.min(self.values)) if self.values else math.nan

    @property
    def high(self) -> float:
        """Largest replicate value."""
        return float(np.max(self.values)) if self.values else math.nan


@dataclass
class CheckResult:
    """A check's rows and its detail section (markdown lines)."""

    key: str
    title: str
    kind: str
    scenario_file: str
    comparison: str
    rows: list[Row]
    details: list[str] = field(default_factory=list)


def fmt(value: float, unit: str) -> str:
    """A value for the tables."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if unit == "share":
        return f"{value:.0%}"
    if unit.startswith("yuan") and unit != "yuan/mu" and abs(value) >= 10_000:
        return f"{value / 1000:,.0f}k"
    if unit.startswith("yuan") or unit == "t" or abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def relation(model: float, low: float, high: float | None = None) -> str:
    """How a model value compares with a reported value or range."""
    high = low if high is None else high
    if low <= model <= high:
        return "within the reported range" if high > low else "equal to the report"
    ref = low if model < low else high
    if ref == 0:
        return "above zero" if model > 0 else "below zero"
    ratio = model / ref
    if 0.8 <= ratio <= 1.25:
        return f"close to the report ({ratio - 1:+.0%})"
    if 0.5 <= ratio < 0.8:
        return f"{1 - ratio:.0%} below the report"
    if 0 < ratio < 0.5:
        return f"far below the report ({ratio:.2f} of it)"
    if ratio <= 0:
        return "of the opposite sign to the report"
    return f"{ratio:.1f} times the report"


def top_sources(by_source: dict[str, float], n: int = 3) -> str:
    """The largest sources of a gain, as text."""
    ranked = sorted(by_source.items(), key=lambda kv: -abs(kv[1]))
    parts = [
        f"{COLLECTIVE_SOURCES[s].description} ({fmt(v, 'yuan')})"
        for s, v in ranked[:n]
        if abs(v) >= 500
    ]
    if not parts:
        return "no source in particular"
    return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]


def contract_note(by_source: dict[str, float], scenario: Scenario) -> str:
    """A sentence on enterprise fees when they are among the largest sources of a gain."""
    ranked = sorted(by_source, key=lambda s: -abs(by_source[s]))[:2]
    ec = scenario.policies.enterprise_contracts
    if "enterprise" not in ranked or by_source["enterprise"] <= 0:
        return ""
    return (
        f" Enterprise fees are large because a contract pays the collectives "
        f"{ec.collective_fee_share:.0%} of the contracted specialty sales (volume_share "
        f"{ec.volume_share:g} at a {ec.price_premium:.0%} premium), which grows with the "
        "value of the members' specialty (greenhouse vegetables gross about 30,000 yuan a "
        "mu); whether an alliance gets a contract is drawn each year (contract_share "
        f"{ec.contract_share:g}), hence the spread across replicates."
    )


def source_table(by_source: dict[str, float], total: float, what: str) -> list[str]:
    """Markdown table of a gain by collective income source."""
    lines = [f"| source | {what} |", "|---|---:|"]
    for s in COLLECTIVE_SOURCES.names():
        lines.append(f"| {COLLECTIVE_SOURCES[s].description} | {fmt(by_source[s], 'yuan')} |")
    lines.append(f"| **total** | **{fmt(total, 'yuan')}** |")
    return lines


def village_table(frame: pd.DataFrame, columns: dict[str, str]) -> list[str]:
    """Markdown table of a per-village frame (index village_id), yuan columns."""
    lines = ["| village | " + " | ".join(columns.values()) + " |"]
    lines.append("|---|" + "---:|" * len(columns))
    for vid, row in frame.iterrows():
        cells = " | ".join(fmt(float(row[c]), "yuan") for c in columns)
        lines.append(f"| {vid} | {cells} |")
    return lines
