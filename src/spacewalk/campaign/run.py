"""Start, resume and re-create campaigns."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import tomli_w

from ..results.simulation import SimulationResult, result_of
from ..scenario import Scenario, dispersions, load_scenario
from . import store
from .execute import BatchTask, run_dask, run_local, simulate_runs
from .pool import default_workers
from .store import CampaignError, Manifest


def _settings(sc: Scenario):
    from ..scenario import CampaignSettings

    return sc.campaign or CampaignSettings()


# A batch of runs goes through the engine as one array; the time per run falls with the
# batch's size up to about this many runs (benchmarks/bench_campaign.py: 7.4 ms a run at
# 250, 5.7 at 500, 4.5 at 1,000, 3.9 at 2,500, no better at 5,000), at 0.35 GiB a process
LOCAL_BATCH = 500
DASK_BATCH = 500  # a cluster has many workers: finer batches keep them all busy


def run_campaign(
    scenario: Scenario | str | Path,
    out: str | Path,
    *,
    runs: int | None = None,
    seed: int | None = None,
    batch_size: int | None = None,
    workers: int | None = None,
    dask=None,
    progress: bool = False,
) -> Path:
    """Run a Monte Carlo campaign of a scenario into the folder ``out``.

    ``runs``, ``seed`` and ``batch_size`` default to the scenario's ``[campaign]`` table (seed:
    the scenario's seed; batch size: when neither sets it, batches of at most
    ``LOCAL_BATCH`` runs spread evenly over the local workers, or ``DASK_BATCH`` on a
    cluster). Batches go to ``workers`` local processes (default: all cores), or to the Dask
    cluster at ``dask`` (an address such as ``tcp://host:8786`` or a Client).
    """
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    cfg = _settings(sc)
    runs = cfg.runs if runs is None else runs
    if runs < 1:
        raise CampaignError(f"--runs must be at least 1, got {runs}")
    seed = (cfg.seed if cfg.seed is not None else sc.scenario.seed) if seed is None else seed
    if seed < 0:
        raise CampaignError(f"--seed must be 0 or more, got {seed}")
    batch = cfg.batch_size if batch_size is None else batch_size
    if batch is None and dask is not None:
        batch = DASK_BATCH
    elif batch is None:
        # unset: as many batches as fill every local worker the same number of times, each
        # of at most LOCAL_BATCH runs (a 500-run campaign on 8 cores is 8 batches of 63;
        # 10,000 runs on 2 cores are 4 batches of 2,500)
        w = workers or default_workers()
        batch = math.ceil(runs / (w * math.ceil(runs / (w * LOCAL_BATCH))))
    if batch < 1:
        raise CampaignError(f"--batch-size must be at least 1, got {batch}")
    settings = cfg.model_copy(update={"seed": seed, "runs": runs, "batch_size": batch})
    sc = sc.model_copy(update={"campaign": settings})
    groups, _ = dispersions.resolve(sc)  # issues were reported when the scenario loaded
    folder = Path(out)
    manifest = Manifest(
        scenario=sc.scenario.name,
        seed=seed,
        runs=runs,
        batch_size=batch,
        dispersed=dispersions.slot_names(groups),
    )
    store.create(folder, sc, manifest)
    return _execute(folder, workers=workers, dask=dask, progress=progress)


def resume_campaign(
    folder: str | Path, *, workers: int | None = None, dask=None, progress: bool = False
) -> Path:
    """Finish the batches a campaign is missing (after a crash or Ctrl-C); redo nothing."""
    return _execute(Path(folder), workers=workers, dask=dask, progress=progress)


def _execute(folder: Path, *, workers, dask, progress) -> Path:
    manifest, sc = store.open_campaign(folder)
    text = (folder / store.SCENARIO).read_text(encoding="utf-8")
    todo = store.missing_batches(folder, manifest)
    tasks = [
        BatchTask(text, manifest.seed, b, r.start, r.stop)
        for b in todo
        for r in (manifest.batch_runs(b),)
    ]
    if dask is not None:
        results = run_dask(tasks, dask)
    else:
        results = run_local(tasks, workers or default_workers())
    bar = _bar(manifest, todo, progress)
    try:
        for task, rows in results:
            store.write_batch(folder, task.batch, rows)
            if bar is not None:
                bar.update(task.stop - task.first)
    finally:
        if bar is not None:
            bar.close()
    return folder


def _bar(manifest: Manifest, todo: list[int], progress: bool):
    if not progress:
        return None
    from tqdm import tqdm

    left = sum(len(manifest.batch_runs(b)) for b in todo)
    return tqdm(
        total=manifest.runs,
        initial=manifest.runs - left,
        unit="run",
        file=sys.stderr,
        desc=manifest.scenario,
    )


def rerun(folder: str | Path, run: int) -> tuple[SimulationResult, dict]:
    """Re-create one run of a campaign alone, with full telemetry: its dispersed values come
    from the run's own random stream, so the result is the run the campaign recorded.

    Returns the result and the run's dispersed values by column name.
    """
    folder = Path(folder)
    manifest, sc = store.open_campaign(folder)
    if not 0 <= run < manifest.runs:
        raise CampaignError(
            f"{folder}: run {run} is not in this campaign (runs 0 to {manifest.runs - 1})"
        )
    groups, _ = dispersions.resolve(sc)
    out, values = simulate_runs(sc, groups, manifest.seed, np.array([run]), record=True)
    named = dict(zip(dispersions.slot_names(groups), values[0].tolist(), strict=True))
    return result_of(sc, out), named


def write_rerun(folder: str | Path, run: int, out: str | Path | None = None) -> Path:
    """Re-create a run and write its run folder (default ``FOLDER/run-NNNNNN``), with the
    dispersed values in ``dispersed.toml``."""
    folder = Path(folder)
    result, named = rerun(folder, run)
    target = Path(out) if out else folder / f"run-{run:06d}"
    result.write(target)
    manifest, _ = store.open_campaign(folder)
    (target / "dispersed.toml").write_text(
        f"# Run {run} of the campaign in {folder} (seed {manifest.seed}): the dispersed values\n"
        "# applied over scenario.toml. Re-create it with "
        f"`spacewalk campaign rerun {folder} {run}`.\n"
        + tomli_w.dumps({"run": run, "seed": manifest.seed, "values": named}),
        encoding="utf-8",
    )
    return target
