"""Running batches: in this process, in local worker processes, or on a Dask cluster.

A batch is described by plain data (:class:`BatchTask`: the scenario's TOML text, the seed and
a range of run numbers), so it travels to any worker; the worker parses the scenario, draws
each run's values from the run's own stream and runs the batch through the engine as one
array. Results do not depend on where or in which batch a run goes.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..scenario import Scenario, dispersions, parse_toml
from ..sim import dispersions as dispersed
from ..sim.engine import run_engine
from ..sim.plan import compile_plan
from . import pool as local
from .rows import Columns, error_rows, row_columns, rows_from_output

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class BatchTask:
    scenario_toml: str
    seed: int
    batch: int
    first: int
    stop: int

    @property
    def runs(self) -> np.ndarray:
        return np.arange(self.first, self.stop, dtype=np.int64)


@functools.lru_cache(maxsize=4)
def _scenario(text: str) -> tuple[Scenario, list]:
    sc = parse_toml(text, "campaign scenario")
    groups, issues = dispersions.resolve(sc)
    assert not issues  # the scenario was validated when the campaign started
    return sc, groups


def simulate_runs(
    sc: Scenario, groups, seed: int, runs: np.ndarray, record: bool = False, events: bool = True
):
    """Draw the runs' dispersed values, apply them to one plan and run the engine (with an
    empty event log for ``events=False``)."""
    values = dispersions.draw(sc, groups, seed, runs)
    plan = compile_plan(sc, len(runs))
    dispersed.apply(plan, groups, values)
    return run_engine(plan, record=record, events=events), values


def run_batch(task: BatchTask) -> Columns | pd.DataFrame:
    """The rows of one batch, column by column (``rows.frame`` makes the DataFrame). A
    batch that raises is retried run by run, so one bad run becomes one row with its
    reason and the rest of the batch goes on (a DataFrame, then)."""
    sc, groups = _scenario(task.scenario_toml)
    names = dispersions.slot_names(groups)
    runs = task.runs
    try:
        # the rows are made from the summaries' arrays, not the event log: a batch keeps none
        out, values = simulate_runs(sc, groups, task.seed, runs, events=False)
        return row_columns(out, runs, task.seed, values, names)
    except Exception:  # noqa: BLE001 - isolate the run(s) that fail, below
        pass
    import pandas as pd

    parts = []
    for r in runs:
        one = np.array([r])
        try:
            out, values = simulate_runs(sc, groups, task.seed, one, events=False)
            parts.append(rows_from_output(out, one, task.seed, values, names))
        except Exception as exc:  # noqa: BLE001 - recorded in the row, the campaign goes on
            values = dispersions.draw(sc, groups, task.seed, one)
            reason = f"error: {type(exc).__name__}: {exc}"
            parts.append(error_rows(one, task.seed, values, names, reason))
    return pd.concat(parts, ignore_index=True)


def _kernel_threads(n: int) -> int:
    """Set the motion kernel's threads in this process; returns the previous setting."""
    import numba

    outer = numba.get_num_threads()
    numba.set_num_threads(n)
    return outer


DASK_CONNECT_S = 10  # [s] how long to look for a scheduler before saying it is not there


def _first_compile() -> bool:
    """Whether an engine kernel is not in Numba's on-disk cache (a first campaign)."""
    from ..physics import jit

    return jit.ENGINE_NOTICE in jit.to_compile()


def _warm(scenario_toml: str) -> None:
    """In a worker of a first campaign: compile the engine's kernels from the last it uses
    (:mod:`spacewalk.sim.warm`) while the other workers' batches compile them from the first;
    each loads from the cache what another has written. Best effort: nothing comes back."""
    from ..sim import warm

    with contextlib.suppress(Exception):
        warm.warm(compile_plan(_scenario(scenario_toml)[0]))


def run_local(
    tasks: list[BatchTask], workers: int
) -> Iterator[tuple[BatchTask, Columns | pd.DataFrame]]:
    """Yield (task, rows) as batches finish, on ``workers`` local processes."""
    if workers <= 1 or len(tasks) <= 1:
        outer = _kernel_threads(1)  # in this process as in a worker: the batch is the unit
        try:
            for task in tasks:
                yield task, run_batch(task)
        finally:
            _kernel_threads(outer)
        return
    with local.take(workers) as pool:
        pending = {}
        if _first_compile():  # one worker compiles from the last kernel, the others the first
            pool.submit(_warm, tasks[0].scenario_toml)
        queue = iter(tasks)
        for task in _take(queue, 2 * workers):
            pending[pool.submit(run_batch, task)] = task
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                task = pending.pop(fut)
                yield task, fut.result()
                for nxt in _take(queue, 1):
                    pending[pool.submit(run_batch, nxt)] = nxt


def run_dask(tasks: list[BatchTask], address) -> Iterator[tuple[BatchTask, Columns | pd.DataFrame]]:
    """Yield (task, rows) as batches finish on a Dask cluster (an address or a Client)."""
    try:
        from distributed import Client, as_completed
    except ImportError:
        from .store import CampaignError

        raise CampaignError(
            "--dask needs Dask's distributed scheduler: pip install 'spacewalk[dask]'"
        ) from None
    from .store import CampaignError

    client = address if isinstance(address, Client) else Client(address, timeout=DASK_CONNECT_S)
    where = address if isinstance(address, str) else getattr(client.scheduler, "address", "")
    try:
        futures = client.map(run_batch, tasks, pure=False)
        by_key = {f.key: t for f, t in zip(futures, tasks, strict=True)}
        for fut in as_completed(futures):
            try:
                rows = fut.result()
            except Exception as exc:  # run_batch turns a run's own failure into a row
                raise CampaignError(
                    f"the Dask cluster at {where} failed ({type(exc).__name__}: {exc}); the "
                    "finished batches are kept: `spacewalk campaign resume FOLDER` (with "
                    "--dask ADDRESS of a running scheduler, or on local cores without it)"
                ) from None
            yield by_key[fut.key], rows
    finally:
        if client is not address:
            with contextlib.suppress(Exception):  # the scheduler may be gone already
                client.close()


def _take(it: Iterator, n: int) -> list:
    out = []
    for _ in range(n):
        try:
            out.append(next(it))
        except StopIteration:
            break
    return out
