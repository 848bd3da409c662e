"""Threads for the motion kernel: one call of ``Bodies.advance`` (10 substeps of 0.1 s, free
bodies on tethers) by number of bodies, on one thread and on every core this process may
use, to place ``spacewalk.physics.motion.PARALLEL_MIN_BODIES``. Run it on an idle machine
and again with the other cores loaded (``stress`` or a second copy of this script): on a
loaded machine a parallel launch waits for its threads.

    python benchmarks/bench_threads.py
"""

from __future__ import annotations

import os
import statistics
import time

import numba
import numpy as np

from spacewalk.physics.motion import PARALLEL_MIN_BODIES, Bodies


def per_call_us(n: int, threads: int, calls: int = 200) -> float:
    b = Bodies(n, 1)
    b.set_circular(0.00113)
    b.free[:] = True
    b.y[:, 0:3] = np.random.default_rng(1).normal(0.0, 5.0, (n, 3))
    b.k[:] = 500.0
    b.length[:] = 8.0
    b.threads = threads
    b.advance(10, 0.1)  # compiled and warm
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(calls):
            b.advance(10, 0.1)
        times.append((time.perf_counter() - t0) / calls * 1e6)
    return statistics.median(times)


def main() -> None:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    many = min(numba.config.NUMBA_NUM_THREADS, cores)
    print(
        f"cores {cores}, NUMBA_NUM_THREADS {numba.config.NUMBA_NUM_THREADS}, "
        f"PARALLEL_MIN_BODIES {PARALLEL_MIN_BODIES}"
    )
    print(f"{'bodies':>8} {'1 thread [us]':>14} {f'{many} threads [us]':>16} {'ratio':>7}")
    for n in (2, 4, 16, 64, 256, 1024, 4096):
        one, par = per_call_us(n, 1), per_call_us(n, many)
        print(f"{n:>8} {one:>14.1f} {par:>16.1f} {one / par:>7.2f}")


if __name__ == "__main__":
    main()
