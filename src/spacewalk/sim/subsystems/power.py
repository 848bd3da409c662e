"""The suit battery: it runs the fan and pump (and their heat) while it lasts; umbilical
suits are powered by the vehicle."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..events import Emit
from ..plan import Plan


@dataclass
class PowerState:
    battery_Ah: np.ndarray  # (R, C) charge left
    out_s: np.ndarray  # (R, C) when it ran out (nan: never)


def init(plan: Plan) -> PowerState:
    b = plan.crew.battery_Ah
    return PowerState(b.copy(), np.full(b.shape, np.nan))


def recharge(s: PowerState, plan: Plan, mask) -> PowerState:
    s.battery_Ah = np.where(mask, plan.crew.battery_Ah, s.battery_Ah)
    return s


def outputs(s: PowerState, plan: Plan, suited, umb=None) -> tuple[np.ndarray, np.ndarray]:
    """At the start of the step: whether the fan runs, and the equipment heat [W];
    ``umb`` (R, C): on the vehicle's power (an umbilical, or a service umbilical)."""
    p = plan.crew
    umb = p.umbilical if umb is None else umb
    fan_ok = umb | (s.battery_Ah > 0) | (p.battery_A == 0)
    equip_W = np.where(suited & ~umb & (s.battery_Ah > 0), p.battery_A * p.battery_V, 0.0)
    return fan_ok, equip_W


def step(s: PowerState, plan: Plan, suited, live, t, dt, umb=None):
    p = plan.crew
    umb = p.umbilical if umb is None else umb
    before = s.battery_Ah > 0
    s.battery_Ah = np.where(
        suited & ~umb,
        np.maximum(s.battery_Ah - p.battery_A * dt / 3600.0, 0.0),
        s.battery_Ah,
    )
    events: list[Emit] = []
    out = before & ~(s.battery_Ah > 0) & suited & live
    if np.count_nonzero(out):
        s.out_s = np.where(out & np.isnan(s.out_s), t, s.out_s)
        events.append(Emit("battery-exhausted", t, out))
    return s, events
