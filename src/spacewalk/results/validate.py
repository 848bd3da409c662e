"""The historic library simulated and checked: every documented figure of every scenario
(``spacewalk history validate``; the comparison itself is :mod:`spacewalk.results.history`)."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, as_completed

from ..scenario import library_names, load_scenario
from .history import Row, check_result
from .simulation import simulate


def documented_names() -> list[str]:
    """Library scenarios that carry documented figures."""
    return [n for n in library_names() if load_scenario(n).documented]


def _rows_of(name: str) -> list[Row]:
    return check_result(simulate(load_scenario(name)))


def validate(
    names: list[str] | None = None, progress=None, workers: int | None = None
) -> list[Row]:
    """Simulate each scenario (default: the whole library) and check its documented figures;
    ``progress(done, total, name)`` is called as each is taken up. The scenarios run in
    ``workers`` processes (default: the cores this process may use), the rows in the order
    of ``names``."""
    todo = names or documented_names()
    if workers is None:
        workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    workers = max(1, min(workers, len(todo)))
    if workers == 1:
        rows: list[Row] = []
        for k, name in enumerate(todo):
            if progress is not None:
                progress(k, len(todo), name)
            rows += _rows_of(name)
        return rows
    # spawn, not fork: no fork of a process that holds compiled-kernel threads
    ctx = multiprocessing.get_context("spawn")
    done: dict[str, list[Row]] = {}
    with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
        futures = {pool.submit(_rows_of, name): name for name in todo}
        for k, fut in enumerate(as_completed(futures)):
            if progress is not None:
                progress(k, len(todo), futures[fut])
            done[futures[fut]] = fut.result()
    return [row for name in todo for row in done[name]]
