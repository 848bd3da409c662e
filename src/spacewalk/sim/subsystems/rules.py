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
from ..arrays import as_bool, grid
from ..events import Emit
from ..plan import LOC_CABIN, LOC_OUTSIDE, Plan
from ..values import VALUE_INDEX
from . import timeline

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


@njit(cache=True, error_model="numpy")
def _fires(values, rows, limit, sign, applies, fired, suited, outside, has_suit, live, fires):
    """Which rules fire this step, into ``fires`` (K, R, C): over their limit, on the crew
    they watch, not fired yet in this EVA; returns whether any does (the compiled check of
    every step; the NumPy code below acts on the few steps that fire)."""
    K = rows.shape[0]
    R, C = suited.shape
    any_fire = False
    for k in range(K):
        a = applies[k]
        row = values[rows[k]]
        for r in range(R):
            for c in range(C):
                if a == 0:
                    watched = suited[r, c]
                elif a == 1:
                    watched = outside[r, c]
                elif a == 2:
                    watched = has_suit[r, c]
                else:
                    watched = suited[r, c] and not outside[r, c]
                fire = (
                    live[r, c]
                    and watched
                    and not fired[k, r, c]
                    and (row[r, c] - limit[k]) * sign[k] > 0
                )
                fires[k, r, c] = fire
                any_fire |= fire
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
        events.append(
            Emit(
                "rule-caution" if rule.level == "caution" else "rule-warning",
                t,
                fire,
                subject=rule.id,
                values={
                    "text": rule.message or rule.channel,
                    "channel": rule.channel,
                    "value": values[rt.rows[k]].copy(),
                    "action": rule.action,
                },
            )
        )
        if rule.action == "lower-suit-pressure":
            suit.low_mode |= fire
            events.append(
                Emit(
                    "suit-pressure-lowered",
                    t,
                    fire,
                    values={"p_kPa": plan.crew.p_low_Pa / 1000.0},
                )
            )
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
