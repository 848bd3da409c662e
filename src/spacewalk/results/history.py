"""Documented against simulated: the historic library checked against the record.

Each library scenario carries ``[[documented]]`` tables: a figure from the record (the value,
its tolerance from the spread of the sources, the source) and the *metric* that measures the
same thing in a simulated run. The metrics are a fixed vocabulary (:data:`METRICS`); nothing in
a scenario file is evaluated. :func:`validate` simulates scenarios and returns one row per
figure; :func:`format_table` prints it as text or Markdown (``spacewalk history validate``).

A figure the models cannot yet reproduce keeps its row, marked with ``known_failure`` and the
reason; it shows as "known" and does not fail the table. One that starts to pass shows as
"unexpected pass", which does: the note must then go.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..scenario import Documented, Scenario
from .columns import event_records, held, telemetry_columns

PASS, FAIL, KNOWN, XPASS = "pass", "FAIL", "known", "unexpected pass"


@dataclass(frozen=True)
class Row:
    scenario: str
    figure: str
    documented: str
    simulated: str
    tolerance: str
    status: str
    basis: str
    source: str
    note: str

    @property
    def ok(self) -> bool:
        return self.status in (PASS, KNOWN)


# --------------------------------------------------------------------------- measures


def _evas(summary: dict, doc: Documented) -> list[dict]:
    evas = summary["evas"]
    if doc.eva > len(evas):
        raise LookupError(f"EVA {doc.eva} did not happen (the run had {len(evas)})")
    return [evas[doc.eva - 1]] if doc.eva else evas


def _crew_series(result, doc: Documented, channel: str) -> tuple[np.ndarray, np.ndarray]:
    """The first run's times [s] and values of a channel for ``doc.crew``."""
    cols = telemetry_columns(held(result, "telemetry"), ("run", "crew", "t_s", channel))
    mine = (cols["run"] == 0) & (cols["crew"] == doc.crew)
    if not mine.any():
        raise LookupError(f"the telemetry has no rows of {doc.crew!r}")
    return cols["t_s"][mine], cols[channel][mine]


def _events(result, doc: Documented) -> list[dict]:
    """Events of the first run with the code of ``doc.event`` (``CODE`` or ``CODE:SUBJECT``),
    of ``doc.crew`` where it is given, in the log's order."""
    code, _, subject = doc.event.partition(":")
    return [
        ev
        for ev in event_records(held(result, "events"))
        if ev["run"] == 0
        and ev["code"] == code
        and (not subject or ev["subject"] == subject)
        and (not doc.crew or ev["crew"] == doc.crew)
    ]


def _event_time_s(result, doc: Documented) -> float:
    ev = _events(result, doc)
    if not ev:
        raise LookupError(f"no {doc.event!r} event" + (f" for {doc.crew}" if doc.crew else ""))
    return float(ev[0]["t_s"])


def _activity_time_s(result, doc: Documented, label: str = "", edge: str = "") -> float:
    label, edge = label or doc.activity, edge or doc.edge
    for ph in result.summary["phases"]:
        if ph["crew"] == doc.crew and ph["activity"] == label:
            t = ph["start_min"] if edge == "start" else ph["end_min"]
            if t is None:
                break
            return 60.0 * t
    raise LookupError(f"{doc.crew} never reached the {edge} of {label!r}")


def _since_s(result, doc: Documented) -> float:
    return _activity_time_s(result, doc, doc.since, "start") if doc.since else 0.0


def _when_s(result, doc: Documented) -> float:
    return _event_time_s(result, doc) if doc.event else _activity_time_s(result, doc)


def _sample(series: tuple[np.ndarray, np.ndarray], t_s: float, side: str = "after"):
    """The recorded value at or after ``t_s`` (``side="before"``: at or before)."""
    times, values = series
    i = int(np.searchsorted(times, t_s, side="left" if side == "after" else "right"))
    i = min(i, len(times) - 1) if side == "after" else max(i - 1, 0)
    return values[i]


def _extreme(values: np.ndarray, highest: bool) -> float:
    """The highest or lowest value, NaN (not recorded) left out; NaN if there is none."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    if not v.size:
        return float("nan")
    return float(v.max() if highest else v.min())


def _m_eva_duration(result, doc):
    return sum(e["duration_min"] for e in _evas(result.summary, doc))


def _m_eva_count(result, doc):
    return len(result.summary["evas"])


def _m_outside(result, doc):
    vals = [e["outside_min"].get(doc.crew) for e in _evas(result.summary, doc)]
    if any(v is None for v in vals):
        raise LookupError(f"{doc.crew} was not outside on that EVA, or never came back in")
    return sum(vals)


def _m_eva_clock(result, doc):
    return result.summary["eva_clock_min"]


def _m_outcome(result, doc):
    s = result.summary
    return s["crew"][doc.crew]["outcome"] if doc.crew else s["outcome"]


def _m_peak(result, doc):
    return _extreme(_crew_series(result, doc, doc.channel)[1], highest=True)


def _m_lowest(result, doc):
    return _extreme(_crew_series(result, doc, doc.channel)[1], highest=False)


def _m_value_at(result, doc):
    return float(_sample(_crew_series(result, doc, doc.channel), _when_s(result, doc)))


def _m_jump(result, doc):
    series = _crew_series(result, doc, doc.channel)
    t = _when_s(result, doc)
    before = float(_sample(series, t, "before"))
    after = float(_sample(series, t + 1e-6, "after"))
    return after / before


def _m_event_time(result, doc):
    return (_event_time_s(result, doc) - _since_s(result, doc)) / 60.0


def _m_event_count(result, doc):
    return len(_events(result, doc))


def _m_sunlit_at(result, doc):
    lit = _sample(_crew_series(result, doc, "sunlit"), _when_s(result, doc))
    return "day" if lit >= 0.5 else "night"


def _m_activity_start(result, doc):
    return (_activity_time_s(result, doc) - _since_s(result, doc)) / 60.0


def _m_motion(result, doc):
    mo = result.summary["crew"][doc.crew]["motion"] or {}
    if doc.key not in mo:
        raise LookupError(f"the motion summary of {doc.crew} has no {doc.key!r}")
    return mo[doc.key]


def _m_orbit(result, doc):
    return result.summary["orbit"][doc.key]


def _m_consumable_left(result, doc):
    c = result.summary["crew"][doc.crew]
    item = c["limiting_consumable"] if doc.key == "limiting" else c["consumables"].get(doc.key)
    if item is None:
        raise LookupError(f"{doc.crew} has no consumable {doc.key!r}")
    return item["margin_pct"]


def _m_limiting(result, doc):
    lim = result.summary["crew"][doc.crew]["limiting_consumable"]
    return lim["name"] if lim else "none"


def _m_dark_outside(result, doc):
    return result.summary["crew"][doc.crew]["darkness_outside_min"]


# name -> (function, what it measures); the parameters each needs are checked in scenario.py
METRICS = {
    "eva_duration_min": (_m_eva_duration, "EVA duration, vessel at vacuum to repress [min]"),
    "eva_count": (_m_eva_count, "number of EVAs"),
    "outside_min": (_m_outside, "time outside, egress to ingress [min]"),
    "eva_clock_min": (_m_eva_clock, "first suit-up or depress to the last repress [min]"),
    "outcome": (_m_outcome, "outcome of a crew member, or of the scenario"),
    "peak": (_m_peak, "highest value of a telemetry channel"),
    "lowest": (_m_lowest, "lowest value of a telemetry channel"),
    "value_at": (_m_value_at, "a channel at an activity's start or end, or at an event"),
    "jump": (_m_jump, "ratio of a channel just after an event to just before"),
    "event_time_min": (
        _m_event_time,
        "first event of a code [min] (since: an activity's start)",
    ),
    "event_count": (_m_event_count, "number of events of a code"),
    "sunlit_at": (_m_sunlit_at, "day or night at an activity's start or end, or an event"),
    "activity_start_min": (_m_activity_start, "when an activity starts (edge: or ends) [min]"),
    "motion": (_m_motion, "a value of the crew member's motion summary"),
    "orbit": (_m_orbit, "a value of the orbit summary"),
    "consumable_left_pct": (_m_consumable_left, "share of a consumable left at the end [%]"),
    "limiting_consumable": (_m_limiting, "the consumable with the least time left"),
    "dark_outside_min": (_m_dark_outside, "time outside in orbital night [min]"),
}


# --------------------------------------------------------------------------- checking


def _fmt(x) -> str:
    if isinstance(x, str):
        return x
    x = float(x)
    if not math.isfinite(x):
        return str(x)
    if x == int(x) and abs(x) < 1e6:
        return str(int(x))
    return f"{x:.3g}" if abs(x) < 10 else f"{x:.1f}"


def expected_text(doc: Documented) -> tuple[str, str]:
    """The documented figure and its tolerance, as text."""
    unit = f" {doc.unit}" if doc.unit else ""
    if doc.value is not None:
        tol = f"± {_fmt(doc.tolerance)}{unit}" if doc.tolerance else "exact"
        return f"{_fmt(doc.value)}{unit}", tol
    if doc.at_least is not None and doc.at_most is not None:
        return f"{_fmt(doc.at_least)} to {_fmt(doc.at_most)}{unit}", "range"
    if doc.at_least is not None:
        return f"≥ {_fmt(doc.at_least)}{unit}", "bound"
    return f"≤ {_fmt(doc.at_most)}{unit}", "bound"


def passes(doc: Documented, value) -> bool:
    if value is None:
        return False
    if isinstance(doc.value, str) or isinstance(value, str):
        return str(value) == str(doc.value)
    v = float(value)
    if not math.isfinite(v):
        return False
    if doc.value is not None:
        return abs(v - float(doc.value)) <= (doc.tolerance or 0.0) + 1e-9
    lo = -math.inf if doc.at_least is None else doc.at_least
    hi = math.inf if doc.at_most is None else doc.at_most
    return lo - 1e-9 <= v <= hi + 1e-9


def check_result(result) -> list[Row]:
    """One row per ``[[documented]]`` figure of the result's scenario."""
    sc: Scenario = result.scenario
    rows = []
    for doc in sc.documented:
        unit = f" {doc.unit}" if doc.unit else ""
        try:
            value = METRICS[doc.metric][0](result, doc)
            if value is None:  # e.g. a motion figure of a crew member who never went out
                raise LookupError("this run has no such value")
            simulated = f"{_fmt(value)}{unit}" if not isinstance(value, str) else value
            ok = passes(doc, value)
            note = doc.known_failure
        except LookupError as exc:
            simulated, ok, note = "not reached", False, doc.known_failure or str(exc)
        status = (XPASS if ok else KNOWN) if doc.known_failure else (PASS if ok else FAIL)
        documented, tolerance = expected_text(doc)
        rows.append(
            Row(
                scenario=sc.scenario.name,
                figure=doc.figure,
                documented=documented,
                simulated=simulated,
                tolerance=tolerance,
                status=status,
                basis=doc.basis,
                source=doc.source,
                note=note,
            )
        )
    return rows


def format_table(rows: list[Row], fmt: str = "text", first: str = "scenario") -> str:
    """The table of documented against simulated, as ``text`` or ``markdown``; ``first``
    heads the first column (the scenario, or the model)."""
    cols = ("scenario", "figure", "documented", "simulated", "tolerance", "status", "basis")
    if fmt == "markdown":
        out = [
            f"| {first} | figure | documented | simulated | tolerance | result | basis | source |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in rows:
            status = r.status if not r.note else f"{r.status}: {r.note}"
            cells = [*(getattr(r, c) for c in cols[:5]), status, r.basis, r.source]
            out.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
        return "\n".join(out)
    widths = {c: max(len(c), *(len(getattr(r, c)) for r in rows)) for c in cols} if rows else {}
    widths["figure"] = min(widths.get("figure", 6), 58)
    heads = {"scenario": first}
    out = ["  ".join(heads.get(c, c).ljust(widths[c]) for c in cols)] if rows else []
    for r in rows:
        cells = []
        for c in cols:
            text = getattr(r, c)
            if c == "figure" and len(text) > widths[c]:
                text = text[: widths[c] - 1] + "…"
            cells.append(text.ljust(widths[c]))
        out.append("  ".join(cells).rstrip())
        if r.note:
            out.append(f"    note: {r.note}")
    n_fail = sum(not r.ok for r in rows)
    n_known = sum(r.status == KNOWN for r in rows)
    bases = ", ".join(
        f"{sum(r.basis == b for r in rows)} {b}" for b in ("predicted", "calibrated", "input")
    )
    out.append(
        f"\n{len(rows)} figures: {sum(r.status == PASS for r in rows)} pass, "
        f"{n_known} known exceptions, {n_fail} failing; by basis: {bases}"
    )
    return "\n".join(out)
