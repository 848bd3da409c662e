"""The README's quick start, warm: ``spacewalk run polaris-dawn`` as a user runs it (a new
process, wall time), split into its parts (imports, engine, report, files), on an idle machine
and again with every other core busy (one spinning process per extra core).

    python benchmarks/bench_quickstart.py
"""

from __future__ import annotations

import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def spin(stop):  # keeps one core busy
    while not stop.is_set():
        sum(i * i for i in range(10_000))


def _bytecode_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def command_wall(out: Path, repeat: int = 5) -> list[float]:
    """Wall times of the command in a new process, with Python's bytecode cache as it is by
    default: the first run writes the project's compiled sources to ``__pycache__`` (an
    editable install's are not compiled by pip). Where ``PYTHONDONTWRITEBYTECODE`` is set
    (this project's CI machines set it) every run compiles them again: about 0.1 s more."""
    cmd = [sys.executable, "-m", "spacewalk", "run", "polaris-dawn", "--out", str(out)]
    env = _bytecode_env()
    subprocess.run(cmd, check=True, capture_output=True, env=env)  # kernels, bytecode cached
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env=env)
        times.append(time.perf_counter() - t0)
    return times


def _held(res, name: str):
    """The telemetry or events as the result holds them (``telemetry_source``: since the run
    stopped importing pandas; the frames themselves before)."""
    return getattr(res, f"{name}_source", None) or getattr(res, name)


def parts() -> dict[str, float]:
    """The same run in this process, part by part (imports measured in a fresh process)."""
    code = "import time; t=time.perf_counter(); import spacewalk.cli, spacewalk.results.simulation, spacewalk.results.report, spacewalk.results.runio; print(time.perf_counter()-t)"
    imports = float(
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env=_bytecode_env(),
        ).stdout
    )
    from spacewalk import load_scenario, simulate
    from spacewalk.results.report import render_report
    from spacewalk.results.runio import write_run

    sc = load_scenario("polaris-dawn")
    simulate(sc)
    t0 = time.perf_counter()
    res = simulate(sc)
    t1 = time.perf_counter()
    # as `spacewalk run` does: from the engine's columns and records (no pandas frames)
    render_report(sc, _held(res, "telemetry"), _held(res, "events"), res.summary)
    t2 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        write_run(res, Path(tmp) / "pd")
    t3 = time.perf_counter()
    return {
        "imports": imports,
        "engine": t1 - t0,
        "report": t2 - t1,
        "all files (report included)": t3 - t2,
    }


def main() -> None:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"spacewalk run polaris-dawn, warm, {cores} cores")
    for name, value in parts().items():
        print(f"  {name:28s} {value:6.3f} s")
    with tempfile.TemporaryDirectory() as tmp:
        idle = command_wall(Path(tmp) / "pd")
        print(
            f"  command, idle machine        min {min(idle):.2f} s, median {statistics.median(idle):.2f} s"
        )
        stop = mp.Event()
        busy = [mp.Process(target=spin, args=(stop,)) for _ in range(max(cores - 1, 1))]
        for p in busy:
            p.start()
        try:
            loaded = command_wall(Path(tmp) / "pd")
        finally:
            stop.set()
            for p in busy:
                p.join()
        print(
            f"  command, other cores busy    min {min(loaded):.2f} s, median {statistics.median(loaded):.2f} s"
        )


if __name__ == "__main__":
    main()
