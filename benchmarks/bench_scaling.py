"""Benchmark: how the model's cost grows with the number of households.

Target (issue 16): cost stays linear in households; four times the households cost at most
4.2 times the time. Each size runs in a fresh process: ``county.scale`` (at most 1) builds a
county of that share of each town's villages, at the full county's density. The model's CPU
time of the run is compared, which on a shared machine is steadier than wall time. Prints
the time per household-month at each size and the ratio of each size to the one four times
smaller.

    .venv/bin/python benchmarks/bench_scaling.py [--scenario anqiu_2023] [--scales 0.0625 0.25 1]
        [--repeat 2] [--years 10]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

#: Largest ratio of the time of four times the households to the time of one.
TARGET_RATIO = 4.2

CHILD = r"""
import json, sys, time
from model.scenario import load_scenario
from model.jointmodel import build_world
from model.runner import run_scenario
name, scale, years = sys.argv[1], sys.argv[2], sys.argv[3]
scenario = load_scenario(name, [f"county.scale={scale}", f"years={years}"])
world = build_world(scenario)
c0 = time.process_time()
result = run_scenario(scenario, world=world)
print(json.dumps({"cpu_s": time.process_time() - c0, "households": result.meta["households"],
                  "months": 12 * scenario.years}))
"""


def measure(scenario: str, scale: float, years: int, repeat: int) -> dict[str, float]:
    """Best CPU time of ``repeat`` fresh processes at one size."""
    runs = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", CHILD, scenario, str(scale), str(years)],
            capture_output=True,
            text=True,
            check=True,
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return min(runs, key=lambda r: r["cpu_s"])


def main() -> None:
    """Measure every size and print the per household-month cost and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenario", default="anqiu_2023")
    parser.add_argument("--scales", type=float, nargs="+", default=[0.0625, 0.25, 1.0])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--years", type=int, default=10)
    args = parser.parse_args()
    sizes = {scale: measure(args.scenario, scale, args.years, args.repeat) for scale in args.scales}
    for scale, run in sizes.items():
        per = run["cpu_s"] / (run["households"] * run["months"]) * 1e9
        line = (
            f"scale {scale:g}: {run['households']:,} households x {run['months']} months, "
            f"CPU {run['cpu_s']:.2f} s, {per:.0f} ns per household-month"
        )
        smaller = sizes.get(scale / 4)
        if smaller is not None:
            households = run["households"] / smaller["households"]
            ratio = run["cpu_s"] / smaller["cpu_s"]
            verdict = "ok" if ratio <= TARGET_RATIO * households / 4 else "over target"
            line += f"; x{households:.2f} households cost x{ratio:.2f} ({verdict})"
        print(line)


if __name__ == "__main__":
    main()
