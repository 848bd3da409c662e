"""Suit pressure and O2: the regulator holds the set pressure (or the low setting) while a
supply or the secondary reserve lasts; metabolism, leaks, holes and an open-loop purge draw
O2 from the backpack's primary store or the vehicle's umbilical store; without regulation
the suit gas decays through the leaks toward ambient."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...physics import gas
from ...physics.metabolism import o2_use_kg_s
from ...units import R_O2
from ...units import SUIT_GAS_T_K as SUIT_T_K
from ..events import Emit
from ..plan import Plan

O2_RATE_TAU_S = 300.0  # [s] smoothing of the O2 draw used for "time remaining"


@dataclass
class SuitGasState:
    p_suit_Pa: np.ndarray  # (R, C) absolute suit pressure (ambient when unsuited)
    low_mode: np.ndarray  # (R, C) the low pressure setting is in use
    o2_primary_kg: np.ndarray  # (R, C)
    o2_secondary_s: np.ndarray  # (R, C) reserve left, as time at the SOP rate
    o2_vehicle_kg: np.ndarray  # (R,) the store feeding the umbilicals
    o2_rate_kg_s: np.ndarray  # (R, C) smoothed draw
    primary_out_s: np.ndarray  # (R, C) when each store ran out (nan: never)
    secondary_out_s: np.ndarray
    vehicle_out_s: np.ndarray


@dataclass
class SuitGasOut:
    draw_kg_s: np.ndarray  # O2 drawn this step
    purge_kg_s: np.ndarray  # open-loop purge flow


def init(plan: Plan, p0_Pa: np.ndarray) -> SuitGasState:
    p = plan.crew
    R, C = p.o2_primary_kg.shape
    return SuitGasState(
        p_suit_Pa=p0_Pa.copy(),
        low_mode=np.zeros((R, C), dtype=bool),
        o2_primary_kg=p.o2_primary_kg.copy(),
        o2_secondary_s=p.o2_secondary_s.copy(),
        o2_vehicle_kg=plan.o2_store_kg.copy(),
        o2_rate_kg_s=np.zeros((R, C)),
        primary_out_s=np.full((R, C), np.nan),
        secondary_out_s=np.full((R, C), np.nan),
        vehicle_out_s=np.full((R, C), np.nan),
    )


def recharge(s: SuitGasState, plan: Plan, mask) -> SuitGasState:
    """Fresh O2 bottles between EVAs."""
    s.o2_primary_kg = np.where(mask, plan.crew.o2_primary_kg, s.o2_primary_kg)
    s.o2_secondary_s = np.where(mask, plan.crew.o2_secondary_s, s.o2_secondary_s)
    return s


def step(s: SuitGasState, plan: Plan, suited, met_W, p_amb, faults, live, t, dt):
    """``met_W`` metabolic rate, ``p_amb`` pressure around each crew member, ``faults`` the
    fault state (regulator, holes), ``live`` the crew and runs still going."""
    p = plan.crew
    umb = p.umbilical
    p_suit = s.p_suit_Pa
    supply_ok = np.where(umb, (s.o2_vehicle_kg > 0)[:, None], s.o2_primary_kg > 0)
    reserve_ok = s.o2_secondary_s > 0
    regulating = suited & ~faults.regulator_failed & (supply_ok | reserve_ok)
    setpoint = np.where(s.low_mode, p.p_low_Pa, p.p_set_Pa)
    o2_met = o2_use_kg_s(met_W)
    rho_suit = p_suit / (R_O2 * SUIT_T_K)
    leak = np.where(p_suit > p_amb, p.leak_m3_s * rho_suit, 0.0)
    if faults.any_leak:
        leak = leak + gas.orifice_mass_flow_kg_s(p_suit, p_amb, faults.hole_cdA_m2, R_O2, SUIT_T_K)
    purge = np.where(regulating, p.purge_kg_s, 0.0)
    draw = (o2_met + leak + purge) * suited
    mass_suit = gas.gas_mass_kg(p_suit, R_O2, SUIT_T_K, p.gas_volume_m3)
    p_free = gas.pressure_Pa(
        np.maximum(mass_suit - (leak + o2_met) * dt, 0.0), R_O2, SUIT_T_K, p.gas_volume_m3
    )
    s.p_suit_Pa = np.where(
        regulating,
        np.maximum(p_amb, setpoint),
        np.where(suited, np.maximum(p_free, p_amb), p_amb),
    )
    from_store = regulating & supply_ok
    use = np.where(from_store, draw * dt, 0.0)
    before_primary = s.o2_primary_kg > 0
    s.o2_primary_kg = np.where(
        from_store & ~umb, np.maximum(s.o2_primary_kg - use, 0.0), s.o2_primary_kg
    )
    s.o2_vehicle_kg = np.maximum(s.o2_vehicle_kg - np.where(umb, use, 0.0).sum(axis=1), 0.0)
    on_reserve = regulating & ~supply_ok
    before_secondary = s.o2_secondary_s > 0
    s.o2_secondary_s = np.where(
        on_reserve, np.maximum(s.o2_secondary_s - dt, 0.0), s.o2_secondary_s
    )
    s.o2_rate_kg_s += (draw - s.o2_rate_kg_s) * (dt / O2_RATE_TAU_S)

    events: list[Emit] = []
    out1 = before_primary & ~(s.o2_primary_kg > 0) & suited & live
    if np.count_nonzero(out1):
        s.primary_out_s = np.where(out1 & np.isnan(s.primary_out_s), t, s.primary_out_s)
        events.append(Emit("o2-primary-exhausted", t, out1))
        events.append(Emit("switched-to-secondary", t, out1 & (s.o2_secondary_s > 0)))
    out2 = before_secondary & ~(s.o2_secondary_s > 0) & suited & live
    if np.count_nonzero(out2):
        s.secondary_out_s = np.where(out2 & np.isnan(s.secondary_out_s), t, s.secondary_out_s)
        events.append(Emit("o2-secondary-exhausted", t, out2))
    veh_out = (
        (s.o2_vehicle_kg <= 0) & np.isnan(s.vehicle_out_s).all(axis=1) & (plan.o2_store_kg > 0)
    )
    if np.count_nonzero(veh_out):
        s.vehicle_out_s[veh_out] = np.where(umb[veh_out], t, np.nan)
        events.append(Emit("o2-vehicle-exhausted", t, runs=np.nonzero(veh_out)[0]))
    return s, events, SuitGasOut(draw, purge)


def o2_time_min(s: SuitGasState, plan: Plan, suited) -> np.ndarray:
    """Time the O2 lasts at the recent rate: the supply, then the secondary reserve; a
    vehicle store is shared by every umbilical drawing on it."""
    umb = plan.crew.umbilical
    supply_kg = np.where(umb, s.o2_vehicle_kg[:, None], s.o2_primary_kg)
    umb_rate = np.where(umb, s.o2_rate_kg_s, 0.0).sum(axis=1, keepdims=True)
    rate = np.where(umb, umb_rate, s.o2_rate_kg_s)
    o2_time = (
        np.where(rate > 0, supply_kg / np.maximum(rate, 1e-12) / 60.0, np.inf)
        + s.o2_secondary_s / 60.0
    )
    return np.where(suited, o2_time, np.inf)
