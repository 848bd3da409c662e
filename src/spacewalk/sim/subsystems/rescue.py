"""A partner's rescue of a crew member who cannot help themselves outside, as a flight rule
orders it (action ``rescue``; the standard rule ``partner-rescue`` fires on incapacitation).

The nearest able crew member outside drops what they are doing and goes to them along the
handrails (GO), tethers them and checks them (TIE, ``TIE_S``), and brings them back to the
hatch at ``TOW_FACTOR`` of their speed (TOW): the body in tow goes where the rescuer goes.
When the rescuer's ingress is done, the one they brought is in the same vessel; the hatch
close and the repress follow as the rescuer's timeline has them; the rescued one then stays
with the rescuer inside (:func:`in_care`). A crew member incapacitated inside a vessel
(in the airlock before going out or after coming in) is taken into the care of an able
crew member beside them in the same way (:func:`look_after`); alone in an airlock, by the
crew on the other side of its inner hatch, ``CABIN_HELP_S`` after that hatch can open (the
lock repressed to their pressure): they open it and take the helmet off. Nobody else comes:
with no able partner outside, or a partner who dies on the way, the outcome says so. No
script moves a body: the rescuer's motion is the motion subsystem's, at the speeds above.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..events import Emit
from ..plan import LOC_CABIN, LOC_OUTSIDE, Plan
from . import timeline

NONE, GO, TIE, TOW = 0, 1, 2, 3
TIE_S = 180.0  # NF: tether the partner, check them and their suit, report (assumption)
TOW_FACTOR = 0.5  # NF: a suited crew member in tow halves the translation speed (assumption)
AT_M = 1.0  # the rescuer is at the partner: within a suited arm's reach and a handhold
RESTEER_M = 0.3  # the partner has moved this far since the way was planned: plan it again
# M: ISS EVA 23, the repress ended at 09:29 EDT and the crew inside had the inner hatch open
# and Parmitano's helmet off at 09:37-09:38 (CBS; americaspace: reference-data 4)
CABIN_HELP_S = 540.0


@dataclass
class RescueState:
    victim: np.ndarray  # (R, C) per rescuer: the crew member they are rescuing (-1: none)
    phase: np.ndarray  # (R, C) per rescuer: NONE, GO, TIE, TOW
    since: np.ndarray  # (R, C) when the phase began [s]
    aim: np.ndarray  # (R, C, 3) where the rescuer was last sent
    by: np.ndarray  # (R, C) per crew member: who is rescuing them (-1: nobody)
    rescued: np.ndarray  # (R, C) brought in by a partner
    brought_by: np.ndarray  # (R, C) who brought them in (-1: nobody)
    unanswered: np.ndarray  # (R, C) a rescue was ordered and nobody could go
    help_from: np.ndarray  # (R, C) since when the crew inside could come to them (nan: not)


def init(plan: Plan) -> RescueState:
    R, C = plan.runs, len(plan.crew_ids)
    return RescueState(
        victim=np.full((R, C), -1, dtype=np.int64),
        phase=np.zeros((R, C), dtype=np.int64),
        since=np.zeros((R, C)),
        aim=np.zeros((R, C, 3)),
        by=np.full((R, C), -1, dtype=np.int64),
        rescued=np.zeros((R, C), dtype=bool),
        brought_by=np.full((R, C), -1, dtype=np.int64),
        unanswered=np.zeros((R, C), dtype=bool),
        help_from=np.full((R, C), np.nan),
    )


def _able(tl) -> np.ndarray:
    return ~tl.lost & ~tl.done & ~tl.incapacitated & ~tl.adrift


def order(s: RescueState, plan: Plan, tl, motion, wanted, rule, t) -> tuple[RescueState, list]:
    """The rules ask for a rescue of the crew members in ``wanted`` (R, C), rule ``rule``
    (R, C) asking (the rescuer's EVA ends by it, as a terminate's would)."""
    events: list[Emit] = []
    S = plan.kind.shape[1]
    outside = tl.loc == LOC_OUTSIDE
    ask = wanted & outside & ~tl.lost & ~tl.adrift & (s.by < 0) & ~s.rescued
    if not np.count_nonzero(ask):
        return s, events
    ids = plan.crew_ids
    pos = motion.positions()
    slot = np.minimum(tl.act, S - 1)
    ahead = plan.ingress_target[np.arange(len(ids))[None, :], slot]
    ahead = np.where(slot == S - 1, tl.return_to, ahead)
    free_now = motion.free_rc()
    for r, v in zip(*np.nonzero(ask), strict=True):
        can = _able(tl)[r] & outside[r] & tl.suited[r] & (s.phase[r] == NONE) & (ahead[r] >= 0)
        can &= ~free_now[r]  # a rescuer in free flight is not on the rails
        can[v] = False
        if not can.any():
            if not s.unanswered[r, v]:
                s.unanswered[r, v] = True
                events.append(Emit("rescue-none", t, runs=[int(r)], crew=int(v)))
            continue
        dist = np.where(can, np.linalg.norm(pos[r] - pos[r, v], axis=-1), np.inf)
        c = int(np.argmin(dist))
        go = np.zeros(tl.act.shape, dtype=bool)
        go[r, c] = True
        tgt = np.full(tl.act.shape, int(ahead[r, c]))
        rng = np.full(tl.act.shape, dist[c])
        tl, _ = timeline.send_back(tl, plan, go, tgt, False, t, "rescue", int(rule[r, v]), rng)
        tl.ret_dur_s[r, c] = np.inf  # the rescue, not a clock, ends the way back
        s.victim[r, c], s.phase[r, c], s.since[r, c] = v, GO, t
        s.by[r, v] = c
        s.aim[r, c] = np.nan
        events.append(
            Emit(
                "rescue",
                t,
                runs=[int(r)],
                crew=c,
                subject=ids[v],
                values={"range_m": float(dist[c])},
            )
        )
    return s, events


def steer(s: RescueState, plan: Plan, tl, motion, now, t) -> tuple[RescueState, list]:
    """Before the motion step: each rescuer's phase from where the bodies are, and where the
    rescuer goes (after the timeline has started this step's activities)."""
    events: list[Emit] = []
    ids = plan.crew_ids
    speed = plan.crew.speed_m_s
    for r, c in zip(*np.nonzero(s.phase != NONE), strict=True):
        v = int(s.victim[r, c])
        if s.phase[r, c] == TOW and tl.loc[r, c] != LOC_OUTSIDE and not tl.lost[r, v]:
            tl.loc[r, v] = tl.loc[r, c]  # the rescuer's ingress is done: in with them
            s.rescued[r, v] = True
            s.brought_by[r, v] = c
            events.append(Emit("rescued", t, runs=[int(r)], crew=v, subject=ids[c]))
            s.phase[r, c], s.by[r, v], s.victim[r, c] = NONE, -1, -1
            continue
        back = tl.act[r, c] == plan.kind.shape[1] - 1  # still on the way back
        if not _able(tl)[r, c] or not (back or s.phase[r, c] == TOW):
            # the rescuer can no longer go on: the partner stays where they are
            s.phase[r, c], s.by[r, v], s.victim[r, c] = NONE, -1, -1
            motion.drop(r, v)
            continue
        if not back:  # towed to the hatch, the rescuer's ingress under way
            continue
        here, there = motion.positions()[r, c], motion.positions()[r, v]
        if tl.lost[r, v]:  # too late: back to the hatch alone
            s.phase[r, c], s.by[r, v], s.victim[r, c] = NONE, -1, -1
            motion.drop(r, v)
            tl.ret_dur_s[r, c] = tl.act_t[r, c] + motion.way_to_hatch(r, c) / speed[r, c] + 60.0
            motion.go_to(r, c, motion.hatch_of(r, c), speed[r, c])
            events.append(Emit("rescue-late", t, runs=[int(r)], crew=int(c), subject=ids[v]))
            continue
        if s.phase[r, c] == GO:
            if np.linalg.norm(here - there) <= AT_M:
                s.phase[r, c], s.since[r, c] = TIE, t
                motion.go_to(r, c, here, speed[r, c])  # stay: tethering them
                motion.carry(r, c, v)
                events.append(Emit("rescue-reached", t, runs=[int(r)], crew=int(c), subject=ids[v]))
            elif not np.linalg.norm(s.aim[r, c] - there) <= RESTEER_M:
                s.aim[r, c] = there
                motion.go_to(r, c, there, speed[r, c])
        elif s.phase[r, c] == TIE and t - s.since[r, c] >= TIE_S:
            s.phase[r, c], s.since[r, c] = TOW, t
            tow = speed[r, c] * TOW_FACTOR
            way = motion.way_to_hatch(r, c)
            tl.ret_dur_s[r, c] = tl.act_t[r, c] + way / tow + 60.0
            motion.go_to(r, c, motion.hatch_of(r, c), tow)
            s.aim[r, c] = motion.hatch_of(r, c)
    return s, events


def look_after(s: RescueState, plan: Plan, tl, p_ves, now, t) -> tuple[RescueState, list]:
    """Crew incapacitated inside a vessel, not yet in anyone's care, with an able crew
    member in the same vessel: in that one's care from now (:func:`in_care`), as if they had
    brought them in. Alone in an airlock with its EVA hatch shut and an able crew member on
    the other side of its inner hatch: that one opens the hatch's equalisation valve (this
    step's ``now.equalise_to``: the vessels subsystem moves the gas) and, ``CABIN_HELP_S``
    after the pressures across it are equal, takes them in and their suit off. Alone in the
    cabin, or with nobody on the other side, nobody comes."""
    need = tl.incapacitated & ~tl.lost & (tl.loc != LOC_OUTSIDE) & (s.brought_by < 0)
    if not np.count_nonzero(need):
        s.help_from[:] = np.nan
        return s, []
    able = _able(tl) & (tl.loc != LOC_OUTSIDE)
    beside = (tl.loc[:, :, None] == tl.loc[:, None, :]) & able[:, None, :]  # (R, C, mate)
    cared = need & beside.any(axis=2)
    mate = beside.argmax(axis=2)  # the first able crew mate in the same vessel
    ids = plan.crew_ids
    events = [Emit("in-care", t, cared, subject=lambda r, c: ids[mate[r, c]])]
    alone = need & ~cared & (tl.loc > LOC_CABIN)
    come = np.zeros_like(alone)
    helper = mate
    if np.count_nonzero(alone):
        R, V = p_ves.shape
        rv = np.arange(R)[:, None] * V
        lock = np.maximum(tl.loc, 0)
        side = plan.vessel.inside[lock]  # the vessel beyond the lock's inner hatch
        side = np.where(side < 0, LOC_CABIN, side)
        dp = np.abs(p_ves.ravel().take(rv + lock) - p_ves.ravel().take(rv + side))
        shut = ~tl.hatch_open.ravel().take(rv + lock)  # the lock is not open to vacuum
        there = ~tl.lost & ~tl.incapacitated & ~tl.adrift  # an able crew member, done or not
        near = (tl.loc[:, None, :] == side[:, :, None]) & there[:, None, :]  # (R, C, mate)
        can_come = alone & shut & near.any(axis=2)
        equal = dp <= plan.vessel.hatch_open_max_Pa.ravel().take(rv + lock)
        now.equalise_to = np.where(can_come & ~equal, side, now.equalise_to)
        reach = can_come & equal
        s.help_from = np.where(reach, np.fmin(s.help_from, t), np.nan)
        come = reach & (t - s.help_from >= CABIN_HELP_S - 1e-9)
        helper = np.where(come, near.argmax(axis=2), mate)
        events.append(Emit("helped-in", t, come, subject=lambda r, c: ids[helper[r, c]]))
    s.brought_by = np.where(cared | come, helper, s.brought_by)
    return s, events


def in_care(s: RescueState, tl, doffed) -> np.ndarray:
    """Crew members brought in stay with their rescuer inside: where the rescuer goes from
    vessel to vessel (out of the airlock, into the cabin), they are taken along, up to the
    cabin, and when
    the rescuer takes their own suit off, they take the rescued one's off too. Returns the
    (R, C) crew whose suit came off this step."""
    by = np.maximum(s.brought_by, 0)
    cared = s.brought_by >= 0
    where = np.take_along_axis(tl.loc, by, axis=1)
    # taken along until they are in the cabin; there they stay (the rescuer's next EVA
    # does not take them back into the airlock)
    tl.loc = np.where(cared & (where != LOC_OUTSIDE) & (tl.loc != LOC_CABIN), where, tl.loc)
    # the suit comes off with the carer's, or at once where the carer has none on
    carer_off = np.take_along_axis(doffed | ~tl.suited, by, axis=1)
    off = cared & tl.suited & carer_off
    tl.suited &= ~off
    return off


def carry(s: RescueState, motion) -> None:
    """After the motion step: the partner in tow (or being tethered) is where the rescuer is."""
    for r, c in zip(*np.nonzero((s.phase == TIE) | (s.phase == TOW)), strict=True):
        motion.carry(r, c, int(s.victim[r, c]))
