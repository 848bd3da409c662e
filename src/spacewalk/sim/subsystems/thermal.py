"""Heat and water: metabolic, equipment and environment heat against the suit's cooling
(liquid loop on a sublimator, or gas cooling), body heat storage and sweat, sublimator
feedwater, water intrusion into the helmet and visor fogging. Unsuited crew are cooled by
the cabin."""

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


@dataclass
class ThermalOut:
    cooling_W: np.ndarray
    fog_index: np.ndarray


def init(plan: Plan) -> ThermalState:
    p = plan.crew
    R, C = p.feedwater_kg.shape
    return ThermalState(
        np.zeros((R, C)),
        np.zeros((R, C)),
        p.feedwater_kg.copy(),
        np.zeros((R, C)),
        np.full((R, C), np.nan),
    )


def recharge(s: ThermalState, plan: Plan, mask) -> ThermalState:
    """A full feedwater tank between EVAs."""
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
):
    """``env`` from :func:`environment`; ``sunlit`` the lit fraction of the Sun's disc."""
    p = plan.crew
    env_shadow, env_swing = env
    sublimator_ok = (s.feedwater_kg > 0) | (p.feedwater_kg == 0)
    liquid_ok = ~p.liquid | fan_ok
    cool_max = np.where(
        suited,
        p.cooling_W * faults.cooling_factor * sublimator_ok * liquid_ok,
        CABIN_COOLING_W,
    )
    evap_max = np.where(suited, p.evap_kg_s * fan_ok, CABIN_EVAP_KG_S)
    env_W = (env_shadow + sunlit * env_swing) * (suited & outside)
    s.heat_J, cooling, sweat, evap = lifesupport.heat_step(
        s.heat_J, met_W + equip_W + env_W, cool_max, evap_max, dt
    )
    s.sweat_kg = s.sweat_kg + sweat * dt
    water_rate = faults.water_rate_kg_s
    uses_water = suited & (p.feedwater_kg > 0)
    water_use = (cooling + evap * H_VAP_SWEAT) / H_SUB_ICE + water_rate
    before = s.feedwater_kg > 0
    s.feedwater_kg = np.where(
        uses_water, np.maximum(s.feedwater_kg - water_use * dt, 0.0), s.feedwater_kg
    )
    s.helmet_water_kg = s.helmet_water_kg + water_rate * dt * suited
    fog = lifesupport.fog_index(sweat, evap_max) * suited
    events: list[Emit] = []
    out = before & ~(s.feedwater_kg > 0) & suited & live
    if np.count_nonzero(out):
        s.feedwater_out_s = np.where(out & np.isnan(s.feedwater_out_s), t, s.feedwater_out_s)
        events.append(Emit("feedwater-exhausted", t, out))
    return s, events, ThermalOut(cooling, fog)
