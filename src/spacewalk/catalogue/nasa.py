"""Read the NASA open-data format "Extra-vehicular Activity (EVA) - US and Russia".

Columns ``EVA #, Country, Crew, Vehicle, Date, Duration, Purpose`` (the additions file says
``ID`` for ``EVA #``; headers may carry trailing spaces). The file is Windows-1252 with some
UTF-8 text encoded twice (``Ã‚Â’`` for ``’``); dates come as ``06/03/1965`` (US month/day,
local), ``"March 16-17, 1966"``, ``"Mar. 18, 1965"``, ``"Sept. 1973"`` or ``"Feb. 26,1988"``;
crews are separated by runs of spaces or by ``/``; cancelled EVAs have no number. Each row
becomes a plain dict; a malformed row becomes a :class:`Problem` with its line and the reason,
and the other rows are still read.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

COLUMNS = ("EVA #", "Country", "Crew", "Vehicle", "Date", "Duration", "Purpose")
HEADER_ALIASES = {"ID": "EVA #"}
MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for m in names
}
_NUMERIC = re.compile(r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$")
_WORDY = re.compile(r"^([A-Za-z]+)\.?\s*([0-9]{1,2})?(?:\s*-\s*[0-9]{1,2})?\s*,?\s*([0-9]{4})$")
_DURATION = re.compile(r"^([0-9]{1,2}):([0-9]{2})$")
_EVA_NUMBER = re.compile(r"^[0-9]{1,6}$")  # ASCII digits only: "١٢" is not row 12
MAX_CELL = 10_000  # characters; the longest purpose in the NASA file is under 1,000


@dataclass(frozen=True)
class Problem:
    """A row that could not be read: the file, its line and why."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


def decode(raw: bytes) -> str:
    """UTF-8 if it is, else Windows-1252 (cells are repaired after the CSV split, so that
    repaired quotation marks cannot end a quoted field)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def fix_cell(text: str) -> str:
    """Repair text encoded twice (``Ã‚Â’`` -> ``'``) and collapse runs of blanks."""
    import ftfy  # here: every run's summary reads the catalogue, only an import fixes text

    return " ".join(ftfy.fix_text(text, normalization="NFC").split())


def parse_date(text: str) -> tuple[date, str]:
    """A calendar date and its precision (``day`` or ``month``) from the dataset's forms.

    A range ("March 16-17, 1966") gives its first day; a month alone ("Sept. 1973") gives the
    first of the month with precision ``month``."""
    s = " ".join(text.split())
    try:
        m = _NUMERIC.match(s)
        if m:
            month, day, year = (int(g) for g in m.groups())
            return date(year, month, day), "day"
        m = _WORDY.match(s)
        if m and m.group(1).lower() in MONTHS:
            month = MONTHS[m.group(1).lower()]
            day = m.group(2)
            return date(int(m.group(3)), month, int(day) if day else 1), ("day" if day else "month")
    except ValueError as exc:
        raise ValueError(f"date {text!r} is not a calendar date ({exc})") from None
    raise ValueError(f"date {text!r} is in none of the known forms (06/03/1965, Mar. 18, 1965)")


def parse_duration(text: str) -> int:
    """Minutes from ``H:MM``."""
    m = _DURATION.match(text.strip())
    if not m or int(m.group(2)) >= 60:
        raise ValueError(f"duration {text!r} is not H:MM")
    return int(m.group(1)) * 60 + int(m.group(2))


def split_crew(text: str) -> list[str]:
    """Names separated by runs of two or more spaces, or by ``/``."""
    return [" ".join(p.split()) for p in re.split(r"\s{2,}|/", text.strip()) if p.strip()]


def _cancelled_id(vehicle: str, day: date, crew: list[str]) -> str:
    digest = hashlib.sha1(f"{vehicle}|{day}|{'|'.join(crew)}".encode()).hexdigest()[:8]
    return f"nasa-cancelled-{day.isoformat()}-{digest}"


def read_rows(path: str | Path) -> tuple[list[dict], list[Problem]]:
    """Rows of one file in the NASA format, and the problems of the rows that were skipped."""
    path = Path(path)
    name = str(path)
    try:
        text = decode(path.read_bytes())
    except OSError as exc:
        return [], [Problem(name, 0, f"cannot read the file ({exc.strerror})")]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [HEADER_ALIASES.get(h.strip(), h.strip()) for h in next(reader)]
    except StopIteration:
        return [], [Problem(name, 1, "the file is empty; expected a header " + ", ".join(COLUMNS))]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        return [], [
            Problem(
                name,
                1,
                f"header lacks {', '.join(missing)}; expected the columns {', '.join(COLUMNS)} "
                "(the NASA 'Extra-vehicular Activity (EVA) - US and Russia' format)",
            )
        ]
    col = {c: header.index(c) for c in COLUMNS}
    rows, problems = [], []
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:  # e.g. a field over the csv module's 128 kB limit
            problems.append(Problem(name, reader.line_num, f"{exc}; row skipped"))
            continue
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) < len(header):
            problems.append(
                Problem(name, line, f"{len(cells)} fields, expected {len(header)}; row skipped")
            )
            continue
        long = [c for c, i in col.items() if len(cells[i]) > MAX_CELL]
        if long:
            problems.append(
                Problem(name, line, f"{long[0]} is over {MAX_CELL:,} characters; row skipped")
            )
            continue
        get = {c: cells[i].strip() for c, i in col.items()}
        get["Purpose"] = fix_cell(get["Purpose"])
        try:
            row = _row(get)
        except ValueError as exc:
            problems.append(Problem(name, line, f"{exc}; row skipped"))
            continue
        row["source"] = f"{path.name}:{line}"
        rows.append(row)
    return rows, problems


def _row(get: dict) -> dict:
    crew = split_crew(get["Crew"])
    if not crew:
        raise ValueError("no crew")
    day, precision = parse_date(get["Date"])
    number = get["EVA #"]
    duration = parse_duration(get["Duration"]) if get["Duration"] else 0
    if number and not _EVA_NUMBER.match(number):
        raise ValueError(f"EVA number {number!r} is not a whole number of 1 to 6 digits (0-9)")
    cancelled = not number or duration == 0  # no number, or no time outside (Gemini VIII)
    return {
        "id": f"nasa-{int(number)}" if number else _cancelled_id(get["Vehicle"], day, crew),
        "nasa_id": int(number) if number else None,
        "country": get["Country"],
        "vehicle": " ".join(get["Vehicle"].split()),
        "mission": " ".join(get["Vehicle"].split()),
        "date": day.isoformat(),
        "date_precision": precision,
        "duration_min": None if cancelled else duration,
        "cancelled": cancelled,
        "purpose": get["Purpose"],
        "crew": crew,
    }
