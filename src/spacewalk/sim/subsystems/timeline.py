"""The timeline: each crew member's activities in order, where they are, whether suited.

Activities end on their duration, on a vessel pressure (depress, repress), at a clock time
(a wait ``until_utc``), on an event (fly, capture, release, ride: the motion subsystem says
when) or wait for another crew member's activity (``after``). Egress needs the hatch open,
which needs the vessel vented; ingress waits while the ballooned suit does not fit the
hatch. An inner hatch (``enter-airlock``, ``leave-airlock``) opens only once the pressures
on its two sides are equal: its equalisation valve brings them together (the vessels
subsystem moves the gas), and while either side is open to vacuum nobody opens it.
Terminate and abort (:func:`send_back`) skip to the hidden "return to the hatch" slot, then
to the next ingress.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from ...physics import jit, lifesupport
from ...scenario.presets import WORKLOADS_W
from ..arrays import as_bool, as_f64, as_i64, grid
from ..crewmotion import FREE_LUT
from ..events import Emit
from ..plan import KIND, LOC_CABIN, LOC_OUTSIDE, RETURN, Plan

EVENT_LUT = np.zeros(RETURN + 1, dtype=bool)  # kinds that end on an event, not a duration
EVENT_LUT[[KIND[k] for k in ("fly", "capture", "release", "ride")]] = True
MOVES_LUT = np.zeros(RETURN + 1, dtype=bool)  # kinds that take a crew member elsewhere
MOVES_LUT[[KIND[k] for k in ("enter-airlock", "leave-airlock", "egress", "ingress")]] = True
INNER_LUT = np.zeros(RETURN + 1, dtype=bool)  # kinds that go through an inner hatch
INNER_LUT[[KIND[k] for k in ("enter-airlock", "leave-airlock")]] = True
# kinds whose end changes nothing but the timeline (no move, hatch, recharge or event):
# the compiled usual step ends them itself
PLAIN_END_LUT = ~(MOVES_LUT | EVENT_LUT)
PLAIN_END_LUT[[KIND["hatch-close"], KIND["recharge"], RETURN]] = False
# and those the compiled stretch also ends: a move, a hatch close, the return
STRETCH_END_LUT = PLAIN_END_LUT | MOVES_LUT
STRETCH_END_LUT[[KIND["hatch-close"], RETURN]] = True
# kinds that begin an EVA for a crew member inside: after a crew member is lost,
# incapacitated or adrift, nobody starts one (nor a wait for a clock time: the next EVA day)
EVA_START_LUT = np.zeros(RETURN + 1, dtype=bool)
EVA_START_LUT[[KIND[k] for k in ("enter-airlock", "suit-up", "depress")]] = True
NOMINAL, TERMINATED, ABORTED = 0, 1, 2  # mode: how the EVA of a crew member is going


@dataclass
class TimelineState:
    act: np.ndarray  # (R, C) current slot
    act_t: np.ndarray  # (R, C) time spent in it [s]
    started: np.ndarray  # (R, C) its start was handled
    done: np.ndarray  # (R, C) the timeline is finished
    lost: np.ndarray  # (R, C) loss of crew
    adrift: np.ndarray  # (R, C) free, out of reach and unable to fly: the timeline stops
    incapacitated: np.ndarray  # (R, C) cannot act: the timeline stops (physiology)
    completed: np.ndarray  # (R, C, S) each slot completed
    act_start_s: np.ndarray  # (R, C, S) nan if never started
    act_end_s: np.ndarray  # (R, C, S)
    loc: np.ndarray  # (R, C) the vessel around each crew member, or LOC_OUTSIDE
    suited: np.ndarray  # (R, C) suit closed and pressurised
    hatch_open: np.ndarray  # (R, V) each vessel's EVA hatch
    ret_dur_s: np.ndarray  # (R, C) the return slot's duration
    ret_speed_m_s: np.ndarray
    ret_met_W: np.ndarray
    return_to: np.ndarray  # (R, C) the ingress slot the return leads to
    mode: np.ndarray  # (R, C) NOMINAL, TERMINATED, ABORTED
    blocked_s: np.ndarray  # (R, C) time unable to fit through the hatch
    blocked_logged: np.ndarray
    held_logged: np.ndarray  # (R, C) an inner hatch held shut was said
    sent_back_s: np.ndarray  # (R, C) first terminate or abort (nan: none)
    sent_back_rule: np.ndarray  # (R, C) index of the rule that did it (-1: none)


@dataclass
class TimelineNow:
    """This step's activity of each crew member, for the other subsystems."""

    slot: np.ndarray
    kind: np.ndarray
    ready: np.ndarray  # active and not waiting for another crew member
    is_return: np.ndarray
    dur_s: np.ndarray
    flat_r: np.ndarray  # index into the per-run (R, C, S) tables
    target_Pa: np.ndarray  # depress / repress target
    at_hatch: np.ndarray  # egress waiting for the hatch to open
    envelope_m: np.ndarray
    recharged: np.ndarray  # suits recharged between EVAs this step
    doffed: np.ndarray  # (R, C) suits taken off this step: the crew member's EVA is over
    hatch_v: np.ndarray  # (R, C) the vessel whose EVA hatch each crew member goes by
    # (R, C) the vessel each crew member goes into through an inner hatch, its equalisation
    # valve open (-1: none): the vessels subsystem equalises the two
    equalise_to: np.ndarray

    @property
    def depress(self):
        return self.ready & (self.kind == KIND["depress"])

    @property
    def repress(self):
        return self.ready & (self.kind == KIND["repress"])


def init(plan: Plan) -> TimelineState:
    R, C = plan.runs, len(plan.crew_ids)
    S = plan.kind.shape[1]
    act_start = np.full((R, C, S), np.nan)
    act_start[:, :, 0] = 0.0
    return TimelineState(
        act=np.zeros((R, C), dtype=np.int64),
        act_t=np.zeros((R, C)),
        started=np.zeros((R, C), dtype=bool),
        done=np.broadcast_to(plan.n_acts == 0, (R, C)).copy(),
        lost=np.zeros((R, C), dtype=bool),
        adrift=np.zeros((R, C), dtype=bool),
        incapacitated=np.zeros((R, C), dtype=bool),
        completed=np.zeros((R, C, S), dtype=bool),
        act_start_s=act_start,
        act_end_s=np.full((R, C, S), np.nan),
        loc=np.full((R, C), LOC_CABIN, dtype=np.int64),
        suited=np.zeros((R, C), dtype=bool),
        hatch_open=np.zeros((R, len(plan.vessel_ids)), dtype=bool),
        ret_dur_s=np.zeros((R, C)),
        ret_speed_m_s=plan.crew.speed_m_s.copy(),
        ret_met_W=np.full((R, C), WORKLOADS_W["moderate"]),
        return_to=np.full((R, C), -1, dtype=np.int64),
        mode=np.zeros((R, C), dtype=np.int64),
        blocked_s=np.zeros((R, C)),
        blocked_logged=np.zeros((R, C), dtype=bool),
        held_logged=np.zeros((R, C), dtype=bool),
        sent_back_s=np.full((R, C), np.nan),
        sent_back_rule=np.full((R, C), -1, dtype=np.int64),
    )


def hatch_vessel(s: TimelineState, plan: Plan) -> np.ndarray:
    """(R, C) the vessel whose EVA hatch each crew member goes out or comes in by at their
    current activity (on the way back: the one their ingress enters)."""
    return _vessels(s, plan, True)


def vessel_of(s: TimelineState, plan: Plan) -> np.ndarray:
    """(R, C) the vessel around each crew member (outside: the one whose hatch they use,
    :func:`hatch_vessel`)."""
    return _vessels(s, plan, False)


def _vessels(s: TimelineState, plan: Plan, hatch_only: bool) -> np.ndarray:
    out = np.empty(s.loc.shape, dtype=np.int64)
    jit.about_to_run(_vessel_kernel, jit.ENGINE_NOTICE)
    _vessel_kernel(s.loc, s.act, s.return_to, plan.hatch_of, plan.single_hatch, hatch_only, out)
    return out


@njit(cache=True, error_model="numpy")
def _hatch_at(c, act, return_to, hatch_of, single_hatch):
    """The vessel whose EVA hatch crew member ``c`` goes by at activity ``act`` (one number:
    on the way back, the return slot, the one their ingress enters)."""
    if single_hatch >= 0:  # one EVA hatch on the vehicle: every crew member's
        return single_hatch
    S = hatch_of.shape[1]
    slot = min(act, S - 1)
    return hatch_of[c, max(return_to, 0) if slot == S - 1 else slot]


@njit(cache=True, error_model="numpy")
def _vessel_kernel(loc, act, return_to, hatch_of, single_hatch, hatch_only, out):
    R, C = loc.shape
    for r in range(R):
        for c in range(C):
            if hatch_only or loc[r, c] == LOC_OUTSIDE:
                out[r, c] = _hatch_at(c, act[r, c], return_to[r, c], hatch_of, single_hatch)
            else:
                out[r, c] = loc[r, c]


jit.register(_vessel_kernel, jit.ENGINE_NOTICE)


def step(s: TimelineState, plan: Plan, p_ves: np.ndarray, p_suit: np.ndarray, motion, t, dt):
    """Advance every timeline by one step. ``p_ves`` (R, V) vessel pressures and ``p_suit``
    (R, C) suit pressures at the start of the step; ``motion`` starts and ends the activities
    that move a body (:class:`spacewalk.sim.crewmotion.CrewMotion`)."""
    R, C = plan.runs, len(plan.crew_ids)
    now = _quiet_step(s, plan, p_ves, p_suit, motion, t, dt)
    if now is not None:  # nothing starts, opens, closes, waits at a hatch or ends
        return s, [], now
    S = plan.kind.shape[1]
    ri, ci = grid(R, C)
    events: list[Emit] = []
    _stand_down_after_loss(s, plan, t, events)
    p, ves = plan.crew, plan.vessel

    active = ~s.done & ~s.lost & ~s.incapacitated & ~s.adrift
    slot = np.minimum(s.act, S - 1)
    flat = ci * S + slot
    kind_now = plan.kind.ravel().take(flat)
    hv = hatch_vessel(s, plan)
    vloc = np.where(s.loc == LOC_OUTSIDE, hv, s.loc)
    V = p_ves.shape[1]
    # flat gathers over (runs, vessels): each crew member's vessel and the hatch they use
    hflat = np.arange(R)[:, None] * V + hv
    p_loc_vessel = p_ves.ravel().take(np.arange(R)[:, None] * V + vloc)
    dep_c = plan.after_c.ravel().take(flat)
    dep_flat = (ri * C + np.maximum(dep_c, 0)) * S + plan.after_a.ravel().take(flat)
    dep_done = s.completed.ravel().take(dep_flat)
    # a partner who will never get there (lost, incapacitated, adrift) releases the wait:
    # the others go on (a hatch is still never closed on anyone outside who can come back)
    # (or stood down after a loss, :func:`_stand_down_after_loss`: done with slots not done)
    gone = (
        (s.lost | s.incapacitated | s.adrift | s.done).ravel().take(ri * C + np.maximum(dep_c, 0))
    )
    released = active & (dep_c >= 0) & ~dep_done & gone
    dep_ok = (dep_c < 0) | dep_done | released
    ready = active & dep_ok
    if np.count_nonzero(released & ~s.started):  # said once, as the activity starts
        ids = plan.crew_ids
        events.append(
            Emit("wait-released", t, released & ~s.started, subject=lambda r, c: ids[dep_c[r, c]])
        )
    starting = ready & ~s.started
    is_return = slot == S - 1
    flat_r = (ri * C + ci) * S + slot
    dur_now = np.where(is_return, s.ret_dur_s, plan.dur_s.ravel().take(flat_r))
    doffed = starting & (kind_now == KIND["doff"])
    if np.count_nonzero(starting):
        s.suited |= starting & (kind_now == KIND["suit-up"])
        s.suited &= ~doffed
        motion.start(starting, kind_now, slot, s.loc, hv, dur_now, s.ret_speed_m_s, t)
        s.adrift |= motion.adrift
        labels = plan.labels
        # stamped with the phase's own start: an activity that waited for a partner began
        # when its predecessor ended, as the phases in the summary say
        events.append(
            Emit(
                "activity-start",
                t,
                starting & (kind_now != RETURN),
                subject=lambda r, c: labels[c][slot[r, c]],
                t_at=s.act_start_s.ravel().take(flat_r),
            )
        )
        s.started |= starting
    # egress needs its vessel's hatch open, which needs the vessel vented
    is_egress = kind_now == KIND["egress"]
    open_now = s.hatch_open.ravel().take(hflat)
    can_open = p_ves.ravel().take(hflat) <= ves.hatch_open_max_Pa.ravel().take(hflat)
    opening = ready & is_egress & ~open_now & can_open
    if np.count_nonzero(opening):
        _open_hatches(s, plan, opening, hv, True, t, events)
        open_now = s.hatch_open.ravel().take(hflat)
    # a repress with the hatch still open (its closer cannot come: lost, incapacitated,
    # adrift) begins by closing it, unless someone who can come in is still outside
    shutting = ready & (kind_now == KIND["repress"]) & open_now
    if np.count_nonzero(shutting):
        shutting &= ~_someone_out(s, hv, plan) & ~_closer_ahead(s, plan)[:, None]
        _open_hatches(s, plan, shutting, hv, False, t, events)
        open_now = s.hatch_open.ravel().take(hflat)
    # ingress needs the suit to fit the hatch
    dp_suit = p_suit - np.where(s.loc == LOC_OUTSIDE, 0.0, p_loc_vessel)
    envelope = lifesupport.envelope_m(
        dp_suit / 1000.0, p.envelope0_m, p.compliance_m_per_Pa * 1000.0
    )
    hatch_d = ves.hatch_diameter_m.ravel().take(hflat)
    fits = lifesupport.fits_hatch(envelope, hatch_d)
    is_ingress = kind_now == KIND["ingress"]
    blocked = ready & is_ingress & ~fits
    if np.count_nonzero(blocked):
        s.blocked_s += np.where(blocked, dt, 0.0)
        events.append(
            Emit(
                "ingress-blocked",
                t,
                blocked & ~s.blocked_logged,
                values={
                    "envelope_m": envelope,
                    "hatch_m": hatch_d,
                    "dp_kPa": dp_suit / 1000.0,
                },
            )
        )
        s.blocked_logged |= blocked
    gate = ready & ~blocked & ~((is_egress | is_ingress) & ~open_now)
    # an inner hatch opens once the pressures on its two sides are within what the lock's
    # hatch opens at; its equalisation valve is open while a crew member goes through (the
    # Quest airlock's hatches have them, reference-data 8), unless either side is open to
    # vacuum: nobody vents the vehicle through it, and the crew member waits at a hatch
    # held shut (no script walks them into vacuum)
    crossing = ready & INNER_LUT[kind_now]
    equalise_to = np.full((R, C), -1, dtype=np.int64)
    if np.count_nonzero(crossing):
        shut, vented, to, dp = _inner_hatch(s, plan, crossing, flat, p_ves)
        gate &= ~shut
        held = shut & vented
        if np.count_nonzero(held & ~s.held_logged):
            vid = plan.vessel_ids
            events.append(
                Emit("inner-hatch-held", t, held & ~s.held_logged,
                     subject=lambda r, c: vid[to[r, c]], values={"dp_kPa": dp / 1000.0})
            )  # fmt: skip
        s.held_logged = np.where(crossing, s.held_logged | held, False)
        equalise_to = np.where(~vented, to, -1)
    # nobody closes a hatch on a crew member still outside who is coming in by it
    closing_now = ready & (kind_now == KIND["hatch-close"])
    if np.count_nonzero(closing_now):
        gate &= ~(closing_now & _someone_out(s, hv, plan))
    at_hatch = ready & is_egress & ~gate  # nobody leaves through a closed hatch
    s.act_t += gate * dt
    is_depress = kind_now == KIND["depress"]
    is_repress = kind_now == KIND["repress"]
    target_p = plan.to_Pa.ravel().take(flat)
    finished = np.where(
        is_depress,
        p_loc_vessel <= target_p,
        np.where(is_repress, p_loc_vessel >= target_p - 1.0, s.act_t >= dur_now - 1e-9),
    )
    until = plan.until_s.ravel()
    if np.isfinite(until).any():
        until = until.take(flat)
        finished = np.where(np.isnan(until), finished, t >= until - 1e-9)
    by_event = EVENT_LUT[kind_now]
    if motion.any_unit:
        by_event |= is_return & motion.flying_rc
    if np.count_nonzero(by_event):
        finished = np.where(by_event, motion.event_done(kind_now, s.act_t, dur_now), finished)
    complete = gate & finished
    recharged = np.zeros((R, C), dtype=bool)
    if np.count_nonzero(complete):
        rc, cc, sc = ri[complete], ci[complete], slot[complete]
        s.act_end_s[rc, cc, sc] = t
        s.completed[rc, cc, sc] = True
        moving = complete & MOVES_LUT[kind_now]
        s.loc = np.where(moving, plan.loc_after.ravel().take(flat), s.loc)
        into = complete & is_ingress
        closing = complete & (kind_now == KIND["hatch-close"])
        if np.count_nonzero(closing):
            _open_hatches(s, plan, closing, hv, False, t, events)
        recharged = complete & (kind_now == KIND["recharge"])
        events.append(Emit("suit-recharged", t, recharged))
        events.append(Emit("egress", t, complete & is_egress))
        events.append(Emit("ingress", t, into))
        nxt = np.where(is_return, s.return_to, plan.next_a.ravel().take(flat))
        s.act = np.where(complete, nxt, s.act)
        now = complete & (s.act < plan.n_acts[None, :])
        s.act_start_s[ri[now], ci[now], np.minimum(s.act, S - 1)[now]] = t
        s.act_t = np.where(complete, 0.0, s.act_t)
        s.started &= ~complete
        s.done |= (s.act >= plan.n_acts[None, :]) & (s.act != S - 1)
    now = TimelineNow(
        slot=slot,
        kind=kind_now,
        ready=ready,
        is_return=is_return,
        dur_s=dur_now,
        flat_r=flat_r,
        target_Pa=target_p,
        at_hatch=at_hatch,
        envelope_m=envelope,
        recharged=recharged,
        doffed=doffed,
        hatch_v=hv,
        equalise_to=equalise_to,
    )
    return s, events, now


def _stand_down_after_loss(s: TimelineState, plan: Plan, t, events) -> None:
    """After a crew member of a run is lost, incapacitated or adrift, the mission stands
    down: the others finish the EVA they are in (back in, repressed, the suit off) and start
    no other. A crew member inside who is about to begin an EVA (``EVA_START_LUT``), or is
    in or about to begin a wait for a clock time (the next EVA day), ends their timeline
    there, the activities left not done, their EVA terminated. (:func:`_quiet_kernel` leaves
    such a step to this.)"""
    gone_run = (s.lost | s.incapacitated | s.adrift).any(axis=1)
    if not gone_run.any():
        return
    S = plan.kind.shape[1]
    slot = np.minimum(s.act, S - 1)
    flat = np.arange(s.act.shape[1])[None, :] * S + slot
    kind_now = plan.kind.ravel().take(flat)
    until = plan.until_s.ravel().take(flat)
    active = ~s.done & ~s.lost & ~s.incapacitated & ~s.adrift
    halt = (
        gone_run[:, None]
        & active
        & (s.loc != LOC_OUTSIDE)
        & (slot != S - 1)
        & ((EVA_START_LUT[kind_now] & ~s.started) | ~np.isnan(until))
    )
    if not halt.any():
        return
    ri, ci = np.nonzero(halt)
    unstarted = ~s.started[ri, ci]
    s.act_start_s[ri[unstarted], ci[unstarted], slot[ri, ci][unstarted]] = np.nan
    ends = np.broadcast_to(plan.n_acts[None, :], s.act.shape)
    _jump(s, plan, halt, s.act, ends, t, TERMINATED)
    s.done |= halt
    events.append(Emit("stand-down", t, halt))


def _inner_hatch(s: TimelineState, plan: Plan, crossing, flat, p_ves):
    """For the crew members ``crossing`` (R, C) an inner hatch: whether it is shut (the
    pressures across it differ by more than its lock's hatch opens at), whether either side
    is open to vacuum, the vessel they go into (-1: not crossing) and the pressure
    difference [Pa]."""
    R, V = p_ves.shape
    rv = np.arange(R)[:, None] * V
    to = np.where(crossing, plan.loc_after.ravel().take(flat), -1)
    src, dst = np.maximum(s.loc, 0), np.maximum(to, 0)
    lock = np.where(plan.vessel.inside[dst] == src, dst, src)
    dp = np.abs(p_ves.ravel().take(rv + src) - p_ves.ravel().take(rv + dst))
    shut = crossing & (dp > plan.vessel.hatch_open_max_Pa.ravel().take(rv + lock))
    vented = s.hatch_open.ravel().take(rv + src) | s.hatch_open.ravel().take(rv + dst)
    return shut, vented, to, dp


def _quiet_step(s: TimelineState, plan: Plan, p_ves, p_suit, motion, t, dt):
    """The usual step, compiled: every crew member goes on with their activity (a hatch
    close waiting for a partner still outside included), or ends one whose end changes
    nothing but the timeline (``PLAIN_END_LUT``: a task, a depress, a suit-up; the next
    begins at the next step). Returns its ``TimelineNow`` after adding the step to the
    activities' clocks, or None (and changes nothing) when anything else happens this step
    (an activity starts, one ends that moves, recharges or closes, a hatch opens or closes,
    a wait is released, a suit is blocked at a hatch, a flight or ride is going): then
    :func:`step` takes it, expression for expression the same arithmetic. (The compiled
    stretch also has the kernel start the held activities: :func:`_quiet_kernel`.)"""
    shape = s.act.shape
    out_i = np.empty((5, *shape), dtype=np.int64)  # slot, kind, hatch vessel, flat_r, equalise
    out_f = np.empty((4, *shape))  # duration, target pressure, envelope, new clock
    out_b = np.empty((5, *shape), dtype=np.bool_)  # ready, is_return, at_hatch, ends, starts
    jit.about_to_run(_quiet_kernel, jit.ENGINE_NOTICE)
    quiet = _quiet_kernel(
        s.act, s.act_t, s.started, s.done, s.lost, s.incapacitated, s.adrift, s.completed,
        s.loc, s.hatch_open, s.ret_dur_s, s.return_to,
        plan.kind, plan.hatch_of, plan.single_hatch, plan.after_c, plan.after_a, plan.dur_s,
        plan.to_Pa, plan.until_s, plan.any_until,
        plan.loc_after, plan.vessel.inside, INNER_LUT,
        plan.crew.envelope0_m, plan.crew.compliance_m_per_Pa,
        plan.vessel.hatch_diameter_m, plan.vessel.hatch_open_max_Pa,
        as_f64(p_ves, plan.vessel.hatch_diameter_m.shape), as_f64(p_suit, shape),
        motion.any_unit, as_bool(motion.flying_rc, shape), EVENT_LUT, float(t), float(dt),
        out_i, out_f, out_b, s.act_start_s, s.act_end_s, plan.next_a, plan.n_acts,
        PLAIN_END_LUT, plan.ingress_target, False, s.suited, motion.b.free, motion.cb,
        _NO_TOLD, _NO_TOLD_T, _NO_TOLD_N,
    )  # fmt: skip
    if not quiet:
        return None
    s.act_t = out_f[3]
    return quiet_now(out_i, out_f, out_b)


def quiet_now(out_i, out_f, out_b) -> TimelineNow:
    """The ``TimelineNow`` of :func:`_quiet_kernel`'s outputs (views of them)."""
    zeros = np.zeros(out_b.shape[1:], dtype=bool)
    return TimelineNow(
        slot=out_i[0], kind=out_i[1], ready=out_b[0], is_return=out_b[1], dur_s=out_f[0],
        flat_r=out_i[3], target_Pa=out_f[1], at_hatch=out_b[2],
        envelope_m=out_f[2], recharged=zeros, doffed=zeros.copy(), hatch_v=out_i[2],
        equalise_to=out_i[4],
    )  # fmt: skip


K_EGRESS, K_INGRESS, K_DEPRESS, K_REPRESS, K_HATCH_CLOSE, K_SUIT_UP, K_DOFF = (
    KIND["egress"], KIND["ingress"], KIND["depress"], KIND["repress"], KIND["hatch-close"],
    KIND["suit-up"], KIND["doff"],
)  # fmt: skip
QUIET, QUIET_STARTS = 1, 2  # _quiet_kernel's answers (0: not its step)
# what a row of the list of what the stretch did tells (told_i[:, 0]; the Sun: the stretch's)
TOLD_START, TOLD_SUN, TOLD_HATCH_CLOSED, TOLD_EGRESS, TOLD_INGRESS = range(5)
TOLD_RULE, TOLD_LOWERED, TOLD_PURGE, TOLD_SENT = range(5, 9)  # (rules._act's)
TOLD_FLAG = 9  # a subsystem's event flag (the stretch's _tell_flags)
# the list a caller of _quiet_kernel without the starts passes (room for none)
_NO_TOLD, _NO_TOLD_T = np.zeros((0, 4), dtype=np.int64), np.zeros(0)
_NO_TOLD_N = np.zeros(1, dtype=np.int64)


@njit(cache=True, error_model="numpy")
def _quiet_kernel(
    act, act_t, started, done, lost, incapacitated, adrift, completed, loc, hatch_open,
    ret_dur_s, return_to,
    kind, hatch_of, single_hatch, after_c, after_a, dur_s, to_Pa, until_s, any_until,
    loc_after, inside, inner_lut, envelope0_m, compliance_m_per_Pa, hatch_diameter_m, hatch_open_max_Pa,
    p_ves, p_suit, any_unit, flying, event_lut, t, dt, out_i, out_f, out_b,
    act_start_s, act_end_s, next_a, n_acts, plain_end_lut, ingress_target, starts, suited,
    free, cb, told_i, told_t, told_n,
):  # fmt: skip
    """The usual step (:func:`_quiet_step`). With ``starts`` (the compiled stretch) it also
    starts the activities of held bodies (not a free flight's; no released wait): out_b[4]
    says who (the caller sets their motion, :func:`spacewalk.sim.crewmotion.
    _start_held_kernel`, and ends a doff's faults), the suit is closed at a suit-up and
    opened at a doff; and it ends a move through a hatch, a hatch close and the return
    (``STRETCH_END_LUT``). What the event log tells of them is listed in ``told_i`` (what,
    run, crew, slot or vessel) and ``told_t`` (its time) from ``told_n[0]`` on, in the order
    :func:`step` logs it. Returns 0 (nothing changed), ``QUIET`` or ``QUIET_STARTS``."""
    R, C = act.shape
    S, V = kind.shape[1], hatch_open.shape[1]
    if starts and told_n[0] + 2 * R * C + R * V > told_i.shape[0]:
        return 0  # no room to list what happens
    any_start = False
    for r in range(R):
        for c in range(C):
            active = not (done[r, c] or lost[r, c] or incapacitated[r, c] or adrift[r, c])
            slot = min(act[r, c], S - 1)
            k = kind[c, slot]
            is_return = slot == S - 1
            hv = _hatch_at(c, act[r, c], return_to[r, c], hatch_of, single_hatch)
            outside = loc[r, c] == LOC_OUTSIDE
            p_loc = p_ves[r, hv] if outside else p_ves[r, loc[r, c]]
            dep_c = after_c[c, slot]
            dep_done = completed[r, max(dep_c, 0), after_a[c, slot]]
            d = max(dep_c, 0)
            gone = lost[r, d] or incapacitated[r, d] or adrift[r, d] or done[r, d]
            released = active and dep_c >= 0 and not dep_done and gone
            ready = active and (dep_c < 0 or dep_done or released)
            starting = ready and not started[r, c]
            if (
                active
                and loc[r, c] != LOC_OUTSIDE
                and not is_return
                and (
                    (EVA_START_LUT[k] and not started[r, c])
                    or (any_until and not np.isnan(until_s[c, slot]))
                )
                and _someone_gone(r, lost, incapacitated, adrift)
            ):
                return 0  # the mission stands down after a loss (_stand_down_after_loss)
            if starting and (released or not starts or free[cb[r, c]] or FREE_LUT[k]):
                return 0  # an activity starting that the engine's Python starts
            out_b[4, r, c] = starting
            any_start |= starting
            dur = ret_dur_s[r, c] if is_return else dur_s[r, c, slot]
            is_egress, is_ingress = k == K_EGRESS, k == K_INGRESS
            open_now = hatch_open[r, hv]
            if ready and is_egress and not open_now and p_ves[r, hv] <= hatch_open_max_Pa[r, hv]:
                return 0  # the hatch opens
            if ready and k == K_REPRESS and open_now:
                return 0  # a repress with the hatch open: who closes it is decided
            dp_suit = p_suit[r, c] - (0.0 if outside else p_loc)
            envelope = envelope0_m[r, c] + compliance_m_per_Pa[r, c] * 1000.0 * max(
                dp_suit / 1000.0, 0.0
            )
            if ready and is_ingress and not envelope <= hatch_diameter_m[r, hv]:
                return 0  # blocked at the hatch
            # nobody closes a hatch on a crew member still outside who comes in by it
            held_open = ready and k == K_HATCH_CLOSE and _someone_out_at(
                r, hv, act, loc, lost, done, incapacitated, adrift, return_to, hatch_of,
                single_hatch, ingress_target,
            )  # fmt: skip
            out_i[4, r, c] = -1
            if ready and inner_lut[k]:
                src, dst = max(loc[r, c], 0), max(loc_after[c, slot], 0)
                lock = dst if inside[dst] == src else src
                if abs(p_ves[r, src] - p_ves[r, dst]) > hatch_open_max_Pa[r, lock]:
                    return 0  # an inner hatch to equalise first
                if not (hatch_open[r, src] or hatch_open[r, dst]):
                    out_i[4, r, c] = dst  # through the open hatch, the two equalise
            gate = ready and not ((is_egress or is_ingress) and not open_now) and not held_open
            clock = act_t[r, c] + (dt if gate else 0.0)
            target = to_Pa[c, slot]
            if k == K_DEPRESS:
                finished = p_loc <= target
            elif k == K_REPRESS:
                finished = p_loc >= target - 1.0
            else:
                finished = clock >= dur - 1e-9
            if any_until and not np.isnan(until_s[c, slot]):
                finished = t >= until_s[c, slot] - 1e-9
            if event_lut[k] or (any_unit and is_return and flying[r, c]):
                return 0  # ended by the motion subsystem
            ends = gate and finished
            if ends and not (plain_end_lut[k] or (starts and STRETCH_END_LUT[k])):
                return 0  # the activity ends, and more than the kernel does changes
            out_b[3, r, c] = ends
            out_i[0, r, c], out_i[1, r, c], out_i[2, r, c] = slot, k, hv
            out_i[3, r, c] = (r * C + c) * S + slot
            out_f[0, r, c], out_f[1, r, c], out_f[2, r, c] = dur, target, envelope
            out_f[3, r, c] = 0.0 if ends else clock
            out_b[0, r, c], out_b[1, r, c] = ready, is_return
            out_b[2, r, c] = ready and is_egress and not gate
    # the activities that start (the NumPy step's start): the suit closed at a suit-up,
    # the start listed for the motion and the event log
    if any_start:
        e = told_n[0]
        for r in range(R):
            for c in range(C):
                if out_b[4, r, c]:
                    slot, k = out_i[0, r, c], out_i[1, r, c]
                    suited[r, c] = (suited[r, c] or k == K_SUIT_UP) and k != K_DOFF
                    started[r, c] = True
                    if k != RETURN:
                        told_i[e, 0], told_i[e, 1], told_i[e, 2] = TOLD_START, r, c
                        told_i[e, 3], told_t[e] = slot, act_start_s[r, c, slot]
                        e += 1
        told_n[0] = e
    # the activities that end (the NumPy step's completion): stamped, a move done, the hatch
    # closed at a hatch close, the next one (after the return: the ingress) begins its clock
    any_end = False
    for r in range(R):
        for c in range(C):
            if out_b[3, r, c]:
                any_end = True
                slot = min(act[r, c], S - 1)
                act_end_s[r, c, slot] = t
                completed[r, c, slot] = True
                if MOVES_LUT[out_i[1, r, c]]:
                    loc[r, c] = loc_after[c, slot]
                act[r, c] = return_to[r, c] if slot == S - 1 else next_a[c, slot]
                if act[r, c] < n_acts[c]:
                    act_start_s[r, c, min(act[r, c], S - 1)] = t
                started[r, c] = False
    if any_end and starts:  # what the event log is told: hatches closed, egresses, ingresses
        e = told_n[0]
        for v in range(V):  # (by vessel, as _open_hatches says them)
            for r in range(R):
                closing = False
                for c in range(C):
                    k = out_i[1, r, c]
                    closing |= out_b[3, r, c] and k == K_HATCH_CLOSE and out_i[2, r, c] == v
                if closing and hatch_open[r, v]:
                    hatch_open[r, v] = False
                    told_i[e, 0], told_i[e, 1], told_i[e, 2] = TOLD_HATCH_CLOSED, r, -1
                    told_i[e, 3], told_t[e] = v, t
                    e += 1
        for what, k_end in ((TOLD_EGRESS, K_EGRESS), (TOLD_INGRESS, K_INGRESS)):
            for r in range(R):
                for c in range(C):
                    if out_b[3, r, c] and out_i[1, r, c] == k_end:
                        told_i[e, 0], told_i[e, 1], told_i[e, 2], told_i[e, 3] = what, r, c, -1
                        told_t[e] = t
                        e += 1
        told_n[0] = e
    if any_end:
        for r in range(R):
            for c in range(C):
                done[r, c] |= act[r, c] >= n_acts[c] and act[r, c] != S - 1
    return QUIET_STARTS if any_start else QUIET


jit.register(_quiet_kernel, jit.ENGINE_NOTICE)


@njit(cache=True, inline="always")
def _someone_gone(r, lost, incapacitated, adrift):
    """Whether a crew member of run ``r`` is lost, incapacitated or adrift."""
    gone = False
    for c in range(lost.shape[1]):
        gone |= lost[r, c] or incapacitated[r, c] or adrift[r, c]
    return gone


def _open_hatches(s: TimelineState, plan: Plan, who, hv, opening: bool, t, events) -> None:
    """Open (or close) the EVA hatch of vessel ``hv`` where ``who`` (R, C) asks; one event
    per hatch that changes, its subject the vessel."""
    R, V = s.hatch_open.shape
    ask = np.zeros((R, V), dtype=bool)
    ask[np.nonzero(who)[0], hv[who]] = True
    change = ask & (s.hatch_open != opening)
    for v in np.nonzero(change.any(axis=0))[0]:
        runs = np.nonzero(change[:, v])[0]
        code = "hatch-open" if opening else "hatch-closed"
        events.append(Emit(code, t, runs=runs, subject=plan.vessel_ids[v]))
    s.hatch_open[change] = opening


def _closer_ahead(s: TimelineState, plan: Plan) -> np.ndarray:
    """(R,) whether a crew member who can still act has a hatch-close now or ahead in the
    EVA they are in (before their next depress or repress): then the hatch is theirs to
    close, and nobody else's repress closes it. A hatch-close of a later EVA does not count:
    it left a crew member who came back alone, a partner lost outside, waiting in an open
    airlock for an EVA days ahead."""
    S = plan.kind.shape[1]
    close = first_ahead(plan, "hatch-close")  # (C, S)
    this_eva = close < np.minimum(first_ahead(plan, "depress"), first_ahead(plan, "repress"))
    slot = np.minimum(s.act, S - 1)
    mine = this_eva.ravel().take(np.arange(slot.shape[1]) * S + slot)  # (R, C)
    able = ~s.lost & ~s.done & ~s.incapacitated & ~s.adrift
    return (mine & able).any(axis=1)


def _someone_out(s: TimelineState, hv: np.ndarray, plan: Plan) -> np.ndarray:
    """(R, C) whether another crew member of the run is outside and will come in by the
    hatch this one uses. Those who cannot come in on their own (lost, incapacitated,
    adrift) and those with no ingress ahead do not count: a partner's rescue is not
    modelled, so the hatch is not held open for them."""
    out = np.empty(s.act.shape, dtype=np.bool_)
    jit.about_to_run(_someone_out_kernel, jit.ENGINE_NOTICE)
    _someone_out_kernel(
        s.act, s.loc, s.lost, s.done, s.incapacitated, s.adrift, as_i64(hv, out.shape),
        plan.ingress_target, out,
    )  # fmt: skip
    return out


@njit(cache=True, error_model="numpy")
def _someone_out_kernel(act, loc, lost, done, incapacitated, adrift, hv, ingress_target, out):
    R, C = act.shape
    S = ingress_target.shape[1]
    for r in range(R):
        for c in range(C):
            out[r, c] = False
            for o in range(C):
                slot = min(act[r, o], S - 1)
                unable = lost[r, o] or done[r, o] or incapacitated[r, o] or adrift[r, o]
                if hv[r, o] == hv[r, c] and _comes_in(loc[r, o], unable, ingress_target[o, slot],
                                                      slot == S - 1):  # fmt: skip
                    out[r, c] = True


@njit(cache=True, error_model="numpy")
def _comes_in(loc, unable, ingress_ahead, is_return):
    """Whether a crew member at ``loc`` will come in by their hatch on their own
    (:func:`_someone_out`): outside, able, an ingress ahead (or on the way back)."""
    return loc == LOC_OUTSIDE and not unable and (ingress_ahead >= 0 or is_return)


@njit(cache=True, error_model="numpy")
def _someone_out_at(r, hv, act, loc, lost, done, incapacitated, adrift, return_to, hatch_of,
                    single_hatch, ingress_target):  # fmt: skip
    """:func:`_someone_out` for a crew member of run ``r`` who goes by hatch ``hv``."""
    S = ingress_target.shape[1]
    for o in range(act.shape[1]):
        slot = min(act[r, o], S - 1)
        unable = lost[r, o] or done[r, o] or incapacitated[r, o] or adrift[r, o]
        ho = _hatch_at(o, act[r, o], return_to[r, o], hatch_of, single_hatch)
        if ho == hv and _comes_in(loc[r, o], unable, ingress_target[o, slot], slot == S - 1):
            return True
    return False


jit.register(_someone_out_kernel, jit.ENGINE_NOTICE)


def _jump(s: TimelineState, plan: Plan, go, skip_to, to, t, mode) -> None:
    """Mark the activities from the current one up to ``skip_to`` (exclusive) done at ``t``
    and start activity ``to`` now (an end of the EVA ordered by a terminate or abort).
    The (R, C) arrays are replaced, not changed in place, as they were by NumPy."""
    shape = s.act.shape
    s.act, s.act_t, s.started, s.mode = (
        s.act.copy(),
        s.act_t.copy(),
        s.started.copy(),
        s.mode.copy(),
    )
    jit.about_to_run(_jump_kernel, jit.ENGINE_NOTICE)
    _jump_kernel(
        as_bool(go, shape), as_i64(skip_to, shape), as_i64(to, shape), float(t), int(mode),
        plan.n_acts, s.act, s.act_t, s.started, s.mode, s.completed, s.act_start_s,
        s.act_end_s,
    )  # fmt: skip


@njit(cache=True, error_model="numpy")
def _jump_kernel(
    go, skip_to, to, t, mode, n_acts, act, act_t, started, modes, completed, act_start_s,
    act_end_s,
):  # fmt: skip
    R, C, S = completed.shape
    for r in range(R):
        for c in range(C):
            if go[r, c]:
                _jump_one(r, c, skip_to[r, c], to[r, c], t, mode, n_acts, act, act_t, started,
                          modes, completed, act_start_s, act_end_s)  # fmt: skip


jit.register(_jump_kernel, jit.ENGINE_NOTICE)


@njit(cache=True, error_model="numpy")
def _jump_one(
    r, c, skip_to, to, t, mode, n_acts, act, act_t, started, modes, completed, act_start_s,
    act_end_s,
):  # fmt: skip
    """:func:`_jump` for crew member ``c`` of run ``r``: from their activity up to ``skip_to``
    (exclusive) done at ``t``, activity ``to`` started."""
    S = completed.shape[2]
    for a in range(max(act[r, c], 0), min(skip_to, S)):
        completed[r, c, a] = True
        if np.isnan(act_end_s[r, c, a]):
            act_end_s[r, c, a] = t
    act[r, c] = to
    if to == S - 1 or to < n_acts[c]:
        act_start_s[r, c, to] = t
    act_t[r, c] = 0.0
    started[r, c] = False
    modes[r, c] = max(modes[r, c], mode)


def first_ahead(plan: Plan, kind: str) -> np.ndarray:
    """(C, S) the first slot of activity ``kind`` at or after each slot (S: none)."""
    S = plan.kind.shape[1]
    slots = np.where(plan.kind == KIND[kind], np.arange(S), S)
    return np.flip(np.minimum.accumulate(np.flip(slots, axis=1), axis=1), axis=1)


def stand_down(s: TimelineState, plan: Plan, go, tgt, t, hatch_shut=None):
    """The EVA is over before this crew member went out (an abort or terminate of the run):
    skip to the activity after the next ingress (closing the hatch, the repress); where
    ``hatch_shut`` (R, C) their hatch was never opened, straight to that repress. Crew with
    no ingress ahead (``tgt`` -1: they stay in) go on from their next repress."""
    to = np.where(tgt >= 0, tgt + 1, s.act)
    hatch_shut = tgt < 0 if hatch_shut is None else hatch_shut | (tgt < 0)
    if np.count_nonzero(hatch_shut):
        S = plan.kind.shape[1]
        first = first_ahead(plan, "repress")
        ci = np.broadcast_to(np.arange(to.shape[1]), to.shape)
        rep = first.ravel().take(ci * S + np.minimum(to, S - 1))
        to = np.where(hatch_shut & (rep < S - 1), rep, to)
    _jump(s, plan, go, to, to, t, TERMINATED)
    s.done |= go & (s.act >= plan.n_acts[None, :])
    return s


def send_back(s: TimelineState, plan: Plan, go, tgt, is_abort, t, code, rule_k, range_m):
    """Terminate or abort: skip to the return-to-hatch slot, then the next ingress."""
    S = plan.kind.shape[1]
    _jump(s, plan, go, tgt, S - 1, t, ABORTED if is_abort else TERMINATED)
    speed = plan.crew.speed_m_s * (1.5 if is_abort else 1.0)
    s.ret_dur_s = np.where(go, range_m / speed + 60.0, s.ret_dur_s)
    s.ret_met_W = np.where(go, WORKLOADS_W["heavy" if is_abort else "moderate"], s.ret_met_W)
    s.ret_speed_m_s = np.where(go, speed, s.ret_speed_m_s)
    s.return_to = np.where(go, tgt, s.return_to)
    first = go & np.isnan(s.sent_back_s)
    s.sent_back_s[first] = t
    s.sent_back_rule[first] = rule_k
    return s, [Emit(code, t, go, values={"range_m": range_m})]
