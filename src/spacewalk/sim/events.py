"""The event log: events as codes (:data:`spacewalk.scenario.events.EVENTS` declares each
with its severity, source and message template); the log keeps codes and values, and
renders the message from them.

A subsystem's step returns :class:`Emit` records (a code, a time, which runs and crew
members, and the values its message needs); the engine appends them to the
:class:`EventLog`. History checks, reports, the console and campaigns select events by
``code`` (and ``subject``: the activity, rule, target, tether or consumable it is about),
never by the text of the message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..scenario.events import EVENTS

VEHICLE = -1  # crew index of events about the vehicle or the run, not a crew member
COLUMNS = ("run", "t_s", "crew", "code", "subject", "severity", "source", "message", "values")


@dataclass
class Emit:
    """Events of one code at one time: where ``mask`` (runs, crew) is true, or for the runs
    in ``runs`` with crew ``crew`` (VEHICLE for the vehicle). ``values`` are scalars or
    arrays indexed like the mask; ``subject`` is a string or a function of (run, crew)."""

    code: str
    t: float
    mask: np.ndarray | None = None
    runs: np.ndarray | None = None
    crew: int = VEHICLE
    subject: str | Callable[[int, int], str] = ""
    values: dict = field(default_factory=dict)
    t_at: np.ndarray | None = None  # (runs, crew) per-event times where they differ from t

    def where(self) -> tuple[np.ndarray, np.ndarray]:
        if self.mask is not None:
            r, c = np.nonzero(self.mask)
            return r, c
        runs = np.asarray(self.runs, dtype=np.int64).reshape(-1)
        return runs, np.full(runs.size, self.crew, dtype=np.int64)


def _value(v, r: int, c: int):
    if isinstance(v, np.ndarray) and v.ndim:
        return v[r, c] if v.ndim == 2 else v[r]
    return v


class EventLog:
    """The event log of a batch, in the order the engine emitted it."""

    def __init__(self, crew_ids: list[str], keep: bool = True):
        self.crew_ids = crew_ids
        self.items: list[dict] = []
        self.keep = keep  # False: nobody reads this log (a campaign's rows): nothing is kept

    def add(self, e: Emit) -> None:
        if not self.keep:
            return
        for r, c in zip(*e.where(), strict=True):
            r, c = int(r), int(c)
            subject = e.subject(r, c) if callable(e.subject) else e.subject
            values = {k: _value(v, r, c) for k, v in e.values.items()}
            self.add_one(e.code, float(e.t if e.t_at is None else e.t_at[r, c]), r, c, subject,
                         values)  # fmt: skip

    def add_one(self, code: str, t: float, r: int, c: int, subject: str = "",
                values: dict | None = None) -> None:  # fmt: skip
        """One event of run ``r``, crew member ``c`` (VEHICLE: the vehicle) at ``t``."""
        et, values = EVENTS[code], values or {}
        self.items.append(
            {
                "run": r,
                "t_s": t,
                "crew": "vehicle" if c == VEHICLE else self.crew_ids[c],
                "code": code,
                "subject": subject,
                "severity": et.severity,
                "source": et.source,
                "message": et.template.format(subject=subject, **values),
                "values": {k: _plain(v) for k, v in values.items()},
            }
        )

    def in_time_order(self) -> list[dict]:
        """The log sorted by time (stable: events of one time keep the order emitted)."""
        self.items.sort(key=lambda e: e["t_s"])
        return self.items

    def extend(self, emits) -> None:
        for e in emits:
            if e.mask is None or np.count_nonzero(e.mask):
                self.add(e)


def _plain(v):
    """A value for JSON: numbers as Python floats, ints or bools, text as text."""
    if isinstance(v, np.bool_ | bool):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating | float):
        return float(v)
    return v
