"""The engine: a fixed time step of subsystems over arrays shaped (runs, crew), events between.

One code path runs one run or thousands. Each step calls the subsystems of
:mod:`spacewalk.sim.subsystems` in order (faults, timeline, motion, vessels, suit gas, CO2,
heat and water, power, the channels the rules watch and what each crew member breathes,
tissue nitrogen at its own slower rate, physiology, flight rules), then
tallies the summaries and records telemetry at its own rate (``engine.record_every_s``).

Time is an integer count of steps, so rates never drift. The engine draws no random
numbers: a Monte Carlo campaign (:mod:`spacewalk.campaign`) gives each run its own
parameters through the plan's per-run arrays. A run whose numbers go wrong (NaN or infinite)
is stopped with a status and a reason; the other runs go on.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from ..physics import dcs, jit
from . import body, stretch
from .crewmotion import CrewMotion
from .events import VEHICLE, Emit, EventLog
from .plan import Plan, PlannedFault
from .record import Recorder, snapshot
from .record import block as record_block
from .subsystems import (
    co2,
    faults,
    physiology,
    power,
    rescue,
    rules,
    suitgas,
    thermal,
    timeline,
    tissue,
    vessels,
)
from .values import VALUE_INDEX, VALUE_KEYS, Tally
from .values import compute as compute_values

OUTCOMES = (
    "completed",
    "terminated",
    "aborted",
    "loss-of-crew",
    "incomplete",
    "incapacitated",
    "adrift",
)
CONSUMABLES = ("o2_primary", "o2_secondary", "o2_vehicle", "scrubber", "feedwater", "battery")


@dataclass
class EngineOutput:
    plan: Plan
    t_end_s: float
    recorder: Recorder | None
    events: list[dict]
    act_start_s: np.ndarray  # (runs, crew, slots), nan if never started
    act_end_s: np.ndarray
    final: dict[str, np.ndarray]
    peaks: dict[str, np.ndarray]
    exhausted_s: dict[str, np.ndarray]  # consumable -> (runs, crew) time it ran out (nan)
    outcome: np.ndarray  # (runs, crew) index into OUTCOMES
    status: list[str]  # per run: "ok" or "numerical-error: ..."
    time_outside_s: np.ndarray
    suited_s: np.ndarray
    alarms: np.ndarray
    motion: CrewMotion | None = None
    dark_outside_s: np.ndarray | None = None  # (runs, crew) time outside in orbital night
    return_by_s: np.ndarray | None = None  # (runs, crew) latest start back, reserve intact
    rescued_by: np.ndarray | None = None  # (runs, crew) the partner who brought them in (-1)
    sent_back_s: np.ndarray | None = None  # (runs, crew) first terminate or abort (nan: none)
    sent_back_rule: np.ndarray | None = None  # (runs, crew) the rule that did it (-1: none)
    rules_fired: np.ndarray | None = None  # (rules, runs, crew) whether each flight rule fired
    condition: np.ndarray | None = None  # (runs, crew) worst physiology.CONDITIONS index
    condition_cause: np.ndarray | None = None  # (runs, crew) physiology.CAUSES index (-1)
    impaired_s: np.ndarray | None = None  # (runs, crew) time impaired or worse
    suit_below_s: np.ndarray | None = None  # (3, runs, crew) below set, 3.5 and 2.5 psi (nan)
    day_night: list = field(default_factory=list)  # [(t_s, "sunrise" | "sunset"), ...]


@dataclass
class StepGas:
    """What one step's gas and body subsystems give the physiology, the rules and telemetry
    beside ``Engine.body`` (:class:`spacewalk.sim.body.Body`)."""

    suited: np.ndarray  # who was suited during the step
    p_ves: np.ndarray  # (R, V) the vessels' pressures after their step


class Engine:
    """The engine of one plan, steppable: ``step()`` advances every run by one engine step,
    ``run()`` to the end (or to a time), ``output()`` packages what the summaries need.
    :func:`run_engine` is ``Engine(plan).run().output()``; the console keeps an engine and
    steps it with its clock, so an injected fault acts from the current state."""

    def __init__(self, plan: Plan, record: bool = True, events: bool = True):
        eng = plan.scenario.engine
        self.plan, self.p = plan, plan.crew
        self.R, self.C = R, C = plan.runs, len(plan.crew_ids)
        self.dt = dt = eng.dt_s
        self.every = round(eng.record_every_s / dt)  # telemetry every this many steps
        self.dcs_every = round(eng.dcs_dt_s / dt)  # tissue nitrogen every this many steps
        self.n_max = int(np.ceil(eng.max_duration_h * 3600.0 / dt))
        self.n_sub = round(dt / eng.motion_dt_s)  # motion substeps per step
        self.log = EventLog(plan.crew_ids, keep=events)  # events=False: an empty log
        # the subsystems' states
        self.tl = timeline.init(plan)
        self.fs = faults.init(plan)
        self.ves = vessels.init(plan)
        self.p_ves = vessels.pressure_Pa(self.ves, plan)  # as the vessels' last step left them
        p_cabin = self.p_ves[:, [0]].repeat(C, axis=1)
        self.suit = suitgas.init(plan, p_cabin)
        self.cs = co2.init(plan)
        self.th = thermal.init(plan)
        self.pw = power.init(plan)
        self.ts = tissue.init(plan)
        self.ph = physiology.init(plan)
        self.rt = rules.table(plan)
        self.rs = rules.init(plan, self.rt)
        self.rescue = rescue.init(plan)
        self.any_service = bool(plan.vessel.service.any())
        self.umbilical_cut = np.zeros((self.R, len(plan.crew_ids)), dtype=bool)
        self.depress_held = np.zeros((R, C), dtype=bool)  # said: a depress waits for a suit
        self.motion = CrewMotion(plan, self.log)
        self.body, self.flags = body.Body.empty(R, C), body.Flags.zeros(R, C)
        self.met_W_flat = np.ascontiguousarray(plan.met_W, dtype=float).ravel()
        # the orbit's day and night, the tallies, the runs' status, the recorder
        self.env = thermal.environment(plan)
        self.sunlit_all = plan.motion.orbit.sunlit_fraction(np.arange(self.n_max + 2) * dt)
        self.lit_prev = self.sunlit_all[0] >= 0.5
        self.day_night: list = []
        self.tally = Tally.zeros(R, C)
        self.vbuf = np.zeros((len(VALUE_KEYS), R, C))  # the channels the rules watch
        self.pio2, self.ppco2 = np.zeros((R, C)), np.zeros((R, C))  # what each breathes
        self.p_dcs = dcs.probability_dcs(self.ts)  # changes with the tissues only
        # the present exposure's, a row only the tissue kernel writes (values._kernel does not)
        self.vbuf[VALUE_INDEX["p_dcs_exposure"]] = dcs.probability_exposure(self.ts)
        self.run_ok = np.ones(R, dtype=bool)
        # (R,) the runs not over yet: a run that is over stays as it ended while the others
        # go on (its subsystems are not stepped; stretch.all_over)
        self.busy = np.ones(R, dtype=bool)
        self.status = ["ok"] * R
        self.recorder = Recorder(self.every) if record else None
        self.step_index = 0
        self.t = 0.0
        self.finished = False
        self.closed = False  # output() has said what the end left undone
        self.stretch_buf = stretch.Buffers.empty(
            R, C, len(self.rt.rules), plan.kind.shape[1], len(plan.vessel_ids)
        )
        self.record_block, self.record_j = record_block(self, 0), 0  # (a stretch's telemetry)

    @property
    def values(self) -> dict[str, np.ndarray]:
        """The channels the rules watch at the last step, by name (views of ``vbuf``)."""
        return dict(zip(VALUE_KEYS, self.vbuf, strict=True))

    def step(self) -> bool:
        """One engine step of every run; False once every timeline is done (or the limit)."""
        return self._step(stretch.BEFORE, None)

    def _step(self, phase: int, now) -> bool:
        """The step ``self.step_index``, from ``phase`` on (:mod:`spacewalk.sim.stretch`: a
        compiled stretch stopped in it with ``now``, its timeline's step, the rest in the
        engine's buffers; ``MOTION``: after the timeline's step ``now``; ``BEFORE``: all of
        it)."""
        step, dt = self.step_index, self.dt
        t = step * dt
        if phase <= stretch.MOTION:
            if phase == stretch.BEFORE:  # faults, then activities on the step's first pressures
                now = self._timeline(t)
            range_m, sun = self._motion(step, t, now)  # every body; the orbit's day and night
            g = self._gas_and_body(t, now, sun)  # vessels, suits, CO2, heat, power
        else:
            sun = self.sunlit_all[step]
            if phase == stretch.MOTION_END:
                live = ~self.tl.lost & self.run_ok[:, None]
                range_m = self.motion.step_end(t, now.kind, now.ready, live, now.at_hatch)
                self._day_night(step, t)
                g = self._gas_and_body(t, now, sun)
            else:
                range_m, g = self.stretch_buf.range_m.copy(), StepGas(self.tl.suited, self.p_ves)
                if phase == stretch.VALUES:
                    self._log_flags(t)
        if phase <= stretch.VALUES:
            self._values(now, g)  # the channels the rules watch, what each breathes: self.vbuf
            if (step + 1) % self.dcs_every == 0:  # the slow subsystem: holds this step's gas
                self._tissue()
        pio2 = self.pio2
        if phase <= stretch.PHYSIOLOGY:
            pio2 = self._physiology(t, g)  # hypoxia, CO2, heat and cold, helmet water
        b = self.body
        if phase <= stretch.RULES:
            self._rules(t, now, g, range_m)
            self.tally.add(self.vbuf, b.live, b.outside, g.suited, sun, dt, t, self.busy)
        if step % 60 == 0:
            self._check_numbers(t)
        if self.recorder is not None and step % self.every == 0:
            self.recorder.add(
                t,
                snapshot(
                    self,
                    now,
                    met=b.met,
                    p_amb=b.p_amb,
                    p_ves=g.p_ves,
                    draw=b.draw,
                    cooling=b.cooling,
                    range_m=range_m,
                    sunlit=sun,
                    pio2=pio2,
                    ppo2_Pa=b.fo2_breath * b.p_breath,
                ),
            )
        self.t = t
        self.step_index = step + 1
        tl = self.tl
        vb, vi = self.vbuf, VALUE_INDEX
        jit.about_to_run(stretch.all_over, jit.ENGINE_NOTICE)
        over = stretch.all_over(
            tl.done, tl.lost, tl.incapacitated, tl.adrift, tl.loc, self.pio2, self.ppco2,
            vb[vi["core_temp_rise_C"]], vb[vi["helmet_water_L"]], self.busy,
        )  # fmt: skip
        self.finished = over or self.step_index > self.n_max
        return not self.finished

    def _timeline(self, t: float) -> timeline.TimelineNow:
        plan, log = self.plan, self.log
        self.fs, ev, fx = faults.step(self.fs, plan, t, self.run_ok)
        log.extend(ev)
        for c, k, runs in fx.tether_breaks:
            self.motion.break_tether(c, k, runs)
            if plan.motion.tether_ids[c][k] == "umbilical":  # its O2, power and cooling too
                self.umbilical_cut[runs, c] = True
        if fx.scrubber_spent is not None:
            self.cs = co2.spend(self.cs, plan, fx.scrubber_spent)
        p_ves = self.p_ves  # nothing changes the vessels' gas between their steps
        self.tl, ev, now = timeline.step(
            self.tl, plan, p_ves, self.suit.p_suit_Pa, self.motion, t, self.dt
        )
        log.extend(ev)
        if np.count_nonzero(self.rescue.phase):  # partners going to, or bringing, a crew member
            self.rescue, ev = rescue.steer(self.rescue, plan, self.tl, self.motion, now, t)
            log.extend(ev)
        if np.count_nonzero(self.tl.incapacitated):  # helpless inside: a crew mate beside
            self.rescue, ev = rescue.look_after(self.rescue, plan, self.tl, p_ves, now, t)
            log.extend(ev)
        if np.count_nonzero(self.rescue.brought_by >= 0):  # the rescued, in their rescuer's care
            now.doffed |= rescue.in_care(self.rescue, self.tl, now.doffed)
        if np.count_nonzero(now.doffed):  # an EVA is over: its faults end, its rules re-arm
            self.fs = faults.clear(self.fs, now.doffed)
            self.rs = rules.rearm(self.rs, self.rt, now.doffed)
        if np.count_nonzero(now.recharged):  # between EVAs: fresh O2, CO2 cartridge, water
            self.suit = suitgas.recharge(self.suit, plan, now.recharged)
            self.cs = co2.recharge(self.cs, now.recharged)
            self.th = thermal.recharge(self.th, plan, now.recharged)
            self.pw = power.recharge(self.pw, plan, now.recharged)
        return now

    def _motion(self, step: int, t: float, now) -> tuple[np.ndarray, float]:
        live = ~self.tl.lost & self.run_ok[:, None]
        range_m = self.motion.step(t, self.dt, self.n_sub, now.kind, now.ready, live, now.at_hatch)
        if np.count_nonzero(self.rescue.phase):
            rescue.carry(self.rescue, self.motion)
        self._day_night(step, t)
        return range_m, self.sunlit_all[step]

    def _day_night(self, step: int, t: float) -> None:
        """The Sun rises or sets at this step: the day-night list and the event log."""
        lit = self.sunlit_all[step] >= 0.5
        if lit != self.lit_prev:
            self.lit_prev = lit
            self.day_night.append((t, "sunrise" if lit else "sunset"))
            self.log.add(Emit("sunrise" if lit else "sunset", t, runs=np.nonzero(self.run_ok)[0]))

    def _gas_and_body(self, t: float, now, sun: float) -> StepGas:
        plan, dt, tl = self.plan, self.dt, self.tl
        vloc = timeline.vessel_of(tl, plan)
        depress = now.depress
        if np.count_nonzero(depress):
            depress = self._depress_allowed(depress, vloc, t)
        p_ves = self.p_ves = np.empty(self.p_ves.shape)  # (a new array: snapshots keep it)
        vessels.run(
            self.ves, plan, vloc, depress, now.repress, now.target_Pa, tl.hatch_open, dt,
            now.equalise_to, p_ves, self.busy,
        )  # fmt: skip
        if body.step(self, now, vloc, p_ves, t, sun):  # suits, CO2, heat and water, power
            self._log_flags(t)
        return StepGas(tl.suited, p_ves)

    def _log_flags(self, t: float) -> None:
        """The events the gas and body subsystems flagged this step (the flags cleared)."""
        f = self.flags
        for ev in (
            suitgas.flag_events(f.suit, t),
            co2.flag_events(f.co2, t),
            thermal.flag_events(f.thermal, t),
            power.flag_events(f.power, t),
        ):
            self.log.extend(ev)

    def _tissue(self) -> None:
        """Tissue nitrogen over the period ``engine.dcs_dt_s`` on the gas breathed this step
        (from the values' kernel: its inspired N2, none on O2), then the channels made of it
        (the kernel writes P(DCS) and the tissue ratios into ``vbuf``)."""
        b = self.body
        tissue.step(self.ts, self.plan, b.p_breath, b.fo2_breath, b.met,
                    self.dcs_every * self.dt, self.p_dcs, self.vbuf, self.busy, b.live)  # fmt: skip

    def _depress_allowed(self, depress, vloc, t: float) -> np.ndarray:
        """Nobody vents a vessel with a live crew member in it who is not suited (a partner
        who stood down and took the helmet off, a crew member in the wrong place): the valve
        stays shut and the one asking waits, with a warning said once."""
        tl = self.tl
        bare = ~tl.suited & ~tl.lost & self.run_ok[:, None]
        held = depress & ((vloc[:, :, None] == vloc[:, None, :]) & bare[:, None, :]).any(axis=2)
        new = held & ~self.depress_held
        if np.count_nonzero(new):
            ids = self.plan.vessel_ids
            self.log.add(Emit("depress-held", t, new, subject=lambda r, c: ids[vloc[r, c]]))
        self.depress_held = np.where(depress, self.depress_held | held, False)
        return depress & ~held

    def _physiology(self, t: float, g: StepGas) -> np.ndarray:
        """What each crew member breathes and how hot, cold or wet they are: impaired,
        incapacitated (the timeline stops and the body stays where it is: no script brings
        it home), lost. Returns the inspired O2 [mmHg]."""
        vb, vi, b = self.vbuf, VALUE_INDEX, self.body
        pio2, ppco2 = self.pio2, self.ppco2  # what each breathes (the values' kernel)
        core, water = vb[vi["core_temp_rise_C"]], vb[vi["helmet_water_L"]]
        if physiology.calm(self.ph, pio2, ppco2, core, water, b.live):  # all well, no dose
            return pio2
        self.ph, ev = physiology.step(  # copies: the events keep them
            self.ph, pio2.copy(), ppco2.copy(), core, water, b.live, t, self.dt
        )
        self.log.extend(ev)
        self.vbuf[VALUE_INDEX["condition"]] = self.ph.condition  # what the rules see
        newly = (self.ph.condition == physiology.INCAPACITATED) & ~self.tl.incapacitated
        if np.count_nonzero(newly):
            self.motion.let_go(newly)
        self.tl.incapacitated |= newly
        self.tl.lost |= self.ph.dead
        return pio2

    def _values(self, now, g: StepGas) -> None:
        """The channels the rules watch (:mod:`spacewalk.sim.values`), into ``self.vbuf``:
        the O2 time and the way back, along the handrails (straight without them) at the
        crew member's speed, then ingress, hatch close and repress of the vessel they go in
        by."""
        plan, p, tl, suit, th, b = self.plan, self.p, self.tl, self.suit, self.th, self.body
        compute_values(  # positional, in the kernel's order (a faster dispatch)
            self.vbuf, self.cs.inspired_mmHg, suit.p_suit_Pa, b.p_amb, suit.o2_primary_kg,
            suit.o2_secondary_kg, suit.o2_vehicle_kg, suit.o2_rate_kg_s, p.secondary_kg_s,
            p.o2_secondary_s, p.umbilical, self.umbilical_cut, g.suited, b.outside,
            self.motion.way_back_m(b.outside), p.speed_m_s, plan.ops_back_s,
            np.ascontiguousarray(now.hatch_v, dtype=np.int64), th.helmet_water_kg,
            th.heat_J, p.mass_kg, b.fog, self.ts.n2_Pa, self.ts.etr_Pa, self.p_dcs,
            th.feedwater_kg, self.pw.battery_Ah, tl.blocked_s, now.kind, now.ready, b.fo2_amb,
            b.p_breath, b.fo2_breath, self.pio2, self.ppco2,
        )  # fmt: skip

    def _rules(self, t: float, now, g: StepGas, range_m: np.ndarray) -> None:
        self.rs, ev = rules.step(
            self.rs,
            self.rt,
            self.plan,
            self.vbuf,
            self.tl,
            self.suit,
            now.slot,
            range_m,
            self.body.live,
            t,
        )
        self.log.extend(ev)
        if np.count_nonzero(self.rs.rescue):
            self.rescue, ev = rescue.order(
                self.rescue, self.plan, self.tl, self.motion, self.rs.rescue, self.rs.rescue_rule, t
            )
            self.log.extend(ev)

    def _check_numbers(self, t: float) -> None:
        """A run whose state is no longer finite stops with a status; the others go on."""
        state = self.suit.p_suit_Pa + self.cs.pp_co2_Pa + self.th.heat_J + self.ts.n2_Pa
        bad = ~np.isfinite(state + self.suit.o2_primary_kg).all(axis=1) & self.run_ok
        if np.count_nonzero(bad):
            for r in np.nonzero(bad)[0]:
                self.status[r] = "numerical-error: non-finite suit state"
            self.log.add(Emit("numerical-error", t, runs=np.nonzero(bad)[0]))
            self.run_ok &= ~bad
            self.tl.done |= bad[:, None]

    def run(self, until_s: float = np.inf) -> Engine:
        """Step until every timeline is done, or until the step that starts at ``until_s``:
        the routine steps as compiled stretches (:mod:`spacewalk.sim.stretch`) where the
        motion allows, the rest (and what a stretch stops for) by :meth:`step`."""
        given = None  # the timeline's step taken for the next step, its rest for a stretch
        while not self.finished and self.step_index * self.dt <= until_s + 1e-9:
            if not (stretch.ready() and self._stretch_ok()):
                self._step(stretch.BEFORE if given is None else stretch.MOTION, given)
                given = None
                continue
            last = self.n_max
            while last * self.dt > until_s + 1e-9:  # (until_s: the console's clock)
                last = min(last - 1, int(until_s / self.dt) + 1)
            j0 = self.record_j
            args = stretch.arguments(self, last, given is not None)
            n, phase, over, self.record_j = stretch._run(*args)
            if self.stretch_buf.told_n[0]:
                self._log_told()
            if self.record_j > j0:
                self.recorder.add_rows(self.record_block, j0, self.record_j)
            if n:
                self.step_index += n
                self.t = (self.step_index - 1) * self.dt
                self.finished = over or self.step_index > self.n_max
            if phase == stretch.FULL:  # room for the records up to the end (or 4,096)
                rows = min(4096, (self.n_max - self.step_index) // self.every + 1)
                self.record_block, self.record_j = record_block(self, rows), 0
                continue
            now, given = (given if n == 0 else None), None
            if self.finished or self.step_index > last:
                continue
            if phase == stretch.BEFORE:  # the timeline's step here, the rest by a stretch
                given = self._timeline(self.step_index * self.dt)
                self.stretch_buf.put(given)
            else:
                self._step(phase, self.stretch_buf.now() if now is None else now)
        return self

    def _log_told(self) -> None:
        """What a stretch did that the event log tells (:attr:`stretch.Buffers.told_i`), in
        its order, as the Python step tells it: the activities started (stamped with the
        phase's own start, as the timeline's step says them), the Sun rising or setting
        (:meth:`_day_night`), hatches closed, egresses and ingresses, the subsystems' flags
        (:meth:`_log_flags`), the rules' alarms and actions (``rules.told_event``); the list
        emptied."""
        buf, plan, log = self.stretch_buf, self.plan, self.log
        n, buf.told_n[0] = int(buf.told_n[0]), 0
        rows = zip(buf.told_i[:n].tolist(), buf.told_t[:n].tolist(), buf.told_v[:n].tolist(),
                   strict=True)  # fmt: skip
        for (what, r, c, x), t, v in rows:
            if what == timeline.TOLD_SUN:
                self._day_night(x, t)
            elif not log.keep:  # (a campaign's rows: nobody reads the log)
                continue
            elif what == timeline.TOLD_START:
                log.add_one("activity-start", t, r, c, plan.labels[c][x])
            elif what == timeline.TOLD_HATCH_CLOSED:
                log.add_one("hatch-closed", t, r, VEHICLE, plan.vessel_ids[x])
            elif what == timeline.TOLD_FLAG:
                log.add_one(stretch.FLAG_CODES[x], t, r, c)
            elif what == timeline.TOLD_EGRESS:
                log.add_one("egress", t, r, c)
            elif what == timeline.TOLD_INGRESS:
                log.add_one("ingress", t, r, c)
            else:
                log.add_one(*rules.told_event(self.rt, plan, what, r, c, x, t, v))

    def _stretch_ok(self) -> bool:
        """Whether a compiled stretch can take the next steps: the held bodies' motion only
        (nobody free, no unit, target or route), no rescue, nobody alive and helpless (the
        dead need nobody: a run with a crew member lost goes on in stretches)."""
        m, tl, rs = self.motion, self.tl, self.rescue
        return not (
            m.any_unit or m.T or m.routes or m.b.free.any()
            or (tl.incapacitated & ~tl.lost).any() or not np.isnan(rs.help_from).all()
            or rs.phase.any() or (rs.brought_by >= 0).any()
        )  # fmt: skip

    def inject_fault(self, fault: PlannedFault) -> None:
        """Add a fault to the plan: it applies at the first step at or after its time. The
        engine gets a plan of its own with it, so a copy taken before (the console's look
        ahead, :mod:`spacewalk.console.session`) keeps the faults it had."""
        self.plan = replace(self.plan, faults=[*self.plan.faults, fault])
        self.fs.applied.append(np.zeros(self.R, dtype=bool))
        self.fs.next_s = min(self.fs.next_s, float(fault.at_s.min()))

    def output(self) -> EngineOutput:
        """What the summaries need. It may be taken before the end (the console shows the
        near future after an injected fault that way) and the engine stepped on after."""
        plan, C, log, motion, tally, status = (
            self.plan,
            self.C,
            self.log,
            self.motion,
            self.tally,
            self.status,
        )
        tl, suit, cs, th, pw, rs = self.tl, self.suit, self.cs, self.th, self.pw, self.rs
        recorder, day_night = self.recorder, self.day_night
        t = self.t
        peaks = tally.peaks
        peaks["p_dcs_lo"], peaks["p_dcs_hi"] = dcs.probability_interval(self.ts)
        peaks["p_giv"] = dcs.giv_from_exposure(peaks["p_dcs_exposure"])
        incap, adrift = OUTCOMES.index("incapacitated"), OUTCOMES.index("adrift")
        outcome = np.where(
            tl.lost,
            3,
            np.where(
                tl.adrift & ~tl.done,
                adrift,
                np.where(tl.incapacitated & ~tl.done, incap, np.where(~tl.done, 4, tl.mode)),
            ),
        )
        if self.finished and not self.closed:  # said once; an engine output before its end
            self.closed = True  # (the console's look ahead) goes on running afterwards
            log.add(Emit("time-limit", t, ~tl.done & ~tl.lost & ~tl.incapacitated & ~tl.adrift))
        final = {
            "o2_primary_kg": suit.o2_primary_kg,
            "o2_secondary_min": suitgas.secondary_min(suit, plan),
            "o2_vehicle_kg": np.repeat(suit.o2_vehicle_kg[:, None], C, axis=1),
            "scrubber_used_kg": cs.scrub_used_kg,
            "feedwater_kg": th.feedwater_kg,
            "battery_Ah": pw.battery_Ah,
            "helmet_water_L": th.helmet_water_kg,
            "tissue_ratio": self.vbuf[VALUE_INDEX["tissue_ratio"]].copy(),
        }
        exhausted = {
            "o2_primary": suit.primary_out_s,
            "o2_secondary": suit.secondary_out_s,
            "o2_vehicle": suit.vehicle_out_s,
            "scrubber": cs.exhausted_s,
            "feedwater": th.feedwater_out_s,
            "battery": pw.out_s,
        }
        return EngineOutput(
            plan=plan,
            t_end_s=t,
            recorder=recorder,
            events=log.in_time_order(),
            act_start_s=tl.act_start_s,
            act_end_s=tl.act_end_s,
            final=final,
            peaks=peaks,
            exhausted_s=exhausted,
            outcome=outcome,
            status=status,
            time_outside_s=tally.time_outside_s,
            suited_s=tally.suited_s,
            alarms=rs.alarms,
            motion=motion,
            dark_outside_s=tally.dark_outside_s,
            return_by_s=tally.return_by_s,
            rescued_by=self.rescue.brought_by,
            day_night=day_night,
            sent_back_s=tl.sent_back_s,
            sent_back_rule=tl.sent_back_rule,
            rules_fired=rs.ever,
            condition=self.ph.worst,
            condition_cause=self.ph.cause,
            impaired_s=self.ph.impaired_s,
            suit_below_s=self.suit.below_s,
        )


def run_engine(plan: Plan, record: bool = True, events: bool = True) -> EngineOutput:
    """Run a compiled plan to the end (every run of the batch at once); ``events=False``
    leaves the event log empty where nothing reads it (a campaign's rows)."""
    return Engine(plan, record, events).run().output()
