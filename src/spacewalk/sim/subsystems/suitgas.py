"""Suit pressure and O2 as gas masses: the suit's gas leaves through its leaks and holes
(choked to vacuum outside) and by metabolism and an open-loop purge; a two-stage regulator
refills it from the primary store (or the vehicle's, on an umbilical) up to its maximum
flow, and the secondary store adds up to its own when that is not enough
(:func:`spacewalk.physics.lifesupport.regulated_mass_step`). A leak the two cannot match
makes the pressure fall to the equilibrium flow physics gives. A ``regulator-failure`` fault
stops the primary stage: the secondary, where the suit has one (the EMU's SOP, the Orlan's
reserve, Gemini's ELSS), holds the suit alone while its O2 lasts; without either the gas
decays toward ambient."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from ...physics import gas, jit, lifesupport
from ...physics.metabolism import o2_use_kg_s
from ...units import PA_PER_PSI, R_O2
from ...units import SUIT_GAS_T_K as SUIT_T_K
from ..arrays import as_bool, as_f64, every_run
from ..events import Emit
from ..plan import Plan

O2_RATE_TAU_S = 300.0  # [s] smoothing of the O2 draw used for "time remaining"
SET_MARGIN_PA = 0.1 * PA_PER_PSI  # a suit is "below its set pressure" 0.1 psi under it
BELOW_PA = np.array([3.5 * PA_PER_PSI, 2.5 * PA_PER_PSI])  # the 3.5 and 2.5 psi marks


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
    the umbilical suits). One compiled kernel (:func:`_kernel`) over every run and crew
    member; the events it flags are logged here."""
    p = plan.crew
    shape = p.o2_primary_kg.shape
    umb = p.umbilical if umb is None else umb
    draw, purge = np.empty(shape), np.empty(shape)
    flags = np.zeros(
        (4, *shape), dtype=np.bool_
    )  # primary out, on secondary, secondary out, vehicle
    any_flag = run(
        s, plan, as_bool(suited, shape), as_f64(met_W, shape), as_f64(p_amb, shape),
        as_bool(faults.regulator_failed, shape), as_f64(faults.hole_cdA_m2, shape),
        bool(faults.any_leak), as_bool(live, shape), as_bool(umb, shape), t, dt, draw, purge,
        flags,
    )  # fmt: skip
    return s, flag_events(flags, t) if any_flag else [], SuitGasOut(draw, purge)


def run(
    s: SuitGasState, plan: Plan, suited, met_W, p_amb, regulator_failed, hole_cdA, any_leak,
    live, umb, t, dt, draw, purge, flags, busy=None,
) -> bool:  # fmt: skip
    """The kernel on (R, C) arrays of its dtypes (the engine's own buffers: nothing is
    converted), ``draw`` and ``purge`` [kg/s] and ``flags`` (4, R, C) filled in; returns
    whether any event is flagged (:func:`flag_events`)."""
    p = plan.crew
    jit.about_to_run(_kernel, jit.ENGINE_NOTICE)
    return _kernel(
        s.p_suit_Pa, s.low_mode, s.o2_primary_kg, s.o2_secondary_kg, s.o2_vehicle_kg,
        s.o2_rate_kg_s, s.on_secondary, s.purge_open, s.below_s, s.primary_out_s,
        s.secondary_out_s, s.vehicle_out_s,
        p.gas_volume_m3, p.p_low_Pa, p.p_set_Pa, p.purge_kg_s, p.secondary_kg_s, p.leak_m3_s,
        p.reg_max_kg_s, plan.o2_store_kg,
        suited, met_W, p_amb, regulator_failed, hole_cdA, live, umb,
        bool(any_leak), bool(plan.any_umbilical), float(t), float(dt), draw, purge, flags,
        every_run(busy, plan.runs),
    )  # fmt: skip


# the events of the kernel's flags: a crew member's (rows 0-2), a run's vehicle O2 (row 3)
FLAG_CODES = (
    "o2-primary-exhausted", "switched-to-secondary", "o2-secondary-exhausted",
    "o2-vehicle-exhausted",
)  # fmt: skip


def flag_events(flags, t) -> list[Emit]:
    """The events of the kernel's ``flags`` (4, R, C), which are cleared."""
    events: list[Emit] = []
    for k, code in enumerate(FLAG_CODES[:3]):
        if flags[k].any():
            events.append(Emit(code, t, flags[k].copy()))
    veh_out = flags[3].any(axis=1)
    if veh_out.any():
        events.append(Emit(FLAG_CODES[3], t, runs=np.nonzero(veh_out)[0]))
    flags[:] = False
    return events


RT_SUIT = R_O2 * SUIT_T_K


@njit(cache=True, error_model="numpy", fastmath=jit.ARCP)
def _kernel(
    p_suit, low_mode, o2_primary, o2_secondary, o2_vehicle, o2_rate, on_secondary, purge_open,
    below_s, primary_out_s, secondary_out_s, vehicle_out_s,
    V_m3, p_low, p_set, purge_kg_s, secondary_kg_s, leak_m3_s, reg_max, o2_store_kg,
    suited, met_W, p_amb, regulator_failed, hole_cdA, live, umb, any_leak, any_umbilical, t, dt,
    draw, purge, flags, busy,
):  # fmt: skip
    """The suit gas step of every run and crew member, in place (see the module's text):
    the gas mass under the two-stage regulator (:func:`lifesupport.regulated_mass_step`),
    the stores, the recent O2 rate and the first times below the marks.
    ``flags`` (4, R, C) marks the events; returns whether any is marked."""
    R, C = p_suit.shape
    flagged = False
    for r in range(R):
        if not busy[r]:
            continue  # the run is over: it stays as it ended (sim.stretch.all_over)
        n_umb = 0
        for c in range(C):
            n_umb += umb[r, c]
        share = o2_vehicle[r] / max(n_umb, 1)
        vehicle_fp = 0.0
        for c in range(C):
            on = 1.0 if suited[r, c] else 0.0
            V = V_m3[r, c]
            m = p_suit[r, c] * V / RT_SUIT
            m_amb = p_amb[r, c] * V / RT_SUIT
            # a failed regulator is the primary's: the secondary stage (the EMU's SOP) has
            # its own and still holds the suit, while its O2 lasts
            primary_on = suited[r, c] and not regulator_failed[r, c]
            setpoint = p_low[r, c] if low_mode[r, c] else p_set[r, c]
            o2_met = o2_use_kg_s(met_W[r, c]) * on
            pg = 0.0
            if primary_on:  # an open-loop suit's continuous purge comes from the primary
                pg = purge_kg_s[r, c]
            # an open purge valve is the secondary's purge mode: its design flow, while its O2
            # lasts, drawn from its store past the regulators, which still hold the suit
            # (the SOP's 30 minutes are rated in this mode)
            valve = 0.0
            if suited[r, c] and purge_open[r, c]:
                valve = min(secondary_kg_s[r, c], o2_secondary[r, c] / dt)
            k_out = leak_m3_s[r, c] / V if p_suit[r, c] > p_amb[r, c] else 0.0
            if any_leak:
                hole = gas.orifice_mass_flow_kg_s(
                    p_suit[r, c], p_amb[r, c], hole_cdA[r, c], R_O2, SUIT_T_K
                )
                k_out = k_out + hole / max(m - m_amb, 1e-12)
            supply = o2_primary[r, c]
            if any_umbilical and umb[r, c]:
                supply = share
            primary_max, secondary_max = 0.0, 0.0
            if primary_on:
                primary_max = min(reg_max[r, c], supply / dt)
            if suited[r, c]:
                secondary_max = min(secondary_kg_s[r, c], o2_secondary[r, c] / dt - valve)
            m_new, fp, fs = lifesupport.regulated_mass_step(
                m, setpoint * V / RT_SUIT, m_amb, k_out, o2_met + pg, primary_max, secondary_max, dt
            )
            fs += valve
            pg += valve
            p_new = max(m_new * RT_SUIT / V, p_amb[r, c]) if suited[r, c] else p_amb[r, c]
            p_suit[r, c] = p_new
            fp, fs = fp * on, fs * on
            if suited[r, c] and live[r, c] and p_new < setpoint - SET_MARGIN_PA:
                for k in range(3):
                    limit = setpoint - SET_MARGIN_PA if k == 0 else BELOW_PA[k - 1]
                    if p_new < limit and np.isnan(below_s[k, r, c]):
                        below_s[k, r, c] = t
            d = fp + fs
            draw[r, c], purge[r, c] = d, pg
            before_primary = o2_primary[r, c] > 0
            if not umb[r, c]:
                o2_primary[r, c] = max(o2_primary[r, c] - fp * dt, 0.0)
            else:
                vehicle_fp += fp * dt
            before_secondary = o2_secondary[r, c] > 0
            o2_secondary[r, c] = max(o2_secondary[r, c] - fs * dt, 0.0)
            # the recent rate, seeded with the first draw (a filter from zero would project
            # days of O2 left in the first minutes after suit-up)
            if suited[r, c] and o2_rate[r, c] == 0.0:
                o2_rate[r, c] = d
            else:
                o2_rate[r, c] = o2_rate[r, c] + (d - o2_rate[r, c]) * (dt / O2_RATE_TAU_S)
            ok = suited[r, c] and live[r, c]
            if ok and before_primary and not o2_primary[r, c] > 0:
                flags[0, r, c] = flagged = True
                if np.isnan(primary_out_s[r, c]):
                    primary_out_s[r, c] = t
            if fs > 0 and not on_secondary[r, c] and live[r, c]:
                flags[1, r, c] = flagged = True
            if fs > 0:
                on_secondary[r, c] = True
            if ok and before_secondary and not o2_secondary[r, c] > 0:
                flags[2, r, c] = flagged = True
                if np.isnan(secondary_out_s[r, c]):
                    secondary_out_s[r, c] = t
        if any_umbilical:
            o2_vehicle[r] = max(o2_vehicle[r] - vehicle_fp, 0.0)
            if o2_vehicle[r] <= 0 and o2_store_kg[r] > 0:
                never = True
                for c in range(C):
                    never = never and np.isnan(vehicle_out_s[r, c])
                if never:
                    for c in range(C):
                        vehicle_out_s[r, c] = t if umb[r, c] else np.nan
                    flags[3, r, 0] = flagged = True
    return flagged


jit.register(_kernel, jit.ENGINE_NOTICE)


def secondary_min(s: SuitGasState, plan: Plan) -> np.ndarray:
    """The secondary O2 left, as minutes at its design flow (the EMU SOP's 30 min)."""
    flow = plan.crew.secondary_kg_s
    return np.where(flow > 0, s.o2_secondary_kg / np.where(flow > 0, flow, 1.0) / 60.0, 0.0)


def o2_time_min(s: SuitGasState, plan: Plan, suited, umb=None, secondary=None) -> np.ndarray:
    """Time the O2 lasts at the recent rate: the supply, then the secondary reserve; a
    vehicle store is shared by every umbilical drawing on it (``umb``: the suits on an
    intact umbilical, default every umbilical suit; ``secondary``: :func:`secondary_min`
    when the caller has it)."""
    umb = plan.crew.umbilical if umb is None else umb
    supply_kg = np.where(umb, s.o2_vehicle_kg[:, None], s.o2_primary_kg)
    umb_rate = np.where(umb, s.o2_rate_kg_s, 0.0).sum(axis=1, keepdims=True)
    rate = np.where(umb, umb_rate, s.o2_rate_kg_s)
    o2_time = np.where(rate > 0, supply_kg / np.maximum(rate, 1e-12) / 60.0, np.inf) + (
        secondary_min(s, plan) if secondary is None else secondary
    )
    return np.where(suited, o2_time, np.inf)
