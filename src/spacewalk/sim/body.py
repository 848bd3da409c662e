"""The gas and body subsystems of one engine step as compiled calls only: the environment of
each crew member (the pressure and O2 around them, their metabolic rate, what feeds their
suit), then the battery's outputs, suit gas, helmet CO2, heat and water and the battery's
drain, each by its subsystem's own kernel, in the engine's order, on the state's arrays and
into preallocated outputs (what each crew member breathes is the values' kernel's,
:mod:`spacewalk.sim.values`).

No NumPy glue between the kernels: on one run each NumPy operation costs about a microsecond
whatever its size, the kernels' dispatch about 50 ns an argument. (One kernel calling the
others saved 2 us a step more but took 9 s to compile on a first run.) The events the
subsystems flag come back in their flag arrays; :meth:`spacewalk.sim.engine.Engine` logs them
with each subsystem's ``flag_events``, as its ``step`` wrapper does."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
from numba import njit

from ..physics import jit
from ..scenario.presets import WORKLOADS_W
from .plan import LOC_OUTSIDE
from .subsystems import co2, power, suitgas, thermal

REST_W = WORKLOADS_W["rest"]


@dataclass
class Flags:
    """The events each subsystem flagged this step (preallocated; cleared when used)."""

    suit: np.ndarray  # (4, R, C) primary out, on secondary, secondary out, vehicle out
    co2: np.ndarray  # (R, C) scrubber breakthrough
    thermal: np.ndarray  # (R, C) feedwater out
    power: np.ndarray  # (R, C) battery out

    @classmethod
    def zeros(cls, R: int, C: int) -> Flags:
        z = np.zeros((R, C), dtype=np.bool_)
        return cls(np.zeros((4, R, C), dtype=np.bool_), z.copy(), z.copy(), z.copy())


@dataclass
class Body:
    """What the step's gas and body subsystems give the others (preallocated, (R, C))."""

    outside: np.ndarray
    live: np.ndarray
    met: np.ndarray
    p_amb: np.ndarray
    fo2_amb: np.ndarray
    on_vehicle: np.ndarray
    fan_ok: np.ndarray
    equip_W: np.ndarray
    draw: np.ndarray
    purge: np.ndarray
    cooling: np.ndarray
    fog: np.ndarray
    p_breath: np.ndarray  # the pressure breathed (set by the values' kernel)
    fo2_breath: np.ndarray  # dry O2 fraction of what is breathed (1: a suit or a mask)

    @classmethod
    def empty(cls, R: int, C: int) -> Body:
        masks = ("outside", "live", "on_vehicle", "fan_ok")
        return cls(
            **{
                f.name: np.zeros((R, C), np.bool_) if f.name in masks else np.empty((R, C))
                for f in fields(cls)
            }
        )


@njit(cache=True, error_model="numpy", fastmath=jit.ARCP)
def _environment(
    loc, vloc, p_ves, fo2_ves, lost, run_ok, is_return, ready, kind, ret_met_W, met_W_flat,
    flat_r, done, incapacitated, adrift, met_factor, umbilical, umbilical_cut, service,
    suited, any_service,
    outside, live, met, p_amb, fo2_amb, on_vehicle, busy,
):  # fmt: skip
    """Around each crew member: outside (vacuum) or the vessel they are in; who is live;
    the metabolic rate (the return's after a terminate or abort, rest once done or
    helpless, none once dead, times the run's factor); the suits on the vehicle's supply (an umbilical,
    or a vessel's service umbilical while plugged in, not outside)."""
    R, C = loc.shape
    V = service.shape[0]
    for r in range(R):
        if not busy[r]:
            continue  # the run is over: it stays as it ended (sim.stretch.all_over)
        for c in range(C):
            out = loc[r, c] == LOC_OUTSIDE
            v = vloc[r, c]
            outside[r, c] = out
            p_amb[r, c] = 0.0 if out else p_ves[r, v]
            fo2_amb[r, c] = fo2_ves[r, v]
            live[r, c] = not lost[r, c] and run_ok[r]
            m = ret_met_W[r, c] if is_return[r, c] and ready[r, c] else met_W_flat[flat_r[r, c]]
            if done[r, c] or incapacitated[r, c] or adrift[r, c]:
                m = REST_W
            if lost[r, c]:  # the dead make no heat, use no O2 and breathe out no CO2
                m = 0.0
            met[r, c] = m * met_factor[r, c]
            feed = umbilical[r, c] and not umbilical_cut[r, c]
            if any_service:
                feed = feed or (service[min(max(v, 0), V - 1)] and not out and suited[r, c])
            on_vehicle[r, c] = feed


jit.register(_environment, jit.ENGINE_NOTICE)


def step(eng, now, vloc, p_ves, t: float, sunlit: float) -> bool:
    """The gas and body subsystems of the engine ``eng`` at time ``t`` (``now`` the
    timeline's step, ``vloc`` (R, C) the vessel around each crew member, ``p_ves`` (R, V)
    the vessels' pressures after their step, ``sunlit`` the lit fraction of the Sun); the
    outputs go to ``eng.body``, the events to ``eng.flags``. Returns whether any event is
    flagged."""
    plan, p, tl, fs = eng.plan, eng.p, eng.tl, eng.fs
    s, cs, th, pw, b, f = eng.suit, eng.cs, eng.th, eng.pw, eng.body, eng.flags
    suited, t, dt = tl.suited, float(t), float(eng.dt)
    jit.about_to_run(_environment, jit.ENGINE_NOTICE)
    _environment(
        tl.loc, vloc, p_ves, eng.ves.o2_fraction, tl.lost, eng.run_ok, now.is_return,
        now.ready, now.kind, tl.ret_met_W, eng.met_W_flat, now.flat_r, tl.done,
        tl.incapacitated, tl.adrift, p.met_factor, p.umbilical, eng.umbilical_cut,
        plan.vessel.service, suited, eng.any_service,
        b.outside, b.live, b.met, b.p_amb, b.fo2_amb, b.on_vehicle, eng.busy,
    )  # fmt: skip
    power.run_outputs(pw, plan, suited, b.on_vehicle, b.fan_ok, b.equip_W)
    if fs.any_fan:  # a failed fan motor: no ventilation, cooling water or water separation
        np.logical_and(b.fan_ok, ~fs.fan_failed, out=b.fan_ok)
    flagged = suitgas.run(
        s, plan, suited, b.met, b.p_amb, fs.regulator_failed, fs.hole_cdA_m2, fs.any_leak,
        b.live, b.on_vehicle, t, dt, b.draw, b.purge, f.suit, eng.busy,
    )  # fmt: skip
    flagged |= co2.run(cs, plan, suited, b.met, b.fan_ok, b.purge, s.p_suit_Pa, b.live, t, dt,
                       f.co2, eng.busy)  # fmt: skip
    flagged |= thermal.run(
        th, plan, suited, b.outside, b.met, b.equip_W, b.fan_ok, b.purge, eng.env, sunlit,
        fs.cooling_factor, fs.water_rate_kg_s, b.live, b.on_vehicle, t, dt, b.cooling, b.fog,
        f.thermal, eng.busy,
    )  # fmt: skip
    flagged |= power.run(pw, plan, suited, b.on_vehicle, b.live, t, dt, f.power, eng.busy)
    return flagged
