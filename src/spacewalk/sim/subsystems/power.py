"""The suit battery: it runs the fan and pump (and their heat) while it lasts; umbilical
suits are powered by the vehicle."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from ...physics import jit
from ..arrays import as_bool, every_run
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
    shape = s.battery_Ah.shape
    umb = p.umbilical if umb is None else umb
    fan_ok, equip_W = np.empty(shape, dtype=np.bool_), np.empty(shape)
    run_outputs(s, plan, as_bool(suited, shape), as_bool(umb, shape), fan_ok, equip_W)
    return fan_ok, equip_W


def run_outputs(s: PowerState, plan: Plan, suited, umb, fan_ok, equip_W) -> None:
    """:func:`outputs` into ``fan_ok`` and ``equip_W`` from (R, C) arrays of the kernel's
    dtypes (the engine's own buffers: nothing converted)."""
    p = plan.crew
    jit.about_to_run(_outputs, jit.ENGINE_NOTICE)
    _outputs(s.battery_Ah, p.battery_A, p.battery_V, suited, umb, fan_ok, equip_W)


def step(s: PowerState, plan: Plan, suited, live, t, dt, umb=None):
    p = plan.crew
    shape = s.battery_Ah.shape
    umb = p.umbilical if umb is None else umb
    out = np.zeros(shape, dtype=np.bool_)
    if run(s, plan, as_bool(suited, shape), as_bool(umb, shape), as_bool(live, shape), t, dt,
           out):  # fmt: skip
        return s, flag_events(out, t)
    return s, []


def run(s: PowerState, plan: Plan, suited, umb, live, t, dt, flags, busy=None) -> bool:
    """The battery's drain over the step from (R, C) arrays of the kernel's dtypes (the
    engine's own buffers), ``flags`` filled in; returns whether any is flagged."""
    jit.about_to_run(_drain, jit.ENGINE_NOTICE)
    return _drain(s.battery_Ah, s.out_s, plan.crew.battery_A, suited, umb, live, float(t),
                  float(dt), flags, every_run(busy, plan.runs))  # fmt: skip


FLAG_CODE = "battery-exhausted"  # the event of the kernel's flag


def flag_events(flags, t) -> list[Emit]:
    """The events of the kernel's ``flags`` (R, C), which are cleared."""
    events = [Emit(FLAG_CODE, t, flags.copy())] if flags.any() else []
    flags[:] = False
    return events


@njit(cache=True, error_model="numpy", fastmath=jit.ARCP)
def _outputs(battery_Ah, battery_A, battery_V, suited, umb, fan_ok, equip_W):
    """The fan runs on the vehicle's power, or while the battery lasts (or draws nothing);
    the suit's electronics warm it while they run on the battery."""
    R, C = battery_Ah.shape
    for r in range(R):
        for c in range(C):
            charged = battery_Ah[r, c] > 0
            fan_ok[r, c] = umb[r, c] or charged or battery_A[r, c] == 0
            on_battery = suited[r, c] and not umb[r, c] and charged
            equip_W[r, c] = battery_A[r, c] * battery_V[r, c] if on_battery else 0.0


@njit(cache=True, error_model="numpy", fastmath=jit.ARCP)
def _drain(battery_Ah, out_s, battery_A, suited, umb, live, t, dt, out, busy):
    """The battery's charge over the step, in place; ``out`` marks those that ran out."""
    R, C = battery_Ah.shape
    flagged = False
    for r in range(R):
        if not busy[r]:
            continue  # the run is over: it stays as it ended (sim.stretch.all_over)
        for c in range(C):
            before = battery_Ah[r, c] > 0
            if suited[r, c] and not umb[r, c]:
                battery_Ah[r, c] = max(battery_Ah[r, c] - battery_A[r, c] * dt / 3600.0, 0.0)
            if before and not battery_Ah[r, c] > 0 and suited[r, c] and live[r, c]:
                out[r, c] = flagged = True
                if np.isnan(out_s[r, c]):
                    out_s[r, c] = t
    return flagged


jit.register(_outputs, jit.ENGINE_NOTICE)
jit.register(_drain, jit.ENGINE_NOTICE)
