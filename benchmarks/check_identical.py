"""Every shipped scenario, run by this checkout and by another revision: are the results the same?

A speed-up must not move results (``jointvillage regress`` checks its two cases). This
check runs every shipped scenario on a small county with the working tree and with a
revision checked out in a temporary git worktree (both with this virtual environment), and
prints each scenario's largest relative difference over every numeric column of every table.
Only rounding may differ: a sum taken over fewer rows or in another order moves the last bits
(a relative difference of order 1e-15). Exit status 1 when any difference exceeds ``--rtol``
(default 1e-9, the regression check's per-replicate band) or a table's shape or text differs.

Usage::

    .venv/bin/python benchmarks/check_identical.py [--against main] [--scale 0.08] [--years 8]
        [--only NAME ...]
"""

from __future__ import annotations

import argparse
import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]

#: Run inside a tree (``sys.argv``: out folder, scale, years, names): pickles each table set.
RUN_TREE = """
import pickle, sys, warnings
from pathlib import Path
warnings.simplefilter("ignore")
from model.runner import run_scenario
from model.scenario import load_scenario
out, scale, years, names = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
for name in names:
    scenario = load_scenario(name, [f"county.scale={scale}", f"years={years}"])
    tables = run_scenario(scenario, 0).tables
    (out / f"{name}.pkl").write_bytes(pickle.dumps(dict(tables)))
"""


def run_tree(tree: Path, out: Path, names: list[str], scale: float, years: int) -> None:
    """Run ``names`` with the code of ``tree`` (its ``model`` package first on the path)."""
    out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(tree)}
    command = [sys.executable, "-c", RUN_TREE, str(out), str(scale), str(years), *names]
    subprocess.run(command, cwd=tree, env=env, check=True)


def _tables(folder: Path, name: str) -> dict[str, pd.DataFrame]:
    """The tables one tree's run of scenario ``name`` left."""
    return pickle.loads((folder / f"{name}.pkl").read_bytes())


def largest_difference(
    ours: dict[str, pd.DataFrame], theirs: dict[str, pd.DataFrame]
) -> tuple[float, str]:
    """The largest relative difference of two runs' tables, and where (``inf``: shapes or
    text differ)."""
    worst, where = 0.0, ""
    for table, a in theirs.items():
        b = ours.get(table)
        if b is None or list(a.columns) != list(b.columns) or len(a) != len(b):
            return float("inf"), f"{table}: columns or rows differ"
        for column in a.columns:
            if not pd.api.types.is_numeric_dtype(a[column]):
                if not a[column].equals(b[column]):
                    return float("inf"), f"{table}.{column}: values differ"
                continue
            x, y = a[column].to_numpy(float), b[column].to_numpy(float)
            both_nan = np.isnan(x) & np.isnan(y)
            with np.errstate(invalid="ignore"):
                diff = np.where(both_nan, 0.0, np.abs(x - y) / (1e-9 + np.abs(x)))
            if len(diff) and np.nanmax(diff) > worst:
                worst, where = float(np.nanmax(diff)), f"{table}.{column}"
            if np.isnan(diff).any():
                return float("inf"), f"{table}.{column}: NaN in one run only"
    return worst, where


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--against", default="main", help="git revision to compare with")
    parser.add_argument("--scale", type=float, default=0.08)
    parser.add_argument("--years", type=int, default=8)
    parser.add_argument("--rtol", type=float, default=1e-9)
    parser.add_argument("--only", nargs="*", help="scenario names (default: every shipped one)")
    args = parser.parse_args()
    names = args.only or sorted(p.stem for p in (ROOT / "scenarios").glob("*.toml"))
    failed = False
    with tempfile.TemporaryDirectory() as work:
        other = Path(work) / "other"
        subprocess.run(
            ["git", "worktree", "add", "--detach", "-q", str(other), args.against],
            cwd=ROOT,
            check=True,
        )
        try:
            run_tree(ROOT, Path(work) / "ours", names, args.scale, args.years)
            run_tree(other, Path(work) / "theirs", names, args.scale, args.years)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(other)], cwd=ROOT)
        print(
            f"this checkout against {args.against}: county scale {args.scale}, {args.years} years"
        )
        for name in names:
            ours, theirs = (_tables(Path(work) / side, name) for side in ("ours", "theirs"))
            worst, where = largest_difference(ours, theirs)
            status = "ok" if worst <= args.rtol else "DIFFERS"
            failed |= worst > args.rtol
            print(f"{name:<30} largest relative difference {worst:9.2e}  {where:<45} {status}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
