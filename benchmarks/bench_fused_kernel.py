"""What a compiled kernel would buy: one step as numpy and as one fused C loop.

The model is memory-bound: each numpy operation is a pass over 238,281-row columns, and a
step makes several. A compiled kernel fuses a step's passes into one loop. This benchmark
measures what that buys on the step with the most arithmetic per call, the harvest of own
land (``Farming.harvest``) in a grain month, when every household books a sale:

- **numpy**: what the step does for households without converted land, written out: the
  arithmetic, then the booking (``Accounts.pay_households``: the income column, savings,
  the village sums and the county total), the same expressions in the same order. The
  benchmark checks that it books what ``model.farming.harvest()`` books for every one of
  those households;
- **fused C**: the same as one loop in C, village block by village block, compiled here with
  the machine's C compiler (``cc -O2 -ffp-contract=off``, so that no multiply-add is fused)
  and called through ``ctypes``. The sums are numpy's pairwise sums, so every number is the
  same as numpy's, which the benchmark checks.

Before each call a 64 MB buffer is written, so that the columns come from memory, not from
the cache, as they do in a run. The kernel is not part of the model: the project does not
compile code at install, and this is the measurement that such a decision would rest on.

    .venv/bin/python benchmarks/bench_fused_kernel.py [--scenario anqiu_2023] [--calls 60]
"""

from __future__ import annotations

import argparse
import ctypes
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

KERNEL = r"""
#include <stdint.h>

/* numpy's pairwise summation of doubles (the order in which ndarray.sum adds). */
static double pairwise_sum(const double *a, int64_t n) {
    if (n < 8) {
        double sum = 0.;
        for (int64_t i = 0; i < n; i++) sum += a[i];
        return sum;
    }
    if (n <= 128) {
        double r[8];
        int64_t i;
        for (int j = 0; j < 8; j++) r[j] = a[j];
        for (i = 8; i < n - (n % 8); i += 8)
            for (int j = 0; j < 8; j++) r[j] += a[i + j];
        double sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++) sum += a[i];
        return sum;
    }
    int64_t half = n / 2;
    half -= half % 8;
    return pairwise_sum(a, half) + pairwise_sum(a + half, n - half);
}

/* Farming.harvest's arithmetic and its booking (Accounts.pay_households) on every
   household, village block by village block, in numpy's order of operations: the
   village sum is np.add.reduceat's (the block's first value, then the pairwise sum of
   the rest), the county total ndarray.sum's. Returns the county total. */
double harvest_and_book(int64_t n, int64_t n_villages, const int64_t *offsets,
                        const int64_t *counts,
                        const double *yield_noise, const double *ability,
                        const double *grain_mu, const double *specialty_mu,
                        double gross_grain, const double *gross, const int64_t *land_use,
                        const double *access, double *income, double *savings,
                        double *sales, double *specialty_gross, double *by_village) {
    for (int64_t v = 0; v < n_villages; v++) {
        int64_t first = offsets[v], end = first + counts[v];
        double village_gross = gross[land_use[v]];
        for (int64_t i = first; i < end; i++) {
            double yield_factor = yield_noise[v] * ability[i];
            double grain = grain_mu[i] * gross_grain * yield_factor;
            double specialty = specialty_mu[i] * village_gross;
            specialty *= yield_factor;
            double own = specialty * access[v];
            double sale = grain + own;
            specialty_gross[i] = own;
            sales[i] = sale;
            income[i] += sale;
            savings[i] += sale;
        }
        /* Every village has households (checked by the caller). */
        by_village[v] = sales[first] + pairwise_sum(sales + first + 1, counts[v] - 1);
    }
    return pairwise_sum(sales, n);
}
"""
#: Bytes written between calls to push the columns out of the cache (the L3 is 32 MB here).
FLUSH_BYTES = 64 * 2**20


def compile_kernel(folder: Path) -> Callable[..., float]:
    """Compile :data:`KERNEL` into a shared library in ``folder``; its ``harvest_and_book``."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        raise SystemExit("bench_fused_kernel: no C compiler (cc or gcc) on PATH")
    source, library = folder / "harvest.c", folder / "harvest.so"
    source.write_text(KERNEL)
    command = [compiler, "-O2", "-ffp-contract=off", "-shared", "-fPIC", "-o", library, source]
    subprocess.run(command, check=True)
    kernel = ctypes.CDLL(str(library)).harvest_and_book
    kernel.restype = ctypes.c_double
    return kernel


def cold_timings(action: Callable[[], object], calls: int) -> list[float]:
    """Seconds of each of ``calls`` calls of ``action``, the cache flushed before each."""
    flush = np.zeros(FLUSH_BYTES // 8)
    seconds = []
    for _ in range(calls):
        flush += 1.0
        start = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - start)
    return seconds


def float_column(values: np.ndarray) -> np.ndarray:
    """A contiguous float64 copy of a column."""
    return np.array(values, dtype=np.float64, order="C")


def main() -> None:
    """Time the step's numpy version and the fused kernel; print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenario", default="anqiu_2023")
    parser.add_argument("--calls", type=int, default=60)
    args = parser.parse_args()

    from model.jointmodel import JointVillageModel
    from model.scenario import load_scenario

    model = JointVillageModel(load_scenario(args.scenario, ["years=1"]), invariants="off")
    hh, villages, farming = model.households, model.villages, model.farming
    months = [m for m in range(1, 13) if model.market.monthly_gross_per_mu(m)[farming.grain]]
    model.month = months[0]
    gross = float_column(model.market.monthly_gross_per_mu(model.month))
    access = float_column(model.modes.access)
    counts = np.array(villages.household_counts, dtype=np.int64)
    offsets = np.array(villages.offsets, dtype=np.int64)
    if counts.min() < 1:
        raise SystemExit("bench_fused_kernel: a village without households")
    yield_noise, ability = float_column(villages.yield_noise), float_column(hh.ability)
    grain_mu, specialty_mu = float_column(hh.grain_mu), float_column(hh.specialty_mu)
    land_use = np.array(villages.land_use, dtype=np.int64)
    each = villages.per_household
    books = {
        name: [float_column(hh.income["farming"]), float_column(hh.savings)]
        for name in ("numpy", "fused")
    }

    def numpy_step() -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        yield_factor = each(yield_noise) * ability
        grain = grain_mu * gross[farming.grain] * yield_factor
        specialty = specialty_mu * each(gross[land_use])
        specialty *= yield_factor
        own = specialty * each(access)
        sales = grain + own
        income, savings = books["numpy"]
        income += sales
        savings += sales
        return own, sales, np.add.reduceat(sales, offsets), float(sales.sum())

    sales, own, by_village = np.empty(hh.n), np.empty(hh.n), np.empty(len(counts))
    with tempfile.TemporaryDirectory() as folder:
        kernel = compile_kernel(Path(folder))

    def address(array: np.ndarray) -> ctypes.c_void_p:
        return array.ctypes.data_as(ctypes.c_void_p)

    call = [ctypes.c_int64(hh.n), ctypes.c_int64(len(counts)), address(offsets), address(counts)]
    call += [address(a) for a in (yield_noise, ability, grain_mu, specialty_mu)]
    call += [ctypes.c_double(gross[farming.grain]), address(gross), address(land_use)]
    call += [address(access), *(address(a) for a in books["fused"])]
    call += [address(sales), address(own), address(by_village)]

    def fused() -> float:
        return kernel(*call)

    expected = numpy_step()
    total = fused()
    # What the model's step books, from a zero income column (0 + x is x exactly).
    hh.income["farming"][:] = 0.0
    farming.harvest()
    plain = hh.converted_mu == 0
    faithful = np.array_equal(hh.income["farming"][plain], expected[1][plain])
    identical = (
        np.array_equal(expected[0], own)
        and np.array_equal(expected[1], sales)
        and np.array_equal(expected[2], by_village)
        and expected[3] == total
        and all(np.array_equal(a, b) for a, b in zip(books["numpy"], books["fused"], strict=True))
    )
    medians = {}
    for name, action in (
        ("numpy: arithmetic and booking", numpy_step),
        ("fused C: arithmetic and booking", fused),
    ):
        medians[name] = statistics.median(cold_timings(action, args.calls))
    print(
        f"{args.scenario}: {hh.n:,} households, month {model.month}, "
        f"median of {args.calls} calls with the cache flushed before each"
    )
    for name, seconds in medians.items():
        print(f"  {name:34s} {1000 * seconds:7.3f} ms")
    ratio = medians["numpy: arithmetic and booking"] / medians["fused C: arithmetic and booking"]
    print(f"  fused C is {ratio:.2f}x faster than numpy; every number identical: {identical}")
    print(
        f"  numpy books what Farming.harvest books for the {int(plain.sum()):,} households "
        f"without converted land: {faithful}"
    )


if __name__ == "__main__":
    main()
