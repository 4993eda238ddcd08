"""Profile of the month's phases: the time each Step of the schedule takes over a run.

Every Step of ``JointVillageModel.month_steps()`` is wrapped with a timer here, in the
benchmark only (the model is not touched), so the next hotspot is visible without a
profiler. ``(month set-up and checks)`` is the rest of each month: opening the books and the
runtime invariants.

    .venv/bin/python benchmarks/profile_month.py [--scenario anqiu_2023] [--years 10] [--top 15]
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from collections.abc import Callable
from typing import Any

#: The row for the part of a month outside the scheduled steps.
REST = "(month set-up and checks)"


def timed(action: Callable[[], Any], name: str, totals: dict[str, list[float]]) -> Callable:
    """``action`` wrapped to add its wall time and a call to ``totals[name]``."""

    def run() -> Any:
        start = time.perf_counter()
        try:
            return action()
        finally:
            entry = totals[name]
            entry[0] += time.perf_counter() - start
            entry[1] += 1

    return run


def profile(scenario_name: str, years: int, overrides: list[str]) -> tuple[dict, float, float]:
    """Run a scenario with every step timed.

    Returns:
        ``(totals, set_up_seconds, run_seconds)``; ``totals`` maps a step's name to
        ``[seconds, calls]``, ``REST`` included.
    """
    from model.jointmodel import JointVillageModel
    from model.scenario import load_scenario

    scenario = load_scenario(scenario_name, [f"years={years}", *overrides])
    start = time.perf_counter()
    model = JointVillageModel(scenario)
    set_up = time.perf_counter() - start
    totals: dict[str, list[float]] = {step.name: [0.0, 0] for step in model.steps_of_month}
    model.steps_of_month = [
        dataclasses.replace(step, action=timed(step.action, step.name, totals))
        for step in model.steps_of_month
    ]
    start = time.perf_counter()
    model.run()
    run = time.perf_counter() - start
    totals[REST] = [run - sum(seconds for seconds, _ in totals.values()), 12 * years]
    return totals, set_up, run


def table(totals: dict[str, list[float]], run: float, top: int | None = None) -> str:
    """The steps by time, as a Markdown table (``top`` rows, the rest summed)."""
    rows = sorted(totals.items(), key=lambda item: -item[1][0])
    shown = rows if top is None else rows[:top]
    lines = [
        "| step | calls | total s | ms per call | share |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, (seconds, calls) in shown:
        per_call = 1000 * seconds / calls if calls else 0.0
        lines.append(f"| {name} | {calls} | {seconds:.3f} | {per_call:.2f} | {seconds / run:.1%} |")
    if len(shown) < len(rows):
        rest = sum(seconds for _, (seconds, _) in rows[len(shown) :])
        lines.append(
            f"| ({len(rows) - len(shown)} other steps) | | {rest:.3f} | | {rest / run:.1%} |"
        )
    return "\n".join(lines)


def main() -> None:
    """Print the profile of one run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenario", default="anqiu_2023")
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--top", type=int, default=None, help="rows shown (default all)")
    parser.add_argument("--set", action="append", default=[], help="a scenario override")
    args = parser.parse_args()
    totals, set_up, run = profile(args.scenario, args.years, args.set)
    print(f"{args.scenario}, {args.years} years: set-up {set_up:.2f} s, run {run:.2f} s\n")
    print(table(totals, run, args.top))


if __name__ == "__main__":
    main()
