"""Heat and water: metabolic, equipment and environment heat against the suit's cooling
(liquid loop on a sublimator, or gas cooling), body heat storage both ways and sweat,
sublimator feedwater, water intrusion into the helmet and visor fogging (the helmet gas's
dew point against the visor's temperature, in sun, shadow or a vessel). Unsuited crew are
cooled by the cabin.

Energy and water are accounted for: the heat in (metabolic, equipment, environment) is the
heat removed (cooling and the latent heat of evaporated sweat) plus the change of storage;
the feedwater spent is the water sublimated plus the water that leaked into the helmet, which
is drained (``helmet_drained_kg``) when the helmet comes off. On a sublimator suit sweat
evaporates only while the sublimator has room for its latent heat, and water leaks into the
helmet only while the feedwater it comes from lasts (a suit without a tank is fed by an
umbilical: its helmet water is counted as coming from outside, ``external_water_kg``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from ...physics import jit, lifesupport
from ...units import CABIN_GAS_T_K, H_SUB_ICE, H_VAP_SWEAT
from ..arrays import as_bool, as_f64, every_run
from ..events import Emit
from ..plan import Plan

CABIN_COOLING_W = 1.0e4  # unsuited crew: the cabin takes any heat
CABIN_EVAP_KG_S = 1.0  # unsuited crew: sweat evaporates freely


@dataclass
class ThermalState:
    heat_J: np.ndarray  # (R, C) heat stored in the body above neutral
    sweat_kg: np.ndarray  # (R, C) sweat produced since the start
    feedwater_kg: np.ndarray  # (R, C) sublimator feedwater left
    helmet_water_kg: np.ndarray  # (R, C) free water in the helmet
    feedwater_out_s: np.ndarray  # (R, C) when the feedwater ran out (nan: never)
    sublimated_kg: np.ndarray  # (R, C) feedwater sublimated to space
    helmet_drained_kg: np.ndarray  # (R, C) helmet water taken out when the helmet came off
    refilled_kg: np.ndarray  # (R, C) feedwater added at recharges between EVAs
    external_water_kg: np.ndarray  # (R, C) helmet water from outside the suit (an umbilical)
    heat_in_J: np.ndarray  # (R, C) metabolic, equipment and environment heat received
    heat_out_J: np.ndarray  # (R, C) heat removed: cooling and evaporated sweat


@dataclass
class ThermalOut:
    cooling_W: np.ndarray
    fog_index: np.ndarray


def init(plan: Plan) -> ThermalState:
    p = plan.crew
    R, C = p.feedwater_kg.shape
    z = np.zeros((R, C))
    return ThermalState(
        z.copy(),
        z.copy(),
        p.feedwater_kg.copy(),
        z.copy(),
        np.full((R, C), np.nan),
        z.copy(),
        z.copy(),
        z.copy(),
        z.copy(),
        z.copy(),
        z.copy(),
    )


def recharge(s: ThermalState, plan: Plan, mask) -> ThermalState:
    """A full feedwater tank between EVAs."""
    s.refilled_kg += np.where(mask, plan.crew.feedwater_kg - s.feedwater_kg, 0.0)
    s.feedwater_kg = np.where(mask, plan.crew.feedwater_kg, s.feedwater_kg)
    return s


def environment(plan: Plan) -> tuple[np.ndarray, ...]:
    """Environment heat leak [W] of each suit in shadow and its swing from shadow to sun; the
    radiative sink [K] beyond the visor in shadow and its swing (the outer layer's); and
    (3, R, C) the saturation pressure at the visor in shadow, in full sun and inside a
    vessel, the kernel's own arithmetic done once (it computes only the penumbra's)."""
    p = plan.crew
    sun = lifesupport.environment_heat_W(1.0, p.absorptance, p.emittance, p.insulation_W_K)
    shadow = lifesupport.environment_heat_W(0.0, p.absorptance, p.emittance, p.insulation_W_K)
    sink_sun = lifesupport.sink_temperature_K(1.0, p.absorptance, p.emittance)
    sink_shadow = lifesupport.sink_temperature_K(0.0, p.absorptance, p.emittance)
    swing = sink_sun - sink_shadow
    saturation = np.empty((3, *sink_shadow.shape))
    jit.about_to_run(_visor_saturation, jit.ENGINE_NOTICE)
    _visor_saturation(sink_shadow, swing, p.visor_coupling, saturation)
    return shadow, sun - shadow, sink_shadow, swing, saturation


@njit(cache=True, error_model="numpy", fastmath=jit.ARCP)
def _visor_saturation(sink_shadow, sink_swing, coupling, out):
    R, C = sink_shadow.shape
    for r in range(R):
        for c in range(C):
            for k, sunlit in enumerate((0.0, 1.0)):
                sink = sink_shadow[r, c] + sunlit * sink_swing[r, c]
                out[k, r, c] = lifesupport.visor_saturation_Pa(sink, coupling[r, c])
            out[2, r, c] = lifesupport.visor_saturation_Pa(CABIN_GAS_T_K, coupling[r, c])


jit.register(_visor_saturation, jit.ENGINE_NOTICE)


def step(
    s: ThermalState,
    plan: Plan,
    suited,
    outside,
    met_W,
    equip_W,
    fan_ok,
    env,
    sunlit,
    faults,
    live,
    t,
    dt,
    on_vehicle=None,
    purge_kg_s=0.0,
):
    """``env`` from :func:`environment`; ``sunlit`` the lit fraction of the Sun's disc;
    ``on_vehicle`` (R, C) the suits whose cooling water comes from the vehicle (a service
    umbilical: the sublimator and its feedwater are not used); ``purge_kg_s`` the open-loop
    flow through each suit. One compiled kernel
    (:func:`_kernel`) over every run and crew member; the events it flags are logged here."""
    p = plan.crew
    shape = p.feedwater_kg.shape
    on_vehicle = p.umbilical if on_vehicle is None else on_vehicle
    cooling, fog = np.empty(shape), np.empty(shape)
    flags = np.zeros(shape, dtype=np.bool_)  # feedwater ran out this step
    any_flag = run(
        s, plan, as_bool(suited, shape), as_bool(outside, shape), as_f64(met_W, shape),
        as_f64(equip_W, shape), as_bool(fan_ok, shape), as_f64(purge_kg_s, shape),
        (*(as_f64(e, shape) for e in env[:4]), env[4]), sunlit,
        as_f64(faults.cooling_factor, shape),
        as_f64(faults.water_rate_kg_s, shape), as_bool(live, shape), as_bool(on_vehicle, shape),
        t, dt, cooling, fog, flags,
    )  # fmt: skip
    return s, flag_events(flags, t) if any_flag else [], ThermalOut(cooling, fog)


def run(
    s: ThermalState, plan: Plan, suited, outside, met_W, equip_W, fan_ok, purge_kg_s, env,
    sunlit, cooling_factor, water_rate_kg_s, live, on_vehicle, t, dt, cooling, fog, flags,
    busy=None,
) -> bool:  # fmt: skip
    """The kernel on (R, C) arrays of its dtypes (the engine's own buffers: nothing is
    converted; ``env`` from :func:`environment`, ``purge_kg_s`` the open-loop flow through
    each suit), ``cooling`` [W], ``fog`` and ``flags`` filled in; returns whether any event
    is flagged."""
    p = plan.crew
    env_shadow, env_swing, sink_shadow, sink_swing, saturation = env
    jit.about_to_run(_kernel, jit.ENGINE_NOTICE)
    return _kernel(
        s.heat_J, s.sweat_kg, s.feedwater_kg, s.helmet_water_kg, s.feedwater_out_s,
        s.sublimated_kg, s.helmet_drained_kg, s.external_water_kg, s.heat_in_J, s.heat_out_J,
        p.cooling_W, p.feedwater_kg, p.liquid, p.evap_kg_s, env_shadow, env_swing,
        p.vent_water_Pa, p.helmet_first, p.visor_coupling, p.scrubber, sink_shadow, sink_swing,
        saturation,
        purge_kg_s, p.p_set_Pa, suited, outside, met_W, equip_W, fan_ok, float(sunlit),
        cooling_factor, water_rate_kg_s, live, on_vehicle, float(t), float(dt), cooling, fog,
        flags, every_run(busy, plan.runs),
    )  # fmt: skip


FLAG_CODE = "feedwater-exhausted"  # the event of the kernel's flag


def flag_events(flags, t) -> list[Emit]:
    """The events of the kernel's ``flags`` (R, C), which are cleared."""
    events = [Emit(FLAG_CODE, t, flags.copy())] if flags.any() else []
    flags[:] = False
    return events


@njit(cache=True, error_model="numpy", fastmath=jit.ARCP)
def _kernel(
    heat_J, sweat_kg, feedwater, helmet_water, feedwater_out_s, sublimated, helmet_drained,
    external_water, heat_in_J, heat_out_J,
    cooling_W, feedwater_cap, liquid, evap_kg_s, env_shadow, env_swing,
    vent_water_Pa, helmet_first, visor_coupling, closed_loop, sink_shadow, sink_swing,
    saturation, purge_kg_s, p_set_Pa, suited, outside, met_W, equip_W, fan_ok, sunlit, cooling_factor,
    water_rate, live, on_vehicle, t, dt,
    cooling_out, fog_out, flags, busy,
):  # fmt: skip
    """The heat and water step of every run and crew member, in place (the module's text):
    cooling capacity from what is working and the water left, the body's heat storage and
    sweat (:func:`lifesupport.heat_step`), the sublimator's water, helmet water from its
    cause while the tank lasts, drained when the helmet comes off, and the fog index of
    the visor (the module's text of :mod:`lifesupport`)."""
    R, C = heat_J.shape
    flagged = False
    for r in range(R):
        if not busy[r]:
            continue  # the run is over: it stays as it ended (sim.stretch.all_over)
        for c in range(C):
            on = suited[r, c]
            sublimator_ok = feedwater[r, c] > 0 or feedwater_cap[r, c] == 0 or on_vehicle[r, c]
            liquid_ok = not liquid[r, c] or fan_ok[r, c]
            if on:
                cool_max = (
                    cooling_W[r, c]
                    * cooling_factor[r, c]
                    * (1.0 if sublimator_ok else 0.0)
                    * (1.0 if liquid_ok else 0.0)
                )
            else:
                cool_max = CABIN_COOLING_W
            # a sublimator cannot remove more heat than the water it has left can carry away
            uses_water = on and feedwater_cap[r, c] > 0 and not on_vehicle[r, c]
            if uses_water:
                cool_max = min(cool_max, feedwater[r, c] * H_SUB_ICE / dt)
            evap_max = evap_kg_s[r, c] * (1.0 if fan_ok[r, c] else 0.0) if on else CABIN_EVAP_KG_S
            # a closed loop's open purge valve flushes dry O2 through the suit and overboard:
            # its water goes with it, not to the sublimator (an open loop's flow is its own
            # ventilation, in evap_max)
            free = 0.0
            if on and closed_loop[r, c] and purge_kg_s[r, c] > 0:
                free = lifesupport.purge_moisture_kg_s(purge_kg_s[r, c], p_set_Pa[r, c])
            exposed = 1.0 if on and outside[r, c] else 0.0
            env_W = (env_shadow[r, c] + sunlit * env_swing[r, c]) * exposed
            heat_in = met_W[r, c] + equip_W[r, c] + env_W
            h, cooling, sweat, evap, into_free = lifesupport.heat_step(
                heat_J[r, c], heat_in, cool_max, evap_max, dt, on and liquid[r, c], free
            )
            heat_J[r, c] = h
            heat_in_J[r, c] += heat_in * dt
            heat_out_J[r, c] += (cooling + evap * H_VAP_SWEAT) * dt
            sweat_kg[r, c] = sweat_kg[r, c] + sweat * dt
            before = feedwater[r, c] > 0
            # the sublimator's water first, then what leaks into the helmet, both from the tank
            sublimate = 0.0
            if uses_water:
                latent = (evap - into_free) * H_VAP_SWEAT  # the purge's share went overboard
                sublimate = min((cooling + latent) / H_SUB_ICE * dt, feedwater[r, c])
            feedwater[r, c] = feedwater[r, c] - sublimate
            # from the feedwater tank where the suit has one (EVA 23's water came from its
            # coolant loop); a suit without one is fed by an umbilical, which is not bounded
            if uses_water:
                leak = min(water_rate[r, c] * dt, feedwater[r, c])
                feedwater[r, c] = feedwater[r, c] - leak
            else:
                leak = water_rate[r, c] * dt * (1.0 if on else 0.0)
                external_water[r, c] += leak
            sublimated[r, c] += sublimate
            helmet_water[r, c] = helmet_water[r, c] + leak
            if not on and helmet_water[r, c] > 0:  # the helmet is off: its water taken out
                helmet_drained[r, c] += helmet_water[r, c]
                helmet_water[r, c] = 0.0
            cooling_out[r, c] = cooling
            fog_out[r, c] = 0.0
            if on:
                # the gas enters at the suit's inlet dew point: a closed loop's cooler
                # condenses its water, an open loop's bottled O2 is dry. A closed loop whose
                # cooling is lost keeps its water: the gas goes saturated (no capacity left),
                # unless an open purge flushes it with dry O2
                loop = evap_max if cool_max > 0 or not closed_loop[r, c] else 0.0
                p_in = vent_water_Pa[r, c] * loop / max(loop + free, 1e-12)
                load = lifesupport.respired_water_kg_s(met_W[r, c], p_in)
                if not helmet_first[r, c] or free > 0:  # a purge mixes the suit's gas
                    load += evap
                p_water = lifesupport.helmet_vapour_Pa(p_in, load, loop + free)
                # the visor's saturation: in shadow, full sun or a vessel (its walls) as
                # environment() computed it; in the penumbra, here
                at = 2 if not outside[r, c] else (0 if sunlit == 0.0 else 1)
                p_visor = saturation[at, r, c]
                if outside[r, c] and 0.0 < sunlit < 1.0:
                    sink = sink_shadow[r, c] + sunlit * sink_swing[r, c]
                    p_visor = lifesupport.visor_saturation_Pa(sink, visor_coupling[r, c])
                fog_out[r, c] = lifesupport.fog_index(p_water, p_visor)
            if before and not feedwater[r, c] > 0 and on and live[r, c]:
                flags[r, c] = flagged = True
                if np.isnan(feedwater_out_s[r, c]):
                    feedwater_out_s[r, c] = t
    return flagged


jit.register(_kernel, jit.ENGINE_NOTICE)
