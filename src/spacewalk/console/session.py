"""A console session: one run's telemetry as point streams, its clock, and live control.

Pure logic, no network: the server (``server.py``) calls into it. A *live* session keeps an engine
(:class:`spacewalk.sim.engine.Engine`) stepped with the session clock, at 1x to 1000x, and
publishes each sample when the clock reaches its time; what it shows ahead of the clock is
the deterministic future from the engine's present state. Injecting a fault adds it to that
engine at the present step: the future is run from the current state (nothing before now is
simulated again), the past is unchanged and the flight rules act on what follows. A *replay* session reads a finished
run folder and its clock can be moved anywhere.

Point ids are ``CREW.CHANNEL`` (``parmitano.helmet_water_L``); a point is
``{"id", "timestamp", "value"}`` with the timestamp in milliseconds since the Unix epoch
(the scenario's ``start_utc``, or 1970-01-01 when it has none), as Open MCT expects.
"""

from __future__ import annotations

import copy
import itertools
import math
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..scenario import (
    FAULT_KINDS,
    Scenario,
    scenario_from_mapping,
    scenario_to_mapping,
    utc_seconds,
)
from ..scenario.channels import CHANNELS

SPEED_MIN, SPEED_MAX = 1.0, 1000.0
_IDS = itertools.count(1)


class SessionError(ValueError):
    """A request the session cannot carry out; the message says what to do instead."""


@dataclass
class Stream:
    """One channel of one crew member: sample times [s] and values."""

    t_s: np.ndarray
    values: np.ndarray  # float64 (NaN where empty) or object (text)
    text: bool

    def value(self, i: int):
        v = self.values[i]
        if self.text:
            return str(v)
        return None if math.isnan(v) else float(v)


def _event_key(e: dict) -> tuple:
    return (e["t_s"], e["crew"], e["code"], e["subject"], e["message"])


def _streams(telemetry: pd.DataFrame) -> dict[str, Stream]:
    out: dict[str, Stream] = {}
    tel = telemetry[telemetry["run"] == 0] if "run" in telemetry else telemetry
    tel = tel.copy(deep=False)
    tel.attrs = {}  # pandas deep-copies the units in attrs on every column taken: not here
    for crew, rows in tel.groupby("crew", observed=True, sort=False):
        t = rows["t_s"].to_numpy(dtype=float)
        for ch in CHANNELS:
            if ch.name not in rows:
                continue
            col = rows[ch.name]
            if ch.digits is None:  # a text channel
                vals = col.astype(str).to_numpy(dtype=object)
                out[f"{crew}.{ch.name}"] = Stream(t, vals, True)
            else:
                vals = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)
                out[f"{crew}.{ch.name}"] = Stream(t, vals, False)
    return out


def _limits(scenario: Scenario) -> dict[str, list[dict]]:
    """The flight rules in force, by channel: the console colours values against them."""
    by: dict[str, list[dict]] = {}
    for r in scenario.flight_rules or []:
        by.setdefault(r.channel, []).append(
            {
                "rule": r.id,
                "level": r.level,
                "above": r.above,
                "below": r.below,
                "action": r.action,
                "applies": r.applies,
                "message": r.message,
            }
        )
    return by


def _enumerations(scenario: Scenario) -> dict[str, list[str]]:
    """The closed sets of values of the text and yes/no channels, in the engine's order."""
    from ..sim.plan import MOTION_MODES
    from ..sim.subsystems.physiology import CONDITIONS

    return {
        "location": [*(v.id for v in scenario.vehicle.vessel_specs()), "outside"],
        "motion": list(MOTION_MODES),
        "condition": list(CONDITIONS),
        "suited": ["no", "yes"],
        "tether_taut": ["no", "yes"],
    }


def _channel_entry(cid: str, ch, enum: list[str] | None, limits: list[dict]) -> dict:
    entry = {
        "id": f"{cid}.{ch.name}",
        "channel": ch.name,
        "name": ch.title,
        "unit": ch.unit if ch.unit != "bool" else "",
        "description": ch.description,
        "limits": limits,
    }
    if enum is not None:
        entry["format"] = "enum"
        entry["enumerations"] = [{"value": i, "string": v} for i, v in enumerate(enum)]
    elif ch.digits is None:
        entry["format"] = "string"
    else:
        entry["format"] = "number"
        entry["formatString"] = f"%.{ch.digits}f"
    return entry


def empty_dictionary() -> dict:
    """The dictionary before any run: no crew, so a client's tree is simply empty."""
    return {
        "session": None,
        "scenario": None,
        "title": "no run yet",
        "epoch_ms": None,
        "t_end_ms": None,
        "crew": [],
        "fault_kinds": {k: sorted(v) for k, v in FAULT_KINDS.items()},
    }


def check_speed(speed: float) -> float:
    """A replay speed, or a SessionError saying the range."""
    if not (SPEED_MIN <= speed <= SPEED_MAX):
        raise SessionError(f"speed must be from {SPEED_MIN:g} to {SPEED_MAX:g}, got {speed}")
    return float(speed)


@dataclass
class Clock:
    """Session time [s]: runs at ``speed`` times the wall clock while not paused."""

    t_end_s: float
    speed: float = 10.0
    paused: bool = True
    _t0_s: float = 0.0
    _wall0: float = field(default_factory=time.monotonic)

    def now(self, wall: float | None = None) -> float:
        if self.paused:
            return self._t0_s
        wall = time.monotonic() if wall is None else wall
        return min(self._t0_s + self.speed * (wall - self._wall0), self.t_end_s)

    def _rebase(self) -> None:
        self._t0_s, self._wall0 = self.now(), time.monotonic()

    def set_speed(self, speed: float) -> None:
        speed = check_speed(speed)
        self._rebase()
        self.speed = speed

    def pause(self) -> None:
        self._rebase()
        self.paused = True

    def resume(self) -> None:
        self._rebase()
        self.paused = False

    def seek(self, t_s: float) -> None:
        self._t0_s, self._wall0 = min(max(float(t_s), 0.0), self.t_end_s), time.monotonic()

    def anchor(self) -> dict:
        """Session time t at wall time w (Unix seconds): t0 + speed * (w - wall0)."""
        return {
            "t0_s": self.now(),
            "wall_unix_s": time.time(),
            "speed": 0.0 if self.paused else self.speed,
        }


class Session:
    """One run shown on the console: live (simulated on demand) or replayed from a folder."""

    def __init__(
        self,
        mode: str,
        scenario: Scenario,
        telemetry: pd.DataFrame,
        events: pd.DataFrame,
        summary: dict,
        source: str,
        engine=None,
    ):
        self.id = next(_IDS)
        self.mode = mode  # "live" or "replay"
        self.source = source
        self.scenario = scenario
        self.injected: list[dict] = []
        self.acknowledged: set[int] = set()
        self.saved_to: str | None = None
        self.serial = 0  # bumped whenever the data change (a fault changes the future)
        self.engine = engine  # live: the engine at the clock's time (record off)
        # after an injection, the rest of the future still to run (see :meth:`inject`), and
        # the latest injection's future (an earlier one, finished late, is not shown)
        self.pending: _Future | None = None
        self._latest: _Future | None = None
        self._load(telemetry, events, summary)
        self.clock = Clock(t_end_s=self.t_end_s)
        start = scenario.scenario.start_utc
        self.epoch_ms = utc_seconds(start) * 1000.0 if start else 0.0

    def _load(
        self,
        telemetry: pd.DataFrame,
        events: pd.DataFrame,
        summary: dict,
        streams: dict[str, Stream] | None = None,
    ) -> None:
        self.telemetry, self.summary, self.events_frame = telemetry, summary, events
        self.streams = _streams(telemetry) if streams is None else streams
        self.crew = [str(c) for c in pd.unique(telemetry["crew"])] if len(telemetry) else []
        ev = events[events["run"] == 0] if "run" in events and len(events) else events
        # an event keeps its index when the list is loaded again (a fault's future): pages
        # and acknowledgements know events by it, and an event stamped with an earlier time
        # (a phase's own start) can land anywhere in the list
        known: dict[tuple, list[int]] = {}
        for e in getattr(self, "events", []):
            known.setdefault(_event_key(e), []).append(e["index"])
        fresh = itertools.count(
            max((e["index"] for e in getattr(self, "events", [])), default=-1) + 1
        )
        self.events = []
        for r in ev.itertuples(index=False):
            e = {
                "t_s": float(r.t_s),
                "crew": "" if pd.isna(r.crew) else str(r.crew),
                "code": str(getattr(r, "code", "")),
                "subject": str(getattr(r, "subject", "")),
                "severity": str(r.severity),
                "source": str(r.source),
                "message": str(r.message),
            }
            same = known.get(_event_key(e))
            self.events.append({"index": same.pop(0) if same else next(fresh), **e})
        self._by_index = {e["index"]: e for e in self.events}
        self.t_end_s = float(telemetry["t_s"].max()) if len(telemetry) else 0.0
        self.serial += 1

    # -------------------------------------------------------------------- description

    def ms(self, t_s: float) -> float:
        return self.epoch_ms + 1000.0 * t_s

    def dictionary(self) -> dict:
        """Every point id with its name, unit, format, limits, per crew member, and geometry.

        ``format`` is Open MCT's: ``number`` (with a printf ``formatString``), ``string``, or
        ``enum`` with ``enumerations`` ``[{"value": 0, "string": "cabin"}, ...]``; an enum
        channel's points carry the string (``"cabin"``), which the Open MCT plugin turns
        into its value."""
        limits = _limits(self.scenario)
        enums = _enumerations(self.scenario)
        crew_models = {c.id: c for c in self.scenario.crew}
        crew = []
        for cid in self.crew:
            model = crew_models.get(cid)
            tethers = []
            if model is not None:
                for t in model.all_tethers():
                    anchor = t.anchor_m if t.anchor_m is not None else self.scenario.vehicle.hatch_m
                    tethers.append({"id": t.id, "anchor_m": list(anchor), "length_m": t.length_m})
            crew.append(
                {
                    "id": cid,
                    "name": model.name if model is not None else cid,
                    "role": model.role if model is not None else "",
                    "tethers": tethers,
                    "channels": [
                        _channel_entry(cid, ch, enums.get(ch.name), limits.get(ch.name, []))
                        for ch in CHANNELS
                        if f"{cid}.{ch.name}" in self.streams
                    ],
                }
            )
        return {
            "session": self.id,
            "scenario": self.scenario.scenario.name,
            "title": self.scenario.scenario.title,
            "epoch_ms": self.epoch_ms,
            "t_end_ms": self.ms(self.t_end_s),
            "timestamp": "milliseconds since the Unix epoch (scenario start_utc + t_s)",
            "hatch_m": list(self.scenario.vehicle.hatch_m),
            "outline": self.scenario.vehicle.outline(),
            "crew": crew,
            "fault_kinds": {k: sorted(v) for k, v in FAULT_KINDS.items()},
        }

    def state(self) -> dict:
        now = self.clock.now()
        finished = self.finished(now)
        return {
            "id": self.id,
            "mode": self.mode,
            "source": self.source,
            "scenario": self.scenario.scenario.name,
            "title": self.scenario.scenario.title,
            "t_s": now,
            "t_end_s": self.t_end_s,
            "timestamp": self.ms(now),
            "speed": self.clock.speed,
            "paused": self.clock.paused,
            "finished": finished,
            "predicting": self.pending is not None,  # the future after a fault is being run
            "serial": self.serial,
            "injected": self.injected,
            "outcome": self.summary.get("outcome") if finished or self.mode == "replay" else None,
            # the crew's worst condition (well, impaired, incapacitated): never a plain green
            "condition": (
                self.summary.get("condition", "well") if finished or self.mode == "replay" else None
            ),
            "saved_to": self.saved_to,
            "clock": self.clock.anchor(),
        }

    # -------------------------------------------------------------------- data

    def check_ids(self, ids: list[str]) -> list[str]:
        """The ids that are not points of this session."""
        return [i for i in ids if i not in self.streams]

    def points(self, ids, after_s: float, upto_s: float) -> list[dict]:
        """Samples with after_s < t <= upto_s for each id, in time order per id."""
        out = []
        for pid in ids:
            s = self.streams.get(pid)
            if s is None:
                continue
            lo = np.searchsorted(s.t_s, after_s, side="right")
            hi = np.searchsorted(s.t_s, upto_s, side="right")
            out.extend(
                {"id": pid, "timestamp": self.ms(s.t_s[i]), "value": s.value(i)}
                for i in range(lo, hi)
            )
        return out

    def latest(self, pid: str, upto_s: float) -> list[dict]:
        """The last sample of one id at or before upto_s (none before the first)."""
        s = self.streams[pid]
        i = int(np.searchsorted(s.t_s, upto_s, side="right")) - 1
        return [] if i < 0 else [{"id": pid, "timestamp": self.ms(s.t_s[i]), "value": s.value(i)}]

    def history(
        self,
        pid: str,
        start_ms: float | None = None,
        end_ms: float | None = None,
        decimate: int | None = None,
        latest: int | None = None,
    ) -> list[dict]:
        """Samples of one id from start to end (ms, inclusive), never past the clock.

        ``decimate`` caps the number of points: the range is cut into decimate/2 buckets and
        each keeps its lowest and highest sample (peaks survive, unlike taking every k-th).
        ``latest`` keeps only the last that many samples (Open MCT's ``latest`` strategy).
        """
        s = self.streams.get(pid)
        if s is None:
            raise SessionError(f"no channel {pid!r}; GET /api/dictionary lists the ids")
        now = self.clock.now()
        t0 = -math.inf if start_ms is None else (start_ms - self.epoch_ms) / 1000.0
        t1 = now if end_ms is None else min(now, (end_ms - self.epoch_ms) / 1000.0)
        lo = np.searchsorted(s.t_s, t0, side="left")
        hi = np.searchsorted(s.t_s, t1, side="right")
        idx = np.arange(lo, hi)
        if latest is not None:
            idx = idx[-latest:]
        elif decimate is not None:
            if decimate < 2:
                raise SessionError("decimate must be at least 2 (points to return)")
            if len(idx) > decimate and not s.text:
                idx = _minmax_indices(s.values, lo, hi, decimate // 2)
            elif len(idx) > decimate:
                idx = idx[:: math.ceil(len(idx) / decimate)]
        return [{"id": pid, "timestamp": self.ms(s.t_s[i]), "value": s.value(i)} for i in idx]

    def events_between(self, after_s: float, upto_s: float) -> list[dict]:
        return [e for e in self.events if after_s < e["t_s"] <= upto_s]

    def events_until(self, upto_s: float) -> list[dict]:
        return [
            {**e, "acknowledged": e["index"] in self.acknowledged}
            for e in self.events
            if e["t_s"] <= upto_s
        ]

    def acknowledge(self, index: int) -> None:
        event = self._by_index.get(index)
        if event is None or event["t_s"] > self.clock.now():
            raise SessionError(f"no event {index} to acknowledge yet")
        self.acknowledged.add(index)

    # -------------------------------------------------------------------- live faults

    def faulted_scenario(self, fault: dict) -> Scenario:
        """The scenario with one more fault at the present time (validated like a file)."""
        if self.mode != "live":
            raise SessionError("faults can be injected into a live run only, not a replay")
        if self.clock.now() >= self.t_end_s:
            raise SessionError("the run has finished; start it again to inject a fault")
        if not isinstance(fault, dict):
            raise SessionError('a fault is an object: {"kind": ..., "crew": ..., ...}')
        fault = {**fault, "at_min": round(self.clock.now() / 60.0, 6)}
        raw = scenario_to_mapping(self.scenario)
        raw["faults"] = [*raw.get("faults", []), fault]
        return scenario_from_mapping(raw, "injected fault")

    def follow(self, now: float) -> None:
        """Step the live engine through every step that starts at or before ``now``."""
        if self.engine is not None and not self.engine.finished:
            self.engine.run(until_s=now)

    def finished(self, now: float | None = None) -> bool:
        """The clock is at the end of the run (never while the future is still being run)."""
        now = self.clock.now() if now is None else now
        return self.pending is None and now >= self.t_end_s

    def inject(self, scenario: Scenario, now: float, horizon_s: float | None = None) -> dict:
        """Add the scenario's last fault to the live engine at the present step, run the
        future from the engine's current state and splice it after the samples shown.
        Returns the fault as it was applied.

        With ``horizon_s`` only that much of the future is run and shown now (what the
        console needs at once); :meth:`run_future` then runs the rest, and
        :meth:`show_future` splices it in (the server does both, off the event loop).
        The clock does not pass the end of what has been run."""
        from ..sim.plan import planned_fault
        from ..sim.record import Recorder

        self.follow(now)
        eng = self.engine
        t_next = eng.step_index * eng.dt  # the first step not yet taken
        fault = scenario.faults[-1].model_copy(update={"at_min": t_next / 60.0})
        eng.inject_fault(planned_fault(fault, eng.plan.crew_ids, eng.plan.motion, 1))
        plan = eng.plan
        shared = {id(x): x for x in (plan, plan.scenario, plan.motion, plan.motion.orbit)}
        engine = copy.deepcopy(eng, shared)
        engine.recorder = Recorder(eng.every)
        self.scenario = scenario.model_copy(update={"faults": [*scenario.faults[:-1], fault]})
        applied = fault.model_dump(exclude_none=True)
        self.injected.append(applied)
        past = self.telemetry[self.telemetry["t_s"] < t_next - 1e-9]
        cut = {k: int(st.t_s.searchsorted(t_next - 1e-9)) for k, st in self.streams.items()}
        future = _Future(engine, past, {k: (st, cut[k]) for k, st in self.streams.items()})
        self.pending, self._latest = None, future
        if horizon_s is None:
            self.show_future(self.run_future(future))
            return applied
        engine.run(until_s=t_next + horizon_s)
        self.pending = future if not engine.finished else None
        self.show_future(future.shown(self.scenario))
        return applied

    def run_future(self, future: _Future | None = None) -> _Shown:
        """Run the rest of the future after an injection (``pending`` by default) and
        prepare it to be shown; touches nothing the session shows (safe in a thread)."""
        future = self.pending if future is None else future
        future.engine.run()
        return future.shown(self.scenario)

    def show_future(self, shown: _Shown) -> None:
        """Show a future :meth:`run_future` (or :meth:`inject`) prepared; one from before a
        later injection is dropped."""
        if shown.future is not self._latest:
            return  # a later fault has replaced this future
        if shown.complete:
            self.pending = None
        self._load(shown.telemetry, shown.events, shown.summary, shown.streams)
        self.clock.t_end_s = self.t_end_s


@dataclass
class _Shown:
    """A future ready to show: the whole telemetry (past and future) and its streams."""

    future: _Future
    complete: bool
    telemetry: pd.DataFrame
    events: pd.DataFrame
    summary: dict
    streams: dict[str, Stream]


@dataclass
class _Future:
    """The future after an injected fault: a copy of the live engine recording from the
    first step not yet taken, the telemetry shown before it, and each stream with the
    index its future starts at."""

    engine: object
    past: pd.DataFrame
    streams: dict[str, tuple[Stream, int]]

    def shown(self, scenario: Scenario) -> _Shown:
        """The past and what the engine has run since, spliced; the summary once it ends."""
        from ..results.simulation import result_of

        complete = self.engine.finished  # else the summary waits for the end
        result = result_of(scenario, self.engine.output(), summaries=complete)
        new = _streams(result.telemetry)
        streams = {}
        for k, (st, i) in self.streams.items():
            add = new.get(k)
            if add is None:
                streams[k] = Stream(st.t_s[:i], st.values[:i], st.text)
                continue
            streams[k] = Stream(
                np.concatenate([st.t_s[:i], add.t_s]),
                np.concatenate([st.values[:i], add.values]),
                st.text,
            )
        telemetry = pd.concat([self.past, result.telemetry], ignore_index=True)
        summary = result.summary if complete else {}
        return _Shown(self, complete, telemetry, result.events, summary, streams)


def _minmax_indices(values: np.ndarray, lo: int, hi: int, buckets: int) -> np.ndarray:
    edges = np.linspace(lo, hi, buckets + 1).astype(int)
    keep = []
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        if b <= a:
            continue
        seg = values[a:b]
        if np.all(np.isnan(seg)):
            keep.append(a)
            continue
        i, j = a + int(np.nanargmin(seg)), a + int(np.nanargmax(seg))
        keep.extend(sorted({i, j}))
    return np.asarray(keep, dtype=int)
