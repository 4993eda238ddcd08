"""Profile of the month's phases: the time each Step of the schedule takes over a run.

Every Step of ``JointVillageModel.month_steps()`` is wrapped with a timer here, in the
benchmark only (the model is not touched), so the next hotspot is visible without a
profiler. ``(month set-up and checks)`` is the rest of each month: opening the books and the
runtime invariants. The ``draws s`` column is the part of each step spent in the random
streams' draws (every ``numpy.random.Generator`` method), which a faster step must keep as
they are, since the same calls on the same streams are what keep results identical: it is
the floor under each step that no rewrite of the step's arithmetic removes.

    .venv/bin/python benchmarks/profile_month.py [--scenario anqiu_2023] [--years 10] [--top 15]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

#: The row for the part of a month outside the scheduled steps.
REST = "(month set-up and checks)"

#: Seconds spent in draws so far (``TimedGenerator`` adds to it).
DRAW_SECONDS = [0.0]


class TimedGenerator(np.random.Generator):
    """A generator on the same bit generator, whose draws add their time to DRAW_SECONDS.

    It draws the same numbers as the generator it wraps: each method is the base method,
    called on the same stream.
    """


def _timed_draw(name: str) -> Callable:
    """``Generator.<name>`` with its wall time added to :data:`DRAW_SECONDS`."""
    draw = getattr(np.random.Generator, name)

    def timed_draw(self: np.random.Generator, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return draw(self, *args, **kwargs)
        finally:
            DRAW_SECONDS[0] += time.perf_counter() - start

    return timed_draw


for _name in dir(np.random.Generator):
    if not _name.startswith("_") and _name not in {"bit_generator", "spawn"}:
        setattr(TimedGenerator, _name, _timed_draw(_name))


def time_draws() -> Callable[[], None]:
    """Make every stream the model draws from a :class:`TimedGenerator`.

    ``model.rng.stream`` is replaced, and so is every loaded module's own reference to it
    (``from model.rng import stream``), before the model is built.

    Returns:
        A function that puts the original ``stream`` back in every one of those modules.
    """
    import model.rng

    original = model.rng.stream

    def stream(seed: int, name: str, replicate: int = 0) -> np.random.Generator:
        return TimedGenerator(original(seed, name, replicate).bit_generator)

    replaced = [m for m in list(sys.modules.values()) if getattr(m, "stream", None) is original]
    for module in replaced:
        module.stream = stream

    def restore() -> None:
        for module in replaced:
            module.stream = original

    return restore


def timed(action: Callable[[], Any], name: str, totals: dict[str, list[float]]) -> Callable:
    """``action`` wrapped to add its wall time, a call and its draws' time to ``totals[name]``."""

    def run() -> Any:
        start = time.perf_counter()
        drawn = DRAW_SECONDS[0]
        try:
            return action()
        finally:
            entry = totals[name]
            entry[0] += time.perf_counter() - start
            entry[1] += 1
            entry[2] += DRAW_SECONDS[0] - drawn

    return run


def profile(scenario_name: str, years: int, overrides: list[str]) -> tuple[dict, float, float]:
    """Run a scenario with every step timed.

    Returns:
        ``(totals, set_up_seconds, run_seconds)``; ``totals`` maps a step's name to
        ``[seconds, calls, seconds in draws]``, ``REST`` included.
    """
    from model.jointmodel import JointVillageModel
    from model.scenario import load_scenario

    scenario = load_scenario(scenario_name, [f"years={years}", *overrides])
    restore = time_draws()
    try:
        start = time.perf_counter()
        model = JointVillageModel(scenario)
        set_up = time.perf_counter() - start
    finally:
        # The streams are made while the model is built; later runs get the plain ones.
        restore()
    totals: dict[str, list[float]] = {step.name: [0.0, 0, 0.0] for step in model.steps_of_month}
    model.steps_of_month = [
        dataclasses.replace(step, action=timed(step.action, step.name, totals))
        for step in model.steps_of_month
    ]
    start = time.perf_counter()
    drawn = DRAW_SECONDS[0]
    model.run()
    run = time.perf_counter() - start
    rest_draws = DRAW_SECONDS[0] - drawn - sum(entry[2] for entry in totals.values())
    totals[REST] = [run - sum(entry[0] for entry in totals.values()), 12 * years, rest_draws]
    return totals, set_up, run


def table(totals: dict[str, list[float]], run: float, top: int | None = None) -> str:
    """The steps by time, as a Markdown table (``top`` rows, the rest summed)."""
    rows = sorted(totals.items(), key=lambda item: -item[1][0])
    shown = rows if top is None else rows[:top]
    lines = [
        "| step | calls | total s | ms per call | share | draws s |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, (seconds, calls, draws) in shown:
        per_call = 1000 * seconds / calls if calls else 0.0
        lines.append(
            f"| {name} | {calls} | {seconds:.3f} | {per_call:.2f} | {seconds / run:.1%} "
            f"| {draws:.3f} |"
        )
    if len(shown) < len(rows):
        hidden = rows[len(shown) :]
        rest = sum(entry[0] for _, entry in hidden)
        rest_draws = sum(entry[2] for _, entry in hidden)
        lines.append(
            f"| ({len(hidden)} other steps) | | {rest:.3f} | | {rest / run:.1%} "
            f"| {rest_draws:.3f} |"
        )
    draws = sum(entry[2] for _, entry in rows)
    lines.append(f"| **all** | | {run:.3f} | | 100.0% | {draws:.3f} |")
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
