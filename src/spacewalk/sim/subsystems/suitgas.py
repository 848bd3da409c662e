"""Suit pressure and O2 as gas masses: the suit's gas leaves through its leaks and holes
(choked to vacuum outside) and by metabolism and an open-loop purge; a two-stage regulator
refills it from the primary store (or the vehicle's, on an umbilical) up to its maximum
flow, and the secondary store adds up to its own when that is not enough
(:func:`spacewalk.physics.lifesupport.regulated_mass_step`). A leak the two cannot match
makes the pressure fall to the equilibrium flow physics gives; without regulation the gas
decays toward ambient."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...physics import gas, lifesupport
from ...physics.metabolism import o2_use_kg_s
from ...units import PA_PER_PSI, R_O2
from ...units import SUIT_GAS_T_K as SUIT_T_K
from ..events import Emit
from ..plan import Plan

O2_RATE_TAU_S = 300.0  # [s] smoothing of the O2 draw used for "time remaining"
SET_MARGIN_PA = 0.1 * PA_PER_PSI  # a suit is "below its set pressure" 0.1 psi under it
BELOW_PA = (3.5 * PA_PER_PSI, 2.5 * PA_PER_PSI)  # the 3.5 and 2.5 psi marks


@dataclass
class SuitGasState:
    p_suit_Pa: np.ndarray  # (R, C) absolute suit pressure (ambient when unsuited)
    low_mode: np.ndarray  # (R, C) the low pressure setting is in use
    o2_primary_kg: np.ndarray  # (R, C)
    o2_secondary_kg: np.ndarray  # (R, C) secondary (emergency) O2 left
    o2_vehicle_kg: np.ndarray  # (R,) the store feeding the umbilicals
    o2_rate_kg_s: np.ndarray  # (R, C) smoothed draw
    on_secondary: np.ndarray  # (R, C) the secondary has flowed (its event is logged)
    purge_open: np.ndarray  # (R, C) the purge valve is open (a flight rule's action)
    below_s: np.ndarray  # (3, R, C) first time below the set pressure, 3.5 and 2.5 psi (nan)
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
        o2_secondary_kg=p.o2_secondary_s * p.secondary_kg_s,
        o2_vehicle_kg=plan.o2_store_kg.copy(),
        o2_rate_kg_s=np.zeros((R, C)),
        on_secondary=np.zeros((R, C), dtype=bool),
        purge_open=np.zeros((R, C), dtype=bool),
        below_s=np.full((3, R, C), np.nan),
        primary_out_s=np.full((R, C), np.nan),
        secondary_out_s=np.full((R, C), np.nan),
        vehicle_out_s=np.full((R, C), np.nan),
    )


def recharge(s: SuitGasState, plan: Plan, mask) -> SuitGasState:
    """Fresh O2 bottles between EVAs."""
    s.o2_primary_kg = np.where(mask, plan.crew.o2_primary_kg, s.o2_primary_kg)
    p = plan.crew
    s.o2_secondary_kg = np.where(mask, p.o2_secondary_s * p.secondary_kg_s, s.o2_secondary_kg)
    s.on_secondary &= ~mask
    s.purge_open &= ~mask
    return s


def step(s: SuitGasState, plan: Plan, suited, met_W, p_amb, faults, live, t, dt, umb=None):
    """``met_W`` metabolic rate, ``p_amb`` pressure around each crew member, ``faults`` the
    fault state (regulator, holes), ``live`` the crew and runs still going, ``umb`` (R, C)
    the suits on the vehicle's O2 (an umbilical, or a vessel's service umbilical; default:
    the umbilical suits)."""
    p = plan.crew
    umb = p.umbilical if umb is None else umb
    V, RT = p.gas_volume_m3, R_O2 * SUIT_T_K
    m = s.p_suit_Pa * V / RT
    m_amb = p_amb * V / RT
    regulating = suited & ~faults.regulator_failed
    # the regulator's own setting; an ambient above it compresses the soft suit to ambient
    # without gas added (the suit's volume gives, its gas mass does not change)
    setpoint = np.where(s.low_mode, p.p_low_Pa, p.p_set_Pa)
    o2_met = o2_use_kg_s(met_W) * suited
    # an open-loop purge suit's flow, or a scrubber suit's purge valve opened at the
    # secondary's design flow (the EMU's SOP is sized for its 30 min in purge, H)
    purge = np.where(regulating, p.purge_kg_s + s.purge_open * p.secondary_kg_s, 0.0)
    # outflow rate constant: the nominal leak (a volume flow at suit pressure) and holes
    k_out = np.where(s.p_suit_Pa > p_amb, p.leak_m3_s / V, 0.0)
    if faults.any_leak:
        hole = gas.orifice_mass_flow_kg_s(s.p_suit_Pa, p_amb, faults.hole_cdA_m2, R_O2, SUIT_T_K)
        k_out = k_out + hole / np.maximum(m - m_amb, 1e-12)
    supply_kg = s.o2_primary_kg
    if plan.any_umbilical:  # the vehicle's store, shared by the umbilicals drawing on it
        share = s.o2_vehicle_kg[:, None] / np.maximum(umb.sum(axis=1, keepdims=True), 1)
        supply_kg = np.where(umb, share, supply_kg)
    primary_max = np.where(regulating, np.minimum(p.reg_max_kg_s, supply_kg / dt), 0.0)
    secondary_max = np.where(regulating, np.minimum(p.secondary_kg_s, s.o2_secondary_kg / dt), 0.0)
    m_new, fp, fs = lifesupport.regulated_mass_step(
        m, setpoint * V / RT, m_amb, k_out, o2_met + purge, primary_max, secondary_max, dt
    )
    s.p_suit_Pa = np.where(suited, np.maximum(m_new * RT / V, p_amb), p_amb)
    fp, fs = fp * suited, fs * suited
    low = suited & live & (s.p_suit_Pa < setpoint - SET_MARGIN_PA)
    if np.count_nonzero(low):
        for k, limit in enumerate((setpoint - SET_MARGIN_PA, *BELOW_PA)):
            hit = low & (s.p_suit_Pa < limit) & np.isnan(s.below_s[k])
            s.below_s[k] = np.where(hit, t, s.below_s[k])
    draw = fp + fs
    before_primary = s.o2_primary_kg > 0
    s.o2_primary_kg = np.where(umb, s.o2_primary_kg, np.maximum(s.o2_primary_kg - fp * dt, 0.0))
    if plan.any_umbilical:
        s.o2_vehicle_kg = np.maximum(s.o2_vehicle_kg - np.where(umb, fp * dt, 0.0).sum(axis=1), 0.0)
    before_secondary = s.o2_secondary_kg > 0
    s.o2_secondary_kg = np.maximum(s.o2_secondary_kg - fs * dt, 0.0)
    # the recent rate, seeded with the first draw (a filter from zero would project days of
    # O2 left in the first minutes after suit-up)
    fresh = suited & (s.o2_rate_kg_s == 0.0)
    s.o2_rate_kg_s = np.where(
        fresh, draw, s.o2_rate_kg_s + (draw - s.o2_rate_kg_s) * (dt / O2_RATE_TAU_S)
    )
    on_secondary = (fs > 0) & ~s.on_secondary

    events: list[Emit] = []
    out1 = before_primary & ~(s.o2_primary_kg > 0) & suited & live
    if np.count_nonzero(out1):
        s.primary_out_s = np.where(out1 & np.isnan(s.primary_out_s), t, s.primary_out_s)
        events.append(Emit("o2-primary-exhausted", t, out1))
    if np.count_nonzero(on_secondary & live):
        events.append(Emit("switched-to-secondary", t, on_secondary & live))
    s.on_secondary |= fs > 0
    out2 = before_secondary & ~(s.o2_secondary_kg > 0) & suited & live
    if np.count_nonzero(out2):
        s.secondary_out_s = np.where(out2 & np.isnan(s.secondary_out_s), t, s.secondary_out_s)
        events.append(Emit("o2-secondary-exhausted", t, out2))
    veh_out = (
        (s.o2_vehicle_kg <= 0) & np.isnan(s.vehicle_out_s).all(axis=1) & (plan.o2_store_kg > 0)
        if plan.any_umbilical
        else ()
    )
    if np.count_nonzero(veh_out):
        s.vehicle_out_s[veh_out] = np.where(umb[veh_out], t, np.nan)
        events.append(Emit("o2-vehicle-exhausted", t, runs=np.nonzero(veh_out)[0]))
    return s, events, SuitGasOut(draw, purge)


def secondary_min(s: SuitGasState, plan: Plan) -> np.ndarray:
    """The secondary O2 left, as minutes at its design flow (the EMU SOP's 30 min)."""
    flow = plan.crew.secondary_kg_s
    return np.where(flow > 0, s.o2_secondary_kg / np.where(flow > 0, flow, 1.0) / 60.0, 0.0)


def o2_time_min(s: SuitGasState, plan: Plan, suited, umb=None) -> np.ndarray:
    """Time the O2 lasts at the recent rate: the supply, then the secondary reserve; a
    vehicle store is shared by every umbilical drawing on it (``umb``: the suits on an
    intact umbilical, default every umbilical suit)."""
    umb = plan.crew.umbilical if umb is None else umb
    supply_kg = np.where(umb, s.o2_vehicle_kg[:, None], s.o2_primary_kg)
    umb_rate = np.where(umb, s.o2_rate_kg_s, 0.0).sum(axis=1, keepdims=True)
    rate = np.where(umb, umb_rate, s.o2_rate_kg_s)
    o2_time = np.where(
        rate > 0, supply_kg / np.maximum(rate, 1e-12) / 60.0, np.inf
    ) + secondary_min(s, plan)
    return np.where(suited, o2_time, np.inf)
