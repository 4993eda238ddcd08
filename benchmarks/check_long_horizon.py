"""Every shipped scenario, 50 years on the full county: finite outputs, no negative stocks.

Usage: ``.venv/bin/python benchmarks/check_long_horizon.py [--scale 1.0] [--years 50]``.
The runtime invariants are on, so a broken invariant stops the check with its message; the
script then also checks every output table for NaN and inf. Exit status 0 when all pass.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from model.jointmodel import JointVillageModel
from model.paths import SCENARIO_DIR
from model.scenario import load_scenario


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--years", type=int, default=50)
    args = parser.parse_args()
    failed = 0
    for path in sorted(SCENARIO_DIR.glob("*.toml")):
        start = time.perf_counter()
        overrides = [f"county.scale={args.scale}", f"years={args.years}"]
        model = JointVillageModel(load_scenario(path, overrides))
        model.run()
        problems = []
        for table, frame in model.recorder.tables().items():
            numbers = frame.select_dtypes("number")
            finite = np.isfinite(numbers.to_numpy(dtype=float)).all(axis=0)
            if not finite.all():
                problems.append(f"{table}: non-finite {list(numbers.columns[~finite])}")
        hh = model.households
        for column in ("grain_mu", "specialty_mu", "pooled_mu", "rented_out_mu", "idle_mu"):
            if (getattr(hh, column) < -1e-9).any():
                problems.append(f"negative {column}")
        status = "ok" if not problems else "FAIL " + "; ".join(problems)
        failed += bool(problems)
        print(f"{path.stem:<32} {time.perf_counter() - start:6.1f} s  {status}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
