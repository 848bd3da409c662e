"""Faults: scheduled failures applied when their time comes (per run: a campaign disperses
the times and sizes; a time of ``inf`` means the fault does not happen in that run).

A fault lasts from its time to the end of the crew member's EVA: when the suit comes off,
the water stops, the hole is patched, the regulator and the cooling are repaired (the suit
is serviced before the next EVA), so nothing leaks from one EVA into the next."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..events import Emit
from ..plan import Plan

CODES = {
    "water-intrusion": "fault-water-intrusion",
    "suit-leak": "fault-suit-leak",
    "regulator-failure": "fault-regulator",
    "cooling-failure": "fault-cooling",
    "scrubber-exhausted": "fault-scrubber",
    "fan-failure": "fault-fan",
    "tether-break": "fault-tether-break",
}


@dataclass
class FaultState:
    water_rate_kg_s: np.ndarray  # (R, C) water flowing into the helmet
    hole_cdA_m2: np.ndarray  # (R, C) effective area of suit holes
    regulator_failed: np.ndarray  # (R, C) bool
    cooling_factor: np.ndarray  # (R, C) share of the cooling capacity left
    fan_failed: np.ndarray  # (R, C) bool: the suit's fan (and the pump and separator on its motor)
    applied: list[np.ndarray]  # per planned fault: (R,) already applied
    next_s: float  # earliest time a pending fault is due
    any_leak: bool  # a suit-leak fault has been applied somewhere
    any_fan: bool  # a fan-failure fault has been applied somewhere


@dataclass
class FaultEffects:
    """What this step's faults do to other subsystems (the engine applies them)."""

    scrubber_spent: np.ndarray | None  # (R, C) bool: the CO2 scrubber is spent now
    tether_breaks: list[tuple[int, int, np.ndarray]]  # (crew, tether index, runs)


NO_EFFECTS = FaultEffects(None, [])  # a step with no fault due


def init(plan: Plan) -> FaultState:
    R, C = plan.runs, len(plan.crew_ids)
    return FaultState(
        water_rate_kg_s=np.zeros((R, C)),
        hole_cdA_m2=np.zeros((R, C)),
        regulator_failed=np.zeros((R, C), dtype=bool),
        cooling_factor=np.ones((R, C)),
        fan_failed=np.zeros((R, C), dtype=bool),
        applied=[np.zeros(R, dtype=bool) for _ in plan.faults],
        next_s=min((float(f.at_s.min()) for f in plan.faults), default=np.inf),
        any_leak=False,
        any_fan=False,
    )


def clear(s: FaultState, mask) -> FaultState:
    """The suit came off (``mask`` (R, C)): the crew member's faults end."""
    s.water_rate_kg_s = np.where(mask, 0.0, s.water_rate_kg_s)
    s.hole_cdA_m2 = np.where(mask, 0.0, s.hole_cdA_m2)
    s.regulator_failed = s.regulator_failed & ~mask
    s.cooling_factor = np.where(mask, 1.0, s.cooling_factor)
    s.fan_failed = s.fan_failed & ~mask
    return s


def step(s: FaultState, plan: Plan, t: float, run_ok: np.ndarray):
    R, C = plan.runs, len(plan.crew_ids)
    events: list[Emit] = []
    if t + 1e-9 < s.next_s:
        return s, events, NO_EFFECTS
    effects = FaultEffects(np.zeros((R, C), dtype=bool), [])
    for f, applied in zip(plan.faults, s.applied, strict=True):
        due = ~applied & (f.at_s <= t + 1e-9)
        if not np.count_nonzero(due):
            continue
        applied |= due
        c, kind, value = f.crew, f.kind, f.value
        hit = np.nonzero(due & run_ok)[0]
        if kind == "tether-break":
            k = int(value[0])  # the tether's index
            effects.tether_breaks.append((c, k, hit))
            events.append(
                Emit(CODES[kind], t, runs=hit, crew=c, subject=plan.motion.tether_ids[c][k])
            )
            continue
        if kind == "water-intrusion":
            s.water_rate_kg_s[:, c] = np.where(due, value, s.water_rate_kg_s[:, c])
        elif kind == "suit-leak":
            s.hole_cdA_m2[:, c] = np.where(due, value, s.hole_cdA_m2[:, c])
            s.any_leak = True
        elif kind == "regulator-failure":
            s.regulator_failed[:, c] |= due
        elif kind == "cooling-failure":
            s.cooling_factor[:, c] = np.where(due, value, s.cooling_factor[:, c])
        elif kind == "scrubber-exhausted":
            effects.scrubber_spent[:, c] |= due
        elif kind == "fan-failure":
            s.fan_failed[:, c] |= due
            s.any_fan = True
        values = {
            "water-intrusion": {"rate_mL_min": value * 6e4},
            "cooling-failure": {"remaining": value},
        }.get(kind, {})
        events.append(Emit(CODES[kind], t, runs=hit, crew=c, values=values))
    pending = [f.at_s[~d] for f, d in zip(plan.faults, s.applied, strict=True)]
    s.next_s = min((float(a.min()) for a in pending if a.size), default=np.inf)
    return s, events, effects
