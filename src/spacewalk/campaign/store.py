"""The campaign folder: the only module that touches its files.

::

    camp/
      campaign.json          seed, runs, batch size, dispersed columns, versions
      scenario.toml          the resolved scenario with its [campaign] table (resume and rerun)
      runs/batch-000000.parquet, ...   one Parquet file per finished batch, one row per run
      report.html            written by ``spacewalk campaign report``

A batch file is written to a temporary name, flushed to disk and renamed into place, so a
killed campaign (even ``kill -9``) leaves only whole batch files: it loses at most the batches
in flight, and ``resume`` runs exactly the missing ones. Beside each batch a small
``batch-NNNNNN.parquet.sha256`` records its SHA-256 and row count; a batch counts as done only
when its file matches them (a truncated, emptied or altered file is redone by ``resume``). The rows are plain Parquet, so DuckDB
reads them directly: ``SELECT * FROM read_parquet('camp/runs/*.parquet', union_by_name=true)``.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import tomli_w

from ..scenario import Scenario, ScenarioError, parse_toml, scenario_to_mapping
from ..version import __version__

FORMAT = 1
MANIFEST = "campaign.json"
SCENARIO = "scenario.toml"
RUNS_DIR = "runs"


class CampaignError(ValueError):
    """A campaign folder cannot be used as asked; the message says how to fix it."""


@dataclass(frozen=True)
class Manifest:
    scenario: str
    seed: int
    runs: int
    batch_size: int
    dispersed: list[str]
    created_utc: str = ""
    spacewalk_version: str = __version__
    format: int = FORMAT

    @property
    def n_batches(self) -> int:
        return -(-self.runs // self.batch_size)

    def batch_runs(self, b: int) -> range:
        return range(b * self.batch_size, min((b + 1) * self.batch_size, self.runs))


def batch_path(folder: Path, b: int) -> Path:
    return folder / RUNS_DIR / f"batch-{b:06d}.parquet"


def create(folder: Path, scenario: Scenario, manifest: Manifest) -> None:
    """Start a campaign folder; refuse one that already holds a campaign."""
    if (folder / MANIFEST).exists():
        raise CampaignError(
            f"{folder}: already holds a campaign; finish it with "
            f"`spacewalk campaign resume {folder}` or give another --out folder"
        )
    if folder.exists() and not folder.is_dir():
        raise CampaignError(f"{folder}: is a file; give a folder for --out")
    (folder / RUNS_DIR).mkdir(parents=True, exist_ok=True)
    (folder / SCENARIO).write_text(
        "# The resolved scenario of this campaign: resume and rerun read it.\n"
        + tomli_w.dumps(scenario_to_mapping(scenario)),
        encoding="utf-8",
    )
    data = asdict(manifest)
    data["created_utc"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    _atomic_write(folder / MANIFEST, json.dumps(data, indent=2).encode())


def open_campaign(folder: Path) -> tuple[Manifest, Scenario]:
    """Read a campaign folder's manifest and scenario, with clear errors."""
    path = folder / MANIFEST
    if not path.exists():
        raise CampaignError(
            f"{folder}: not a campaign folder (no {MANIFEST}); start one with "
            "`spacewalk campaign run SCENARIO --out FOLDER`"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        manifest = Manifest(**data)
        _check_manifest(manifest)
    except (ValueError, TypeError) as exc:
        raise CampaignError(
            f"{path}: unreadable manifest ({exc}); start the campaign again"
        ) from None
    if manifest.format != FORMAT:
        raise CampaignError(
            f"{path}: campaign format {manifest.format}, this spacewalk reads {FORMAT}"
        )
    try:
        scenario = parse_toml(
            (folder / SCENARIO).read_text(encoding="utf-8"), str(folder / SCENARIO)
        )
    except FileNotFoundError:
        raise CampaignError(f"{folder}: {SCENARIO} is missing; start the campaign again") from None
    except ScenarioError as exc:
        raise CampaignError(str(exc)) from None
    return manifest, scenario


def _checksum_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def batch_ok(folder: Path, manifest: Manifest, b: int) -> bool:
    """True if batch ``b``'s file is whole: its checksum and its row count match."""
    path = batch_path(folder, b)
    if not path.is_file():
        return False
    expected = len(manifest.batch_runs(b))
    try:
        record = json.loads(_checksum_path(path).read_text(encoding="utf-8"))
        if record.get("rows") != expected or record.get("sha256") != _sha256(path):
            return False
    except FileNotFoundError:
        pass  # written by an older spacewalk: the file's own footer and rows must do
    except (OSError, ValueError, AttributeError):
        return False
    try:
        return pq.read_metadata(path).num_rows == expected
    except (OSError, pa.ArrowException):
        return False


def _check_manifest(m: Manifest) -> None:
    for key in ("seed", "runs", "batch_size", "format"):
        value = getattr(m, key)
        if (
            not isinstance(value, int)
            or isinstance(value, bool)
            or value < (0 if key == "seed" else 1)
        ):
            raise ValueError(f"{key} must be a whole number, got {value!r}")
    if not isinstance(m.scenario, str) or not (
        isinstance(m.dispersed, list) and all(isinstance(d, str) for d in m.dispersed)
    ):
        raise ValueError("scenario must be a name and dispersed a list of names")


def done_batches(folder: Path, manifest: Manifest) -> set[int]:
    """The batches whose files are whole (see :func:`batch_ok`)."""
    out = set()
    for p in (folder / RUNS_DIR).glob("batch-*.parquet"):
        try:
            b = int(p.stem.removeprefix("batch-"))
        except ValueError:
            continue
        if b < manifest.n_batches and batch_ok(folder, manifest, b):
            out.add(b)
    return out


def missing_batches(folder: Path, manifest: Manifest) -> list[int]:
    have = done_batches(folder, manifest)
    return [b for b in range(manifest.n_batches) if b not in have]


def write_batch(folder: Path, b: int, rows: pd.DataFrame | dict) -> Path:
    """Write one batch's rows (a DataFrame, or its columns as a worker sends them)
    atomically (temporary file, fsync, rename), its checksum first."""
    if not isinstance(rows, pd.DataFrame):
        rows = pd.DataFrame(rows)
    table = pa.Table.from_pandas(rows, preserve_index=False)
    target = batch_path(folder, b)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    pq.write_table(table, tmp)
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    record = {"sha256": _sha256(tmp), "rows": len(rows)}
    _atomic_write(_checksum_path(target), json.dumps(record).encode())
    os.replace(tmp, target)
    return target


def load_runs(folder: str | Path) -> pd.DataFrame:
    """Every finished run of a campaign as a DataFrame, ordered by run number."""
    folder = Path(folder)
    manifest, _ = open_campaign(folder)
    files = [batch_path(folder, b) for b in sorted(done_batches(folder, manifest))]
    if not files:
        raise CampaignError(
            f"{folder}: no finished batches yet; run `spacewalk campaign resume {folder}`"
        )
    frame = pd.concat([pq.read_table(f).to_pandas() for f in files], ignore_index=True)
    frame = frame.sort_values("run", ignore_index=True)
    frame.attrs["dispersed"] = list(manifest.dispersed)
    frame.attrs["seed"] = manifest.seed
    frame.attrs["planned_runs"] = manifest.runs
    return frame


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
