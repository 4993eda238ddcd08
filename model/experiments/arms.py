"""Arms of a comparison: a scenario, or one sweep point of it, and the runs that make it.

Every run is labelled with its arm (``scenario`` or ``scenario [rent=800]``); replicates of
two arms with the same number are paired (they share county, weather and prices: common
random numbers).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

#: Columns that identify one run of an arm.
RUN_KEYS = ("scenario", "variant", "replicate")


def arm_labels(runs: pd.DataFrame) -> pd.Series:
    """``scenario``, or ``scenario [rent=800]`` when a scenario has several variants."""
    frame = runs if "variant" in runs.columns else runs.assign(variant=0)
    params = [c for c in frame.columns if c.startswith("param:")]
    short = _short_names([c.removeprefix("param:") for c in params])
    variants = frame.groupby("scenario", sort=False)["variant"].nunique()
    labels = []
    for row in frame[["scenario", "variant", *params]].itertuples(index=False):
        scenario, variant, *values = row
        if variants[scenario] <= 1:
            labels.append(str(scenario))
        elif params:
            shown = ", ".join(
                f"{name}={_fmt_value(value)}" for name, value in zip(short, values, strict=True)
            )
            labels.append(f"{scenario} [{shown}]")
        else:
            labels.append(f"{scenario} #{variant}")
    return pd.Series(labels, index=runs.index, dtype=object)


def _short_names(dotted: list[str]) -> list[str]:
    last = [d.rsplit(".", 1)[-1] for d in dotted]
    return [s if last.count(s) == 1 else d for s, d in zip(last, dotted, strict=True)]


def _fmt_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def first_arm(results: pd.DataFrame, scenario: str | None) -> str | None:
    """The first arm (sweep point) of a scenario: the default reference of a sweep."""
    if scenario is None or "scenario" not in results.columns:
        return None
    frame = results if "variant" in results.columns else results.assign(variant=0)
    params = [c for c in frame.columns if c.startswith("param:")]
    arms = frame[["scenario", "variant", *params]].drop_duplicates(["scenario", "variant"])
    arms = arms.reset_index(drop=True)
    labels = arm_labels(arms)
    matching = labels[arms["scenario"] == scenario]
    return str(matching.iloc[0]) if len(matching) else None


def with_arms(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of many runs with ``variant`` (0 when absent) and an ``arm`` column."""
    out = frame if "variant" in frame.columns else frame.assign(variant=0)
    runs = out.drop_duplicates(list(RUN_KEYS))
    labels = runs[list(RUN_KEYS)].assign(arm=arm_labels(runs))
    return out.merge(labels, on=list(RUN_KEYS), how="left")


def with_keys(table: pd.DataFrame) -> pd.DataFrame:
    """The table with ``scenario`` and ``replicate`` columns (one run's table lacks them)."""
    frame = table
    if "scenario" not in frame.columns:
        frame = frame.assign(scenario="")
    if "replicate" not in frame.columns:
        frame = frame.assign(replicate=0)
    return frame
