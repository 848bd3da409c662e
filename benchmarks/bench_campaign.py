"""Campaign speed, side by side with Basilisk (``bsk`` from PyPI) in one run.

1. The free-flyer workload of ``bench_motion.py`` (one crew member with an MMU, one hour at
   10 Hz, flying 98 m out and back) as a campaign of 1,000 dispersed runs: each run draws its
   mass, propellant load and start position from its own stream
   (``spacewalk.scenario.dispersions.run_rng``), and the batch runs as one array. Basilisk runs the
   same dynamics with dispersed hub mass, both as a plain loop and with its own Monte Carlo
   ``Controller`` on all cores; the faster of the two is the reference. Basilisk's throughput
   is measured on a sample of runs (a full 1,000 would take most of an hour).
2. 10,000 full 8-hour two-crew EVAs: ``sts-102-2001`` with its dispersions, through
   ``spacewalk campaign run`` on all local cores.
3. How the campaign time grows with runs and with workers.

    python benchmarks/bench_campaign.py                # all three
    python benchmarks/bench_campaign.py --scaling-max 100000   # include 100,000 runs
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench_motion import (
    DT_S,
    HOUR_STEPS,
    MASS_KG,
    UNIT,
    basilisk_execute,
    basilisk_hour,
    basilisk_sim,
    crew_bodies,
)
from spacewalk.scenario.dispersions import run_rng

SEED = 2001
BSK_SAMPLE = 8  # Basilisk runs timed per mode


# ----------------------------------------------------------------- 1. free-flyer campaign


def free_flyer_campaign(n: int) -> np.ndarray:
    """n dispersed free-flyer runs as one batch; returns the final ranges [m]."""
    draws = np.empty((n, 5))
    for r in range(n):
        rng = run_rng(SEED, r)
        draws[r, 0] = rng.normal(0.0, 5.0)  # crew mass [kg]
        draws[r, 1] = rng.uniform(0.95, 1.0)  # propellant load [share of full]
        draws[r, 2:5] = rng.normal(0.0, 0.5, 3)  # start position [m]
    b = crew_bodies(n)
    b.mass[:] = MASS_KG + draws[:, 0]
    b.prop[:] = UNIT.propellant_kg * draws[:, 1]
    b.a_brake[:] = 0.5 * UNIT.translation_accel_m_s2(b.mass)
    b.y[:, 0:3] = draws[:, 2:5]
    for leg in range(2):
        b.p_tgt[:] = [0.0, 98.0, 0.0] if leg == 0 else [0.0, 0.0, 0.0]
        b.arrived[:] = False  # a new target, as the engine sets one
        b.advance(HOUR_STEPS // 2, DT_S)
    return np.linalg.norm(b.y[:, 0:3], axis=1)


def basilisk_loop(n: int) -> float:
    t0 = time.perf_counter()
    for _ in range(n):
        basilisk_hour()
    return (time.perf_counter() - t0) / n


def basilisk_controller(n: int, workers: int) -> float:
    from Basilisk.utilities.MonteCarlo.Controller import Controller
    from Basilisk.utilities.MonteCarlo.Dispersions import UniformDispersion

    folder = tempfile.mkdtemp(prefix="bsk-mc-")
    try:
        mc = Controller()
        mc.setSimulationFunction(basilisk_sim)
        mc.setExecutionFunction(basilisk_execute)
        mc.setExecutionCount(n)
        mc.setThreadCount(workers)
        mc.setVerbose(False)
        mc.setShowProgressBar(False)
        mc.setArchiveDir(folder)
        mc.addDispersion(
            UniformDispersion("TaskList[0].TaskModels[0].hub.mHub", [MASS_KG - 8, MASS_KG + 8])
        )
        t0 = time.perf_counter()
        failures = mc.executeSimulations()
        elapsed = time.perf_counter() - t0
        if failures:
            raise RuntimeError(f"Basilisk MC runs failed: {failures}")
        return elapsed / n
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def part_free_flyer(workers: int) -> None:
    free_flyer_campaign(64)  # compile (cached on disk after the first time)
    t0 = time.perf_counter()
    ranges = free_flyer_campaign(1000)
    ours = time.perf_counter() - t0
    print("1. free-flyer campaign: 1 h at 10 Hz per run, dispersed mass, propellant, start")
    print(f"   spacewalk, 1,000 runs as one batch:    {ours:8.2f} s  ({1000 / ours:8.1f} runs/s)")
    stray = int((ranges > 2.0).sum())
    print(f"      runs not back within 2 m of the start: {stray} (their propellant ran out)")
    try:
        loop = basilisk_loop(BSK_SAMPLE)
    except ImportError:
        print("   Basilisk (bsk) is not installed: pip install bsk")
        return
    mc = basilisk_controller(2 * BSK_SAMPLE, workers)
    best = min(loop, mc)
    print(
        f"   Basilisk, plain loop ({BSK_SAMPLE} runs):         {loop:8.3f} s per run ({1 / loop:6.2f} runs/s)"
    )
    print(
        f"   Basilisk, MC Controller, {workers} processes ({2 * BSK_SAMPLE} runs): {mc:8.3f} s per run "
        f"({1 / mc:6.2f} runs/s)"
    )
    print(f"   throughput ratio, spacewalk / faster Basilisk: {best * 1000 / ours:8.0f}")


# ----------------------------------------------------------------- 2 and 3. whole EVAs


_CAMPAIGN = """
import resource, sys, time
from spacewalk.campaign import load_runs, run_campaign
runs, workers, folder = int(sys.argv[1]), int(sys.argv[2]), sys.argv[4]
batch = None if sys.argv[3] == "auto" else int(sys.argv[3])  # auto: as the campaign chooses
t0 = time.perf_counter()
run_campaign("sts-102-2001", folder, runs=runs, workers=workers, batch_size=batch)
elapsed = time.perf_counter() - t0
assert len(load_runs(folder)) == runs
kb = lambda who: resource.getrusage(who).ru_maxrss  # peak resident set, KiB on Linux
print(elapsed, kb(resource.RUSAGE_SELF) / 1024, kb(resource.RUSAGE_CHILDREN) / 1024)
"""


def campaign_run(runs: int, workers: int, batch: int | None = None) -> tuple[float, float, float]:
    """One campaign in a fresh process (batches as the campaign chooses them unless given):
    its wall time [s], and the peak memory [MiB] of the process that writes the store and of
    its largest worker."""
    folder = Path(tempfile.mkdtemp(prefix="sw-camp-"))
    try:
        args = [str(runs), str(workers), "auto" if batch is None else str(batch), str(folder / "c")]
        out = subprocess.run(
            [sys.executable, "-c", _CAMPAIGN, *args], capture_output=True, text=True, check=True
        )
        elapsed, main_mb, worker_mb = map(float, out.stdout.split()[-3:])
        return elapsed, main_mb, worker_mb
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def campaign_seconds(runs: int, workers: int, batch: int | None = None) -> float:
    return campaign_run(runs, workers, batch)[0]


def part_evas(workers: int) -> None:
    campaign_seconds(20, 1, 20)  # warm the kernel cache
    t = campaign_seconds(10_000, workers)
    print("2. 10,000 dispersed 8-hour two-crew EVAs (sts-102-2001), all local cores")
    print(f"   spacewalk campaign, {workers} workers: {t:8.1f} s ({10_000 / t:6.1f} runs/s)")


def part_scaling(workers: int, max_runs: int) -> None:
    print("3. scaling (sts-102-2001 campaigns, batches as the campaign chooses: at most 500)")
    for runs in (100, 1_000, 10_000, 100_000, 1_000_000):
        if runs > max_runs:
            break
        t, main_mb, worker_mb = campaign_run(runs, workers)
        workers_mb = f"{worker_mb:,.0f} MiB (largest worker)" if worker_mb else "no workers"
        print(
            f"   {runs:>9,} runs, {workers} workers: {t:8.1f} s ({runs / t:6.1f} runs/s); peak "
            f"memory {main_mb:,.0f} MiB (store writer), {workers_mb}"
        )
    for w in range(1, workers + 1):
        t = campaign_seconds(2_000, w)
        print(f"     2,000 runs, {w} worker(s): {t:8.1f} s ({2_000 / t:6.1f} runs/s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scaling-max", type=int, default=10_000)
    parser.add_argument("--only", choices=("free-flyer", "evas", "scaling"))
    args = parser.parse_args()
    workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"machine: {workers} cores, Python {sys.version.split()[0]}")
    if args.only in (None, "free-flyer"):
        part_free_flyer(workers)
    if args.only in (None, "evas"):
        part_evas(workers)
    if args.only in (None, "scaling"):
        part_scaling(workers, args.scaling_max)


if __name__ == "__main__":
    main()
