"""Vessels: the cabin, airlocks and other locks as isothermal gas volumes
(:mod:`spacewalk.physics.gas`).

A vessel vents through its valve while a crew member inside it depresses, through its open
EVA hatch to vacuum, and is repressurised at its set mass flow up to the highest target
asked for, mixing the repress gas into its O2 fraction. Inner hatches between vessels are
closed: crew pass them only once the pressures on both sides are equal, and a crew member
waiting to pass opens the hatch's equalisation valve, which moves gas from the higher to the
lower pressure through the lock's valve (choked or subsonic), the mass conserved and the O2
fractions mixed (the Quest airlock's hatches have such valves, reference-data 8).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from ...physics import gas, jit
from ...units import DISCHARGE_CD, gas_constant
from ..arrays import as_bool, as_f64, every_run
from ..plan import Plan


@dataclass
class VesselState:
    m_kg: np.ndarray  # (R, V) gas mass
    o2_fraction: np.ndarray  # (R, V)
    R_J_kgK: np.ndarray  # (R, V) specific gas constant of the mix
    # the gas balance: what each vessel has vented to space and taken in by repress [kg]
    # (equalisation only moves gas between vessels)
    vented_kg: np.ndarray  # (R, V)
    added_kg: np.ndarray  # (R, V)


def init(plan: Plan) -> VesselState:
    v = plan.vessel
    R_v = gas_constant(v.o2_fraction)
    return VesselState(
        m_kg=gas.gas_mass_kg(v.p0_Pa, R_v, v.T_K, v.volume_m3),
        o2_fraction=v.o2_fraction.copy(),
        R_J_kgK=R_v,
        vented_kg=np.zeros_like(v.p0_Pa),
        added_kg=np.zeros_like(v.p0_Pa),
    )


def pressure_Pa(s: VesselState, plan: Plan) -> np.ndarray:
    v = plan.vessel
    return gas.pressure_Pa(s.m_kg, s.R_J_kgK, v.T_K, v.volume_m3)


def step(
    s: VesselState, plan: Plan, vloc, depress, repress_asked, target_Pa, hatch_open, dt,
    equalise_to=None,
):  # fmt: skip
    """One step of every vessel. ``vloc`` (R, C) is the vessel around each crew member;
    ``depress`` and ``repress_asked`` (R, C) who asks their vessel to vent or fill, to
    ``target_Pa``; ``hatch_open`` (R, V) each vessel's EVA hatch to vacuum; ``equalise_to``
    (R, C) the vessel on the other side of the inner hatch whose equalisation valve each
    crew member opens (-1 or None: none). One compiled kernel (:func:`_kernel`) over every
    run and vessel."""
    run(s, plan, vloc, depress, repress_asked, target_Pa, hatch_open, dt, equalise_to,
        np.empty(s.m_kg.shape))  # fmt: skip
    return s, []


def run(
    s, plan, vloc, depress, repress_asked, target_Pa, hatch_open, dt, equalise_to, p_out,
    busy=None,
):  # fmt: skip
    """:func:`step` into the engine's buffer ``p_out`` (R, V): the vessels' pressures after
    the step, :func:`pressure_Pa` element for element."""
    v = plan.vessel
    shape = vloc.shape
    if equalise_to is None:
        equalise_to = np.full(shape, -1, dtype=np.int64)
    jit.about_to_run(_kernel, jit.ENGINE_NOTICE)
    _kernel(
        s.m_kg, s.o2_fraction, s.R_J_kgK, s.vented_kg, s.added_kg,
        v.volume_m3, v.vent_cdA_m2, v.T_K, v.hatch_diameter_m, v.repress_kg_s,
        v.repress_o2_fraction,
        np.ascontiguousarray(vloc, dtype=np.int64), as_bool(depress, shape),
        as_bool(repress_asked, shape), as_f64(target_Pa, shape),
        as_bool(hatch_open, s.m_kg.shape), float(dt),
        v.inside, np.ascontiguousarray(equalise_to, dtype=np.int64), p_out,
        every_run(busy, plan.runs),
    )  # fmt: skip


HATCH_CD_PI = DISCHARGE_CD * np.pi  # an open hatch: C_d A = this d^2 / 4


@njit(cache=True, error_model="numpy", fastmath=jit.ARCP)
def _kernel(
    m_kg, o2_fraction, R_J_kgK, vented_kg, added_kg,
    volume_m3, vent_cdA_m2, T_K, hatch_d_m, repress_kg_s, repress_fo2,
    vloc, depress, repress_asked, target_Pa, hatch_open, dt, inside, equalise_to, p_out, busy,
):  # fmt: skip
    """Venting through the valve (asked by a crew member inside) and through the open EVA
    hatch (:func:`spacewalk.physics.gas.vent_step`, exact for choked isothermal flow), and
    repress at the set flow up to the highest target asked, mixing the O2 fraction
    (:func:`~spacewalk.physics.gas.mix_o2_fraction`); in place, the gas vented and added
    summed into ``vented_kg`` and ``added_kg``; the pressures after into ``p_out``."""
    R, V = m_kg.shape
    C = vloc.shape[1]
    for r in range(R):
        for v in range(V if busy[r] else 0):  # (a run that is over: no gas moves)
            vent, repress, tgt = False, False, 0.0
            for c in range(C):
                if vloc[r, c] == v:
                    vent = vent or depress[r, c]
                    if repress_asked[r, c]:
                        repress = True
                        tgt = max(tgt, target_Pa[r, c])
            vent = vent and not hatch_open[r, v]
            repress = repress and not hatch_open[r, v]
            m, Rg, T, vol = m_kg[r, v], R_J_kgK[r, v], T_K[r, v], volume_m3[r, v]
            m_before = m
            # (a vessel open to vacuum is soon empty: no gas, no vent to work out)
            if vent and m != 0.0:
                m = gas.vent_step(m, vol, vent_cdA_m2[r, v], Rg, T, dt)
            if hatch_open[r, v] and m != 0.0:
                m = gas.vent_step(m, vol, HATCH_CD_PI * hatch_d_m[r, v] ** 2 / 4, Rg, T, dt)
            vented_kg[r, v] += m_before - m
            add = repress_kg_s[r, v] * dt if repress else 0.0
            if add != 0.0:
                fo2 = o2_fraction[r, v]
                fo2_new = gas.mix_o2_fraction(m, fo2, add, repress_fo2[r, v])
                m_cap = tgt * volume_m3[r, v] / (_gas_constant(fo2_new) * T_K[r, v])
                add = max(min(add, m_cap - m), 0.0)
                if add > 0:
                    o2_fraction[r, v] = gas.mix_o2_fraction(m, fo2, add, repress_fo2[r, v])
                    R_J_kgK[r, v] = _gas_constant(o2_fraction[r, v])
                m = m + add
                added_kg[r, v] += add
            m_kg[r, v] = m
        for c in range(C if busy[r] else 0):  # inner hatches' equalising valves, a pair once
            a, b = vloc[r, c], equalise_to[r, c]
            if b < 0 or a < 0:
                continue
            seen = False
            for c2 in range(c):
                a2, b2 = vloc[r, c2], equalise_to[r, c2]
                seen = seen or (a2 == a and b2 == b) or (a2 == b and b2 == a)
            if not seen:
                lock = b if inside[b] == a else a
                _equalise(m_kg, o2_fraction, R_J_kgK, volume_m3, T_K, r, a, b,
                          vent_cdA_m2[r, lock], dt)  # fmt: skip
        for v in range(V):  # the pressures after the step (gas.pressure_Pa's arithmetic)
            p_out[r, v] = m_kg[r, v] * R_J_kgK[r, v] * T_K[r, v] / volume_m3[r, v]


@njit(cache=True, error_model="numpy", fastmath=jit.ARCP)
def _equalise(m_kg, o2_fraction, R_J_kgK, volume_m3, T_K, r, a, b, cdA_m2, dt):
    """Gas from the higher-pressure vessel of ``a`` and ``b`` to the other for ``dt``
    through an orifice of ``cdA_m2`` (:func:`~spacewalk.physics.gas.orifice_mass_flow_kg_s`),
    never past equal pressures; the mass moves whole and the receiver's O2 fraction mixes."""
    p_a = m_kg[r, a] * R_J_kgK[r, a] * T_K[r, a] / volume_m3[r, a]
    p_b = m_kg[r, b] * R_J_kgK[r, b] * T_K[r, b] / volume_m3[r, b]
    up, down = (a, b) if p_a >= p_b else (b, a)
    p_up, p_down = max(p_a, p_b), min(p_a, p_b)
    Rg = R_J_kgK[r, up]
    flow = gas.orifice_mass_flow_kg_s(p_up, p_down, cdA_m2, Rg, T_K[r, up])
    # the mass that makes the two pressures equal (the gas that moves keeps its constant)
    per_kg = Rg * (T_K[r, up] / volume_m3[r, up] + T_K[r, down] / volume_m3[r, down])
    m_eq = (p_up - p_down) / per_kg
    dm = min(flow * dt, m_eq)
    if dm <= 0.0:
        return
    fo2 = gas.mix_o2_fraction(m_kg[r, down], o2_fraction[r, down], dm, o2_fraction[r, up])
    m_kg[r, up] -= dm
    m_kg[r, down] += dm
    o2_fraction[r, down] = fo2
    R_J_kgK[r, down] = _gas_constant(fo2)


_gas_constant = njit(cache=True)(gas_constant)  # the same function, compiled for the kernel


jit.register(_kernel, jit.ENGINE_NOTICE)
