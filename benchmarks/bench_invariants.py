"""Cost of the runtime invariants on the full county.

Usage: ``.venv/bin/python benchmarks/bench_invariants.py [--scenario anqiu_2023] [--rounds 3]``.
Runs the scenario with the invariants off and at the default level (``month``), alternating,
and prints the model's CPU time for each and the overhead of the checks (the target is at most 3 %).
"""

from __future__ import annotations

import argparse
import time

from model.jointmodel import JointVillageModel, build_world
from model.scenario import load_scenario


def model_seconds(scenario, world, level: str) -> float:
    # CPU time of this process: steadier than wall time on a shared machine.
    start = time.process_time()
    JointVillageModel(scenario, world=world, invariants=level).run()
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="anqiu_2023")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    scenario = load_scenario(args.scenario)
    world = build_world(scenario)
    times: dict[str, list[float]] = {"off": [], "month": []}
    for _ in range(args.rounds):
        for level in times:
            times[level].append(model_seconds(scenario, world, level))
    off, month = min(times["off"]), min(times["month"])
    print(
        f"{args.scenario}: invariants off {off:.2f} s, month {month:.2f} s (best of {args.rounds})"
    )
    print(f"overhead of the invariants: {100 * (month - off) / off:+.1f} %")


if __name__ == "__main__":
    main()
