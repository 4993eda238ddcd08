"""Calibration benchmark: runs per minute on 2 Dask workers, and the shipped calibration.

Two measurements:

* **throughput**: the shipped calibration (``scenarios/calibration/anqiu.toml``: the Anqiu
  programme on a quarter of the county for 5 years plus seven small case scenarios per
  design point) cut to one wave of ``--points`` points, run on ``--workers`` local Dask workers
  into a fresh folder; prints model runs per minute, design points per minute, and the
  time spent outside the runs (emulators, candidates, importance sampling, files);
* **the whole shipped calibration** (``--full``): its wall time with its own budget
  (3 waves x 80 points x 8 scenarios + 10 predictive points = 2,000 runs), into
  ``--out`` (resumable, like ``make calibration``).

Usage::

    .venv/bin/python benchmarks/bench_calibration.py                 # ~5-10 minutes on 2 cores
    .venv/bin/python benchmarks/bench_calibration.py --full --out results/calibration/anqiu
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
import warnings
from pathlib import Path

from model.experiments.calibration import calibrate
from model.experiments.calibration.spec import CALIBRATION_DIR, validate_calibration
from model.toml_files import read_toml

SHIPPED = CALIBRATION_DIR / "anqiu.toml"


def cut_down(points: int) -> dict:
    """The shipped calibration with one wave of ``points`` points and one predictive point."""
    data = read_toml(SHIPPED, "calibration")
    data["method"] = {
        "waves": 1,
        "runs_per_wave": points,
        "candidates": 1000,
        "posterior_samples": 200,
        "predictive_runs": 1,
    }
    return data


def measure(data: dict, out: Path, workers: int) -> tuple[float, dict, int]:
    """Wall time, the runs' seconds per step, and the runs made."""
    cal = validate_calibration(data, str(SHIPPED))
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = calibrate(cal, out, workers=workers, progress=False)
    return time.perf_counter() - start, result.seconds, result.done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--points", type=int, default=8, help="design points (throughput)")
    parser.add_argument("--full", action="store_true", help="time the whole shipped calibration")
    parser.add_argument(
        "--out", type=Path, default=None, help="folder of the --full run (or of the trial wave)"
    )
    args = parser.parse_args()
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"{args.workers} workers"
    )
    if args.full:
        out = args.out or Path("results/calibration/anqiu")
        wall, seconds, done = measure(read_toml(SHIPPED, "calibration"), out, args.workers)
        print(
            f"shipped calibration: {wall / 60:.1f} min wall, {done} runs made "
            f"({done / wall * 60:.1f} runs/min); per step: "
            + ", ".join(f"{k} {v:.0f} s" for k, v in seconds.items())
        )
        return
    scenarios = len(read_toml(SHIPPED, "calibration")["scenarios"])
    if args.out is not None:  # keep the trial wave's folder (its waves.csv, fit.csv)
        wall, seconds, done = measure(cut_down(args.points), args.out, args.workers)
    else:
        with tempfile.TemporaryDirectory(prefix="bench-calibration-") as tmp:
            wall, seconds, done = measure(cut_down(args.points), Path(tmp), args.workers)
    in_runs = sum(seconds.values())
    print(
        f"{args.points} + 1 points x {scenarios} scenarios = {done} runs in {wall:.1f} s: "
        f"{done / wall * 60:.1f} runs/min, {(args.points + 1) / wall * 60:.2f} points/min; "
        f"{wall - in_runs:.1f} s outside the runs (emulators, sampling, files)"
    )


if __name__ == "__main__":
    main()
