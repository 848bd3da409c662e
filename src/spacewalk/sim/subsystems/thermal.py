"""Heat and water: metabolic, equipment and environment heat against the suit's cooling
(liquid loop on a sublimator, or gas cooling), body heat storage both ways and sweat,
sublimator feedwater, water intrusion into the helmet and visor fogging. Unsuited crew are
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

from ...physics import lifesupport
from ...units import H_SUB_ICE, H_VAP_SWEAT
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


def environment(plan: Plan) -> tuple[np.ndarray, np.ndarray]:
    """Environment heat leak [W] of each suit in shadow, and its swing from shadow to sun."""
    p = plan.crew
    sun = lifesupport.environment_heat_W(1.0, p.absorptance, p.emittance, p.insulation_W_K)
    shadow = lifesupport.environment_heat_W(0.0, p.absorptance, p.emittance, p.insulation_W_K)
    return shadow, sun - shadow


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
):
    """``env`` from :func:`environment`; ``sunlit`` the lit fraction of the Sun's disc;
    ``on_vehicle`` (R, C) the suits whose cooling water comes from the vehicle (a service
    umbilical: the sublimator and its feedwater are not used)."""
    p = plan.crew
    on_vehicle = p.umbilical if on_vehicle is None else on_vehicle
    env_shadow, env_swing = env
    sublimator_ok = (s.feedwater_kg > 0) | (p.feedwater_kg == 0) | on_vehicle
    liquid_ok = ~p.liquid | fan_ok
    cool_max = np.where(
        suited,
        p.cooling_W * faults.cooling_factor * sublimator_ok * liquid_ok,
        CABIN_COOLING_W,
    )
    # a sublimator cannot remove more heat than the water it has left can carry away
    uses_water = suited & (p.feedwater_kg > 0) & ~on_vehicle
    cool_max = np.where(uses_water, np.minimum(cool_max, s.feedwater_kg * H_SUB_ICE / dt), cool_max)
    evap_max = np.where(suited, p.evap_kg_s * fan_ok, CABIN_EVAP_KG_S)
    env_W = (env_shadow + sunlit * env_swing) * (suited & outside)
    heat_in = met_W + equip_W + env_W
    s.heat_J, cooling, sweat, evap = lifesupport.heat_step(
        s.heat_J, heat_in, cool_max, evap_max, dt, latent_shares=suited & p.liquid
    )
    s.heat_in_J += heat_in * dt
    s.heat_out_J += (cooling + evap * H_VAP_SWEAT) * dt
    s.sweat_kg = s.sweat_kg + sweat * dt
    before = s.feedwater_kg > 0
    # the sublimator's water first, then what leaks into the helmet, both from the tank
    sublimate = np.where(
        uses_water,
        np.minimum((cooling + evap * H_VAP_SWEAT) / H_SUB_ICE * dt, s.feedwater_kg),
        0.0,
    )
    s.feedwater_kg = s.feedwater_kg - sublimate
    # from the feedwater tank where the suit has one (EVA 23's water came from its coolant
    # loop); a suit without one is fed by an umbilical, whose supply the model does not bound
    tank_leak = np.minimum(faults.water_rate_kg_s * dt, s.feedwater_kg)
    leak = np.where(uses_water, tank_leak, faults.water_rate_kg_s * dt * suited)
    s.feedwater_kg = s.feedwater_kg - np.where(uses_water, leak, 0.0)
    s.external_water_kg += np.where(uses_water, 0.0, leak)
    s.sublimated_kg += sublimate
    s.helmet_water_kg = s.helmet_water_kg + leak
    off = ~suited & (s.helmet_water_kg > 0)  # the helmet is off: its water is taken out
    s.helmet_drained_kg += np.where(off, s.helmet_water_kg, 0.0)
    s.helmet_water_kg = np.where(off, 0.0, s.helmet_water_kg)
    fog = lifesupport.fog_index(sweat, evap_max) * suited
    events: list[Emit] = []
    out = before & ~(s.feedwater_kg > 0) & suited & live
    if np.count_nonzero(out):
        s.feedwater_out_s = np.where(out & np.isnan(s.feedwater_out_s), t, s.feedwater_out_s)
        events.append(Emit("feedwater-exhausted", t, out))
    return s, events, ThermalOut(cooling, fog)
