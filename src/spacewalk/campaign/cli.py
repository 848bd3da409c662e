"""``spacewalk campaign ...``: run, resume, rerun, report."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

# risk, store and pandas are imported by the commands that use them (:func:`_guard`): the
# command line builds this parser on every command


def _summary_text(folder: Path) -> str:
    import pandas as pd

    from . import risk, store

    runs = store.load_runs(folder)
    n = len(runs)
    lines = [f"{n} runs in {folder}"]
    if note := _identical_note(folder):
        lines.append(note)
    pd.set_option("display.width", 120)
    out = risk.outcome_table(runs)
    out = out[out["runs"] > 0]
    lines.append(_fmt(out, "outcome"))
    ev = risk.event_table(runs)
    ev = ev[ev["runs"] > 0]
    if not ev.empty:
        lines.append(_fmt(ev, "event"))
    if 0 < runs["consumable_limited"].sum() < n and runs.attrs.get("dispersed"):
        top = risk.drivers(runs, "consumable_limited").head(5)
        lines.append("what drives consumable_limited (Spearman rho, 95 % interval):")
        for _, r in top.iterrows():
            lines.append(
                f"  {r['parameter']:<40} {r['spearman']:+.3f} "
                f"({r['ci_low']:+.3f} to {r['ci_high']:+.3f})"
            )
    return "\n".join(lines)


def _fmt(frame: pd.DataFrame, key: str) -> str:
    rows = [f"{key:<28} {'runs':>7} {'P':>9}   95 % Wilson interval"]
    for _, r in frame.iterrows():
        rows.append(
            f"{str(r[key]):<28} {r['runs']:>7} {100 * r['probability']:8.2f}%   "
            f"{100 * r['ci_low']:.2f}% to {100 * r['ci_high']:.2f}%"
        )
    return "\n".join(rows)


def _interrupted(folder: Path) -> int:
    from .store import MANIFEST

    if not (folder / MANIFEST).exists():  # before the campaign's folder was made
        print("interrupted before the campaign started: nothing was saved", file=sys.stderr)
        return 130
    print(
        f"interrupted: the finished batches are saved in {folder}; "
        f"finish with `spacewalk campaign resume {folder}`",
        file=sys.stderr,
    )
    return 130


def _run(args) -> int:
    from . import pool

    t0 = time.perf_counter()
    one_batch = args.runs == 1 or (args.batch_size or 0) >= (args.runs or 2)
    folder = Path(args.out)
    try:
        if args.dask is None and not one_batch:  # the workers import while this process does
            pool.start(args.workers or pool.default_workers())
        from .run import run_campaign

        run_campaign(
            args.scenario,
            folder,
            runs=args.runs,
            seed=args.seed,
            batch_size=args.batch_size,
            workers=args.workers,
            dask=args.dask,
            progress=not args.quiet,
        )
    except KeyboardInterrupt:
        return _interrupted(folder)
    finally:
        pool.discard()
    print(f"finished in {time.perf_counter() - t0:.1f} s")
    print(_summary_text(folder))
    return 0


def _identical_note(folder: Path) -> str:
    """Said when a campaign disperses nothing: its runs are all the same run."""
    from . import store

    manifest, _ = store.open_campaign(folder)
    if manifest.dispersed:
        return ""
    return (
        f"note: the scenario has no [[campaign.dispersions]], so all {manifest.runs} runs are "
        "identical; add dispersions (docs/campaigns.md) to vary them"
    )


def _resume(args) -> int:
    from . import store
    from .run import resume_campaign

    folder = Path(args.folder)
    manifest, _ = store.open_campaign(folder)
    todo = store.missing_batches(folder, manifest)
    print(f"{folder}: {len(todo)} of {manifest.n_batches} batches to run")
    try:
        resume_campaign(folder, workers=args.workers, dask=args.dask, progress=not args.quiet)
    except KeyboardInterrupt:
        return _interrupted(folder)
    print(_summary_text(folder))
    return 0


def _rerun(args) -> int:
    from . import store
    from .run import write_rerun

    target = write_rerun(args.folder, args.run, args.out)
    rows = store.load_runs(args.folder)
    row = rows[rows["run"] == args.run]
    print(f"wrote {target}/ (run {args.run}; its dispersed values are in dispersed.toml)")
    if not row.empty:
        r = row.iloc[0]
        print(
            f"the campaign recorded: outcome {r['outcome']}, limiting consumable "
            f"{r['limiting_consumable'] or '-'}, status {r['status']}"
        )
    return 0


def _report(args) -> int:
    from . import store
    from .report import render

    folder = Path(args.folder)
    manifest, scenario = store.open_campaign(folder)
    runs = store.load_runs(folder)
    path = folder / "report.html"
    path.write_text(render(runs, manifest, scenario), encoding="utf-8")
    print(_summary_text(folder))
    print(f"wrote {path}")
    return 0


def _guard(fn):
    def call(args) -> int:
        try:
            return fn(args)  # (the store is imported after `campaign run` starts its workers)
        except Exception as exc:
            from . import store

            if isinstance(exc, store.CampaignError):
                print(f"error: {exc}", file=sys.stderr)
                return 1
            if not isinstance(exc, OSError):
                raise
            # disk full, read-only folder, a Dask scheduler not there
            from ..results.runio import os_error_text

            where = f" (Dask scheduler {args.dask})" if getattr(args, "dask", None) else ""
            print(f"error{where}: {os_error_text(exc)}", file=sys.stderr)
            folder = getattr(args, "out", None) or getattr(args, "folder", None)
            if folder and (Path(folder) / store.MANIFEST).exists():
                print(
                    f"the finished batches are kept: `spacewalk campaign resume {folder}`",
                    file=sys.stderr,
                )
            return 1

    return call


def _positive(text: str) -> int:
    import argparse

    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return n


def add_parser(sub) -> None:
    p = sub.add_parser("campaign", help="Monte Carlo campaigns: run, resume, rerun, report")
    csub = p.add_subparsers(dest="campaign_command", required=True)
    r = csub.add_parser("run", help="run a dispersed campaign of a scenario into a folder")
    r.add_argument("scenario", help="a built-in scenario name or a .toml file with [campaign]")
    r.add_argument("--out", required=True, help="the campaign folder (must not hold one yet)")
    r.add_argument("--runs", type=_positive, help="number of runs (default: [campaign] runs)")
    r.add_argument("--seed", type=int, help="campaign seed (default: [campaign] or scenario seed)")
    r.add_argument(
        "--batch-size", type=_positive, help="runs per batch (default: [campaign] batch_size)"
    )
    r.add_argument("--workers", type=_positive, help="local processes (default: all cores)")
    r.add_argument("--dask", metavar="ADDRESS", help="run on the Dask cluster at ADDRESS")
    r.add_argument("--quiet", action="store_true", help="no progress bar")
    r.set_defaults(func=_guard(_run))
    r = csub.add_parser("resume", help="finish a campaign's missing batches; redo nothing")
    r.add_argument("folder", help="a campaign folder written by `spacewalk campaign run`")
    r.add_argument("--workers", type=_positive, help="local processes (default: all cores)")
    r.add_argument("--dask", metavar="ADDRESS")
    r.add_argument("--quiet", action="store_true")
    r.set_defaults(func=_guard(_resume))
    r = csub.add_parser("rerun", help="re-create one run with full telemetry and report")
    r.add_argument("folder", help="a campaign folder written by `spacewalk campaign run`")
    r.add_argument("run", type=int, help="the run number (the `run` column of its rows)")
    r.add_argument("--out", help="run folder to write (default FOLDER/run-NNNNNN)")
    r.set_defaults(func=_guard(_rerun))
    r = csub.add_parser("report", help="write FOLDER/report.html: outcomes, margins, drivers")
    r.add_argument("folder", help="a campaign folder written by `spacewalk campaign run`")
    r.set_defaults(func=_guard(_report))
