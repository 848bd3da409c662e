"""The run folder: telemetry.parquet, events.jsonl, summary.json, scenario.toml, report.html.

This module is the only place that touches the files of a run.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq
import tomli_w

from ..scenario import Scenario, ScenarioError, parse_toml, scenario_to_mapping
from ..scenario.channels import CHANNELS, channel_table
from ..scenario.events import SEVERITIES
from ..sim.events import COLUMNS as EVENT_COLUMNS
from ..version import __version__
from .columns import Telemetry, event_records, events_jsonl, held
from .frames import to_xarray, with_units

if TYPE_CHECKING:
    import pandas as pd

FILES = ("telemetry.parquet", "events.jsonl", "summary.json", "scenario.toml", "report.html")


def os_error_text(exc: OSError) -> str:
    """An operating-system error as a message: what, where, and what to do."""
    where = f"{exc.filename}: " if exc.filename else ""
    what = exc.strerror or str(exc) or type(exc).__name__
    hint = {
        28: "free some disk space and run it again (finished work is kept)",
        13: "choose a folder you can write to",
        30: "the folder is read-only: choose another",
    }.get(exc.errno or 0, "check the path or address and try again")
    return f"{where}{what}; {hint}"


class RunFolderError(ValueError):
    """A run folder is missing files or holds something unreadable."""


def write_run(result, folder: Path, *, report: bool = True) -> Path:
    """Write a run folder whole or not at all.

    The files go to a temporary folder beside it, each flushed to disk, and the folder is
    renamed into place; a folder from an earlier run is swapped out only then. Killed at any
    moment, or out of disk, ``folder`` holds either the earlier run or this one, never a mix
    (a leftover ``.NAME.tmp-*`` or ``.NAME.old-*`` beside it can be deleted). A folder that
    holds anything but run files is refused rather than replaced.
    """
    folder = Path(folder)
    if folder.exists():
        if not folder.is_dir():
            raise RunFolderError(f"{folder}: is a file; give a folder for the run")
        other = sorted(p.name for p in folder.iterdir() if p.name not in FILES)
        if other:
            raise RunFolderError(
                f"{folder}: holds other files ({', '.join(other[:3])}); give an empty folder "
                "or the folder of an earlier run"
            )
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.with_name(f".{folder.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        _write_files(result, tmp, report)
        if folder.exists():
            old = folder.with_name(f".{folder.name}.old-{os.getpid()}")
            os.rename(folder, old)
            os.rename(tmp, folder)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return folder


def _write_files(result, folder: Path, report: bool) -> None:
    telemetry, events = held(result, "telemetry"), held(result, "events")
    if isinstance(telemetry, Telemetry):
        table = telemetry.arrow()
    else:
        table = pa.Table.from_pandas(telemetry, preserve_index=False)
    fields = []
    for f in table.schema:
        ch = next((c for c in CHANNELS if c.name == f.name), None)
        meta = {b"unit": ch.unit.encode(), b"description": ch.description.encode()} if ch else None
        if f.name == "t_s":
            meta = {b"unit": b"s", b"description": b"simulation time since the scenario start"}
        fields.append(f.with_metadata(meta) if meta else f)
    schema = pa.schema(fields).with_metadata(
        {
            **(table.schema.metadata or {}),
            b"spacewalk.channels": json.dumps(channel_table()).encode(),
            b"spacewalk.scenario": result.scenario.scenario.name.encode(),
            b"spacewalk.version": __version__.encode(),
        }
    )
    # the same columns under the schema with the units (a cast would import pyarrow.compute)
    pq.write_table(pa.Table.from_arrays(table.columns, schema=schema), folder / "telemetry.parquet")
    _sync(folder / "telemetry.parquet")
    write_text(folder / "events.jsonl", events_jsonl(event_records(events)))
    payload = result.summary if len(result.summaries) == 1 else {"runs": result.summaries}
    write_text(folder / "summary.json", json.dumps(payload, indent=2, allow_nan=False))
    write_text(
        folder / "scenario.toml",
        "# The resolved scenario of this run: `spacewalk run scenario.toml` repeats it exactly.\n"
        + tomli_w.dumps(scenario_to_mapping(result.scenario)),
    )
    if report:
        from .report import render_report

        write_text(
            folder / "report.html",
            render_report(result.scenario, telemetry, events, result.summary),
        )


def _sync(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def write_text(path: Path, text: str) -> None:
    """Replace a file whole: a temporary file beside it, flushed, then renamed over it."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@dataclass
class RunFolder:
    """A run folder read back: what :meth:`SimulationResult.write` wrote, with the same
    ``summaries``, ``summary`` (run 0), ``text()``, ``write()`` and ``to_xarray()``."""

    scenario: Scenario
    telemetry: pd.DataFrame
    events: pd.DataFrame
    summaries: list[dict]

    @property
    def summary(self) -> dict:
        return self.summaries[0]

    def text(self, run: int = 0) -> str:
        from .summary import format_summary

        return format_summary(self.summaries[run])

    def write(self, folder: str | Path, *, report: bool = True) -> Path:
        return write_run(self, Path(folder), report=report)

    def to_xarray(self):
        return to_xarray(self.telemetry)


def read_run(folder: str | Path) -> RunFolder:
    """Read a finished run folder back: what ``write`` wrote (``spacewalk report`` uses it)."""
    import pandas as pd

    folder = Path(folder)
    if not folder.is_dir():
        raise RunFolderError(
            f"{folder}: no such run folder; give the --out folder of a finished run"
        )
    missing = [f for f in FILES[:4] if not (folder / f).exists()]
    if missing:
        raise RunFolderError(
            f"{folder}: not a complete run folder, missing {', '.join(missing)}; "
            "run `spacewalk run SCENARIO --out FOLDER` to make one"
        )
    try:
        telemetry = pq.read_table(folder / "telemetry.parquet").to_pandas()
        events = pd.read_json(folder / "events.jsonl", lines=True)
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise RunFolderError(
            f"{folder}: a run file cannot be read ({exc}); re-run the scenario"
        ) from None
    summaries = [summary]
    if isinstance(summary, dict) and isinstance(summary.get("runs"), list) and summary["runs"]:
        summaries = summary["runs"]
        summary = summaries[0]
    try:
        scenario = parse_toml(
            (folder / "scenario.toml").read_text(encoding="utf-8"), str(folder / "scenario.toml")
        )
    except ScenarioError as exc:
        raise RunFolderError(
            f"{folder}: its scenario.toml is not valid ({exc.issues[0].path or 'file'}: "
            f"{exc.issues[0].problem}); re-run the scenario"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RunFolderError(f"{folder}: scenario.toml cannot be read ({exc})") from None
    if events.empty:
        events = pd.DataFrame(columns=list(EVENT_COLUMNS))
    _check(folder, telemetry, events, summary)
    return RunFolder(scenario, with_units(telemetry), events, summaries)


# what the report reads at the top of a summary (a hand-edited one may lack it)
_SUMMARY_KEYS = {
    "status": (str,),
    "sim_duration_min": (int, float),
    "crew": (dict,),
    "phases": (list,),
    "evas": (list,),
}


def _check(folder: Path, telemetry: pd.DataFrame, events: pd.DataFrame, summary) -> None:
    """What a reader relies on: the columns, finite times, known severities, a summary."""

    def bad(what: str):
        return RunFolderError(f"{folder}: {what}; re-run the scenario to write it again")

    import pandas as pd

    missing = [c for c in ("run", "t_s", "crew") if c not in telemetry.columns]
    if missing:
        raise bad(f"telemetry.parquet lacks the column(s) {', '.join(missing)}")
    t = pd.to_numeric(telemetry["t_s"], errors="coerce")
    if len(t) and not (t.notna().all() and float(t.abs().max()) < 1e9):
        raise bad("telemetry.parquet has times that are not finite numbers")
    missing = [c for c in EVENT_COLUMNS if c not in events.columns and c != "values"]
    if missing:
        raise bad(f"events.jsonl lacks the field(s) {', '.join(missing)}")
    te = pd.to_numeric(events["t_s"], errors="coerce")
    if len(te) and not (te.notna().all() and float(te.abs().max()) < 1e9):
        raise bad("events.jsonl has times that are not finite numbers")
    runs = pd.to_numeric(events["run"], errors="coerce")
    if len(runs) and not (runs.notna().all() and (runs == runs.round()).all()):
        raise bad("events.jsonl has run numbers that are not whole numbers")
    odd = sorted({str(v) for v in events["severity"]} - set(SEVERITIES))
    if odd:
        raise bad(f"events.jsonl has severities {odd[:3]} (expected {', '.join(SEVERITIES)})")
    if not isinstance(summary, dict) or not isinstance(summary.get("outcome"), str):
        raise bad("summary.json is not a run summary (no outcome)")
    for key, kind in _SUMMARY_KEYS.items():
        if not isinstance(summary.get(key), kind):
            raise bad(f"summary.json has no {key!r} ({kind[0].__name__} expected)")
