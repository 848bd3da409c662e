"""The catalogue: the project's own records, and the public dataset once imported.

Imported rows live in an SQLite database in the user's data directory (``SPACEWALK_DATA_DIR``
overrides it); the project's own records (``records.toml`` in the package) are read from the
package every time, so a fresh install knows the library's spacewalks before any import. An
EVA that is in both (the record names its ``nasa_id``) is one EVA: the record's fields win,
the dataset fills what the record leaves out. Importing is idempotent: a row is keyed by its
dataset number (or, for the numberless cancelled EVAs, by vehicle, date and crew) and is only
written when it changed.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

from .names import Identities, identities, same_person
from .nasa import Problem, read_rows

if TYPE_CHECKING:
    import pandas as pd

DB_NAME = "catalogue.sqlite"
SCHEMA = """
CREATE TABLE IF NOT EXISTS dataset_eva (
    id TEXT PRIMARY KEY,
    nasa_id INTEGER,
    country TEXT NOT NULL,
    vehicle TEXT NOT NULL,
    mission TEXT NOT NULL,
    date TEXT NOT NULL,
    date_precision TEXT NOT NULL,
    duration_min INTEGER,
    cancelled INTEGER NOT NULL,
    purpose TEXT NOT NULL,
    crew TEXT NOT NULL,
    source TEXT NOT NULL
)
"""
FIELDS = (
    "nasa_id",
    "country",
    "vehicle",
    "mission",
    "date",
    "date_precision",
    "duration_min",
    "cancelled",
    "purpose",
    "crew",
    "source",
)


def data_dir() -> Path:
    """Where the catalogue database lives: ``$SPACEWALK_DATA_DIR`` or the user data dir."""
    env = os.environ.get("SPACEWALK_DATA_DIR")
    return Path(env) if env else Path(platformdirs.user_data_dir("spacewalk", appauthor=False))


@cache
def own_records() -> dict:
    """The project's records: ``{"eva": [...], "person": [...]}`` from the package."""
    text = resources.files("spacewalk.catalogue").joinpath("records.toml").read_text("utf-8")
    return tomllib.loads(text)


def preferred_names() -> dict[str, list[str]]:
    return {p["name"]: p.get("aliases", []) for p in own_records()["person"]}


@dataclass
class ImportReport:
    """What an import did, per file and in all."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [
            f"imported {', '.join(self.files) or 'nothing'}: {self.added} added, "
            f"{self.updated} updated, {self.unchanged} unchanged"
        ]
        if self.problems:
            lines.append(f"{len(self.problems)} rows skipped:")
            lines += [f"  {p}" for p in self.problems]
        return "\n".join(lines)


class Catalogue:
    """The catalogue at ``path`` (a database file; default: the user's data directory)."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path else data_dir() / DB_NAME

    # ------------------------------------------------------------------ import
    def import_files(self, files: list[str | Path]) -> ImportReport:
        report = ImportReport()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(self.path) as con:
            con.execute(SCHEMA)
            for f in files:
                rows, problems = read_rows(f)
                report.problems += problems
                report.files.append(str(f))
                for row in rows:
                    values = {k: row[k] for k in FIELDS}
                    values["crew"] = json.dumps(row["crew"], ensure_ascii=False)
                    values["cancelled"] = int(row["cancelled"])
                    old = con.execute(
                        f"SELECT {', '.join(FIELDS)} FROM dataset_eva WHERE id = ?", (row["id"],)
                    ).fetchone()
                    new = tuple(values[k] for k in FIELDS)
                    if old == new:
                        report.unchanged += 1
                        continue
                    con.execute(
                        f"INSERT OR REPLACE INTO dataset_eva (id, {', '.join(FIELDS)}) "
                        f"VALUES (?, {', '.join('?' * len(FIELDS))})",
                        (row["id"], *new),
                    )
                    if old is None:
                        report.added += 1
                    else:
                        report.updated += 1
        return report

    def dataset_rows(self) -> list[dict]:
        if not self.path.exists():
            return []
        with sqlite3.connect(self.path) as con:
            con.row_factory = sqlite3.Row
            con.execute(SCHEMA)
            rows = [dict(r) for r in con.execute("SELECT * FROM dataset_eva ORDER BY date, id")]
        for r in rows:
            r["crew"] = json.loads(r["crew"])
            r["cancelled"] = bool(r["cancelled"])
        return rows

    # ------------------------------------------------------------------ views
    def evas(self) -> pd.DataFrame:
        """Every EVA, one row each, with canonical crew names; columns documented in
        ``docs/catalogue.md``."""
        import pandas as pd

        data = self.dataset_rows()
        own = own_records()["eva"]
        by_nasa = {r["nasa_id"]: r for r in data if r["nasa_id"] is not None}
        claimed = {e["nasa_id"] for e in own if e.get("nasa_id") is not None}
        out = []
        for e in own:
            d = by_nasa.get(e.get("nasa_id"), {})
            row = {**_defaults(), **{k: v for k, v in d.items() if v is not None}}
            row.update(e)
            row["origin"] = "project+dataset" if d else "project"
            row["source"] = e["source"] + (f"; dataset {d['source']}" if d else "")
            out.append(row)
        for d in data:
            if d["nasa_id"] in claimed:
                continue
            out.append(
                {**_defaults(), **d, "origin": "dataset", "source": f"dataset {d['source']}"}
            )
        known = sorted({n for r in out for n in r["crew"] if len(n.split()) == 2})
        for r in out:
            r["crew"] = _split_joined(r["crew"], known)
        ids = self.identities(out)
        for r in out:
            r["crew"] = [ids(n) for n in r["crew"]]
        df = pd.DataFrame(out)
        df["date"] = pd.to_datetime(df["date"])
        # the one convention of every output: the UTC date (of the UTC start where known;
        # ``date`` stays the source's, local for US EVAs)
        local = df["date"].dt.strftime("%Y-%m-%d")
        df["date_utc"] = pd.to_datetime(
            [
                s[:10] if isinstance(s, str) and len(s) >= 10 else d
                for s, d in zip(df["start_utc"], local, strict=True)
            ]
        )
        df["year"] = df["date"].dt.year
        return df.sort_values(["date", "id"]).reset_index(drop=True)

    def identities(self, rows: list[dict] | None = None) -> Identities:
        if rows is None:
            rows = self.dataset_rows() + own_records()["eva"]
        spellings = [n for r in rows for n in r["crew"]]
        return identities(spellings, preferred_names())

    def crew(self, ev: pd.DataFrame | None = None) -> pd.DataFrame:
        """One row per person per EVA: ``id, person, date, duration_min, ...`` (from ``ev``,
        the :meth:`evas` frame, when given)."""
        ev = self.evas() if ev is None else ev
        return ev.explode("crew").rename(columns={"crew": "person"}).reset_index(drop=True)


def _defaults() -> dict:
    return {
        "nasa_id": None,
        "start_utc": None,
        "date_precision": "day",
        "duration_min": None,
        "outside_min": None,
        "max_distance_m": None,
        "cancelled": False,
        "private": False,
        "firsts": [],
        "scenario": None,
        "purpose": "",
        "note": "",
    }


def _split_joined(names: list[str], known: list[str]) -> list[str]:
    """Split a spelling that joins two people with one space ("Doug Wheellock Tracy Caldwell
    Dyson"): where its first words are a person of the catalogue (``known``: the two-word
    spellings)."""
    out = []
    for n in names:
        words = n.split()
        if len(words) >= 4:
            for k in range(2, len(words) - 1):
                head = " ".join(words[:k])
                if any(same_person(head, s) for s in known if s != n):
                    out += [head, " ".join(words[k:])]
                    break
            else:
                out.append(n)
        else:
            out.append(n)
    return out


def entries_for_scenario(name: str, catalogue_id: str = "") -> list[dict]:
    """The project's catalogue records that a library scenario reproduces (its EVAs), or the
    one its ``catalogue_id`` names: ``id, date, mission, crew, duration_min, source``."""
    keys = ("id", "date", "mission", "crew", "duration_min", "source")
    return [
        {k: e.get(k) for k in keys}
        for e in own_records()["eva"]
        if e.get("scenario") == name or (catalogue_id and e["id"] == catalogue_id)
    ]
