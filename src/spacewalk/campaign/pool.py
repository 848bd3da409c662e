"""The local worker processes of a campaign, started before the parent's own imports.

A worker spends half a second or more importing the engine (NumPy, Numba, the scenario
model) before its first batch; the parent spends as long importing the same. So ``campaign
run`` starts its workers first (:func:`start`), with nothing heavier than the standard
library imported here, and each worker's first task is its imports (:func:`_load_engine`);
:func:`spacewalk.campaign.execute.run_local` then takes that pool (:func:`take`). A pool
that no batch used is ended at once (:func:`discard`).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor

PARENT_POLL_S = 0.5  # how often a worker checks that its parent is alive

_early: tuple[int, ProcessPoolExecutor] | None = None  # (workers, pool) from start()


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _init_worker() -> None:
    """One engine per process: keep the compiled motion kernel on a single thread; die with
    the parent (a ``kill -9`` of ``campaign run`` must not leave workers behind); and, once
    the pool lets the worker go, leave without the interpreter's teardown."""
    try:
        import numba

        numba.set_num_threads(1)
    except (ImportError, ValueError):
        pass
    import atexit
    import threading

    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_S)
        os._exit(1)  # the parent is gone: its pipe will never be read

    threading.Thread(target=watch, name="spacewalk-parent-watch", daemon=True).start()
    atexit.register(_exit_now)


def _exit_now() -> None:
    """A worker's end: what it printed flushed, then out without tearing down every module
    it imported (a fifth of a second of the campaign's end)."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(0)


def _load_engine() -> None:
    """A worker's first task: import what a batch needs, while the parent imports too; then
    keep the imported objects out of the garbage collector's full passes (each scanned them
    all, a tenth of a second a batch)."""
    import gc

    from ..sim import dispersions, engine, plan  # noqa: F401 - what run_batch runs
    from . import rows  # noqa: F401

    gc.freeze()


def _new(workers: int) -> ProcessPoolExecutor:
    import multiprocessing as mp

    ctx = mp.get_context("spawn")  # no fork of a process that holds compiled-kernel threads
    pool = ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker)
    for _ in range(workers):  # a pool spawns a process per task until it has them all
        pool.submit(_load_engine)
    return pool


def start(workers: int) -> None:
    """Start ``workers`` processes now, each importing the engine."""
    global _early
    if workers > 1 and _early is None:
        _early = (workers, _new(workers))


def take(workers: int) -> ProcessPoolExecutor:
    """The pool :func:`start` began, if it has ``workers`` processes; else a new one."""
    global _early
    if _early is not None and _early[0] == workers:
        pool, _early = _early[1], None
        return pool
    discard()
    return _new(workers)


def discard() -> None:
    """End a pool :func:`start` began that no batch took (the campaign ran in this process,
    on a different number of workers, or stopped on an error)."""
    global _early
    if _early is None:
        return
    pool, _early = _early[1], None
    for process in list(getattr(pool, "_processes", {}).values()):
        with contextlib.suppress(Exception):
            process.terminate()  # still importing: nothing of theirs is kept
    pool.shutdown(wait=True, cancel_futures=True)
