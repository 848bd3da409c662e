"""The run folder: telemetry.parquet, events.jsonl, summary.json, scenario.toml, report.html.

This module is the only place that touches the files of a run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import tomli_w

from ..scenario import Scenario, parse_toml, scenario_to_mapping
from ..scenario.channels import CHANNELS, channel_table
from ..sim.events import COLUMNS as EVENT_COLUMNS
from ..version import __version__

FILES = ("telemetry.parquet", "events.jsonl", "summary.json", "scenario.toml", "report.html")


class RunFolderError(ValueError):
    """A run folder is missing files or holds something unreadable."""


def write_run(result, folder: Path, *, report: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(result.telemetry, preserve_index=False)
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
    pq.write_table(table.cast(schema), folder / "telemetry.parquet")
    with open(folder / "events.jsonl", "w", encoding="utf-8") as fh:
        for row in result.events.to_dict(orient="records"):
            fh.write(json.dumps(row) + "\n")
    payload = result.summary if len(result.summaries) == 1 else {"runs": result.summaries}
    (folder / "summary.json").write_text(
        json.dumps(payload, indent=2, allow_nan=False), encoding="utf-8"
    )
    (folder / "scenario.toml").write_text(
        "# The resolved scenario of this run: `spacewalk run scenario.toml` repeats it exactly.\n"
        + tomli_w.dumps(scenario_to_mapping(result.scenario)),
        encoding="utf-8",
    )
    if report:
        from .report import render_report

        (folder / "report.html").write_text(
            render_report(result.scenario, result.telemetry, result.events, result.summary),
            encoding="utf-8",
        )
    return folder


@dataclass
class RunFolder:
    scenario: Scenario
    telemetry: pd.DataFrame
    events: pd.DataFrame
    summary: dict


def read_run(folder: Path) -> RunFolder:
    """Read a finished run folder back (for ``spacewalk report``)."""
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
    if "runs" in summary:
        summary = summary["runs"][0]
    scenario = parse_toml(
        (folder / "scenario.toml").read_text(encoding="utf-8"), str(folder / "scenario.toml")
    )
    if events.empty:
        events = pd.DataFrame(columns=list(EVENT_COLUMNS))
    return RunFolder(scenario, telemetry, events, summary)
