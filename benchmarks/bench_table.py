"""The README's benchmark table: model time, process time, peak memory, and the yardstick.

For each scenario, in fresh processes (best of ``--repeat``):

* **model**: ``run_scenario`` in a child process (county built, set up, run, tables), and in
  the same process and run, the simple vectorised household update of
  :mod:`vectorised_update` over the same households and months; their ratio;
* **process**: the whole ``jointvillage run SCENARIO --no-figures --json`` process, start-up
  and Parquet files included, and the start of ``jointvillage --help`` and ``jointvillage
  validate SCENARIO``, from outside (wall time; peak resident memory from the operating
  system's accounting of the finished process), with the package's byte-code caches
  written first, as an install leaves them.

The table is printed and, with ``--write``, put into README.md between the markers
``<!-- benchmark-table -->`` and ``<!-- /benchmark-table -->``.

    .venv/bin/python benchmarks/bench_table.py [--repeat 3] [--scenario anqiu_2023] [--write]
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
README = BENCHMARKS.parent / "README.md"
START, END = "<!-- benchmark-table -->", "<!-- /benchmark-table -->"

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from vectorised_update import time_update
from model.runner import run_scenario
from model.scenario import load_scenario
scenario = load_scenario(sys.argv[2], sys.argv[3:])
start = time.perf_counter()
result = run_scenario(scenario)
model_s = time.perf_counter() - start
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
update_s, households = time_update(scenario, scenario.years)
print(json.dumps({"model_s": model_s, "peak_mb": peak_mb, "update_s": update_s,
                  "households": households, "months": 12 * scenario.years}))
"""


def whole_process(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one process, measured from outside."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {process.returncode}")
    return seconds, usage.ru_maxrss / 1024


def measure(scenario: str, overrides: list[str], repeat: int) -> dict:
    """Best-of-``repeat`` figures of one scenario (peak memory: the largest seen)."""
    models = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(BENCHMARKS), scenario, *overrides],
            capture_output=True,
            text=True,
            check=True,
        )
        models.append(json.loads(out.stdout.strip().splitlines()[-1]))
    best = min(models, key=lambda r: r["model_s"])
    cli = Path(sys.executable).with_name("jointvillage")
    sets = [word for value in overrides for word in ("--set", value)]
    processes = []
    with tempfile.TemporaryDirectory(prefix="bench-table-") as tmp:
        run = [str(cli), "run", scenario, "--no-figures", "--json", "--out", tmp, *sets]
        for _ in range(repeat):
            processes.append(whole_process(run))
    helps = [whole_process([str(cli), "--help"])[0] for _ in range(repeat)]
    validates = [whole_process([str(cli), "validate", scenario])[0] for _ in range(repeat)]
    return {
        "scenario": " ".join([scenario, *overrides]),
        "households": best["households"],
        "months": best["months"],
        "model_s": best["model_s"],
        "update_s": min(r["update_s"] for r in models),
        "ratio": best["model_s"] / best["update_s"],
        "process_s": min(s for s, _ in processes),
        "peak_mb": max(max(r["peak_mb"] for r in models), max(mb for _, mb in processes)),
        "help_s": min(helps),
        "validate_s": min(validates),
    }


def table(rows: list[dict], repeat: int) -> str:
    """The Markdown table of the rows, with how it was measured."""
    lines = [
        "| scenario | households x months | model | `run --no-figures` process | peak memory "
        "| vectorised update | model / update | `--help` | `validate` |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['scenario']} | {r['households']:,} x {r['months']} | {r['model_s']:.2f} s "
            f"| {r['process_s']:.2f} s | {r['peak_mb']:.0f} MB | {r['update_s']:.2f} s "
            f"| {r['ratio']:.2f} | {r['help_s']:.2f} s | {r['validate_s']:.2f} s |"
        )
    lines.append("")
    lines.append(
        f"(`.venv/bin/python benchmarks/bench_table.py --write`: best of {repeat} fresh "
        f"processes, Python {platform.python_version()}, {os.cpu_count()} CPUs.)"
    )
    return "\n".join(lines)


def write_readme(text: str, readme: Path = README) -> None:
    """Put ``text`` between the table markers of the README (which must hold them)."""
    content = readme.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    if not pattern.search(content):
        raise SystemExit(f"{readme}: no {START} ... {END} markers to write the table between")
    readme.write_text(pattern.sub(f"{START}\n{text}\n{END}", content), encoding="utf-8")


def main() -> None:
    """Measure, print the table and, with ``--write``, put it into the README."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scenario", action="append", help="default: anqiu_2023")
    parser.add_argument("--set", action="append", default=[], help="an override for every one")
    parser.add_argument("--write", action="store_true", help="write the table into README.md")
    args = parser.parse_args()
    # Time the package as installed, with its byte-code caches written and current (as
    # `make venv` leaves them), not whatever an edit or PYTHONDONTWRITEBYTECODE left.
    compileall.compile_dir(str(BENCHMARKS.parent / "model"), quiet=1)
    rows = [measure(name, args.set, args.repeat) for name in args.scenario or ["anqiu_2023"]]
    text = table(rows, args.repeat)
    print(text)
    if args.write:
        write_readme(text)


if __name__ == "__main__":
    main()
