"""Flight rules: limits on telemetry channels that raise caution and warning alarms and act
(alarm, terminate, abort to ingress, lower the suit pressure). A rule fires once per crew
member per EVA (it latches until the suit comes off, then re-arms for the next EVA); a
terminate or abort sends the crew member back to the hatch (and their partners outside with
them) through :func:`spacewalk.sim.subsystems.timeline.send_back`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from ...physics import jit
from ...scenario.model import RULE_ACTIONS
from ...scenario.presets import WORKLOADS_W
from ..arrays import as_bool, flat, flat_rows, grid
from ..events import Emit
from ..plan import LOC_CABIN, LOC_OUTSIDE, Plan
from ..values import VALUE_INDEX
from . import timeline
from .timeline import TOLD_LOWERED, TOLD_PURGE, TOLD_RULE, TOLD_SENT

# suited; outside; always; "airlock": suited in a vessel (before going out, after coming in)
APPLIES = ("suited", "outside", "always", "airlock")


@dataclass
class RuleState:
    fired: np.ndarray  # (K, R, C) each rule has fired for this crew member in this EVA
    alarms: np.ndarray  # (R, C) alarms raised so far
    ever: np.ndarray  # (K, R, C) each rule has fired in any EVA
    rescue: np.ndarray  # (R, C) a rescue of this crew member is asked for this step
    rescue_rule: np.ndarray  # (R, C) the rule that asked (its index)


@dataclass(frozen=True)
class RuleTable:
    """The scenario's rules as arrays (K rules)."""

    rules: tuple
    channel: tuple[str, ...]
    rows: np.ndarray  # (K,) each rule's channel: its row of the engine's value buffer
    applies: np.ndarray  # (K,) index into APPLIES
    limit: np.ndarray  # (K, 1, 1)
    sign: np.ndarray  # (K, 1, 1) +1 above, -1 below
    out_ahead: np.ndarray  # (C, S) an egress comes before the next ingress (going out)
    vent_ahead: np.ndarray  # (C, S) a depress comes before the next repress (staying in)
    action: np.ndarray  # (K,) index into scenario.model.RULE_ACTIONS
    first_repress: np.ndarray  # (C, S) timeline.first_ahead(plan, "repress")


def table(plan: Plan) -> RuleTable:
    rules = tuple(plan.scenario.flight_rules or ())
    # on the way out: the next egress comes before the next ingress and the next doff (after
    # an ingress the suit comes off before the next EVA's egress)
    egress, doff = timeline.first_ahead(plan, "egress"), timeline.first_ahead(plan, "doff")
    out_ahead = (plan.ingress_target >= 0) & (egress < plan.ingress_target) & (egress < doff)
    # about to vent the vessel they are in (a Gemini commander, Dragon's cabin crew): the
    # next depress comes before the next repress and doff
    depress, repress = timeline.first_ahead(plan, "depress"), timeline.first_ahead(plan, "repress")
    vent_ahead = (depress < repress) & (depress < doff)
    return RuleTable(
        rules=rules,
        channel=tuple(r.channel for r in rules),
        rows=np.array([VALUE_INDEX[r.channel] for r in rules], dtype=np.int64),
        applies=np.array([APPLIES.index(r.applies) for r in rules], dtype=np.int64),
        limit=np.array([r.above if r.above is not None else r.below for r in rules]).reshape(
            -1, 1, 1
        ),
        sign=np.array([1.0 if r.above is not None else -1.0 for r in rules]).reshape(-1, 1, 1),
        out_ahead=out_ahead,
        vent_ahead=vent_ahead,
        action=np.array([RULE_ACTIONS.index(r.action) for r in rules], dtype=np.int64),
        first_repress=np.ascontiguousarray(repress),  # (first_ahead's is a flipped view)
    )


def init(plan: Plan, rt: RuleTable) -> RuleState:
    R, C = plan.runs, len(plan.crew_ids)
    K = len(rt.rules)
    return RuleState(
        np.zeros((K, R, C), dtype=bool),
        np.zeros((R, C), dtype=np.int64),
        np.zeros((K, R, C), dtype=bool),
        np.zeros((R, C), dtype=bool),
        np.full((R, C), -1, dtype=np.int64),
    )


def _open_to_vacuum(tl, plan: Plan) -> np.ndarray:
    """(R, C) whether the vessel around each crew member has its EVA hatch open."""
    R = plan.runs
    V = tl.hatch_open.shape[1]
    where = timeline.vessel_of(tl, plan)
    return tl.hatch_open.ravel().take(np.arange(R)[:, None] * V + np.clip(where, 0, V - 1))


def rearm(s: RuleState, rt: RuleTable, mask) -> RuleState:
    """The suit came off (``mask`` (R, C)): every rule of an EVA watches the next EVA afresh;
    a rule that applies ``always`` (the run's DCS risk, which only grows) stays fired."""
    per_eva = rt.applies != APPLIES.index("always")
    s.fired[per_eva] &= ~mask[None]
    return s


@njit(cache=True, error_model="numpy", inline="always")
def _fire(live, watched, fired, value, limit, sign):
    """A rule fires on a crew member: live, watched by it, not fired yet in this EVA, its
    channel past the limit (``sign`` +1 above, -1 below; a NaN fires nothing). Branch-free."""
    return live & watched & ~fired & ((value - limit) * sign > 0)


@njit(cache=True, error_model="numpy")
def _fires(values, rows, limit, sign, applies, fired, suited, outside, has_suit, live, fires):
    """Which rules fire this step, into ``fires`` (K, R, C): over their limit, on the crew
    they watch, not fired yet in this EVA; returns whether any does (the compiled check of
    every step; the NumPy code below acts on the few steps that fire). For many runs, one
    flat loop over the runs and crew per rule, without branches, so that it runs on vector
    registers."""
    K = rows.shape[0]
    R, C = suited.shape
    N = R * C
    su, out, has = flat(suited), flat(outside), flat(has_suit)
    lv, was, now, vals = flat(live), flat_rows(fired), flat_rows(fires), flat_rows(values)
    any_fire = False
    if N < 64:  # a few runs: one pass with the rules inside (no vector loops to set up)
        for i in range(N):
            for k in range(K):
                a = applies[k]
                watched = (
                    su[i]
                    if a == 0
                    else (out[i] if a == 1 else (has[i] if a == 2 else su[i] & ~out[i]))
                )
                f = _fire(lv[i], watched, was[k, i], vals[rows[k], i], limit[k], sign[k])
                now[k, i] = f
                any_fire |= f
        return any_fire
    for k in range(K):
        row, lim, sg, was_k, now_k = vals[rows[k]], limit[k], sign[k], was[k], now[k]
        hit = False
        if applies[k] == 3:  # suited in a vessel
            for i in range(N):
                f = _fire(lv[i], su[i] & ~out[i], was_k[i], row[i], lim, sg)
                now_k[i] = f
                hit |= f
        else:
            watched = su if applies[k] == 0 else (out if applies[k] == 1 else has)
            for i in range(N):
                f = _fire(lv[i], watched[i], was_k[i], row[i], lim, sg)
                now_k[i] = f
                hit |= f
        any_fire |= hit
    return any_fire


jit.register(_fires, jit.ENGINE_NOTICE)


def check(s: RuleState, rt: RuleTable, plan: Plan, values, suited, outside, live, fires) -> bool:
    """Which rules fire this step, into ``fires`` (K, R, C), the compiled check; returns
    whether any does."""
    shape = suited.shape
    jit.about_to_run(_fires, jit.ENGINE_NOTICE)
    return _fires(values, rt.rows, rt.limit.ravel(), rt.sign.ravel(), rt.applies, s.fired,
                  as_bool(suited, shape), as_bool(outside, shape),
                  as_bool(plan.crew.has_suit, shape), as_bool(live, shape), fires)  # fmt: skip


def alarm(rule, value) -> tuple[str, dict]:
    """A rule's alarm: its event's code and values (``value``: its channel's)."""
    code = "rule-caution" if rule.level == "caution" else "rule-warning"
    text = rule.message or rule.channel
    return code, {"text": text, "channel": rule.channel, "value": value, "action": rule.action}


def lowered(plan: Plan) -> dict:
    """The values of a suit-pressure-lowered event: the suit's low setting (R, C)."""
    return {"p_kPa": plan.crew.p_low_Pa / 1000.0}


def told_event(rt: RuleTable, plan: Plan, what: int, r: int, c: int, x: int, t: float, v: float):
    """The event of a row :func:`_act` told, as :func:`step` says it (the arguments of
    :meth:`~spacewalk.sim.events.EventLog.add_one`)."""
    if what == TOLD_RULE:
        rule = rt.rules[x]
        code, said = alarm(rule, v)
        return code, t, r, c, rule.id, said
    if what == TOLD_LOWERED:
        return "suit-pressure-lowered", t, r, c, "", {"p_kPa": lowered(plan)["p_kPa"][r, c]}
    if what == TOLD_PURGE:
        return "purge-opened", t, r, c
    return SENT_CODES[x], t, r, c, "", {"range_m": v}


def step(s: RuleState, rt: RuleTable, plan: Plan, values, tl, suit, slot, range_m, live, t):
    """Check every rule on this step's channel ``values`` (the engine's buffer, row
    ``VALUE_INDEX[channel]`` each channel) and act on ``tl`` (the timeline state) and
    ``suit`` (the suit gas state); ``slot`` is this step's timeline slot."""
    events: list[Emit] = []
    s.rescue[:] = False
    if not rt.rules:
        return s, events
    suited, outside = tl.suited, tl.loc == LOC_OUTSIDE
    fires = np.empty(s.fired.shape, dtype=np.bool_)
    if not check(s, rt, plan, values, suited, outside, live, fires):
        return s, events
    R, C = plan.runs, len(plan.crew_ids)
    S = plan.kind.shape[1]
    ci = grid(R, C)[1]
    # suited in a vessel on the way out (suiting up, depressing, at the hatch) or about to
    # vent it: an EVA that ends stops here, and the vessel is repressed
    vent = rt.vent_ahead.ravel().take(ci * S + slot)
    leaving = suited & ~outside & (rt.out_ahead.ravel().take(ci * S + slot) | vent)
    for k, rule in enumerate(rt.rules):
        fire = fires[k]
        if not np.count_nonzero(fire):
            continue
        s.fired[k] |= fire
        s.ever[k] |= fire
        s.alarms += fire
        code, said = alarm(rule, values[rt.rows[k]].copy())
        events.append(Emit(code, t, fire, subject=rule.id, values=said))
        if rule.action == "lower-suit-pressure":
            suit.low_mode |= fire
            events.append(Emit("suit-pressure-lowered", t, fire, values=lowered(plan)))
        elif rule.action == "rescue":  # the engine sends the nearest able partner
            s.rescue |= fire
            s.rescue_rule[fire] = k
        elif rule.action == "open-purge":
            suit.purge_open |= fire & plan.crew.scrubber
            events.append(Emit("purge-opened", t, fire & plan.crew.scrubber))
        elif rule.action in ("terminate", "abort"):
            tgt = plan.ingress_target[ci, slot]
            go = fire & outside & (slot != S - 1) & (tgt >= 0) & ~tl.done & ~tl.adrift
            is_abort = rule.action == "abort"
            if np.count_nonzero(go):
                code = "abort" if is_abort else "terminate"
                tl, ev = timeline.send_back(tl, plan, go, tgt, is_abort, t, code, k, range_m)
                events += ev
            # the EVA ends for everyone exposed, also when the one it fired for is already
            # back in the airlock waiting for them, or not yet out: partners outside
            # terminate and follow; those still in a vessel open to vacuum or on their way
            # out do not go out (they close the hatch once the others are in, and repress)
            here = fire & suited & ((tl.loc != LOC_CABIN) | leaving)
            runs_hit = (go | here).any(axis=1, keepdims=True)
            pending = runs_hit & ~go & (slot != S - 1) & ((tgt >= 0) | vent) & ~tl.done
            pending &= ~tl.lost & ~tl.adrift
            buddy = pending & outside & (tgt >= 0)
            if np.count_nonzero(buddy):
                tl, ev = timeline.send_back(
                    tl, plan, buddy, tgt, False, t, "terminate-with-crew", k, range_m
                )
                events += ev
            open_ = _open_to_vacuum(tl, plan)
            inside = pending & ~outside & suited & (open_ | leaving)
            if np.count_nonzero(inside):
                tl = timeline.stand_down(tl, plan, inside, tgt, t, hatch_shut=~open_)
                events.append(Emit("terminate-with-crew", t, inside, values={"range_m": 0.0}))
    return s, events


A_LOWER, A_PURGE, A_RESCUE, A_ABORT = (
    RULE_ACTIONS.index(a) for a in ("lower-suit-pressure", "open-purge", "rescue", "abort")
)
A_TERMINATE = RULE_ACTIONS.index("terminate")
SENT_TERMINATE, SENT_ABORT, SENT_WITH_CREW = 0, 1, 2  # told_i's last column of a TOLD_SENT row
SENT_CODES = ("terminate", "abort", "terminate-with-crew")
MODERATE_W, HEAVY_W = WORKLOADS_W["moderate"], WORKLOADS_W["heavy"]


@njit(cache=True, error_model="numpy")
def _act(
    fires, fired, ever, alarms, rows, values, action, low_mode, purge_open, scrubber, act, act_t,
    started, mode, completed, act_start_s, act_end_s, n_acts, done, lost, adrift, loc, suited,
    hatch_open, ret_dur_s, ret_met_W, ret_speed_m_s, return_to, sent_back_s, sent_back_rule,
    slot, ingress_target, out_ahead, vent_ahead, first_repress, speed_m_s, range_m, go, pend,
    t, told_i, told_t, told_v, told_n,
):  # fmt: skip
    """What :func:`step` does once rules fire (``fires``, from :func:`_fires`), for the
    compiled stretch, number for number: the alarms, the suit pressure lowered, the purge
    opened, a terminate or abort sending the crew member back (:func:`timeline.send_back`),
    their partners outside with them and those still inside standing down
    (:func:`timeline.stand_down`); what the event log tells of it listed in ``told_*`` in
    :func:`step`'s order (``go`` and ``pend`` (R, C) are scratch). Returns False, changing
    nothing, when a rule asks a rescue (the engine's Python sends it) or the list has no
    room left."""
    K, R, C = fires.shape
    S = act_start_s.shape[2]
    need = 0  # the rows it may tell: each firing, its action's, everyone sent back or down
    for k in range(K):
        n_fire = 0
        for r in range(R):
            for c in range(C):
                n_fire += fires[k, r, c]
        if n_fire and action[k] == A_RESCUE:
            return False
        sends = n_fire > 0 and (action[k] == A_TERMINATE or action[k] == A_ABORT)
        need += 2 * n_fire + (R * C if sends else 0)
    if told_n[0] + need > told_i.shape[0]:
        return False
    e = told_n[0]
    for k in range(K):
        any_fire = False
        for r in range(R):
            for c in range(C):
                if fires[k, r, c]:
                    any_fire = True
                    fired[k, r, c] = True
                    ever[k, r, c] = True
                    alarms[r, c] += 1
                    told_i[e, 0], told_i[e, 1], told_i[e, 2], told_i[e, 3] = TOLD_RULE, r, c, k
                    told_t[e], told_v[e] = t, values[rows[k], r, c]
                    e += 1
        if not any_fire:
            continue
        a = action[k]
        for r in range(R):
            for c in range(C):
                fire = fires[k, r, c]
                if a == A_LOWER and fire:
                    low_mode[r, c] = True
                    told_i[e, 0], told_i[e, 1], told_i[e, 2], told_t[e] = TOLD_LOWERED, r, c, t
                    e += 1
                elif a == A_PURGE and fire and scrubber[r, c]:
                    purge_open[r, c] = True
                    told_i[e, 0], told_i[e, 1], told_i[e, 2], told_t[e] = TOLD_PURGE, r, c, t
                    e += 1
        if a != A_TERMINATE and a != A_ABORT:
            continue
        is_abort = a == A_ABORT
        # the crew member sent back to the hatch (outside, an ingress ahead)
        any_go = False
        for r in range(R):
            for c in range(C):
                sl = slot[r, c]
                outside = loc[r, c] == LOC_OUTSIDE
                go[r, c] = (fires[k, r, c] and outside and sl != S - 1 and ingress_target[c, sl] >= 0
                            and not done[r, c] and not adrift[r, c])  # fmt: skip
                any_go |= go[r, c]
        if any_go:
            e = _send_back(go, is_abort, SENT_ABORT if is_abort else SENT_TERMINATE, k, slot,
                           ingress_target, speed_m_s, range_m, act, act_t, started, mode,
                           completed, act_start_s, act_end_s, n_acts, ret_dur_s, ret_met_W,
                           ret_speed_m_s, return_to, sent_back_s, sent_back_rule, t, told_i,
                           told_t, told_v, e)  # fmt: skip
        # the EVA ends for everyone exposed (step's comments): partners outside follow,
        # those still in a vessel open to vacuum or on their way out stand down
        any_buddy = False
        for r in range(R):
            hit = False
            for c in range(C):
                sl = slot[r, c]
                leaving = _leaving(suited[r, c], loc[r, c], out_ahead[c, sl], vent_ahead[c, sl])
                here = fires[k, r, c] and suited[r, c] and (loc[r, c] != LOC_CABIN or leaving)
                hit |= go[r, c] or here
            for c in range(C):
                sl = slot[r, c]
                tgt = ingress_target[c, sl]
                pend[r, c] = (hit and not go[r, c] and sl != S - 1
                              and (tgt >= 0 or vent_ahead[c, sl]) and not done[r, c]
                              and not lost[r, c] and not adrift[r, c])  # fmt: skip
                any_buddy |= pend[r, c] and loc[r, c] == LOC_OUTSIDE and tgt >= 0
        if any_buddy:
            _pending_to(go, pend, True, loc, slot, ingress_target, suited, hatch_open,
                        out_ahead, vent_ahead)  # fmt: skip
            e = _send_back(go, False, SENT_WITH_CREW, k, slot, ingress_target, speed_m_s,
                           range_m, act, act_t, started, mode, completed, act_start_s,
                           act_end_s, n_acts, ret_dur_s, ret_met_W, ret_speed_m_s, return_to,
                           sent_back_s, sent_back_rule, t, told_i, told_t, told_v, e)  # fmt: skip
            # (the buddies sent back are outside: none of them stands down below)
        inside_any = _pending_to(go, pend, False, loc, slot, ingress_target, suited,
                                 hatch_open, out_ahead, vent_ahead)  # fmt: skip
        if inside_any:
            for r in range(R):
                for c in range(C):
                    if go[r, c]:
                        sl = slot[r, c]
                        tgt = ingress_target[c, sl]
                        to = tgt + 1 if tgt >= 0 else act[r, c]
                        shut = not hatch_open[r, max(loc[r, c], 0)] or tgt < 0
                        rep = first_repress[c, min(to, S - 1)]
                        if shut and rep < S - 1:
                            to = rep
                        timeline._jump_one(r, c, to, to, t, timeline.TERMINATED, n_acts, act,
                                           act_t, started, mode, completed, act_start_s,
                                           act_end_s)  # fmt: skip
                        done[r, c] |= act[r, c] >= n_acts[c]
            for r in range(R):
                for c in range(C):
                    if go[r, c]:
                        told_i[e, 0], told_i[e, 1], told_i[e, 2] = TOLD_SENT, r, c
                        told_i[e, 3], told_t[e], told_v[e] = SENT_WITH_CREW, t, 0.0
                        e += 1
    told_n[0] = e
    return True


@njit(cache=True, error_model="numpy")
def _leaving(suited, loc, out_ahead, vent_ahead):
    """Suited in a vessel on the way out (an egress or a depress ahead of the next ingress or
    repress: :func:`step`'s ``leaving``)."""
    return suited and loc != LOC_OUTSIDE and (out_ahead or vent_ahead)


@njit(cache=True, error_model="numpy")
def _pending_to(go, pend, buddies, loc, slot, ingress_target, suited, hatch_open, out_ahead,
                vent_ahead):  # fmt: skip
    """Of the pending ``pend`` (:func:`_act`), into ``go`` the buddies outside (an ingress
    ahead) or, after them, those inside who stand down (suited, in a vessel open to vacuum
    or on their way out); returns whether any."""
    R, C = go.shape
    any_go = False
    for r in range(R):
        for c in range(C):
            sl = slot[r, c]
            outside = loc[r, c] == LOC_OUTSIDE
            if buddies:
                keep = pend[r, c] and outside and ingress_target[c, sl] >= 0
            else:
                leaving = _leaving(suited[r, c], loc[r, c], out_ahead[c, sl], vent_ahead[c, sl])
                open_ = hatch_open[r, max(loc[r, c], 0)]
                keep = pend[r, c] and not outside and suited[r, c] and (open_ or leaving)
            go[r, c] = keep
            any_go |= keep
    return any_go


@njit(cache=True, error_model="numpy")
def _send_back(
    go, is_abort, code, k, slot, ingress_target, speed_m_s, range_m, act, act_t, started, mode,
    completed, act_start_s, act_end_s, n_acts, ret_dur_s, ret_met_W, ret_speed_m_s, return_to,
    sent_back_s, sent_back_rule, t, told_i, told_t, told_v, e,
):  # fmt: skip
    """:func:`timeline.send_back` for the crew in ``go``, told from row ``e``; returns the
    next row."""
    R, C = go.shape
    S = act_start_s.shape[2]
    for r in range(R):
        for c in range(C):
            if not go[r, c]:
                continue
            tgt = ingress_target[c, slot[r, c]]
            timeline._jump_one(r, c, tgt, S - 1, t,
                               timeline.ABORTED if is_abort else timeline.TERMINATED, n_acts,
                               act, act_t, started, mode, completed, act_start_s, act_end_s)  # fmt: skip
            speed = speed_m_s[r, c] * (1.5 if is_abort else 1.0)
            ret_dur_s[r, c] = range_m[r, c] / speed + 60.0
            ret_met_W[r, c] = HEAVY_W if is_abort else MODERATE_W
            ret_speed_m_s[r, c] = speed
            return_to[r, c] = tgt
            if np.isnan(sent_back_s[r, c]):
                sent_back_s[r, c] = t
                sent_back_rule[r, c] = k
    for r in range(R):
        for c in range(C):
            if go[r, c]:
                told_i[e, 0], told_i[e, 1], told_i[e, 2], told_i[e, 3] = TOLD_SENT, r, c, code
                told_t[e], told_v[e] = t, range_m[r, c]
                e += 1
    return e
