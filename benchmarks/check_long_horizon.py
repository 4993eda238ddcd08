"""Every shipped scenario, 50 years on the full county: the 50-year check.

Usage: ``.venv/bin/python benchmarks/check_long_horizon.py [--scale 1.0] [--years 50]
[--only NAME ...]`` (``make check-long``). The runtime invariants are on, so a broken
invariant stops a scenario with its message; then every run is checked by
:func:`model.checks.long_horizon.check_run`: finite outputs, non-negative stocks, conserved
land, no quantity that should move frozen, per-capita income growth within its band. Prints
one line per scenario; exit status 0 when all pass.
"""

from __future__ import annotations

import argparse
import sys
import time

from model.checks.long_horizon import check_run, growth_band
from model.invariants import InvariantError
from model.jointmodel import JointVillageModel
from model.paths import SCENARIO_DIR
from model.scenario import load_scenario


def run_one(name: str, scale: float, years: int) -> tuple[bool, str]:
    """Run one scenario and check it; return (passed, its report line)."""
    start = time.perf_counter()
    overrides = [f"county.scale={scale}", f"years={years}"]
    model = JointVillageModel(load_scenario(name, overrides))
    try:
        model.run()
    except InvariantError as error:
        return False, f"{name:<30} {time.perf_counter() - start:6.1f} s  FAIL invariant: {error}"
    result = check_run(model)
    low, high = growth_band(result.real)
    kind = "real" if result.real else "nominal"
    growth = f"{kind} growth {result.growth:6.2%}/yr [{low:.0%}, {high:.0%}]"
    status = "ok" if result.passed else "FAIL " + "; ".join(result.problems)
    return result.passed, f"{name:<30} {time.perf_counter() - start:6.1f} s  {growth}  {status}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--years", type=int, default=50)
    parser.add_argument("--only", nargs="*", default=None, help="scenario names to check")
    args = parser.parse_args()
    names = args.only or sorted(path.stem for path in SCENARIO_DIR.glob("*.toml"))
    failed = 0
    for name in names:
        passed, line = run_one(name, args.scale, args.years)
        failed += not passed
        print(line, flush=True)
    print(f"{len(names) - failed} of {len(names)} scenarios pass", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
